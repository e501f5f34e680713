"""evaluate() of every tf.compat.v1.estimator canned class, on TensorFlow's checkpoint.

The TensorFlow run trains each model 3 steps into $TF_DIFF_CACHE/v1metrics/<key> (made
afresh on every TensorFlow run, so DNN weights need no seed); both runs copy that
model_dir and evaluate it with 1, 3 and all batches (batch 8 over 40 examples), so only
the v1 heads' streaming metrics (and the forward pass) are compared. Binary, 3-class,
vocabulary, weighted, regression with label_dimension 1 and 2.
"""
import os, shutil, numpy as np
CACHE = os.path.join(os.environ.get("TF_DIFF_CACHE", "/tmp/tf_diff_cache"), "v1metrics")


def main(tf):
    is_tf = tf.__name__ == "tensorflow"
    fc = tf.feature_column
    E = tf.compat.v1.estimator
    rng = np.random.default_rng(3)
    n = 40
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "c": rng.choice(["a", "b", "c", "d"], size=n),
             "w": rng.uniform(0, 2, size=n).astype(np.float32)}
    y2 = rng.integers(0, 2, n)
    y3 = rng.integers(0, 3, n)
    yv = np.array(["neg", "pos"])[y2]
    yr = rng.normal(size=n).astype(np.float32)
    yr2 = rng.normal(size=(n, 2)).astype(np.float32)
    num = fc.numeric_column("x")
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    emb = fc.embedding_column(cat, 2)
    lin_cols, dnn_cols = [num, cat], [num, emb]

    def fn(labels):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)

    def dlc(cls, **kw):
        return lambda d: cls(model_dir=d, linear_feature_columns=lin_cols,
                             dnn_feature_columns=dnn_cols, dnn_hidden_units=[3], **kw)

    makers = {
        "lin": (lambda d: E.LinearClassifier(lin_cols, model_dir=d), y2),
        "lin_w": (lambda d: E.LinearClassifier(lin_cols, model_dir=d, weight_column="w"), y2),
        "lin3_w": (lambda d: E.LinearClassifier(lin_cols, model_dir=d, n_classes=3, weight_column="w"), y3),
        "lin_vocab": (lambda d: E.LinearClassifier(lin_cols, model_dir=d, label_vocabulary=["neg", "pos"]), yv),
        "dnn": (lambda d: E.DNNClassifier([4], dnn_cols, model_dir=d), y2),
        "dnn_w": (lambda d: E.DNNClassifier([4], dnn_cols, model_dir=d, weight_column="w"), y2),
        "dnn3": (lambda d: E.DNNClassifier([4], dnn_cols, model_dir=d, n_classes=3), y3),
        "dlc_w": (dlc(E.DNNLinearCombinedClassifier, weight_column="w"), y2),
        "dlc3": (dlc(E.DNNLinearCombinedClassifier, n_classes=3), y3),
        "base": (lambda d: E.BaselineClassifier(model_dir=d), y2),
        "base_w": (lambda d: E.BaselineClassifier(model_dir=d, weight_column="w"), y2),
        "base3": (lambda d: E.BaselineClassifier(model_dir=d, n_classes=3), y3),
        "linreg": (lambda d: E.LinearRegressor(lin_cols, model_dir=d), yr),
        "linreg2_w": (lambda d: E.LinearRegressor(lin_cols, model_dir=d, label_dimension=2, weight_column="w"), yr2),
        "dnnreg_w": (lambda d: E.DNNRegressor([4], dnn_cols, model_dir=d, weight_column="w"), yr),
        "dlcreg": (dlc(E.DNNLinearCombinedRegressor), yr),
        "basereg_w": (lambda d: E.BaselineRegressor(model_dir=d, weight_column="w"), yr),
        "basereg2": (lambda d: E.BaselineRegressor(model_dir=d, label_dimension=2), yr2),
    }
    out = {}
    for key, (make, labels) in makers.items():
        src = os.path.join(CACHE, key)
        if is_tf:
            shutil.rmtree(src, ignore_errors=True)
            make(src).train(fn(labels), steps=3)
        d = os.path.join(os.environ["TMPDIR_PROG"], key)
        shutil.copytree(src, d)
        try:
            est = make(d)
            out[key] = {str(steps): est.evaluate(fn(labels), steps=steps, name=f"s{steps}")
                        for steps in (1, 3, None)}
            out[key]["eval_dirs"] = sorted(os.listdir(d))
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)[:300]
    return out
