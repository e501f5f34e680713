"""InMemoryEvaluatorHook with TensorFlow 2.15's rules (tensorflow_estimator hooks/hooks.py).

The model: a LinearRegressor y = w x + b starting from w = b = 0 (global step 0), trained
by plain SGD (learning rate 1/8) on the single example x = 1, y = 1, with loss
(w + b - 1)^2. Both gradients are 2 (w + b - 1), so each step moves w + b by
-1/8 * 2 * 2 (w + b - 1): the error w + b - 1 halves. After k steps
w = b = (1 - 2^-k) / 2, all exact in float32.

Evaluated on x = 3, y = 1: the prediction is 3w + b = 4w = 2 - 2^(1-k), the error
1 - 2^(1-k), so the loss is (1 - 2^(1-k))^2:
k = 0: 1, k = 2: 1/4, k = 4: 49/64, k = 5: 225/256.
"""

import json

import numpy as np
import pytest

import cannery as tf
from cannery import checkpoint as ckpt

fc = tf.feature_column
experimental = tf.estimator.experimental
W, B = "linear/linear_model/x/weights", "linear/linear_model/bias_weights"


def _estimator(model_dir, **kwargs):
    ckpt.write(str(model_dir), {W: np.float32([[0.0]]), B: np.float32([0.0])}, 0)
    return tf.estimator.LinearRegressor(
        [fc.numeric_column("x")], model_dir=str(model_dir),
        optimizer=tf.keras.optimizers.SGD(0.125), **kwargs)


def _train_input_fn():
    return {"x": np.float32([1.0])}, np.float32([1.0])


def _eval_input_fn():
    return {"x": np.float32([3.0])}, np.float32([1.0])


def _eval_loss(k):
    """The loss on x = 3, y = 1 after k steps (module docstring)."""
    return (1.0 - 2.0 ** (1 - k)) ** 2


class _Recorder(tf.estimator.SessionRunHook):
    """An evaluation hook recording its calls and the weight it sees."""

    def __init__(self):
        self.calls = []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append(("session", session.global_step,
                           float(session.run(W).ravel()[0])))

    def end(self, session):
        self.calls.append("end")


def test_evaluates_at_creation_every_n_iterations_and_at_end(tmp_path):
    estimator = _estimator(tmp_path / "model")
    recorder = _Recorder()
    hook = experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, hooks=[recorder],
                                              every_n_iter=2)
    estimator.train(_train_input_fn, steps=5, hooks=[hook])
    # TF's SecondOrStepTimer on the hook's own iteration count: after_create_session at
    # iteration 0, after_run at iterations 2 and 4 (>= last + 2), then end (step 5).
    history = experimental.read_eval_metrics(estimator.eval_dir())
    assert list(history) == [0, 2, 4, 5]
    for step, metrics in history.items():
        assert metrics["loss"] == _eval_loss(step)  # exact: 1, 1/4, 49/64, 225/256
        assert metrics["global_step"] == step
        assert metrics["checkpoint_path"] is None  # no checkpoint was evaluated
    assert history[2]["loss"] == 0.25 and history[5]["loss"] == 225 / 256
    # Each evaluation runs the evaluation hooks as a fresh evaluation does; they see the
    # live global step and weight w = (1 - 2^-k) / 2.
    assert recorder.calls == [c for k in (0, 2, 4, 5)
                              for c in ("begin", ("session", k, (1 - 2.0 ** -k) / 2), "end")]


def test_end_evaluates_again_after_an_evaluation_at_the_last_step(tmp_path):
    estimator = _estimator(tmp_path / "model")
    hook = experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, every_n_iter=2)
    estimator.train(_train_input_fn, steps=4, hooks=[hook])
    path = tmp_path / "model" / "eval" / "results.jsonl"
    # Iterations 0, 2, 4 and end(), also at global step 4: TF does not skip it.
    steps = [json.loads(line)["global_step"] for line in path.read_text().splitlines()]
    assert steps == [0, 2, 4, 4]


def test_each_train_call_restarts_the_iteration_count(tmp_path):
    estimator = _estimator(tmp_path / "model")
    hook = experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, every_n_iter=3,
                                              name="val")
    estimator.train(_train_input_fn, steps=2, hooks=[hook])  # iteration 0, end: steps 0, 2
    estimator.train(_train_input_fn, steps=4, hooks=[hook])  # iterations 0, 3, end: 2, 5, 6
    history = experimental.read_eval_metrics(estimator.eval_dir("val"))
    assert list(history) == [0, 2, 5, 6]
    assert history[6]["loss"] == _eval_loss(6)  # (1 - 1/32)^2 = 961/1024
    assert not (tmp_path / "model" / "eval").exists()  # named: only eval_val


def test_evaluation_leaves_the_training_unchanged(tmp_path):
    with_hook = _estimator(tmp_path / "a")
    hook = experimental.InMemoryEvaluatorHook(with_hook, _eval_input_fn, every_n_iter=1)
    with_hook.train(_train_input_fn, steps=5, hooks=[hook])
    without = _estimator(tmp_path / "b")
    without.train(_train_input_fn, steps=5)
    names = without.get_variable_names()
    assert with_hook.get_variable_names() == names
    for name in names:
        np.testing.assert_array_equal(with_hook.get_variable_value(name),
                                      without.get_variable_value(name))
    assert with_hook.get_variable_value(W)[0, 0] == 31 / 64  # (1 - 2^-5) / 2
    assert list(experimental.read_eval_metrics(with_hook.eval_dir())) == [0, 1, 2, 3, 4, 5]


def test_evaluation_equals_evaluate_on_the_checkpoint(tmp_path):
    estimator = _estimator(tmp_path / "model")
    hook = experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, name="mem")
    estimator.train(_train_input_fn, steps=3, hooks=[hook])
    in_memory = experimental.read_eval_metrics(estimator.eval_dir("mem"))[3]
    result = estimator.evaluate(_eval_input_fn, steps=1)
    on_disk = experimental.read_eval_metrics(estimator.eval_dir())[3]
    assert result["loss"] == _eval_loss(3) == 0.5625  # (1 - 1/4)^2
    assert {k: v for k, v in in_memory.items() if k != "checkpoint_path"} == \
        {k: v for k, v in on_disk.items() if k != "checkpoint_path"}


def test_steps_bounds_each_evaluation(tmp_path):
    estimator = _estimator(tmp_path / "model")

    def eval_input_fn():  # two batches: x = 3 (loss per k) then x = -1, y = 1 (loss 1,
        # as -w + b = 0 for every k)
        return iter([({"x": np.float32([3.0])}, np.float32([1.0])),
                     ({"x": np.float32([-1.0])}, np.float32([1.0]))])

    first = experimental.InMemoryEvaluatorHook(estimator, eval_input_fn, steps=1,
                                               name="one")
    both = experimental.InMemoryEvaluatorHook(estimator, eval_input_fn, name="all")
    estimator.train(_train_input_fn, steps=2, hooks=[first, both])
    one = experimental.read_eval_metrics(estimator.eval_dir("one"))
    every = experimental.read_eval_metrics(estimator.eval_dir("all"))
    assert one[2]["loss"] == 0.25  # only the first batch
    assert every[2]["loss"] == (0.25 + 1.0) / 2  # the mean of the batch losses


def test_early_stopping_reads_the_in_memory_evaluations(tmp_path):
    estimator = _estimator(tmp_path / "model")
    evaluator = experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, every_n_iter=2)
    stopper = experimental.stop_if_lower_hook(estimator, "loss", 0.5, run_every_secs=None,
                                              run_every_steps=1)
    estimator.train(_train_input_fn, steps=10, hooks=[evaluator, stopper])
    # Iteration 1: only the step-0 evaluation (loss 1) exists. Iteration 2: the evaluator
    # writes loss 1/4 at step 2 first, the stopper then sees it below 0.5 and stops.
    assert list(experimental.read_eval_metrics(estimator.eval_dir())) == [0, 2]
    assert estimator.get_variable_value("global_step") == 2


# --- argument validation (TF's messages) ------------------------------------------------
@pytest.mark.parametrize("every_n_iter", [None, 0, -1])
def test_invalid_every_n_iter(tmp_path, every_n_iter):
    estimator = _estimator(tmp_path / "model")
    with pytest.raises(ValueError, match=rf"^invalid every_n_iter={every_n_iter}\.$"):
        experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn,
                                           every_n_iter=every_n_iter)


def test_invalid_steps_and_hooks(tmp_path):
    estimator = _estimator(tmp_path / "model")
    with pytest.raises(ValueError, match=r"^Must specify steps > 0, given: 0$"):
        experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, steps=0)
    with pytest.raises(TypeError, match=r"^Hooks must be a SessionRunHook, given: 3$"):
        experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, hooks=[3])
    # every_n_iter is checked first, as in TF.
    with pytest.raises(ValueError, match="invalid every_n_iter=0"):
        experimental.InMemoryEvaluatorHook(estimator, _eval_input_fn, steps=0, hooks=[3],
                                           every_n_iter=0)


def test_only_a_single_machine(tmp_path):
    estimator = _estimator(tmp_path / "model")

    class Distributed:
        model_dir = estimator.model_dir
        config = type("Config", (), {"num_ps_replicas": 1, "num_worker_replicas": 1})()

    with pytest.raises(ValueError, match=r"^InMemoryEvaluator supports only single machine "
                                         r"\(aka Local\) setting\.$"):
        experimental.InMemoryEvaluatorHook(Distributed(), _eval_input_fn)
