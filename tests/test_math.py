"""``tf.math``, the top-level tensor functions and ``tf.errors`` after ``import cannery as tf``.

The dtype rules below were read off TensorFlow 2.15.1 (eager) for the same calls: the
first operand's dtype wins, a second array is cast to it, a second Python float refuses
an integer dtype, and float-only functions refuse integers.
"""

import numpy as np
import pytest

import cannery as tf
from cannery import checkpoint


def test_unary_functions_keep_the_float_dtype_and_refuse_integers():
    x32 = np.array([0.0, 3.0], np.float32)
    # log1p(0) = 0 and log1p(3) = ln 4 = 1.3862943611... -> float32 1.3862944
    result = tf.math.log1p(x32)
    assert result.dtype == np.float32
    assert result.tolist() == [0.0, float(np.float32(1.3862943611198906))]
    assert tf.math.log1p(np.array([0.0], np.float64)).dtype == np.float64
    # A Python list of floats becomes float32, as tf.convert_to_tensor makes it.
    assert tf.math.sqrt([4.0, 9.0]).dtype == np.float32
    assert tf.sqrt([4.0, 9.0]).tolist() == [2.0, 3.0]
    # TensorFlow 2.15's kernels refuse integers with InvalidArgumentError (only):
    # "Value for attr 'T' of int64 is not in the list of allowed values: bfloat16, half,
    # float, double, complex64, complex128 ... [Op:Log1p]"; IsNan takes no complex types.
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"log1p: Value for attr 'T' of int64 is not in the list of allowed "
                             r"values: bfloat16, half, float, double, complex64, complex128 "
                             r"\[Op:Log1p\]"):
        tf.math.log1p(np.array([1, 2], np.int64))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"of int32 is not in the list of allowed values: bfloat16, half, "
                             r"float, double \[Op:IsNan\]"):
        tf.math.is_nan(np.array([1], np.int32))
    # Reciprocal has an integer kernel on GPUs only: NotFoundError on a CPU.
    with pytest.raises(tf.errors.NotFoundError, match=r"Reciprocal\[T=DT_INT32\]"):
        tf.math.reciprocal([1])
    assert tf.math.is_nan(np.array([np.nan, 1.0], np.float32)).tolist() == [True, False]


def test_binary_functions_convert_to_the_first_operands_dtype():
    f32 = np.array([1.5, 2.0], np.float32)
    f64 = np.array([1.5, 2.0])
    i64 = np.array([1, 2])
    assert tf.maximum(f32, f64).dtype == np.float32
    assert tf.maximum(f64, f32).dtype == np.float64
    # The second array is cast: 1.5 truncates to 1 in int64.
    both = tf.maximum(i64, f32)
    assert both.dtype == np.int64 and both.tolist() == [1, 2]
    # A first Python int is int32, and the float array is cast to it.
    added = tf.add(2, f32)
    assert added.dtype == np.int32 and added.tolist() == [3, 4]
    assert tf.add(1.5, i64).tolist() == [2.5, 3.5]
    assert tf.add(1.5, i64).dtype == np.float32
    # tf.add converts 2.0 with int64 as a hint only, so it stays float32 and the kernel
    # refuses the pair (TensorFlow 2.15's message, input #1 counted from zero).
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute AddV2 as input #1\(zero-based\) was expected to "
                             r"be a int64 tensor but is a float tensor \[Op:AddV2\]"):
        tf.add(i64, 2.0)
    assert tf.multiply(f32, 3).dtype == np.float32


def test_division_rounding_and_reductions_follow_tensorflow():
    # int32 / int32 divides in float64; int16 / int16 in float32.
    assert tf.math.divide(1, 2).dtype == np.float64
    assert tf.math.divide(1, 2) == 0.5
    assert tf.math.truediv(np.array([1], np.int16), np.array([3], np.int16)).dtype == np.float32
    assert tf.math.floordiv(np.array([-7.5]), 2.0).tolist() == [-4.0]
    assert tf.math.divide_no_nan(np.array([1.0, 3.0], np.float32),
                                 np.array([0.0, 2.0], np.float32)).tolist() == [0.0, 1.5]
    # Rounding is half to even.
    assert tf.round(np.array([0.5, 1.5, 2.5, -0.5], np.float32)).tolist() == [0.0, 2.0, 2.0, -0.0]
    # The mean of integers truncates toward zero: (1 - 7 + 3 + 10) / 4 = 1.75 -> 1,
    # (-7 - 2) / 2 = -4.5 -> -4.
    assert tf.reduce_mean(np.array([1, -7, 3, 10])).tolist() == 1
    assert tf.reduce_mean(np.array([-7, -2])).tolist() == -4
    summed = tf.reduce_sum(np.ones((2, 3), np.int32), axis=[0], keepdims=True)
    assert summed.dtype == np.int32 and summed.tolist() == [[2, 2, 2]]
    assert tf.reduce_max(np.array([[1.0, 5.0], [7.0, 2.0]]), axis=1).tolist() == [5.0, 7.0]


def test_cast_constant_and_shape_functions():
    # Cast truncates toward zero.
    assert tf.cast(np.array([1.7, -1.7, 2.5]), tf.int64).tolist() == [1, -1, 2]
    assert tf.cast(np.array([0.0, 2.0]), tf.bool).tolist() == [False, True]
    # TensorFlow names the kernel types: float, not float32.
    with pytest.raises(tf.errors.UnimplementedError,
                       match=r"Cast string to float is not supported \[Op:Cast\]"):
        tf.cast(np.array(["1"]), tf.float32)
    assert tf.constant(1.5).dtype == np.float32
    assert tf.constant([1, 2]).dtype == np.int32
    assert tf.constant([1, 2**40]).dtype == np.int64
    assert tf.constant(0.0, shape=[2, 2]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert tf.constant(np.array([1.7]), dtype=tf.int32).tolist() == [1]
    with pytest.raises(TypeError, match="Cannot convert 1.7 to EagerTensor of dtype int32"):
        tf.constant(1.7, dtype=tf.int32)
    strings = tf.constant(["a", "bc"])
    assert strings.dtype == object and strings.tolist() == [b"a", b"bc"]
    assert tf.reshape(np.arange(4), [-1, 1]).shape == (4, 1)
    assert tf.expand_dims(np.arange(3), -1).shape == (3, 1)
    assert tf.squeeze(np.ones((2, 1, 3))).shape == (2, 3)
    assert tf.concat([np.arange(2), np.arange(2)], 0).tolist() == [0, 1, 0, 1]
    assert tf.stack([np.arange(2), np.arange(2)], axis=1).tolist() == [[0, 0], [1, 1]]
    assert tf.clip_by_value(np.array([0.0, 3.0, 9.0], np.float32), 1.0, 5.0).tolist() == [1, 3, 5]
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int64"):
        tf.clip_by_value(np.array([1, 2]), 1.5, 3)
    assert tf.where(np.array([True, False]), np.array([1.0, 2.0], np.float32), 0.0).tolist() \
        == [1.0, 0.0]
    assert tf.where(np.array([[True, False], [False, True]])).tolist() == [[0, 0], [1, 1]]
    assert tf.zeros_like(np.array([1, 2]), dtype=tf.float32).dtype == np.float32


def test_errors_carry_tensorflows_codes_and_messages():
    error = tf.errors.InvalidArgumentError(None, None, "labels out of range")
    assert isinstance(error, tf.errors.OpError)
    assert error.message == "labels out of range" and str(error) == "labels out of range"
    assert error.error_code == tf.errors.INVALID_ARGUMENT == 3
    assert tf.errors.OutOfRangeError("end").error_code == 11
    assert tf.errors.NotFoundError("x").error_code == tf.errors.NOT_FOUND == 5


def test_a_tf_math_normalizer_feeds_a_linear_model(tmp_path):
    column = tf.feature_column.numeric_column("x", normalizer_fn=tf.math.log1p)
    checkpoint.write(str(tmp_path), {
        "linear/linear_model/x/weights": np.array([[2.0]], np.float32),
        "linear/linear_model/bias_weights": np.array([0.5], np.float32),
    }, 1)
    estimator = tf.estimator.LinearRegressor([column], model_dir=str(tmp_path))
    features = {"x": np.array([0.0, 3.0], np.float32)}
    predictions = next(estimator.predict(
        lambda: tf.data.Dataset.from_tensors(features), yield_single_examples=False))
    # 2 * log1p(0) + 0.5 = 0.5; 2 * float32(ln 4) + 0.5 = 2 * 1.3862944 + 0.5 = 3.2725887
    log4 = np.float32(1.3862943611198906)
    expected = [0.5, float(np.float32(2) * log4 + np.float32(0.5))]
    assert predictions["predictions"].reshape(-1).tolist() == expected


def test_bad_data_found_while_training_is_an_invalid_argument_error(tmp_path):
    # TensorFlow raises InvalidArgumentError from the gather (an identity id beyond
    # num_buckets) and from the label range assertion; both stay ValueErrors too.
    column = tf.feature_column.categorical_column_with_identity("i", 3)
    estimator = tf.estimator.LinearClassifier([column], model_dir=str(tmp_path / "ids"))
    bad_id = ({"i": np.array([0, 5])}, np.array([0, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        estimator.train(lambda: tf.data.Dataset.from_tensors(bad_id), steps=1)
    estimator = tf.estimator.LinearClassifier([column], model_dir=str(tmp_path / "labels"))
    bad_label = ({"i": np.array([0, 1])}, np.array([0, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Labels must be <= n_classes - 1"):
        estimator.train(lambda: tf.data.Dataset.from_tensors(bad_label), steps=1)
    with pytest.raises(ValueError):
        estimator.train(lambda: tf.data.Dataset.from_tensors(bad_label), steps=1)
