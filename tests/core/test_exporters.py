"""BestExporter with TensorFlow 2.15's rules (tensorflow_estimator exporter.py)."""

import os

import numpy as np
import pytest

import cannery
from cannery import checkpoint as ckpt
from cannery.core.training import BestExporter

fc = cannery.feature_column


@pytest.fixture
def estimator(tmp_path):
    # y = 2 x + 1 exactly, so evaluating on (x, 2x + 1 + noise) gives loss = mean(noise^2).
    ckpt.write(str(tmp_path / "model"), {"linear/linear_model/x/weights": np.float32([[2.0]]),
                                         "linear/linear_model/bias_weights": np.float32([1.0])},
               7)
    return cannery.estimator.LinearRegressor([fc.numeric_column("x")],
                                             model_dir=str(tmp_path / "model"))


def _evaluate(estimator, noise):
    x = np.float32([0.0, 1.0])
    return estimator.evaluate(lambda: ({"x": x}, 2 * x + 1 + np.float32(noise)), steps=1)


def _exports(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def test_first_call_exports_then_only_strictly_better_results(estimator, tmp_path):
    export_path = str(tmp_path / "export" / "best")
    exporter = BestExporter(exports_to_keep=None)
    checkpoint = estimator.latest_checkpoint()
    first = _evaluate(estimator, 0.5)  # loss 0.25, also written to model_dir/eval
    assert first["loss"] == pytest.approx(0.25)
    # The best read back from model_dir/eval is this very result, yet the first call
    # of an instance always exports.
    assert exporter.export(estimator, export_path, checkpoint, first, False) is not None
    assert len(_exports(export_path)) == 1
    # Equal loss: not better (TF's _loss_smaller is a strict >).
    assert exporter.export(estimator, export_path, checkpoint, dict(first), False) is None
    worse = _evaluate(estimator, 1.0)  # loss 1.0
    assert exporter.export(estimator, export_path, checkpoint, worse, False) is None
    better = _evaluate(estimator, 0.25)  # loss 0.0625
    assert exporter.export(estimator, export_path, checkpoint, better, True) is not None
    assert len(_exports(export_path)) == 2


def test_a_new_instance_starts_from_the_written_evaluations(estimator, tmp_path):
    export_path = str(tmp_path / "export" / "best")
    checkpoint = estimator.latest_checkpoint()
    _evaluate(estimator, 0.1)  # loss 0.01 on disk: the best so far
    current = _evaluate(estimator, 0.5)  # loss 0.25
    exporter = BestExporter(exports_to_keep=None)
    assert exporter.export(estimator, export_path, checkpoint, current, False) is not None
    # After its first export the instance's best is what it exported (0.25) ...
    assert exporter.export(estimator, export_path, checkpoint,
                           _evaluate(estimator, 0.4), False) is not None  # 0.16 < 0.25
    # ... without a pattern nothing is read and the first export still happens.
    blind = BestExporter(event_file_pattern=None, exports_to_keep=None)
    assert blind.export(estimator, export_path, checkpoint, current, False) is not None


def test_compare_fn_is_called_with_tf_keywords(estimator, tmp_path):
    calls = []

    def higher_accuracy_like(best_eval_result, current_eval_result):
        calls.append((best_eval_result["loss"], current_eval_result["loss"]))
        return current_eval_result["loss"] > best_eval_result["loss"]  # "bigger is better"

    exporter = BestExporter(compare_fn=higher_accuracy_like, exports_to_keep=None)
    path = str(tmp_path / "export" / "best")
    checkpoint = estimator.latest_checkpoint()
    exporter.export(estimator, path, checkpoint, _evaluate(estimator, 0.5), False)
    result = exporter.export(estimator, path, checkpoint, _evaluate(estimator, 1.0), False)
    assert result is not None and calls[-1] == (pytest.approx(0.25), pytest.approx(1.0))


def test_exports_to_keep_collects_older_exports(estimator, tmp_path):
    path = str(tmp_path / "export" / "best")
    exporter = BestExporter(exports_to_keep=1)
    checkpoint = estimator.latest_checkpoint()
    for noise in (0.5, 0.4, 0.3):
        assert exporter.export(estimator, path, checkpoint, _evaluate(estimator, noise),
                               False) is not None
    assert len(_exports(path)) == 1


@pytest.mark.parametrize("compare_fn, message", [
    (None, "`compare_fn` must not be None."),
    (lambda current_eval_result: True, "must include best_eval_result argument"),
    (lambda best_eval_result: True, "must include current_eval_result argument"),
    (lambda best_eval_result, current_eval_result, margin: True,
     r"has following not expected args: \['margin'\]"),
])
def test_compare_fn_arguments_are_checked(compare_fn, message):
    with pytest.raises(ValueError, match=message):
        BestExporter(compare_fn=compare_fn)


def test_exports_to_keep_must_be_positive():
    with pytest.raises(ValueError, match="must be a positive number. Got 0"):
        BestExporter(exports_to_keep=0)
