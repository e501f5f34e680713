"""Warm-starting v1 estimators (slots included) from TensorFlow's and their own v1
checkpoints, and resuming with another optimizer (an error in TensorFlow)."""
import os, shutil, numpy as np
CACHE = os.path.join(os.environ.get("TF_DIFF_CACHE", "/tmp/tf_diff_cache"), "v1names")
def md(n): return os.path.join(os.environ["TMPDIR_PROG"], n)
def main(tf):
    is_tf = tf.__name__ == "tensorflow"
    fc = tf.feature_column
    rng = np.random.default_rng(1)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "c", "d"], size=n)}
    labels = rng.integers(0, 2, n)
    num = fc.numeric_column("x")
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    emb = fc.embedding_column(cat, 2)
    V1 = tf.compat.v1.train
    E = tf.compat.v1.estimator
    WS = tf.estimator.WarmStartSettings
    def input_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)
    lin = lambda d, opt=None, **kw: E.LinearClassifier([num, cat], model_dir=d, optimizer=opt or V1.AdamOptimizer(0.05), **kw)
    dnn = lambda d, opt=None, **kw: E.DNNClassifier([3], [num, emb], model_dir=d, optimizer=opt or "Adagrad", **kw)
    dlc = lambda d, **kw: E.DNNLinearCombinedClassifier(model_dir=d, linear_feature_columns=[num, cat],
        dnn_feature_columns=[num], dnn_hidden_units=[2], linear_optimizer=V1.AdamOptimizer(0.02),
        dnn_optimizer=V1.AdamOptimizer(0.01), **kw)
    sources = {"lin": lin, "dnn": dnn, "dlc": dlc}
    if is_tf:
        for key, make in sources.items():
            shutil.rmtree(os.path.join(CACHE, "ws_" + key), ignore_errors=True)
            make(os.path.join(CACHE, "ws_" + key)).train(input_fn, steps=2)
    out = {}
    def run(key, make, **kw):
        try:
            est = make(md(key), **kw)
            est.train(input_fn, steps=1)
            out[key] = {nm: est.get_variable_value(nm) for nm in est.get_variable_names()}
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)[:160]
    for key, make in sources.items():
        src = os.path.join(CACHE, "ws_" + key)
        run(key + "_all", make, warm_start_from=WS(src, vars_to_warm_start=[".*"]))
    # TF's DNN is randomly initialised: every DNN weight must be warm-started to compare
    lsrc, dsrc, csrc = (os.path.join(CACHE, "ws_" + k) for k in ("lin", "dnn", "dlc"))
    run("lin_slots", lin, warm_start_from=WS(lsrc, vars_to_warm_start=[".*Ada.*", ".*Adam.*"]))
    run("lin_powers_and_step", lin, warm_start_from=WS(lsrc, vars_to_warm_start=[".*power.*", "global_step"]))
    # matched against TF's graph names: linear/linear_model/x/weights/part_0 (model),
    # linear/linear/linear_model/x/weights/part_0/Adam (slot)
    run("lin_model_scope", lin, warm_start_from=WS(lsrc, vars_to_warm_start=["linear/linear_model/.*"]))
    run("lin_slot_scope", lin, warm_start_from=WS(lsrc, vars_to_warm_start=["linear/linear/.*"]))
    run("lin_part_0", lin, warm_start_from=WS(lsrc, vars_to_warm_start=".*x/weights/part_0:0"))
    run("lin_no_part", lin, warm_start_from=WS(lsrc, vars_to_warm_start=[".*x/weights:0", ".*x/weights/part_0/Adam:0"]))
    run("dnn_default", dnn, warm_start_from=dsrc)
    run("dnn_model_scopes", dnn, warm_start_from=WS(dsrc, vars_to_warm_start=["dnn/hiddenlayer.*", "dnn/logits.*", "dnn/input.*"]))
    run("dnn_scope", dnn, warm_start_from=WS(dsrc, vars_to_warm_start=["dnn/.*"]))
    run("dlc_parts", dlc, warm_start_from=WS(csrc, vars_to_warm_start=[".*part_0:0", ".*part_0/Adam:0", ".*power_1.*"]))
    # renaming a slot
    run("lin_prev_name", lin, warm_start_from=WS(os.path.join(CACHE, "ws_lin"),
        vars_to_warm_start=[".*x/weights.*"],
        var_name_to_prev_var_name={"linear/linear_model/x/weights/part_0/Adam": "linear/linear_model/c/weights/part_0/Adam"}))
    # another optimizer on TensorFlow's model_dir
    for key, make, opt in (("lin_to_ftrl", lin, V1.FtrlOptimizer(0.1)), ("lin_to_sgd", lin, V1.GradientDescentOptimizer(0.1)),
                           ("dnn_to_adam", dnn, V1.AdamOptimizer(0.1)), ("dnn_to_rms", dnn, V1.RMSPropOptimizer(0.1))):
        src = os.path.join(CACHE, "ws_" + key.split("_")[0])
        shutil.copytree(src, md(key + "_dir"))
        try:
            est = make(md(key + "_dir"), opt)
            est.train(input_fn, steps=1)
            out[key] = sorted(est.get_variable_names())
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e).split("\n")[0][:70]
    # warm start from its own v1 checkpoint (Linear: zero initialised, same in both)
    lin(md("own")).train(input_fn, steps=2)
    run("own_all", lin, warm_start_from=WS(md("own"), vars_to_warm_start=[".*"]))
    return out
