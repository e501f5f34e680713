"""train_and_evaluate as the "wide & deep on Cloud ML" tutorials run it: a pandas
DataFrame through Dataset.from_tensor_slices(...).shuffle(seed).repeat().batch(), a
DNNLinearCombinedRegressor (started from TF's initial checkpoint) with crossed,
bucketized and embedding columns, RunConfig(save_checkpoints_steps, keep_checkpoint_max),
TrainSpec(max_steps) / EvalSpec(throttle_secs=0, exporters=[Best, Latest, Final]); then
the checkpoints and export directories left, evaluate(checkpoint_path=) of an older
checkpoint, and the best export loaded and called with tf.train.Example records."""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, files, init_dir, is_tf, meta, sgd0  # noqa: E402


def taxi(n=90, seed=4):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "distance": rng.uniform(0.5, 20, n).astype(np.float32),
        "hour": rng.integers(0, 24, n).astype(np.int64),
        "weekday": rng.integers(0, 7, n).astype(np.int64),
        "zone": rng.choice(["A", "B", "C", "D"], n),
        "passengers": rng.integers(1, 5, n).astype(np.float32),
    })
    df["zone"] = df["zone"].astype(object)
    fare = (2.5 + 1.8 * df["distance"] + 0.3 * df["passengers"]
            + rng.normal(0, 0.5, n)).astype(np.float32)
    return df, fare


def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    df, fare = taxi()
    train_df, eval_df, train_y, eval_y = df.iloc[:70], df.iloc[70:], fare.iloc[:70], fare.iloc[70:]

    hour = fc.bucketized_column(fc.numeric_column("hour"), boundaries=[6, 12, 18])
    weekday = fc.categorical_column_with_identity("weekday", num_buckets=7)
    zone = fc.categorical_column_with_vocabulary_list("zone", ["A", "B", "C", "D"])
    wide = [hour, weekday, zone, fc.crossed_column([hour, weekday], hash_bucket_size=30)]
    deep = [fc.numeric_column("distance"), fc.numeric_column("passengers"),
            fc.embedding_column(zone, 2), fc.indicator_column(weekday)]

    def train_input():
        return (tf.data.Dataset.from_tensor_slices((dict(train_df), train_y))
                .shuffle(50, seed=3).repeat().batch(8))

    def eval_input():
        return tf.data.Dataset.from_tensor_slices((dict(eval_df), eval_y)).batch(10)

    def make(md, **kw):
        return tf.estimator.DNNLinearCombinedRegressor(
            model_dir=md, linear_feature_columns=wide, dnn_feature_columns=deep,
            dnn_hidden_units=[6, 3], **kw)

    init = init_dir(tf, "tae_wd", lambda d: make(d, linear_optimizer=sgd0(tf),
                                                  dnn_optimizer=sgd0(tf),
                                                  config=tf.estimator.RunConfig(tf_random_seed=8)),
                    train_input)
    md = os.path.join(tmp, "taxi")
    est = make(md, warm_start_from=init,
               config=tf.estimator.RunConfig(save_checkpoints_steps=4, keep_checkpoint_max=3,
                                             tf_random_seed=8),
               linear_optimizer=lambda: tf.keras.optimizers.legacy.Ftrl(0.05),
               dnn_optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.01))

    spec = fc.make_parse_example_spec(wide + deep)
    serving = tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)
    exporters = [tf.estimator.BestExporter(name="best", serving_input_receiver_fn=serving,
                                           exports_to_keep=2),
                 tf.estimator.LatestExporter("latest", serving, exports_to_keep=2),
                 tf.estimator.FinalExporter("final", serving)]
    metrics, export_results = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_input, max_steps=12),
        tf.estimator.EvalSpec(eval_input, steps=None, throttle_secs=0, start_delay_secs=0,
                              exporters=exporters))
    out = {"metrics": metrics, "metrics_meta": meta(metrics),
           "n_export_results": len(export_results),
           "export_results": [os.path.relpath(p.decode() if isinstance(p, bytes) else p, md)
                              .split(os.sep)[:2] for p in export_results],
           "files": files(md), "vars": all_vars(est)}
    export_base = os.path.join(md, "export")
    out["exports"] = {n: len(os.listdir(os.path.join(export_base, n)))
                      for n in sorted(os.listdir(export_base))}

    # evaluate an older checkpoint by path
    oldest = tf.train.get_checkpoint_state(md).all_model_checkpoint_paths[0]
    out["oldest"] = os.path.basename(oldest)
    out["eval_oldest"] = est.evaluate(eval_input, checkpoint_path=oldest, name="old")

    best_base = os.path.join(export_base, "best")
    best = os.path.join(best_base, sorted(os.listdir(best_base))[-1])
    loaded = tf.saved_model.load(best)
    out["signatures"] = sorted(loaded.signatures.keys())
    records = []
    for i in range(4):
        row = eval_df.iloc[i]
        ex = tf.train.Example()
        f = ex.features.feature
        f["distance"].float_list.value.append(float(row["distance"]))
        f["passengers"].float_list.value.append(float(row["passengers"]))
        f["hour"].float_list.value.append(float(row["hour"]))
        f["weekday"].int64_list.value.append(int(row["weekday"]))
        f["zone"].bytes_list.value.append(row["zone"].encode())
        records.append(ex.SerializeToString())
    reg = loaded.signatures["regression"](inputs=tf.constant(records))
    out["served_regression"] = {k: v.numpy() for k, v in reg.items()}
    pred = loaded.signatures["predict"](examples=tf.constant(records))
    out["served_predict"] = {k: v.numpy() for k, v in pred.items()}
    out["direct_predict"] = [p["predictions"] for p in est.predict(
        lambda: tf.data.Dataset.from_tensor_slices(dict(eval_df.iloc[:4])).batch(4))]
    return out
