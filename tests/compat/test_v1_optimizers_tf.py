"""tf.compat.v1.train optimizers follow TF v1's update formulas, not Keras'.

Expected numbers come from the v1 formulas (tensorflow/python/training/{rmsprop,adam,
momentum}.py and the ApplyRMSProp / SparseApplyRMSProp / ApplyMomentum kernels), written
out in each test.
"""

import numpy as np
import pytest

import cannery as tf
from cannery.core import spec
from cannery.core.tensors import RowSparse
from cannery.plugins.optimizers.v1_adam import V1Adam, beta_power
from cannery.plugins.optimizers.v1_momentum import V1Momentum
from cannery.plugins.optimizers.v1_rmsprop import V1RMSProp

V1 = tf.compat.v1.train
f32 = np.float32


def _step(opt, var, grads, start=0):
    variables = {"w": np.array(var, f32)}
    state = opt.init(variables)
    for i, g in enumerate(grads):
        opt.apply(variables, {"w": g}, state, start + i)
    return variables["w"], state.slots["w"]


# ----------------------------------------------------------------------------- RMSProp
def test_rmsprop_defaults_and_slots():
    opt = V1.RMSPropOptimizer(0.01)
    assert isinstance(opt, V1RMSProp)
    assert (opt.rho, opt.momentum, opt.epsilon, opt.centered) == (0.9, 0.0, 1e-10, False)
    # v1 always makes a momentum slot and starts rms at 1.0 (rmsprop.py _create_slots).
    _, slots = _step(opt, [0.0], [])
    assert set(slots) == {"rms", "momentum"}
    assert slots["rms"][0] == 1.0 and slots["momentum"][0] == 0.0
    assert set(_step(V1.RMSPropOptimizer(0.01, centered=True), [0.0], [])[1]) == \
        {"rms", "mg", "momentum"}


def test_rmsprop_dense_starts_rms_at_one_and_puts_epsilon_inside_the_sqrt():
    # ApplyRMSProp, lr 0.01, rho 0.9, mu 0, eps 1e-10, g 0.5, ms0 = 1:
    #   ms = 1 + (0.25 - 1) * 0.1 = 0.925
    #   mom = 0.01 * 0.5 / sqrt(0.925 + 1e-10) = 0.005 / 0.96176920 = 0.0051987524
    #   w = 1 - mom = 0.9948012476
    # (Keras' RMSprop: ms = 0.025, w = 1 - 0.005 / (0.1581139 + 1e-7) = 0.96837775.)
    w, slots = _step(V1.RMSPropOptimizer(0.01), [1.0], [np.array([0.5], f32)])
    np.testing.assert_allclose(slots["rms"], [0.925], rtol=1e-6)
    np.testing.assert_allclose(slots["momentum"], [0.0051987524], rtol=1e-6)
    np.testing.assert_allclose(w, [0.9948012476], rtol=1e-6)


def test_rmsprop_centered_momentum_two_dense_steps():
    # ApplyCenteredRMSProp, lr 0.1, rho 0.9, mu 0.5, eps 1e-6, g = 1 then -1, w0 = 0:
    # step 1: ms = 1 + (1 - 1) * 0.1 = 1;  mg = 0 + (1 - 0) * 0.1 = 0.1
    #         mom = 0.1 * 1 / sqrt(1 - 0.01 + 1e-6) = 0.1 / 0.99498794 = 0.10050373
    #         w = -0.10050373
    # step 2: ms = 1 + (1 - 1) * 0.1 = 1;  mg = 0.1 + (-1 - 0.1) * 0.1 = -0.01
    #         mom = 0.5 * 0.10050373 + 0.1 * -1 / sqrt(1 - 0.0001 + 1e-6)
    #             = 0.050251865 - 0.10000495 = -0.049753085
    #         w = -0.10050373 + 0.049753085 = -0.050750645
    opt = V1.RMSPropOptimizer(0.1, momentum=0.5, epsilon=1e-6, centered=True)
    w, slots = _step(opt, [0.0], [np.array([1.0], f32), np.array([-1.0], f32)])
    np.testing.assert_allclose(slots["mg"], [-0.01], rtol=1e-5)
    np.testing.assert_allclose(slots["momentum"], [-0.049753085], rtol=1e-5)
    np.testing.assert_allclose(w, [-0.050750645], rtol=1e-5)


def test_rmsprop_row_sparse_updates_only_the_given_rows():
    # SparseApplyRMSProp, lr 0.01, rho 0.9, mu 0, eps 1e-10; ids [1, 1] sum to g = 2 on
    # row 1:  ms = 1 * 0.9 + 4 * 0.1 = 1.3;  mom = rsqrt(1.3) * 0.01 * 2 = 0.017541160;
    # w = -0.017541160. Rows 0 and 2 keep rms 1 and momentum 0 (Keras' RMSprop without
    # momentum would decay every row's rms to 0.9).
    g = RowSparse(ids=np.array([1, 1]), rows=np.array([[1.0], [1.0]], f32), dense_shape=(3, 1))
    w, slots = _step(V1.RMSPropOptimizer(0.01), np.zeros((3, 1)), [g])
    np.testing.assert_allclose(w[:, 0], [0.0, -0.017541160, 0.0], rtol=1e-6)
    np.testing.assert_allclose(slots["rms"][:, 0], [1.0, 1.3, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(slots["momentum"][[0, 2], 0], [0.0, 0.0])


def test_rmsprop_centered_sparse_matches_the_dense_formula():
    # One row, one step: both kernels compute ms = 1, mg = 0.1 * g,
    # mom = lr * g / sqrt(ms - mg^2 + eps) (the float order differs, not the value).
    opt = V1.RMSPropOptimizer(0.1, momentum=0.5, epsilon=1e-6, centered=True)
    dense, _ = _step(opt, [[0.0]], [np.array([[1.0]], f32)])
    sparse, _ = _step(opt, [[0.0]], [RowSparse(np.array([0]), np.array([[1.0]], f32), (1, 1))])
    np.testing.assert_allclose(sparse, dense, rtol=1e-6)
    np.testing.assert_allclose(sparse, [[-0.10050373]], rtol=1e-6)


# -------------------------------------------------------------------------------- Adam
def test_beta_power_is_v1s_product_chain_not_pow():
    # v1 adam.py keeps beta1_power in a float32 variable: beta1_power *= beta1 per step.
    b = f32(0.9)
    chain = f32(f32(f32(b * b) * b) * b)
    assert beta_power(0.9, 4, np.float32) == chain == f32(0.6560999)
    assert np.power(b, f32(4)) == f32(0.6561)  # what Keras' pow(beta, t) gives
    b2 = f32(0.999)
    assert beta_power(0.999, 3, np.float32) == f32(f32(b2 * b2) * b2) == f32(0.9970031)
    assert beta_power(0.9, 1, np.float32) == b
    # A long chain (accumulate path) equals multiplying one by one.
    one_by_one = b
    for _ in range(199):
        one_by_one = f32(one_by_one * b)
    assert beta_power(0.9, 200, np.float32) == one_by_one
    assert beta_power(0.9, 2, np.float64) == np.float64(0.9) * np.float64(0.9)


def test_adam_uses_the_chained_beta_powers():
    # v1 ApplyAdam in float32, t = 1..4, lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8:
    #   alpha_t = lr * sqrt(1 - beta2_power_t) / (1 - beta1_power_t)
    #   m += (g - m)(1 - beta1);  v += (g^2 - v)(1 - beta2);  w -= m * alpha / (sqrt(v) + eps)
    # with beta_power_t the product chain (beta1_power_4 = 0.6560999, not 0.6561).
    grads = [f32(0.3), f32(-0.2), f32(0.7), f32(0.1)]
    lr, b1, b2, eps = f32(0.1), f32(0.9), f32(0.999), f32(1e-8)
    w, m, v = f32(0.5), f32(0), f32(0)
    b1p, b2p = b1, b2
    for g in grads:
        alpha = f32(f32(lr * np.sqrt(f32(1) - b2p)) / (f32(1) - b1p))
        m = f32(m + (g - m) * (f32(1) - b1))
        v = f32(v + (g * g - v) * (f32(1) - b2))
        w = f32(w - (m * alpha) / (np.sqrt(v) + eps))
        b1p, b2p = f32(b1p * b1), f32(b2p * b2)
    opt = V1.AdamOptimizer(0.1)
    assert isinstance(opt, V1Adam) and opt.epsilon == 1e-8
    got, slots = _step(opt, [0.5], [np.array([g], f32) for g in grads])
    assert got[0] == w
    assert slots["m"][0] == m and slots["v"][0] == v


def test_adam_keeps_epsilon_zero():
    # v1 passes epsilon through; Keras' `epsilon or 1e-7` would turn 0 into 1e-7.
    assert V1.AdamOptimizer(0.1, epsilon=0.0).epsilon == 0.0


# ---------------------------------------------------------------------------- Momentum
def test_momentum_applies_the_learning_rate_when_the_variable_moves():
    # ApplyMomentum, mu 0.9, lr 0.1 at step 0 then 0.05 (piecewise_constant), g = 1, 1:
    #   a1 = 1;            w1 = 1 - 0.1 * 1 = 0.9
    #   a2 = 0.9 + 1 = 1.9; w2 = 0.9 - 0.05 * 1.9 = 0.805
    # (Keras' SGD: b2 = 0.9 * -0.1 - 0.05 = -0.14, w2 = 0.76.)
    lr = V1.piecewise_constant(V1.get_global_step(), [0], [0.1, 0.05])
    opt = V1.MomentumOptimizer(lr, 0.9)
    assert isinstance(opt, V1Momentum)
    w, slots = _step(opt, [1.0], [np.array([1.0], f32)] * 2)
    np.testing.assert_allclose(w, [0.805], rtol=1e-6)
    np.testing.assert_allclose(slots["accum"], [1.9], rtol=1e-6)


def test_momentum_nesterov_dense_and_sparse():
    # use_nesterov: a = mu * a + g;  w -= g * lr + a * mu * lr.  lr 0.1, mu 0.9, g = 1, 1:
    #   a1 = 1;    w1 = 0 - (0.1 + 0.09) = -0.19
    #   a2 = 1.9;  w2 = -0.19 - (0.1 + 1.9 * 0.9 * 0.1) = -0.19 - 0.271 = -0.461
    opt = V1.MomentumOptimizer(0.1, 0.9, use_nesterov=True)
    dense, _ = _step(opt, [[0.0]], [np.array([[1.0]], f32)] * 2)
    g = RowSparse(np.array([0]), np.array([[1.0]], f32), (2, 1))
    sparse, slots = _step(opt, [[0.0], [0.0]], [g, g])
    np.testing.assert_allclose(dense, [[-0.461]], rtol=1e-6)
    np.testing.assert_allclose(sparse, [[-0.461], [0.0]], rtol=1e-6)
    np.testing.assert_allclose(slots["accum"], [[1.9], [0.0]], rtol=1e-6)


# ----------------------------------------------------------- the other v1 optimizers
def test_other_v1_optimizers_keep_their_classes_and_v1_defaults():
    assert type(V1.GradientDescentOptimizer(0.1)).__name__ == "SGD"
    adagrad = V1.AdagradOptimizer(0.1)
    assert (adagrad.initial_accumulator_value, adagrad.epsilon) == (0.1, 0.0)
    # v1 ApplyAdagrad: acc = 0.1 + 0.25 = 0.35;  w = 1 - 0.1 * 0.5 / sqrt(0.35) = 0.91548 ...
    w, _ = _step(adagrad, [1.0], [np.array([0.5], f32)])
    np.testing.assert_allclose(w, [1 - 0.05 / np.sqrt(0.35)], rtol=1e-6)


# ------------------------------------------------------------ through the estimators
def _train_regressor(optimizer, columns, features, model_dir):
    est = tf.compat.v1.estimator.LinearRegressor(columns, model_dir=str(model_dir),
                                                 optimizer=optimizer)
    est.train(lambda: (features, np.array([[1.0]], f32)), steps=1)
    return est


def test_linear_regressor_rmsprop_one_step_dense_and_sparse(tmp_path):
    # One example, label 1, zero-initialised model, SUM reduction: loss = (0 - 1)^2,
    # d loss / d w = 2 * (0 - 1) * x = -2 for x = 1 (and for the bias, and for row 1
    # of the categorical column's weights). v1 RMSProp, lr 0.01:
    #   ms = 1 + (4 - 1) * 0.1 = 1.3;  mom = 0.01 * -2 / sqrt(1.3) = -0.017541160;
    #   w = 0.017541160.  Categorical rows 0 and 2 get no gradient: rms stays 1.
    fc = tf.feature_column
    est = _train_regressor(
        V1.RMSPropOptimizer(0.01),
        [fc.numeric_column("x"), fc.categorical_column_with_identity("c", 3)],
        {"x": np.array([[1.0]], f32), "c": np.array([[1]], np.int64)}, tmp_path)
    expected = 0.01 * 2 / np.sqrt(1.3)
    np.testing.assert_allclose(est.get_variable_value("linear/linear_model/x/weights"),
                               [[expected]], rtol=1e-6)
    np.testing.assert_allclose(est.get_variable_value("linear/linear_model/c/weights")[:, 0],
                               [0.0, expected, 0.0], rtol=1e-6)
    rms = est.get_variable_value("linear/linear_model/c/weights/part_0/RMSProp")  # TF v1's name
    np.testing.assert_allclose(rms[:, 0], [1.0, 1.3, 1.0], rtol=1e-6)


# ------------------------------------------------------- specs and older checkpoints
@pytest.mark.parametrize("opt", [V1.RMSPropOptimizer(0.01, momentum=0.3, centered=True),
                                 V1.AdamOptimizer(0.02, epsilon=0.0),
                                 V1.MomentumOptimizer(0.1, 0.9, use_nesterov=True)], ids=repr)
def test_spec_round_trips(opt):
    again = spec.from_dict(spec.to_dict(opt), "optimizer")
    assert again == opt and type(again) is type(opt)


def test_rmsprop_resumes_a_keras_rmsprop_checkpoint_without_momentum_slot():
    # cannery used to run v1 RMSProp as Keras' RMSprop, whose checkpoint has no
    # momentum slot when momentum is 0; v1's mom = 0 * mom + ... never reads it.
    stored = {"training/RMSprop/w/rms": np.full(2, 0.5, f32)}
    variables = {"w": np.zeros(2, f32)}
    opt = V1.RMSPropOptimizer(0.01)
    assert opt.has_any_slot(stored, "training/RMSprop")
    state = opt.state_from_variables(stored, variables, "training/RMSprop", iterations=3)
    np.testing.assert_array_equal(state.slots["w"]["rms"], [0.5, 0.5])
    np.testing.assert_array_equal(state.slots["w"]["momentum"], [0.0, 0.0])
    with pytest.raises(KeyError, match="momentum"):
        V1.RMSPropOptimizer(0.01, momentum=0.5).state_from_variables(
            stored, variables, "training/RMSprop")


def test_momentum_resumes_a_keras_sgd_checkpoint():
    # Keras' slot b = -lr * a (constant rate): b = -0.05 with lr 0.1 is a = 0.5.
    stored = {"training/SGD/w/momentum": np.array([-0.05], f32),
              "training/SGD/momentum": np.array(0.9, f32)}
    opt = V1.MomentumOptimizer(0.1, 0.9)
    assert opt.has_any_slot(stored, "training/SGD")
    assert not opt.has_any_slot({"training/SGD/momentum": np.array(0.9, f32)}, "training/SGD")
    state = opt.state_from_variables(stored, {"w": np.zeros(1, f32)}, "training/SGD")
    np.testing.assert_allclose(state.slots["w"]["accum"], [0.5], rtol=1e-6)


@pytest.mark.parametrize("opt", [
    V1.RMSPropOptimizer(0.1), V1.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    V1.AdamOptimizer(0.1), V1.MomentumOptimizer(0.1, 0.9),
    V1.MomentumOptimizer(0.1, 0.9, use_nesterov=True)], ids=repr)
def test_conformance_kit(opt):
    from cannery.testing import check_optimizer

    check_optimizer(opt)
