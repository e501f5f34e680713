"""Wide & deep variants started from TF's initial weights: DNNLinearCombinedClassifier
with n_classes=5 and a label_vocabulary, batch_norm, dnn_dropout, a tf.keras activation,
linear_sparse_combiner='sqrtn' over a multivalent column, optimizers with schedules and
clipping per part (legacy Adam vs Ftrl), a second train() resuming both optimizers, then
DNNLinearCombinedRegressor with label_dimension=2 and a weight column. Dropout models
are compared on TF's checkpoint (evaluate/predict with checkpoint_path=) and by names."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, init_dir, md, meta, sgd0, shapes  # noqa: E402

VOCAB = ["p", "q", "r", "s", "t"]


def main(tf):
    fc = tf.feature_column
    L = tf.keras.optimizers.legacy
    S = tf.keras.optimizers.schedules
    rng = np.random.default_rng(29)
    n = 40
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "v": rng.normal(size=(n, 2)).astype(np.float32),
             "tags": np.array([list(rng.choice(["a", "b", "c", "d", ""], 3)) for _ in range(n)]),
             "city": rng.choice(["ny", "sf", "la", "bo"], n),
             "w": rng.uniform(0.5, 2.0, n).astype(np.float32)}
    lab = rng.choice(VOCAB, n)
    y2 = rng.normal(size=(n, 2)).astype(np.float32)
    tags = fc.categorical_column_with_vocabulary_list("tags", ["a", "b", "c", "d"])
    city = fc.categorical_column_with_hash_bucket("city", 3)
    wide = [tags, city, fc.crossed_column(["tags", "city"], 5), fc.numeric_column("x")]
    deep = [fc.numeric_column("x"), fc.numeric_column("v", shape=[2]), fc.embedding_column(tags, 2, combiner="sqrtn"),
            fc.indicator_column(city)]

    def inp(labels):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(10)

    def pinp():
        return tf.data.Dataset.from_tensor_slices(feats).batch(10)

    seed = tf.estimator.RunConfig(tf_random_seed=8)
    C = tf.estimator.DNNLinearCombinedClassifier
    common = dict(linear_feature_columns=wide, dnn_feature_columns=deep, n_classes=5, label_vocabulary=VOCAB,
                  weight_column="w", linear_sparse_combiner="sqrtn", config=seed)
    cases = {
        "bn_selu": dict(dnn_hidden_units=[5, 4], batch_norm=True, dnn_activation_fn=tf.keras.activations.selu),
        "drop_tanh": dict(dnn_hidden_units=[4], dnn_dropout=0.3, dnn_activation_fn=tf.nn.tanh),
        "bn_drop": dict(dnn_hidden_units=[3], batch_norm=True, dnn_dropout=0.2),
    }
    out = {}
    for name, kw in cases.items():
        init = init_dir(tf, "wd_" + name, lambda d: C(model_dir=d, linear_optimizer=sgd0(tf),
                                                       dnn_optimizer=sgd0(tf), **common, **kw), inp(lab))
        ckpt = tf.train.latest_checkpoint(init)
        est = C(model_dir=md(name), warm_start_from=init,
                linear_optimizer=lambda: L.Ftrl(S.ExponentialDecay(0.3, 2, 0.5), l1_regularization_strength=0.01),
                dnn_optimizer=lambda: L.Adam(S.PiecewiseConstantDecay([2], [0.05, 0.01]), clipnorm=1.0),
                **common, **kw)
        ev = est.evaluate(inp(lab), checkpoint_path=ckpt)
        preds = list(est.predict(pinp, checkpoint_path=ckpt))
        r = {"eval": ev, "eval_meta": meta(ev), "pred": preds[:3], "pred_meta": meta(preds[0])}
        est.train(inp(lab), steps=2)
        est.train(inp(lab), steps=2)  # resumes both optimizers (and the schedules' step)
        r["shapes"] = shapes(est)
        if "drop" not in name:
            r["vars"] = all_vars(est)
            r["eval_trained"] = est.evaluate(inp(lab))
        out[name] = r
    # regressor, 2 outputs, weights, both optimizers as strings, resumed by a new estimator
    R = tf.estimator.DNNLinearCombinedRegressor
    rkw = dict(linear_feature_columns=wide, dnn_feature_columns=deep, dnn_hidden_units=[4, 2], label_dimension=2,
               weight_column="w", config=seed, linear_sparse_combiner="mean")
    init = init_dir(tf, "wd_reg", lambda d: R(model_dir=d, linear_optimizer=sgd0(tf), dnn_optimizer=sgd0(tf),
                                               **rkw), inp(y2))
    est = R(model_dir=md("reg"), warm_start_from=init, linear_optimizer="Adagrad", dnn_optimizer="RMSProp", **rkw)
    est.train(inp(y2), steps=2)
    est = R(model_dir=md("reg"), linear_optimizer="Adagrad", dnn_optimizer="RMSProp", **rkw)
    est.train(inp(y2), steps=3)
    preds = list(est.predict(pinp))
    out["reg"] = {"vars": all_vars(est), "eval": est.evaluate(inp(y2)), "pred": preds[:3],
                  "pred_meta": meta(preds[0])}
    return out
