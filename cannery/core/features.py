"""One batch of raw features, normalised once and shared by every column that reads it.

:class:`FeatureCache` wraps the ``features`` dict an input_fn returns. Each raw value
is normalised on first access (:meth:`FeatureCache.raw`) into one of three forms:

* a numeric ``numpy.ndarray`` of rank >= 2 (``[batch, ...]``; rank 1 is expanded to
  ``[batch, 1]`` as TensorFlow does);
* a :class:`~cannery.core.strings.StringBatch` for strings (numpy ``U``/``S``/object
  arrays, lists of str/bytes, pandas string Series -- arrow-backed ones stay arrow
  buffers), whose ``shape`` is ``[batch, ...]`` likewise;
* a :class:`~cannery.core.tensors.SparseTensor` (given as such, or made from a ragged
  list of lists: a multi-valent categorical feature).

:meth:`FeatureCache.get` memoises a column's ids, so a column used twice in a model
(alone and inside a cross) is computed once per batch.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import attrs
import numpy as np

from cannery.core.dtypes import DType, as_dtype, int64, string
from cannery.core.tensors import SparseIds, SparseTensor
from cannery.errors import UnimplementedError


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


class StringToNumberError(ValueError, UnimplementedError):
    """Strings fed to a numeric column: TensorFlow's Cast fails at run time with
    ``UnimplementedError``; a ``ValueError`` too."""


@attrs.define(eq=False)
class CategoricalInput:
    """A categorical feature's raw values in CSR form, before any lookup.

    Attributes:
        values: flat values: int64 ``numpy`` array or a ``StringBatch``.
        row_splits: int64 ``[batch + 1]``; row ``r`` is ``values[row_splits[r]:row_splits[r+1]]``.
        missing: bool ``[len(values)]`` marking the cells a dense input leaves empty
            (``''`` or ``-1``), or ``None`` (a SparseTensor: nothing is dropped).
        is_sparse: whether the feature came as a SparseTensor (crosses order sparse
            inputs before dense ones).
        dtype: ``cannery.string`` or ``cannery.int64``.
    """

    values: Any
    row_splits: np.ndarray
    missing: np.ndarray | None
    is_sparse: bool
    dtype: DType

    @property
    def batch_size(self) -> int:
        return len(self.row_splits) - 1

    def to_sparse_ids(self, ids: np.ndarray, weights: np.ndarray | None = None) -> SparseIds:
        """Attach per-value ``ids`` (and weights), dropping the missing cells of a dense input."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if self.missing is None or not self.missing.any():
            return SparseIds(row_splits=self.row_splits, ids=ids, weights=weights)
        from cannery.core.kernels.columns import drop_missing

        row_splits, kept = drop_missing(self.row_splits, ids, self.missing)
        return SparseIds(
            row_splits=row_splits,
            ids=kept,
            weights=None if weights is None else weights[~self.missing],
        )

    def keep_mask(self) -> np.ndarray | None:
        return None if self.missing is None else ~self.missing


class FeatureCache:
    """The features of one batch, normalised lazily, with per-column memoisation.

    Args:
        features: ``{key: value}`` (a dict, or a pandas DataFrame) where a value is a
            numpy array (1-D or 2-D, or higher for multi-dimensional numeric
            features), a list (ragged lists of lists become a SparseTensor), a pandas
            Series, a pyarrow array or a :class:`~cannery.core.tensors.SparseTensor`.

    Raises:
        ValueError: from :meth:`raw`, naming the feature.
    """

    def __init__(self, features, batch_size: int | None = None):
        """``batch_size``: the rows every feature has, when the caller already checked it
        (each feature read is still checked against it)."""
        if not hasattr(features, "__getitem__") or not hasattr(features, "__contains__"):
            raise ValueError(
                f"features must be a dict of feature key -> values, received {type(features).__name__}"
            )
        self._features = features
        self._raw: dict[str, Any] = {}
        self._memo: dict[Any, Any] = {}
        self._batch_size: int | None = batch_size

    @property
    def features(self):
        return self._features

    def __contains__(self, key) -> bool:
        return key in self._features

    # -- raw values ---------------------------------------------------------------------
    def raw(self, key: str):
        """The normalised value of feature ``key`` (numpy array, StringBatch or SparseTensor).

        Raises:
            ValueError: ``Feature x is not in features dictionary.``, a rank-0 value
                (TensorFlow's ``Feature (key: x) cannot have rank 0. Given: ...``), or
                a value that is no supported array.
        """
        value = self._raw.get(key)
        if value is None:
            if key not in self._features:
                raise ValueError(f"Feature {key} is not in features dictionary.")
            value = normalize_feature(key, self._features[key])
            self._raw[key] = value
            batch = _batch_of(value)
            if self._batch_size is None:
                self._batch_size = batch
            elif batch != self._batch_size:
                raise ValueError(
                    f"Feature {key}: expected batch size {self._batch_size} (as the other "
                    f"features), received {batch} rows"
                )
        return value

    @property
    def batch_size(self) -> int:
        """The number of examples (rows) in the batch."""
        if self._batch_size is None:
            for key in _keys(self._features):
                self.raw(key)
                break
            else:
                raise ValueError("features dictionary is empty: cannot tell the batch size")
        return self._batch_size

    # -- memoisation -------------------------------------------------------------------
    def memo(self, key, compute: Callable[[], Any]):
        """``compute()`` once per batch for ``key`` (any hashable), then the stored result."""
        try:
            return self._memo[key]
        except KeyError:
            result = compute()
            self._memo[key] = result
            return result

    def memoized(self, key, default=None):
        """What :meth:`memo` stored for ``key``, or ``default`` (computing nothing)."""
        return self._memo.get(key, default)

    def get(self, column):
        """The column's ids (``column.transform_ids(self)``), computed once per batch."""
        return self.memo(("ids", column), lambda: column.transform_ids(self))

    # -- helpers for columns -------------------------------------------------------------
    def dense_numeric(self, key: str) -> np.ndarray:
        """Feature ``key`` as a numeric array ``[batch, ...]``.

        Raises:
            ValueError: a SparseTensor (TensorFlow's message) or string values.
        """
        value = self.raw(key)
        if isinstance(value, SparseTensor):
            raise ValueError(
                "The corresponding Tensor of numerical column must be a Tensor. "
                f"SparseTensor is not supported. key: {key}"
            )
        if not isinstance(value, np.ndarray):
            raise StringToNumberError(
                f"Feature {key}: expected a numeric array of shape [batch] or [batch, ...], "
                "received strings (cast string to float is not supported)"
            )
        return value

    def categorical(self, key: str, drop_missing: bool = True) -> CategoricalInput:
        """Feature ``key`` as CSR values for a categorical column.

        Args:
            key: the feature key.
            drop_missing: mark ``''``/``-1`` cells of a dense input as missing (a
                crossed column's raw keys keep them).

        Raises:
            ValueError: float (or bool) values, with TensorFlow's message.
        """
        return self.memo(("categorical", key, drop_missing),
                         lambda: _categorical(key, self.raw(key), drop_missing))


def _keys(features):
    keys = getattr(features, "keys", None)
    return list(keys()) if callable(keys) else list(features)


def _batch_of(value) -> int:
    if isinstance(value, SparseTensor):
        return int(value.dense_shape[0])
    return int(value.shape[0])


# --- normalisation -----------------------------------------------------------------------


def normalize_feature(key: str, value):
    """Normalise one raw feature value (see the module docstring).

    Raises:
        ValueError: rank 0, or an unsupported container, naming ``key``.
    """
    from cannery.core.strings import StringBatch, to_string_batch

    if isinstance(value, SparseTensor):
        if len(value.dense_shape) < 1:
            raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {_describe(value)}")
        return value
    if isinstance(value, StringBatch):
        return _expand(key, value)
    module = type(value).__module__
    if module.startswith("pandas"):
        return _expand(key, _from_pandas(key, value))
    if module.startswith("pyarrow"):
        return _expand(key, _from_arrow(key, value))
    if isinstance(value, (list, tuple)):
        ragged = _ragged(value)
        if ragged is not None:
            return ragged
        value = np.asarray(value) if len(value) else np.asarray(value, dtype=np.float32)
    elif not isinstance(value, np.ndarray):
        if np.isscalar(value) or getattr(value, "ndim", None) == 0:
            raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {_describe(value)}")
        numpy_method = getattr(value, "numpy", None)  # a tf.Tensor, when TensorFlow is around
        value = np.asarray(numpy_method() if callable(numpy_method) else value)
    if value.ndim == 0:
        raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {_describe(value)}")
    if value.dtype.kind in "USO":
        if value.dtype.kind == "O":
            value = _infer_object(value)
        if value.dtype.kind in "USO":
            return _expand(key, to_string_batch(value))
    return _expand(key, value)


def _expand(key, value):
    shape = tuple(value.shape)
    if len(shape) == 0:
        raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {_describe(value)}")
    if len(shape) == 1:
        if isinstance(value, np.ndarray):
            return value.reshape(shape[0], 1)
        from cannery.core.strings import StringBatch

        return StringBatch(data=value.data, offsets=value.offsets, shape=(shape[0], 1))
    return value


def _infer_object(array: np.ndarray) -> np.ndarray:
    """Object arrays of Python numbers become numeric arrays; of str/bytes stay strings."""
    flat = array.reshape(-1)
    if flat.size == 0 or isinstance(flat[0], (str, bytes)):
        return array
    try:
        converted = np.asarray(flat.tolist())
    except (ValueError, TypeError):
        return array
    if converted.dtype.kind in "iufb":
        return converted.reshape(array.shape)
    return array


def _ragged(values):
    """A SparseTensor for a ragged list of lists (rows of different lengths), else None."""
    if not values or not all(isinstance(row, (list, tuple, np.ndarray)) for row in values):
        return None
    lengths = [len(row) for row in values]
    if len(set(lengths)) == 1:
        return None
    flat = [v for row in values for v in row]
    rows = np.repeat(np.arange(len(values), dtype=np.int64), lengths)
    cols = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths])
    if flat and isinstance(flat[0], (str, bytes)):
        array = np.empty(len(flat), dtype=object)
        array[:] = flat
    else:
        array = np.asarray(flat) if flat else np.empty(0, dtype=np.int64)
    return SparseTensor(
        indices=np.stack([rows, cols], axis=1),
        values=array,
        dense_shape=[len(values), max(lengths)],
    )


def _from_pandas(key, value):
    from cannery.core.strings import to_string_batch

    if hasattr(value, "columns") and not hasattr(value, "dtype"):
        raise ValueError(
            f"Feature {key}: expected a column (Series), received a DataFrame with columns "
            f"{list(value.columns)}"
        )
    import pandas as pd

    dtype = value.dtype
    if pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        if value.hasnans:
            # A missing string is TensorFlow's "missing" value, the empty string.
            value = value.fillna("")
        return to_string_batch(value)
    if isinstance(dtype, pd.CategoricalDtype):
        return normalize_feature(key, value.astype(dtype.categories.dtype).to_numpy())
    if pd.api.types.is_integer_dtype(dtype) and value.hasnans:
        # A nullable integer column: NA is TensorFlow's missing id, -1.
        return value.to_numpy(dtype=np.int64, na_value=-1)
    if pd.api.types.is_float_dtype(dtype):
        wide = "64" in str(dtype) or "double" in str(dtype)
        return value.to_numpy(dtype=np.float64 if wide else np.float32, na_value=np.nan)
    array = value.to_numpy()
    if array.dtype.kind == "O":
        array = _infer_object(array)
    if array.dtype.kind in "USO":
        return to_string_batch(array)
    return array


def _from_arrow(key, value):
    import pyarrow as pa

    from cannery.core.strings import to_string_batch

    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if pa.types.is_list(value.type) or pa.types.is_large_list(value.type):
        return _ragged_arrow(key, value)
    try:
        return to_string_batch(value.fill_null("") if value.null_count else value)
    except TypeError:
        return value.to_numpy(zero_copy_only=False)


def _ragged_arrow(key, value):
    offsets = np.asarray(value.offsets, dtype=np.int64)
    offsets = offsets - offsets[0]
    inner = value.flatten()
    lengths = np.diff(offsets)
    rows = np.repeat(np.arange(len(value), dtype=np.int64), lengths)
    cols = np.arange(len(rows), dtype=np.int64) - np.repeat(offsets[:-1], lengths)
    values = inner.to_numpy(zero_copy_only=False)
    return SparseTensor(
        indices=np.stack([rows, cols], axis=1),
        values=values,
        dense_shape=[len(value), int(lengths.max()) if len(lengths) else 0],
    )


# --- categorical inputs -------------------------------------------------------------------


def value_dtype(value) -> DType:
    """The element type of a normalised value (``string`` for string batches).

    ``None`` for an empty float array (``[[]]`` in a list), which has no element type.
    """
    from cannery.core.strings import StringBatch

    if isinstance(value, StringBatch):
        return string
    values = value.values if isinstance(value, SparseTensor) else value
    if values.dtype.kind in "USO":
        return string
    if values.size == 0 and values.dtype.kind == "f":
        return None  # e.g. [[]]: no values, so no element type to check
    return as_dtype(values.dtype)


def _categorical(key: str, value, drop_missing: bool) -> CategoricalInput:
    from cannery.core.strings import StringBatch, to_string_batch

    dtype = value_dtype(value)
    if dtype is None:
        dtype = int64
        value = value.astype(np.int64) if isinstance(value, np.ndarray) else SparseTensor(
            indices=value.indices, values=value.values.astype(np.int64),
            dense_shape=value.dense_shape)
    if not (dtype.is_string or dtype.is_integer):
        raise ValueError(
            f"column_name: {key} input_tensor dtype must be string or integer. dtype: {dtype}."
        )
    if isinstance(value, SparseTensor):
        rows = value.indices[:, 0] if value.indices.shape[1] else np.zeros(0, np.int64)
        values = value.values
        if len(rows) > 1 and np.any(np.diff(rows) < 0):
            order = np.argsort(rows, kind="stable")
            rows, values = rows[order], values[order]
        batch = int(value.dense_shape[0])
        if len(rows) and (rows.min() < 0 or rows.max() >= batch):
            raise ValueError(
                f"Feature {key}: SparseTensor row index out of range [0, {batch})"
            )
        row_splits = np.zeros(batch + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=batch), out=row_splits[1:])
        if dtype.is_string:
            flat = to_string_batch(values if values.dtype.kind != "O" or len(values) else
                                   np.empty(0, dtype="U1"))
            flat = StringBatch(data=flat.data, offsets=flat.offsets, shape=(len(flat),))
        else:
            flat = values.astype(np.int64, copy=False)
        return CategoricalInput(values=flat, row_splits=row_splits, missing=None,
                                is_sparse=True, dtype=dtype if dtype.is_string else int64)
    batch = value.shape[0]
    width = math.prod(value.shape[1:])
    row_splits = np.arange(0, (batch + 1) * width, width, dtype=np.int64) if width else \
        np.zeros(batch + 1, dtype=np.int64)
    if isinstance(value, StringBatch):
        flat = StringBatch(data=value.data, offsets=value.offsets, shape=(len(value),))
        missing = (flat.lengths() == 0) if drop_missing else None
        return CategoricalInput(values=flat, row_splits=row_splits, missing=missing,
                                is_sparse=False, dtype=string)
    flat = np.ascontiguousarray(value).reshape(-1).astype(np.int64, copy=False)
    missing = (flat == -1) if drop_missing else None
    return CategoricalInput(values=flat, row_splits=row_splits, missing=missing,
                            is_sparse=False, dtype=int64)
