"""Linear models on multivalent sparse inputs from a tf.data pipeline: ragged tag lists
padded with '' (vocabulary list), id lists padded with -1 (identity with default_value),
a tf.sparse.SparseTensor feature sliced by Dataset.from_tensor_slices with its weights
(weighted_categorical_column), a crossed column of 3 keys and a hash bucket of size 2
(collisions), under every sparse_combiner, for LinearClassifier (2 and 3 classes) and a
weighted LinearRegressor. Training on a finite Dataset stops at its end."""
import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, md, meta, err  # noqa: E402

TAGS = ["sport", "news", "tech", "food", "art"]


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(21)
    n = 20
    tags = [list(rng.choice(TAGS + ["other"], size=rng.integers(0, 4), replace=False)) for _ in range(n)]
    tags_pad = np.array([t + [""] * (3 - len(t)) for t in tags], dtype=object)
    ids = [list(rng.integers(0, 9, size=rng.integers(1, 4))) for _ in range(n)]
    ids_pad = np.array([i + [-1] * (3 - len(i)) for i in ids], dtype=np.int64)
    color = rng.choice(["red", "green", "blue", "cyan", "pink"], n)
    # a SparseTensor of keywords (row r has r % 3 entries) and matching weights
    idx, kvals, kw = [], [], []
    for r in range(n):
        for j in range(r % 3):
            idx.append([r, j])
            kvals.append(["k0", "k1", "k2", "k3"][(r + 2 * j) % 4])
            kw.append(0.5 + ((r * 7 + j) % 5) * 0.25)
    lab2 = rng.integers(0, 2, n)
    lab3 = rng.integers(0, 3, n)
    yreg = rng.normal(size=n).astype(np.float32)
    wts = rng.uniform(0.5, 2.0, n).astype(np.float32)

    def features():
        return {"tags": tags_pad, "ids": ids_pad, "color": color, "w": wts,
                "kw": tf.sparse.SparseTensor(idx, kvals, [n, 3]),
                "kw_w": tf.sparse.SparseTensor(idx, np.array(kw, np.float32), [n, 3])}

    def inp(labels, bs=8):
        return lambda: tf.data.Dataset.from_tensor_slices((features(), labels)).batch(bs)

    def pinp():
        return tf.data.Dataset.from_tensor_slices(features()).batch(8)

    tags_c = fc.categorical_column_with_vocabulary_list("tags", TAGS)
    ids_c = fc.categorical_column_with_identity("ids", 6, default_value=0)
    color_c = fc.categorical_column_with_hash_bucket("color", 2)
    kw_c = fc.weighted_categorical_column(
        fc.categorical_column_with_vocabulary_list("kw", ["k0", "k1", "k2"], num_oov_buckets=1), "kw_w")
    cross = fc.crossed_column(["tags", "ids", "color"], hash_bucket_size=5)
    cols = [tags_c, ids_c, color_c, kw_c, cross]
    out = {"inputs": {"n_tags": [len(t) for t in tags], "ids": ids_pad}}
    for comb in ["sum", "mean", "sqrtn"]:
        for kind, make, labels in [
                ("c2", lambda d: tf.estimator.LinearClassifier(cols, model_dir=d, sparse_combiner=comb), lab2),
                ("c3", lambda d: tf.estimator.LinearClassifier(cols, n_classes=3, model_dir=d,
                                                               sparse_combiner=comb, optimizer="SGD"), lab3),
                ("rw", lambda d: tf.estimator.LinearRegressor(cols, weight_column="w", model_dir=d,
                                                              sparse_combiner=comb,
                                                              optimizer=lambda: tf.keras.optimizers.legacy.Adagrad(0.5)),
                 yreg)]:
            est = make(md(comb + kind))
            est.train(inp(labels), steps=10)  # 3 batches: stops at the end of the input
            ev = est.evaluate(inp(labels))
            preds = list(est.predict(pinp))
            out[comb + "/" + kind] = {
                "step": est.get_variable_value("global_step"), "eval": ev, "eval_meta": meta(ev),
                "vars": all_vars(est), "pred": preds[::4], "pred_meta": meta(preds[0]), "n": len(preds)}
    # a weight column whose SparseTensor indices differ from the ids', and a bad combiner
    def bad_w():
        f = features()
        f["kw_w"] = tf.sparse.SparseTensor([[0, 0]], np.array([1.0], np.float32), [n, 3])
        return f, lab2
    out["errors"] = {
        "combiner": err(lambda: tf.estimator.LinearClassifier(cols, sparse_combiner="max",
                                                             model_dir=md("max")).train(inp(lab2), steps=1)),
        "weights_mismatch": err(lambda: tf.estimator.LinearClassifier(
            [kw_c], model_dir=md("badw")).train(bad_w, steps=1))["err"],
        "ids_float": err(lambda: tf.estimator.LinearClassifier(
            [fc.categorical_column_with_identity("f", 3)], model_dir=md("badf")).train(
                lambda: ({"f": np.array([[0.0], [1.0]], np.float32)}, np.array([0, 1])), steps=1)),
    }
    # predict through a list of plain dicts (yield_single_examples=False)
    est = tf.estimator.LinearClassifier(cols, model_dir=md("sumc2"), sparse_combiner="sum")
    batches = list(itertools.islice(est.predict(pinp, yield_single_examples=False), 2))
    out["batched"] = {k: [b[k] for b in batches] for k in batches[0]}
    return out
