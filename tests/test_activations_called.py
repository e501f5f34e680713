"""Activations called directly, as ``tf.nn.*`` and ``tf.keras.activations.*``: TensorFlow's
conversions, dtypes and kernel errors (checked against TF 2.15.1's eager results)."""

import numpy as np
import pytest

import cannery as tf
from cannery.core.eager_tensor import EagerTensor
from cannery.errors import InvalidArgumentError


def test_python_numbers_convert_as_tensorflow_does():
    # [1., -1.] is float32 (not numpy's float64); relu keeps int32 integers; a scalar
    # stays 0-d
    out = tf.nn.relu([1.0, -1.0])
    assert isinstance(out, EagerTensor) and out.dtype == np.float32
    assert out.numpy().tolist() == [1.0, 0.0]
    ints = tf.nn.relu([1, -1])
    assert ints.dtype == np.int32 and ints.numpy().tolist() == [1, 0]
    assert tf.nn.relu6([7, -1]).numpy().tolist() == [6, 0]
    assert tf.nn.relu(3.0).shape == () and float(tf.nn.relu(-3.0)) == 0.0
    # float64 stays float64; sigmoid(0) = 0.5
    assert tf.nn.relu(np.array([1.5])).dtype == np.float64
    assert tf.nn.sigmoid([0.0]).numpy().tolist() == [0.5]


def test_integer_inputs_follow_each_kernels_type_constraint():
    # leaky_relu casts to float32: -2 * 0.2 = -0.4
    leaky = tf.nn.leaky_relu([1, -2])
    assert leaky.dtype == np.float32
    np.testing.assert_allclose(leaky.numpy(), [1.0, -0.4], rtol=1e-7)
    for name in ("elu", "selu", "softplus"):
        with pytest.raises(InvalidArgumentError,
                           match="attr 'T' of int32 is not in the list of allowed values"):
            getattr(tf.nn, name)([1])
    with pytest.raises(ValueError, match="must be a floating point tensor"):
        tf.nn.gelu([1])
    with pytest.raises(InvalidArgumentError, match="attr 'T' of string"):
        tf.nn.relu(["a"])


def test_keras_activations_are_the_registered_ones():
    a = tf.keras.activations
    assert a.relu is tf.nn.relu and a.get("relu") is tf.nn.relu and a.get(None) is a.linear
    assert a.serialize(a.tanh) == "tanh"
    # softmax([1, 2]) = [1, e] / (1 + e) = [0.26894142, 0.73105858]
    np.testing.assert_allclose(a.softmax([[1.0, 2.0]]).numpy(), [[0.26894142, 0.73105858]],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        a.softmax([1.0, 2.0])
    # hard_sigmoid: clip(0.2 x + 0.5, 0, 1): 1 → 0.7, 5 → 1
    np.testing.assert_allclose(a.hard_sigmoid([1.0, 5.0]).numpy(), [0.7, 1.0], rtol=1e-6)
    # mish(1) = tanh(log(1 + e)) = tanh(1.3132617) = 0.86509840
    np.testing.assert_allclose(a.mish([1.0]).numpy(), [0.8650984], rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown activation function 'nope'"):
        a.get("nope")


def test_a_dnn_takes_keras_relu_as_its_registered_relu(tmp_path):
    est = tf.estimator.DNNRegressor([2], [tf.feature_column.numeric_column("x")],
                                    activation_fn=tf.keras.activations.relu,
                                    model_dir=str(tmp_path))
    from cannery.core.activation import resolve_activation

    assert resolve_activation(est._get_definition().parts[0].network.activation) is tf.nn.relu
