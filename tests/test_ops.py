"""TensorFlow's top-level array functions after ``import cannery as tf`` (cannery/ops.py).

Expected values are worked out by hand below; dtypes, error types and messages are
TensorFlow 2.15.1's for the same calls (read off its eager results and its sources:
tensorflow/python/ops/array_ops.py, sort_ops.py, script_ops.py, logging_ops.py and
tensorflow/core/framework/tensor.cc for tf.print's text). The differential programs in
tools/tf_diff/programs/ops/ compare the same calls against TensorFlow itself.
"""

import sys

import numpy as np
import pytest

import cannery as tf


def test_results_are_eager_tensors_and_tensor_means_eager_tensor():
    assert isinstance(tf.zeros([1]), tf.Tensor)
    assert tf.Tensor is type(tf.constant(1))
    # As in TensorFlow: numpy arrays, SparseTensors and Variables are not tf.Tensors,
    # but tf.is_tensor accepts the last two.
    sparse = tf.SparseTensor([[0]], [1], [2])
    variable = tf.Variable(1.0)
    assert not isinstance(np.ones(1), tf.Tensor)
    assert not isinstance(sparse, tf.Tensor) and not isinstance(variable, tf.Tensor)
    assert [tf.is_tensor(x) for x in (tf.constant(1), sparse, variable, np.ones(1), 1)] == \
        [True, True, True, False, False]
    assert tf.executing_eagerly() is True
    assert tf.newaxis is None
    assert tf.constant([1, 2])[:, tf.newaxis].shape == (2, 1)


def test_one_hot_dtypes_axis_and_out_of_range_ids():
    # ids -1 and 3 are outside [0, 3): their rows are all off_value.
    hot = tf.one_hot([0, -1, 3, 2], 3)
    assert hot.dtype == np.float32
    assert hot.tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]]
    # on/off values set the dtype (int32 from Python ints)
    custom = tf.one_hot([0, 1], 3, on_value=5, off_value=-1)
    assert custom.dtype == np.int32 and custom.tolist() == [[5, -1, -1], [-1, 5, -1]]
    # dtype is a hint for a Python on_value: 5 becomes float32 5.0
    assert tf.one_hot([1], 2, on_value=5, dtype=tf.float32).tolist() == [[0.0, 5.0]]
    # axis=0 puts the depth first: [depth, batch]
    assert tf.one_hot([0, 1], 3, axis=0).tolist() == [[1, 0], [0, 1], [0, 0]]
    assert tf.one_hot([[0, 2]], 3).shape == (1, 2, 3)
    with pytest.raises(TypeError, match="dtype <dtype: 'int32'> of on_value does not match "
                                        "dtype <dtype: 'float32'> of off_value"):
        tf.one_hot([0], 2, on_value=5, off_value=-1.0)
    with pytest.raises(TypeError, match="of on_value does not match dtype parameter"):
        tf.one_hot([0], 2, on_value=tf.constant(5), dtype=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Value for attr 'TI' of float is not in the list of allowed "
                             r"values: uint8, int8, int32, int64 \[Op:OneHot\]"):
        tf.one_hot([0.0, 1.0], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="depth must be non-negative, got: -1"):
        tf.one_hot([0], -1)


def test_argmax_argmin_default_to_int64_and_take_the_first_of_ties():
    result = tf.argmax([[1, 5, 5], [2, 2, 0]], axis=1)
    assert result.dtype == np.int64 and result.tolist() == [1, 0]
    assert tf.argmax([[1, 3], [4, 2]]).tolist() == [1, 0]  # axis None is axis 0
    assert tf.argmin([1.5, -3.0], output_type=tf.int32).dtype == np.int32
    assert tf.math.argmin([[1.5, -3.0], [0.5, 2.0]], axis=-1).tolist() == [1, 0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Expected dimension in the range \[-1, 1\), but got 2"):
        tf.argmax([1.0], axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Reduction axis 0 is empty in shape \[0\]"):
        tf.argmax(tf.zeros([0]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"attr 'output_type' of float is not in the list of allowed "
                             r"values: int16, uint16, int32, int64"):
        tf.argmax([1.0], output_type=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"attr 'T' of string"):
        tf.argmax(["a"])


def test_sort_and_argsort_keep_equal_values_in_order_both_ways():
    # [3, 1, 2, 1]: descending 3 (0), 2 (2), 1 (1), 1 (3); ascending 1 (1), 1 (3), 2, 3.
    assert tf.argsort([3, 1, 2, 1], direction="DESCENDING").tolist() == [0, 2, 1, 3]
    assert tf.argsort([3, 1, 2, 1]).tolist() == [1, 3, 2, 0]
    assert tf.argsort([3, 1]).dtype == np.int32
    # int32 extremes sort right (TensorFlow sorts ~x, which does not overflow)
    extremes = np.array([3, -2**31, 2**31 - 1, 0], np.int32)
    assert tf.sort(extremes).tolist() == [-2**31, 0, 3, 2**31 - 1]
    assert tf.sort(np.array([3, 0, 255], np.uint8)).tolist() == [0, 3, 255]
    assert tf.sort([[0.5, -1.0], [2.0, 1.0]], axis=0, direction="DESCENDING").tolist() == \
        [[2.0, 1.0], [0.5, -1.0]]
    with pytest.raises(ValueError, match="Argument `direction` should be one of ASCENDING, "
                                         "DESCENDING. Received: direction=down"):
        tf.argsort([1], direction="down")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Neg\]"):
        tf.sort(["b", "a"])


def test_filled_tensors_and_range():
    assert tf.ones([2], tf.int64).tolist() == [1, 1] and tf.ones([2], tf.int64).dtype == np.int64
    assert tf.zeros(tf.constant([2, 1])).shape == (2, 1)
    assert tf.zeros([2], tf.string).tolist() == [b"", b""]
    assert tf.fill([2], 1.5).dtype == np.float32
    assert tf.fill([2], "a").tolist() == [b"a", b"a"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Dimension -1 must be >= 0"):
        tf.zeros([-1])
    assert tf.eye(2, 3, dtype=tf.int32).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tf.eye(2, batch_shape=[3]).shape == (3, 2, 2)
    # range: int32 for Python ints, the widest argument's dtype otherwise
    assert tf.range(5).dtype == np.int32 and tf.range(5).tolist() == [0, 1, 2, 3, 4]
    assert tf.range(1, 5.0).dtype == np.float32
    assert tf.range(tf.constant(3, tf.int64)).dtype == np.int64
    assert tf.range(5, 1, -2).tolist() == [5, 3]
    # floats are start + i * delta in the dtype: float32(0.1) * 7 rounds to 0.7 in
    # float32 (an accumulated sum would reach 0.70000005)
    values = tf.range(0.0, 1.0, 0.1)
    assert values.shape == (10,) and values[7] == np.float32(7) * np.float32(0.1)
    # with dtype=float64 the Python floats convert straight to float64
    assert tf.range(0.0, 1.0, 0.1, dtype=tf.float64)[3] == 3 * 0.1
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0: 0"):
        tf.range(0, 5, 0)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)


def test_linspace_and_sequence_mask():
    assert tf.linspace(0.0, 1.0, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # integer ends divide in float64, as TensorFlow's truediv does
    assert tf.linspace(0, 1, 3).dtype == np.float64
    assert tf.linspace(2.0, 3.0, 1).tolist() == [2.0]
    assert tf.linspace([0.0, 1.0], [1.0, 3.0], 3, axis=1).tolist() == [[0, 0.5, 1], [1, 2, 3]]
    mask = tf.sequence_mask([1, 3, 0])
    assert mask.dtype == np.bool_
    assert mask.tolist() == [[True, False, False], [True, True, True], [False, False, False]]
    assert tf.sequence_mask([1], 3, dtype=tf.float32).tolist() == [[1.0, 0.0, 0.0]]


def test_shape_size_rank_are_int32_tensors():
    shape = tf.shape([[1, 2]])
    assert isinstance(shape, tf.Tensor) and shape.dtype == np.int32 and shape.tolist() == [1, 2]
    assert tf.shape([[1, 2]], out_type=tf.int64).dtype == np.int64
    assert tf.shape(3.0).shape == (0,)
    assert tf.shape(tf.SparseTensor([[0, 1]], [1.0], [2, 3])).tolist() == [2, 3]
    assert tf.size(tf.zeros([2, 3])).tolist() == 6 and tf.size([1]).dtype == np.int32
    assert tf.rank([[1, 2]]).tolist() == 2 and tf.rank(1.0).dtype == np.int32


def test_gather_and_gather_nd():
    assert tf.gather([1, 2, 3], [2, 0]).tolist() == [3, 1]
    assert tf.gather([[1, 2], [3, 4]], [1], axis=1).tolist() == [[2], [4]]
    # batch_dims=1: row b takes params[b][indices[b]]
    assert tf.gather([[1, 2], [3, 4]], [[1], [0]], axis=1, batch_dims=1).tolist() == [[2], [3]]
    # a negative index is out of range on TensorFlow's CPU kernel, as is one >= size
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in "
                                                             r"\[0, 3\) \[Op:GatherV2\]"):
        tf.gather([1, 2, 3], [-1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1,0\] = 7 is not in"):
        tf.gather([1, 2, 3], [[0, 1], [7, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'Tindices' of float"):
        tf.gather([1, 2, 3], [1.0])
    assert tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]]).tolist() == [3, 2]
    assert tf.gather_nd([[1, 2], [3, 4]], [[1]]).tolist() == [[3, 4]]
    assert tf.gather_nd([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[1], [0]],
                        batch_dims=1).tolist() == [[3, 4], [5, 6]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[0\] = \[2, 0\] does not index into param shape \[2,2\]"):
        tf.gather_nd([[1, 2], [3, 4]], [[2, 0]])


def test_shape_manipulation_functions():
    assert tf.tile([[1, 2]], [2, 1]).tolist() == [[1, 2], [1, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Expected multiples argument to be a vector of length 2 but got "
                             "length 1"):
        tf.tile([[1, 2]], [2])
    assert tf.transpose(tf.zeros([2, 3, 4]), [1, 0, 2]).shape == (3, 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="transpose expects a vector of size 2"):
        tf.transpose([[1, 2]], [0])
    assert tf.reverse([[1, 2]], [1]).tolist() == [[2, 1]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="'dims' must be 1-dimension, not 0"):
        tf.reverse([[1, 2]], 1)
    assert tf.broadcast_to([1, 2], [2, 2]).tolist() == [[1, 2], [1, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Incompatible shapes: \[2\] vs. \[3\]"):
        tf.broadcast_to([1, 2], [3])
    assert tf.repeat([1, 2], 2).tolist() == [1, 1, 2, 2]
    assert tf.repeat([[1, 2]], [1, 2], axis=1).tolist() == [[1, 2, 2]]
    assert tf.identity(tf.Variable([1.5])).tolist() == [1.5]


def test_split_unstack_and_pad():
    parts = tf.split([1, 2, 3, 4], [1, -1])
    assert [p.tolist() for p in parts] == [[1], [2, 3, 4]]
    assert [p.tolist() for p in tf.split([1, 2, 3, 4], 2)] == [[1, 2], [3, 4]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Number of ways to split should evenly divide the split dimension, "
                             r"but got split_dim 0 \(size = 3\) and num_split 2"):
        tf.split([1, 2, 3], 2)
    assert [p.tolist() for p in tf.unstack([[1, 2], [3, 4]], axis=1)] == [[1, 3], [2, 4]]
    with pytest.raises(ValueError, match=r"Argument `axis` = 2 not in range \[-2, 2\)"):
        tf.unstack([[1, 2]], axis=2)
    assert tf.pad([[1, 2]], [[1, 0], [0, 1]]).tolist() == [[0, 0, 0], [1, 2, 0]]
    # REFLECT leaves the edge out, SYMMETRIC repeats it
    assert tf.pad([[1, 2, 3]], [[0, 0], [2, 1]], "REFLECT").tolist() == [[3, 2, 1, 2, 3, 2]]
    assert tf.pad([[1, 2, 3]], [[0, 0], [2, 1]], "symmetric").tolist() == [[2, 1, 1, 2, 3, 3]]
    assert tf.pad([["a"]], [[0, 1], [0, 0]]).tolist() == [[b"a"], [b""]]
    with pytest.raises(ValueError, match='Received `mode` = X'):
        tf.pad([[1]], [[0, 0], [0, 0]], mode="x")


def test_boolean_mask_unique_searchsorted():
    assert tf.boolean_mask([[1, 2], [3, 4]], [True, False]).tolist() == [[1, 2]]
    assert tf.boolean_mask([[1, 2], [3, 4]], [False, True], axis=1).tolist() == [[2], [4]]
    assert tf.boolean_mask([1, 2], [1, 0]).tolist() == [1]  # non-zero counts as true
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(1,\) are incompatible"):
        tf.boolean_mask([1, 2], [True])
    # values in order of first appearance; idx points into them
    y, idx = tf.unique([1, 1, 3, 2, 3])
    assert y.tolist() == [1, 3, 2] and idx.tolist() == [0, 0, 1, 2, 1]
    assert idx.dtype == np.int32
    assert tf.unique(["b", "a", "b"]).y.tolist() == [b"b", b"a"]
    counted = tf.unique_with_counts([4.0, 4.0, 1.0])
    assert counted.count.tolist() == [2, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="unique expects a 1D vector"):
        tf.unique([[1]])
    # 0 goes before 1, 3 before the 3 (left) / after it (right), 6 at the end
    assert tf.searchsorted([1, 3, 5], [0, 3, 6]).tolist() == [0, 1, 3]
    assert tf.searchsorted([[1, 3, 5]], [[0, 3, 6]], side="right").tolist() == [[0, 2, 3]]


def test_matmul_einsum_and_clip_by_norm():
    # [1, 2] . [3, 4] = 11, int32 as the operands
    product = tf.matmul([[1, 2]], [[3], [4]])
    assert product.dtype == np.int32 and product.tolist() == [[11]]
    assert tf.matmul([[1.0, 2.0]], [[1.0, 2.0]], transpose_b=True).tolist() == [[5.0]]
    assert tf.matmul(tf.ones([2, 1, 2]), tf.ones([2, 3])).shape == (2, 1, 3)
    # b takes a's dtype as a hint: a Python list of ints becomes float32 beside float32
    assert tf.matmul(tf.constant([[1.0, 2.0]]), [[3], [4]]).dtype == np.float32
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute MatMul as input #1\(zero-based\) was expected to "
                             r"be a float tensor but is a int32 tensor"):
        tf.matmul(tf.constant([[1.0, 2.0]]), tf.constant([[3], [4]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"In\[0\] ndims must be >= 2"):
        tf.matmul([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Matrix size-incompatible: In\[0\]: \[1,2\], In\[1\]: \[1,2\]"):
        tf.matmul([[1.0, 2.0]], [[1.0, 2.0]])
    assert tf.einsum("ij,jk->ik", tf.constant([[1.0, 2.0]]), tf.constant([[3.0], [4.0]])) \
        .tolist() == [[11.0]]
    # |(3, 4)| = 5 > 1: scaled to (0.6, 0.8); a norm below clip_norm is left as it is
    clipped = tf.clip_by_norm([3.0, 4.0], 1.0)
    assert clipped.dtype == np.float32
    np.testing.assert_allclose(clipped, [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(tf.clip_by_norm([[3.0, 4.0], [0.3, 0.4]], 1.0, axes=[1]),
                               [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    assert tf.clip_by_norm([0.0, 0.0], 1.0).tolist() == [0.0, 0.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Sqrt\]"):
        tf.clip_by_norm([3, 4], 1)


def test_function_decorator_calls_the_function():
    @tf.function
    def double(x):
        return x * 2

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)], reduce_retracing=True,
                 jit_compile=False)
    def plus_one(x):
        return x + 1

    assert double(tf.constant(2)).tolist() == 4
    assert plus_one(tf.constant([1.5])).tolist() == [2.5]
    assert plus_one.python_function(1) == 2


def test_py_function_converts_results_to_tout():
    seen = []

    def double(x):
        seen.append(type(x))
        return x * 2

    result = tf.py_function(double, [tf.constant([1, 2])], tf.int32)
    assert seen == [tf.Tensor] and result.tolist() == [2, 4] and result.dtype == np.int32
    # a list Tout gives a list; a float64 numpy result is converted to float32
    pair = tf.py_function(lambda x: (x, np.array([1.0, 2.0])), [1], [tf.int32, tf.float32])
    assert isinstance(pair, list) and pair[1].dtype == np.float32
    assert tf.py_function(lambda x: None, [1], []) == []
    # a result that does not convert fails as the op does: InvalidArgumentError naming the
    # Python error
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="TypeError: Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.py_function(lambda x: 1.5, [1], tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="ValueError: invalid literal"):
        tf.py_function(lambda x: int("z"), [1], tf.int32)
    with pytest.raises(TypeError, match="Missing required argument: 'Tout'"):
        tf.py_function(lambda x: x, [1], None)
    decorated = tf.py_function(Tout=tf.float32)(lambda x: x + 1.0)
    assert decorated(tf.constant(1.0)).tolist() == 2.0


def test_numpy_function_hands_numpy_arrays_and_checks_the_result_dtype():
    kinds = tf.numpy_function(lambda x: type(x).__name__ + str(x.dtype), [tf.constant([1, 2])],
                              tf.string)
    assert kinds.numpy() == b"ndarrayint32"
    assert tf.numpy_function(lambda x: x * 2, [tf.constant([1, 2])], tf.int32).tolist() == [2, 4]
    # strings arrive as object arrays of bytes
    assert tf.numpy_function(lambda x: x[0], [tf.constant(["a", "b"])], tf.string).numpy() == b"a"
    # x * 2.0 is float64; TensorFlow refuses it for tf.int32 inside Dataset.map
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="0-th value returned by pyfunc_[0-9]+ is double, but expects int32"):
        tf.numpy_function(lambda x: x * 2.0, [tf.constant([1, 2])], tf.int32)


def _printed(capsys, *inputs, **kwargs):
    tf.print(*inputs, **kwargs)
    return capsys.readouterr().err


def test_print_escapes_strings_like_abseil(capsys):
    # absl::Utf8SafeCEscape: newline, CR, tab, both quotes and the backslash by name;
    # other control bytes and DEL as three octal digits (0x01 -> \001, 0x7f -> \177);
    # bytes from 0x80 kept, so UTF-8 b"\xc3\xa9" prints as "é".
    raw = b"a\"b'c\\d\n\t\r\x01\x7f\xc3\xa9z"
    expected = r'["a\"b\'c\\d\n\t\r\001\177' + "\u00e9" + 'z"]\n'
    assert _printed(capsys, tf.constant([raw])) == expected


def test_print_writes_tensorflows_text_to_stderr(capsys):
    assert _printed(capsys, tf.constant([1, 2])) == "[1 2]\n"
    # nested rows on new lines, indented by one space per level
    assert _printed(capsys, tf.constant([[1.5, 2.0], [3.25, -4.0]])) == "[[1.5 2]\n [3.25 -4]]\n"
    # three entries at each end by default, all with summarize=-1
    assert _printed(capsys, tf.range(10)) == "[0 1 2 ... 7 8 9]\n"
    assert _printed(capsys, tf.range(4), summarize=-1) == "[0 1 2 3]\n"
    # float32: %.6g unless it does not read back (1/3 -> %.9g); float64: %.15g / %.17g;
    # bools as 1 / 0; strings quoted; Python values as pprint writes them
    text = _printed(capsys, tf.constant(1.0 / 3), tf.constant(1.0 / 3, tf.float64),
                    tf.constant(0.1), tf.constant(True), tf.constant(["a", "b"]), 7, "s",
                    [1, 2], {"a": tf.constant(1)}, sep="|")
    assert text == '0.333333343|0.33333333333333331|0.1|1|["a" "b"]|7|s|[1, 2]|{\'a\': 1}\n'
    # 3-D: a blank line between the outer blocks
    assert _printed(capsys, tf.reshape(tf.range(8), [2, 2, 2])) == \
        "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]\n"
    assert _printed(capsys, tf.zeros([0])) == "[]\n"
    assert _printed(capsys, tf.constant("plain")) == "plain\n"
    tf.print("out", output_stream=sys.stdout, end="!")
    assert capsys.readouterr().out == "out!"
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print("x", output_stream="nowhere")


def test_print_to_a_file(tmp_path):
    path = tmp_path / "log.txt"
    tf.print("values", tf.constant([1, 2]), output_stream=f"file://{path}")
    assert path.read_text() == "values [1 2]\n"


def test_variable_reads_assigns_and_computes_like_a_tensor():
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.name == "v:0" and tf.Variable(1).name == "Variable:0"
    assert v.dtype == tf.float32 and v.shape == (2,) and v.trainable
    assert repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32, numpy=array([1., 2.], " \
                      "dtype=float32)>"
    v.assign_add([1.0, 1.0])
    assert v.numpy().tolist() == [2.0, 3.0]
    snapshot = v.value()
    v.assign([5.0, 6.0])
    assert snapshot.tolist() == [2.0, 3.0] and v.read_value().tolist() == [5.0, 6.0]
    assert v.assign_sub(tf.constant([1.0, 1.0]), read_value=False) is None
    # arithmetic gives float32 EagerTensors (TensorFlow's dtype rules)
    assert (v + 1).dtype == np.float32 and (1 + v).tolist() == [5.0, 6.0]
    assert (10 - v).tolist() == [6.0, 5.0] and (v > 4.5).tolist() == [False, True]
    assert (np.array([1.0, 1.0], np.float32) + v).tolist() == [5.0, 6.0]
    assert tf.reduce_sum(v).tolist() == 9.0 and v[0].tolist() == 4.0
    assert tf.Variable(0.1, dtype=tf.float64).numpy() == 0.1  # not float32's 0.1
    with pytest.raises(ValueError, match=r"Shape mismatch.The variable shape \(2,\), and the "
                                         r"assigned value shape \(3,\) are incompatible"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.Variable([1, 2]).assign([1.5, 2.0])
    with pytest.raises(TypeError, match="unhashable"):
        hash(v)
    assert {v.ref(): 1}[v.ref()] == 1
    with pytest.raises(TypeError):
        len(v)
