"""tf.compat.v1.estimator classes: SUM reduction and v1 optimizers (REFERENCE 1.2, 3.8)."""

import math

import numpy as np
import pytest

import cannery as tf

fc = tf.feature_column


def test_v1_linear_regressor_sums_the_loss_and_uses_v1_ftrl(tmp_path):
    # x = [1, 2], y = [1, 3], logits 0. SUM: dL/dlogit = 2 (logit - y) = [-2, -6];
    # grad w = 1*(-2) + 2*(-6) = -14, grad b = -8. v1 Ftrl, lr 0.2, from zero:
    # θ = -g * 0.2 / sqrt(0.1 + g^2).
    est = tf.compat.v1.estimator.LinearRegressor([fc.numeric_column("x")],
                                                 model_dir=str(tmp_path))
    est.train(lambda: ({"x": np.float32([1, 2])}, np.float32([1, 3])), steps=1)
    assert est.get_variable_value("linear/linear_model/x/weights")[0, 0] == pytest.approx(
        14 * 0.2 / math.sqrt(196.1), rel=1e-6)
    assert est.get_variable_value("linear/linear_model/bias_weights")[0] == pytest.approx(
        8 * 0.2 / math.sqrt(64.1), rel=1e-6)
    # evaluate's loss is the batch's SUM: (0 - 1)^2 + (0 - 3)^2 = 10 from a zero model
    fresh = tf.compat.v1.estimator.LinearRegressor([fc.numeric_column("x")],
                                                   model_dir=str(tmp_path / "fresh"))
    result = fresh.evaluate(lambda: ({"x": np.float32([1, 2])}, np.float32([1, 3])), steps=1)
    assert result["loss"] == pytest.approx(10.0)
    assert result["average_loss"] == pytest.approx(5.0)


def test_v1_dnn_uses_v1_adagrad_at_0_05(tmp_path):
    est = tf.compat.v1.estimator.DNNClassifier([2], [fc.numeric_column("x")],
                                               model_dir=str(tmp_path))
    est.train(lambda: ({"x": np.float32([1, 2])}, np.int64([0, 1])), steps=1)
    optimizer = est._get_definition().parts[0].optimizer
    assert optimizer.learning_rate == pytest.approx(0.05)
    # TF's v1 optimizers save no hyper-parameters: only <var>/t_0/Adagrad slots
    assert "training/Adagrad/learning_rate" not in est.get_variable_names()
    assert optimizer.epsilon == 0.0  # v1 Adagrad: theta -= lr g / sqrt(acc), no epsilon


def test_v2_and_v1_classes_are_distinct_registry_entries():
    assert tf.compat.v1.estimator.DNNClassifier is not tf.estimator.DNNClassifier
    assert tf.compat.v1.estimator.RunConfig is tf.estimator.RunConfig
    assert tf.compat.v1.estimator.inputs.numpy_input_fn is tf.estimator.inputs.numpy_input_fn
