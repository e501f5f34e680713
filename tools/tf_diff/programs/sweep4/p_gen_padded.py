"""from_generator(output_signature) -> map with py_function / numpy_function -> padded_batch of
variable-length id lists -> categorical_column_with_identity (padding -1 and 0, sparse_combiner)."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from common4 import *

ROWS = [([1, 2], 0.5, 1), ([3], -1.0, 0), ([], 0.25, 1), ([0, 4, 4], 2.0, 0), ([2, 5, 1, 3], -0.5, 1),
        ([5], 1.5, 0), ([1, 1], 0.0, 1), ([4, 0], -2.0, 0), ([3, 2, 1], 0.75, 1), ([], 1.0, 0)]

def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    out = {}

    def gen():
        for ids, x, y in ROWS:
            yield {"ids": np.array(ids, np.int64), "x": np.float32(x)}, np.int64(y)

    sig = ({"ids": tf.TensorSpec([None], tf.int64), "x": tf.TensorSpec([], tf.float32)},
           tf.TensorSpec([], tf.int64))

    def py_scale(x):
        return (x * 3.0).astype(np.float32)

    def add_feats(f, y):
        f = dict(f)
        xs = tf.numpy_function(py_scale, [f["x"]], tf.float32)
        xs.set_shape([])
        f["x3"] = xs
        n = tf.py_function(lambda ids: tf.cast(tf.size(ids), tf.float32), [f["ids"]], Tout=tf.float32)
        n.set_shape([])
        f["n"] = n
        return f, y

    def make(pad):
        def fn():
            ds = tf.data.Dataset.from_generator(gen, output_signature=sig).map(add_feats)
            return ds.padded_batch(4, padded_shapes=({"ids": [None], "x": [], "x3": [], "n": []}, []),
                                   padding_values=({"ids": tf.constant(pad, tf.int64), "x": 0.0, "x3": 0.0, "n": 0.0},
                                                   tf.constant(0, tf.int64)))
        return fn

    ds = make(-1)()
    out["spec"] = spec_str(ds.element_spec)
    out["batches"] = [{k: v.numpy() for k, v in f.items()} | {"y": y.numpy()} for f, y in ds]
    out["card"] = int(ds.cardinality().numpy())
    out["gen_card"] = int(tf.data.Dataset.from_generator(gen, output_signature=sig).cardinality().numpy())

    # padded_batch without explicit shapes / values, drop_remainder
    d2 = tf.data.Dataset.from_generator(gen, output_signature=sig).map(lambda f, y: f["ids"]).padded_batch(3, drop_remainder=True)
    out["pb_default"] = [b.numpy() for b in d2]
    out["pb_default_spec"] = spec_str(d2.element_spec)

    for pad in (-1, 0):
        for comb in ("sum", "mean", "sqrtn"):
            ids = fc.categorical_column_with_identity("ids", 6)
            cols = [fc.numeric_column("x"), fc.numeric_column("x3"), fc.numeric_column("n"), ids]
            est = tf.estimator.LinearRegressor(cols, model_dir=os.path.join(tmp, f"lin_{pad}_{comb}"),
                                               sparse_combiner=comb,
                                               optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.1))
            def lbl(fn):
                return lambda: fn().map(lambda f, y: (f, tf.cast(y, tf.float32)))
            try:
                est.train(lbl(make(pad)), steps=3)
                r = {"eval": est.evaluate(lbl(make(pad))), "vars": all_vars(est),
                     "pred": [p["predictions"] for p in est.predict(lambda: make(pad)().map(lambda f, y: f))]}
            except Exception as e:
                r = err(e)
            out[f"lin_{pad}_{comb}"] = r
    # DNN with an indicator column of padded ids (-1 padding dropped), constant initializers not
    # available: warm start from TF's initial checkpoint.
    ids = fc.categorical_column_with_identity("ids", 6)
    dcols = [fc.numeric_column("x"), fc.indicator_column(ids)]
    init = os.path.join(INIT_ROOT, "gen_dnn")
    fn = make(-1)
    if is_tf(tf) and not os.path.exists(os.path.join(init, "checkpoint")):
        tf.estimator.DNNClassifier([3], dcols, model_dir=init, optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.0),
                                   config=tf.estimator.RunConfig(tf_random_seed=2)).train(fn, steps=1)
    dnn = tf.estimator.DNNClassifier([3], dcols, model_dir=os.path.join(tmp, "dnn"), warm_start_from=init,
                                     optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.2))
    dnn.train(fn, steps=5)
    out["dnn_eval"] = dnn.evaluate(fn)
    out["dnn_vars"] = all_vars(dnn)
    return out
