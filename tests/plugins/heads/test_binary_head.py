"""BinaryClassHead: loss under every reduction, gradient, predictions, metrics, label errors.

Hand-derived batch used throughout (ln = natural log):
    logits  x = [ln 3, -ln 3, 0, ln 3]  -> sigmoid = [3/4, 1/4, 1/2, 3/4]
    labels  z = [1, 1, 0, 0]
    weights w = [1, 2, 0, 2]            (sum 5, three non-zero, batch 4)
Sigmoid cross-entropy max(x,0) - x z + ln(1 + e^-|x|):
    x=ln3, z=1:  ln3 - ln3 + ln(1 + 1/3) = ln(4/3)
    x=-ln3, z=1: 0 + ln3 + ln(4/3) = ln 4
    x=0, z=0:    ln 2
    x=ln3, z=0:  ln3 + ln(4/3) = ln 4
sum(w l) = ln(4/3) + 2 ln4 + 0 + 2 ln4 = ln(4/3) + 4 ln 4
"""

import math

import numpy as np
import pytest

import cannery as tf
from cannery.core.head import InvalidLabelError
from cannery.plugins.heads.builtin import BinaryClassHead

LN3 = math.log(3)
LOGITS = np.array([[LN3], [-LN3], [0.0], [LN3]], dtype=np.float32)
LABELS = np.array([1, 1, 0, 0])
WEIGHTS = np.array([1.0, 2.0, 0.0, 2.0])
PER_EXAMPLE = [math.log(4 / 3), math.log(4), math.log(2), math.log(4)]
WEIGHTED_SUM = math.log(4 / 3) + 4 * math.log(4)


def _f32_div(a, b):
    return float(np.float32(a) / np.float32(b))


@pytest.mark.parametrize("reduction, denominator", [
    ("sum", 1), ("sum_over_batch_size", 4), ("auto", 4), ("mean", 5),
    ("sum_by_nonzero_weights", 3),
])
def test_training_loss_and_gradient_for_each_reduction(reduction, denominator):
    head = BinaryClassHead(loss_reduction=reduction)
    labels = head.prepare_labels(LABELS)
    weights = head.prepare_weights(WEIGHTS, LOGITS.shape)
    out = head.loss(LOGITS, labels, weights)
    np.testing.assert_allclose(out.unweighted[:, 0], PER_EXAMPLE, rtol=1e-6)
    assert out.training_loss == pytest.approx(_f32_div(WEIGHTED_SUM, denominator), rel=1e-6)
    # d/dx = w (sigmoid(x) - z) / denominator = w * [-1/4, -3/4, 1/2, 3/4] / denominator
    expected = np.array([1 * -0.25, 2 * -0.75, 0 * 0.5, 2 * 0.75]) / denominator
    np.testing.assert_allclose(out.d_logits[:, 0], expected, rtol=1e-6, atol=1e-7)
    assert out.d_logits.dtype == np.float32 and out.d_logits.shape == (4, 1)


def test_unweighted_default_is_mean_over_batch():
    head = BinaryClassHead()
    out = head.loss(LOGITS, head.prepare_labels(LABELS))
    # (ln(4/3) + ln4 + ln2 + ln4) / 4
    assert out.training_loss == pytest.approx(sum(PER_EXAMPLE) / 4, rel=1e-6)
    np.testing.assert_allclose(out.d_logits[:, 0], np.array([-0.25, -0.75, 0.5, 0.75]) / 4,
                               rtol=1e-6)


def test_soft_labels():
    head = BinaryClassHead()
    labels = head.prepare_labels(np.array([0.8], dtype=np.float32))
    out = head.loss(np.zeros((1, 1), np.float32), labels)
    # at x = 0 the loss is ln 2 whatever z is; gradient sigmoid(0) - 0.8 = -0.3
    assert out.training_loss == pytest.approx(math.log(2), rel=1e-6)
    assert out.d_logits[0, 0] == pytest.approx(-0.3, rel=1e-6)


def test_metrics_with_weights():
    head = BinaryClassHead()
    metrics = head.create_metrics()
    labels = head.prepare_labels(LABELS)
    weights = head.prepare_weights(WEIGHTS, LOGITS.shape)
    metrics.update(LOGITS, labels, weights, head.loss(LOGITS, labels, weights).unweighted)
    got = metrics.result()
    assert list(got) == ["average_loss", "accuracy", "precision", "recall", "prediction/mean",
                         "label/mean", "accuracy_baseline", "auc", "auc_precision_recall"]
    assert all(isinstance(v, np.float32) for v in got.values())
    # class ids (x > 0) = [1, 0, 0, 1] against labels [1, 1, 0, 0]
    assert got["average_loss"] == pytest.approx(WEIGHTED_SUM / 5, rel=1e-6)
    assert got["accuracy"] == pytest.approx(1 / 5)       # rows 0 (w 1) and 2 (w 0) match
    assert got["precision"] == pytest.approx(1 / 3)      # tp 1 (row 0), fp 2 (row 3)
    assert got["recall"] == pytest.approx(1 / 3)         # tp 1, fn 2 (row 1)
    assert got["prediction/mean"] == pytest.approx((0.75 + 2 * 0.25 + 2 * 0.75) / 5, rel=1e-6)
    assert got["label/mean"] == pytest.approx(3 / 5)     # (1 + 2) / 5
    assert got["accuracy_baseline"] == pytest.approx(3 / 5)  # max(0.6, 0.4)
    # AUC by hand (see tests/core/test_metrics.py::test_auc_by_hand_with_a_tie): same batch
    assert got["auc"] == pytest.approx(1 / 6, abs=1e-7)
    assert got["auc_precision_recall"] == pytest.approx(
        1 / 9 + (2 - 2 * math.log(5 / 3)) / 3, abs=2e-7)


def test_metrics_without_weights_and_streaming():
    head = BinaryClassHead()
    metrics = head.create_metrics()
    # two batches: the first two rows, then the last two (unweighted)
    metrics.update(LOGITS[:2], head.prepare_labels(LABELS[:2]))
    metrics.update(LOGITS[2:], head.prepare_labels(LABELS[2:]))
    got = metrics.result()
    assert got["average_loss"] == pytest.approx(sum(PER_EXAMPLE) / 4, rel=1e-6)
    assert got["accuracy"] == pytest.approx(2 / 4)   # rows 0 and 2
    assert got["precision"] == pytest.approx(1 / 2)  # tp row 0, fp row 3
    assert got["recall"] == pytest.approx(1 / 2)     # tp row 0, fn row 1
    assert got["prediction/mean"] == pytest.approx((0.75 + 0.25 + 0.5 + 0.75) / 4, rel=1e-6)
    assert got["label/mean"] == 0.5 and got["accuracy_baseline"] == 0.5
    # ROC: positives at 3/4 and 1/4, negatives at 1/2 and 3/4: pairs won 1 (3/4 > 1/2),
    # tied 1/2 (3/4 = 3/4), lost 2 -> (1 + 0.5) / 4
    assert got["auc"] == pytest.approx(1.5 / 4, abs=1e-7)


def test_thresholds_add_metrics_and_name_suffixes_keys():
    head = BinaryClassHead(thresholds=[0.2, 0.6], name="h")
    metrics = head.create_metrics()
    metrics.update(LOGITS, head.prepare_labels(LABELS), head.prepare_weights(WEIGHTS, (4, 1)))
    got = metrics.result()
    assert all(key.endswith("/h") for key in got)
    assert len(got) == 9 + 6
    # t = 0.2: every sigmoid [.75, .25, .5, .75] is > 0.2 -> predictions all 1
    #   accuracy (1 + 2) / 5; precision tp 3 / (3 + fp 0*1 + 2) ; recall 3 / 3
    assert got["accuracy/positive_threshold_0.2/h"] == pytest.approx(3 / 5)
    assert got["precision/positive_threshold_0.2/h"] == pytest.approx(3 / 5)
    assert got["recall/positive_threshold_0.2/h"] == 1.0
    # t = 0.6: predictions [1, 0, 0, 1] = the class ids
    assert got["accuracy/positive_threshold_0.6/h"] == pytest.approx(1 / 5)
    assert got["precision/positive_threshold_0.6/h"] == pytest.approx(1 / 3)
    assert got["recall/positive_threshold_0.6/h"] == pytest.approx(1 / 3)


def test_predictions_keys_values_dtypes():
    head = BinaryClassHead()
    pred = head.predictions(LOGITS[:3])
    assert list(pred) == list(head.prediction_keys) == [
        "logits", "logistic", "probabilities", "class_ids", "classes", "all_class_ids",
        "all_classes"]
    np.testing.assert_allclose(pred["logistic"], [[0.75], [0.25], [0.5]], rtol=1e-6)
    np.testing.assert_allclose(pred["probabilities"],
                               [[0.25, 0.75], [0.75, 0.25], [0.5, 0.5]], rtol=1e-6)
    np.testing.assert_array_equal(pred["class_ids"], [[1], [0], [0]])  # tie x = 0 -> 0
    assert pred["classes"].tolist() == [[b"1"], [b"0"], [b"0"]]
    np.testing.assert_array_equal(pred["all_class_ids"], [[0, 1]] * 3)
    assert pred["all_classes"].tolist() == [[b"0", b"1"]] * 3
    dtypes = {k: v.dtype for k, v in pred.items()}
    assert dtypes == {"logits": np.float32, "logistic": np.float32,
                      "probabilities": np.float32, "class_ids": np.int64,
                      "classes": np.dtype(object), "all_class_ids": np.int32,
                      "all_classes": np.dtype(object)}


def test_vocabulary_labels_and_classes():
    head = BinaryClassHead(label_vocabulary=["neg", "pos"])
    labels = head.prepare_labels(np.array(["pos", "neg", "pos"]))
    np.testing.assert_array_equal(labels, [[1.0], [0.0], [1.0]])
    assert labels.dtype == np.float32
    np.testing.assert_array_equal(head.prepare_labels([b"neg", b"pos"]), [[0.0], [1.0]])
    pred = head.predictions(LOGITS[:2])
    assert pred["classes"].tolist() == [[b"pos"], [b"neg"]]
    assert pred["all_classes"].tolist() == [[b"neg", b"pos"]] * 2


def test_unknown_vocabulary_string():
    head = BinaryClassHead(label_vocabulary=["neg", "pos"])
    with pytest.raises(InvalidLabelError, match=r"^Labels must be >= 0 .*'maybe'"):
        head.prepare_labels(["pos", "maybe"])


def test_label_errors():
    head = BinaryClassHead()
    with pytest.raises(ValueError) as info:
        head.prepare_labels(None)
    assert str(info.value) == (
        "You must provide a labels Tensor. Given: None. Suggested troubleshooting steps: "
        "Check that your data contains your label feature. Check that your input_fn properly "
        "parses and returns labels.")
    with pytest.raises(InvalidLabelError, match=r"^Labels must be <= n_classes - 1 \(received 2"):
        head.prepare_labels([0, 2])
    with pytest.raises(InvalidLabelError, match=r"^Labels must be >= 0"):
        head.prepare_labels([-1, 1])
    # A NaN label passes TF's range asserts (NaN compares false) but must not hide a
    # bad one beside it: the batch's max would be NaN.
    with pytest.raises(InvalidLabelError, match=r"^Labels must be <= n_classes - 1 \(received 2"):
        head.prepare_labels(np.array([np.nan, 2.0], np.float32))
    with pytest.raises(InvalidLabelError, match=r"^Labels must be >= 0 \(received -0.5"):
        head.prepare_labels(np.array([np.nan, -0.5, 1.0], np.float32))
    assert np.isnan(head.prepare_labels(np.array([np.nan, 1.0], np.float32))[0, 0])
    with pytest.raises(ValueError) as info:
        head.prepare_labels(np.zeros((2, 2)))
    assert str(info.value) == (
        "Mismatched label shape. Expected labels dimension=1.  Received 2. Suggested Fix: If "
        "your classifier expects one-hot encoding label, check your n_classes argument to the "
        "estimator and/or the shape of your label. Otherwise, check the shape of your label.")
    # TF's Cast of string labels fails (UnimplementedError), numeric strings too.
    with pytest.raises(tf.errors.UnimplementedError,
                       match=r"^Cast string to float is not supported \(labels b'a'"):
        head.prepare_labels(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="^Cast string to float is not supported"):
        head.prepare_labels(np.array(["1", "0"]))
    with pytest.raises(ValueError) as info:
        BinaryClassHead(label_vocabulary=["a", "b"]).prepare_labels([0, 1])
    assert str(info.value) == ("Labels dtype should be string if there is a vocabulary. "
                               "Instead got <dtype: 'int32'>")
    with pytest.raises(ValueError, match=r"^labels shape must be \[D0, D1, \.\.\. DN, 1\]"):
        head.loss(LOGITS, np.zeros(3))  # 3 labels for 4 logits
    from cannery.core.tensors import SparseTensor

    with pytest.raises(ValueError, match="^SparseTensor labels are not supported"):
        head.prepare_labels(SparseTensor(indices=[[0, 0]], values=[1], dense_shape=[2, 1]))


def test_weight_errors():
    head = BinaryClassHead()
    with pytest.raises(ValueError) as info:
        head.prepare_weights(np.ones((4, 2)), (4, 1))
    assert str(info.value) == ("weights shape must be [D0, D1, ... DN] or [D0, D1, ... DN, 1], "
                               "logits_shape: (4, 1). weights_shape: (4, 2).")
    with pytest.raises(ValueError, match=r"weights_shape: \(3,\)\.$"):
        head.prepare_weights(np.ones(3), (4, 1))
    with pytest.raises(ValueError) as info:
        head.prepare_weights(np.array(["a"] * 4), (4, 1))
    assert str(info.value) == "Weight column should be castable to float. Given dtype: <dtype: 'string'>"
    np.testing.assert_array_equal(head.prepare_weights([1, 2], (2, 1)), [[1.0], [2.0]])
    assert head.prepare_weights(None, (2, 1)) is None


def test_constructor_errors():
    with pytest.raises(ValueError) as info:
        BinaryClassHead(thresholds=[0, 0.5])
    assert str(info.value) == "thresholds not in (0, 1): ((0, 0.5),)."
    with pytest.raises(ValueError) as info:
        BinaryClassHead(label_vocabulary="ab")
    assert str(info.value) == "label_vocabulary should be a list or a tuple. Given type: <class 'str'>"
    with pytest.raises(ValueError) as info:
        BinaryClassHead(loss_reduction="none")
    assert str(info.value) == (
        "Invalid loss_reduction: none. See `tf.losses.Reduction` for valid options.")
    with pytest.raises(TypeError) as info:
        BinaryClassHead(weight_column=3)
    assert str(info.value) == ("Weight column must be either a string or NumericColumn. "
                               "Given type: <class 'int'>.")
    with pytest.raises(ValueError, match=r"^loss_fn must contain argument: logits\."):
        BinaryClassHead(loss_fn=lambda labels: labels)
    with pytest.raises(ValueError, match=r"^loss_fn has unexpected args: \['extra'\]"):
        BinaryClassHead(loss_fn=lambda labels, logits, extra: labels)


def test_custom_loss_fn_gets_finite_difference_gradient():
    # loss_fn = (x - z)^2 / 2 per example; gradient x - z; sum over batch of 2, SUM reduction
    head = BinaryClassHead(loss_reduction="sum",
                           loss_fn=lambda labels, logits: 0.5 * (logits - labels) ** 2)
    out = head.loss(np.array([[2.0], [-1.0]], np.float32), head.prepare_labels([1, 0]))
    assert out.training_loss == pytest.approx(0.5 * 1 + 0.5 * 1)
    np.testing.assert_allclose(out.d_logits, [[1.0], [-1.0]], rtol=1e-5)
