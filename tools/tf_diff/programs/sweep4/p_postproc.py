"""Post-processing predictions: stack probabilities, tf.argmax, tf.nn.softmax, tf.math.top_k,
tf.math.confusion_matrix (weights, num_classes), tf.reduce_*, tf.gather; plus errors."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from common4 import *

def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    rng = np.random.default_rng(4)
    n = 30
    feats = {"x": rng.normal(size=n).astype(np.float32), "y": rng.normal(size=n).astype(np.float32)}
    labels = ((feats["x"] > 0).astype(int) + (feats["y"] > 0.5).astype(int)).astype(np.int64)
    inp = lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).shuffle(30, seed=1).repeat().batch(10)
    ev_inp = lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(10)
    pr_inp = lambda: tf.data.Dataset.from_tensor_slices(feats).batch(10)
    est = tf.estimator.LinearClassifier([fc.numeric_column("x"), fc.numeric_column("y")], n_classes=3,
                                        model_dir=os.path.join(tmp, "m"),
                                        optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.5))
    est.train(inp, steps=20)
    out = {"eval": est.evaluate(ev_inp)}
    preds = list(est.predict(pr_inp))
    out["pred_keys"] = sorted(preds[0].keys())
    out["pred0"] = preds[0]
    probs = tf.stack([p["probabilities"] for p in preds])
    logits = tf.convert_to_tensor(np.stack([p["logits"] for p in preds]))
    out["probs_shape"] = list(probs.shape)
    out["probs_dtype"] = probs.dtype.name
    am = tf.argmax(probs, axis=1)
    out["argmax"] = am.numpy(); out["argmax_dtype"] = am.dtype.name
    out["argmax_i32"] = tf.argmax(probs, axis=-1, output_type=tf.int32).numpy()
    out["argmin0"] = tf.math.argmin(probs, 0).numpy()
    sm = tf.nn.softmax(logits)
    out["softmax"] = sm.numpy()
    out["softmax_ax0"] = tf.nn.softmax(logits, axis=0).numpy()[:3]
    out["log_softmax"] = tf.nn.log_softmax(logits).numpy()[:3]
    out["softmax_vs_probs"] = float(tf.reduce_max(tf.abs(sm - probs)).numpy())
    tk = tf.math.top_k(probs, k=2)
    out["topk_values"] = tk.values.numpy(); out["topk_indices"] = tk.indices.numpy()
    out["topk_idx_dtype"] = tk.indices.dtype.name
    out["topk_fields"] = list(type(tk)._fields) if hasattr(type(tk), "_fields") else None
    tk1 = tf.math.top_k(tf.constant([1.0, 3.0, 3.0, 2.0]), k=3, sorted=True)
    out["topk_ties"] = tk1.indices.numpy()
    cm = tf.math.confusion_matrix(labels, am, num_classes=3)
    out["cm"] = cm.numpy(); out["cm_dtype"] = cm.dtype.name
    out["cm_auto"] = tf.math.confusion_matrix(tf.constant(labels), am).numpy()
    w = np.linspace(0.5, 2, n).astype(np.float32)
    cmw = tf.math.confusion_matrix(labels, am, num_classes=4, weights=w, dtype=tf.float32)
    out["cm_w"] = cmw.numpy(); out["cm_w_dtype"] = cmw.dtype.name
    out["acc"] = float(tf.reduce_mean(tf.cast(tf.equal(am, labels), tf.float32)).numpy())
    out["class_ids"] = np.concatenate([p["class_ids"] for p in preds])
    out["class_ids_match"] = bool(tf.reduce_all(tf.equal(out["class_ids"], am)).numpy())
    out["gathered"] = tf.gather(probs, am, batch_dims=1).numpy()
    out["onehot_pred"] = tf.one_hot(am, 3, dtype=tf.int32).numpy()[:4]
    out["sorted"] = tf.sort(probs[:, 0], direction="DESCENDING").numpy()[:5]
    out["argsort"] = tf.argsort(probs[:, 0], direction="DESCENDING").numpy()[:5]
    out["reduce_sum_rows"] = tf.reduce_sum(probs, axis=1).numpy()
    out["unique_classes"] = sorted(tf.unique(am).y.numpy().tolist())
    out["bincount"] = tf.math.bincount(tf.cast(am, tf.int32), minlength=3).numpy()
    errs = {}
    for name, f in {
        "cm_neg_label": lambda: tf.math.confusion_matrix([0, -1], [0, 1]),
        "cm_out_of_range": lambda: tf.math.confusion_matrix([0, 3], [0, 1], num_classes=3),
        "cm_len": lambda: tf.math.confusion_matrix([0, 1, 2], [0, 1]),
        "topk_too_big": lambda: tf.math.top_k(probs, k=4),
        "topk_neg": lambda: tf.math.top_k(probs, k=-1),
        "argmax_axis": lambda: tf.argmax(probs, axis=2),
        "softmax_int": lambda: tf.nn.softmax(tf.constant([1, 2])),
        "cm_rank": lambda: tf.math.confusion_matrix([[0, 1]], [0, 1]),
        "cm_weights": lambda: tf.math.confusion_matrix([0, 1], [0, 1], weights=[1.0, 2.0, 3.0]),
        "cm_weights_2d": lambda: tf.math.confusion_matrix([[0, 1]], [[1, 1]], weights=[[2, 3]]),
        "set_shape_bad": lambda: tf.constant([1.0, 2.0]).set_shape([3]),
        "set_shape_ok": lambda: tf.constant([1.0, 2.0]).set_shape([None]),
    }.items():
        try:
            r = f()
            errs[name] = "ok" if r is None else np.asarray(r).tolist()
        except Exception as e:
            msg = str(e).split("}}")[-1].strip()
            errs[name] = f"{type(e).__name__}: {msg}"
    out["errors"] = errs
    return out
