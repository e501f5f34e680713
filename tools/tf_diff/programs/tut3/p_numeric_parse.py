"""Numeric columns with shape=[3] / (2, 2), default_value, dtype=tf.int64 and
normalizer_fn lambdas made of tf.math functions, a bucketized column of a shaped numeric
and a cross of it, fed two ways: serialized tf.train.Examples (some features missing, so
default values apply) parsed with make_parse_example_spec in a Dataset.map, and numpy
dicts. DenseFeatures shows the transformed inputs; LinearRegressor(label_dimension=2) and
a DNNClassifier warm-started from TF's weights train, evaluate and predict; then errors."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, init_dir, md, meta, sgd0, err  # noqa: E402


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(5)
    n = 24
    v3 = rng.normal(size=(n, 3)).astype(np.float32)
    m22 = rng.normal(size=(n, 2, 2)).astype(np.float32)
    cnt = rng.integers(0, 50, n).astype(np.int64)
    amt = rng.uniform(-3, 3, n).astype(np.float32)
    city = rng.choice(["x", "y", "z"], n)
    lab = rng.integers(0, 2, n)
    y2 = rng.normal(size=(n, 2)).astype(np.float32)

    def example(i):
        f = {"v3": tf.train.Feature(float_list=tf.train.FloatList(value=v3[i])),
             "m22": tf.train.Feature(float_list=tf.train.FloatList(value=m22[i].reshape(-1))),
             "city": tf.train.Feature(bytes_list=tf.train.BytesList(value=[city[i].encode()]))}
        if i % 3:  # every third example misses cnt and amt: their default values apply
            f["cnt"] = tf.train.Feature(int64_list=tf.train.Int64List(value=[cnt[i]]))
            f["amt"] = tf.train.Feature(float_list=tf.train.FloatList(value=[amt[i]]))
        return tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString()

    records = [example(i) for i in range(n)]
    v3_col = fc.numeric_column("v3", shape=[3], normalizer_fn=lambda x: tf.math.tanh(x) * 2.0)
    m22_col = fc.numeric_column("m22", shape=(2, 2), default_value=[[0.0, 1.0], [2.0, 3.0]],
                                normalizer_fn=lambda x: tf.clip_by_value(x, -1.0, 1.0))
    cnt_col = fc.numeric_column("cnt", dtype=tf.int64, default_value=7,
                                normalizer_fn=lambda x: tf.math.log1p(tf.cast(x, tf.float32)))
    amt_col = fc.numeric_column("amt", default_value=-1.5,
                                normalizer_fn=lambda x: tf.math.sqrt(tf.math.abs(x)) * tf.math.sign(x))
    v3_b = fc.bucketized_column(fc.numeric_column("v3", shape=[3]), boundaries=[-0.5, 0.0, 0.5])
    city_c = fc.categorical_column_with_vocabulary_list("city", ["x", "y"])
    cross = fc.crossed_column([v3_b, city_c], hash_bucket_size=7)
    lin_cols = [v3_col, m22_col, cnt_col, amt_col, v3_b, city_c, cross]
    dnn_cols = [v3_col, m22_col, cnt_col, amt_col, v3_b, fc.indicator_column(city_c)]
    spec = fc.make_parse_example_spec(lin_cols + dnn_cols)

    def parsed(labels, bs=8):
        def input_fn():
            ds = tf.data.Dataset.from_tensor_slices((records, labels)).batch(bs)
            return ds.map(lambda r, y: (tf.io.parse_example(r, spec), y))
        return input_fn

    def numpy_feats():
        return {"v3": v3, "m22": m22, "cnt": cnt, "amt": amt, "city": city}

    def np_inp(labels, bs=8):
        return lambda: tf.data.Dataset.from_tensor_slices((numpy_feats(), labels)).batch(bs)

    out = {"spec": {k: [type(s).__name__, s.dtype.name, list(getattr(s, "shape", [-1])),
                        np.asarray(getattr(s, "default_value", None)).tolist()]
                    for k, s in sorted(spec.items())}}
    # the transformed inputs as a model sees them
    batch = tf.io.parse_example(records[:4], spec)
    out["parsed"] = {k: [batch[k].indices, batch[k].values, batch[k].dense_shape]
                     if isinstance(batch[k], tf.sparse.SparseTensor) else batch[k] for k in sorted(batch)}
    out["dense"] = {c.name: tf.keras.layers.DenseFeatures([c])(batch) for c in dnn_cols}
    out["dense_np"] = tf.keras.layers.DenseFeatures(dnn_cols)(
        {k: v[:4] for k, v in numpy_feats().items()})

    for route, make_inp in [("parsed", parsed), ("numpy", np_inp)]:
        est = tf.estimator.LinearRegressor(lin_cols, label_dimension=2, model_dir=md("lin_" + route),
                                           optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.05))
        est.train(make_inp(y2), steps=3)
        ev = est.evaluate(make_inp(y2))
        preds = list(est.predict(lambda: make_inp(y2)().map(lambda f, y: f)))
        out["lin_" + route] = {"vars": all_vars(est), "eval": ev, "eval_meta": meta(ev),
                               "pred": preds[::5], "pred_meta": meta(preds[0])}
    init = init_dir(tf, "numparse_dnn", lambda d: tf.estimator.DNNClassifier(
        [5, 3], dnn_cols, model_dir=d, optimizer=sgd0(tf),
        config=tf.estimator.RunConfig(tf_random_seed=2)), parsed(lab))
    for route, make_inp in [("parsed", parsed), ("numpy", np_inp)]:
        est = tf.estimator.DNNClassifier([5, 3], dnn_cols, model_dir=md("dnn_" + route), warm_start_from=init,
                                         optimizer=lambda: tf.keras.optimizers.legacy.Adagrad(0.1))
        est.train(make_inp(lab), steps=3)
        ev = est.evaluate(make_inp(lab))
        preds = list(est.predict(lambda: make_inp(lab)().map(lambda f, y: f)))
        out["dnn_" + route] = {"vars": all_vars(est), "eval": ev, "pred": preds[::5]}
    bad = dict(numpy_feats(), m22=rng.normal(size=(n, 3)).astype(np.float32))
    out["errors"] = {
        "default_shape": err(lambda: fc.numeric_column("m", shape=(2, 2), default_value=[1.0, 2.0, 3.0])),
        "string_dtype": err(lambda: fc.numeric_column("m", dtype=tf.string)),
        "normalizer_not_callable": err(lambda: fc.numeric_column("m", normalizer_fn=3)),
        "shape_zero": err(lambda: fc.numeric_column("m", shape=(2, 0))),
        "bucket_unsorted": err(lambda: fc.bucketized_column(fc.numeric_column("v3", shape=[3]), [0.0, -1.0])),
        "bucket_of_cat": err(lambda: fc.bucketized_column(city_c, [0.0])),
        "fed_wrong_shape": err(lambda: tf.estimator.LinearRegressor(
            [m22_col], label_dimension=2, model_dir=md("bad")).train(
                lambda: tf.data.Dataset.from_tensor_slices((bad, y2)).batch(8), steps=1)),
        "int_default_for_float": err(lambda: fc.numeric_column("q", default_value=3)),
        "float_default_for_int": err(lambda: fc.numeric_column("q", dtype=tf.int64, default_value=1.5)),
    }
    return out
