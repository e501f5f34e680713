"""Text-ish input_fn: TFRecord lines of words -> shard -> sample_from_datasets(seed) ->
tf.strings.split / to_sparse in map -> padded_batch of strings ("" padding) -> vocabulary column;
py_function with a list Tout; generator and py-function errors."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from common4 import *

SENTS = [b"good movie", b"bad film", b"very good film", b"bad", b"not good", b"good good",
         b"very bad movie", b"film", b"not bad", b"good"]

def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    out = {}
    p = os.path.join(tmp, "text.tfrecord")
    with tf.io.TFRecordWriter(p) as w:
        for i, s in enumerate(SENTS):
            w.write(tf.train.Example(features=tf.train.Features(feature={
                "text": tf.train.Feature(bytes_list=tf.train.BytesList(value=[s])),
                "y": tf.train.Feature(float_list=tf.train.FloatList(value=[float(b"good" in s)]))})).SerializeToString())
    spec = {"text": tf.io.FixedLenFeature([], tf.string), "y": tf.io.FixedLenFeature([], tf.float32)}

    def parse(r):
        f = tf.io.parse_single_example(r, spec)
        return f, f.pop("y")

    def toks(f, y):
        f = dict(f)
        f["words"] = tf.strings.split(f["text"])
        f["nw"] = tf.py_function(lambda t: float(len(t.numpy().split())), [f["text"]], tf.float32)
        return f, y

    base = tf.data.TFRecordDataset(p).map(parse)
    out["shard"] = [[f["text"].numpy() for f, _ in base.shard(3, i)] for i in range(3)]
    a, b = base.shard(2, 0), base.shard(2, 1)
    mixed = tf.data.Dataset.sample_from_datasets([a, b], weights=[0.3, 0.7], seed=5)
    out["mixed"] = [f["text"].numpy() for f, _ in mixed]
    mixed2 = tf.data.Dataset.sample_from_datasets([a, b], seed=5, stop_on_empty_dataset=True)
    out["mixed_stop"] = [f["text"].numpy() for f, _ in mixed2]
    ch = tf.data.Dataset.choose_from_datasets([a, b], tf.data.Dataset.from_tensor_slices(tf.constant([1, 0, 1, 1, 0], tf.int64)))
    out["choose"] = [f["text"].numpy() for f, _ in ch]

    words = base.map(toks)
    out["words_spec"] = spec_str(words.element_spec)
    out["words0"] = [f["words"].numpy() for f, _ in words.take(3)]
    def pb_fn():
        return tf.data.TFRecordDataset(p).map(parse).map(toks).map(lambda f, y: ({"words": f["words"], "nw": f["nw"]}, y)).padded_batch(
            4, padded_shapes=({"words": [4], "nw": []}, []), padding_values=({"words": "", "nw": 0.0}, 0.0))
    pb = pb_fn()
    out["pb_spec"] = spec_str(pb.element_spec)
    out["pb"] = [{"w": f["words"].numpy(), "nw": f["nw"].numpy(), "y": y.numpy()} for f, y in pb]
    # the harness shows bytes and str alike: compare the Python types of string values
    out["pb_types"] = sorted({type(v).__name__ for f, _ in pb for v in f["words"].numpy().ravel()})
    txt = tf.data.Dataset.from_tensor_slices(np.array([["good", "film"], ["bad", ""]])).padded_batch(2, padded_shapes=[3])
    out["pb_text_types"] = sorted({type(v).__name__ for b in txt for v in b.numpy().ravel()})

    vocab = fc.categorical_column_with_vocabulary_list("words", ["good", "bad", "very", "not", "movie", "film"])
    cols = [vocab, fc.numeric_column("nw")]
    est = tf.estimator.LinearRegressor(cols, model_dir=os.path.join(tmp, "lin"), sparse_combiner="mean",
                                       optimizer=lambda: tf.keras.optimizers.legacy.Adagrad(0.3))
    est.train(lambda: pb_fn().repeat(), steps=6)
    out["eval"] = est.evaluate(pb_fn)
    out["vars"] = all_vars(est)
    out["pred"] = [p["predictions"] for p in est.predict(lambda: pb_fn().map(lambda f, y: f))]

    # a map returning two values via py_function with a list Tout
    two = base.map(lambda f, y: tuple(tf.py_function(lambda t, yy: (tf.strings.length(t), yy * 2.0),
                                                     [f["text"], y], [tf.int32, tf.float32])))
    out["two"] = [[a.numpy(), b.numpy()] for a, b in two.take(3)]
    out["two_spec"] = spec_str(two.element_spec)

    errs = {}
    def gen_bad():
        yield np.array([1.5], np.float32)
    def gen_shape():
        yield np.array([1, 2], np.int64)
    def gen_raise():
        yield np.int64(1)
        raise RuntimeError("boom")
    cases = {
        "gen_dtype": lambda: list(tf.data.Dataset.from_generator(gen_bad, output_signature=tf.TensorSpec([1], tf.int64))),
        "gen_shape": lambda: list(tf.data.Dataset.from_generator(gen_shape, output_signature=tf.TensorSpec([3], tf.int64))),
        "gen_raise": lambda: list(tf.data.Dataset.from_generator(gen_raise, output_signature=tf.TensorSpec([], tf.int64))),
        "py_raise": lambda: list(tf.data.Dataset.range(2).map(lambda x: tf.py_function(lambda v: 1 / 0, [x], tf.float32))),
        "np_dtype": lambda: list(tf.data.Dataset.range(2).map(lambda x: tf.numpy_function(lambda v: v, [x], tf.float32))),
        "gen_cast": lambda: list(tf.data.Dataset.from_generator(lambda: iter([[1, 2], [3, 4]]), output_signature=tf.TensorSpec([None], tf.float32))),
        "gen_struct": lambda: list(tf.data.Dataset.from_generator(lambda: iter([(1, 2)]), output_signature=tf.TensorSpec([], tf.int64))),
        "gen_str_to_int": lambda: list(tf.data.Dataset.from_generator(lambda: iter(["x"]), output_signature=tf.TensorSpec([], tf.int64))),
        "gen_no_sig": lambda: tf.data.Dataset.from_generator(gen_bad),
    }
    for k, f in cases.items():
        try:
            r = f()
            errs[k] = (["ok"] + [[np.asarray(x).tolist(), x.dtype.name] for x in r]
                       if isinstance(r, list) else "ok " + type(r).__name__)
        except Exception as e:
            errs[k] = type(e).__name__
    out["errors"] = errs
    return out
