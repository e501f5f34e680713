"""Every head given to LinearEstimator (zero start), DNNEstimator and
DNNLinearCombinedEstimator (TF's initial weights): binary with thresholds, vocabulary,
custom loss_fn and SUM reduction; 5 classes with a vocabulary; regression with 2 outputs
and an absolute-error loss_fn; Poisson; logistic regression; multi-label with
class-based metrics. All weighted. predict() keys/dtypes/values and evaluate() dicts."""
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, init_dir, md, meta, sgd0  # noqa: E402

VOCAB = ["v", "w", "x", "y", "z"]


def main(tf):
    fc = tf.feature_column
    E = tf.estimator
    R = tf.losses.Reduction
    rng = np.random.default_rng(13)
    n = 30
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "z": rng.normal(size=n).astype(np.float32),
             "c": rng.choice(["a", "b", "c"], n),
             "w": rng.uniform(0.0, 2.0, n).round(1).astype(np.float32)}
    feats["w"][3] = 0.0
    heads = {
        "bin": (lambda: E.BinaryClassHead(
            weight_column="w", thresholds=[0.3, 0.7], label_vocabulary=["neg", "pos"], loss_reduction=R.SUM,
            loss_fn=lambda labels, logits: 2.0 * tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)),
                np.array(["neg", "pos"])[rng.integers(0, 2, n)]),
        "mc5": (lambda: E.MultiClassHead(5, weight_column="w", label_vocabulary=VOCAB, loss_reduction=R.SUM),
                rng.choice(VOCAB, n)),
        "reg2": (lambda: E.RegressionHead(label_dimension=2, weight_column="w",
                                          loss_fn=lambda labels, logits: tf.math.abs(labels - logits)),
                 rng.normal(size=(n, 2)).astype(np.float32)),
        "pois": (lambda: E.PoissonRegressionHead(weight_column="w"),
                 rng.poisson(1.5, size=(n, 1)).astype(np.float32)),
        "logreg": (lambda: E.LogisticRegressionHead(weight_column="w"),
                   rng.uniform(0, 1, size=(n, 1)).astype(np.float32)),
        "ml4": (lambda: E.MultiLabelHead(4, weight_column="w", thresholds=[0.4],
                                         classes_for_class_based_metrics=[1, 3]),
                rng.integers(0, 2, size=(n, 4))),
    }
    voc = fc.categorical_column_with_vocabulary_list("c", ["a", "b"])
    lin_cols = [fc.numeric_column("x"), fc.numeric_column("z"), voc]
    dnn_cols = [fc.numeric_column("x"), fc.indicator_column(voc)]

    def inp(labels):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(10)

    def pinp():
        return tf.data.Dataset.from_tensor_slices(feats).batch(10)

    def copy(src, dst):
        if src is not None:
            shutil.copytree(src, dst)
        return dst

    sgd = lambda: tf.keras.optimizers.legacy.SGD(0.05)  # noqa: E731
    seed = E.RunConfig(tf_random_seed=4)
    out = {}
    for hname, (head, labels) in heads.items():
        kinds = {
            "lin": lambda d, ws: E.LinearEstimator(head(), lin_cols, model_dir=d, optimizer=sgd),
            "dnn": lambda d, ws: E.DNNEstimator(head(), [4], dnn_cols, model_dir=d, config=seed,
                                                optimizer=sgd if ws else sgd0(tf), warm_start_from=ws),
            # no warm_start_from in TF's DNNLinearCombinedEstimator: both sides resume from
            # a copy of TF's model_dir after one step
            "dlc": lambda d, ws: E.DNNLinearCombinedEstimator(
                head(), model_dir=copy(ws, d), config=seed, linear_feature_columns=lin_cols,
                dnn_feature_columns=dnn_cols, dnn_hidden_units=[3], linear_optimizer=sgd, dnn_optimizer=sgd),
        }
        for kname, make in kinds.items():
            ws = None
            if kname != "lin":
                ws = init_dir(tf, f"heads_{hname}_{kname}", lambda d: make(d, None), inp(labels))
            est = make(md(hname + kname), ws)
            est.train(inp(labels), steps=3)
            ev = est.evaluate(inp(labels))
            preds = list(est.predict(pinp))
            out[hname + "/" + kname] = {"eval": ev, "eval_meta": meta(ev), "pred": preds[:2],
                                        "pred_meta": meta(preds[0]), "vars": all_vars(est)}
    return out
