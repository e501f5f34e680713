"""Helpers shared by the tfrecord programs: run a call and describe its result or error
with the temp directory and TensorFlow's eager wrapper taken out of the message."""
import os
import re


def norm(text, d):
    text = str(text).replace(d, "<D>")
    text = re.sub(r"^\{\{function_node [^}]*\}\} ", "", text)
    text = re.sub(r" \[Op:[A-Za-z0-9]+\]( name: .*)?$", "", text)
    text = re.sub(r" \(file <D>[^)]*\)$", "", text)  # cannery names the file
    return text


def attempt(fn, d):
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {norm(e, d)}"
    return value


def tmpdir():
    return os.environ["TMPDIR_PROG"]


def make_batched(tf):
    """tf.data.experimental.make_batched_features_dataset (cannery's from its module
    until cannery.data.experimental re-exports it)."""
    fn = getattr(tf.data.experimental, "make_batched_features_dataset", None)
    if fn is None:
        from cannery.data._tfrecord import make_batched_features_dataset as fn
    return fn


def parse_example_dataset(tf):
    fn = getattr(tf.data.experimental, "parse_example_dataset", None)
    if fn is None:
        from cannery.data._tfrecord import parse_example_dataset as fn
    return fn


def plain(value):
    """A batch's nest with SparseTensors as dicts of their parts."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if hasattr(value, "dense_shape"):
        return {"indices": value.indices, "values": value.values,
                "dense_shape": value.dense_shape}
    return value


def example(tf, **features):
    """A serialized tf.train.Example of lists: float (x), int (ints), bytes (strings)."""
    feats = {}
    for key, values in features.items():
        if all(isinstance(v, float) for v in values) and values:
            feats[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        elif all(isinstance(v, int) for v in values):
            feats[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        else:
            feats[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()


def write_examples(tf, d, n_files=3, sizes=(7, 4, 6), compression=None, prefix="part"):
    """Files of Examples with x (float), i ([1] int64), s (bytes), v (0-3 int64s) and label;
    returns the glob pattern."""
    k = 0
    for f in range(n_files):
        path = os.path.join(d, f"{prefix}-{f:02d}.tfr")
        with tf.io.TFRecordWriter(path, compression) as w:
            for _ in range(sizes[f]):
                w.write(example(tf, x=[k * 0.5 - 2.0], i=[k % 5], s=[b"s%d" % (k % 3)],
                                v=list(range(k % 4)), label=[k % 2]))
                k += 1
    return os.path.join(d, f"{prefix}-*.tfr")
