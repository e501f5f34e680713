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

__all__ = ["AUC", "Accuracy", "BinaryAccuracy", "Mean", "MetricsAccumulator", "Precision",
           "Recall"]


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
