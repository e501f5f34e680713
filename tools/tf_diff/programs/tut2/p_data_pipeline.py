"""A tf.data input pipeline as tutorials build one around an estimator: from a DataFrame,
.map() with tf ops adding an engineered feature (tf.cast, tf.math.log1p, tf.where,
tf.strings.lower), .filter(), .cache(), skip/take to split, .shuffle(seed)
.batch().prefetch(tf.data.AUTOTUNE); looking at it (cardinality, one batch
with .numpy()), then a LinearRegressor trained on it from zero and evaluated, and
predict on the held-out split."""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, meta  # noqa: E402


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(21)
    n = 64
    df = pd.DataFrame({"sqft": rng.uniform(300, 3000, n).astype(np.float32),
                       "beds": rng.integers(1, 6, n).astype(np.int64),
                       "city": rng.choice(["Paris", "LYON", "nice", "Lille"], n)})
    df["city"] = df["city"].astype(object)
    price = (0.1 * df["sqft"] + 5 * df["beds"] + rng.normal(0, 5, n)).astype(np.float32)

    def engineer(features, label):
        features = dict(features)
        features["log_sqft"] = tf.math.log1p(features["sqft"])
        features["beds_f"] = tf.cast(features["beds"], tf.float32)
        features["big"] = tf.where(features["sqft"] > 2000.0, 1.0, 0.0)
        features["city"] = tf.strings.lower(features["city"])
        return features, label

    def datasets():
        # built inside each input_fn: TF's estimators run input_fn in a graph, and a dataset
        # made eagerly outside cannot be captured there
        full = (tf.data.Dataset.from_tensor_slices((dict(df), price.values))
                .map(engineer)
                .filter(lambda f, l: l > 20.0)
                .cache())
        return full, full.skip(12), full.take(12)

    full, train_ds, test_ds = datasets()
    out = {"card_full": int(full.cardinality().numpy()),
           "card_train": int(train_ds.cardinality().numpy()),
           "card_batched": int(train_ds.batch(10).cardinality()),
           "card_repeat": int(train_ds.repeat().cardinality()),
           "n_train": sum(1 for _ in train_ds)}
    batched = train_ds.shuffle(40, seed=5).batch(10).prefetch(tf.data.AUTOTUNE)
    f, l = next(iter(batched))
    out["first_batch"] = {k: v.numpy() for k, v in f.items()}
    out["first_labels"] = l.numpy()

    cols = [fc.numeric_column("log_sqft"), fc.numeric_column("beds_f"),
            fc.numeric_column("big"),
            fc.categorical_column_with_vocabulary_list("city", ["paris", "lyon", "nice"])]
    est = tf.estimator.LinearRegressor(cols, model_dir=os.path.join(os.environ["TMPDIR_PROG"], "m"),
                                       optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.5))
    est.train(lambda: datasets()[1].shuffle(40, seed=5).repeat(3).batch(10)
              .prefetch(tf.data.experimental.AUTOTUNE))
    out["gs"] = est.get_variable_value("global_step")
    out["vars"] = all_vars(est)
    ev = est.evaluate(lambda: datasets()[2].batch(5))
    out["eval"], out["eval_meta"] = ev, meta(ev)
    preds = list(est.predict(lambda: datasets()[2].map(lambda f, l: f).batch(5)))
    out["preds"] = [p["predictions"][0] for p in preds]
    return out
