"""SparseTensor parts are eager tensors: parse_example's VarLenFeature output and
tf.SparseTensor built from Python lists, numpy arrays and tf.constant values (the dtypes
convert_to_tensor gives, .numpy() on each part, repr), tf.cast of a SparseTensor, and
tf.sparse.to_dense / from_dense round trips.

Known difference (cannery/sparse.py, not this area): tf.sparse.to_dense returns a plain
numpy array, so its .numpy() fails (2 differences)."""
import numpy as np


def parts(sparse):
    return {name: {"type": type(getattr(sparse, name)).__name__,
                   "numpy": getattr(sparse, name).numpy(),
                   "dtype": getattr(sparse, name).dtype.name
                   if getattr(sparse, name).dtype.name != "object" else "string",
                   "shape": list(getattr(sparse, name).shape)}
            for name in ("indices", "values", "dense_shape")}


def attempt(function):
    try:
        return function()
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


def main(tf):
    out = {}
    records = []
    for words, numbers in (([b"a\x00", b"b"], [1, 2, 3]), ([], [0]), ([b"\x00"], [])):
        example = tf.train.Example()
        example.features.feature["s"].bytes_list.value.extend(words)
        example.features.feature["n"].int64_list.value.extend(numbers)
        records.append(example.SerializeToString())
    spec = {"s": tf.io.VarLenFeature(tf.string), "n": tf.io.VarLenFeature(tf.int64)}
    parsed = tf.io.parse_example(tf.constant(records), spec)
    out["parsed"] = {key: parts(parsed[key]) for key in sorted(parsed)}
    out["parsed_repr"] = repr(parsed["n"])
    single = tf.io.parse_single_example(records[0], spec)
    out["single"] = {key: parts(single[key]) for key in sorted(single)}
    out["built"] = {
        "python_ints": parts(tf.SparseTensor([[0, 0], [1, 1]], [1, 2], [2, 2])),
        "python_floats": parts(tf.SparseTensor([[0, 0]], [1.5], [2, 2])),
        "python_text": parts(tf.SparseTensor([[0, 0], [0, 1]], ["a\x00", b"b\x00"], [1, 2])),
        "numpy": parts(tf.SparseTensor(np.array([[0, 0]]), np.array([7]), np.array([1, 1]))),
        "constants": parts(tf.SparseTensor(tf.constant([[0, 1]], dtype=tf.int64),
                                           tf.constant([2.5]),
                                           tf.constant([1, 3], dtype=tf.int64))),
    }
    out["built_repr"] = repr(tf.SparseTensor([[0, 0], [1, 1]], [1, 2], [2, 2]))
    sparse = tf.SparseTensor([[0, 0], [1, 2]], [1.5, -2.0], [2, 3])
    out["shape"] = list(sparse.shape)
    out["cast"] = attempt(lambda: parts(tf.cast(sparse, tf.int64)))
    out["to_dense"] = attempt(lambda: tf.sparse.to_dense(sparse).numpy())
    out["to_dense_strings"] = attempt(
        lambda: tf.sparse.to_dense(parsed["s"]).numpy())
    out["from_dense"] = attempt(lambda: parts(tf.sparse.from_dense(
        tf.constant([[0, 3], [4, 0]]))))
    return out
