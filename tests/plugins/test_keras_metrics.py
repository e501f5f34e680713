"""tf.keras.metrics (cannery/keras/metrics.py) against Keras 2.15's definitions.

Every expected number is worked out by hand in the comment beside it (tf-keras 2.15
``metrics/base_metric.py``, ``accuracy_metrics.py``, ``regression_metrics.py``,
``confusion_metrics.py``, ``utils/metrics_utils.py``, ``utils/losses_utils.py``).
"""

import math

import numpy as np
import pytest

import cannery as tf

metrics = tf.keras.metrics


def value(metric):
    result = metric.result().numpy()
    assert isinstance(result, np.float32)  # EagerTensor.numpy() of a float32 scalar
    return result


# -- Mean / Sum -----------------------------------------------------------------------------
def test_mean_weighted_accumulated_and_merged():
    m = metrics.Mean()
    assert m.name == "mean" and value(m) == 0  # divide_no_nan(0, 0)
    m.update_state([1, 3], sample_weight=[1, 2])  # total 1 + 6 = 7, count 3
    m.update_state([[10]], sample_weight=[[0.5]])  # total 12, count 3.5
    assert value(m) == np.float32(12 / 3.5)
    [total, count] = m.weights
    assert (total, count) == (12, 3.5) and total.dtype == np.float32
    other = metrics.Mean()
    other.update_state([2, 2], sample_weight=[0.5, 0.5])  # total 2, count 1
    m.merge_state([other])  # total 14, count 4.5
    assert value(m) == np.float32(14 / 4.5)
    m.reset_state()
    assert m.weights == [0, 0]


def test_mean_broadcasts_weights_the_keras_way():
    # values [2, 2], weights [2] -> expanded to [2, 1] and broadcast: every element
    # weighs its row's weight, and count sums the broadcast weights: (1 + 2) / 2.
    m = metrics.Mean()
    m.update_state([[1, 2], [3, 4]], sample_weight=[1, 0])
    assert value(m) == 1.5
    # A scalar weight: total 2 * (1 + 2 + 3) = 12, count 2 * 3 = 6.
    m = metrics.Mean()
    m.update_state([1, 2, 3], sample_weight=2)
    assert value(m) == 2.0


def test_mean_falls_back_to_reducing_values_when_weights_do_not_broadcast():
    # values [2, 2, 2], weights [2]: ranks differ by 2 (no expand_dims), so
    # broadcast_weights fails and Keras takes the mean over the values' extra axes
    # ([16 / 4, 10 / 4] = [4, 2.5]), multiplies by [1, 3] and counts sum(w) = 4:
    # (1 * 4 + 3 * 2.5) / 4 = 11.5 / 4.
    m = metrics.Mean()
    m.update_state([[[1, 3], [5, 7]], [[0, 2], [4, 4]]], sample_weight=[1, 3])
    assert value(m) == 2.875
    # Sum reduces the extra axes with a sum instead: 1 * 16 + 3 * 10.
    s = metrics.Sum()
    s.update_state([[[1, 3], [5, 7]], [[0, 2], [4, 4]]], sample_weight=[1, 3])
    assert value(s) == 46


def test_sum_has_only_a_total():
    m = metrics.Sum()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])  # 1 + 3
    m.update_state([10])  # + 10
    assert value(m) == 14 and len(m.weights) == 1
    with pytest.raises(ValueError, match="is not compatible with"):
        metrics.Mean().merge_state([m])  # two state variables against one


# -- accuracies ------------------------------------------------------------------------------
def test_accuracy_compares_the_float32_casts():
    m = metrics.Accuracy()
    # Keras casts both sides to float32: 2 != 2.5 (no truncation of the prediction).
    m.update_state([1, 2, 3], [1.0, 2.5, 3.0])  # matches [1, 0, 1]: total 2, count 3
    m.update_state([[0], [1]], [[0], [0]], sample_weight=[[2], [3]])  # total +2, count +5
    assert value(m) == 0.5  # 4 / 8
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are incompatible"):
        m.update_state([1, 2], [1, 2, 3])


def test_binary_accuracy_threshold_and_squeeze():
    # y_pred [4, 1] is squeezed to match y_true [4].
    y_true, y_pred = [1, 0, 1, 0], [[0.7], [0.7], [0.3], [0.1]]
    m = metrics.BinaryAccuracy()
    m.update_state(y_true, y_pred)  # predicted [1, 1, 0, 0]: matches [1, 0, 0, 1]
    assert value(m) == 0.5
    m = metrics.BinaryAccuracy(threshold=0.2)
    m.update_state(y_true, y_pred)  # predicted [1, 1, 1, 0]: matches [1, 0, 1, 1]
    m.update_state([1], [0.1], sample_weight=[4])  # a miss weighing 4
    assert value(m) == np.float32(3 / 8)


# -- regression metrics ------------------------------------------------------------------------
def test_mean_squared_error_per_example_and_the_1d_batch_quirk():
    m = metrics.MeanSquaredError()
    # [B, 1] inputs: one squared error per example, [1, 9, 4] -> 14 / 3.
    m.update_state([[0], [0], [0]], [[1], [3], [2]])
    assert value(m) == np.float32(14 / 3)
    # 1-D inputs: Keras' mean over axis -1 makes one value per batch, so batches count
    # once each: batch means (1 + 9) / 2 = 5 and 4 -> 4.5 (not 14 / 3).
    m = metrics.MeanSquaredError()
    m.update_state([0, 0], [1, 3])
    m.update_state([0], [2])
    assert value(m) == 4.5
    # ... and a per-example weight vector cannot be squeezed onto that scalar.
    with pytest.raises(ValueError, match="Can not squeeze dim"):
        m.update_state([0, 0], [1, 3], sample_weight=[1, 2])


def test_mean_squared_and_absolute_error_with_weights():
    # Per-example means over the last axis: mse [0.5, 0], mae [0.5, 0]; weights [1, 0].
    for cls in (metrics.MeanSquaredError, metrics.MeanAbsoluteError):
        m = cls()
        m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        assert value(m) == 0.25
        m.reset_state()
        m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
        assert value(m) == 0.5
    m = metrics.MeanAbsoluteError()
    m.update_state([[0, 0]], [[-1, 3]])  # (1 + 3) / 2
    assert value(m) == 2.0


def test_root_mean_squared_error_over_elements():
    m = metrics.RootMeanSquaredError()
    # Element-wise: squared errors [[1, 0], [0, 0]], weights [[1, 1], [0, 0]]:
    # total 1, count 2 -> sqrt(1 / 2).
    m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
    assert value(m) == np.float32(math.sqrt(0.5))
    m.update_state([[0]], [[2]])  # total 1 + 4, count 2 + 1
    assert value(m) == np.float32(math.sqrt(5 / 3))


# -- precision / recall ------------------------------------------------------------------------
def test_precision_recall_soft_labels_weights_and_merge():
    # REFERENCE §2.5 [V]: labels [0.4, 0, 1] (0.4 is positive), predictions [1, 1, 0],
    # weights [1, 2, 3]: tp = 1, fp = 2, fn = 3 -> precision 1/3, recall 1/4.
    first, second = metrics.Precision(), metrics.Precision()
    first.update_state([0.4, 0], [1, 1], sample_weight=[1, 2])
    second.update_state([1], [0], sample_weight=[3])
    first.merge_state([second])
    assert value(first) == np.float32(1 / 3)
    recall = metrics.Recall()
    recall.update_state([0.4, 0], [1, 1], sample_weight=[1, 2])
    recall.update_state([1], [0], sample_weight=[3])
    assert value(recall) == 0.25
    assert [w.tolist() for w in recall.weights] == [[1.0], [3.0]]  # tp, fn


def test_precision_recall_with_a_list_of_thresholds():
    # Predictions [0.2, 0.4, 0.5, 0.9], labels [1, 0, 1, 0].
    # t = 0.3: predicted positive 0.4, 0.5, 0.9 -> tp 1, fp 2, fn 1.
    # t = 0.6: predicted positive 0.9          -> tp 0, fp 1, fn 2.
    p = metrics.Precision(thresholds=[0.3, 0.6])
    r = metrics.Recall(thresholds=[0.3, 0.6])
    for m in (p, r):
        m.update_state([1, 0, 1, 0], [0.2, 0.4, 0.5, 0.9])
    np.testing.assert_array_equal(p.result().numpy(), np.float32([1 / 3, 0]))
    np.testing.assert_array_equal(r.result().numpy(), np.float32([0.5, 0]))


def test_evenly_spaced_thresholds_take_the_bucketed_path():
    # Thresholds [0, 0.5, 1] are evenly spaced: Keras clips predictions to [0, 1] and
    # buckets them (ceil(p * 2) - 1), so 1.5 counts above 0 and 0.5 but not above 1.0.
    m = metrics.Recall(thresholds=[0.0, 0.5, 1.0])
    m.update_state([1], [1.5])
    np.testing.assert_array_equal(m.result().numpy(), np.float32([1, 1, 0]))
    # Two thresholds are not "evenly distributed" (fewer than 3): plain p > t, unclipped.
    m = metrics.Recall(thresholds=[0.5, 1.0])
    m.update_state([1], [1.5])
    np.testing.assert_array_equal(m.result().numpy(), np.float32([1, 1]))


def test_precision_class_id_and_unsupported_arguments():
    m = metrics.Precision(class_id=1)
    # Column 1: labels [1, 0], predictions [0.8, 0.4] -> tp 1, fp 0.
    m.update_state([[0, 1], [1, 0]], [[0.2, 0.8], [0.6, 0.4]])
    assert value(m) == 1.0
    with pytest.raises(NotImplementedError, match="top_k=None only"):
        metrics.Precision(top_k=2)
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. "
                                         r"Received: \[1.5\]"):
        metrics.Recall(thresholds=[0.5, 1.5])


# -- AUC -------------------------------------------------------------------------------------
# num_thresholds=3: thresholds [-1e-7, 0.5, 1 + 1e-7]. Labels [0, 0, 1, 1], predictions
# [0, 0.5, 0.3, 0.9] (0.5 is not above 0.5):
#   tp = [2, 1, 0], fp = [2, 0, 0], fn = [0, 1, 2], tn = [0, 2, 2]
#   tpr = [1, 0.5, 0], fpr = [1, 0, 0]
LABELS, PREDICTIONS = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]


def test_auc_roc_by_hand_accumulated_and_merged():
    m = metrics.AUC(num_thresholds=3)
    assert m.name == "auc" and m.thresholds == [-1e-7, 0.5, 1 + 1e-7]
    m.update_state(LABELS[:2], PREDICTIONS[:2])
    m.update_state(LABELS[2:], PREDICTIONS[2:])
    # trapezoids: (1 - 0) * (1 + 0.5) / 2 + (0 - 0) * (0.5 + 0) / 2 = 0.75
    assert value(m) == 0.75
    assert [w.tolist() for w in m.weights] == [[2, 1, 0], [0, 2, 2], [2, 0, 0], [0, 1, 2]]
    other = metrics.AUC(num_thresholds=3)
    other.update_state(LABELS, PREDICTIONS, sample_weight=[1, 0, 0, 1])
    m.reset_state()
    m.merge_state([other])
    # weights [1, 0, 0, 1]: tp [1, 1, 0], fp [1, 0, 0] -> tpr [1, 1, 0], fpr [1, 0, 0]:
    # (1 - 0) * (1 + 1) / 2 = 1
    assert value(m) == 1.0


def test_auc_pr_interpolation_by_hand():
    m = metrics.AUC(num_thresholds=3, curve="PR")
    m.update_state(LABELS, PREDICTIONS)
    # P = tp + fp = [4, 1, 0].
    # i = 0: dtp 1, dP 3, slope 1/3, intercept tp[1] - slope P[1] = 2/3, ratio 4/1:
    #        slope (dtp + intercept ln 4) / (tp[1] + fn[1]) = (1 + 2/3 ln 4) / 6
    # i = 1: dtp 1, dP 1, slope 1, intercept 0 - 1 * 0 = 0, ratio 1 (P[2] = 0):
    #        1 * (1 + 0) / (tp[2] + fn[2]) = 1/2
    assert value(m) == pytest.approx(0.5 + (1 + 2 / 3 * math.log(4)) / 6, rel=1e-6)


def test_auc_minoring_and_majoring_by_hand():
    # ROC: x = fpr [1, 0, 0], y = tpr [1, 0.5, 0].
    minoring = metrics.AUC(num_thresholds=3, summation_method="minoring")
    majoring = metrics.AUC(num_thresholds=3, summation_method="majoring")
    for m in (minoring, majoring):
        m.update_state(LABELS, PREDICTIONS)
    assert value(minoring) == 0.5  # 1 * min(1, 0.5) + 0 * min(0.5, 0)
    assert value(majoring) == 1.0  # 1 * max(1, 0.5) + 0 * max(0.5, 0)


def test_auc_explicit_thresholds():
    # [0.5] -> [-1e-7, 0.5, 1 + 1e-7], evenly spaced: the same buckets as num_thresholds=3.
    m = metrics.AUC(thresholds=[0.5])
    m.update_state(LABELS, PREDICTIONS)
    assert m.num_thresholds == 3 and value(m) == 0.75
    # [0.4] is not evenly spaced: p > t per threshold. At 0.4, 0.5 and 0.9 are positive:
    # tp [2, 1, 0], fp [2, 1, 0] -> tpr = fpr = [1, 0.5, 0]:
    # (1 - 0.5) (1 + 0.5) / 2 + (0.5 - 0) (0.5 + 0) / 2 = 0.375 + 0.125
    m = metrics.AUC(thresholds=[0.4])
    m.update_state(LABELS, PREDICTIONS)
    assert value(m) == 0.5


def test_auc_multi_label_and_label_weights():
    # Label 0 is the example above (0.75). Label 1, labels [1, 1, 0, 0]: positives at 0
    # and 0.5 are never above 0.5: tp [2, 0, 0], fp [2, 1, 0] -> tpr [1, 0, 0],
    # fpr [1, 0.5, 0]: (1 - 0.5) (1 + 0) / 2 = 0.25.
    y_true = np.stack([LABELS, [1, 1, 0, 0]], axis=1)
    y_pred = np.stack([PREDICTIONS, PREDICTIONS], axis=1)
    m = metrics.AUC(num_thresholds=3, multi_label=True)
    m.update_state(y_true, y_pred)
    assert value(m) == 0.5  # (0.75 + 0.25) / 2
    assert m.weights[0].shape == (3, 2)
    m = metrics.AUC(num_thresholds=3, multi_label=True, label_weights=[3, 1])
    m.update_state(y_true, y_pred)
    assert value(m) == 0.625  # (3 * 0.75 + 1 * 0.25) / 4
    with pytest.raises(ValueError, match="Number of labels is not consistent"):
        m.update_state(y_true[:, :1], y_pred[:, :1])


def test_auc_from_logits_matches_the_verified_tf_values():
    # REFERENCE §2.6 [V] (TensorFlow 2.15): labels [0, 0, 1, 1], logits [10, -10, 12, -12],
    # weights [1, 1.5, 2, 2.5] -> ROC 0.5222222, PR 0.6582285 (200 thresholds).
    for curve, expected in (("ROC", 0.5222222), ("PR", 0.6582285)):
        m = metrics.AUC(curve=curve, from_logits=True)
        m.update_state([0, 0, 1, 1], [10, -10, 12, -12], sample_weight=[1, 1.5, 2, 2.5])
        assert value(m) == pytest.approx(expected, abs=1e-7)


def test_auc_argument_errors_are_keras():
    with pytest.raises(ValueError, match=r'Invalid AUC curve value: "XY". '
                                         r'Expected values are \["PR", "ROC"\]'):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="Argument `num_thresholds` must be an integer > 1. "
                                         "Received: num_thresholds=1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Invalid AUC summation method value"):
        metrics.AUC(summation_method="trapezoid")


def test_metric_objects_behave_like_keras():
    m = metrics.Mean(name="my_mean")
    assert m(np.float32([1, 2])).numpy() == 1.5  # __call__ updates and returns the result
    assert str(m) == "Mean(name=my_mean,dtype=float32)"
    assert tf.keras.metrics.Precision().name == "precision"
    with pytest.raises(ValueError, match="float32"):
        metrics.Mean(dtype="float64")
