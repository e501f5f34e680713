"""The array containers that travel between input, columns, models and optimizers.

* :class:`SparseTensor` — TensorFlow's input form (COO indices, values, dense shape).
* :class:`SparseIds` — the internal CSR form every categorical column emits.
* :class:`RowSparse` — a row-sparse gradient (TensorFlow's IndexedSlices).
"""

from __future__ import annotations

import attrs
import numpy as np

from cannery.core.eager_tensor import EagerTensor


def _int64_array(value) -> np.ndarray:
    return np.asarray(value, dtype=np.int64).view(EagerTensor)


def _values_array(value) -> np.ndarray:
    if isinstance(value, (list, tuple)):
        from cannery.math import to_array

        # as tf.convert_to_tensor makes it: ints int32, floats float32, text bytes
        return to_array(value)
    return np.asanyarray(value).view(EagerTensor)


@attrs.define(eq=False)
class SparseTensor:
    """A sparse input in TensorFlow's COO form.

    The three parts are :class:`~cannery.core.eager_tensor.EagerTensor` arrays (with
    ``.numpy()``), as TensorFlow's are eager tensors. An array of ``values`` keeps its
    dtype; a Python list gets ``tf.convert_to_tensor``'s (ints int32, floats float32,
    text ``bytes``).

    Args:
        indices: int64 ``[nnz, rank]`` coordinates, in row-major order.
        values: ``[nnz]`` values (strings, integers or floats).
        dense_shape: int64 ``[rank]``.
    """

    indices: np.ndarray = attrs.field(converter=_int64_array)
    values: np.ndarray = attrs.field(converter=_values_array)
    dense_shape: np.ndarray = attrs.field(converter=_int64_array)

    def __attrs_post_init__(self):
        if self.indices.ndim != 2:
            if self.indices.size == 0:
                self.indices = self.indices.reshape(0, len(self.dense_shape))
            else:
                raise ValueError(
                    f"SparseTensor indices must have shape [nnz, rank], got {self.indices.shape}"
                )
        if self.values.ndim != 1 or len(self.values) != len(self.indices):
            raise ValueError(
                f"SparseTensor values must have shape [{len(self.indices)}], got {self.values.shape}"
            )
        if self.indices.shape[1] != len(self.dense_shape):
            raise ValueError(
                f"SparseTensor indices have rank {self.indices.shape[1]} but dense_shape "
                f"{self.dense_shape.tolist()} has rank {len(self.dense_shape)}"
            )

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.dense_shape)

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self.indices}, values={self.values}, "
                f"dense_shape={self.dense_shape})")

    @property
    def dtype(self):
        return self.values.dtype


@attrs.define(eq=False)
class SparseIds:
    """Categorical ids of a batch in CSR form.

    Row ``r`` holds ``ids[row_splits[r]:row_splits[r + 1]]`` with the matching
    ``weights`` (``None`` means every weight is 1). Ids are int64; a negative id
    means "ignore" and is dropped by lookups.
    """

    row_splits: np.ndarray
    ids: np.ndarray
    weights: np.ndarray | None = None

    @property
    def batch_size(self) -> int:
        return len(self.row_splits) - 1

    def weights_or_ones(self) -> np.ndarray:
        if self.weights is None:
            return np.ones(len(self.ids), dtype=np.float32)
        return self.weights

    def row_ids(self) -> np.ndarray:
        """The row of every id, int64 ``[nnz]``."""
        return np.repeat(np.arange(self.batch_size, dtype=np.int64), np.diff(self.row_splits))


@attrs.define(eq=False)
class RowSparse:
    """A row-sparse gradient: ``rows[k]`` is the gradient of row ``ids[k]`` of a variable.

    Ids may repeat (their rows are summed before an update, as TensorFlow does);
    ``dense_shape`` is the shape of the whole variable.
    """

    ids: np.ndarray
    rows: np.ndarray
    dense_shape: tuple[int, ...]

    def to_dense(self) -> np.ndarray:
        dense = np.zeros(self.dense_shape, dtype=self.rows.dtype)
        np.add.at(dense, self.ids, self.rows)
        return dense
