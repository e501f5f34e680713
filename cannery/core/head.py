"""The head contract: labels and weights in, loss, gradient, predictions and metrics out.

A head sits between a model's logits and everything the estimator needs from them:

* :meth:`Head.prepare_labels` / :meth:`Head.prepare_weights` validate one batch's raw
  labels and weights with TensorFlow's messages and convert them once;
* :meth:`Head.loss` returns the per-example loss, the reduced training loss and its
  gradient with respect to the logits (a fused kernel for the built-ins);
* :meth:`Head.predictions` returns TensorFlow's prediction dict for a batch;
* :meth:`Head.create_metrics` returns a streaming
  :class:`~cannery.core.metrics.MetricsAccumulator` with TensorFlow's metric keys.

Built-in and third-party heads are attrs classes mixing in :class:`Head`. A
third-party head usually only implements :meth:`Head.unweighted_loss_and_grad`,
``logits_dimension``, label preparation, predictions and metrics; weighting,
reductions and gradient scaling come from here.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, ClassVar

import attrs
import numpy as np

from cannery.core.dtypes import as_dtype
from cannery.errors import InvalidArgumentError, OpError, UnimplementedError
from cannery.losses import Reduction, reduce_weighted_sum, reduction_denominator

__all__ = [
    "Head",
    "InvalidLabelError",
    "LossOutput",
    "binary_or_multi_class_head",
    "convert_label_vocabulary",
    "convert_loss_reduction",
    "validate_label_vocabulary",
    "validate_loss_fn",
    "validate_weight_column",
]

LABEL_NONE_ERR_MSG = (
    "You must provide a labels Tensor. Given: None. "
    "Suggested troubleshooting steps: Check that your data contains your label "
    "feature. Check that your input_fn properly parses and returns labels."
)
SPARSE_LABEL_ERR_MSG = (
    "SparseTensor labels are not supported. Labels must be a Tensor of shape "
    "[D0, D1, ..., DN, {0}], e.g. [batch_size, {0}].Suggested Fix (1): Check the"
    " label feature in your data. Each example must contain {0} value(s). If "
    "not, your choice of label was probably incorrect. Suggested Fix (2): In "
    "your input_fn, use tf.sparse_tensor_to_dense() to turn labels into a "
    "Tensor."
)
MISMATCHED_LABEL_DIM_ERR_MSG = (
    "Mismatched label shape. Expected labels dimension={}.  Received {}. "
    "Suggested Fix: If your classifier expects one-hot encoding label, check "
    "your n_classes argument to the estimator and/or the shape of your label. "
    "Otherwise, check the shape of your label."
)
LABEL_SHAPE_ERR_MSG = (
    "labels shape must be [D0, D1, ... DN, {}]. Suggested Fix: check your "
    "n_classes argument to the head and/or the shape of your label."
)


class InvalidLabelError(ValueError, InvalidArgumentError):
    """A label value is out of range: TensorFlow's run-time ``InvalidArgumentError``, and
    a ``ValueError``."""


@attrs.define(eq=False)
class LossOutput:
    """What :meth:`Head.loss` returns for one batch.

    Attributes:
        unweighted: float32 per-example loss, ``[batch, 1]`` for classification,
            ``[batch, label_dimension]`` for regression.
        training_loss: the reduced scalar per the head's ``loss_reduction`` (a float
            holding a float32 value) -- what is optimized and logged as ``loss``.
        d_logits: float32 ``[batch, logits_dimension]``, the gradient of
            ``training_loss`` with respect to the logits.
        weighted_sum: ``sum(w * unweighted)`` before the reduction's division.
        denominator: what the reduction divided by (1 for ``sum``).
    """

    unweighted: np.ndarray
    training_loss: float
    d_logits: np.ndarray
    weighted_sum: float = 0.0
    denominator: float = 1.0


# -- validators shared by head constructors ------------------------------------------

def convert_loss_reduction(value) -> str:
    """attrs converter: the canonical reduction name (raises TensorFlow's ValueError)."""
    return Reduction.validate(value)


def convert_label_vocabulary(value):
    """attrs converter: a list or tuple of strings becomes a tuple of ``str``."""
    if isinstance(value, (list, tuple)):
        return tuple(v.decode("utf-8") if isinstance(v, bytes) else v for v in value)
    return value


class LabelVocabularyError(TypeError, ValueError):
    """A label_vocabulary item that is not a string.

    TensorFlow builds the vocabulary's lookup table at the first step and fails there
    with TypeError ("Expected string, but got 0 of type 'int'."); cannery checks at
    construction, and earlier versions raised ValueError: this is both.
    """


def check_label_vocabulary_items(vocabulary) -> None:
    """Raise :class:`LabelVocabularyError` for the first item that is not a ``str``."""
    for item in vocabulary:
        if not isinstance(item, str):
            raise LabelVocabularyError(
                f"label_vocabulary: Expected string, but got {item!r} of type "
                f"'{type(item).__name__}'."
            )


def validate_label_vocabulary(instance, attribute, value) -> None:
    if value is None:
        return
    if not isinstance(value, tuple):
        raise ValueError(
            f"label_vocabulary should be a list or a tuple. Given type: {type(value)}"
        )
    check_label_vocabulary_items(value)


def _is_numeric_column(value) -> bool:
    # Duck-typed so core never imports the numeric column plugin.
    return getattr(type(value), "registered_name", None) == "numeric_column"


def validate_weight_column(instance, attribute, value) -> None:
    if value is None or isinstance(value, str) or _is_numeric_column(value):
        return
    raise TypeError(
        f"Weight column must be either a string or NumericColumn. Given type: {type(value)}."
    )


def validate_loss_fn(instance, attribute, value) -> None:
    """TensorFlow's ``validate_loss_fn_args``: ``labels`` and ``logits`` required,
    ``features`` and ``loss_reduction`` optional, nothing else."""
    if value is None:
        return
    if not callable(value):
        raise TypeError(f"loss_fn: expected a callable, received {type(value).__name__}")
    args = _fn_args(value)
    for required in ("labels", "logits"):
        if required not in args:
            raise ValueError(
                f"loss_fn must contain argument: {required}. Given arguments: {args}"
            )
    invalid = sorted(set(args) - {"labels", "logits", "features", "loss_reduction"})
    if invalid:
        raise ValueError(f"loss_fn has unexpected args: {invalid}")


def validate_name(instance, attribute, value) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"name: expected a string or None, received {type(value).__name__}")


def _fn_args(fn) -> tuple[str, ...]:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return ()
    return tuple(name for name, p in parameters.items()
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


# -- array helpers --------------------------------------------------------------------

def as_tf_array(value) -> np.ndarray:
    """An array with the dtype TensorFlow would give the value.

    Python lists of ints and floats become int32 / float32 (TensorFlow's conversion),
    so error messages name the same dtypes as TensorFlow's.
    """
    from_python = isinstance(value, (list, tuple, int, float))
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()
    array = np.asarray(value)
    if from_python:
        if array.dtype == np.int64:
            array = array.astype(np.int32)
        elif array.dtype == np.float64:
            array = array.astype(np.float32)
    return array


def dtype_str(array: np.ndarray) -> str:
    """``<dtype: 'int32'>`` as TensorFlow prints a tensor's dtype."""
    try:
        return str(as_dtype(array.dtype))
    except TypeError:
        return f"<dtype: '{array.dtype}'>"


def is_string_array(array: np.ndarray) -> bool:
    if array.dtype.kind in "US":
        return True
    if array.dtype.kind == "O":
        flat = array.reshape(-1)
        return flat.size == 0 or isinstance(flat[0], (str, bytes))
    return False


class LabelCastError(ValueError, UnimplementedError):
    """String labels for a head without a vocabulary: TensorFlow's failed Cast
    (``UnimplementedError``, even for numeric strings), and a ``ValueError``."""


def to_float32(array: np.ndarray, what: str = "labels") -> np.ndarray:
    """Cast numbers to float32; strings fail as TensorFlow's string-to-float Cast does.

    Raises:
        LabelCastError: string values (TensorFlow's message, then the first value).
        ValueError: any other non-numeric dtype.
    """
    if is_string_array(array):
        first = array.reshape(-1)[0] if array.size else ""
        shown = first.encode("utf-8") if isinstance(first, str) else first
        raise LabelCastError(
            f"Cast string to float is not supported ({what} {shown!r}...: string {what} need "
            "a label_vocabulary)")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what}: expected numbers, received dtype {array.dtype}")
    return array.astype(np.float32, copy=False)


def _as_str_array(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind == "S":
        return np.char.decode(array, "utf-8")
    if array.dtype.kind == "O":
        flat = array.reshape(-1)
        if flat.size and isinstance(flat[0], bytes):
            return np.char.decode(flat.astype("S"), "utf-8").reshape(array.shape)
        return flat.astype("U").reshape(array.shape)
    return array


@functools.lru_cache(maxsize=64)
def _vocabulary_index(vocabulary: tuple[str, ...]):
    order = np.argsort(np.array(vocabulary, dtype="U"), kind="stable")
    sorted_vocab = np.array(vocabulary, dtype="U")[order]
    return sorted_vocab, order.astype(np.int64)


def lookup_vocabulary(labels: np.ndarray, vocabulary: tuple[str, ...]) -> np.ndarray:
    """int64 index of each string in ``vocabulary``, -1 when absent (vectorized)."""
    strings = _as_str_array(labels)
    sorted_vocab, order = _vocabulary_index(vocabulary)
    position = np.searchsorted(sorted_vocab, strings)
    position = np.minimum(position, len(sorted_vocab) - 1)
    found = sorted_vocab[position] == strings
    return np.where(found, order[position], -1).astype(np.int64)


def class_strings(n_classes: int, vocabulary) -> np.ndarray:
    """Object array of the class names as bytes: the vocabulary or ``b'0'``, ``b'1'``..."""
    names = vocabulary if vocabulary is not None else [str(i) for i in range(n_classes)]
    out = np.empty(len(names), dtype=object)
    out[:] = [n.encode("utf-8") for n in names]
    return out


@functools.lru_cache(maxsize=64)
def class_table(n_classes: int, vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Read-only ``(class_strings(...), arange(n_classes) int32)``, built once per head config.

    Predictions index and broadcast these on every call; rebuilding them per call was a
    large share of single-example serving time.
    """
    names = class_strings(n_classes, vocabulary)
    ids = np.arange(n_classes, dtype=np.int32)
    names.flags.writeable = False
    ids.flags.writeable = False
    return names, ids


def tile_rows(row: np.ndarray, lead: tuple) -> np.ndarray:
    """A fresh ``lead + row.shape`` array holding ``row`` in every position."""
    if lead == (1,):
        return np.array(row, ndmin=2)  # one call: the single-example case
    out = np.empty(lead + row.shape, dtype=row.dtype)
    out[...] = row
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    # exp of -|x| never overflows; both branches of the logistic come from it.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid(x) -> np.ndarray:
    """float32 logistic function, computed in float64."""
    return _sigmoid(np.asarray(x)).astype(np.float32)


def softmax(x) -> np.ndarray:
    """float32 softmax over the last axis, computed in float64."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


# -- the base class ---------------------------------------------------------------------

class Head:
    """Base of every head (mixed into attrs classes).

    Subclasses set ``registered_name``, provide ``logits_dimension``,
    ``label_dimension`` (the labels' last dimension), :meth:`convert_labels`,
    :meth:`predictions`, ``prediction_keys`` and :meth:`create_metrics`, and either
    :meth:`unweighted_loss_and_grad` (numpy) or a fused :meth:`_loss_kernel`.

    Attributes expected on subclasses: ``weight_column``, ``loss_reduction``
    (canonical name), ``name``; optionally ``loss_fn``.
    """

    registered_name: ClassVar[str]
    #: whether weights of shape [batch, logits_dimension] are allowed (regression)
    allow_per_logit_weights: ClassVar[bool] = False

    # -- shape facts -----------------------------------------------------------
    @property
    def logits_dimension(self) -> int:
        raise NotImplementedError

    @property
    def label_dimension(self) -> int:
        """The last dimension of prepared labels."""
        return 1

    @property
    def prediction_keys(self) -> tuple[str, ...]:
        raise NotImplementedError

    def summary_key(self, key: str) -> str:
        """A metric key, suffixed ``/<name>`` when the head has a name."""
        name = getattr(self, "name", None)
        return f"{key}/{name}" if name else key

    # -- logits, labels, weights -------------------------------------------------
    def check_logits(self, logits) -> np.ndarray:
        """Logits as float32 ``[D0, ..., DN, logits_dimension]``.

        Raises:
            ValueError: rank below 2 or a wrong last dimension (TensorFlow's messages).
        """
        logits = np.asarray(logits)
        if logits.dtype != np.float32:
            logits = logits.astype(np.float32)
        if logits.ndim < 2:
            raise ValueError(
                f"logits must have rank at least 2.  Received rank {logits.ndim}, "
                f"shape {logits.shape}"
            )
        if logits.shape[-1] != self.logits_dimension:
            raise ValueError(
                f"logits shape must be [D0, D1, ... DN, logits_dimension], got {logits.shape}."
            )
        return logits

    def prepare_labels(self, labels, logits_shape=None) -> np.ndarray:
        """Validate and convert one batch of raw labels.

        Args:
            labels: numpy array, list or pandas Series/DataFrame of shape ``[B]`` or
                ``[B, label_dimension]`` (strings when the head has a vocabulary).
            logits_shape: the batch's logits shape, when known, to check the leading
                dimensions against.

        Returns:
            The labels as the head's loss and metrics use them (see subclasses).

        Raises:
            ValueError: missing, sparse or wrongly shaped labels, or wrong dtype, with
                TensorFlow's messages; :class:`InvalidLabelError` for values out of range.
        """
        array = self._label_array(labels, logits_shape)
        return self.convert_labels(array)

    def convert_labels(self, labels: np.ndarray) -> np.ndarray:
        """Convert shape-checked raw labels ``[..., label_dimension]`` (dtype, range)."""
        return to_float32(labels)

    def _label_array(self, labels, logits_shape=None) -> np.ndarray:
        if labels is None:
            raise ValueError(LABEL_NONE_ERR_MSG)
        from cannery.core.tensors import SparseTensor

        if isinstance(labels, SparseTensor):
            raise ValueError(SPARSE_LABEL_ERR_MSG.format(self.label_dimension))
        array = as_tf_array(labels)
        expected_dim = self.label_dimension
        if logits_shape is not None:
            logits_shape = tuple(logits_shape)
            if array.ndim == len(logits_shape) - 1:
                array = array[..., np.newaxis]
        elif array.ndim == 1:
            array = array[:, np.newaxis]
        if array.ndim < 2:
            raise ValueError(
                f"labels must have rank at least 2.  Received rank {array.ndim}, "
                f"shape {array.shape}"
            )
        if array.shape[-1] != expected_dim:
            raise ValueError(MISMATCHED_LABEL_DIM_ERR_MSG.format(expected_dim, array.shape[-1]))
        if logits_shape is not None:
            expected_shape = logits_shape[:-1] + (expected_dim,)
            if array.shape != expected_shape:
                raise ValueError(
                    f"{LABEL_SHAPE_ERR_MSG.format(expected_dim)}, expected_labels_shape: "
                    f"{expected_shape}. labels_shape: {array.shape}."
                )
        return array

    def _prepared_labels(self, labels, logits: np.ndarray) -> np.ndarray:
        """Labels already prepared for this batch pass through; anything else is prepared."""
        expected_shape = logits.shape[:-1] + (self.label_dimension,)
        if (isinstance(labels, np.ndarray) and labels.shape == expected_shape
                and labels.dtype == self.prepared_label_dtype):
            return labels
        return self.prepare_labels(labels, logits.shape)

    #: dtype of :meth:`prepare_labels`' result
    prepared_label_dtype: ClassVar[np.dtype] = np.dtype(np.float32)

    def prepare_weights(self, weights, logits_shape) -> np.ndarray | None:
        """Validate one batch's example weights against the logits' shape.

        Args:
            weights: ``None`` (every weight 1) or numbers of shape ``[D0..DN]``,
                ``[D0..DN, 1]`` or, for regression heads, ``[D0..DN, logits_dimension]``.
            logits_shape: the batch's logits shape.

        Returns:
            ``None`` or float32 weights of shape ``[D0..DN, 1]`` or
            ``[D0..DN, logits_dimension]``.

        Raises:
            ValueError: non-numeric weights or a wrong shape (TensorFlow's messages).
        """
        if weights is None:
            return None
        array = as_tf_array(weights)
        if array.dtype.kind not in "iuf":
            raise ValueError(
                f"Weight column should be castable to float. Given dtype: {dtype_str(array)}"
            )
        array = array.astype(np.float32, copy=False)
        logits_shape = tuple(logits_shape)
        if self.allow_per_logit_weights:
            message = ("weights shape must be [D0, D1, ... DN], [D0, D1, ... DN, 1] or "
                       "[D0, D1, ... DN, logits_dimension]")
        else:
            message = "weights shape must be [D0, D1, ... DN] or [D0, D1, ... DN, 1]"
        error = ValueError(f"{message}, logits_shape: {logits_shape}. weights_shape: {array.shape}.")
        if array.ndim == len(logits_shape) - 1:
            if array.shape != logits_shape[:-1]:
                raise error
            return array[..., np.newaxis]
        if array.shape == logits_shape[:-1] + (1,):
            return array
        if self.allow_per_logit_weights and array.shape == logits_shape:
            return array
        raise error

    def read_weights(self, read_column):
        """This head's raw example weights for one batch, read from its features.

        The estimator calls this once per batch; the result goes to
        :meth:`prepare_weights`.

        Args:
            read_column: ``read_column(weight_column)`` returns the values of a weight
                column (a feature key or a ``numeric_column``) in the batch's features.

        Returns:
            ``None`` when the head has no ``weight_column``, else ``read_column``'s
            result. A head made of other heads (``MultiHead``) returns theirs, keyed by
            head name.
        """
        column = getattr(self, "weight_column", None)
        return None if column is None else read_column(column)

    def _prepared_weights(self, weights, logits: np.ndarray) -> np.ndarray | None:
        if weights is None:
            return None
        if (isinstance(weights, np.ndarray) and weights.dtype == np.float32
                and weights.ndim == logits.ndim and weights.shape[:-1] == logits.shape[:-1]
                and weights.shape[-1] in (1, logits.shape[-1] if self.allow_per_logit_weights else 1)):
            return weights
        return self.prepare_weights(weights, logits.shape)

    # -- loss ----------------------------------------------------------------------
    def loss(self, logits, labels, weights=None, features=None) -> LossOutput:
        """Per-example loss, training loss and its gradient for one batch.

        Args:
            logits: float32 ``[batch, logits_dimension]``.
            labels: labels from :meth:`prepare_labels` (raw labels are prepared).
            weights: ``None`` or weights (prepared with :meth:`prepare_weights` if needed).
            features: passed to a custom ``loss_fn`` that asks for ``features``.

        Returns:
            A :class:`LossOutput`.

        Raises:
            ValueError: for invalid logits, labels or weights.
        """
        logits = self.check_logits(logits)
        labels = self._prepared_labels(labels, logits)
        weights = self._prepared_weights(weights, logits)
        d = logits.shape[-1]
        lead = logits.shape[:-1]
        flat_logits = logits.reshape(-1, d)
        flat_labels = labels.reshape(-1, labels.shape[-1])
        n = flat_logits.shape[0]
        if weights is None:
            flat_weights = np.ones((n, 1), dtype=np.float32)
        else:
            flat_weights = np.ascontiguousarray(weights.reshape(n, weights.shape[-1]))
        loss_elements = n * self.loss_dimension
        denominator = reduction_denominator(self.loss_reduction, loss_elements, weights)
        scale = 1.0 / denominator if denominator else 0.0
        loss_fn = getattr(self, "loss_fn", None)
        if loss_fn is not None:
            unweighted, total, d_logits = self._custom_loss(
                loss_fn, flat_logits, flat_labels, flat_weights, scale, lead, features)
        else:
            unweighted, total, d_logits = self._loss_kernel(
                np.ascontiguousarray(flat_logits), np.ascontiguousarray(flat_labels),
                flat_weights, scale)
        return LossOutput(
            unweighted=unweighted.reshape(lead + (self.loss_dimension,)),
            training_loss=reduce_weighted_sum(total, denominator),
            d_logits=d_logits.reshape(logits.shape),
            weighted_sum=float(total),
            denominator=float(denominator),
        )

    @property
    def loss_dimension(self) -> int:
        """Last dimension of the per-example loss (1 for classification)."""
        return self.label_dimension

    def unweighted_loss(self, logits, labels) -> np.ndarray:
        """Per-example loss only (float32), e.g. for metrics."""
        return self.loss(logits, labels).unweighted

    def _loss_kernel(self, logits, labels, weights, scale):
        """``(unweighted [n, k] float32, sum(w * loss), d_logits [n, d] float32)``.

        The default runs :meth:`unweighted_loss_and_grad` and scales in numpy;
        built-in heads replace it with a fused numba kernel.
        """
        unweighted, grad = self.unweighted_loss_and_grad(logits, labels)
        return self._weigh(np.asarray(unweighted), np.asarray(grad), weights, scale)

    @staticmethod
    def _weigh(unweighted, grad, weights, scale):
        unweighted = unweighted.astype(np.float64)
        total = float(np.sum(unweighted * weights))
        d_logits = (grad.astype(np.float64) * (weights.astype(np.float64) * scale))
        return unweighted.astype(np.float32), total, d_logits.astype(np.float32)

    def unweighted_loss_and_grad(self, logits: np.ndarray, labels: np.ndarray):
        """Per-example loss and its derivative, for heads without a fused kernel.

        Args:
            logits: float32 ``[n, logits_dimension]``.
            labels: prepared labels ``[n, label_dimension]``.

        Returns:
            ``(loss, grad)``: ``loss`` ``[n, k]`` (k = 1, or ``logits_dimension`` for an
            element-wise loss) and ``grad`` ``[n, logits_dimension]``: ``d loss[i] /
            d logits[i, :]`` when k = 1, else ``d loss[i, j] / d logits[i, j]``.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement unweighted_loss_and_grad or _loss_kernel"
        )

    def _custom_loss(self, loss_fn, logits, labels, weights, scale, lead, features):
        """A user ``loss_fn(labels, logits[, features])``.

        It returns the unweighted loss ``[.., k]``, or ``(loss, grad)`` in the form of
        :meth:`unweighted_loss_and_grad`. Without a gradient, central differences in
        float64 stand in for it (``2 * logits_dimension`` extra calls per batch).
        """
        k = self.loss_dimension
        labels = np.asarray(labels)
        # the finite differences call loss_fn with float64 logits, and with float labels
        # in float64 too: TF ops that insist on one dtype (sigmoid_cross_entropy...) accept
        # them as they accept TF's float32 pair
        labels64 = labels.astype(np.float64) if labels.dtype.kind == "f" else labels

        def call(x):
            y = labels64 if x.dtype == np.float64 else labels
            kwargs = {"labels": y.reshape(lead + (labels.shape[-1],)),
                      "logits": x.reshape(lead + (x.shape[-1],))}
            if "features" in _fn_args(loss_fn):
                kwargs["features"] = features
            return loss_fn(**kwargs)

        result = call(logits)
        grad = None
        if isinstance(result, tuple):
            result, grad = result
        unweighted = np.asarray(result, dtype=np.float64)
        expected = lead + (k,)
        if unweighted.shape != expected:
            raise ValueError(
                f"loss_fn must return Tensor of shape [D0, D1, ... DN, {k}]. "
                f"logits_shape: {lead + (logits.shape[-1],)} loss_shape: {unweighted.shape}"
            )
        unweighted = unweighted.reshape(-1, k)
        if grad is None:
            def loss_only(x):
                value = call(x)
                value = value[0] if isinstance(value, tuple) else value
                return np.asarray(value, dtype=np.float64).reshape(-1, k)

            try:
                grad = _finite_difference_grad(loss_only, logits, k)
            except (TypeError, ValueError, OpError):
                # loss_fn mixes float64 logits with float32 values of its own (a
                # tf.constant, a feature): differentiate in float32, five points
                grad = _finite_difference_grad(loss_only, logits, k, step=2e-2,
                                               dtype=np.float32)
        grad = np.asarray(grad, dtype=np.float64).reshape(logits.shape)
        return self._weigh(unweighted, grad, weights, scale)

    # -- predictions and metrics ----------------------------------------------------------
    def predictions(self, logits) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def create_metrics(self):
        raise NotImplementedError

    def example_labels(self, rng: np.random.Generator, batch_size: int) -> Any:
        """Valid raw labels for a batch, used by :func:`cannery.testing.check_head`."""
        return rng.uniform(0.0, 1.0, size=(batch_size, self.label_dimension)).astype(np.float32)


def _finite_difference_grad(fn, logits: np.ndarray, k: int, step: float = 1e-4,
                            dtype=np.float64) -> np.ndarray:
    """d loss / d logits column by column; rows are independent so one call moves all rows.

    In float64, central differences; in float32 (``dtype``), the five-point stencil,
    whose O(step**4) error lets a step large enough for float32 rounding (about 5e-6
    relative with step 2e-2).
    """
    x = logits.astype(np.float64)
    grad = np.zeros_like(x)

    def at(j, offset):
        moved = x.copy()
        moved[:, j] += offset
        return fn(moved.astype(dtype)).astype(np.float64)

    for j in range(x.shape[1]):
        if dtype == np.float64:
            diff = (at(j, step) - at(j, -step)) / (2 * step)
        else:
            near = at(j, step) - at(j, -step)
            far = at(j, 2 * step) - at(j, -2 * step)
            diff = (8 * near - far) / (12 * step)
        grad[:, j] = diff[:, 0] if k == 1 else diff[:, j]
    return grad


def check_label_range(ids: np.ndarray, low, high, message_low: str, message_high: str,
                      raw=None) -> None:
    """Raise :class:`InvalidLabelError` with TensorFlow's message and the first bad value."""
    if ids.size == 0:
        return
    # The usual batch passes in two reductions (fmax/fmin skip NaN, which the element
    # checks below let pass too, so a NaN cannot hide an out-of-range value).
    if not _FMAX(ids, axis=None) > high and not _FMIN(ids, axis=None) < low:
        return
    bad_high = ids > high
    if bad_high.any():
        position = int(np.flatnonzero(bad_high.reshape(-1))[0])
        raise InvalidLabelError(f"{message_high} (received {_shown(ids, position)!r})")
    bad_low = ids < low
    if bad_low.any():
        position = int(np.flatnonzero(bad_low.reshape(-1))[0])
        detail = f"received {_shown(ids, position)!r}"
        if raw is not None:
            detail = f"received {_shown(raw, position)!r}, which is not in label_vocabulary"
        raise InvalidLabelError(f"{message_low} ({detail})")


_FMAX = np.fmax.reduce
_FMIN = np.fmin.reduce


def _shown(array: np.ndarray, position: int):
    value = array.reshape(-1)[position]
    return value.item() if isinstance(value, np.generic) else value


def binary_or_multi_class_head(n_classes, weight_column=None, label_vocabulary=None,
                               loss_reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """The head a classifier uses: binary for ``n_classes == 2``, multi-class otherwise.

    Looked up in the registry (``binary_classification``, ``multi_class_classification``)
    so core names no built-in class.

    Raises:
        ValueError: ``n_classes cannot be None`` / ``n_classes must be > 2: 1.``, and
            the heads' own argument errors.
    """
    from cannery import registry

    if n_classes == 2 and not isinstance(n_classes, bool):
        head_class = registry.get("head", "binary_classification")
        return head_class(weight_column=weight_column, label_vocabulary=label_vocabulary,
                          loss_reduction=loss_reduction)
    head_class = registry.get("head", "multi_class_classification")
    return head_class(n_classes, weight_column=weight_column,
                      label_vocabulary=label_vocabulary, loss_reduction=loss_reduction)
