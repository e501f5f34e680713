"""TensorBoard summaries, read back from the event files the runtime writes.

TensorFlow's estimator writes, into ``model_dir``, the scalar ``loss`` through a
``SummarySaverHook(save_steps=save_summary_steps)`` and ``global_step/sec`` through a
``StepCounterHook(every_n_steps=log_step_count_steps)``; evaluation writes every metric
(not ``global_step``) into ``eval/`` or ``eval_<name>/`` at the evaluated checkpoint's
step (REFERENCE §5.2, §5.4). The step each hook stamps on a summary is the global step
*after* the training step that produced it:

* SummarySaverHook requests a summary on the first step of each ``train()`` call and
  then whenever ``global_step >= last_written + save_summary_steps``; a fresh model
  with ``save_summary_steps=3`` and 10 steps writes ``loss`` at steps 1, 4, 7, 10.
* StepCounterHook's timer first fires on the first step (nothing is written: there is
  no elapsed time yet) and then every ``log_step_count_steps`` steps; with 4 it writes
  ``global_step/sec`` at steps 5 and 9 over 10 steps.

The files are read with tensorboardX's bundled protobufs and TFRecord framing
(uint64 length, uint32 masked crc, payload, uint32 masked crc), so what is checked is
what ``tensorboard --logdir`` would show.
"""

from __future__ import annotations

import glob
import logging
import os
import struct
import sys

import numpy as np
import pytest

import cannery as tf

pytest.importorskip("tensorboardX")
from tensorboardX.proto.event_pb2 import Event  # noqa: E402


def _masked_crc(data: bytes) -> int:
    from tensorboardX.crc32c import crc32c

    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_scalars(logdir: str) -> list[tuple[str, int, float]]:
    """Every scalar summary in ``logdir``'s event files (not sub-directories), in order."""
    return [(tag, step, value) for tag, step, value in read_summaries(logdir)
            if not isinstance(value, bytes)]


def read_summaries(logdir: str) -> list[tuple[str, int, object]]:
    """Every summary (scalars as floats, string tensors as bytes) in ``logdir``'s events."""
    scalars = []
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        with open(path, "rb") as f:
            data = f.read()
        offset = 0
        while offset < len(data):
            header = data[offset:offset + 8]
            (length,) = struct.unpack("<Q", header)
            (header_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
            assert header_crc == _masked_crc(header), f"{path}: damaged record header"
            payload = data[offset + 12:offset + 12 + length]
            (payload_crc,) = struct.unpack("<I", data[offset + 12 + length:offset + 16 + length])
            assert payload_crc == _masked_crc(payload), f"{path}: damaged record"
            offset += 16 + length
            event = Event.FromString(payload)
            for value in event.summary.value:
                if value.HasField("tensor") and value.tensor.string_val:
                    scalars.append((value.tag, int(event.step), value.tensor.string_val[0]))
                else:
                    scalars.append((value.tag, int(event.step), float(value.simple_value)))
    return scalars


def by_tag(scalars, tag):
    return [(step, value) for t, step, value in scalars if t == tag]


def _step_numbered_input_fn():
    """Batch k (0-based) has two rows with x = 1 and label k + 1.

    With every weight at zero and a learning rate of 0 the model predicts 0 forever,
    so the batch that moves the global step from k to k + 1 has loss (k + 1)^2 (mean
    squared error of two identical rows): a summary's value names the batch it
    came from, and its step can be checked against it.
    """
    def input_fn():
        def batches():
            k = 0
            while True:
                yield ({"x": np.ones(2, np.float32)}, np.full(2, k + 1, np.float32))
                k += 1
        return batches()
    return input_fn


def _frozen_regressor(model_dir, **config):
    return tf.estimator.LinearRegressor(
        feature_columns=[tf.feature_column.numeric_column("x")],
        model_dir=str(model_dir),
        optimizer=tf.keras.optimizers.legacy.Adagrad(learning_rate=0.0),
        config=tf.estimator.RunConfig(save_checkpoints_steps=1000, **config))


def test_loss_is_written_every_save_summary_steps_at_the_step_after_the_update(tmp_path):
    est = _frozen_regressor(tmp_path, save_summary_steps=3, log_step_count_steps=1000)
    est.train(_step_numbered_input_fn(), steps=10)
    # steps 1, 4, 7, 10 (first step of the call, then every 3); value = step^2
    assert by_tag(read_scalars(str(tmp_path)), "loss") == [
        (1, 1.0), (4, 16.0), (7, 49.0), (10, 100.0)]


def test_a_second_train_call_restarts_the_summary_schedule_at_its_first_step(tmp_path):
    est = _frozen_regressor(tmp_path, save_summary_steps=3, log_step_count_steps=4)
    est.train(_step_numbered_input_fn(), steps=10)
    # Resumed at global step 10. The input restarts at batch 0 (label 1, loss 1), so
    # the batch taking step 10 -> 11 has loss 1 and the one taking 13 -> 14 has
    # loss 4^2 = 16. New hooks: `loss` at 11 and 14, `global_step/sec` fires
    # (silently) at 11 and writes at 15.
    est.train(_step_numbered_input_fn(), steps=5)
    scalars = read_scalars(str(tmp_path))
    assert by_tag(scalars, "loss") == [
        (1, 1.0), (4, 16.0), (7, 49.0), (10, 100.0), (11, 1.0), (14, 16.0)]
    assert [step for step, _ in by_tag(scalars, "global_step/sec")] == [5, 9, 15]


def test_global_step_per_sec_every_log_step_count_steps(tmp_path):
    est = _frozen_regressor(tmp_path, save_summary_steps=1000, log_step_count_steps=4)
    est.train(_step_numbered_input_fn(), steps=10)
    scalars = read_scalars(str(tmp_path))
    rates = by_tag(scalars, "global_step/sec")
    # first trigger at step 1 has no elapsed time; then steps 5 and 9
    assert [step for step, _ in rates] == [5, 9]
    assert all(np.isfinite(rate) and rate > 0 for _, rate in rates)
    # save_summary_steps=1000 still writes the first step's loss (TF's hook always
    # requests a summary on its first run)
    assert by_tag(scalars, "loss") == [(1, 1.0)]


def test_summaries_disabled_by_zero_steps(tmp_path):
    est = _frozen_regressor(tmp_path, save_summary_steps=0, log_step_count_steps=None)
    est.train(_step_numbered_input_fn(), steps=3)
    assert read_scalars(str(tmp_path)) == []


def test_evaluation_metrics_go_to_eval_dir_at_the_checkpoint_step(tmp_path):
    est = _frozen_regressor(tmp_path)
    est.train(_step_numbered_input_fn(), steps=2)
    features = {"x": np.ones(4, np.float32)}
    labels = np.array([1.0, 2.0, 3.0, 6.0], np.float32)
    result = est.evaluate(lambda: (features, labels), steps=1)
    scalars = read_scalars(est.eval_dir())
    assert est.eval_dir() == os.path.join(str(tmp_path), "eval")
    # predictions are 0: average_loss = loss = (1 + 4 + 9 + 36) / 4 = 12.5,
    # label/mean = 12 / 4 = 3, prediction/mean = 0; all at the checkpoint's step 2
    assert sorted(scalars) == [
        ("average_loss", 2, 12.5), ("label/mean", 2, 3.0), ("loss", 2, 12.5),
        ("prediction/mean", 2, 0.0)]
    assert result["global_step"] == 2
    # global_step is the event's step, never a scalar of its own
    assert not by_tag(scalars, "global_step")


def test_named_evaluation_goes_to_eval_name_and_appends(tmp_path):
    est = _frozen_regressor(tmp_path)
    est.train(_step_numbered_input_fn(), steps=1)
    est.evaluate(lambda: ({"x": np.ones(2, np.float32)}, np.array([2.0, 4.0], np.float32)),
                 steps=1, name="holdout")
    est.train(_step_numbered_input_fn(), steps=2)
    est.evaluate(lambda: ({"x": np.ones(2, np.float32)}, np.array([1.0, 1.0], np.float32)),
                 steps=1, name="holdout")
    eval_dir = os.path.join(str(tmp_path), "eval_holdout")
    assert est.eval_dir("holdout") == eval_dir
    assert not os.path.exists(os.path.join(str(tmp_path), "eval"))
    # (4 + 16) / 2 = 10 at step 1; (1 + 1) / 2 = 1 at step 3
    assert by_tag(read_scalars(eval_dir), "average_loss") == [(1, 10.0), (3, 1.0)]
    assert by_tag(read_scalars(eval_dir), "label/mean") == [(1, 3.0), (3, 1.0)]


def test_classifier_eval_summaries_carry_every_metric_key(tmp_path):
    est = tf.estimator.LinearClassifier(
        feature_columns=[tf.feature_column.numeric_column("x")], model_dir=str(tmp_path))
    features = {"x": np.array([0.0, 1.0, 2.0, 3.0], np.float32)}
    labels = np.array([0, 0, 1, 1], np.int64)
    est.train(lambda: (features, labels), steps=3)
    result = est.evaluate(lambda: (features, labels), steps=1)
    scalars = read_scalars(est.eval_dir())
    # REFERENCE §2.4: the binary classifier's 11 keys less global_step
    expected = {"accuracy", "accuracy_baseline", "auc", "auc_precision_recall",
                "average_loss", "label/mean", "loss", "precision", "prediction/mean", "recall"}
    assert {tag for tag, _, _ in scalars} == expected
    assert {step for _, step, _ in scalars} == {3}
    for tag, _, value in scalars:
        assert value == pytest.approx(float(result[tag]), rel=1e-6), tag
    # label/mean = 2 / 4 by hand; accuracy_baseline = max(0.5, 1 - 0.5)
    assert dict((t, v) for t, _, v in scalars)["label/mean"] == 0.5
    assert dict((t, v) for t, _, v in scalars)["accuracy_baseline"] == 0.5


def test_without_tensorboardx_training_works_and_notes_it_once(tmp_path, monkeypatch, caplog):
    from cannery.core import estimator as runtime

    # A None entry in sys.modules makes `import tensorboardX` raise ImportError.
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    monkeypatch.setattr(runtime._summary_writer, "noted", False, raising=False)
    caplog.set_level(logging.INFO)
    est = _frozen_regressor(tmp_path, save_summary_steps=1, log_step_count_steps=1)
    est.train(_step_numbered_input_fn(), steps=3)
    est.train(_step_numbered_input_fn(), steps=2)
    result = est.evaluate(lambda: ({"x": np.ones(2, np.float32)},
                                   np.array([1.0, 3.0], np.float32)), steps=1)
    # the model trained (global step 5) and evaluated: (1 + 9) / 2 = 5
    assert result["global_step"] == 5
    assert result["average_loss"] == 5.0
    notes = [r for r in caplog.records if "tensorboardX" in r.getMessage()]
    assert len(notes) == 1, [r.getMessage() for r in notes]
    assert glob.glob(os.path.join(str(tmp_path), "**", "events.out.tfevents.*"),
                     recursive=True) == []


def test_evaluation_records_the_checkpoint_path_as_a_string_summary(tmp_path):
    # TensorFlow's evaluation writes the evaluated checkpoint's path under the tag
    # 'checkpoint_path' (a string tensor), at the checkpoint's global step.
    import cannery as tf

    est = tf.estimator.LinearRegressor([tf.feature_column.numeric_column("x")],
                                       model_dir=str(tmp_path))
    data = lambda: ({"x": np.float32([1.0, 2.0])}, np.float32([1.0, 3.0]))  # noqa: E731
    est.train(data, steps=2)
    est.evaluate(data)
    strings = [(tag, step, value) for tag, step, value in
               read_summaries(os.path.join(str(tmp_path), "eval"))
               if isinstance(value, bytes)]
    assert strings == [("checkpoint_path", 2,
                        os.path.join(str(tmp_path), "model.ckpt-2").encode())]


def test_one_event_file_per_directory_and_process_as_tensorflows_writer_cache(tmp_path):
    # TensorFlow's FileWriterCache: two train() calls append to one file in model_dir,
    # two evaluations to one file in eval/; a file deleted meanwhile is written again
    est = _frozen_regressor(tmp_path, save_summary_steps=1, log_step_count_steps=1000)
    evaluate = lambda: est.evaluate(  # noqa: E731
        lambda: ({"x": np.ones(2, np.float32)}, np.array([1.0, 3.0], np.float32)), steps=1)
    est.train(_step_numbered_input_fn(), steps=1)
    evaluate()
    est.train(_step_numbered_input_fn(), steps=1)
    evaluate()
    files = lambda d: glob.glob(os.path.join(d, "events.out.tfevents.*"))  # noqa: E731
    eval_dir = os.path.join(str(tmp_path), "eval")
    assert len(files(str(tmp_path))) == 1 and len(files(eval_dir)) == 1
    # loss of batch k is (k + 1)^2 at step k + 1; each train() restarts at batch 0
    assert by_tag(read_scalars(str(tmp_path)), "loss") == [(1, 1.0), (2, 1.0)]
    # (1 + 9) / 2 = 5 at steps 1 and 2
    assert by_tag(read_scalars(eval_dir), "average_loss") == [(1, 5.0), (2, 5.0)]
    os.remove(files(eval_dir)[0])
    evaluate()
    assert by_tag(read_scalars(eval_dir), "average_loss") == [(2, 5.0)]
