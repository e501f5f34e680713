"""The v1 heads' evaluation metrics (``tf.compat.v1.metrics``), used by the
``tf.compat.v1.estimator`` classes, and v1 Ftrl's slot names.

TensorFlow's definitions (tensorflow/python/ops/metrics_impl.py and
tensorflow_estimator/python/estimator/canned/head.py, 2.15):

* ``auc``: thresholds ``[-1e-7] + [(i + 1) / 199 for i in range(198)] + [1 + 1e-7]``;
  ``tp[i]`` is the weight of positives with prediction ``> thresholds[i]``; with
  ``e = 1e-6``: recall ``(tp + e) / (tp + fn + e)``, fpr ``fp / (fp + tn + e)``,
  precision ``(tp + e) / (tp + fp + e)``; area ``sum((x[i] - x[i+1]) (y[i] + y[i+1]) / 2)``
  with (x, y) = (fpr, recall) for ROC, (recall, precision) for PR; float32 throughout.
* ``mean``: ``div_no_nan(total, max(count, 0))``.
* ``precision`` / ``recall``: ``tp / (tp + fp)`` where ``tp + fp > 0`` else 0.
* ``precision_at_thresholds`` / ``recall_at_thresholds``: ``tp / (1e-7 + tp + fp)``.
* the head's ``_accuracy_at_threshold``: accuracy of ``float(p >= t)``; its
  ``_accuracy_baseline``: ``max(m, 1 - m)`` of the label mean ``m``.

Expected values below are these formulas evaluated by hand on counts written down from
the inputs; where a value depends on float32 rounding, the formula is spelled out in
float32 operations in the order TensorFlow applies them.
"""

import math

import attrs
import numpy as np
import pytest

import cannery as tf
from cannery.core import spec as spec_module
from cannery.core.metrics import (
    AUC,
    V1AUC,
    BinaryAccuracy,
    Mean,
    Precision,
    Recall,
    V1AccuracyAtThreshold,
    V1Mean,
    V1Precision,
    V1PrecisionAtThreshold,
    V1Recall,
    V1RecallAtThreshold,
)

f32 = np.float32
E = f32(1e-6)  # metrics_impl.auc's epsilon
fc = tf.feature_column


# -- tf.compat.v1.metrics.auc ----------------------------------------------------------

def test_v1_auc_counts_predictions_strictly_above_each_threshold():
    # thresholds[i] = i/199 for 1 <= i <= 198, thresholds[0] = -1e-7, thresholds[199] = 1+1e-7.
    # p = 0 exceeds thresholds[0] only; p = 1 exceeds 0..198; p = float32(100/199) equals
    # thresholds[100] and so exceeds 0..99 only (TF compares p > threshold).
    m = V1AUC()
    m.update(np.float32([1, 1, 1]), np.float32([0.0, 1.0, 100 / 199]))
    assert m.thresholds[100] == f32(100 / 199)
    tp = m.tp
    assert tp.dtype == np.float32 and tp.shape == (200,)
    assert tp[0] == 3 and tp[1] == 2            # p = 0 drops out after threshold 0
    assert tp[99] == 2 and tp[100] == 1         # the tie at 100/199 is not above
    assert tp[198] == 1 and tp[199] == 0        # p = 1 is not above 1 + 1e-7
    np.testing.assert_array_equal(m.fn, 3 - tp)
    np.testing.assert_array_equal(m.fp, 0)
    np.testing.assert_array_equal(m.tn, 0)


def _sklearn_example(curve):
    # predictions 0.1, 0.4 (negatives), 0.35, 0.8 (positives). A prediction p is above
    # thresholds i/199 for i < 199 p: 0.1 -> i <= 19, 0.4 -> i <= 79, 0.35 -> i <= 69,
    # 0.8 -> i <= 159. So tp = 2 (i <= 69), 1 (70..159), 0; fp = 2 (i <= 19), 1 (20..79), 0;
    # fn = 2 - tp, tn = 2 - fp.
    m = V1AUC(curve=curve)
    m.update(np.float32([0, 0, 1, 1]), np.float32([0.1, 0.4, 0.35, 0.8]))
    return m


def test_v1_auc_roc_sums_trapezoids_of_rates_with_epsilon():
    m = _sklearn_example("ROC")
    assert (m.tp[69], m.tp[70], m.tp[159], m.tp[160]) == (2, 1, 1, 0)
    assert (m.fp[19], m.fp[20], m.fp[79], m.fp[80]) == (2, 1, 1, 0)
    # fpr = fp / (fp + tn + e) = fp / (2 + e) moves only at 19 -> 20 and 79 -> 80; the
    # recall there is (2 + e) / (2 + e) = 1, then (1 + e) / (2 + e) (tp = 1 on 70..159).
    d = f32(2) + E
    rec1 = (f32(1) + E) / d
    term_20 = (f32(2) / d - f32(1) / d) * ((f32(1) + f32(1)) / f32(2))
    term_80 = (f32(1) / d - f32(0) / d) * ((rec1 + rec1) / f32(2))
    assert m.result() == f32(term_20 + term_80)
    # Exactly: 1/(2+e) + (1+e)/(2+e)^2 = (3 + 2e)/(2 + e)^2, 0.75 - 2.5e-7 (Keras: 0.75).
    assert m.result() == pytest.approx((3 + 2e-6) / (2 + 1e-6) ** 2, rel=2e-7)
    assert isinstance(m.result(), np.float32)


def test_v1_auc_pr_sums_trapezoids_not_keras_interpolation():
    m = _sklearn_example("PR")
    # recall (tp + e)/(2 + e) moves at 69 -> 70 (tp 2 -> 1) and 159 -> 160 (1 -> 0).
    # precision (tp + e)/(tp + fp + e): at 69 tp 2, fp 1; at 70 tp 1, fp 1; at 159 tp 1,
    # fp 0 -> 1; at 160 tp = fp = 0 -> e/e = 1.
    d = f32(2) + E
    rec2, rec1, rec0 = (f32(2) + E) / d, (f32(1) + E) / d, (f32(0) + E) / d
    p69 = (f32(2) + E) / (f32(3) + E)
    p70 = (f32(1) + E) / (f32(2) + E)
    p159 = (f32(1) + E) / (f32(1) + E)
    p160 = (f32(0) + E) / (f32(0) + E)
    expected = (rec2 - rec1) * ((p69 + p70) / f32(2)) + (rec1 - rec0) * ((p159 + p160) / f32(2))
    assert m.result() == f32(expected)
    # About 1/2 (2/3 + 1/2)/2 + 1/2 * 1 = 19/24; Keras' interpolated PR-AUC differs.
    assert m.result() == pytest.approx(19 / 24, rel=1e-6)
    keras = AUC(curve="PR")
    keras.update(np.float32([0, 0, 1, 1]), np.float32([0.1, 0.4, 0.35, 0.8]))
    assert abs(keras.result() - m.result()) > 1e-3


def test_v1_auc_streams_batches_and_weights():
    # Two weighted batches add the same counts as one batch with both.
    labels = np.float32([0, 1, 1, 0, 1])
    predictions = np.float32([0.2, 0.9, 0.5, 0.7, 0.05])
    weights = np.float32([1.5, 0.5, 2.0, 1.0, 0.25])
    whole, parts = V1AUC(), V1AUC()
    whole.update(labels, predictions, weights)
    parts.update(labels[:2], predictions[:2], weights[:2])
    parts.update(labels[2:], predictions[2:], weights[2:])
    for name in ("tp", "fp", "tn", "fn"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name))
    # positives weigh 0.5 + 2 + 0.25 = 2.75; at threshold 0 all are above it
    assert whole.tp[0] == f32(2.75) and whole.fp[0] == f32(2.5)
    # 0.5 is above thresholds i/199 < 0.5, i <= 99: tp[99] = 0.5 + 2.0 (0.9, 0.5)
    assert whole.tp[99] == f32(2.5) and whole.tp[100] == f32(0.5)


# -- the other v1 metrics ----------------------------------------------------------------

def test_v1_mean_is_zero_when_the_weights_sum_negative():
    # total = -1*1 + -1*2 = -3, count = -2: div_no_nan(-3, max(-2, 0)) = 0; Keras: 1.5.
    v1, keras = V1Mean(), Mean()
    for m in (v1, keras):
        m.update(np.float32([1, 2]), np.float32([-1, -1]))
    assert v1.result() == 0.0 and keras.result() == 1.5


def test_v1_precision_and_recall_need_a_positive_denominator():
    # one true positive of weight -1: tp = -1, tp + fp = tp + fn = -1 <= 0 -> 0 in v1,
    # Keras' div_no_nan gives -1 / -1 = 1.
    for v1_cls, keras_cls in ((V1Precision, Precision), (V1Recall, Recall)):
        v1, keras = v1_cls(), keras_cls()
        for m in (v1, keras):
            m.update(np.float32([1]), np.float32([1]), np.float32([-1]))
        assert v1.result() == 0.0 and keras.result() == 1.0


def test_v1_precision_and_recall_at_threshold_add_1e_7():
    # One positive predicted 0.9 (> 0.5) with weight 3e-7: precision at 0.5 is
    # tp / (1e-7 + tp + fp) = 3e-7 / 4e-7 = 0.75 (Keras: 1). Recall likewise with fn = 0.
    for cls in (V1PrecisionAtThreshold, V1RecallAtThreshold):
        m = cls(threshold=0.5)
        m.update(np.float32([1]), np.float32([0.9]), np.float32([3e-7]))
        assert m.result() == pytest.approx(0.75, rel=1e-6)
    # nothing predicted positive: 0 / 1e-7 = 0
    m = V1PrecisionAtThreshold(threshold=0.5)
    m.update(np.float32([1, 0]), np.float32([0.5, 0.2]))
    assert m.result() == 0.0


def test_v1_accuracy_at_threshold_counts_ties_as_positive():
    # p = 0.5 at threshold 0.5: v1 predicts 1 (p >= t), Keras' BinaryAccuracy 0 (p > t).
    v1, keras = V1AccuracyAtThreshold(threshold=0.5), BinaryAccuracy(threshold=0.5)
    for m in (v1, keras):
        m.update(np.float32([1, 0]), np.float32([0.5, 0.5]))
    assert v1.result() == 0.5 and keras.result() == 0.5
    v1, keras = V1AccuracyAtThreshold(threshold=0.5), BinaryAccuracy(threshold=0.5)
    for m in (v1, keras):
        m.update(np.float32([1, 1, 1]), np.float32([0.5, 0.5, 0.2]))
    assert v1.result() == f32(2 / 3) and keras.result() == 0.0


# -- the heads --------------------------------------------------------------------------

def _zero_logit_batches():
    # a zero model: every logit 0, probability 0.5 exactly; two batches of labels 1, 0, 1, 1
    return [(np.zeros((4, 1), np.float32), np.float32([[1], [0], [1], [1]]))] * 2


def _zero_model_v1_auc():
    # 6 positives, 2 negatives, all at p = 0.5, above thresholds 0..99 only.
    # ROC: fpr 2/(2+e) -> 0 at 99 -> 100; recall (6+e)/(6+e) = 1 -> e/(6+e).
    fpr99 = f32(2) / (f32(2) + E)
    rec99, rec100 = (f32(6) + E) / (f32(6) + E), (f32(0) + E) / (f32(6) + E)
    roc = f32((fpr99 - f32(0) / (f32(0) + f32(2) + E)) * ((rec99 + rec100) / f32(2)))
    # PR: recall 1 -> e/(6+e); precision (6+e)/(8+e) -> e/e = 1; about (7/4)/2 = 0.875.
    p99, p100 = (f32(6) + E) / (f32(8) + E), (f32(0) + E) / (f32(0) + E)
    pr = f32((rec99 - rec100) * ((p99 + p100) / f32(2)))
    return roc, pr


def test_binary_head_v1_metrics_of_a_zero_model():
    head = tf.estimator.BinaryClassHead(thresholds=[0.5], metrics_version=1)
    metrics = head.create_metrics()
    for logits, labels in _zero_logit_batches():
        metrics.update(logits, labels)
    result = metrics.result()
    roc, pr = _zero_model_v1_auc()
    assert roc == pytest.approx(0.5 - 1e-6 / 6, rel=2e-7)
    assert pr == pytest.approx(0.875, rel=1e-6)
    expected = {
        "average_loss": f32(math.log(2)),  # sigmoid cross-entropy at logit 0
        "accuracy": f32(0.25),             # class 0 predicted; 2 of 8 labels are 0
        "precision": f32(0),               # nothing predicted positive
        "recall": f32(0),                  # tp 0 of 6 positives
        "prediction/mean": f32(0.5),
        "label/mean": f32(0.75),
        "accuracy_baseline": f32(0.75),    # max(0.75, 1 - 0.75)
        "auc": roc,
        "auc_precision_recall": pr,
        "accuracy/positive_threshold_0.5": f32(0.75),  # 0.5 >= 0.5 predicts 1
        "precision/positive_threshold_0.5": f32(0),    # 0.5 > 0.5 is false: 0 / 1e-7
        "recall/positive_threshold_0.5": f32(0),       # 0 / (1e-7 + 0 + 6)
    }
    assert list(result) == list(expected)
    for key, value in expected.items():
        assert isinstance(result[key], np.float32), key
        assert result[key] == value, key
    # the v2 head (Keras metrics) on the same batches: accuracy at 0.5 counts p > 0.5
    v2 = tf.estimator.BinaryClassHead(thresholds=[0.5]).create_metrics()
    for logits, labels in _zero_logit_batches():
        v2.update(logits, labels)
    assert v2.result()["accuracy/positive_threshold_0.5"] == f32(0.25)


def test_binary_head_v1_baseline_and_means_with_negative_weight_sum():
    # weights -1, -1: the v1 means' count is clamped to 0, so every mean is 0 and the
    # accuracy baseline max(0, 1 - 0) is 1. Keras: label mean (-1)/(-2) = 0.5.
    head = tf.estimator.BinaryClassHead(weight_column="w", metrics_version=1)
    metrics = head.create_metrics()
    metrics.update(np.float32([[2.0], [-2.0]]), np.float32([[1], [0]]), np.float32([[-1], [-1]]))
    result = metrics.result()
    assert result["label/mean"] == 0 and result["average_loss"] == 0
    assert result["prediction/mean"] == 0 and result["accuracy"] == 0
    assert result["accuracy_baseline"] == 1.0
    keras = tf.estimator.BinaryClassHead(weight_column="w").create_metrics()
    keras.update(np.float32([[2.0], [-2.0]]), np.float32([[1], [0]]), np.float32([[-1], [-1]]))
    assert keras.result()["label/mean"] == 0.5


def test_multi_class_and_regression_heads_use_v1_means():
    # one example of weight -1: v1 average_loss, accuracy and means are 0 (count < 0)
    multi = tf.estimator.MultiClassHead(3, weight_column="w", metrics_version=1).create_metrics()
    multi.update(np.float32([[1, 0, 0]]), np.int64([[0]]), np.float32([[-1]]))
    assert multi.result() == {"average_loss": 0.0, "accuracy": 0.0}
    reg = tf.estimator.RegressionHead(weight_column="w", metrics_version=1).create_metrics()
    reg.update(np.float32([[1.0]]), np.float32([[3.0]]), np.float32([[-1]]))
    assert reg.result() == {"average_loss": 0.0, "prediction/mean": 0.0, "label/mean": 0.0}
    # positive weights: the same means as Keras': (1 - 3)^2 = 4
    reg = tf.estimator.RegressionHead(metrics_version=1).create_metrics()
    reg.update(np.float32([[1.0]]), np.float32([[3.0]]))
    assert reg.result()["average_loss"] == 4.0


def test_metrics_version_is_a_validated_keyword_kept_in_the_spec():
    assert tf.estimator.BinaryClassHead().metrics_version == 2
    with pytest.raises(ValueError, match=r"metrics_version: expected 1 .* or 2 .*received 3"):
        tf.estimator.BinaryClassHead(metrics_version=3)
    with pytest.raises(ValueError, match="received True"):
        tf.estimator.RegressionHead(metrics_version=True)
    head = tf.estimator.MultiClassHead(4, metrics_version=1)
    plain = spec_module.to_dict(head)
    assert plain["metrics_version"] == 1
    assert spec_module.from_dict(plain, "head") == head


@pytest.mark.parametrize("name, kwargs", [
    ("LinearClassifier", {"feature_columns": [fc.numeric_column("x")]}),
    ("LinearRegressor", {"feature_columns": [fc.numeric_column("x")]}),
    ("DNNClassifier", {"hidden_units": [2], "feature_columns": [fc.numeric_column("x")],
                       "n_classes": 3}),
    ("DNNRegressor", {"hidden_units": [2], "feature_columns": [fc.numeric_column("x")]}),
    ("DNNLinearCombinedClassifier", {"linear_feature_columns": [fc.numeric_column("x")]}),
    ("DNNLinearCombinedRegressor", {"linear_feature_columns": [fc.numeric_column("x")]}),
    ("BaselineClassifier", {}),
    ("BaselineRegressor", {}),
])
def test_v1_classes_evaluate_with_v1_metrics_and_v2_classes_do_not(tmp_path, name, kwargs):
    v1 = getattr(tf.compat.v1.estimator, name)(model_dir=str(tmp_path / "v1"), **kwargs)
    v2 = getattr(tf.estimator, name)(model_dir=str(tmp_path / "v2"), **kwargs)
    assert v1.head.metrics_version == 1
    assert v2.head.metrics_version == 2
    # otherwise the same head (v1's default loss reduction is SUM)
    assert attrs.evolve(v1.head, metrics_version=2,
                        loss_reduction=v2.head.loss_reduction) == v2.head


def test_v1_linear_classifier_evaluates_v1_metrics_over_batches(tmp_path):
    # Learning rate 0 keeps the model at zero: the zero-model numbers above, plus loss,
    # the mean of the per-batch SUM losses 4 ln 2.
    est = tf.compat.v1.estimator.LinearClassifier(
        [fc.numeric_column("x")], model_dir=str(tmp_path),
        optimizer=tf.compat.v1.train.GradientDescentOptimizer(0.0))
    feats = {"x": np.float32([1, 2, 3, 4, 5, 6, 7, 8])}
    labels = np.int64([1, 0, 1, 1, 1, 0, 1, 1])

    def input_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels)).batch(4)

    est.train(input_fn, steps=1)
    result = est.evaluate(input_fn)
    roc, pr = _zero_model_v1_auc()
    assert result["auc"] == roc and result["auc_precision_recall"] == pr
    assert result["accuracy"] == 0.25 and result["accuracy_baseline"] == 0.75
    assert result["loss"] == pytest.approx(4 * math.log(2), rel=1e-6)
    assert result["global_step"] == 1 and isinstance(result["global_step"], np.int64)
    assert sorted(result) == sorted([
        "accuracy", "accuracy_baseline", "auc", "auc_precision_recall", "average_loss",
        "global_step", "label/mean", "loss", "precision", "prediction/mean", "recall"])


# -- v1 Ftrl's slot names ---------------------------------------------------------------

def test_v1_ftrl_keeps_accum_name_and_linear_name(tmp_path):
    # TF's training/ftrl.py creates the slots under `self._accum_name or self._name`
    # and `self._linear_name or self._name`, below <var>/part_0 in a v1 linear model.
    optimizer = tf.compat.v1.train.FtrlOptimizer(0.01, name="F", accum_name="acc",
                                                 linear_name="lin")
    assert (optimizer.accum_name, optimizer.linear_name) == ("acc", "lin")
    est = tf.compat.v1.estimator.LinearClassifier([fc.numeric_column("x")],
                                                  model_dir=str(tmp_path), optimizer=optimizer)
    est.train(lambda: ({"x": np.float32([1, 2])}, np.int64([0, 1])), steps=1)
    names = est.get_variable_names()
    assert "linear/linear_model/x/weights/part_0/acc" in names
    assert "linear/linear_model/x/weights/part_0/lin" in names
    assert not any(name.endswith("/F") or name.endswith("/F_1") for name in names)
    # Keras' configuration has no such keys
    assert "accum_name" not in optimizer.get_config()
    with pytest.raises(TypeError, match="accum_name.*received 3"):
        tf.compat.v1.train.FtrlOptimizer(0.01, accum_name=3)
