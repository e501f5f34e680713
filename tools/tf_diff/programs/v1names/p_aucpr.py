"""auc_precision_recall of an evaluation with one batch of 8 (seen differing in p_resume)."""
import numpy as np, os
def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(0)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "c", "d"], size=n)}
    labels = rng.integers(0, 2, n)
    num = fc.numeric_column("x")
    out = {}
    for v in ("v1", "v2"):
        E = tf.compat.v1.estimator if v == "v1" else tf.estimator
        est = E.LinearClassifier([num], model_dir=os.path.join(os.environ["TMPDIR_PROG"], v))
        est.train(lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8), steps=2)
        for steps in (1, 2, 4):
            out[f"{v}_{steps}"] = est.evaluate(lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8), steps=steps)
        out[v + "_probs"] = [p["probabilities"][1] for p in est.predict(lambda: tf.data.Dataset.from_tensor_slices(feats).batch(8))][:8]
    out["labels"] = labels[:8]
    return out
