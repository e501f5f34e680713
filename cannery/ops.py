"""TensorFlow's top-level array functions, on numpy: ``tf.one_hot``, ``tf.gather``,
``tf.range``, ``tf.shape``, ``tf.matmul``, ``tf.py_function``, ``tf.print`` ...

Input functions call them in ``Dataset.map`` functions and programs call them on what
``predict`` returns. They follow :mod:`cannery.math`'s rules: every result is an
:class:`~cannery.core.eager_tensor.EagerTensor` (lists of them where TensorFlow returns
lists), inputs are converted as ``tf.convert_to_tensor`` converts them (Python floats
float32, ints int32, text ``bytes``), and the errors are TensorFlow's: an op's kernel
refusing a dtype or a bad index raises :class:`~cannery.errors.InvalidArgumentError`
with the kernel's message (prefixed with the function's name and ending in ``[Op:...]``),
the Python-side checks raise ``ValueError`` / ``TypeError`` as TensorFlow's do.

Everything runs eagerly: :func:`executing_eagerly` is always True (TensorFlow says
False inside an estimator's ``input_fn`` and in ``Dataset.map`` functions, which it
traces into a graph; cannery runs them as plain Python), and :func:`function` calls the
function it decorates.
"""

from __future__ import annotations

import collections
import functools
import itertools
import os
import sys
from builtins import range as _builtin_range

import numpy as np

from cannery.core.dtypes import as_dtype
from cannery.core.eager_tensor import EagerTensor, as_eager
from cannery.core.tensors import SparseTensor
from cannery.errors import (InvalidArgumentError, OpError, OutOfRangeError,
                            ResourceExhaustedError, UnimplementedError, UnknownError)
from cannery.math import (_FLOATS_COMPLEX, _TOPK_TYPES, _axis, _check_allowed,
                          _descending_order, _dims, _kernel_error, _natural, _tf_type, _typed,
                          _unvar, convert_like, convert_to_tensor, converted_with_hint,
                          maximum, multiply,
                          reduce_sum, to_array, truediv, where)

__all__ = [
    "Tensor", "argsort", "boolean_mask", "broadcast_to", "clip_by_norm", "einsum",
    "executing_eagerly", "eye", "fill", "function", "gather", "gather_nd", "identity",
    "is_tensor", "linspace", "matmul", "newaxis", "numpy_function", "one_hot", "ones", "pad",
    "print", "py_function", "range", "rank", "repeat", "reverse", "searchsorted",
    "sequence_mask", "shape", "size", "sort", "split", "stop_gradient", "tile", "transpose",
    "unique", "unique_with_counts", "unstack", "zeros",
]

#: ``tf.Tensor``, for ``isinstance``: cannery's eager tensors. A numpy array, a
#: SparseTensor and a Variable are not Tensors, as in TensorFlow.
Tensor = EagerTensor

#: ``tf.newaxis``: ``x[:, tf.newaxis]`` adds a dimension.
newaxis = None

_INDEX_TYPES = "int16, int32, int64"


def _tensor(value) -> EagerTensor:
    """``value`` as ``tf.convert_to_tensor`` makes it (a Variable reads its value)."""
    return to_array(_unvar(value))


def _ints(function: str, value, what: str) -> list[int]:
    """A shape-like argument (a list, a tensor, an int) as a list of ints."""
    array = np.asarray(_natural(_unvar(value)))
    if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
        raise TypeError(f"tf.{function}: `{what}` must be integers, got {value!r}")
    return [int(v) for v in array.reshape(-1)]


def _int(value) -> int:
    return int(np.asarray(_unvar(value)).reshape(()))


# -- making tensors ---------------------------------------------------------------------
def _filled(function: str, shape, dtype, value) -> EagerTensor:
    dims = _ints(function, shape, "shape")
    for d in dims:
        if d < 0:
            raise InvalidArgumentError(f"tf.{function}: Dimension {d} must be >= 0 [Op:Fill]")
    target = as_dtype(dtype)
    if target.is_string:
        out = np.empty(dims, dtype=object)
        out.fill(b"" if value == 0 else value)
        return as_eager(out)
    return as_eager(np.full(dims, value, dtype=target.as_numpy_dtype))


def zeros(shape, dtype="float32", name=None) -> EagerTensor:
    """``tf.zeros``: a tensor of ``shape`` filled with 0 (``b""`` for strings).

    Raises:
        cannery.errors.InvalidArgumentError: a negative dimension.
    """
    return _filled("zeros", shape, dtype, 0)


def ones(shape, dtype="float32", name=None) -> EagerTensor:
    """``tf.ones``: a tensor of ``shape`` filled with 1 (True for bools).

    Raises:
        TypeError: a string dtype (TensorFlow cannot convert 1 to a string).
        cannery.errors.InvalidArgumentError: a negative dimension.
    """
    if as_dtype(dtype).is_string:
        raise TypeError("Cannot convert 1 to EagerTensor of dtype string")
    return _filled("ones", shape, dtype, 1)


def fill(dims, value, name=None, layout=None) -> EagerTensor:
    """``tf.fill``: a tensor of shape ``dims`` holding ``value`` (its dtype as
    ``tf.convert_to_tensor`` gives it).

    Raises:
        cannery.errors.InvalidArgumentError: a negative dimension, or a ``value`` that
            is not a scalar.
    """
    scalar = _tensor(value)
    if scalar.ndim != 0:
        raise InvalidArgumentError(f"tf.fill: value must be a scalar, got shape "
                                   f"{_dims(scalar.shape)} [Op:Fill]")
    dims = _ints("fill", dims, "dims")
    for d in dims:
        if d < 0:
            raise InvalidArgumentError(f"tf.fill: Dimension {d} must be >= 0 [Op:Fill]")
    out = np.empty(dims, dtype=scalar.dtype)
    out.fill(scalar[()] if scalar.dtype.kind != "O" else scalar.numpy())
    return as_eager(out)


def eye(num_rows, num_columns=None, batch_shape=None, dtype="float32",
        name=None) -> EagerTensor:
    """``tf.eye``: ones on the diagonal of a ``[num_rows, num_columns]`` matrix
    (square when ``num_columns`` is None), repeated over ``batch_shape``."""
    rows = _int(num_rows)
    columns = rows if num_columns is None else _int(num_columns)
    matrix = np.eye(rows, columns, dtype=as_dtype(dtype).as_numpy_dtype)
    if batch_shape is not None:
        batch = _ints("eye", batch_shape, "batch_shape")
        matrix = np.broadcast_to(matrix, tuple(batch) + matrix.shape).copy()
    return as_eager(matrix)


# int32 < int64 < float32 < float64: the dtype tf.range infers from its arguments
_RANGE_ORDER = ["int32", "int64", "float16", "float32", "float64"]


def range(start, limit=None, delta=1, dtype=None, name="range") -> EagerTensor:  # noqa: A001
    """``tf.range``: ``start, start + delta, ...`` up to (not including) ``limit``
    (``range(n)`` is ``0 .. n-1``). Without ``dtype`` the widest of the arguments'
    dtypes (int32 < int64 < float32 < float64); floats accumulate ``delta`` step by step
    as TensorFlow's kernel does.

    Raises:
        cannery.errors.InvalidArgumentError: ``delta`` is 0, or points away from
            ``limit`` (TensorFlow's messages).
    """
    if limit is None:
        start, limit = 0, start
    values = []
    for argument in (start, limit, delta):
        argument = _unvar(argument)
        if isinstance(argument, EagerTensor) or dtype is None:
            values.append(_natural(argument))
        else:
            values.append(convert_like(argument, as_dtype(dtype).as_numpy_dtype, "range"))
    if dtype is None:
        names = [as_dtype(v.dtype).name for v in values]
        for n in names:
            if n not in _RANGE_ORDER:
                raise TypeError(f"tf.range: arguments must be int32, int64, float32 or float64, "
                                f"got {n}")
        target = np.dtype(max(names, key=_RANGE_ORDER.index))
    else:
        target = np.dtype(as_dtype(dtype).as_numpy_dtype)
    first, last, step = (np.asarray(v).reshape(()).astype(target) for v in values)
    if step == 0:
        raise InvalidArgumentError(f"tf.range: Requires delta != 0: {_number(step)} "
                                   "[Op:Range]")
    if step > 0 and first > last:
        raise InvalidArgumentError(f"tf.range: Requires start <= limit when delta > 0: "
                                   f"{_number(first)}/{_number(last)} [Op:Range]")
    if step < 0 and first < last:
        raise InvalidArgumentError(f"tf.range: Requires start >= limit when delta < 0: "
                                   f"{_number(first)}/{_number(last)} [Op:Range]")
    if target.kind in "iu":
        count = (abs(int(last) - int(first)) + abs(int(step)) - 1) // abs(int(step))
        return as_eager((int(first) + np.arange(count, dtype=np.int64) * int(step))
                        .astype(target))
    count = int(np.ceil(np.abs((np.float64(last) - np.float64(first)) / np.float64(step))))
    # start + i * delta in the dtype, as TensorFlow's kernel computes each value
    return as_eager(first + np.arange(count).astype(target) * step)


def _number(value) -> str:
    value = np.asarray(value).item()
    return str(int(value)) if float(value).is_integer() else repr(value)


def linspace(start, stop, num, name=None, axis=0) -> EagerTensor:
    """``tf.linspace``: ``num`` evenly spaced values from ``start`` to ``stop``
    (included), inserted at ``axis`` when ``start`` / ``stop`` are tensors; integer
    ends give float64 (TensorFlow's ``truediv``), as in TensorFlow."""
    first = _tensor(start)
    last = convert_to_tensor(_unvar(stop), dtype=first.dtype)
    count = _int(num)
    first, last = np.broadcast_arrays(first, last)
    first = np.expand_dims(first, axis)
    last = np.expand_dims(last, axis)
    steps = max(count - 1, 1)
    delta = truediv(last - first, np.asarray(steps, first.dtype))
    first = first.astype(delta.dtype)
    last = last.astype(delta.dtype)
    shape = [1] * first.ndim
    axis_index = axis % first.ndim
    shape[axis_index] = max(count - 2, 0)
    middle = first + delta * np.arange(1, steps, dtype=np.int64).astype(delta.dtype) \
        .reshape(shape)
    out = np.concatenate([first, middle, last], axis=axis_index)
    return as_eager(np.take(out, np.arange(count), axis=axis_index))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None) -> EagerTensor:
    """``tf.one_hot``: ``on_value`` (1) at each index along a new ``axis`` (the last)
    of size ``depth``, ``off_value`` (0) elsewhere; an index outside ``[0, depth)``,
    -1 included, gives a row of ``off_value``. The dtype is ``dtype``, else
    ``on_value``'s / ``off_value``'s, else float32.

    Raises:
        TypeError: ``on_value`` / ``off_value`` of another dtype than ``dtype`` or each
            other (TensorFlow's messages).
        cannery.errors.InvalidArgumentError: indices that are not uint8, int8, int32 or
            int64, a negative ``depth``, or an ``axis`` out of range.
    """
    on_dtype = off_dtype = None
    if on_value is not None:
        on_value = convert_to_tensor(_unvar(on_value), dtype_hint=dtype)
        on_dtype = as_dtype(on_value.dtype)
    if off_value is not None:
        off_value = convert_to_tensor(_unvar(off_value), dtype_hint=dtype)
        off_dtype = as_dtype(off_value.dtype)
    if on_value is not None or off_value is not None:
        if dtype is not None:
            dtype = as_dtype(dtype)
            if on_dtype is not None and on_dtype != dtype:
                raise TypeError(f"dtype {on_dtype} of on_value does not match dtype parameter "
                                f"{dtype}")
            if off_dtype is not None and off_dtype != dtype:
                raise TypeError(f"dtype {off_dtype} of off_value does not match dtype "
                                f"parameter {dtype}")
        else:
            dtype = on_dtype if on_dtype is not None else off_dtype
    elif dtype is None:
        dtype = as_dtype("float32")
    dtype = as_dtype(dtype)
    if on_value is None:
        on_value, on_dtype = to_array(1, dtype), dtype
    if off_value is None:
        off_value = to_array(b"" if dtype.is_string else 0, dtype)
        off_dtype = dtype
    if on_dtype != off_dtype:
        raise TypeError(f"dtype {on_dtype} of on_value does not match dtype {off_dtype} of "
                        "off_value")
    ids = _typed("one_hot", indices, "OneHot", "uint8, int8, int32, int64", "TI")
    depth = _int(depth)
    if depth < 0:
        raise InvalidArgumentError(f"tf.one_hot: depth must be non-negative, got: {depth} "
                                   "[Op:OneHot]")
    axis = -1 if axis is None else _int(axis)
    if not -1 <= axis <= ids.ndim:
        raise InvalidArgumentError(f"tf.one_hot: Expected axis to be -1 or between [0, "
                                   f"{ids.ndim + 1}).  But received: {axis} [Op:OneHot]")
    hot = np.asarray(ids)[..., None] == np.arange(depth)
    out = np.where(hot, np.asarray(on_value), np.asarray(off_value))
    if out.dtype != on_value.dtype:
        out = out.astype(on_value.dtype)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return as_eager(np.ascontiguousarray(out))


def sequence_mask(lengths, maxlen=None, dtype="bool", name=None) -> EagerTensor:
    """``tf.sequence_mask``: ``mask[..., j] = j < lengths[...]`` with ``maxlen``
    columns (``max(lengths)`` when None), as ``dtype``."""
    lengths = _tensor(lengths)
    if maxlen is None:
        maxlen = int(lengths.max()) if lengths.size else 0
    else:
        maxlen = _int(maxlen)
    mask = np.arange(maxlen) < np.asarray(lengths)[..., None]
    return as_eager(mask.astype(as_dtype(dtype).as_numpy_dtype))


# -- shapes ------------------------------------------------------------------------------
def shape(input, out_type="int32", name=None) -> EagerTensor:  # noqa: A002
    """``tf.shape``: the dimensions of ``input`` as a 1-D ``out_type`` (int32) tensor
    (a SparseTensor's dense shape)."""
    if isinstance(input, SparseTensor):
        dims = np.asarray(input.dense_shape).reshape(-1)
    else:
        dims = np.asarray(np.shape(_tensor(input)))
    return as_eager(np.asarray(dims, dtype=as_dtype(out_type).as_numpy_dtype).reshape(-1))


def size(input, out_type="int32", name=None) -> EagerTensor:  # noqa: A002
    """``tf.size``: the number of elements, a 0-d ``out_type`` (int32) tensor."""
    dims = shape(input, "int64")
    return as_eager(np.asarray(np.prod(dims, dtype=np.int64),
                               dtype=as_dtype(out_type).as_numpy_dtype))


def rank(input, name=None) -> EagerTensor:  # noqa: A002
    """``tf.rank``: the number of dimensions, a 0-d int32 tensor."""
    return as_eager(np.int32(len(shape(input))))


def broadcast_to(input, shape, name=None) -> EagerTensor:  # noqa: A002, F811
    """``tf.broadcast_to``.

    Raises:
        cannery.errors.InvalidArgumentError: shapes that do not broadcast.
    """
    array = _tensor(input)
    dims = _ints("broadcast_to", shape, "shape")
    try:
        return as_eager(np.broadcast_to(array, dims).copy())
    except ValueError:
        raise InvalidArgumentError(f"tf.broadcast_to: Incompatible shapes: "
                                   f"{_dims(array.shape)} vs. {_dims(dims)} "
                                   "[Op:BroadcastTo]") from None


def tile(input, multiples, name=None) -> EagerTensor:  # noqa: A002
    """``tf.tile``: ``input`` repeated ``multiples[i]`` times along axis ``i``.

    Raises:
        cannery.errors.InvalidArgumentError: ``multiples`` not one per axis.
    """
    array = _tensor(input)
    counts = _ints("tile", multiples, "multiples")
    if len(counts) != array.ndim:
        raise InvalidArgumentError(f"tf.tile: Expected multiples argument to be a vector of "
                                   f"length {array.ndim} but got length {len(counts)} "
                                   "[Op:Tile]")
    if any(c < 0 for c in counts):
        raise InvalidArgumentError(f"tf.tile: Expected multiples[{min(counts)}] >= 0, but got "
                                   f"{min(counts)} [Op:Tile]")
    return as_eager(np.tile(array, counts))


def transpose(a, perm=None, conjugate=False, name="transpose") -> EagerTensor:
    """``tf.transpose``: axes reversed, or in the order ``perm``.

    Raises:
        cannery.errors.InvalidArgumentError: ``perm`` not a permutation of the axes.
    """
    array = _tensor(a)
    if perm is None:
        out = np.transpose(array)
    else:
        order = _ints("transpose", perm, "perm")
        if len(order) != array.ndim:
            raise InvalidArgumentError(f"tf.transpose: transpose expects a vector of size "
                                       f"{array.ndim}. But input(1) is a vector of size "
                                       f"{len(order)} [Op:Transpose]")
        if sorted(o % max(array.ndim, 1) for o in order) != list(_builtin_range(array.ndim)):
            raise InvalidArgumentError(f"tf.transpose: {order} is not a valid permutation "
                                       "[Op:Transpose]")
        out = np.transpose(array, order)
    if conjugate and out.dtype.kind == "c":
        out = np.conj(out)
    return as_eager(np.ascontiguousarray(out))


def reverse(tensor, axis, name=None) -> EagerTensor:
    """``tf.reverse``: ``tensor`` reversed along each axis in the 1-D ``axis``.

    Raises:
        cannery.errors.InvalidArgumentError: ``axis`` is not 1-D, or out of range.
    """
    array = _tensor(tensor)
    axes = np.asarray(_natural(_unvar(axis)))
    if axes.ndim != 1:
        raise InvalidArgumentError(f"tf.reverse: 'dims' must be 1-dimension, not {axes.ndim} "
                                   "[Op:ReverseV2]")
    out = array
    for a in axes.tolist():
        if not -array.ndim <= a < array.ndim:
            raise InvalidArgumentError(f"tf.reverse: 'axis'[0] = {a} is out of valid range "
                                       f"[0, {array.ndim - 1}] [Op:ReverseV2]")
        out = np.flip(out, a)
    return as_eager(np.ascontiguousarray(out))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> EagerTensor:
    """``tf.pad``: ``paddings[i] = [before, after]`` for each axis; ``mode`` is
    ``CONSTANT`` (``constant_values``), ``REFLECT`` or ``SYMMETRIC`` (any case).

    Raises:
        ValueError: another ``mode`` (TensorFlow's message).
        cannery.errors.InvalidArgumentError: not one ``[before, after]`` per axis.
    """
    array = _tensor(tensor)
    widths = np.asarray(_natural(_unvar(paddings)))
    mode = str(mode).upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {mode}')
    if widths.shape != (array.ndim, 2):
        raise InvalidArgumentError(f"tf.pad: The first dimension of paddings must be the rank "
                                   f"of inputs{_dims(widths.shape)}, "
                                   f"{_dims(array.shape)} [Op:Pad]")
    pairs = [(int(a), int(b)) for a, b in widths.tolist()]
    if mode == "CONSTANT":
        constant_values = _unvar(constant_values)
        if not isinstance(constant_values, EagerTensor) and np.ndim(constant_values) == 0 and \
                not isinstance(constant_values, (str, bytes)) and constant_values == 0:
            # TensorFlow pads with the dtype's zero here (b"" for strings)
            constant_values = b"" if array.dtype.kind == "O" else 0
        value = convert_like(constant_values, array.dtype, "pad")
        if array.dtype.kind == "O":
            out = np.empty([n + a + b for n, (a, b) in zip(array.shape, pairs)], dtype=object)
            out.fill(np.asarray(value).reshape(()).item())
            out[tuple(slice(a, a + n) for n, (a, _) in zip(array.shape, pairs))] = array
            return as_eager(out)
        return as_eager(np.pad(array, pairs, mode="constant",
                               constant_values=np.asarray(value).reshape(())))
    return as_eager(np.pad(array, pairs, mode=mode.lower()))


# -- picking elements ----------------------------------------------------------------------
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0,
           name=None) -> EagerTensor:
    """``tf.gather``: the slices of ``params`` at ``indices`` along ``axis`` (0, or
    ``batch_dims`` when that is set), over ``batch_dims`` leading dimensions shared
    by ``params`` and ``indices``.

    Raises:
        cannery.errors.InvalidArgumentError: an index outside ``[0, params.shape[axis])``
            (negative ones too, as on TensorFlow's CPU), or indices that are not integers.
    """
    array = _tensor(params)
    ids = _typed("gather", indices, "GatherV2", _INDEX_TYPES, "Tindices")
    batch_dims = _int(batch_dims)
    if batch_dims < 0:
        batch_dims += ids.ndim
    axis = batch_dims if axis is None else _int(axis)
    if axis < 0:
        axis += array.ndim
    if not 0 <= axis < max(array.ndim, 1) or array.ndim == 0:
        raise InvalidArgumentError(f"tf.gather: Expected axis in the range [{-array.ndim}, "
                                   f"{array.ndim}), but got {axis} [Op:GatherV2]")
    if batch_dims > axis:
        raise InvalidArgumentError(f"tf.gather: batch_dims ({batch_dims}) must be less than or "
                                   f"equal to axis ({axis}). [Op:GatherV2]")
    bound = array.shape[axis]
    flat = np.asarray(ids).reshape(-1)
    bad = np.nonzero((flat < 0) | (flat >= bound))[0]
    if bad.size:
        raise InvalidArgumentError(f"tf.gather: indices[{_position(ids.shape, bad[0])}] = "
                                   f"{int(flat[bad[0]])} is not in [0, {bound}) "
                                   "[Op:GatherV2]")
    if batch_dims == 0:
        return as_eager(np.take(array, ids, axis=axis))
    batch_shape = array.shape[:batch_dims]
    if ids.shape[:batch_dims] != batch_shape:
        raise InvalidArgumentError(f"tf.gather: params.shape[:{batch_dims}] "
                                   f"{_dims(batch_shape)} must match indices.shape"
                                   f"[:{batch_dims}] {_dims(ids.shape[:batch_dims])} "
                                   "[Op:GatherV2]")
    n = int(np.prod(batch_shape, dtype=np.int64))
    flat_params = array.reshape((n,) + array.shape[batch_dims:])
    flat_ids = np.asarray(ids).reshape((n,) + ids.shape[batch_dims:])
    parts = [np.take(flat_params[b], flat_ids[b], axis=axis - batch_dims)
             for b in _builtin_range(n)]
    tail = array.shape[batch_dims:axis] + ids.shape[batch_dims:] + array.shape[axis + 1:]
    out = np.stack(parts) if parts else np.empty((0,) + tail, array.dtype)
    return as_eager(out.reshape(batch_shape + tail))


def _position(shape, flat_index) -> str:
    """TensorFlow's ``indices[...]`` position: the flat index for 1-D indices, else the
    coordinates joined by commas."""
    if len(shape) <= 1:
        return str(int(flat_index))
    return ",".join(str(int(i)) for i in np.unravel_index(int(flat_index), shape))


def gather_nd(params, indices, batch_dims=0, name=None) -> EagerTensor:
    """``tf.gather_nd``: ``indices[..., :K]`` are coordinates into the first ``K`` axes
    of ``params`` (after ``batch_dims`` shared leading axes).

    Raises:
        cannery.errors.InvalidArgumentError: coordinates outside ``params``.
    """
    array = _tensor(params)
    ids = _typed("gather_nd", indices, "GatherNd", "int16, int32, int64", "Tindices")
    batch_dims = _int(batch_dims)
    if batch_dims:
        batch_shape = array.shape[:batch_dims]
        n = int(np.prod(batch_shape, dtype=np.int64))
        parts = [gather_nd(array.reshape((n,) + array.shape[batch_dims:])[b],
                           np.asarray(ids).reshape((n,) + ids.shape[batch_dims:])[b])
                 for b in _builtin_range(n)]
        stacked = np.stack(parts)
        return as_eager(stacked.reshape(batch_shape + stacked.shape[1:]))
    depth = ids.shape[-1] if ids.ndim else 0
    if depth > array.ndim:
        raise InvalidArgumentError(f"tf.gather_nd: index innermost dimension length must be <= "
                                   f"params rank; saw: {depth} vs. {array.ndim} "
                                   "[Op:GatherNd]")
    coordinates = np.asarray(ids).reshape(-1, depth)
    bounds = np.asarray(array.shape[:depth])
    for row, point in enumerate(coordinates):
        if np.any(point < 0) or np.any(point >= bounds):
            raise InvalidArgumentError(
                f"tf.gather_nd: indices[{row}] = "
                f"[{', '.join(str(int(p)) for p in point)}] does not index into param shape "
                f"{_dims(array.shape)}, node name: GatherNd [Op:GatherNd]")
    picked = array[tuple(coordinates.T)] if depth else \
        np.broadcast_to(array, (coordinates.shape[0],) + array.shape)
    return as_eager(np.ascontiguousarray(picked).reshape(ids.shape[:-1] + array.shape[depth:]))


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> EagerTensor:
    """``tf.boolean_mask``: the entries of ``tensor`` where ``mask`` (over the axes
    ``axis .. axis + mask.ndim``) is true or non-zero, those axes flattened into one.

    Raises:
        ValueError: ``mask``'s shape is not that of the masked axes, or ``mask`` is 0-d
            (TensorFlow's messages).
    """
    array = _tensor(tensor)
    flags = _tensor(mask)
    if flags.ndim == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else _int(axis)
    if axis < 0:
        axis += array.ndim
    masked = array.shape[axis:axis + flags.ndim]
    if masked != flags.shape:
        raise ValueError(f"Shapes {_shape_text(masked)} and {_shape_text(flags.shape)} are "
                         "incompatible")
    merged = array.reshape(array.shape[:axis] + (-1,) + array.shape[axis + flags.ndim:]) \
        if array.size else array.reshape(array.shape[:axis] + (int(np.prod(masked)),)
                                          + array.shape[axis + flags.ndim:])
    keep = np.nonzero(np.asarray(flags).reshape(-1))[0]
    return as_eager(np.take(merged, keep, axis=axis))


def _shape_text(dims) -> str:
    return "(" + ", ".join(str(int(d)) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def identity(input, name=None) -> EagerTensor:  # noqa: A002
    """``tf.identity``: a copy of ``input`` (a Variable's current value)."""
    if isinstance(input, SparseTensor):
        return input
    return as_eager(np.array(_tensor(input)))


def stop_gradient(input, name=None) -> EagerTensor:  # noqa: A002
    """``tf.stop_gradient``: :func:`identity` (cannery differentiates no user code)."""
    return identity(input)


def searchsorted(sorted_sequence, values, side="left", out_type="int32",
                 name=None) -> EagerTensor:
    """``tf.searchsorted``: for each row of ``values``, where each would be inserted in
    the matching row of ``sorted_sequence`` (its last axis sorted) to keep it sorted.

    Raises:
        ValueError: ``side`` is not ``left`` / ``right``.
        cannery.errors.InvalidArgumentError: leading dimensions that differ.
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: "
                         f"`side` = {side!r}.")
    sequence = _tensor(sorted_sequence)
    targets = _dtype_as(values, sequence.dtype)
    if sequence.ndim == 0 or targets.ndim == 0 or sequence.shape[:-1] != targets.shape[:-1]:
        raise InvalidArgumentError(
            f"tf.searchsorted: Leading dim_size of both tensors must match "
            f"{_dims(sequence.shape)} vs {_dims(targets.shape)} [Op:LowerBound]")
    rows = sequence.reshape(-1, sequence.shape[-1])
    wanted = targets.reshape(-1, targets.shape[-1])
    out = np.stack([np.searchsorted(r, w, side=side) for r, w in zip(rows, wanted)]) \
        if rows.shape[0] else np.zeros(wanted.shape, np.int64)
    return as_eager(out.reshape(targets.shape).astype(as_dtype(out_type).as_numpy_dtype))


def _dtype_as(value, dtype) -> np.ndarray:
    value = _unvar(value)
    if isinstance(value, EagerTensor):
        return _natural(value)
    return convert_like(value, dtype)


# -- sorting and uniques -------------------------------------------------------------------
_NEG_TYPES = "bfloat16, half, float, double, int8, int16, int32, int64, complex64, complex128"


def _sort_order(function: str, values, axis, direction) -> tuple[np.ndarray, np.ndarray, int]:
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    array = _tensor(values)
    axis = _int(axis)
    if direction == "ASCENDING":
        # TensorFlow sorts -x (~x for integers, max - x for unsigned) from the largest
        if array.dtype.kind == "u":
            key = np.iinfo(array.dtype).max - array
        else:
            _check_allowed(function, array, "Neg", _NEG_TYPES)
            key = ~array if array.dtype.kind == "i" else -array
    else:
        key = array
    _check_allowed(function, np.asarray(key), "TopKV2", _TOPK_TYPES)
    if array.ndim == 0:
        raise InvalidArgumentError(f"tf.{function}: input must be >= 1-D, got shape [] "
                                   "[Op:TopKV2]")
    axis = axis % array.ndim
    return array, _descending_order(np.asarray(key), axis), axis


def sort(values, axis=-1, direction="ASCENDING", name=None) -> EagerTensor:
    """``tf.sort`` along ``axis`` (the last), ``ASCENDING`` or ``DESCENDING``.

    Raises:
        ValueError: another ``direction``.
        cannery.errors.InvalidArgumentError: strings or bools (TensorFlow sorts by
            negating and ``top_k``, which refuse them).
    """
    array, order, axis = _sort_order("sort", values, axis, direction)
    return as_eager(np.take_along_axis(np.asarray(array), order, axis=axis))


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> EagerTensor:
    """``tf.argsort``: the int32 indices that sort ``values`` along ``axis``; equal
    values keep their order in both directions (TensorFlow's ``top_k`` order).

    Raises:
        ValueError / cannery.errors.InvalidArgumentError: as :func:`sort`.
    """
    _, order, _ = _sort_order("argsort", values, axis, direction)
    return as_eager(order.astype(np.int32))


Unique = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique(function: str, x, out_idx):
    array = _tensor(x)
    if array.ndim != 1:
        raise InvalidArgumentError(f"tf.{function}: unique expects a 1D vector. [Op:Unique]")
    first: dict = {}
    idx = np.empty(array.shape[0], dtype=as_dtype(out_idx).as_numpy_dtype)
    counts: list[int] = []
    values = array.tolist()
    for position, value in enumerate(values):
        key = value
        slot = first.get(key)
        if slot is None or (isinstance(value, float) and value != value):
            slot = len(counts)
            first[key] = slot
            counts.append(0)
        idx[position] = slot
        counts[slot] += 1
    order = sorted(first.values())
    keep = np.zeros(len(counts), dtype=np.int64)
    for position in _builtin_range(len(values) - 1, -1, -1):
        keep[idx[position]] = position
    y = np.asarray(array)[keep] if len(counts) else np.asarray(array)[:0]
    del order
    return as_eager(y), as_eager(idx), counts


def unique(x, out_idx="int32", name=None) -> Unique:
    """``tf.unique``: the distinct values of a 1-D ``x`` in order of first appearance,
    and for each element the index of its value among them.

    Returns:
        ``Unique(y, idx)`` (a namedtuple, as TensorFlow's).

    Raises:
        cannery.errors.InvalidArgumentError: ``x`` is not 1-D.
    """
    y, idx, _ = _unique("unique", x, out_idx)
    return Unique(y, idx)


def unique_with_counts(x, out_idx="int32", name=None) -> UniqueWithCounts:
    """``tf.unique_with_counts``: :func:`unique` and how often each value occurs."""
    y, idx, counts = _unique("unique_with_counts", x, out_idx)
    return UniqueWithCounts(y, idx, as_eager(np.asarray(counts, dtype=idx.dtype)))


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """``tf.split``: ``value`` cut along ``axis`` into ``num_or_size_splits`` equal
    parts, or parts of the given sizes (one may be -1: the rest).

    Raises:
        cannery.errors.InvalidArgumentError: sizes that do not add up, or a count that
            does not divide the axis (TensorFlow's messages).
    """
    array = _tensor(value)
    axis = _axis("split", axis, array.ndim, "Split")
    length = array.shape[axis]
    sizes = np.asarray(_natural(_unvar(num_or_size_splits)))
    if sizes.ndim == 0:
        count = int(sizes)
        if count <= 0 or length % count:
            raise InvalidArgumentError(
                f"tf.split: Number of ways to split should evenly divide the split dimension, "
                f"but got split_dim {axis} (size = {length}) and num_split {count} [Op:Split]")
        return [as_eager(np.ascontiguousarray(p)) for p in np.split(array, count, axis=axis)]
    sizes = [int(s) for s in sizes.reshape(-1)]
    unknown = [i for i, s in enumerate(sizes) if s == -1]
    known = sum(s for s in sizes if s != -1)
    if len(unknown) > 1 or (unknown and known > length) or (not unknown and known != length):
        raise InvalidArgumentError(
            "tf.split: Determined shape must either match input shape along split_dim exactly "
            "if fully specified, or be less than the size of the input along split_dim if not "
            f"fully specified.  Got: {known} [Op:SplitV]")
    if unknown:
        sizes[unknown[0]] = length - known
    cuts = np.cumsum(sizes)[:-1]
    return [as_eager(np.ascontiguousarray(p)) for p in np.split(array, cuts, axis=axis)]


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """``tf.unstack``: the slices of ``value`` along ``axis``, as a list.

    Raises:
        ValueError: ``axis`` out of range, or ``num`` not the axis' size.
    """
    array = _tensor(value)
    axis = _int(axis)
    if not -array.ndim <= axis < array.ndim:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-array.ndim}, "
                         f"{array.ndim})")
    if num is not None and int(num) != array.shape[axis]:
        raise ValueError(f"Cannot infer argument `num` from shape {array.shape}")
    return [as_eager(np.ascontiguousarray(np.take(array, i, axis=axis)))
            for i in _builtin_range(array.shape[axis])]


def repeat(input, repeats, axis=None, name=None) -> EagerTensor:  # noqa: A002
    """``tf.repeat``: each element (along ``axis``; of the flattened input when None)
    repeated ``repeats`` times (a count per element, or one for all)."""
    array = _tensor(input)
    counts = np.asarray(_natural(_unvar(repeats)))
    if axis is None:
        return as_eager(np.repeat(array.reshape(-1), counts))
    return as_eager(np.repeat(array, counts, axis=_int(axis)))


# -- products -------------------------------------------------------------------------------
_MATMUL_TYPES = "bfloat16, half, float, double, int32, int64, uint8, int8, uint16, int16, " \
                "uint32, uint64, complex64, complex128"


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None) -> EagerTensor:
    """``tf.linalg.matmul``: matrix products over the last two axes (leading axes
    broadcast), ``b`` converted with ``a``'s dtype as a hint.

    Raises:
        cannery.errors.InvalidArgumentError: operands of two dtypes, fewer than 2
            dimensions, or inner dimensions that differ (TensorFlow's messages).
    """
    left = _tensor(a)
    right = converted_with_hint(b, left.dtype, "matmul")
    op = "MatMul" if left.ndim <= 2 and right.ndim <= 2 else "BatchMatMulV2"
    if left.dtype != right.dtype:
        raise _kernel_error(op, 1, left.dtype, right.dtype)
    _check_allowed("linalg.matmul", left, op, _MATMUL_TYPES)
    for index, operand in enumerate((left, right)):
        if operand.ndim < 2:
            raise InvalidArgumentError(f"tf.linalg.matmul: In[{index}] ndims must be >= 2 "
                                       f"[Op:{op}]")
    if transpose_a or adjoint_a:
        left = np.conj(np.swapaxes(left, -1, -2)) if adjoint_a else np.swapaxes(left, -1, -2)
    if transpose_b or adjoint_b:
        right = np.conj(np.swapaxes(right, -1, -2)) if adjoint_b else np.swapaxes(right, -1, -2)
    if left.shape[-1] != right.shape[-2]:
        if op == "MatMul":
            raise InvalidArgumentError(f"tf.linalg.matmul: Matrix size-incompatible: In[0]: "
                                       f"{_dims(left.shape)}, In[1]: {_dims(right.shape)} "
                                       "[Op:MatMul]")
        raise InvalidArgumentError(
            f"tf.linalg.matmul: In[0] mismatch In[1] shape: {left.shape[-1]} vs. "
            f"{right.shape[-2]}: {_dims(left.shape)} {_dims(right.shape)} 0 0 "
            "[Op:BatchMatMulV2]")
    try:
        out = np.matmul(left, right)
    except ValueError:
        raise InvalidArgumentError(
            f"tf.linalg.matmul: Incompatible shapes: {_dims(left.shape[:-2])} vs. "
            f"{_dims(right.shape[:-2])} [Op:BatchMatMulV2]") from None
    return as_eager(out.astype(left.dtype, copy=False))


def einsum(equation, *inputs, **kwargs) -> EagerTensor:
    """``tf.einsum``: numpy's ``einsum`` of operands of one dtype.

    Raises:
        cannery.errors.InvalidArgumentError: operands of two dtypes.
    """
    del kwargs  # name, optimize
    arrays = [_tensor(x) for x in inputs]
    for index, array in enumerate(arrays[1:], 1):
        if array.dtype != arrays[0].dtype:
            raise _kernel_error("Einsum", index, arrays[0].dtype, array.dtype)
    out = np.einsum(equation, *arrays)
    return as_eager(np.asarray(out).astype(arrays[0].dtype, copy=False))


def clip_by_norm(t, clip_norm, axes=None, name=None) -> EagerTensor:
    """``tf.clip_by_norm``: ``t * clip_norm / max(l2norm(t), clip_norm)``, the norm over
    ``axes`` (all when None), as TensorFlow computes it.

    Raises:
        cannery.errors.InvalidArgumentError: integers (TensorFlow's ``Sqrt`` message).
    """
    values = _tensor(t)
    l2sum = reduce_sum(multiply(values, values), axes, keepdims=True)
    positive = l2sum > 0
    safe = where(positive, l2sum, np.ones_like(l2sum))
    _check_allowed("clip_by_norm", safe, "Sqrt", _FLOATS_COMPLEX)
    l2norm = where(positive, as_eager(np.sqrt(safe)), l2sum)
    intermediate = multiply(values, clip_norm)
    return truediv(intermediate, maximum(l2norm, clip_norm))


# -- predicates ------------------------------------------------------------------------------
def is_tensor(x) -> bool:
    """``tf.is_tensor``: True for EagerTensors, Variables and SparseTensors (not numpy
    arrays or Python values)."""
    from cannery.variables import Variable

    return isinstance(x, (EagerTensor, Variable, SparseTensor))


def executing_eagerly() -> bool:
    """``tf.executing_eagerly``: always True (cannery has no graphs, see the module
    docstring)."""
    return True


# -- Python functions inside a pipeline -----------------------------------------------------
def _script_args(script_op_name: str, func, inp, Tout):
    if Tout is None:
        raise TypeError("Missing required argument: 'Tout'\n"
                        f"  If using {script_op_name} as a decorator, set `Tout`\n"
                        "  **by name** above the function:\n"
                        f"  `@{script_op_name}(Tout=tout)`")
    if func is None:
        if inp is not None:
            raise TypeError(f"Don't set the `inp` argument when using {script_op_name} as a "
                            "decorator (`func=None`).")
        return "decorator"
    if inp is None:
        raise TypeError("Missing argument `inp`:\n"
                        "  You must set the `inp` argument (the list of arguments to the\n"
                        f"  function), unless you use `{script_op_name}` as a decorator"
                        "(`func=None`).")
    if not callable(func):
        raise ValueError(f"Expected func to be callable. Received func={func} of type "
                         f"{type(func)}.")
    return None


# Python exceptions raised by a py_function's func, as the op reports them
_PY_ERRORS = {ValueError: InvalidArgumentError, TypeError: InvalidArgumentError,
              StopIteration: OutOfRangeError, MemoryError: ResourceExhaustedError,
              NotImplementedError: UnimplementedError, IndexError: OutOfRangeError}


def _py_error(error: BaseException, function: str) -> OpError:
    if isinstance(error, OpError):
        return error
    kind = next((v for k, v in _PY_ERRORS.items() if isinstance(error, k)), UnknownError)
    op = "EagerPyFunc" if function == "py_function" else "PyFunc"
    return kind(f"tf.{function}: {type(error).__name__}: {error} [Op:{op}]")


def _as_dtype_list(Tout):
    many = isinstance(Tout, (list, tuple))
    return many, [as_dtype(t) for t in (Tout if many else [Tout])]


def py_function(func=None, inp=None, Tout=None, name=None):
    """``tf.py_function``: ``func(*inp)`` called with EagerTensors, its results
    converted to ``Tout`` (a dtype: one tensor; a list: a list) as
    ``tf.convert_to_tensor(value, dtype)`` converts them. As a decorator,
    ``@tf.py_function(Tout=...)``.

    Raises:
        TypeError: no ``Tout``, or no ``inp`` outside a decorator.
        cannery.errors.InvalidArgumentError: a result that does not convert to its
            dtype (and ``func``'s own ``ValueError`` / ``TypeError``), as TensorFlow
            reports errors raised inside the op (``UnknownError`` for most others).
    """
    if _script_args("tf.py_function", func, inp, Tout) == "decorator":
        def decorator(fun):
            @functools.wraps(fun)
            def wrapper(*args):
                return py_function(fun, inp=args, Tout=Tout, name=name)
            return wrapper
        return decorator
    many, dtypes = _as_dtype_list(Tout)
    args = [x if isinstance(x, SparseTensor) else _tensor(x) for x in list(inp)]
    try:
        result = func(*args)
        if result is None:
            outputs = []
        elif isinstance(result, (tuple, list)):
            outputs = [convert_to_tensor(_script_value(v), dtype=d)
                       for v, d in zip(result, dtypes)]
        else:
            outputs = [convert_to_tensor(_script_value(result), dtype=dtypes[0])]
    except Exception as error:  # noqa: BLE001 - reported as the op reports it
        raise _py_error(error, "py_function") from error
    if len(outputs) < len(dtypes):
        raise InvalidArgumentError(f"tf.py_function: func returned {len(outputs)} values, "
                                   f"expected {len(dtypes)} [Op:EagerPyFunc]")
    return outputs if many else outputs[0]


def _script_value(value):
    from cannery.variables import Variable

    if isinstance(value, Variable):
        raise RuntimeError(
            "Attempting to return a variable from an eagerly executed py_func. Only numeric "
            "data structures like Tensors or NumPy arrays should be returned; to return the "
            "value of a variable, make sure to obtain the Tensor backing it by calling "
            f"`.read_value()` on the variable in question: {value}")
    return value


_pyfunc_tokens = itertools.count()


def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):
    """``tf.numpy_function``: ``func(*inp)`` called with numpy arrays (text as object
    arrays of ``bytes``), each result made a numpy array and checked against ``Tout``.

    A result of another dtype is refused, as TensorFlow refuses it in a ``Dataset.map``
    function or an ``input_fn`` (where it traces the call into a graph): a Python float
    is float64 and does not pass for ``tf.float32``. (Called eagerly at the top level,
    TensorFlow 2.15 skips that check and returns the result's own dtype.)

    Raises:
        TypeError: no ``Tout``, or no ``inp`` outside a decorator.
        cannery.errors.InvalidArgumentError: a result of another dtype than its
            ``Tout`` (``0-th value returned by pyfunc_0 is double, but expects float``),
            or fewer results than ``Tout`` lists.
    """
    if _script_args("tf.numpy_function", func, inp, Tout) == "decorator":
        def decorator(fun):
            @functools.wraps(fun)
            def wrapper(*args):
                return numpy_function(fun, inp=args, Tout=Tout, stateful=stateful, name=name)
            return wrapper
        return decorator
    many, dtypes = _as_dtype_list(Tout)
    token = f"pyfunc_{next(_pyfunc_tokens)}"
    args = [_tensor(x).numpy() for x in list(inp)]
    try:
        result = func(*args)
    except Exception as error:  # noqa: BLE001
        raise _py_error(error, "numpy_function") from error
    if isinstance(result, bytes):
        result = [result]
    if result is None:
        values = []
    elif isinstance(result, (tuple, list)):
        values = [_numpy_result(v) for v in result]
    else:
        values = [_numpy_result(result)]
    if len(values) != len(dtypes):
        raise InvalidArgumentError(f"tf.numpy_function: {token} returns {len(values)} values, "
                                   f"but expects to see {len(dtypes)} values. [Op:PyFunc]")
    outputs = []
    for index, (value, dtype) in enumerate(zip(values, dtypes)):
        if as_dtype(value.dtype) != dtype:
            raise InvalidArgumentError(
                f"tf.numpy_function: {index}-th value returned by {token} is "
                f"{_tf_type(value.dtype)}, but expects {_tf_type(dtype.as_numpy_dtype)} "
                "[Op:PyFunc]")
        outputs.append(to_array(value))
    return outputs if many else outputs[0]


def _numpy_result(value) -> np.ndarray:
    """TensorFlow's ``FuncRegistry._convert``: numpy text becomes ``bytes`` objects."""
    value = _unvar(value)
    if isinstance(value, EagerTensor):
        value = value.numpy()
    array = np.asarray(value, order="C")
    if array.dtype.kind in "SU":
        return _natural(array)
    return array


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """``tf.function``: cannery has no graphs to trace, so the decorated function is
    called as it is (``@tf.function`` and ``@tf.function(...)`` both work; the options
    are accepted and ignored). ``.python_function`` is the original function."""
    def decorate(fun):
        @functools.wraps(fun)
        def wrapper(*args, **kwargs):
            return fun(*args, **kwargs)

        wrapper.python_function = fun
        wrapper.input_signature = input_signature
        return wrapper

    return decorate if func is None else decorate(func)


# -- tf.print --------------------------------------------------------------------------------
def print(*inputs, output_stream=None, summarize=3, sep=" ", end=os.linesep,  # noqa: A001
          name=None) -> None:
    """``tf.print``: the inputs joined by ``sep``, written to ``output_stream``
    (``sys.stderr``) with ``end``.

    Tensors are written as TensorFlow's ``PrintV2`` writes them: ``[1 2]`` (no commas;
    nested rows on new lines), at most ``summarize`` (3) entries at each end of every
    axis with ``...`` between (all with -1), floats in the fewest of 6 / 9 (float32) or
    15 / 17 (float64) significant digits that read back exactly, bools as ``1`` / ``0``
    and strings in double quotes. Other values are written with ``pprint.pformat``,
    tensors inside lists and dicts as tensors.

    Raises:
        ValueError: an ``output_stream`` other than ``sys.stdout``, ``sys.stderr``, a
            ``logging`` level or function, or a ``file://`` path.
    """
    import logging

    stream = sys.stderr if output_stream is None else output_stream
    streams = {id(sys.stdout): "stdout", id(sys.stderr): "stderr"}
    log_levels = {logging.INFO: logging.INFO, logging.WARNING: logging.WARNING,
                  logging.ERROR: logging.ERROR}
    log_functions = {logging.info: logging.INFO, logging.warning: logging.WARNING,
                     logging.error: logging.ERROR}
    if getattr(logging, "warn", None) is not None:
        log_functions[logging.warn] = logging.WARNING
    if isinstance(stream, str) and stream.startswith("file://"):
        target = ("file", stream[len("file://"):])
    elif id(stream) in streams:
        target = ("stream", stream)
    elif not isinstance(stream, bool) and isinstance(stream, int) and stream in log_levels:
        target = ("log", stream)
    elif callable(stream) and stream in log_functions:
        target = ("log", log_functions[stream])
    else:
        raise ValueError("Unsupported output stream, logging level, or file." + str(stream)
                         + ". Supported streams are sys.stdout, sys.stderr, tf.logging.info, "
                         "tf.logging.warning, tf.logging.error. File needs to be in the form "
                         "of 'file://<filepath>'.")
    summarize = int(summarize) if summarize is not None else 3
    if (len(inputs) == 1 and _is_tf_tensor(inputs[0]) and not isinstance(inputs[0], SparseTensor)
            and _tensor(inputs[0]).ndim == 0 and _tensor(inputs[0]).dtype.kind in "USO"):
        text = _as_text(_tensor(inputs[0]).numpy())
    else:
        text = _format_inputs(inputs, sep, summarize)
    if target[0] == "stream":
        target[1].write(text + end)
        target[1].flush() if hasattr(target[1], "flush") else None
    elif target[0] == "file":
        with open(target[1], "a", encoding="utf-8") as handle:
            handle.write(text + end)
    else:
        logging.getLogger("tensorflow").log(target[1], text)


def _as_text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _is_tf_tensor(x) -> bool:
    from cannery.variables import Variable

    return isinstance(x, (EagerTensor, Variable, SparseTensor))


def _format_inputs(inputs, sep: str, summarize: int) -> str:
    """tf.print's text, built as TensorFlow's ``print_v2`` builds it: each input's
    ``pprint.pformat`` with a placeholder for each tensor (a string input is its own
    template), then the placeholders replaced in turn by the tensors' text, in
    ``tf.nest.flatten`` order."""
    import pprint
    import random as _random

    from cannery import nest

    def tensor_free(x):
        return "" if _is_tf_tensor(x) else x

    sorted_inputs = [collections.OrderedDict(sorted(x.items()))
                     if isinstance(x, collections.OrderedDict) else x for x in inputs]
    free = " ".join(pprint.pformat(nest.map_structure(tensor_free, x)) for x in sorted_inputs)
    placeholder = "{}"
    rng = _random.Random(5)
    while placeholder in free:
        placeholder += str(rng.randint(0, 9))
    templates, tensors = [], []
    for value in inputs:
        holders = []
        for leaf in nest.flatten(value):
            if isinstance(leaf, SparseTensor):
                tensors += [leaf.indices, leaf.values, leaf.dense_shape]
                holders.append(f"SparseTensor(indices={placeholder}, values={placeholder}, "
                               f"shape={placeholder})")
            elif _is_tf_tensor(leaf):
                tensors.append(leaf)
                holders.append(placeholder)
            else:
                holders.append(leaf)
        if isinstance(value, str):
            templates.append(value)
        else:
            templates.append(pprint.pformat(nest.pack_sequence_as(value, holders)))
    template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out.append(summarize_tensor(tensors[index], summarize) if index < len(tensors)
                   else placeholder)
        out.append(piece)
    return "".join(out)


def summarize_tensor(value, summarize: int = 3) -> str:
    """A tensor's text as TensorFlow's ``Tensor::SummarizeValue(summarize,
    print_v2=True)`` writes it (what ``tf.print`` shows)."""
    array = np.asarray(_tensor(value))
    count = array.size
    limit = count if summarize < 0 else min(summarize, count)
    flat = array.reshape(-1)
    if array.ndim == 0:
        return _element(flat[0]) if limit else ""
    parts: list[str] = []
    _print_dim(0, array.shape, limit, flat, 0, parts)
    return "".join(parts)


def _print_dim(dim, shape, ends, flat, start, out) -> None:
    # TensorFlow's PrintOneDimV2 (tensorflow/core/framework/tensor.cc)
    if dim == len(shape):
        out.append(_element(flat[start]))
        return
    out.append("[")
    count = shape[dim]
    start_of_end = max(ends, count - ends)
    per_item = int(np.prod(shape[dim + 1:], dtype=np.int64))
    i = 0
    while i < ends and i < count:
        if i > 0:
            out.append(_dim_spacing(dim, len(shape)))
        _print_dim(dim + 1, shape, ends, flat, start + per_item * i, out)
        i += 1
    if count > 2 * ends:
        out.append(_dim_spacing(dim, len(shape)))
        out.append("...")
    for i in _builtin_range(start_of_end, count):
        out.append(_dim_spacing(dim, len(shape)))
        _print_dim(dim + 1, shape, ends, flat, start + per_item * i, out)
    out.append("]")


def _dim_spacing(dim, ndim) -> str:
    if dim == ndim - 1:
        return " "
    return "\n" * (ndim - dim - 1) + " " * (dim + 1)


def _element(value) -> str:
    """One element as TensorFlow's ``strings::StrCat`` writes it."""
    if isinstance(value, (bytes, str)):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return '"' + _c_escape(raw) + '"'
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (np.floating, float)):
        return _float_text(value)
    return str(int(value)) if isinstance(value, (np.integer, int)) else str(value)


def _float_text(value) -> str:
    # tsl FloatToBuffer / DoubleToBuffer: %.6g (%.15g) unless it does not read back
    # exactly, then %.9g (%.17g)
    if np.isnan(value):
        return "-nan" if np.signbit(value) else "nan"
    if np.isinf(value):
        return "-inf" if value < 0 else "inf"
    if isinstance(value, (np.float32, np.float16)):
        text = "%.6g" % float(value)
        if np.float32(float(text)) != np.float32(value):
            text = "%.9g" % float(value)
        return text
    text = "%.15g" % float(value)
    if float(text) != float(value):
        text = "%.17g" % float(value)
    return text


_C_ESCAPES = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\"}


def _c_escape(raw: bytes) -> str:
    """absl's ``Utf8SafeCEscape``: quotes, backslashes and control bytes escaped, bytes
    of 0x80 and above kept (runs of them decoded whole, so UTF-8 passes through)."""
    text = []
    run = bytearray()
    for byte in raw:
        if byte >= 0x80:
            run.append(byte)
            continue
        if run:
            text.append(run.decode("utf-8", "replace"))
            run.clear()
        escaped = _C_ESCAPES.get(byte)
        if escaped is None:
            escaped = "\\%03o" % byte if byte < 0x20 or byte == 0x7F else chr(byte)
        text.append(escaped)
    if run:
        text.append(run.decode("utf-8", "replace"))
    return "".join(text)
