"""Streaming evaluation metrics with Keras' exact definitions.

Every metric keeps float32 accumulators, as Keras' metric variables are float32, and
adds one batch at a time; :meth:`result` returns a ``numpy.float32``. Each batch's
sums are formed in float64 and rounded once, so a batch adds what TensorFlow's
float32 reductions add up to their last bit; the running totals are float32 like
Keras' (summing many batches in float64 would differ from TensorFlow).

Weights follow Keras: ``None`` means 1 for every element, otherwise they are
broadcast to the values' shape (a ``[batch]`` weight vector against ``[batch, 1]``
values is fine).
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

__all__ = ["AUC", "Accuracy", "BinaryAccuracy", "KERAS_METRICS", "Mean", "MetricFamily",
           "MetricsAccumulator", "Precision", "Recall", "V1AUC", "V1Accuracy",
           "V1AccuracyAtThreshold", "V1Mean", "V1Precision", "V1PrecisionAtThreshold",
           "V1Recall", "V1RecallAtThreshold", "V1_METRICS", "metric_family"]


def _div_no_nan(numerator, denominator):
    """``numerator / denominator`` in float32, 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float32)
    denominator = np.asarray(denominator, dtype=np.float32)
    safe = np.where(denominator == 0, np.float32(1), denominator)
    return np.where(denominator == 0, np.float32(0), numerator / safe).astype(np.float32)


def _flat_values_and_weights(values, weights):
    """Values and weights as equally long float32 vectors (weights broadcast)."""
    values = np.asarray(values)
    if values.dtype != np.float32:
        values = values.astype(np.float32)
    if weights is None:
        return values.reshape(-1), None
    weights = np.asarray(weights, dtype=np.float32)
    if weights.shape != values.shape:
        # Keras squeezes a trailing 1 off whichever side has one more dimension.
        if weights.ndim == values.ndim + 1 and weights.shape[-1] == 1:
            weights = weights[..., 0]
        elif values.ndim == weights.ndim + 1 and values.shape[-1] == 1:
            values = values[..., 0]
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight: expected a shape that broadcasts to the values' shape "
                f"{values.shape}, received {weights.shape}"
            ) from None
    return values.reshape(-1), np.ascontiguousarray(weights).reshape(-1)


@attrs.define(eq=False)
class Mean:
    """Weighted mean: ``total = sum w v``, ``count = sum w``, result ``total / count``."""

    total: np.float32 = attrs.field(default=np.float32(0), converter=np.float32)
    count: np.float32 = attrs.field(default=np.float32(0), converter=np.float32)

    def update(self, values, weights=None) -> None:
        """Add a batch of values (any shape) with optional weights broadcast to them."""
        v, w = _flat_values_and_weights(values, weights)
        if w is None:
            batch_total = np.sum(v, dtype=np.float64)
            batch_count = v.size
        else:
            batch_total = np.dot(v.astype(np.float64), w.astype(np.float64))
            batch_count = np.sum(w, dtype=np.float64)
        self.total = np.float32(self.total + np.float32(batch_total))
        self.count = np.float32(self.count + np.float32(batch_count))

    def result(self) -> np.float32:
        return np.float32(_div_no_nan(self.total, self.count))

    def reset(self) -> None:
        self.total = np.float32(0)
        self.count = np.float32(0)


@attrs.define(eq=False)
class Accuracy(Mean):
    """Keras ``Accuracy``: weighted mean of ``y_true == y_pred`` (exact equality).

    ``y_pred`` is cast to ``y_true``'s dtype first, so a soft label such as 0.8 never
    equals a class id.
    """

    def update(self, y_true, y_pred, weights=None) -> None:  # type: ignore[override]
        y_true = np.asarray(y_true)
        y_pred = np.asarray(y_pred).astype(y_true.dtype, copy=False)
        if y_pred.shape != y_true.shape:
            y_pred = y_pred.reshape(y_true.shape)
        super().update((y_true == y_pred).astype(np.float32), weights)


@attrs.define(eq=False)
class BinaryAccuracy(Mean):
    """Keras ``BinaryAccuracy``: weighted mean of ``y_true == (y_pred > threshold)``."""

    threshold: float = 0.5

    def update(self, y_true, y_pred, weights=None) -> None:  # type: ignore[override]
        y_true = np.asarray(y_true, dtype=np.float32)
        predicted = (np.asarray(y_pred, dtype=np.float32) > np.float32(self.threshold))
        super().update((y_true == predicted.astype(np.float32).reshape(y_true.shape))
                       .astype(np.float32), weights)


@attrs.define(eq=False)
class _ThresholdConfusion:
    """Weighted confusion counts at one threshold (prediction > threshold)."""

    threshold: float = 0.5
    tp: np.float32 = np.float32(0)
    fp: np.float32 = np.float32(0)
    tn: np.float32 = np.float32(0)
    fn: np.float32 = np.float32(0)

    def update(self, y_true, y_pred, weights=None) -> None:
        from cannery.core.kernels.metrics import threshold_confusion

        y_pred, w = _flat_values_and_weights(y_pred, weights)
        y_true = np.asarray(y_true, dtype=np.float32).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"y_true has {y_true.size} elements, y_pred has {y_pred.size}")
        if w is None:
            w = np.ones_like(y_pred)
        tp, fp, tn, fn = threshold_confusion(y_pred, y_true, w, self.threshold)
        self.tp = np.float32(self.tp + tp)
        self.fp = np.float32(self.fp + fp)
        self.tn = np.float32(self.tn + tn)
        self.fn = np.float32(self.fn + fn)

    def reset(self) -> None:
        self.tp = self.fp = self.tn = self.fn = np.float32(0)


@attrs.define(eq=False)
class Precision(_ThresholdConfusion):
    """Keras ``Precision``: ``tp / (tp + fp)`` with ``prediction > threshold`` positive
    and ``label != 0`` positive (0 when nothing is predicted positive)."""

    def result(self) -> np.float32:
        return np.float32(_div_no_nan(self.tp, self.tp + self.fp))


@attrs.define(eq=False)
class Recall(_ThresholdConfusion):
    """Keras ``Recall``: ``tp / (tp + fn)`` (0 when there is no positive label)."""

    def result(self) -> np.float32:
        return np.float32(_div_no_nan(self.tp, self.tp + self.fn))


def _auc_thresholds(num_thresholds: int) -> np.ndarray:
    inner = [i / (num_thresholds - 1) for i in range(1, num_thresholds - 1)]
    return np.array([-1e-7, *inner, 1.0 + 1e-7], dtype=np.float32)


@attrs.define(eq=False)
class AUC:
    """Keras ``AUC`` (``summation_method='interpolation'``), ROC or PR curve.

    Thresholds ``-1e-7, 1/(T-1), ..., (T-2)/(T-1), 1+1e-7``; a prediction falls in
    bucket ``max(ceil(p (T-1)) - 1, 0)`` (float32), and ``TP[i]`` is the weighted
    count of positives with prediction above threshold ``i``. ROC integrates the
    trapezoids of (FPR, TPR); PR uses Davis & Goadrich's interpolation.

    Args:
        curve: ``"ROC"`` or ``"PR"``.
        num_thresholds: T (> 1).
    """

    curve: str = attrs.field(default="ROC", validator=attrs.validators.in_(("ROC", "PR")))
    num_thresholds: int = attrs.field(default=200)
    tp: np.ndarray = attrs.field(init=False)
    fp: np.ndarray = attrs.field(init=False)
    tn: np.ndarray = attrs.field(init=False)
    fn: np.ndarray = attrs.field(init=False)

    @num_thresholds.validator
    def _check_num_thresholds(self, attribute, value):
        if not isinstance(value, (int, np.integer)) or value <= 1:
            raise ValueError(
                f"num_thresholds: expected an integer > 1, received {value!r}"
            )

    def __attrs_post_init__(self):
        self.reset()

    @property
    def thresholds(self) -> np.ndarray:
        return _auc_thresholds(self.num_thresholds)

    def reset(self) -> None:
        for name in ("tp", "fp", "tn", "fn"):
            setattr(self, name, np.zeros(self.num_thresholds, dtype=np.float32))

    def update(self, y_true, y_pred, weights=None) -> None:
        """Add a batch: labels (non-zero = positive), predictions in [0, 1], weights."""
        from cannery.core.kernels.metrics import auc_buckets

        y_pred, w = _flat_values_and_weights(y_pred, weights)
        y_true = np.asarray(y_true, dtype=np.float32).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"y_true has {y_true.size} elements, y_pred has {y_pred.size}")
        if w is None:
            w = np.ones_like(y_pred)
        tp_bucket = np.zeros(self.num_thresholds, dtype=np.float32)
        fp_bucket = np.zeros(self.num_thresholds, dtype=np.float32)
        positives, negatives = auc_buckets(y_pred, y_true, w, tp_bucket, fp_bucket)
        # Reverse cumulative sums in float32, as Keras' tf.math.cumsum(reverse=True).
        tp = np.cumsum(tp_bucket[::-1], dtype=np.float32)[::-1]
        fp = np.cumsum(fp_bucket[::-1], dtype=np.float32)[::-1]
        self.tp += tp
        self.fp += fp
        self.fn += np.float32(positives) - tp
        self.tn += np.float32(negatives) - fp

    def result(self) -> np.float32:
        if self.curve == "PR":
            return _interpolate_pr_auc(self.tp, self.fp, self.fn)
        tpr = _div_no_nan(self.tp, self.tp + self.fn)
        fpr = _div_no_nan(self.fp, self.fp + self.tn)
        heights = (tpr[:-1] + tpr[1:]) / np.float32(2)
        return np.float32(np.sum((fpr[:-1] - fpr[1:]) * heights, dtype=np.float32))


def _interpolate_pr_auc(tp, fp, fn) -> np.float32:
    """Davis & Goadrich (2006) interpolated area under precision-recall, as Keras."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = _div_no_nan(dtp, np.maximum(dp, np.float32(0)))
    intercept = tp[1:] - slope * p[1:]
    both_positive = (p[:-1] > 0) & (p[1:] > 0)
    ratio = np.where(both_positive, _div_no_nan(p[:-1], np.maximum(p[1:], np.float32(0))),
                     np.float32(1)).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        increment = _div_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                np.maximum(tp[1:] + fn[1:], np.float32(0)))
    return np.float32(np.sum(increment, dtype=np.float32))



# -- tf.compat.v1.metrics: what the v1 heads (TF's canned/head.py) evaluate with ---------
# Same float32 accumulators and per-batch sums as above; the results differ from Keras'
# in the divisions (epsilons, a clamped count), the AUC's summation, and the v1 heads'
# accuracy at a threshold counting ``prediction >= threshold`` as positive.


@attrs.define(eq=False)
class V1Mean(Mean):
    """``tf.compat.v1.metrics.mean``: :class:`Mean` whose result is
    ``div_no_nan(total, max(count, 0))`` (0 when the weights sum to a negative number)."""

    def result(self) -> np.float32:
        return np.float32(_div_no_nan(self.total, np.maximum(self.count, np.float32(0))))


@attrs.define(eq=False)
class V1Accuracy(Accuracy):
    """``tf.compat.v1.metrics.accuracy``: :class:`Accuracy`'s counts, :class:`V1Mean`'s
    result."""

    result = V1Mean.result


@attrs.define(eq=False)
class V1AccuracyAtThreshold(V1Mean):
    """The v1 binary head's ``accuracy/positive_threshold_<t>``: v1 accuracy of the
    labels against ``float(prediction >= threshold)`` (``>=``, where Keras'
    ``BinaryAccuracy`` and the v1 precision and recall at thresholds use ``>``)."""

    threshold: float = 0.5

    def update(self, y_true, y_pred, weights=None) -> None:  # type: ignore[override]
        y_true = np.asarray(y_true, dtype=np.float32)
        predicted = np.asarray(y_pred, dtype=np.float32) >= np.float32(self.threshold)
        super().update((y_true == predicted.astype(np.float32).reshape(y_true.shape))
                       .astype(np.float32), weights)


def _where_positive_ratio(numerator, denominator) -> np.float32:
    """``numerator / denominator`` where ``denominator > 0``, else 0 (float32)."""
    if denominator > 0:
        return np.float32(np.float32(numerator) / np.float32(denominator))
    return np.float32(0)


def _as_bool_predictions(y_pred):
    # The v1 precision and recall cast predictions to bool; as 0/1 floats, the kernel's
    # `prediction > 0.5` is that cast.
    return (np.asarray(y_pred) != 0).astype(np.float32)


@attrs.define(eq=False)
class V1Precision(_ThresholdConfusion):
    """``tf.compat.v1.metrics.precision`` of predicted classes: predictions and labels
    cast to bool, ``tp / (tp + fp)`` where ``tp + fp > 0``, else 0."""

    def update(self, y_true, y_pred, weights=None) -> None:
        super().update(y_true, _as_bool_predictions(y_pred), weights)

    def result(self) -> np.float32:
        return _where_positive_ratio(self.tp, self.tp + self.fp)


@attrs.define(eq=False)
class V1Recall(_ThresholdConfusion):
    """``tf.compat.v1.metrics.recall``: ``tp / (tp + fn)`` where ``tp + fn > 0``, else 0."""

    def update(self, y_true, y_pred, weights=None) -> None:
        super().update(y_true, _as_bool_predictions(y_pred), weights)

    def result(self) -> np.float32:
        return _where_positive_ratio(self.tp, self.tp + self.fn)


_V1_THRESHOLD_EPSILON = np.float32(1e-7)


def _v1_epsilon_ratio(tp, other) -> np.float32:
    # TF: tp / (epsilon + tp + other), float32, added left to right.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.float32(tp / (_V1_THRESHOLD_EPSILON + tp + other))


@attrs.define(eq=False)
class V1PrecisionAtThreshold(_ThresholdConfusion):
    """``tf.compat.v1.metrics.precision_at_thresholds`` at one threshold:
    ``prediction > threshold`` positive, result ``tp / (1e-7 + tp + fp)``."""

    def result(self) -> np.float32:
        return _v1_epsilon_ratio(self.tp, self.fp)


@attrs.define(eq=False)
class V1RecallAtThreshold(_ThresholdConfusion):
    """``tf.compat.v1.metrics.recall_at_thresholds`` at one threshold:
    ``tp / (1e-7 + tp + fn)``."""

    def result(self) -> np.float32:
        return _v1_epsilon_ratio(self.tp, self.fn)


_V1_AUC_EPSILON = np.float32(1e-6)


@attrs.define(eq=False)
class V1AUC(AUC):
    """``tf.compat.v1.metrics.auc`` (``summation_method='trapezoidal'``), ROC or PR.

    Thresholds as :class:`AUC`'s (``-1e-7, 1/(T-1), ..., (T-2)/(T-1), 1+1e-7`` in
    float32), but a prediction counts as positive at threshold ``i`` when it is strictly
    greater than it (no buckets), and the curve is summed in trapezoids of the rates
    with ``e = 1e-6``: recall ``(tp + e) / (tp + fn + e)``, false positive rate
    ``fp / (fp + tn + e)``, precision ``(tp + e) / (tp + fp + e)``; ROC sums
    ``(fpr[i] - fpr[i+1]) (recall[i] + recall[i+1]) / 2``, PR
    ``(recall[i] - recall[i+1]) (precision[i] + precision[i+1]) / 2``, in float32.
    """

    def update(self, y_true, y_pred, weights=None) -> None:
        """Add a batch: labels (non-zero = positive), predictions in [0, 1], weights."""
        y_pred, w = _flat_values_and_weights(y_pred, weights)
        y_true = np.asarray(y_true, dtype=np.float32).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"y_true has {y_true.size} elements, y_pred has {y_pred.size}")
        thresholds = self.thresholds
        size = thresholds.size
        # above[k]: how many thresholds lie strictly below prediction k, so prediction k
        # is positive at thresholds 0 .. above[k] - 1.
        above = np.searchsorted(thresholds, y_pred, side="left")
        w = np.ones(y_pred.size) if w is None else w.astype(np.float64)
        positive = y_true != 0
        # Per-threshold sums in float64, rounded once per batch (TF: float32 sums of the
        # masked weights; exact for counts).
        pos = np.bincount(above[positive], weights=w[positive], minlength=size + 1)
        neg = np.bincount(above[~positive], weights=w[~positive], minlength=size + 1)
        tp = np.cumsum(pos[::-1])[::-1][1:]  # weight above threshold i: sum of pos[i+1:]
        fp = np.cumsum(neg[::-1])[::-1][1:]
        fn = np.cumsum(pos)[:size]  # at or below threshold i: sum of pos[:i+1]
        tn = np.cumsum(neg)[:size]
        self.tp += tp.astype(np.float32)
        self.fp += fp.astype(np.float32)
        self.fn += fn.astype(np.float32)
        self.tn += tn.astype(np.float32)

    def result(self) -> np.float32:
        e = _V1_AUC_EPSILON
        tp, fp, tn, fn = self.tp, self.fp, self.tn, self.fn
        with np.errstate(divide="ignore", invalid="ignore"):
            recall = (tp + e) / (tp + fn + e)
            if self.curve == "ROC":
                x, y = fp / (fp + tn + e), recall
            else:
                x, y = recall, (tp + e) / (tp + fp + e)
        heights = (y[:-1] + y[1:]) / np.float32(2)
        return np.float32(np.sum((x[:-1] - x[1:]) * heights, dtype=np.float32))


def _keras_accuracy_baseline(label_mean: Mean) -> np.float32:
    # Keras (v2 heads): max(total, count - total) / count from the float32 total and count.
    total, count = label_mean.total, label_mean.count
    return Mean(total=np.maximum(total, np.float32(count - total)), count=count).result()


def _v1_accuracy_baseline(label_mean: Mean) -> np.float32:
    # v1 heads: max(mean, 1 - mean) of the label mean's float32 result.
    mean = label_mean.result()
    return np.float32(np.maximum(mean, np.float32(1) - mean))


@attrs.frozen(kw_only=True)
class MetricFamily:
    """The metric classes a head builds its metrics from: Keras' (the v2 heads') or
    ``tf.compat.v1.metrics``' (the v1 heads'). ``accuracy_baseline`` turns a label mean
    into the binary head's ``accuracy_baseline``."""

    version: int
    mean: type
    accuracy: type
    precision: type
    recall: type
    auc: type
    accuracy_at_threshold: type
    precision_at_threshold: type
    recall_at_threshold: type
    accuracy_baseline: object


KERAS_METRICS = MetricFamily(
    version=2, mean=Mean, accuracy=Accuracy, precision=Precision, recall=Recall, auc=AUC,
    accuracy_at_threshold=BinaryAccuracy, precision_at_threshold=Precision,
    recall_at_threshold=Recall, accuracy_baseline=_keras_accuracy_baseline)
V1_METRICS = MetricFamily(
    version=1, mean=V1Mean, accuracy=V1Accuracy, precision=V1Precision, recall=V1Recall,
    auc=V1AUC, accuracy_at_threshold=V1AccuracyAtThreshold,
    precision_at_threshold=V1PrecisionAtThreshold, recall_at_threshold=V1RecallAtThreshold,
    accuracy_baseline=_v1_accuracy_baseline)


def metric_family(version) -> MetricFamily:
    """:data:`V1_METRICS` for 1 (``tf.compat.v1.metrics``), :data:`KERAS_METRICS` for 2."""
    return V1_METRICS if version == 1 else KERAS_METRICS


def validate_metrics_version(instance, attribute, value):
    """attrs validator of a head's ``metrics_version``: 1 or 2."""
    if isinstance(value, bool) or value not in (1, 2):
        raise ValueError(
            f"{attribute.name}: expected 1 (tf.compat.v1.metrics, as TensorFlow's v1 heads) "
            f"or 2 (Keras metrics, as the v2 heads), received {value!r}")

class MetricsAccumulator:
    """A head's streaming evaluation metrics over any number of batches.

    Subclasses hold one metric per key and implement :meth:`update`; :meth:`result`
    returns ``{key: numpy.float32}`` with TensorFlow's keys (suffixed ``/<name>``
    when the head has a name).
    """

    keys: ClassVar[tuple[str, ...]] = ()

    def update(self, logits, labels, weights=None, unweighted_loss=None) -> None:
        """Add one batch.

        Args:
            logits: float32 ``[batch, logits_dimension]``.
            labels: labels as the head's ``prepare_labels`` returns them.
            weights: ``None`` or weights as ``prepare_weights`` returns them.
            unweighted_loss: the per-example loss of this batch (computed when
                ``None``).
        """
        raise NotImplementedError

    def result(self) -> dict[str, np.float32]:
        raise NotImplementedError

    def _prepared_batch(self, logits, labels, weights, unweighted_loss):
        """``(logits, labels, weights, unweighted_loss)`` checked and prepared by the head
        (``self.head``), the loss computed when not given: every head's first step."""
        head = self.head
        logits = head.check_logits(logits)
        labels = head._prepared_labels(labels, logits)
        weights = head._prepared_weights(weights, logits)
        if unweighted_loss is None:
            unweighted_loss = head.loss(logits, labels).unweighted
        return logits, labels, weights, unweighted_loss


def threshold_results(key, at_threshold) -> dict:
    """TensorFlow's ``accuracy/``, ``precision/`` and ``recall/positive_threshold_<t>``
    results of ``(threshold, accuracy, precision, recall)`` metrics, keys made by ``key``."""
    out = {}
    for threshold, accuracy, precision, recall in at_threshold:
        out[key("accuracy/positive_threshold_%g" % threshold)] = accuracy.result()
        out[key("precision/positive_threshold_%g" % threshold)] = precision.result()
        out[key("recall/positive_threshold_%g" % threshold)] = recall.result()
    return out
