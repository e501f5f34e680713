"""``tf.nn``: activation functions (``cannery.nn.relu(x)``, ``activation_fn=cannery.nn.relu``)
and the losses and helpers programs call around their estimators.

Each activation name is the registered activation of that name, so it carries its
derivative and a DNN can train through it. The other functions (softmax, the cross
entropies, ``l2_loss``, ``moments``, ``embedding_lookup``, ``bias_add`` ...) are eager
numpy functions with TensorFlow 2.15's signatures, dtype rules and errors, returning
EagerTensors (see :mod:`cannery.math`).
"""

import math as _pymath

import numpy as np

from cannery import registry
from cannery.core.eager_tensor import as_eager
from cannery.errors import InvalidArgumentError
from cannery.math import (  # noqa: F401 - tf.nn's names for tf.math functions
    in_top_k,
    l2_normalize,
    log_softmax,
    softmax,
    top_k,
    zero_fraction,
)

__all__ = ["bias_add", "compute_average_loss", "elu", "embedding_lookup", "gelu", "in_top_k",
           "l2_loss", "l2_normalize", "leaky_relu", "linear", "log_poisson_loss",
           "log_softmax", "moments", "relu", "relu6", "selu", "sigmoid",
           "sigmoid_cross_entropy_with_logits", "silu", "softmax",
           "softmax_cross_entropy_with_logits", "softplus", "softsign",
           "sparse_softmax_cross_entropy_with_logits", "swish", "tanh", "top_k",
           "weighted_cross_entropy_with_logits", "zero_fraction"]
_ACTIVATIONS = ("elu", "gelu", "leaky_relu", "linear", "relu", "relu6", "selu", "sigmoid",
                "silu", "softplus", "softsign", "swish", "tanh")

_NAMES = {"silu": "swish"}
_MADE: dict = {}


def __getattr__(name):
    if name == "gelu":  # tf.nn.gelu(features, approximate=False, name=None)
        if name not in _MADE:
            from cannery.core.activation import GELU

            base = registry.get("activation", "gelu")
            _MADE[name] = GELU(base.name, base.forward, base.backward, base.doc)
        return _MADE[name]
    if name in _ACTIVATIONS:
        return registry.get("activation", _NAMES.get(name, name))
    raise AttributeError(f"cannery.nn has no attribute {name!r} (not provided by cannery)")


def gelu_approximate(x):
    return registry.get("activation", "gelu_approximate")(x)


# -- losses and helpers -------------------------------------------------------------------
def _tensor(value):
    from cannery.math import _unvar, to_array

    return to_array(_unvar(value))


def _same_shape(first_name, first, second_name, second) -> None:
    if first.shape != second.shape:
        raise ValueError(f"`{first_name}` and `{second_name}` must have the same shape, "
                         f"received ({first.shape} vs {second.shape}).")


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """``tf.nn.sigmoid_cross_entropy_with_logits``: per element
    ``max(x, 0) - x * z + log(1 + exp(-|x|))`` for logits ``x`` and labels ``z``.

    Raises:
        ValueError: a missing argument, or shapes that differ (TensorFlow's messages).
        cannery.errors.InvalidArgumentError: labels of another dtype than the logits
            (TensorFlow's ``Mul`` kernel message; cast integer labels first).
    """
    from cannery.math import add, exp, log1p, multiply, subtract

    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided for "
                         f"sigmoid_cross_entropy_with_logitsReceived: labels={labels} and "
                         f"logits={logits}")
    x, z = _tensor(logits), _tensor(labels)
    _same_shape("logits", x, "labels", z)
    zeros = np.zeros_like(x)
    positive = x >= zeros
    relu_logits = as_eager(np.where(positive, x, zeros))
    neg_abs = as_eager(np.where(positive, -x, x))
    return add(subtract(relu_logits, multiply(x, z)), log1p(exp(neg_abs)))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """``tf.nn.weighted_cross_entropy_with_logits``: the sigmoid cross entropy with
    positives weighted by ``pos_weight``:
    ``(1 - z) * x + (1 + (pos_weight - 1) * z) * (log(1 + exp(-|x|)) + max(-x, 0))``.

    Raises:
        ValueError: shapes that differ.
    """
    from cannery.math import _unvar, add, exp, log1p, multiply, subtract

    x, z = _tensor(logits), _tensor(labels)
    _same_shape("logits", x, "labels", z)
    pos_weight = _unvar(pos_weight)
    # 1 + (pos_weight - 1) * labels, with Python numbers taking the labels' dtype
    scale = subtract(pos_weight, 1) if hasattr(pos_weight, "dtype") else pos_weight - 1
    log_weight = add(multiply(z, scale), 1)
    softplus_part = add(log1p(exp(as_eager(-np.abs(x)))), as_eager(np.maximum(-x, 0)))
    return add(multiply(subtract(1, z), x), multiply(log_weight, softplus_part))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """``tf.nn.softmax_cross_entropy_with_logits``: ``-sum(labels * log_softmax(logits))``
    along ``axis``, as TensorFlow's kernel computes it
    (``sum(labels * (log(sum(exp(x - max))) - (x - max)))``); labels are cast to the
    logits' dtype.

    Raises:
        cannery.errors.InvalidArgumentError: labels and logits of different shapes
            (TensorFlow's message), or integer logits.
    """
    from cannery.math import _check_allowed, _dims, cast

    x = _tensor(logits)
    _check_allowed("nn.softmax_cross_entropy_with_logits", x,
                   "SoftmaxCrossEntropyWithLogits", "half, bfloat16, float, double")
    z = np.asarray(cast(labels, x.dtype))
    x = np.moveaxis(np.asarray(x), axis, -1)
    z = np.moveaxis(z, axis, -1) if z.ndim == x.ndim else z
    if x.shape != z.shape:
        def matrix(shape):  # the [rows, classes] shape the kernel sees
            return [int(np.prod(shape[:-1])) if len(shape) > 1 else 1,
                    shape[-1] if shape else 1]

        raise InvalidArgumentError(
            "tf.nn.softmax_cross_entropy_with_logits: logits and labels must be broadcastable: "
            f"logits_size={_dims(matrix(x.shape))} labels_size={_dims(matrix(z.shape))} "
            "[Op:SoftmaxCrossEntropyWithLogits]")
    with np.errstate(all="ignore"):
        shifted = x - np.max(x, axis=-1, keepdims=True)
        log_total = np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True, dtype=x.dtype))
        loss = np.sum(z * (log_total - shifted), axis=-1, dtype=x.dtype)
    return as_eager(loss.astype(x.dtype, copy=False))


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """``tf.nn.sparse_softmax_cross_entropy_with_logits``: ``-log_softmax(logits)[label]``
    for integer class ids ``labels`` (one fewer dimension than ``logits``).

    Raises:
        ValueError: ranks or shapes that do not fit (TensorFlow's messages).
        cannery.errors.InvalidArgumentError: labels that are not int32 / int64, or a label
            outside ``[0, num_classes)``.
    """
    from cannery.math import _check_allowed

    x = _tensor(logits)
    z = _tensor(labels)
    op = "SparseSoftmaxCrossEntropyWithLogits"
    if z.ndim != x.ndim - 1:
        raise ValueError(f"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                         f"labels.shape={z.shape} of rank {z.ndim} and logits.shape={x.shape} "
                         f"of rank {x.ndim}")
    if z.shape != x.shape[:-1]:
        raise ValueError("`labels.shape` must equal `logits.shape` except for the last "
                         f"dimension. Received: labels.shape={z.shape} and "
                         f"logits.shape={x.shape}")
    _check_allowed("nn.sparse_softmax_cross_entropy_with_logits", x, op,
                   "half, bfloat16, float, double")
    _check_allowed("nn.sparse_softmax_cross_entropy_with_logits", z, op, "int32, int64",
                   "Tlabels")
    classes = x.shape[-1]
    flat_labels = np.asarray(z).reshape(-1)
    if flat_labels.size and (flat_labels.min() < 0 or flat_labels.max() >= classes):
        bad = int(flat_labels[(flat_labels < 0) | (flat_labels >= classes)][0])
        raise InvalidArgumentError(
            f"tf.nn.sparse_softmax_cross_entropy_with_logits: Received a label value of {bad} "
            f"which is outside the valid range of [0, {classes}).  Label values: "
            f"{' '.join(str(int(v)) for v in flat_labels)} [Op:{op}]")
    with np.errstate(all="ignore"):
        shifted = np.asarray(x) - np.max(x, axis=-1, keepdims=True)
        log_total = np.log(np.sum(np.exp(shifted), axis=-1, dtype=x.dtype))
        picked = np.take_along_axis(shifted, np.asarray(z)[..., None].astype(np.int64),
                                    axis=-1)[..., 0]
    return as_eager((log_total - picked).astype(x.dtype, copy=False))


def l2_loss(t, name=None):
    """``tf.nn.l2_loss``: ``sum(t ** 2) / 2``, a 0-d tensor (floats only).

    Raises:
        cannery.errors.InvalidArgumentError: integers (the ``L2Loss`` kernel's message).
    """
    from cannery.math import _typed

    array = _typed("nn.l2_loss", t, "L2Loss", "half, bfloat16, float, double")
    return as_eager(np.sum(np.square(array) * array.dtype.type(0.5), dtype=array.dtype))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """``tf.nn.moments``: ``(mean, variance)`` over ``axes``; the variance is the mean of
    squared differences from the mean. Integers give integer moments, as in
    TensorFlow; float16 is computed in float32.

    Raises:
        AttributeError: ``x`` without a dtype (a Python list), as TensorFlow's.
    """
    from cannery.math import _unvar, cast, reduce_mean, squared_difference, squeeze

    x = _unvar(x)
    if x.dtype == np.float16:
        x = cast(x, "float32")
    y = _tensor(x)
    axes = list(axes) if isinstance(axes, (list, tuple)) else axes
    mean = reduce_mean(y, axes, keepdims=True)
    variance = reduce_mean(squared_difference(y, mean), axes, keepdims=True)
    if not keepdims:
        mean = squeeze(mean, axes)
        variance = squeeze(variance, axes)
    return mean, variance


def embedding_lookup(params, ids, max_norm=None, name=None):
    """``tf.nn.embedding_lookup``: the rows of ``params`` at ``ids``
    (``params[ids]``, shape ``ids.shape + params.shape[1:]``). A list of tensors is a
    table split into shards in TensorFlow 2's ``"div"`` strategy (a Python list of
    lists is such a list, one shard per inner list); ``max_norm`` clips each row's L2
    norm.

    Raises:
        cannery.errors.InvalidArgumentError: an id outside the table (TensorFlow's
            ``GatherV2`` message).
    """
    from cannery.math import _unvar
    from cannery.ops import clip_by_norm, gather

    index = _tensor(ids)
    if isinstance(params, (list, tuple)):
        shards = [_tensor(p) for p in params]
        if len(shards) == 1:
            table = shards[0]
        else:
            table = None
    else:
        table = _tensor(_unvar(params))
    if table is not None:
        result = gather(table, index)
    else:
        sizes = [s.shape[0] for s in shards]
        total = sum(sizes)
        per, extras = divmod(total, len(shards))
        flat = np.asarray(index).reshape(-1).astype(np.int64)
        # TensorFlow's "div" partition: the first `extras` shards hold per + 1 ids
        cut = extras * (per + 1)
        shard_of = np.where(flat < cut, flat // (per + 1), (flat - cut) // max(per, 1) + extras)
        local = np.where(flat < cut, flat % (per + 1), (flat - cut) % max(per, 1))
        rows = [gather(shards[s], np.asarray([r], index.dtype))[0]
                for s, r in zip(shard_of.tolist(), local.tolist())]
        tail = shards[0].shape[1:]
        result = as_eager(np.stack(rows).reshape(index.shape + tail) if rows
                          else np.empty(index.shape + tail, shards[0].dtype))
    if max_norm is not None:
        axes = list(range(index.ndim, result.ndim))
        if axes:
            result = clip_by_norm(result, max_norm, axes=axes)
    return result


def bias_add(value, bias, data_format=None, name=None):
    """``tf.nn.bias_add``: ``value + bias`` with the 1-D ``bias`` along the last axis
    (the channel axis 1 for ``data_format`` ``"NC..."``).

    Raises:
        cannery.errors.InvalidArgumentError: ``value`` below 2-D, or a bias of another
            length than the channel axis (TensorFlow's messages).
    """
    from cannery.math import _dims, _kernel_error, _natural, _unvar, add, convert_like

    x = _tensor(value)
    bias = _unvar(bias)
    try:
        b = _natural(bias) if hasattr(bias, "numpy") else convert_like(bias, x.dtype)
    except (TypeError, ValueError):
        b = _natural(bias)
    if b.dtype != x.dtype:
        raise _kernel_error("BiasAdd", 1, x.dtype, b.dtype)
    if x.ndim < 2:
        raise InvalidArgumentError(f"tf.nn.bias_add: Input tensor must be at least 2D: "
                                   f"{_dims(x.shape)} [Op:BiasAdd]")
    if b.ndim != 1:
        raise InvalidArgumentError(f"tf.nn.bias_add: Biases must be 1D: {_dims(b.shape)} "
                                   "[Op:BiasAdd]")
    channels_first = data_format is not None and str(data_format).startswith("NC")
    channel = 1 if channels_first else -1
    if x.shape[channel] != b.shape[0]:
        which = "channel" if channels_first else "last"
        raise InvalidArgumentError(
            f"tf.nn.bias_add: Must provide as many biases as the {which} dimension of the "
            f"input tensor: {_dims(b.shape)} vs. {_dims(x.shape)} [Op:BiasAdd]")
    if channels_first:
        b = b.reshape((-1,) + (1,) * (x.ndim - 2))
    return add(x, as_eager(b))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """``tf.nn.log_poisson_loss``: ``exp(log_input) - log_input * targets``, plus
    Stirling's approximation ``z log z - z + 0.5 log(2 pi z)`` for targets above 1 when
    ``compute_full_loss``.

    Raises:
        ValueError: shapes that differ.
    """
    from cannery.math import add, exp, log, multiply, subtract

    c, z = _tensor(log_input), _tensor(targets)
    _same_shape("log_input", c, "targets", z)
    result = subtract(exp(c), multiply(c, z))
    if compute_full_loss:
        half = as_eager(np.asarray(0.5, z.dtype))
        two_pi = as_eager(np.asarray(2 * _pymath.pi, z.dtype))
        with np.errstate(all="ignore"):
            stirling = add(subtract(multiply(z, log(z)), z), multiply(half, log(multiply(two_pi,
                                                                                       z))))
        inside = (np.asarray(z) >= 0) & (np.asarray(z) <= 1)
        result = add(result, as_eager(np.where(inside, np.zeros_like(z), stirling)))
    return result


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """``tf.nn.compute_average_loss``: ``sum(per_example_loss * sample_weight)`` divided
    by ``global_batch_size`` (the first dimension when None; cannery runs one replica),
    0 when that is 0.

    Raises:
        ValueError: a 0-d loss, or a ``global_batch_size`` that is not a scalar.
        TypeError: a ``global_batch_size`` that is not an integer.
        cannery.errors.InvalidArgumentError: a negative ``global_batch_size``.
    """
    from cannery import debugging
    from cannery.math import cast, divide_no_nan, multiply, reduce_sum

    losses = _tensor(per_example_loss)
    if losses.ndim == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with "
                         f"at least rank 1. Received per_example_loss={losses} with rank 0")
    dtype = losses.dtype
    if sample_weight is not None:
        weights = np.broadcast_to(np.asarray(cast(sample_weight, dtype)), losses.shape)
        losses = as_eager(np.asarray(multiply(losses, as_eager(weights))).astype(dtype))
    if global_batch_size is None:
        global_batch_size = losses.shape[0]
    debugging.assert_scalar(global_batch_size, message="global_batch_size must be scalar.")
    debugging.assert_integer(global_batch_size, message="global_batch_size must be an integer.")
    debugging.assert_non_negative(global_batch_size,
                                  message="global_batch_size must be non-negative.")
    return divide_no_nan(reduce_sum(losses), cast(global_batch_size, dtype))
