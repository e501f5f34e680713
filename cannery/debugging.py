"""``tf.debugging``: TensorFlow 2.15's eager assertions.

Each ``assert_*`` returns None when its condition holds and raises otherwise, with the
message TensorFlow builds eagerly (``tensorflow/python/ops/check_ops.py``): the
element-wise comparisons raise :class:`~cannery.errors.InvalidArgumentError` listing the
first ``summarize`` (3) differing positions and values, the shape checks (rank, scalar)
``ValueError`` and the dtype checks ``TypeError``. ``message`` is put first.
"""

from __future__ import annotations

import numpy as np

from cannery.core.dtypes import as_dtype
from cannery.core.eager_tensor import EagerTensor, as_eager, dtype_name
from cannery.errors import InvalidArgumentError

__all__ = [
    "Assert", "assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal",
    "assert_integer", "assert_less", "assert_less_equal", "assert_near", "assert_negative",
    "assert_non_negative", "assert_non_positive", "assert_none_equal", "assert_positive",
    "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_scalar", "assert_type",
    "check_numerics", "is_numeric_tensor",
]


def _tensor(value) -> EagerTensor:
    from cannery.math import _unvar, to_array

    return to_array(_unvar(value))


def _pretty(item, summarize) -> str:
    """check_ops._pretty_print: a tensor as the list of its first elements' ``str``."""
    if isinstance(item, EagerTensor):
        value = item.numpy()
        if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
            return str(value)
        flat = value.reshape(-1)
        items = [str(x) for x in flat[:int(summarize)]]
        if len(items) < flat.size:
            items.append("...")
        return str(items)
    return str(item)


def _binary_assert(sym: str, compare, x, y, data, summarize, message) -> None:
    from cannery import math

    x, y = _tensor(x), _tensor(y)
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise InvalidArgumentError(
            f"Incompatible shapes: {math._dims(x.shape)} vs. {math._dims(y.shape)} "
            f"[Op:{_OPS[sym]}]") from None
    test = compare(x, y)
    if bool(np.all(test)):
        return
    summarize = 3 if summarize is None else (10**9 if summarize < 0 else summarize)
    if data is None:
        data = _default_data(sym, x, y, summarize, np.asarray(test))
    if message is not None:
        data = [message] + list(data)
    raise InvalidArgumentError("\n".join(_pretty(d, summarize) for d in data))


_OPS = {"==": "Equal", "!=": "NotEqual", "<": "Less", "<=": "LessEqual", ">": "Greater",
        ">=": "GreaterEqual"}


def _default_data(sym, x, y, summarize, test) -> list:
    data = [f"Condition x {sym} y did not hold."]
    if summarize > 0:
        x_np, y_np = x.numpy(), y.numpy()
        if x.shape == y.shape and x.ndim:
            mask = ~np.broadcast_to(test, x.shape)
            indices = np.argwhere(mask)
            count = min(int(summarize), indices.shape[0])
            data += [f"Indices of first {count} different values:", indices[:count],
                     "Corresponding x values:", np.asarray(x_np)[mask].reshape(-1)[:count],
                     "Corresponding y values:", np.asarray(y_np)[mask].reshape(-1)[:count]]
        x_flat, y_flat = np.asarray(x_np).reshape(-1), np.asarray(y_np).reshape(-1)
        x_count, y_count = min(x_flat.size, int(summarize)), min(y_flat.size, int(summarize))
        data += [f"First {x_count} elements of x:", x_flat[:x_count],
                 f"First {y_count} elements of y:", y_flat[:y_count]]
    return data


def _comparison(sym: str, function_name: str):
    def check(x, y, message=None, summarize=None, name=None, data=None):
        from cannery import math

        _binary_assert(sym, getattr(math, function_name), x, y, data, summarize, message)

    return check


def assert_equal(x, y, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_equal``: raise unless ``x == y`` everywhere (broadcast).

    Raises:
        cannery.errors.InvalidArgumentError: an element differs (TensorFlow's message:
            the condition, the first ``summarize`` differing indices and values, the
            first elements of both), shapes that do not broadcast, or two dtypes.
    """
    _comparison("==", "equal")(x, y, message, summarize)


def assert_none_equal(x, y, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_none_equal``: raise unless ``x != y`` everywhere."""
    _comparison("!=", "not_equal")(x, y, message, summarize)


def assert_less(x, y, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_less``: raise unless ``x < y`` everywhere."""
    _comparison("<", "less")(x, y, message, summarize)


def assert_less_equal(x, y, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_less_equal``: raise unless ``x <= y`` everywhere."""
    _comparison("<=", "less_equal")(x, y, message, summarize)


def assert_greater(x, y, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_greater``: raise unless ``x > y`` everywhere."""
    _comparison(">", "greater")(x, y, message, summarize)


def assert_greater_equal(x, y, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_greater_equal``: raise unless ``x >= y`` everywhere."""
    _comparison(">=", "greater_equal")(x, y, message, summarize)


def _prefix(message) -> str:
    return f"{message}.  " if message else ""


def _shape_and_dtype(x) -> str:
    return f"shape={x.shape} dtype={dtype_name(x)}"


def _sign_assert(sym: str, compare: str, zero_first: bool):
    def check(x, message=None, summarize=None, name=None):
        x = _tensor(x)
        data = [_prefix(message), f"Condition x {sym} 0 did not hold element-wise:",
                f"x ({_shape_and_dtype(x)}) = ", x]
        if sym == "<=":  # TensorFlow's assert_non_positive misses the comma between them
            data[1:3] = [data[1] + data[2]]
        zero = as_eager(np.zeros((), x.dtype))
        first, second = (zero, x) if zero_first else (x, zero)
        _comparison({"less": "<", "less_equal": "<="}[compare], compare)(
            first, second, summarize=summarize, data=data)

    return check


def assert_positive(x, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_positive``: raise unless ``x > 0`` everywhere."""
    _sign_assert(">", "less", True)(x, message, summarize)


def assert_negative(x, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_negative``: raise unless ``x < 0`` everywhere."""
    _sign_assert("<", "less", False)(x, message, summarize)


def assert_non_negative(x, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_non_negative``: raise unless ``x >= 0`` everywhere."""
    _sign_assert(">=", "less_equal", True)(x, message, summarize)


def assert_non_positive(x, message=None, summarize=None, name=None) -> None:
    """``tf.debugging.assert_non_positive``: raise unless ``x <= 0`` everywhere."""
    _sign_assert("<=", "less_equal", False)(x, message, summarize)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None,
                name=None) -> None:
    """``tf.debugging.assert_near``: raise unless ``|x - y| <= atol + rtol * |y|``
    everywhere (both tolerances default to 10 float epsilons of the dtype).

    Raises:
        cannery.errors.InvalidArgumentError: as TensorFlow's ``Assert`` reports it.
    """
    from cannery import math

    x, y = _tensor(x), _tensor(y)
    a, b = math._matching_op("Sub", [x, y])
    eps = np.finfo(a.dtype).eps if a.dtype.kind == "f" else 0
    rtol = as_eager(np.asarray(10 * eps if rtol is None else rtol, a.dtype))
    atol = as_eager(np.asarray(10 * eps if atol is None else atol, a.dtype))
    with np.errstate(all="ignore"):
        holds = bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))
    if holds:
        return
    data = [_prefix(message), f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}",
            f"x ({_shape_and_dtype(x)}) = ", x, f"y ({_shape_and_dtype(y)}) = ", y]
    Assert(as_eager(np.bool_(False)), data, summarize=summarize)


def _rank_argument(rank) -> int:
    value = np.asarray(_tensor(rank))
    if value.ndim != 0:
        raise ValueError("Rank must be a scalar.")
    return int(value)


def _static_shape(x):
    from cannery.core.tensors import SparseTensor

    if isinstance(x, SparseTensor):
        dims = tuple(int(d) for d in np.asarray(x.dense_shape).reshape(-1))
    else:
        dims = tuple(_tensor(x).shape)
    from cannery.core.eager_tensor import TensorShape

    return TensorShape(dims)


def assert_rank(x, rank, message=None, name=None) -> None:
    """``tf.debugging.assert_rank``: raise unless ``x`` has ``rank`` dimensions.

    Raises:
        ValueError: another rank (``Tensor  must have rank 1.  Received rank 2, shape
            (1, 1)``), or a ``rank`` that is not a scalar.
    """
    shape = _static_shape(x)
    wanted = _rank_argument(rank)
    if len(shape) != wanted:
        raise ValueError(f"{_prefix(message)}Tensor  must have rank {wanted}.  Received rank "
                         f"{len(shape)}, shape {shape}")


def assert_rank_at_least(x, rank, message=None, name=None) -> None:
    """``tf.debugging.assert_rank_at_least``: raise unless ``x`` has at least ``rank``
    dimensions (ValueError)."""
    shape = _static_shape(x)
    wanted = _rank_argument(rank)
    if len(shape) < wanted:
        raise ValueError(f"{_prefix(message)}Tensor  must have rank at least {wanted}.  "
                         f"Received rank {len(shape)}, shape {shape}")


def assert_rank_in(x, ranks, message=None, name=None) -> None:
    """``tf.debugging.assert_rank_in``: raise unless ``x``'s rank is one of ``ranks``
    (ValueError)."""
    shape = _static_shape(x)
    wanted = tuple(_rank_argument(r) for r in ranks)
    if len(shape) not in wanted:
        raise ValueError(f"{_prefix(message)}Tensor  must have rank in {wanted}.  Received "
                         f"rank {len(shape)}, shape {shape}")


def assert_type(tensor, tf_type, message=None, name=None) -> None:
    """``tf.debugging.assert_type``: raise ``TypeError`` unless ``tensor`` has dtype
    ``tf_type``."""
    have = as_dtype(_tensor(tensor).dtype)
    want = as_dtype(tf_type)
    if have != want:
        raise TypeError(f"{_prefix(message)}tensor must be of type {want!r}; got {have!r}")


def assert_integer(x, message=None, name=None) -> None:
    """``tf.debugging.assert_integer``: raise ``TypeError`` unless ``x`` has an integer
    dtype."""
    dtype = as_dtype(_tensor(x).dtype)
    if not dtype.is_integer:
        raise TypeError(f'{_prefix(message)}Expected "x" to be integer type.  Found: tensor of '
                        f"dtype {dtype}")


def assert_scalar(tensor, message=None, name=None) -> None:
    """``tf.debugging.assert_scalar``: raise ``ValueError`` unless ``tensor`` is 0-d."""
    shape = _static_shape(tensor)
    if len(shape) != 0:
        raise ValueError(f"{message or ''}Expected scalar shape, saw shape: {shape}.")


def check_numerics(tensor, message, name=None) -> EagerTensor:
    """``tf.debugging.check_numerics``: ``tensor`` itself if it holds no NaN or infinity.

    Raises:
        cannery.errors.InvalidArgumentError: a NaN or an infinity (``message : Tensor
            had NaN values``), or a dtype that is not a float.
    """
    from cannery.math import _FLOATS, _check_allowed

    array = _tensor(tensor)
    _check_allowed("debugging.check_numerics", array, "CheckNumerics", _FLOATS)
    nan, inf = bool(np.isnan(array).any()), bool(np.isinf(array).any())
    if nan or inf:
        status = "Inf and NaN" if nan and inf else ("Inf" if inf else "NaN")
        raise InvalidArgumentError(f"{message} : Tensor had {status} values "
                                   "[Op:CheckNumerics]")
    return array


def assert_all_finite(x, message, name=None) -> EagerTensor:
    """``tf.debugging.assert_all_finite``: :func:`check_numerics`."""
    return check_numerics(x, message)


def _summarize(value, summarize) -> str:
    """control_flow_assert's ``_summarize_eager``."""
    array = value.numpy()
    if isinstance(array, np.ndarray) and array.ndim:
        flat = array.reshape(-1)
        limit = flat.size if summarize < 0 else summarize
        items = [str(x) for x in flat[:limit]]
        if len(items) < flat.size:
            items.append("...")
        return ", ".join(items)
    return str(array) if summarize != 0 else ""


def Assert(condition, data, summarize=None, name=None) -> None:  # noqa: N802 - TF's name
    """``tf.debugging.Assert``: raise unless ``condition`` is true.

    Raises:
        cannery.errors.InvalidArgumentError: ``Expected '<condition>' to be true.
            Summarized data: ...`` with the first ``summarize`` (3) elements of each item
            of ``data``.
    """
    if bool(np.all(np.asarray(_tensor(condition) if not isinstance(condition, bool)
                              else condition))):
        return
    summarize = 3 if summarize is None else int(summarize)
    items = [_summarize(_tensor(d), summarize) for d in data]
    raise InvalidArgumentError(f"Expected '{str(condition)}' to be true. Summarized data: "
                               + "\n".join(items))


def is_numeric_tensor(tensor) -> bool:
    """``tf.debugging.is_numeric_tensor``: a tensor (not a numpy array) of a number
    dtype (bools and strings are not)."""
    from cannery.ops import is_tensor

    if not is_tensor(tensor):
        return False
    dtype = as_dtype(_tensor(tensor).dtype)
    return dtype.is_integer or dtype.is_floating
