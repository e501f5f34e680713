"""Housing-style regression (the "premade estimators" regression tutorial shape): a
DataFrame fed through tf.data.Dataset.from_tensor_slices((dict(df), y)) with a seeded
.shuffle(buf, seed=..).repeat().batch(), steps=, RunConfig(tf_random_seed), normalizer_fn,
bucketized and vocabulary columns, weight_column, label_dimension=2 and the three
loss_reduction choices; LinearRegressor (zero start) and BaselineRegressor; evaluate
(average_loss / loss / label/mean / prediction/mean), predict (all keys and predict_keys),
yield_single_examples=False."""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, files, meta  # noqa: E402


def housing(n=100, seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "rooms": rng.integers(1, 9, n).astype(np.float32),
        "area": rng.uniform(30, 250, n).astype(np.float32),
        "age": rng.integers(0, 100, n).astype(np.int64),
        "district": pd.Series(rng.choice(["north", "south", "east", "west", "centre"], n),
                              dtype=object),
        "weight": rng.uniform(0.5, 1.5, n).astype(np.float32),
    })
    price = (0.05 * df["area"] + 3 * df["rooms"] - 0.02 * df["age"]
             + rng.normal(0, 1, n)).astype(np.float32)
    return df, price


def main(tf):
    fc = tf.feature_column
    df, price = housing()
    train_df, test_df = df.iloc[:80], df.iloc[80:]
    train_y, test_y = price.iloc[:80], price.iloc[80:]
    area_mean, area_std = float(train_df["area"].mean()), float(train_df["area"].std())
    columns = [
        fc.numeric_column("area", normalizer_fn=lambda x: (x - area_mean) / area_std),
        fc.numeric_column("rooms"),
        fc.bucketized_column(fc.numeric_column("age"), boundaries=[10, 30, 60]),
        fc.categorical_column_with_vocabulary_list("district",
                                                   ["north", "south", "east", "west"],
                                                   num_oov_buckets=1),
    ]

    def input_fn(features, labels, training=True, batch_size=16):
        ds = tf.data.Dataset.from_tensor_slices((dict(features), labels))
        if training:
            ds = ds.shuffle(64, seed=7).repeat()
        return ds.batch(batch_size)

    tmp = os.environ["TMPDIR_PROG"]
    out = {}
    config = tf.estimator.RunConfig(tf_random_seed=3, save_checkpoints_steps=10,
                                    keep_checkpoint_max=2)
    reductions = {"sum": tf.keras.losses.Reduction.SUM,
                  "sobs": tf.keras.losses.Reduction.SUM_OVER_BATCH_SIZE,
                  "default": None}
    for name, reduction in reductions.items():
        kw = {} if reduction is None else {"loss_reduction": reduction}
        md = os.path.join(tmp, "lin_" + name)
        est = tf.estimator.LinearRegressor(
            feature_columns=columns, model_dir=md, weight_column="weight", config=config,
            optimizer=tf.keras.optimizers.legacy.Ftrl(learning_rate=0.1), **kw)
        est.train(lambda: input_fn(train_df, train_y), steps=25)
        ev = est.evaluate(lambda: input_fn(test_df, test_y, training=False))
        out[name] = {"eval": ev, "vars": all_vars(est), "files": files(md)}
    out["eval_meta"] = meta(out["default"]["eval"])

    # label_dimension=2 with a DataFrame label, SGD, and a held-out evaluation by name
    y2 = pd.DataFrame({"price": price, "log_price": np.log(np.abs(price) + 1).astype(np.float32)})
    md2 = os.path.join(tmp, "lin2")
    est2 = tf.estimator.LinearRegressor(
        feature_columns=columns, model_dir=md2, label_dimension=2, config=config,
        optimizer=tf.keras.optimizers.legacy.SGD(learning_rate=0.001))
    est2.train(lambda: tf.data.Dataset.from_tensor_slices(
        (dict(train_df), y2.iloc[:80].values)).shuffle(80, seed=1).batch(20).repeat(2))
    out["lin2_vars"] = all_vars(est2)
    out["lin2_eval"] = est2.evaluate(lambda: tf.data.Dataset.from_tensor_slices(
        (dict(test_df), y2.iloc[80:].values)).batch(8), name="holdout")
    out["lin2_files"] = files(md2)
    preds = list(est2.predict(lambda: tf.data.Dataset.from_tensor_slices(dict(test_df)).batch(8)))
    out["lin2_pred_meta"] = meta(preds[0])
    out["lin2_pred"] = preds[:3]
    batch_preds = list(est2.predict(
        lambda: tf.data.Dataset.from_tensor_slices(dict(test_df)).batch(8),
        predict_keys=["predictions"], yield_single_examples=False))
    out["lin2_batch_pred"] = [len(batch_preds), meta(batch_preds[0]), batch_preds[-1]]

    # a baseline for comparison, as tutorials do. TF 2.15's Baseline fails (an uninitialized
    # iterator, FailedPreconditionError) when a Dataset gives it two or more features: its
    # bias variable is created under control_dependencies on assert_equal ops of the
    # features' batch sizes, so initializing it reads the iterator before the iterator's
    # initializer runs. So it sees only the weight feature.
    md3 = os.path.join(tmp, "base")
    base = tf.estimator.BaselineRegressor(model_dir=md3, weight_column="weight", config=config)
    base_cols = ["weight"]
    base.train(lambda: input_fn(train_df[base_cols], train_y), steps=12)
    out["base_eval"] = base.evaluate(lambda: input_fn(test_df[base_cols], test_y, training=False))
    out["base_vars"] = all_vars(base)
    out["base_files"] = files(md3)
    return out
