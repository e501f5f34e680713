"""get_variable_names()/shapes of every v1 canned class under every v1 optimizer."""
import numpy as np, os
def md(n): return os.path.join(os.environ["TMPDIR_PROG"], n)
def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(0)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "c", "d"], size=n)}
    labels = rng.integers(0, 2, n)
    num = fc.numeric_column("x")
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    V1 = tf.compat.v1.train
    opts = {
        "sgd": lambda: V1.GradientDescentOptimizer(0.1),
        "mom": lambda: V1.MomentumOptimizer(0.1, 0.9),
        "adagrad": lambda: V1.AdagradOptimizer(0.1),
        "adam": lambda: V1.AdamOptimizer(0.1),
        "rms": lambda: V1.RMSPropOptimizer(0.1),
        "rms_m": lambda: V1.RMSPropOptimizer(0.1, momentum=0.5),
        "rms_mc": lambda: V1.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
        "ftrl": lambda: V1.FtrlOptimizer(0.1),
        "padagrad": lambda: V1.ProximalAdagradOptimizer(0.1),
        "str_adam": lambda: "Adam",
        "str_rms": lambda: "RMSProp",
        "default": None,
    }
    def input_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)
    def rinput_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels.astype(np.float32))).batch(8)
    E = tf.compat.v1.estimator
    out = {}
    def record(key, est, fn):
        try:
            est.train(fn, steps=2)
            out[key] = {nm: str(est.get_variable_value(nm).shape) for nm in est.get_variable_names()}
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)[:200]
    for k, f in opts.items():
        kw = {} if f is None else {"optimizer": f()}
        record("lin_" + k, E.LinearClassifier([num, cat], model_dir=md("l" + k), **kw), input_fn)
        kw = {} if f is None else {"optimizer": f()}
        record("dnn_" + k, E.DNNClassifier([3], [num, fc.indicator_column(cat)], model_dir=md("d" + k), **kw), input_fn)
        kw = {} if f is None else {"optimizer": f()}
        record("base_" + k, E.BaselineClassifier(model_dir=md("b" + k), **kw), input_fn)
        kw = {} if f is None else {"dnn_optimizer": f(), "linear_optimizer": f()}
        record("dlc_" + k, E.DNNLinearCombinedClassifier(model_dir=md("c" + k), linear_feature_columns=[num, cat],
               dnn_feature_columns=[num], dnn_hidden_units=[2], **kw), input_fn)
    record("linreg", E.LinearRegressor([num, cat], model_dir=md("lr")), rinput_fn)
    record("dnnreg", E.DNNRegressor([3], [num], model_dir=md("dr")), rinput_fn)
    record("basereg", E.BaselineRegressor(model_dir=md("br")), rinput_fn)
    record("dlcreg", E.DNNLinearCombinedRegressor(model_dir=md("cr"), linear_feature_columns=[num],
           dnn_feature_columns=[num], dnn_hidden_units=[2]), rinput_fn)
    record("lin3", E.LinearClassifier([num, cat], n_classes=3, model_dir=md("l3")), lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8))
    record("dlc_linonly", E.DNNLinearCombinedClassifier(model_dir=md("clo"), linear_feature_columns=[num, cat]), input_fn)
    record("dlc_dnnonly", E.DNNLinearCombinedClassifier(model_dir=md("cdo"), dnn_feature_columns=[num], dnn_hidden_units=[2]), input_fn)
    return out
