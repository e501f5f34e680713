"""Classification heads: ``BinaryClassHead`` (sigmoid) and ``MultiClassHead`` (softmax)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.head import (
    Head,
    check_label_range,
    class_table,
    convert_label_vocabulary,
    convert_loss_reduction,
    dtype_str,
    is_string_array,
    lookup_vocabulary,
    sigmoid,
    softmax,
    tile_rows,
    to_float32,
    validate_label_vocabulary,
    validate_loss_fn,
    validate_name,
    validate_weight_column,
)
from cannery.core.metrics import (
    MetricsAccumulator,
    metric_family,
    threshold_results,
    validate_metrics_version,
)
from cannery.losses import Reduction

_WEIGHT_COLUMN = {"spec_kind": "feature_column"}


def _convert_thresholds(value):
    # Kept as given (not cast to float) so messages print them as TensorFlow does.
    if value is None:
        return ()
    if isinstance(value, (int, float)):
        return (value,)
    return tuple(value)


def _validate_thresholds(instance, attribute, value):
    for threshold in value:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
            raise TypeError(f"thresholds: expected numbers in (0, 1), received {threshold!r}")
        if threshold <= 0.0 or threshold >= 1.0:
            raise ValueError(f"thresholds not in (0, 1): {(value,)}.")


def _string_label_dtype_error(labels: np.ndarray) -> ValueError:
    return ValueError(
        f"Labels dtype should be string if there is a vocabulary. Instead got {dtype_str(labels)}"
    )


@attrs.frozen
class BinaryClassHead(Head):
    """Binary classification: sigmoid cross-entropy on one logit (``tf.estimator.BinaryClassHead``).

    Labels are 0/1 (soft labels in [0, 1] allowed), or strings from a two-item
    ``label_vocabulary``. Loss: ``max(x, 0) - x z + log(1 + exp(-|x|))``.

    Arguments are TensorFlow's, in TensorFlow's order (so positional calls work).

    Args:
        weight_column: ``None``, a feature name, or a ``numeric_column``; the
            estimator reads the weights and passes them to :meth:`loss`.
        thresholds: extra decision thresholds in (0, 1) for
            ``accuracy/positive_threshold_<t>`` (and precision, recall) metrics.
        label_vocabulary: list or tuple of the two class names.
        loss_reduction: a :class:`cannery.losses.Reduction` name except ``none``.
        loss_fn: optional ``loss_fn(labels, logits[, features])`` returning the
            unweighted loss ``[batch, 1]`` (or ``(loss, d loss / d logits)``).
        name: suffixes metric keys with ``/<name>``.
        metrics_version: keyword only; 2 (default): Keras' metrics, as
            ``tf.estimator.BinaryClassHead``; 1: ``tf.compat.v1.metrics``, as the v1
            head of TensorFlow's ``tf.compat.v1.estimator`` classes (trapezoidal AUCs,
            ``accuracy/positive_threshold_<t>`` counting ``p >= t``, epsilons in the
            precision and recall at thresholds).

    Raises:
        ValueError: invalid thresholds, vocabulary type, reduction, loss_fn or
            metrics_version.
        TypeError: a weight column that is neither a string nor a numeric column.
    """

    registered_name: ClassVar[str] = "binary_classification"

    weight_column: object = attrs.field(default=None, validator=validate_weight_column,
                                        metadata=_WEIGHT_COLUMN)
    thresholds: tuple = attrs.field(default=None, converter=_convert_thresholds,
                                    validator=_validate_thresholds)
    label_vocabulary: tuple | None = attrs.field(default=None, converter=convert_label_vocabulary,
                                                 validator=validate_label_vocabulary)
    loss_reduction: str = attrs.field(default=Reduction.SUM_OVER_BATCH_SIZE,
                                      converter=convert_loss_reduction)
    loss_fn: object = attrs.field(default=None, validator=validate_loss_fn)
    name: str | None = attrs.field(default=None, validator=validate_name)
    metrics_version: int = attrs.field(default=2, kw_only=True,
                                       validator=validate_metrics_version)

    @property
    def logits_dimension(self) -> int:
        return 1

    @property
    def n_classes(self) -> int:
        return 2

    @property
    def prediction_keys(self) -> tuple[str, ...]:
        return ("logits", "logistic", "probabilities", "class_ids", "classes",
                "all_class_ids", "all_classes")

    def convert_labels(self, labels: np.ndarray) -> np.ndarray:
        """float32 ``[B, 1]``: vocabulary ids, or the numbers; range-checked to [0, 1]."""
        raw = None
        if self.label_vocabulary is not None:
            if not is_string_array(labels):
                raise _string_label_dtype_error(labels)
            raw = labels
            labels = lookup_vocabulary(labels, self.label_vocabulary)
        labels = to_float32(labels)
        check_label_range(labels, 0, 1, "Labels must be >= 0", "Labels must be <= n_classes - 1",
                          raw=raw)
        return labels

    def _loss_kernel(self, logits, labels, weights, scale):
        from cannery.core.kernels.losses import sigmoid_cross_entropy

        unweighted = np.empty(logits.shape, dtype=np.float32)
        grad = np.empty(logits.shape, dtype=np.float32)
        total = sigmoid_cross_entropy(logits, labels, weights, scale, unweighted, grad)
        return unweighted, total, grad

    def predictions(self, logits) -> dict[str, np.ndarray]:
        """TensorFlow's binary predictions for a batch of logits ``[B, 1]``.

        Returns:
            ``logits`` float32 [B,1], ``logistic`` float32 [B,1], ``probabilities``
            float32 [B,2], ``class_ids`` int64 [B,1], ``classes`` bytes [B,1],
            ``all_class_ids`` int32 [B,2], ``all_classes`` bytes [B,2].
        """
        logits = self.check_logits(logits)
        if logits.shape == (1, 1):
            return self._one_prediction(logits)
        lead = logits.shape[:-1]
        # sigmoid(x) and sigmoid(-x) share exp(-|x|): the same float64 operations as
        # head.sigmoid (so the same bits), done once for both columns.
        x = logits.astype(np.float64)
        e = np.exp(-np.abs(x))
        d = 1.0 + e
        p = 1.0 / d
        q = e / d
        logistic = np.where(x >= 0, p, q).astype(np.float32)
        # softmax([0, x]) = [sigmoid(-x), sigmoid(x)]; sigmoid(-x) keeps precision
        # where 1 - sigmoid(x) would round to 0.
        probabilities = np.empty(lead + (2,), np.float32)
        probabilities[..., :1] = np.where(x <= 0, p, q)
        probabilities[..., 1:] = logistic
        class_ids = (logits > 0).astype(np.int64)
        names, all_ids = class_table(2, self.label_vocabulary)
        return {
            "logits": logits,
            "logistic": logistic,
            "probabilities": probabilities,
            "class_ids": class_ids,
            "classes": names[class_ids],
            "all_class_ids": tile_rows(all_ids, lead),
            "all_classes": tile_rows(names, lead),
        }

    def _one_prediction(self, logits) -> dict[str, np.ndarray]:
        # Single-example serving: the batch path's operations on one value, with the
        # exact IEEE steps after exp done on numpy scalars (same bits, fewer array calls).
        # exp stays an array call so it runs numpy's same exp loop as the batch path.
        e = np.exp(-np.abs(logits.astype(np.float64)))[0, 0]
        x = logits[0, 0]
        d = 1.0 + e
        p = 1.0 / d
        q = e / d
        positive = p if x >= 0 else q
        negative = p if x <= 0 else q
        class_id = 1 if x > 0 else 0
        names, all_ids = class_table(2, self.label_vocabulary)
        classes = np.empty((1, 1), dtype=object)
        classes[0, 0] = names[class_id]
        return {
            "logits": logits,
            "logistic": np.array([[positive]], np.float32),
            "probabilities": np.array([[negative, positive]], np.float32),
            "class_ids": np.array([[class_id]], np.int64),
            "classes": classes,
            "all_class_ids": tile_rows(all_ids, (1,)),
            "all_classes": tile_rows(names, (1,)),
        }

    def create_metrics(self) -> BinaryClassMetrics:
        return BinaryClassMetrics(self)

    def example_labels(self, rng, batch_size):
        ids = rng.integers(0, 2, size=batch_size)
        if self.label_vocabulary is not None:
            return np.array(self.label_vocabulary, dtype=object)[ids]
        return ids.astype(np.float32)


class BinaryClassMetrics(MetricsAccumulator):
    """``average_loss, accuracy, precision, recall, prediction/mean, label/mean,
    accuracy_baseline, auc, auc_precision_recall`` (+ per-threshold metrics), from the
    head's ``metrics_version``'s metric family (Keras' or ``tf.compat.v1.metrics``')."""

    def __init__(self, head: BinaryClassHead):
        self.head = head
        family = self.family = metric_family(head.metrics_version)
        self.average_loss = family.mean()
        self.accuracy = family.accuracy()
        self.precision = family.precision()
        self.recall = family.recall()
        self.prediction_mean = family.mean()
        self.label_mean = family.mean()
        self.auc = family.auc(curve="ROC")
        self.auc_pr = family.auc(curve="PR")
        self.at_threshold = [
            (t, family.accuracy_at_threshold(threshold=t),
             family.precision_at_threshold(threshold=t), family.recall_at_threshold(threshold=t))
            for t in head.thresholds
        ]

    def update(self, logits, labels, weights=None, unweighted_loss=None) -> None:
        logits, labels, weights, unweighted_loss = self._prepared_batch(
            logits, labels, weights, unweighted_loss)
        class_ids = (logits > 0).astype(np.float32)
        logistic = sigmoid(logits)
        self.average_loss.update(unweighted_loss, weights)
        self.accuracy.update(labels, class_ids, weights)
        self.precision.update(labels, class_ids, weights)
        self.recall.update(labels, class_ids, weights)
        self.prediction_mean.update(logistic, weights)
        self.label_mean.update(labels, weights)
        self.auc.update(labels, logistic, weights)
        self.auc_pr.update(labels, logistic, weights)
        for _, accuracy, precision, recall in self.at_threshold:
            accuracy.update(labels, logistic, weights)
            precision.update(labels, logistic, weights)
            recall.update(labels, logistic, weights)

    def result(self) -> dict[str, np.float32]:
        key = self.head.summary_key
        out = {
            key("average_loss"): self.average_loss.result(),
            key("accuracy"): self.accuracy.result(),
            key("precision"): self.precision.result(),
            key("recall"): self.recall.result(),
            key("prediction/mean"): self.prediction_mean.result(),
            key("label/mean"): self.label_mean.result(),
            # The best constant prediction: max(label_mean, 1 - label_mean), formed
            # as TensorFlow's v1 or v2 head does.
            key("accuracy_baseline"): self.family.accuracy_baseline(self.label_mean),
            key("auc"): self.auc.result(),
            key("auc_precision_recall"): self.auc_pr.result(),
        }
        out.update(threshold_results(key, self.at_threshold))
        return out


def _validate_n_classes(instance, attribute, value):
    if value is None:
        raise ValueError("n_classes cannot be None")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"n_classes: expected an integer > 2, received {value!r}")
    if value <= 2:
        raise ValueError(f"n_classes must be > 2: {value}.")


@attrs.frozen
class MultiClassHead(Head):
    """Multi-class classification: softmax cross-entropy (``tf.estimator.MultiClassHead``).

    Labels are integer class ids in ``[0, n_classes)``, or strings from
    ``label_vocabulary`` (exactly ``n_classes`` items). Loss:
    ``logsumexp(x) - x[label]``.

    Args:
        n_classes: number of classes, > 2.
        weight_column: ``None``, a feature name, or a ``numeric_column``.
        label_vocabulary: list or tuple of ``n_classes`` class names.
        loss_reduction: a :class:`cannery.losses.Reduction` name except ``none``.
        loss_fn: optional ``loss_fn(labels, logits[, features])`` returning the
            unweighted loss ``[batch, 1]`` (or ``(loss, d loss / d logits)``).
        name: suffixes metric keys with ``/<name>``.
        metrics_version: keyword only; 2 (default): Keras' metrics; 1:
            ``tf.compat.v1.metrics``, as TensorFlow's v1 head.

    Raises:
        ValueError: ``n_classes`` None or <= 2, a vocabulary of the wrong type or length,
            an invalid reduction or loss_fn (TensorFlow's messages), or metrics_version.
    """

    registered_name: ClassVar[str] = "multi_class_classification"
    prepared_label_dtype: ClassVar[np.dtype] = np.dtype(np.int64)

    n_classes: int = attrs.field(validator=_validate_n_classes,
                                 converter=lambda v: int(v) if isinstance(v, np.integer) else v)
    weight_column: object = attrs.field(default=None, validator=validate_weight_column,
                                        metadata=_WEIGHT_COLUMN)
    label_vocabulary: tuple | None = attrs.field(default=None, converter=convert_label_vocabulary,
                                                 validator=validate_label_vocabulary)
    loss_reduction: str = attrs.field(default=Reduction.SUM_OVER_BATCH_SIZE,
                                      converter=convert_loss_reduction)
    loss_fn: object = attrs.field(default=None, validator=validate_loss_fn)
    name: str | None = attrs.field(default=None, validator=validate_name)
    metrics_version: int = attrs.field(default=2, kw_only=True,
                                       validator=validate_metrics_version)

    def __attrs_post_init__(self):
        vocabulary = self.label_vocabulary
        if vocabulary is not None and len(vocabulary) != self.n_classes:
            raise ValueError(
                f'"label_vocabulary" does not have "n_classes" items. '
                f"len(label_vocabulary)={len(vocabulary)}, n_classes={self.n_classes}, "
                f"label_vocabulary={list(vocabulary)}"
            )

    @property
    def logits_dimension(self) -> int:
        return self.n_classes

    @property
    def prediction_keys(self) -> tuple[str, ...]:
        return ("logits", "probabilities", "class_ids", "classes", "all_class_ids",
                "all_classes")

    def convert_labels(self, labels: np.ndarray) -> np.ndarray:
        """int64 ``[B, 1]`` class ids, range-checked to ``[0, n_classes)``."""
        raw = None
        if self.label_vocabulary is not None:
            if not is_string_array(labels):
                raise _string_label_dtype_error(labels)
            raw = labels
            labels = lookup_vocabulary(labels, self.label_vocabulary)
        elif labels.dtype.kind not in "iu":
            raise ValueError(f"Labels dtype should be integer. Instead got {dtype_str(labels)}.")
        labels = labels.astype(np.int64, copy=False)
        check_label_range(labels, 0, self.n_classes - 1, "Labels must be >= 0",
                          "Labels must be <= n_classes - 1", raw=raw)
        return labels

    def _loss_kernel(self, logits, labels, weights, scale):
        from cannery.core.kernels.losses import sparse_softmax_cross_entropy

        n = logits.shape[0]
        # The kernel indexes rows by label without bounds checks: labels that reached
        # here already prepared are re-checked (two vectorized reductions).
        check_label_range(labels, 0, self.n_classes - 1, "Labels must be >= 0",
                          "Labels must be <= n_classes - 1")
        unweighted = np.empty((n, 1), dtype=np.float32)
        grad = np.empty(logits.shape, dtype=np.float32)
        total = sparse_softmax_cross_entropy(logits, labels.reshape(n), weights, scale,
                                             unweighted, grad)
        return unweighted, total, grad

    def predictions(self, logits) -> dict[str, np.ndarray]:
        """TensorFlow's multi-class predictions for logits ``[B, n_classes]``.

        Returns:
            ``logits`` float32, ``probabilities`` float32 [B,n], ``class_ids`` int64
            [B,1] (first maximal logit), ``classes`` bytes [B,1], ``all_class_ids``
            int32 [B,n], ``all_classes`` bytes [B,n].
        """
        logits = self.check_logits(logits)
        lead = logits.shape[:-1]
        n = self.n_classes
        class_ids = np.argmax(logits, axis=-1)[..., np.newaxis].astype(np.int64)
        names, all_ids = class_table(n, self.label_vocabulary)
        return {
            "logits": logits,
            "probabilities": softmax(logits),
            "class_ids": class_ids,
            "classes": names[class_ids],
            "all_class_ids": tile_rows(all_ids, lead),
            "all_classes": tile_rows(names, lead),
        }

    def create_metrics(self) -> MultiClassMetrics:
        return MultiClassMetrics(self)

    def example_labels(self, rng, batch_size):
        ids = rng.integers(0, self.n_classes, size=batch_size)
        if self.label_vocabulary is not None:
            return np.array(self.label_vocabulary, dtype=object)[ids]
        return ids


class MultiClassMetrics(MetricsAccumulator):
    """``average_loss`` and ``accuracy``."""

    def __init__(self, head: MultiClassHead):
        self.head = head
        family = metric_family(head.metrics_version)
        self.average_loss = family.mean()
        self.accuracy = family.accuracy()

    def update(self, logits, labels, weights=None, unweighted_loss=None) -> None:
        logits, labels, weights, unweighted_loss = self._prepared_batch(
            logits, labels, weights, unweighted_loss)
        class_ids = np.argmax(logits, axis=-1)[..., np.newaxis].astype(np.int64)
        self.average_loss.update(unweighted_loss, weights)
        self.accuracy.update(labels, class_ids, weights)

    def result(self) -> dict[str, np.float32]:
        key = self.head.summary_key
        return {key("average_loss"): self.average_loss.result(),
                key("accuracy"): self.accuracy.result()}
