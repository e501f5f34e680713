"""``tf.sparse``: the :class:`SparseTensor` inputs are made of, and conversions to and from
dense arrays."""

from __future__ import annotations

import numpy as np

from cannery.core.eager_tensor import as_eager
from cannery.core.tensors import SparseTensor

__all__ = ["SparseTensor", "from_dense", "to_dense"]


def from_dense(tensor) -> SparseTensor:
    """The non-zero (non-empty, for strings) elements of ``tensor`` in row-major order."""
    array = np.asarray(tensor)
    if array.dtype.kind in "USO":
        keep = array != array.dtype.type() if array.dtype.kind != "O" else np.array(
            [v not in ("", b"") for v in array.reshape(-1)]).reshape(array.shape)
    else:
        keep = array != 0
    indices = np.argwhere(keep).astype(np.int64)
    return SparseTensor(indices=indices.reshape(-1, array.ndim), values=array[keep],
                        dense_shape=np.array(array.shape, np.int64))


def to_dense(sp_input: SparseTensor, default_value=None, validate_indices=True):
    """A dense array holding ``sp_input``'s values, ``default_value`` (0 or ``b''``) elsewhere.

    Raises:
        TypeError: ``sp_input`` is not a SparseTensor.
        ValueError: an index outside ``dense_shape`` (with ``validate_indices``).
    """
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, received {type(sp_input).__name__}")
    values = np.asarray(sp_input.values)
    shape = tuple(int(d) for d in sp_input.dense_shape)
    if default_value is None:
        default_value = b"" if values.dtype.kind in "SO" else ("" if values.dtype.kind == "U"
                                                               else 0)
    dense = np.full(shape, default_value, dtype=values.dtype if values.size else
                    np.asarray(default_value).dtype)
    indices = np.asarray(sp_input.indices, np.int64).reshape(-1, len(shape))
    if validate_indices and len(indices) and (
            (indices < 0).any() or (indices >= np.array(shape)).any()):
        bad = int(np.flatnonzero(((indices < 0) | (indices >= np.array(shape))).any(1))[0])
        raise ValueError(f"indices[{bad}] = {indices[bad].tolist()} is out of bounds: need "
                         f"0 <= index < {list(shape)}")
    dense[tuple(indices.T)] = values
    return as_eager(dense)
