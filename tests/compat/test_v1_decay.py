"""The DNNClassifier docstring's pattern: v1 exponential_decay on get_global_step()."""


import numpy as np
import pytest

import cannery as tf


def test_v1_decay_functions_evaluate_at_a_given_step():
    # 0.1 · 0.96^(10000 / 10000) = 0.096
    value = tf.compat.v1.train.exponential_decay(0.1, 10000, 10000, 0.96)
    assert value == pytest.approx(0.096, rel=1e-6)
    # piecewise: boundaries [10], values [1.0, 0.5]; x = 11 > 10 → 0.5
    assert tf.compat.v1.train.piecewise_constant(11, [10], [1.0, 0.5]) == pytest.approx(0.5)
    # cosine: halfway → lr · 0.5 · (1 + cos(π/2)) = 0.05
    assert tf.compat.v1.train.cosine_decay(0.1, 50, 100) == pytest.approx(0.05, rel=1e-6)
    assert tf.compat.v1.train.inverse_time_decay(1.0, 2, 1, 0.5) == pytest.approx(0.5)


def test_decay_on_the_global_step_drives_an_estimator(tmp_path):
    # SGD with lr = 0.1 · 0.5^floor(step / 1). x = [1, 2], y = [1, 3], mean squared error:
    # dL/dlogit_i = logit_i - y_i.
    # step 0 (lr 0.1): g_w = -7, g_b = -4 → w = 0.7, b = 0.4
    # step 1 (lr 0.05): logits [1.1, 1.8], d = [0.1, -1.2], g_w = -2.3, g_b = -1.1
    #   → w = 0.7 + 0.05·2.3 = 0.815, b = 0.4 + 0.05·1.1 = 0.455
    def optimizer():
        return tf.keras.optimizers.SGD(learning_rate=tf.compat.v1.train.exponential_decay(
            learning_rate=0.1, global_step=tf.compat.v1.train.get_global_step(),
            decay_steps=1, decay_rate=0.5, staircase=True))

    est = tf.estimator.LinearRegressor([tf.feature_column.numeric_column("x")],
                                       model_dir=str(tmp_path), optimizer=optimizer)
    est.train(lambda: ({"x": np.float32([1, 2])}, np.float32([1, 3])), steps=2)
    assert est.get_variable_value("linear/linear_model/x/weights")[0, 0] == pytest.approx(
        0.815, rel=1e-6)
    assert est.get_variable_value("linear/linear_model/bias_weights")[0] == pytest.approx(
        0.455, rel=1e-6)
    # A decayed rate is a callable, which TF (like Keras) does not save as a variable.
    assert "training/SGD/learning_rate" not in est.get_variable_names()


def test_natural_exp_restarts_and_alias_decays_at_a_given_step():
    # natural_exp: 0.1 · exp(-0.5)^(20 / 10) = 0.1 · e^-1 = 0.036787944
    assert tf.compat.v1.train.natural_exp_decay(0.1, 20, 10, 0.5) == pytest.approx(
        0.036787944, rel=1e-6)
    # staircase: floor(15 / 10) = 1 → 0.1 · e^-0.5 = 0.060653066
    assert tf.compat.v1.train.natural_exp_decay(0.1, 15, 10, 0.5, staircase=True) == \
        pytest.approx(0.060653066, rel=1e-6)
    # restarts with first period 10, t_mul 2: step 15 is 5 steps into the second period
    # (length 20), a quarter of it: 0.1 · 0.5 · (1 + cos(π/4)) = 0.085355339
    assert tf.compat.v1.train.cosine_decay_restarts(0.1, 15, 10) == pytest.approx(
        0.085355339, rel=1e-6)
    assert tf.compat.v1.train.piecewise_constant_decay is tf.compat.v1.train.piecewise_constant
    schedule = tf.compat.v1.train.natural_exp_decay(
        0.1, tf.compat.v1.train.get_global_step(), 10, 0.5)
    assert callable(schedule) and schedule(20) == pytest.approx(0.036787944, rel=1e-6)


def test_checkpoint_exists_and_the_checkpoints_iterator(tmp_path):
    model_dir = str(tmp_path)
    assert list(tf.train.checkpoints_iterator(model_dir, timeout=0)) == []
    tf.checkpoint.write(model_dir, {"w": np.zeros(1, np.float32)}, 3)
    prefix = tf.train.latest_checkpoint(model_dir)
    assert tf.compat.v1.train.checkpoint_exists(prefix)
    assert not tf.compat.v1.train.checkpoint_exists(prefix + "0")
    # One checkpoint, then a timeout: timeout_fn says training ended, so it stops.
    calls = []
    seen = list(tf.compat.v1.train.checkpoints_iterator(
        model_dir, timeout=0, timeout_fn=lambda: calls.append(1) or True))
    assert seen == [prefix] and calls == [1]
    assert tf.compat.v1.train.VocabInfo is tf.estimator.VocabInfo
