"""``MultiLabelHead``: zero or more labels per example, one sigmoid per class.

TensorFlow 2.15's ``tensorflow_estimator/python/estimator/head/multi_label_head.py``:
sigmoid cross-entropy per class, averaged over the classes, then weighted and reduced
over the batch; predictions ``logits``, ``probabilities`` and ``classes``; metrics
``average_loss``, ``auc``, ``auc_precision_recall``, per-threshold accuracy, precision
and recall, and per-class probability mean and AUCs.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.head import (
    LABEL_NONE_ERR_MSG,
    Head,
    InvalidLabelError,
    check_label_vocabulary_items,
    class_table,
    convert_label_vocabulary,
    dtype_str,
    is_string_array,
    lookup_vocabulary,
    sigmoid,
    tile_rows,
    validate_loss_fn,
    validate_name,
    validate_weight_column,
)
from cannery.core.metrics import (
    AUC,
    Mean,
    MetricsAccumulator,
    Precision,
    Recall,
    threshold_results,
)
from cannery.losses import Reduction

__all__ = ["MultiLabelHead", "MultiLabelMetrics"]

_WEIGHT_COLUMN = {"spec_kind": "feature_column"}
_DENSE_RANGE_MSG = "labels must be an integer indicator Tensor with values in [0, 1]"


def _as_tuple(value):
    # TensorFlow: ``tuple(value) if value else tuple()``.
    if value is None:
        return ()
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return tuple(value) if value else ()


def _as_python_int(value):
    return int(value) if isinstance(value, np.integer) else value


@attrs.frozen
class MultiLabelHead(Head):
    """Multi-label classification (``tf.estimator.MultiLabelHead``).

    Each example has zero or more of ``n_classes`` labels. The loss is the sigmoid
    cross-entropy ``max(x, 0) - x z + log(1 + exp(-|x|))`` of every class, averaged
    over the classes (one loss per example), then weighted and reduced over the batch
    by ``loss_reduction``.

    Labels are one of:

    * a multi-hot array ``[D0, ..., DN, n_classes]`` of 0/1 (soft labels in [0, 1]
      are accepted, as TensorFlow's range check accepts them);
    * a :class:`~cannery.core.tensors.SparseTensor` of integer class ids in
      ``[0, n_classes)`` with ``dense_shape`` ``[D0, ..., DN, ?]``;
    * with ``label_vocabulary``, a string ``SparseTensor`` of class names.

    Arguments are TensorFlow's, in TensorFlow's order.

    Args:
        n_classes: number of classes, > 1.
        weight_column: ``None``, a feature name, or a ``numeric_column``; one weight
            per example (per-class weights are not supported).
        thresholds: iterable of numbers in (0, 1) for
            ``accuracy/positive_threshold_<t>`` (and precision, recall) metrics.
        label_vocabulary: list or tuple of the ``n_classes`` class names.
        loss_reduction: a :class:`cannery.losses.Reduction` name except ``none``.
        loss_fn: optional ``loss_fn(labels, logits[, features])`` given multi-hot
            labels and returning the unweighted loss ``[D0, ..., DN, 1]`` (or
            ``(loss, d loss / d logits)``).
        classes_for_class_based_metrics: class ids, or class names from
            ``label_vocabulary``, for the per-class metrics ``probability_mean/...``,
            ``auc/...`` and ``auc_precision_recall/...``.
        name: suffixes metric keys with ``/<name>``.

    Raises:
        ValueError: TensorFlow's messages for ``n_classes`` < 2, thresholds outside
            (0, 1), a vocabulary of the wrong type or length, an invalid ``loss_fn``
            or ``loss_reduction``, and per-class metric classes out of range or
            missing from the vocabulary.
        TypeError: a weight column that is neither a string nor a numeric column.
    """

    registered_name: ClassVar[str] = "multi_label_classification"

    n_classes: int = attrs.field(converter=_as_python_int)
    weight_column: object = attrs.field(default=None, metadata=_WEIGHT_COLUMN)
    thresholds: tuple = attrs.field(default=None, converter=_as_tuple)
    label_vocabulary: tuple | None = attrs.field(default=None, converter=convert_label_vocabulary)
    loss_reduction: str = attrs.field(default=Reduction.SUM_OVER_BATCH_SIZE)
    loss_fn: object = attrs.field(default=None)
    classes_for_class_based_metrics: tuple = attrs.field(default=None, converter=_as_tuple)
    name: str | None = attrs.field(default=None, validator=validate_name)

    def __attrs_post_init__(self):
        # TensorFlow's checks, in TensorFlow's order (MultiLabelHead.__init__).
        n_classes = self.n_classes
        if isinstance(n_classes, str) or (n_classes is not None and not isinstance(
                n_classes, (int, float, np.number))):
            raise TypeError(f"n_classes: expected an integer > 1, received {n_classes!r}")
        if n_classes is None or n_classes < 2:
            raise ValueError(
                f"n_classes must be > 1 for multi-label classification. Given: {n_classes}")
        if not isinstance(n_classes, int):
            raise TypeError(f"n_classes: expected an integer > 1, received {n_classes!r}")
        for threshold in self.thresholds:
            if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
                raise TypeError(f"thresholds: expected numbers in (0, 1), received {threshold!r}")
            if threshold <= 0.0 or threshold >= 1.0:
                raise ValueError(f"thresholds must be in (0, 1) range. Given: {threshold}")
        vocabulary = self.label_vocabulary
        if vocabulary is not None:
            if not isinstance(vocabulary, tuple):
                raise ValueError(
                    f"label_vocabulary must be a list or tuple. Given type: {type(vocabulary)}")
            if len(vocabulary) != n_classes:
                raise ValueError(
                    f"Length of label_vocabulary must be n_classes ({n_classes}). "
                    f"Given: {len(vocabulary)}")
            check_label_vocabulary_items(vocabulary)
        validate_loss_fn(self, None, self.loss_fn)
        object.__setattr__(self, "loss_reduction", Reduction.validate(self.loss_reduction))
        self.class_ids_for_metrics  # noqa: B018 -- validates classes_for_class_based_metrics
        validate_weight_column(self, None, self.weight_column)

    @property
    def class_ids_for_metrics(self) -> tuple[int, ...]:
        """``classes_for_class_based_metrics`` as class ids (names looked up).

        Raises:
            ValueError: TensorFlow's messages for names without a vocabulary, names not
                in it, and ids outside ``[0, n_classes - 1]``.
        """
        classes = self.classes_for_class_based_metrics
        if not classes:
            return ()
        if isinstance(classes[0], str):
            if not self.label_vocabulary:
                raise ValueError("label_vocabulary must be provided when "
                                 "classes_for_class_based_metrics are strings.")
            vocabulary = list(self.label_vocabulary)
            return tuple(vocabulary.index(name) for name in classes)  # "'x' is not in list"
        for class_id in classes:
            if class_id < 0 or class_id >= self.n_classes:
                raise ValueError(
                    f"All classes_for_class_based_metrics must be in range "
                    f"[0, {self.n_classes - 1}]. Given: {class_id}")
        return tuple(int(class_id) for class_id in classes)

    # -- shape facts -------------------------------------------------------------
    @property
    def logits_dimension(self) -> int:
        return self.n_classes

    @property
    def label_dimension(self) -> int:
        """Prepared labels are multi-hot ``[..., n_classes]``."""
        return self.n_classes

    @property
    def loss_dimension(self) -> int:
        """One loss per example: the class losses are averaged."""
        return 1

    @property
    def prediction_keys(self) -> tuple[str, ...]:
        return ("logits", "probabilities", "classes")

    # -- labels ------------------------------------------------------------------------
    def prepare_labels(self, labels, logits_shape=None) -> np.ndarray:
        """Multi-hot float32 labels ``[D0, ..., DN, n_classes]``.

        Args:
            labels: a multi-hot array, or a ``SparseTensor`` of class ids (or of class
                names when the head has a vocabulary) with ``dense_shape``
                ``[D0, ..., DN, ?]``.
            logits_shape: the batch's logits shape, when known.

        Raises:
            ValueError: missing labels, wrong shapes, non-integer sparse ids (TensorFlow's
                messages); :class:`InvalidLabelError` for values out of range or names
                not in the vocabulary.
        """
        if labels is None:
            raise ValueError(LABEL_NONE_ERR_MSG)
        from cannery.core.tensors import SparseTensor

        if isinstance(labels, SparseTensor):
            return self._label_array(self._sparse_to_indicator(labels), logits_shape)
        return self.convert_labels(self._label_array(labels, logits_shape))

    def convert_labels(self, labels: np.ndarray) -> np.ndarray:
        """float32 multi-hot labels, range-checked to [0, 1]."""
        if is_string_array(labels) or labels.dtype.kind not in "biuf":
            raise ValueError(f"{_DENSE_RANGE_MSG}; received dtype {dtype_str(labels)}")
        values = labels.astype(np.float32, copy=False)
        # TensorFlow checks labels <= 1 first, then labels >= 0 (a NaN fails the first).
        for bad in (~(values <= 1), ~(values >= 0)):
            if bad.any():
                value = labels.reshape(-1)[int(np.flatnonzero(bad.reshape(-1))[0])].item()
                raise InvalidLabelError(f"{_DENSE_RANGE_MSG} (received {value!r})")
        return values

    def _sparse_to_indicator(self, labels) -> np.ndarray:
        """``tf.sparse.to_indicator`` of the ids (looked up when they are strings)."""
        values = np.asarray(labels.values)
        shape = tuple(int(d) for d in labels.dense_shape[:-1]) + (self.n_classes,)
        raw = None
        if is_string_array(values):
            if self.label_vocabulary is None:
                raise ValueError(
                    f"labels: a string SparseTensor needs a label_vocabulary, received values "
                    f"of dtype {dtype_str(values)}")
            raw = values
            ids = lookup_vocabulary(values, self.label_vocabulary)
        else:
            if values.dtype.kind not in "iu":
                raise ValueError(
                    f"Labels dtype should be integer. Instead got {dtype_str(values)}.")
            ids = values.astype(np.int64)
            message = f"labels must be an integer SparseTensor with values in [0, {self.n_classes})"
            for bad in (ids > self.n_classes - 1, ids < 0):
                if bad.any():
                    raise InvalidLabelError(
                        f"{message} (received {values[int(np.flatnonzero(bad)[0])].item()!r})")
        indices = labels.indices  # int64 [nnz, rank]
        coordinates = np.concatenate([indices[:, :-1], ids[:, np.newaxis]], axis=1)
        outside = ((coordinates < 0) | (coordinates >= np.array(shape, dtype=np.int64))).any(axis=1)
        if outside.any():
            position = int(np.flatnonzero(outside)[0])
            detail = ""
            if raw is not None and ids[position] < 0:
                shown = raw[position]
                shown = shown.item() if isinstance(shown, np.generic) else shown
                detail = f" (received {shown!r}, which is not in label_vocabulary)"
            raise InvalidLabelError(
                "Indices are not valid (out of bounds).  Shape: "
                f"[{','.join(str(d) for d in shape)}]{detail}")
        dense = np.zeros(shape, dtype=np.float32)
        dense[tuple(coordinates.T)] = 1.0  # repeated ids are allowed
        return dense

    # -- loss ----------------------------------------------------------------------------
    def _loss_kernel(self, logits, labels, weights, scale):
        """Mean over classes of the sigmoid cross-entropy; gradient ``(sigmoid(x) - z) / n``."""
        x = logits.astype(np.float64)
        z = labels.astype(np.float64)
        e = np.exp(-np.abs(x))
        # Element losses are float32 in TensorFlow; their class mean is rounded once more.
        elements = (np.maximum(x, 0.0) - x * z + np.log1p(e)).astype(np.float32)
        unweighted = np.mean(elements, axis=-1, dtype=np.float64, keepdims=True).astype(np.float32)
        total = float(np.sum(unweighted.astype(np.float64) * weights))
        probabilities = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        factor = weights.astype(np.float64) * (scale / x.shape[-1])
        d_logits = ((probabilities - z) * factor).astype(np.float32)
        return unweighted, total, d_logits

    # -- predictions and metrics ------------------------------------------------------------
    def predictions(self, logits) -> dict[str, np.ndarray]:
        """TensorFlow's multi-label predictions for logits ``[B, n_classes]``.

        Returns:
            ``logits`` float32 [B,n], ``probabilities`` float32 [B,n] (sigmoid of each
            logit), ``classes`` bytes [B,n]: every class name (the vocabulary, or
            ``b'0'``, ``b'1'``, ...), TensorFlow's ``all_classes`` under the key
            ``classes``.
        """
        logits = self.check_logits(logits)
        names, _ = class_table(self.n_classes, self.label_vocabulary)
        return {
            "logits": logits,
            "probabilities": sigmoid(logits),
            # TensorFlow tiles the names over the first logits dimension only.
            "classes": tile_rows(names, logits.shape[:1]),
        }

    def create_metrics(self) -> MultiLabelMetrics:
        return MultiLabelMetrics(self)

    def example_labels(self, rng, batch_size):
        return rng.integers(0, 2, size=(batch_size, self.n_classes)).astype(np.int64)


class MultiLabelMetrics(MetricsAccumulator):
    """``average_loss, auc, auc_precision_recall``; per threshold t
    ``accuracy/positive_threshold_<t>``, ``precision/...``, ``recall/...``; per class c
    of ``classes_for_class_based_metrics`` ``probability_mean/<c>``, ``auc/<c>``,
    ``auc_precision_recall/<c>`` (``class<i>`` without a vocabulary, the class name
    with one)."""

    def __init__(self, head: MultiLabelHead):
        self.head = head
        self.average_loss = Mean()
        self.auc = AUC(curve="ROC")
        self.auc_pr = AUC(curve="PR")
        # Keras' BinaryAccuracy averages the matches over the last axis first
        # (binary_accuracy = reduce_mean(binary_matches, axis=-1)), then takes the
        # weighted mean of those per-example values: a Mean of row means.
        self.at_threshold = [(t, Mean(), Precision(threshold=t), Recall(threshold=t))
                             for t in head.thresholds]
        vocabulary = head.label_vocabulary
        self.per_class = []
        for class_id in head.class_ids_for_metrics:
            suffix = f"class{class_id}" if vocabulary is None else vocabulary[class_id]
            self.per_class.append((class_id, suffix, Mean(), AUC(curve="ROC"), AUC(curve="PR")))

    def update(self, logits, labels, weights=None, unweighted_loss=None) -> None:
        head = self.head
        logits, labels, weights, unweighted_loss = self._prepared_batch(
            logits, labels, weights, unweighted_loss)
        probabilities = sigmoid(logits)
        self.average_loss.update(unweighted_loss, weights)
        self.auc.update(labels, probabilities, weights)
        self.auc_pr.update(labels, probabilities, weights)
        n = np.float32(head.n_classes)
        for threshold, accuracy, precision, recall in self.at_threshold:
            predicted = (probabilities > np.float32(threshold)).astype(np.float32)
            matches = np.count_nonzero(labels == predicted, axis=-1, keepdims=True)
            accuracy.update((matches.astype(np.float32) / n).astype(np.float32), weights)
            precision.update(labels, probabilities, weights)
            recall.update(labels, probabilities, weights)
        for class_id, _, probability_mean, auc, auc_pr in self.per_class:
            class_probabilities = probabilities[..., class_id:class_id + 1]
            class_labels = labels[..., class_id:class_id + 1]
            probability_mean.update(class_probabilities, weights)
            auc.update(class_labels, class_probabilities, weights)
            auc_pr.update(class_labels, class_probabilities, weights)

    def result(self) -> dict[str, np.float32]:
        key = self.head.summary_key
        out = {
            key("average_loss"): self.average_loss.result(),
            key("auc"): self.auc.result(),
            key("auc_precision_recall"): self.auc_pr.result(),
        }
        out.update(threshold_results(key, self.at_threshold))
        for _, suffix, probability_mean, auc, auc_pr in self.per_class:
            out[key(f"probability_mean/{suffix}")] = probability_mean.result()
            out[key(f"auc/{suffix}")] = auc.result()
            out[key(f"auc_precision_recall/{suffix}")] = auc_pr.result()
        return out
