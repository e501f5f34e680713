"""Element structures and whole-column row operations.

A dataset element is a nest of dicts and tuples whose leaves are numpy arrays (or
sparse rows). Vectorised pipelines carry a *chunk*: the flat list of leaves, each
with the same number of rows, plus the :data:`Spec` that rebuilds the nest. Every row
operation below works on whole columns so nothing loops per example in Python.
"""

from __future__ import annotations

import collections

from collections.abc import Mapping
from typing import Any

import numpy as np

from cannery.core.tensors import SparseTensor

# A spec is None for a leaf, ("dict", keys, specs), ("ordered_dict", keys, specs) (an
# OrderedDict comes back as one, as TensorFlow's nests keep the mapping type) or
# ("tuple", tuple_type, specs).
Spec = Any


class SparseRows:
    """A SparseTensor addressed by its first dimension (CSR over rows).

    Row ``r`` owns entries ``row_splits[r]:row_splits[r + 1]`` of ``tail_indices``
    (the coordinates after the first) and ``values``; ``tail_shape`` is the dense
    shape without the row dimension.
    """

    __slots__ = ("row_splits", "tail_indices", "values", "tail_shape")

    def __init__(self, row_splits, tail_indices, values, tail_shape):
        self.row_splits = row_splits
        self.tail_indices = tail_indices
        self.values = values
        self.tail_shape = tuple(int(d) for d in tail_shape)

    @classmethod
    def from_sparse_tensor(cls, sparse: SparseTensor) -> SparseRows:
        if len(sparse.dense_shape) < 1:
            raise ValueError("Unbatching a SparseTensor is only supported for rank >= 1")
        rows = sparse.indices[:, 0]
        order = np.argsort(rows, kind="stable")  # tolerate indices not in row-major order
        n = int(sparse.dense_shape[0])
        counts = np.bincount(rows, minlength=n)[:n]
        row_splits = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=row_splits[1:])
        return cls(row_splits, sparse.indices[order, 1:], sparse.values[order],
                   sparse.dense_shape[1:])

    @classmethod
    def stack(cls, elements: list[SparseTensor]) -> SparseRows:
        """Batch per-example SparseTensors; the dense shape is the element-wise maximum."""
        counts = np.array([len(e.values) for e in elements], dtype=np.int64)
        row_splits = np.zeros(len(elements) + 1, dtype=np.int64)
        np.cumsum(counts, out=row_splits[1:])
        rank = len(elements[0].dense_shape)
        tail_shape = np.max(np.stack([e.dense_shape for e in elements]), axis=0)
        tail = np.concatenate([e.indices for e in elements]).reshape(-1, rank)
        values = np.concatenate([e.values for e in elements])
        return cls(row_splits, tail, values, tail_shape)

    def __len__(self) -> int:
        return len(self.row_splits) - 1

    def take(self, idx: np.ndarray) -> SparseRows:
        starts = self.row_splits[idx]
        lengths = self.row_splits[idx + 1] - starts
        new_splits = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(lengths, out=new_splits[1:])
        # position of every kept entry: its row's start plus its offset inside the row
        offsets = np.arange(new_splits[-1], dtype=np.int64) - np.repeat(new_splits[:-1], lengths)
        positions = np.repeat(starts, lengths) + offsets
        return SparseRows(new_splits, self.tail_indices[positions], self.values[positions],
                          self.tail_shape)

    def slice(self, start: int, stop: int) -> SparseRows:
        lo, hi = self.row_splits[start], self.row_splits[stop]
        return SparseRows(self.row_splits[start:stop + 1] - lo, self.tail_indices[lo:hi],
                          self.values[lo:hi], self.tail_shape)

    @staticmethod
    def concat(parts: list[SparseRows]) -> SparseRows:
        splits = [parts[0].row_splits]
        offset = parts[0].row_splits[-1]
        for part in parts[1:]:
            splits.append(part.row_splits[1:] + offset)
            offset += part.row_splits[-1]
        tail_shape = np.max(np.array([p.tail_shape for p in parts]), axis=0)
        return SparseRows(np.concatenate(splits), np.concatenate([p.tail_indices for p in parts]),
                          np.concatenate([p.values for p in parts]), tail_shape)

    def row(self, i: int) -> SparseTensor:
        lo, hi = self.row_splits[i], self.row_splits[i + 1]
        return SparseTensor(self.tail_indices[lo:hi], self.values[lo:hi],
                            np.asarray(self.tail_shape, dtype=np.int64))

    def to_sparse_tensor(self) -> SparseTensor:
        rows = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.row_splits))
        indices = np.column_stack([rows, self.tail_indices]) if self.tail_indices.size else \
            np.zeros((0, 1 + len(self.tail_shape)), dtype=np.int64)
        return SparseTensor(indices, self.values, np.asarray((len(self),) + self.tail_shape))


# ---------------------------------------------------------------------------- nests


def flatten(obj) -> tuple[Spec, list]:
    """Split a nest of dicts and tuples into its spec and its leaves (depth first)."""
    leaves: list = []
    spec = _flatten_into(obj, leaves)
    return spec, leaves


def _flatten_into(obj, leaves: list) -> Spec:
    if isinstance(obj, Mapping) and not _is_dataframe(obj):
        keys = list(obj.keys())
        kind = "ordered_dict" if isinstance(obj, collections.OrderedDict) else "dict"
        return (kind, keys, [_flatten_into(obj[k], leaves) for k in keys])
    if isinstance(obj, tuple):
        return ("tuple", type(obj), [_flatten_into(v, leaves) for v in obj])
    leaves.append(obj)
    return None


def unflatten(spec: Spec, leaves) -> Any:
    """Rebuild a nest from ``spec`` and an iterable of leaves (the inverse of :func:`flatten`)."""
    return _build(spec, iter(leaves))


def _build(spec: Spec, leaves) -> Any:
    if spec is None:
        return next(leaves)
    kind, meta, children = spec
    if kind == "dict":
        return {k: _build(c, leaves) for k, c in zip(meta, children)}
    if kind == "ordered_dict":
        return collections.OrderedDict((k, _build(c, leaves)) for k, c in zip(meta, children))
    values = [_build(c, leaves) for c in children]
    if meta is tuple:
        return tuple(values)
    if hasattr(meta, "_fields"):  # namedtuple
        return meta(*values)
    return meta(values)


def _is_dataframe(obj) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "to_numpy")


# ---------------------------------------------------------------------------- leaves


def to_array(value, *, name: str = "value") -> np.ndarray | SparseRows | SparseTensor:
    """Convert one user value to an array with TensorFlow's dtype choices for Python data.

    numpy arrays keep their dtype; Python lists become float32 / int32 / bool / object
    (strings), as ``tf.constant`` would make them; pandas and pyarrow containers are
    converted once; a ragged list of lists becomes an object array of per-row lists.
    """
    if isinstance(value, (np.ndarray, SparseTensor, SparseRows)):
        return value
    module = type(value).__module__
    if module.startswith("pyarrow"):
        return value.to_numpy(zero_copy_only=False)
    if hasattr(value, "to_numpy") and module.startswith("pandas"):
        if type(getattr(value, "dtype", None)).__name__ == "StringDtype":
            # a missing string is '' so categorical columns drop it, as for CSV input
            return value.to_numpy(dtype=object, na_value="")
        return value.to_numpy()
    if hasattr(value, "numpy") and callable(value.numpy):  # an eager TensorFlow tensor
        return np.asarray(value.numpy())
    if isinstance(value, (str, bytes)):
        return np.asarray(value, dtype=object)
    try:
        array = np.asarray(value)
    except ValueError:  # inhomogeneous: a ragged list of lists (multi-valent feature)
        array = np.empty(len(value), dtype=object)
        array[:] = [list(v) if isinstance(v, (list, tuple)) else v for v in value]
        return array
    if array.dtype.kind == "f" and array.dtype != np.float32 and not _has_numpy(value):
        array = array.astype(np.float32)
    elif array.dtype.kind == "i" and not _has_numpy(value):
        array = array.astype(np.int32)
    elif array.dtype.kind == "U":
        array = array.astype(object)
    return array


def _has_numpy(value) -> bool:
    """True when a Python container already holds numpy scalars/arrays (keep their dtype)."""
    if isinstance(value, (list, tuple)) and value:
        first = value[0]
        return isinstance(first, (np.generic, np.ndarray)) or _has_numpy(first)
    return isinstance(value, np.generic)


def slices_leaf(value, *, name: str):
    """A leaf of ``from_tensor_slices``: row-addressable, rank >= 1."""
    leaf = to_array(value, name=name)
    if isinstance(leaf, SparseTensor):
        return SparseRows.from_sparse_tensor(leaf)
    if isinstance(leaf, SparseRows):
        return leaf
    if leaf.ndim == 0:
        raise ValueError(
            f"Unbatching a tensor is only supported for rank >= 1; {name} is a scalar "
            f"({leaf!r})"
        )
    return leaf


def rows_len(leaf) -> int:
    return len(leaf)


def rows_take(leaf, idx: np.ndarray):
    if isinstance(leaf, SparseRows):
        return leaf.take(idx)
    return leaf.take(idx, axis=0)


def rows_slice(leaf, start: int, stop: int):
    if isinstance(leaf, SparseRows):
        return leaf.slice(start, stop)
    return leaf[start:stop]


def rows_concat(parts: list):
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], SparseRows):
        return SparseRows.concat(parts)
    return np.concatenate(parts)


def row(leaf, i: int):
    if isinstance(leaf, SparseRows):
        return leaf.row(i)
    return leaf[i]


def output(leaf):
    """The user-facing form of a batched leaf."""
    if isinstance(leaf, SparseRows):
        return leaf.to_sparse_tensor()
    return leaf


def stack(values: list):
    """Batch per-element leaves along a new first axis."""
    first = values[0]
    if isinstance(first, SparseTensor):
        return SparseRows.stack(values).to_sparse_tensor()
    if isinstance(first, np.ndarray) and first.dtype == object and all(
            isinstance(v, np.ndarray) and v.shape == first.shape for v in values):
        # e.g. 0-d string tensors from a map function: a flat column, as np.stack gives
        return np.stack([np.asarray(v) for v in values])
    if isinstance(first, (str, bytes, list)) or (
        isinstance(first, np.ndarray) and first.dtype == object
    ):
        if isinstance(first, list):
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out
        return np.array(values, dtype=object)
    try:
        return np.stack([np.asarray(v) for v in values])
    except ValueError as exc:
        shapes = sorted({np.shape(v) for v in values})
        raise ValueError(
            f"Cannot batch tensors with different shapes in the same component; "
            f"got shapes {shapes}"
        ) from exc


def chunk_rows(leaves: list) -> int:
    return rows_len(leaves[0]) if leaves else 0
