"""tf.py_function / tf.numpy_function (what func receives, how results convert, errors)
and tf.Variable (cannery/ops.py, cannery/variables.py)."""
import numpy as np

from _common import attempt, val


def variable_story(tf):
    v = tf.Variable([1., 2.], name="v")
    out = {"repr": repr(v), "str": str(v), "name": v.name, "dtype": repr(v.dtype),
           "shape": repr(v.shape), "trainable": v.trainable, "device": v.device}
    v.assign_add([1., 1.])
    out["after_add"] = val(v.value())
    out["numpy"] = v.numpy()
    out["plus"] = val(v + 1)
    out["rplus"] = val(1 + v)
    out["times"] = val(v * v)
    out["div"] = val(v / 2)
    out["rsub"] = val(10 - v)
    out["pow"] = val(v ** 2)
    out["tf_add"] = val(tf.add(v, 1.))
    out["index"] = val(v[0])
    out["assign"] = val(v.assign([5., 6.]).read_value())
    out["int"] = repr(tf.Variable(3))
    out["f64"] = repr(tf.Variable(3, dtype=tf.float64))
    out["f64_value"] = val(tf.Variable(0.1, dtype=tf.float64).value())
    out["bad_shape"] = attempt(lambda: v.assign([1, 2, 3]))
    out["bad_float_for_int"] = attempt(lambda: tf.Variable([1, 2]).assign([1.5, 2.0]))
    out["bad_tensor_dtype"] = attempt(lambda: v.assign(tf.constant([1, 2])))
    out["ints_to_float"] = attempt(lambda: v.assign([1, 2]))
    out["sub_noread"] = repr(v.assign_sub(tf.constant([1., 1.]), read_value=False))
    out["asarray"] = np.asarray(v)
    out["np_plus"] = val(np.array([1., 1.], np.float32) + v)
    out["neg"] = val(-v)
    out["gt"] = val(v > 0.5)
    out["eq"] = val(v == 1.0)
    out["abs"] = val(abs(v))
    out["float"] = float(tf.Variable(1.5))
    out["names"] = tf.Variable(1.0).name + " " + tf.Variable(1.0, name="x").name
    out["get_shape"] = repr(v.get_shape())
    out["len"] = attempt(lambda: len(v))
    out["hash"] = attempt(lambda: hash(v))
    out["ref_key"] = attempt(lambda: {v.ref(): 1}[v.ref()])
    out["list"] = val(list(v))
    out["callable_init"] = val(tf.Variable(lambda: tf.zeros([2])).value())
    out["matmul"] = val(tf.Variable([[1., 2.]]) @ tf.constant([[1.], [1.]]))
    out["in_reduce"] = val(tf.reduce_sum(v))
    out["in_gather"] = val(tf.gather(tf.Variable([[1, 2], [3, 4]]), [1]))
    out["convert"] = val(tf.convert_to_tensor(v))
    out["no_init"] = attempt(lambda: tf.Variable())
    return out


def main(tf):
    cases = {
        "pyf": lambda: tf.py_function(lambda x: x * 2, [tf.constant([1, 2])], tf.int32),
        "pyf_list": lambda: tf.py_function(lambda x: (x * 2, x), [tf.constant([1, 2])], [tf.int64, tf.float32]),
        "pyf_list_ok": lambda: tf.py_function(lambda x, y: (x * 2, y), [tf.constant([1, 2]), 1.5], [tf.int32, tf.float32]),
        "pyf_type": lambda: tf.py_function(lambda x: type(x).__name__, [tf.constant([1, 2])], tf.string),
        "pyf_py_input": lambda: tf.py_function(lambda x: x, [3], tf.int32),
        "pyf_none": lambda: tf.py_function(lambda x: None, [1], []),
        "pyf_none2": lambda: tf.py_function(lambda x: None, [1], None),
        "pyf_float_to_int": lambda: tf.py_function(lambda x: 1.5, [1], tf.int32),
        "pyf_wrongcount": lambda: tf.py_function(lambda x: (1, 2), [1], [tf.int32]),
        "pyf_mismatch": lambda: tf.py_function(lambda x: x * 2.0, [tf.constant([1, 2])], tf.int32),
        "pyf_np": lambda: tf.py_function(lambda x: np.array([1., 2.]), [1], tf.float32),
        "pyf_kw": lambda: tf.py_function(func=lambda x: x, inp=[1], Tout=tf.int32),
        "pyf_raises": lambda: tf.py_function(lambda x: int("z"), [1], tf.int32),
        "pyf_decorator": lambda: tf.py_function(Tout=tf.float32)(lambda x: x + 1.0)(tf.constant(1.0)),
        "pyf_no_inp": lambda: tf.py_function(lambda x: x, Tout=tf.int32),
        "pyf_string": lambda: tf.py_function(lambda s: s.numpy().decode() + "!", [tf.constant("a")], tf.string),
        "npf": lambda: tf.numpy_function(lambda x: x * 2, [tf.constant([1, 2])], tf.int32),
        "npf_type": lambda: tf.numpy_function(lambda x: type(x).__name__ + str(x.dtype), [tf.constant([1, 2])], tf.string),
        "npf_str_input": lambda: tf.numpy_function(lambda x: repr(x), [tf.constant(["a", "b"])], tf.string),
        "npf_tuple": lambda: tf.numpy_function(lambda x: (x, x), [tf.constant([1, 2])], (tf.int32, tf.int32)),
        "npf_ok_f32": lambda: tf.numpy_function(lambda x: (x * 2).astype(np.float32), [tf.constant([1., 2.])], tf.float32),
        "npf_decorator": lambda: tf.numpy_function(Tout=tf.int64)(lambda x: x + 1)(np.array([1, 2])),
    }
    out = {name: attempt(function) for name, function in cases.items()}
    out["variable"] = attempt(lambda: variable_story(tf))
    return out
