"""A v1 estimator resumes from TensorFlow's v1 checkpoint, then from its own.

The TensorFlow run trains each model 2 steps into $TF_DIFF_CACHE/v1names/<key> (made
afresh on every TensorFlow run, so DNN initial weights need no seed); both runs copy
that model_dir, train 2 more steps (resuming TensorFlow's checkpoint), then 2 more
with a new estimator object (resuming their own), and return every variable.
"""
import os, shutil, numpy as np
CACHE = os.path.join(os.environ.get("TF_DIFF_CACHE", "/tmp/tf_diff_cache"), "v1names")
def md(n): return os.path.join(os.environ["TMPDIR_PROG"], n)
def main(tf):
    is_tf = tf.__name__ == "tensorflow"
    fc = tf.feature_column
    rng = np.random.default_rng(0)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "c", "d"], size=n)}
    labels = rng.integers(0, 2, n)
    rlabels = rng.normal(size=n).astype(np.float32)
    num = fc.numeric_column("x")
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    emb = fc.embedding_column(cat, 2)
    V1 = tf.compat.v1.train
    E = tf.compat.v1.estimator
    def input_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)
    def rinput_fn():
        return tf.data.Dataset.from_tensor_slices((feats, rlabels)).batch(8)
    opts = {
        "default": lambda: {},
        "adam": lambda: {"optimizer": V1.AdamOptimizer(0.05)},
        "rms_mc": lambda: {"optimizer": V1.RMSPropOptimizer(0.01, momentum=0.5, centered=True)},
        "rms": lambda: {"optimizer": V1.RMSPropOptimizer(0.01)},
        "mom": lambda: {"optimizer": V1.MomentumOptimizer(0.05, 0.9)},
        "adagrad": lambda: {"optimizer": V1.AdagradOptimizer(0.1)},
        "ftrl": lambda: {"optimizer": V1.FtrlOptimizer(0.1)},
        "sgd": lambda: {"optimizer": V1.GradientDescentOptimizer(0.1)},
    }
    makers = {}
    for k, f in opts.items():
        makers["lin_" + k] = (lambda d, f=f: E.LinearClassifier([num, cat], model_dir=d, **f()), input_fn)
        makers["dnn_" + k] = (lambda d, f=f: E.DNNClassifier([3], [num, emb], model_dir=d, **f()), input_fn)
        makers["base_" + k] = (lambda d, f=f: E.BaselineClassifier(model_dir=d, **f()), input_fn)
    makers["dlc_default"] = (lambda d: E.DNNLinearCombinedClassifier(
        model_dir=d, linear_feature_columns=[num, cat], dnn_feature_columns=[num, emb], dnn_hidden_units=[2]), input_fn)
    makers["dlc_adam"] = (lambda d: E.DNNLinearCombinedClassifier(
        model_dir=d, linear_feature_columns=[num, cat], dnn_feature_columns=[num, emb], dnn_hidden_units=[2],
        linear_optimizer=V1.AdamOptimizer(0.02, beta1=0.5), dnn_optimizer=V1.AdamOptimizer(0.01, beta1=0.8)), input_fn)
    makers["dlc_rms_adam"] = (lambda d: E.DNNLinearCombinedClassifier(
        model_dir=d, linear_feature_columns=[num, cat], dnn_feature_columns=[num], dnn_hidden_units=[2],
        linear_optimizer=V1.AdamOptimizer(0.02), dnn_optimizer=V1.RMSPropOptimizer(0.01)), input_fn)
    makers["linreg"] = (lambda d: E.LinearRegressor([num, cat], model_dir=d), rinput_fn)
    makers["dnnreg_adam"] = (lambda d: E.DNNRegressor([3], [num], model_dir=d, optimizer=V1.AdamOptimizer(0.01)), rinput_fn)
    makers["basereg"] = (lambda d: E.BaselineRegressor(model_dir=d), rinput_fn)
    makers["dlcreg"] = (lambda d: E.DNNLinearCombinedRegressor(
        model_dir=d, linear_feature_columns=[num], dnn_feature_columns=[num], dnn_hidden_units=[2]), rinput_fn)
    out = {}
    for key, (make, fn) in makers.items():
        src = os.path.join(CACHE, key)
        if is_tf:
            shutil.rmtree(src, ignore_errors=True)
            make(src).train(fn, steps=2)
        d = md(key)
        shutil.copytree(src, d)
        try:
            make(d).train(fn, steps=2)
            first = {nm: make(d).get_variable_value(nm) for nm in make(d).get_variable_names()}
            make(d).train(fn, steps=2)
            est = make(d)
            out[key] = {"after_tf": first,
                        "after_own": {nm: est.get_variable_value(nm) for nm in est.get_variable_names()},
                        "listed": [list(map(str, v)) for v in tf.train.list_variables(d)],
                        "eval": est.evaluate(fn, steps=1)}
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)[:300]
    return out
