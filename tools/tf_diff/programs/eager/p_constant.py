"""tf.constant / tf.convert_to_tensor: dtypes, shapes and values of what they return,
bytes kept whole (trailing NULs), str encoded as UTF-8, empty lists with a dtype, what
.numpy() gives (a copy; a numpy scalar or bytes for shape ()), indexing and iteration,
repr/str, the errors, and DType equality with numpy dtypes."""
import numpy as np


def type_name(value) -> str:
    # numpy scalar types by dtype name: numpy 2 renamed bool_ and prints np.float32(1.5)
    return np.dtype(type(value)).name if isinstance(value, np.generic) else type(value).__name__


def describe(t):
    """Known difference: a string EagerTensor's .dtype is numpy's object dtype (TF: tf.string),
    so "dtype" compares as_dtype(t.dtype).name, and t.dtype.name is reported apart."""
    value = t.numpy()
    out = {"type": type(t).__name__, "shape": list(t.shape),
           "dtype": t.dtype.name if t.dtype.name != "object" else "string",
           "numpy_type": type_name(value)}
    if isinstance(value, np.ndarray):
        out["numpy_dtype"] = str(value.dtype)
        out["value"] = [repr(v) for v in value.reshape(-1).tolist()]
    else:
        out["value"] = repr(value.item() if isinstance(value, np.generic) else value)
    return out


def attempt(function):
    try:
        return describe(function())
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


def main(tf):
    out = {}
    cases = {
        "bytes_nul": lambda: tf.constant([b"a\x00", b"b", b"\x00\x00"]),
        "bytes_scalar_nul": lambda: tf.constant(b"x\x00"),
        "str_utf8": lambda: tf.constant(["\u00e9t\u00e9", "b"]),
        "str_scalar": lambda: tf.constant("abc"),
        "bytes_and_str": lambda: tf.constant([b"a\x00", "b"]),
        "nested_bytes": lambda: tf.constant([[b"a\x00", b""], [b"c", b"\x00"]]),
        "tuple_bytes": lambda: tf.constant((b"a", b"b\x00")),
        "np_S": lambda: tf.constant(np.array([b"a", b"bc"])),
        "np_U": lambda: tf.constant(np.array(["a", "bc"])),
        "np_object": lambda: tf.constant(np.array([b"a\x00", "b"], dtype=object)),
        "np_str_scalar": lambda: tf.constant(np.str_("ab")),
        "empty_string": lambda: tf.constant([], dtype=tf.string),
        "empty_string_2d": lambda: tf.constant([[]], dtype=tf.string),
        "empty_int64": lambda: tf.constant([], dtype=tf.int64),
        "empty_bool": lambda: tf.constant([], dtype=tf.bool),
        "empty": lambda: tf.constant([]),
        "empty_shape": lambda: tf.constant([], shape=[0, 3]),
        "float": lambda: tf.constant(1.5),
        "floats": lambda: tf.constant([1.5, 2.0]),
        "ints": lambda: tf.constant([1, 2]),
        "big_ints": lambda: tf.constant([1, 2 ** 40]),
        "bools": lambda: tf.constant([True, False]),
        "np_f64": lambda: tf.constant(np.array([0.1, 0.2])),
        "np_i64_scalar": lambda: tf.constant(np.int64(3)),
        "np_f64_scalar": lambda: tf.constant(np.float64(3.0)),
        "dtype_f64": lambda: tf.constant([1, 2], dtype=tf.float64),
        "dtype_name": lambda: tf.constant([1, 2], dtype="int64"),
        "dtype_np": lambda: tf.constant([1, 2], dtype=np.float32),
        "np_cast": lambda: tf.constant(np.array([1.7, -1.7]), dtype=tf.int32),
        "bool_to_int": lambda: tf.constant(True, dtype=tf.int32),
        "fill_shape": lambda: tf.constant(0.5, shape=[2, 3]),
        "fill_bytes": lambda: tf.constant(b"a\x00", shape=[2]),
        "reshape_shape": lambda: tf.constant([1, 2, 3, 4], shape=[2, 2]),
        "strings_shape": lambda: tf.constant(["a", "b"], shape=[2, 1]),
        "from_tensor": lambda: tf.constant(tf.constant([1, 2])),
        "from_tensor_same_dtype": lambda: tf.constant(tf.constant([1, 2]), dtype=tf.int32),
        "ctt_list": lambda: tf.convert_to_tensor([1.0, 2.0]),
        "ctt_bytes": lambda: tf.convert_to_tensor([b"a\x00"]),
        "ctt_np": lambda: tf.convert_to_tensor(np.array([1, 2], np.int16)),
        "ctt_np_dtype": lambda: tf.convert_to_tensor(np.array([1.5, 2.5], np.float32),
                                                     dtype=tf.int32),
        "ctt_hint_np": lambda: tf.convert_to_tensor(np.array([1.5, 2.5], np.float32),
                                                    dtype_hint=tf.int32),
        "ctt_hint_float": lambda: tf.convert_to_tensor([1.5], dtype_hint=tf.int32),
        "ctt_hint_int": lambda: tf.convert_to_tensor([1], dtype_hint=tf.float32),
        "ctt_hint_str": lambda: tf.convert_to_tensor(["a"], dtype_hint=tf.float32),
        "ctt_hint_tensor": lambda: tf.convert_to_tensor(tf.constant([1, 2]),
                                                        dtype_hint=tf.float32),
        "ctt_tensor_same": lambda: tf.convert_to_tensor(tf.constant([1.0]), dtype=tf.float32),
        "bytearray": lambda: tf.constant(bytearray(b"ab")),
        # errors
        "err_none": lambda: tf.constant(None),
        "err_ctt_none": lambda: tf.convert_to_tensor(None),
        "err_ragged": lambda: tf.constant([[b"a"], [b"b", b"c"]]),
        "err_ragged_numbers": lambda: tf.constant([[1], [2, 3]]),
        "err_mixed": lambda: tf.constant(["a", 1]),
        "err_str_for_int": lambda: tf.constant(["a"], dtype=tf.int64),
        "err_int_for_str": lambda: tf.constant([1], dtype=tf.string),
        "err_float_for_int": lambda: tf.constant([1.5], dtype=tf.int32),
        "err_int_for_bool": lambda: tf.constant(1, dtype=tf.bool),
        "err_shape": lambda: tf.constant([1, 2, 3], shape=[2]),
        "err_tensor_dtype": lambda: tf.constant(tf.constant([1, 2]), dtype=tf.int64),
        "err_ctt_tensor_dtype": lambda: tf.convert_to_tensor(tf.constant([1, 2]),
                                                             dtype=tf.float32),
    }
    for name, function in cases.items():
        out[name] = attempt(function)

    # .numpy() is a copy; 0-d gives a numpy scalar (bytes for a string)
    t = tf.constant([1.0, 2.0])
    copy = t.numpy()
    copy[0] = 9.0
    out["numpy_is_copy"] = t.numpy()
    out["numpy_scalar_types"] = [type_name(tf.constant(v).numpy())
                                 for v in (1.5, 3, True, b"a", "b", np.float64(2.0))]
    # indexing and iteration give 0-d tensors
    out["index"] = describe(t[1])
    out["iterate"] = [describe(v) for v in tf.constant([[1, 2], [3, 4]])]
    out["iterate_flat"] = [describe(v) for v in tf.constant([5, 6])]
    out["float_of_index"] = float(t[0])
    out["slice"] = describe(t[0:1])
    out["len"] = len(t)
    # repr and str
    values = [tf.constant(1.5), tf.constant(3), tf.constant(True), tf.constant(b"a\x00"),
              tf.constant([b"a", b"b"]), tf.constant([[1.0, 2.0], [3.0, 4.0]]),
              tf.constant([]), tf.constant([], dtype=tf.string), tf.constant(np.float64(2.0)),
              tf.constant([1, 2], dtype=tf.int64), tf.constant([[0.25, 0.75]])]
    out["repr"] = [repr(v) for v in values]
    out["str"] = [str(v) for v in values]
    # DType equality, as TensorFlow's DType.__eq__ (as_dtype of the other side)
    f = tf.constant([1.0])
    out["string_dtype_name"] = tf.constant([b"a"]).dtype.name  # known: TF string, cannery object
    out["dtype_eq"] = {
        "tensor_dtype_eq_float32": bool(f.dtype == tf.float32),
        "tensor_dtype_ne_float32": bool(f.dtype != tf.float32),
        "tensor_dtype_eq_float64": bool(f.dtype == tf.float64),
        "np_dtype_eq": bool(np.dtype("float32") == tf.float32),
        "np_dtype_ne": bool(np.dtype("float32") != tf.float32),
        "eq_np_type": bool(tf.float32 == np.float32),
        "np_type_eq": bool(np.float32 == tf.float32),
        "eq_np_dtype": bool(tf.float32 == np.dtype("float32")),
        "ne_np_dtype": bool(tf.float32 != np.dtype("float64")),
        "eq_name": bool(tf.float32 == "float32"),
        "eq_alias": bool(tf.float32 == "float"),
        "eq_double": bool(tf.float64 == "double"),
        "eq_enum": bool(tf.float32 == 1),
        "eq_enum_string": bool(tf.string == 7),
        "eq_enum_int64": bool(tf.int64 == 9),
        "eq_python_float": bool(tf.float32 == float),
        "eq_python_int": bool(tf.int64 == int),
        "eq_python_bool": bool(tf.bool == bool),
        "eq_object": bool(tf.string == object),
        "eq_str_type": bool(tf.string == str),
        "eq_np_object": bool(tf.string == np.dtype(object)),
        "eq_np_U": bool(tf.string == np.dtype("U3")),
        "eq_np_S": bool(tf.string == np.dtype("S3")),
        "eq_array": bool(tf.float32 == np.zeros(2, np.float32)),
        "eq_none": bool(tf.float32 == None),  # noqa: E711
        "eq_bad_name": bool(tf.float32 == "floaty"),
        "eq_list": bool(tf.float32 == [1.0]),
        "int64_eq_int32": bool(tf.int64 == tf.int32),
        "in_tuple": bool(np.dtype("int64") in (tf.int32, tf.int64)),
        "string_tensor_dtype_eq": bool(tf.constant([b"a"]).dtype == tf.string),
        "int_tensor_dtype_eq": bool(tf.constant([1]).dtype == tf.int32),
        "hash_same": hash(tf.float32) == hash(tf.as_dtype("float32")),
        "dict_key": {tf.float32: "f", tf.int64: "i"}[tf.as_dtype(np.float32)],
        "set_size": len({tf.float32, tf.as_dtype("float32"), tf.as_dtype(np.float32),
                         tf.int64}),
    }
    return out
