"""Baseline models (zero start, exact): BaselineClassifier with n_classes=5, a
label_vocabulary, weights and SUM reduction; BaselineRegressor with label_dimension=3;
BaselineEstimator with the Poisson, logistic-regression and multi-label heads; every
optimizer form (string, legacy instance with a schedule, callable with clipping).
Inputs are constant tensors (TF's Baseline estimators fail on several Dataset features).
predict() with predict_keys and yield_single_examples=False, evaluate() dicts."""
import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, md, meta, err  # noqa: E402

VOCAB = ["v", "w", "x", "y", "z"]


def main(tf):
    E = tf.estimator
    L = tf.keras.optimizers.legacy
    S = tf.keras.optimizers.schedules
    rng = np.random.default_rng(31)
    n = 16
    x = rng.normal(size=n).astype(np.float32)
    w = rng.uniform(0.0, 2.0, n).round(1).astype(np.float32)
    labels = {
        "cls5": rng.choice(VOCAB, n).reshape(n, 1),
        "reg3": rng.normal(size=(n, 3)).astype(np.float32),
        "pois": rng.poisson(2.0, (n, 1)).astype(np.float32),
        "logreg": rng.uniform(0, 1, (n, 1)).astype(np.float32),
        "ml": rng.integers(0, 2, (n, 3)),
    }
    makers = {
        "cls5": lambda o, d: E.BaselineClassifier(model_dir=d, n_classes=5, label_vocabulary=VOCAB,
                                                  weight_column="w", optimizer=o,
                                                  loss_reduction=tf.losses.Reduction.SUM),
        "reg3": lambda o, d: E.BaselineRegressor(model_dir=d, label_dimension=3, weight_column="w", optimizer=o),
        "pois": lambda o, d: E.BaselineEstimator(E.PoissonRegressionHead(weight_column="w"), model_dir=d,
                                                 optimizer=o),
        "logreg": lambda o, d: E.BaselineEstimator(E.LogisticRegressionHead(weight_column="w"), model_dir=d,
                                                   optimizer=o),
        "ml": lambda o, d: E.BaselineEstimator(E.MultiLabelHead(3, weight_column="w", thresholds=[0.3, 0.6]),
                                               model_dir=d, optimizer=o),
    }
    opts = {
        "str_adagrad": lambda: "Adagrad",
        "sgd_poly": lambda: L.SGD(S.PolynomialDecay(0.5, 4, 0.05), momentum=0.5),
        "adam_clip": lambda: (lambda: L.Adam(0.1, clipvalue=0.05)),
        "ftrl_default": lambda: "Ftrl",
    }
    out = {}
    for kname, make in makers.items():
        y = labels[kname]

        def inp():
            return {"x": tf.constant(x), "w": tf.constant(w)}, tf.constant(y)

        for oname, opt in opts.items():
            est = make(opt(), md(kname + oname))
            est.train(inp, steps=3)
            ev = est.evaluate(inp, steps=1)
            preds = list(itertools.islice(est.predict(lambda: {"x": tf.constant(x)}), 2))
            out[kname + "/" + oname] = {"eval": ev, "eval_meta": meta(ev), "vars": all_vars(est),
                                        "pred": preds, "pred_meta": meta(preds[0])}
        batch = next(iter(est.predict(lambda: {"x": tf.constant(x[:4])}, yield_single_examples=False)))
        out[kname + "/batch"] = {k: [str(v.dtype), list(v.shape)] for k, v in batch.items()}
        keys = sorted(batch)[:2]
        one = next(iter(est.predict(lambda: {"x": tf.constant(x[:4])}, predict_keys=keys)))
        out[kname + "/keys"] = sorted(one)
    out["errors"] = {
        "vocab_label": err(lambda: makers["cls5"]("Ftrl", md("bad1")).train(
            lambda: ({"x": tf.constant(x), "w": tf.constant(w)}, tf.constant(np.full((n, 1), "u"))), steps=1))["err"],
        "reg_dim": err(lambda: makers["reg3"]("Ftrl", md("bad2")).train(
            lambda: ({"x": tf.constant(x), "w": tf.constant(w)}, tf.constant(labels["reg3"][:, :2])), steps=1)),
        "no_weight": err(lambda: makers["reg3"]("Ftrl", md("bad3")).train(
            lambda: ({"x": tf.constant(x)}, tf.constant(labels["reg3"])), steps=1)),
    }
    return out
