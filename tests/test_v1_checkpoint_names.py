"""tf.compat.v1.estimator checkpoints name the optimizer state as TensorFlow 2.15's v1 classes.

The names follow TF's ``slot_creator.create_slot``: a ``tf.compat.v1.train`` optimizer
makes each slot in the variable scope ``<var>/<name>`` (``Optimizer._zeros_slot(v, slot,
self._name)``), made unique in creation order: ``<name>``, ``<name>_1``, ... (Adam: m, v;
Ftrl: accum, linear; RMSProp: rms, [mg,] momentum: training/{adam,ftrl,rmsprop}.py
``_create_slots``). Between variable and slot, the DNN's one-partition variables put
``t_0`` and the Linear model's ``part_0``; wide & deep and Baseline put nothing. Adam's
``beta1_power``/``beta2_power`` are non-slot variables in the head's name scope. No
hyper-parameter variables, no ``iter``. (Checked against TensorFlow 2.15.1 with
tools/tf_diff/programs/v1names/p_names.py, p_cols.py, p_resume.py and p_warm.py.)

Values are one or two steps of ``x = 1, y = 1`` regression, derived in each test: the
prediction starts at 0, SUM reduction, so d loss / d w = d loss / d b = 2 (pred - 1).
"""

import math
import shutil

import attrs
import numpy as np
import pytest

import cannery as tf
from cannery.core.checkpoint import VariableNotFoundError
from cannery.plugins.estimators.v1 import V1CheckpointNames, _slot_disk_names
from cannery.plugins.optimizers.ftrl import Ftrl
from tests.tf_fixtures import fixtures

V1 = tf.compat.v1.train
E = tf.compat.v1.estimator
fc = tf.feature_column
f32 = np.float32

X = "linear/linear_model/x/weights"
B = "linear/linear_model/bias_weights"


def _input_fn():
    return {"x": np.array([[1.0]], f32)}, np.array([[1.0]], f32)


def _linear(model_dir, **kwargs):
    return E.LinearRegressor([fc.numeric_column("x")], model_dir=str(model_dir), **kwargs)


def _value(est, name):
    return np.asarray(est.get_variable_value(name)).ravel()


# ------------------------------------------------------------------------ Linear, Ftrl
def test_linear_ftrl_slots_are_part_0_ftrl_then_ftrl_1(tmp_path):
    # v1 Linear's default: FtrlOptimizer(lr = min(0.2, 1/sqrt(1 column)) = 0.2), accum 0.1.
    # Step 1, g = 2 (0 - 1) = -2:  accum = 0.1 + 4 = 4.1;  linear = 0 + g - 0 = -2;
    #   w = -linear / (sqrt(accum) / lr) = 0.4 / sqrt(4.1) = 0.19754592.
    est = _linear(tmp_path)
    est.train(_input_fn, steps=1)
    names = [B, f"{B}/part_0/Ftrl", f"{B}/part_0/Ftrl_1", X, f"{X}/part_0/Ftrl",
             f"{X}/part_0/Ftrl_1"]
    assert est.get_variable_names() == ["global_step", *names]
    assert [n for n, _ in tf.train.list_variables(str(tmp_path))] == ["global_step", *names]
    for var in (X, B):
        np.testing.assert_allclose(_value(est, f"{var}/part_0/Ftrl"), [4.1], rtol=1e-6)
        np.testing.assert_allclose(_value(est, f"{var}/part_0/Ftrl_1"), [-2.0], rtol=1e-6)
        np.testing.assert_allclose(_value(est, var), [0.4 / math.sqrt(4.1)], rtol=1e-6)


def _expect_second_ftrl_step(est):
    # Step 2 from step 1's state (w = b = 0.19754592, accum 4.1, linear -2), lr 0.2:
    #   g = 2 (2 * 0.19754592 - 1) = -1.20981632;  accum = 4.1 + g^2 = 5.56365553
    #   linear = -2 + g - (sqrt(5.56365553) - sqrt(4.1)) / 0.2 * 0.19754592 = -3.53961387
    #   w = 3.53961387 / (sqrt(5.56365553) / 0.2) = 0.30012748
    assert est.get_variable_value("global_step") == 2
    for var in (X, B):
        np.testing.assert_allclose(_value(est, f"{var}/part_0/Ftrl"), [5.56365553], rtol=1e-6)
        np.testing.assert_allclose(_value(est, f"{var}/part_0/Ftrl_1"), [-3.53961387],
                                   rtol=1e-6)
        np.testing.assert_allclose(_value(est, var), [0.30012748], rtol=1e-6)


def test_linear_resumes_its_own_v1_checkpoint(tmp_path):
    _linear(tmp_path).train(_input_fn, steps=1)
    est = _linear(tmp_path)  # a new estimator: the slots come from the checkpoint
    est.train(_input_fn, steps=1)
    _expect_second_ftrl_step(est)
    assert not any(n.startswith("training") for n in est.get_variable_names())


def test_linear_resumes_cannerys_older_training_scope_checkpoint(tmp_path):
    # cannery wrote v1 models with the v2 names before; step 1's state in that layout.
    w = f32(0.4 / math.sqrt(4.1))
    old = {X: np.array([[w]], f32), B: np.array([w], f32)}
    for var, value in list(old.items()):
        old[f"training/Ftrl/{var}/accumulator"] = np.full_like(value, 4.1)
        old[f"training/Ftrl/{var}/linear"] = np.full_like(value, -2.0)
    old["training/Ftrl/learning_rate"] = np.array(0.2, f32)
    tf.checkpoint.write(str(tmp_path), old, 1)
    est = _linear(tmp_path)
    est.train(_input_fn, steps=1)
    _expect_second_ftrl_step(est)
    assert est.get_variable_names() == ["global_step", B, f"{B}/part_0/Ftrl",
                                        f"{B}/part_0/Ftrl_1", X, f"{X}/part_0/Ftrl",
                                        f"{X}/part_0/Ftrl_1"]


def test_linear_resumes_tensorflows_v1_names_written_by_hand(tmp_path):
    # The variables TensorFlow's v1 LinearRegressor saves after step 1 (see above).
    w = f32(0.4 / math.sqrt(4.1))
    tf_names = {X: np.array([[w]], f32), B: np.array([w], f32)}
    for var, value in list(tf_names.items()):
        tf_names[f"{var}/part_0/Ftrl"] = np.full_like(value, 4.1)
        tf_names[f"{var}/part_0/Ftrl_1"] = np.full_like(value, -2.0)
    tf.checkpoint.write(str(tmp_path), tf_names, 1)
    est = _linear(tmp_path)
    est.train(_input_fn, steps=1)
    _expect_second_ftrl_step(est)


# ------------------------------------------------------------------ every v1 optimizer
_G = -2.0  # step 1's gradient of w and b
_SLOTS = [
    # AdagradOptimizer: accumulator = 0.1 + g^2 = 4.1
    ("adagrad", lambda: V1.AdagradOptimizer(0.1), {"Adagrad": 4.1}),
    ("proximal_adagrad", lambda: V1.ProximalAdagradOptimizer(0.1), {"ProximalAdagrad": 4.1}),
    # MomentumOptimizer: accumulation = 0.9 * 0 + g = -2
    ("momentum", lambda: V1.MomentumOptimizer(0.1, 0.9), {"Momentum": -2.0}),
    # AdamOptimizer: m = (1 - 0.9) g = -0.2, v = (1 - 0.999) g^2 with 1 - 0.999 in
    # float32 (0.0010000467): 0.0040001869
    ("adam", lambda: V1.AdamOptimizer(0.1),
     {"Adam": -0.2, "Adam_1": float(f32(1) - f32(0.999)) * 4}),
    # RMSPropOptimizer (rms starts at 1): rms = 0.9 + 0.1 g^2 = 1.3;
    #   momentum = 0.01 g / sqrt(1.3 + 1e-10) = -0.017541160
    ("rmsprop", lambda: V1.RMSPropOptimizer(0.01),
     {"RMSProp": 1.3, "RMSProp_1": 0.01 * _G / math.sqrt(1.3)}),
    # centered, momentum 0.5: rms 1.3; mg = 0.1 g = -0.2;
    #   momentum = 0.01 g / sqrt(1.3 - 0.04 + 1e-10) = -0.017817416
    ("rmsprop_centered", lambda: V1.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
     {"RMSProp": 1.3, "RMSProp_1": -0.2, "RMSProp_2": 0.01 * _G / math.sqrt(1.26)}),
    ("gradient_descent", lambda: V1.GradientDescentOptimizer(0.1), {}),
    # A name= of its own names the slots.
    ("named", lambda: V1.AdagradOptimizer(0.1, name="Mine"), {"Mine": 4.1}),
]


@pytest.mark.parametrize("make, slots", [s[1:] for s in _SLOTS], ids=[s[0] for s in _SLOTS])
def test_linear_slot_names_and_values_for_every_v1_optimizer(tmp_path, make, slots):
    est = _linear(tmp_path, optimizer=make())
    est.train(_input_fn, steps=1)
    powers = ["linear/head/beta1_power", "linear/head/beta2_power"] if "Adam" in slots else []
    expected = sorted(["global_step", X, B, *powers,
                       *(f"{var}/part_0/{slot}" for var in (X, B) for slot in slots)])
    assert est.get_variable_names() == expected
    for var in (X, B):
        for slot, value in slots.items():
            np.testing.assert_allclose(_value(est, f"{var}/part_0/{slot}"), [value],
                                       rtol=1e-6, err_msg=slot)
    if powers:
        # float32 variables, beta after step 1: beta * beta (TF multiplies once per step)
        assert est.get_variable_value(powers[0]) == f32(0.9) * f32(0.9)
        assert est.get_variable_value(powers[1]) == f32(0.999) * f32(0.999)
        assert est.get_variable_value(powers[0]).dtype == np.float32


def test_resumed_adam_keeps_the_beta_power_chain(tmp_path):
    _linear(tmp_path, optimizer=V1.AdamOptimizer(0.1)).train(_input_fn, steps=1)
    est = _linear(tmp_path, optimizer=V1.AdamOptimizer(0.1))
    est.train(_input_fn, steps=1)
    # after step 2: ((0.9 * 0.9) * 0.9) in float32 = 0.7289999
    assert est.get_variable_value("linear/head/beta1_power") == f32(0.9) * f32(0.9) * f32(0.9)
    assert est.get_variable_value("linear/head/beta1_power") == f32(0.7289999)


def test_beta_powers_other_than_the_steps_are_reported(tmp_path, caplog):
    w = np.zeros((1, 1), f32)
    stored = {X: w, B: w[0], "linear/head/beta1_power": np.array(0.5, f32),
              "linear/head/beta2_power": np.array(f32(0.999) * f32(0.999), f32)}
    for var in (X, B):
        stored[f"{var}/part_0/Adam"] = np.zeros_like(stored[var])
        stored[f"{var}/part_0/Adam_1"] = np.zeros_like(stored[var])
    tf.checkpoint.write(str(tmp_path), stored, 1)
    est = _linear(tmp_path, optimizer=V1.AdamOptimizer(0.1))
    with caplog.at_level("WARNING"):
        est.train(_input_fn, steps=1)
    messages = [r.getMessage() for r in caplog.records if "beta1_power" in r.getMessage()]
    assert len(messages) == 1 and "is 0.5" in messages[0]  # beta2_power agrees: no warning


# ------------------------------------------------------------ DNN, wide & deep, Baseline
def test_dnn_slots_are_t_0_and_beta_powers_under_dnn_head(tmp_path):
    est = E.DNNRegressor([2], [fc.numeric_column("x")], model_dir=str(tmp_path),
                         optimizer=V1.AdamOptimizer(0.01))
    est.train(_input_fn, steps=1)
    model = ["dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_0/kernel", "dnn/logits/bias",
             "dnn/logits/kernel"]
    assert est.get_variable_names() == sorted(
        ["global_step", "dnn/head/beta1_power", "dnn/head/beta2_power", *model,
         *(f"{v}/t_0/{s}" for v in model for s in ("Adam", "Adam_1"))])


def test_dnn_default_is_t_0_adagrad(tmp_path):
    est = E.DNNClassifier([2], [fc.numeric_column("x")], model_dir=str(tmp_path))
    est.train(lambda: ({"x": np.array([[1.0]], f32)}, np.array([[1]])), steps=1)
    assert "dnn/logits/kernel/t_0/Adagrad" in est.get_variable_names()
    assert not any(n.startswith("training") for n in est.get_variable_names())
    # v1 Adagrad: accumulator = 0.1 + g^2 > 0.1 where the gradient is not 0
    assert _value(est, "dnn/logits/bias/t_0/Adagrad")[0] > 0.1


def _wide_deep(model_dir):
    return E.DNNLinearCombinedRegressor(
        model_dir=str(model_dir), linear_feature_columns=[fc.numeric_column("x")],
        dnn_feature_columns=[fc.numeric_column("x")], dnn_hidden_units=[2],
        linear_optimizer=V1.AdamOptimizer(0.02, beta1=0.5),
        dnn_optimizer=V1.AdamOptimizer(0.01, beta1=0.8))


def test_wide_deep_slots_have_no_infix_and_the_dnn_adam_is_built_first(tmp_path):
    est = _wide_deep(tmp_path)
    est.train(_input_fn, steps=1)
    names = est.get_variable_names()
    assert {"dnn/logits/kernel/Adam", "dnn/logits/kernel/Adam_1", f"{X}/Adam", f"{X}/Adam_1",
            "head/beta1_power", "head/beta1_power_1", "head/beta2_power",
            "head/beta2_power_1"} <= set(names)
    assert not any(n.startswith("training") or "/t_0/" in n or "/part_0/" in n for n in names)
    # head/beta1_power is the DNN optimizer's (beta1 0.8), _1 the linear one's (0.5).
    assert est.get_variable_value("head/beta1_power") == f32(0.8) * f32(0.8)
    assert est.get_variable_value("head/beta1_power_1") == f32(0.25)
    # Resumed, the linear part steps with the global step (v1 keeps no iteration count):
    # beta1_power_1 after step 2 = 0.5^3.
    est = _wide_deep(tmp_path)
    est.train(_input_fn, steps=1)
    assert est.get_variable_value("head/beta1_power_1") == f32(0.125)


def test_baseline_slots_and_powers_have_no_scope(tmp_path):
    est = E.BaselineRegressor(model_dir=str(tmp_path))
    est.train(_input_fn, steps=1)
    # Ftrl at v1 Baseline's 0.3: accum = 0.1 + 4, linear = -2
    assert est.get_variable_names() == ["baseline/bias", "baseline/bias/Ftrl",
                                        "baseline/bias/Ftrl_1", "global_step"]
    np.testing.assert_allclose(_value(est, "baseline/bias/Ftrl"), [4.1], rtol=1e-6)
    est = E.BaselineRegressor(model_dir=str(tmp_path / "adam"), optimizer=V1.AdamOptimizer())
    est.train(_input_fn, steps=1)
    assert {"head/beta1_power", "baseline/bias/Adam_1"} <= set(est.get_variable_names())


def test_v2_classes_keep_their_names(tmp_path):
    est = tf.estimator.LinearRegressor([fc.numeric_column("x")], model_dir=str(tmp_path))
    est.train(_input_fn, steps=1)
    names = est.get_variable_names()
    assert f"training/Ftrl/{X}/accumulator" in names and "training/Ftrl/learning_rate" in names
    assert not any("part_0" in n for n in names)


# ------------------------------------------------------------------- another optimizer
def test_another_optimizers_slots_are_tensorflows_not_found_error(tmp_path):
    _linear(tmp_path, optimizer=V1.AdagradOptimizer(0.1)).train(_input_fn, steps=1)
    with pytest.raises(VariableNotFoundError,
                       match=f"Key {X}/part_0/Ftrl not found in checkpoint .*Adagrad"):
        _linear(tmp_path).train(_input_fn, steps=1)
    # GradientDescent needs no slot: TensorFlow restores what its graph has.
    est = _linear(tmp_path, optimizer=V1.GradientDescentOptimizer(0.1))
    est.train(_input_fn, steps=1)
    assert est.get_variable_names() == ["global_step", B, X]


def test_a_missing_slot_names_its_key(tmp_path):
    stored = {X: np.zeros((1, 1), f32), B: np.zeros(1, f32),
              f"{X}/part_0/Ftrl": np.ones((1, 1), f32), f"{X}/part_0/Ftrl_1": np.ones((1, 1), f32),
              f"{B}/part_0/Ftrl": np.ones(1, f32)}
    tf.checkpoint.write(str(tmp_path), stored, 1)
    with pytest.raises(VariableNotFoundError, match=f"Key {B}/part_0/Ftrl_1 not found"):
        _linear(tmp_path).train(_input_fn, steps=1)


# --------------------------------------------------------------------------- warm start
@pytest.fixture
def momentum_source(tmp_path):
    # MomentumOptimizer(0.1, 0.9), step 1: accum = g = -2;  w = b = 0 - 0.1 * -2 = 0.2
    source = tmp_path / "source"
    _linear(source, optimizer=V1.MomentumOptimizer(0.1, 0.9)).train(_input_fn, steps=1)
    return str(source)


@pytest.mark.parametrize("vars_to_warm_start, weights, accum", [
    # TF's graph names: linear/linear_model/x/weights/part_0 (model variable),
    # linear/linear/linear_model/x/weights/part_0/Momentum (slot). Learning rate 0:
    # the weights stay, accum = 0.9 accum0 + g with g = 2 (x w + b - 1).
    (["linear/linear_model/.*"], 0.2, -1.2),      # weights only: g = 2 (0.4 - 1)
    (["linear/linear/.*"], 0.0, 0.9 * -2 - 2),    # slots only: g = -2
    ([".*"], 0.2, 0.9 * -2 - 1.2),                # everything
], ids=["model_scope", "slot_scope", "all"])
def test_warm_start_matches_tensorflows_graph_names(tmp_path, momentum_source,
                                                    vars_to_warm_start, weights, accum):
    ws = tf.estimator.WarmStartSettings(momentum_source, vars_to_warm_start=vars_to_warm_start)
    est = _linear(tmp_path / "new", optimizer=V1.MomentumOptimizer(0.0, 0.9),
                  warm_start_from=ws)
    est.train(_input_fn, steps=1)
    for var in (X, B):
        np.testing.assert_allclose(_value(est, var), [weights], rtol=1e-6)
        np.testing.assert_allclose(_value(est, f"{var}/part_0/Momentum"), [accum], rtol=1e-6)
    assert est.get_variable_value("global_step") == (2 if vars_to_warm_start == [".*"] else 1)


def test_warm_start_single_pattern_matches_part_0(tmp_path, momentum_source):
    # A string selects TRAINABLE variables by graph name: x/weights/part_0:0 only.
    ws = tf.estimator.WarmStartSettings(momentum_source, vars_to_warm_start=".*x/weights/part_0:0")
    est = _linear(tmp_path / "new", optimizer=V1.MomentumOptimizer(0.0, 0.9),
                  warm_start_from=ws)
    est.train(_input_fn, steps=1)
    # w = 0.2, b = 0: g = 2 (0.2 - 1) = -1.6 in a fresh slot
    np.testing.assert_allclose(_value(est, X), [0.2], rtol=1e-6)
    np.testing.assert_allclose(_value(est, B), [0.0])
    np.testing.assert_allclose(_value(est, f"{X}/part_0/Momentum"), [-1.6], rtol=1e-6)


def test_graph_names_of_each_model():
    @attrs.define
    class T:  # what graph_names reads of a trainer
        optimizer: object
        variable_names: list

    dnn = V1CheckpointNames(infix="t_0", power_scope="dnn/head", slot_scope="dnn/")
    trainer = T(V1.AdamOptimizer(), ["dnn/logits/kernel"])
    names = ["dnn/logits/kernel", "dnn/logits/kernel/t_0/Adam", "dnn/head/beta1_power",
             "dnn/hiddenlayer_0/batchnorm_0/moving_mean"]
    assert dnn.graph_names(names, {"dnn/logits/kernel"}, [trainer]) == {
        "dnn/logits/kernel": "dnn/logits/kernel/part_0",
        "dnn/logits/kernel/t_0/Adam": "dnn/dnn/logits/kernel/part_0/Adam",
        "dnn/logits/kernel/t_0/Adam_1": "dnn/dnn/logits/kernel/part_0/Adam_1"}
    baseline = V1CheckpointNames(infix="", power_scope="head", partitioned=False)
    assert baseline.graph_names(["baseline/bias"], {"baseline/bias"},
                                [T(V1.FtrlOptimizer(0.3), ["baseline/bias"])]) == {
        "baseline/bias/Ftrl": "baseline/bias/Ftrl", "baseline/bias/Ftrl_1": "baseline/bias/Ftrl_1"}


def test_ftrl_slot_names_follow_accum_name_and_linear_name_where_an_optimizer_has_them():
    # v1 FtrlOptimizer: accum slot named accum_name or name, linear slot linear_name or name.
    @attrs.frozen
    class NamedFtrl(Ftrl):
        accum_name: str | None = None
        linear_name: str | None = None

    assert _slot_disk_names(NamedFtrl(0.1, name="F")) == ["F", "F_1"]
    assert _slot_disk_names(NamedFtrl(0.1, name="F", accum_name="acc", linear_name="lin")) == \
        ["acc", "lin"]
    assert _slot_disk_names(NamedFtrl(0.1, name="F", linear_name="F")) == ["F", "F_1"]


# --------------------------------------------------------- TensorFlow's own checkpoint
@pytest.mark.skipif(not fixtures.available(), reason="../shared fixtures absent")
def test_resumes_tensorflows_v1_dnn_checkpoint(tmp_path):
    # tf1_style_names: TF 2.15's tf.compat.v1.estimator.DNNClassifier after 30 steps.
    fixture = fixtures.load("tf1_style_names")
    for path in (fixtures.ROOT / "tf1_style_names").iterdir():
        if path.name != "fixture.json":
            shutil.copyfile(path, tmp_path / path.name)
    tf_names = sorted(v["name"] for v in fixture["variables"])
    est = fixtures.build_estimator(fixture, tmp_path)
    assert est.get_variable_names() == tf_names
    emb = "dnn/input_from_feature_columns/input_layer/source_embedding/embedding_weights"
    before = np.asarray(est.get_variable_value(f"{emb}/t_0/Adagrad"))
    features, labels = fixtures.batch(fixture)
    one = {key: value[:1] for key, value in features.items()}
    one["source"] = np.array(["grey"], dtype=object)  # vocabulary row 0 only
    est.train(lambda: (one, labels[:1]), steps=1)
    assert est.get_variable_value("global_step") == 31
    assert est.get_variable_names() == tf_names
    after = np.asarray(est.get_variable_value(f"{emb}/t_0/Adagrad"))
    # Rows 1-4 get no gradient: Adagrad keeps TF's accumulators (not a fresh 0.1);
    # row 0 adds g^2 > 0 to TF's.
    np.testing.assert_array_equal(after[1:], before[1:])
    assert not np.allclose(before[1:], 0.1)
    assert np.all(after[0] > before[0])
