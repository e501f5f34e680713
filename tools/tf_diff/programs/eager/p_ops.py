"""The tf.math and top-level tensor functions given EagerTensors, numpy arrays and Python
values: which dtype wins (the first EagerTensor's for the generated ops, x's for tf.add and
the divisions), the kernel errors for two tensors of different dtypes, strings through
reshape/concat/stack/where/equal (bytes kept whole), zeros_like/ones_like of strings,
reductions to 0-d tensors, cast of Python values, and that every result is an
EagerTensor with .numpy()."""
import numpy as np


def describe(t):
    value = t.numpy()
    out = {"type": type(t).__name__, "shape": list(t.shape),
           "dtype": t.dtype.name if t.dtype.name != "object" else "string"}
    if isinstance(value, np.ndarray):
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
    i64 = np.array([1, 2])
    f32 = np.array([1.5, 2.5], np.float32)
    ti64 = tf.constant(i64)
    tf32 = tf.constant(f32)
    out = {}
    for name in ["add", "subtract", "multiply", "maximum", "minimum", "pow", "floordiv",
                 "squared_difference", "equal", "not_equal", "greater", "greater_equal",
                 "less", "less_equal", "truediv", "divide", "divide_no_nan"]:
        function = getattr(tf.math, name)
        out[name] = {
            "tensors": attempt(lambda: function(ti64, tf32)),
            "tensors_rev": attempt(lambda: function(tf32, ti64)),
            "np_tensor": attempt(lambda: function(i64, tf32)),
            "tensor_np": attempt(lambda: function(tf32, i64)),
            "np_np": attempt(lambda: function(i64, f32)),
            "tensor_float": attempt(lambda: function(ti64, 1.5)),
            "float_tensor": attempt(lambda: function(1.5, ti64)),
            "int_tensor": attempt(lambda: function(3, tf32)),
            "tensor_int": attempt(lambda: function(tf32, 2)),
            "np_float": attempt(lambda: function(i64, 2.0)),
            "same": attempt(lambda: function(tf32, tf32)),
        }
    b = tf.constant([True, False])
    out["logical_and"] = attempt(lambda: tf.math.logical_and(b, tf.constant([1, 0])))
    out["logical_or"] = attempt(lambda: tf.math.logical_or(b, [True, True]))
    out["logical_not"] = attempt(lambda: tf.math.logical_not(b))
    # where
    out["where_tensors"] = attempt(lambda: tf.where([True, False], tf32, ti64))
    out["where_np_tensor"] = attempt(lambda: tf.where([True, False], f32, ti64))
    out["where_np"] = attempt(lambda: tf.where([True, False], i64, f32))
    out["where_int_condition"] = attempt(lambda: tf.where([1, 0], f32, f32))
    out["where_tensor_int_condition"] = attempt(lambda: tf.where(tf.constant([1, 0]), f32, f32))
    out["where_bytes"] = attempt(lambda: tf.where([True, False], [b"a\x00", b"b"],
                                                  [b"c", b"d\x00"]))
    out["where_one"] = attempt(lambda: tf.where([[True, False], [False, True]]))
    out["where_numbers"] = attempt(lambda: tf.where([0, 3, 0, 1]))
    # clip_by_value: minimum with the upper bound first, then maximum
    out["clip"] = attempt(lambda: tf.clip_by_value(tf32, 2.0, 2.2))
    out["clip_tensor_low"] = attempt(lambda: tf.clip_by_value(tf32, ti64, 3))
    out["clip_tensor_high"] = attempt(lambda: tf.clip_by_value(f32, 0, ti64))
    out["clip_int_float"] = attempt(lambda: tf.clip_by_value(ti64, 0, 1.5))
    # concat / stack
    out["concat_np_tensor"] = attempt(lambda: tf.concat([f32, ti64], 0))
    out["concat_three"] = attempt(lambda: tf.concat([f32, ti64, tf32], 0))
    out["concat_tensors"] = attempt(lambda: tf.concat([ti64, tf32], 0))
    out["concat_python"] = attempt(lambda: tf.concat([[1.5], [2]], 0))
    out["concat_python_bad"] = attempt(lambda: tf.concat([[1], [2.5]], 0))
    out["concat_bytes"] = attempt(lambda: tf.concat([[b"a\x00"], [b"b"]], 0))
    out["stack_tensors"] = attempt(lambda: tf.stack([tf32, ti64], 0))
    out["stack_np_tensor"] = attempt(lambda: tf.stack([f32, ti64], 1))
    out["stack_bytes"] = attempt(lambda: tf.stack([b"a\x00", b"b"]))
    # shape functions on strings keep bytes whole
    out["reshape_bytes"] = attempt(lambda: tf.reshape([b"a\x00", b"b"], [2, 1]))
    out["expand_bytes"] = attempt(lambda: tf.expand_dims([b"a\x00"], -1))
    out["squeeze_bytes"] = attempt(lambda: tf.squeeze([[b"a\x00"]]))
    out["squeeze_scalar"] = attempt(lambda: tf.squeeze([[1.0]]))
    out["equal_bytes"] = attempt(lambda: tf.equal([b"a\x00", b"b"], [b"a", b"b"]))
    out["equal_bytes_scalar"] = attempt(lambda: tf.equal([b"a\x00", b"b"], b"a\x00"))
    out["equal_str_number"] = attempt(lambda: tf.equal(["a"], [1]))
    out["add_strings"] = attempt(lambda: tf.add(["a"], [b"b\x00"]))
    out["zeros_like_bytes"] = attempt(lambda: tf.zeros_like([b"a"]))
    out["zeros_like_dtype_string"] = attempt(lambda: tf.zeros_like([1.5], dtype=tf.string))
    out["zeros_like_tensor"] = attempt(lambda: tf.zeros_like(tf32))
    out["ones_like_bytes"] = attempt(lambda: tf.ones_like([b"a"]))
    out["ones_like_bool"] = attempt(lambda: tf.ones_like([True]))
    out["ones_like_dtype"] = attempt(lambda: tf.ones_like(ti64, dtype=tf.float32))
    # reductions: 0-d tensors
    out["reduce_sum"] = attempt(lambda: tf.reduce_sum(tf32))
    out["reduce_sum_list"] = attempt(lambda: tf.reduce_sum([1.0, 2.0]))
    out["reduce_mean_int"] = attempt(lambda: tf.reduce_mean(tf.constant([1, 2])))
    out["reduce_max_axis"] = attempt(lambda: tf.reduce_max(tf.constant([[1, 5], [3, 2]]), 1))
    out["reduce_min_keep"] = attempt(lambda: tf.reduce_min([[1.0, 5.0]], axis=[1], keepdims=True))
    out["reduce_sum_strings"] = attempt(lambda: tf.reduce_sum(["a"]))
    # cast: a Python float is float32 first
    out["cast_list_f64"] = attempt(lambda: tf.cast([0.1], tf.float64))
    out["cast_tensor"] = attempt(lambda: tf.cast(tf32, tf.int32))
    out["cast_bool"] = attempt(lambda: tf.cast([0.0, 2.0], tf.bool))
    out["cast_string_string"] = attempt(lambda: tf.cast([b"a\x00"], tf.string))
    out["cast_string_float"] = attempt(lambda: tf.cast(["1"], tf.float32))
    # unary functions
    out["sqrt_tensor"] = attempt(lambda: tf.sqrt(tf.constant([4.0, 9.0])))
    out["square_int"] = attempt(lambda: tf.square(ti64))
    out["abs"] = attempt(lambda: tf.abs(tf.constant([-1, 2])))
    out["sign"] = attempt(lambda: tf.math.sign(tf32))
    out["log1p_scalar"] = attempt(lambda: tf.math.log1p(0.0))
    out["sigmoid_scalar"] = attempt(lambda: tf.sigmoid(tf.constant(0.0)))
    return out
