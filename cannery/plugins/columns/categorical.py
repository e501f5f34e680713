"""Hash-bucket, vocabulary, identity and weighted categorical columns (REFERENCE.md §4.4, §4.5)."""

from __future__ import annotations

import functools
import operator
import os
from typing import Any, ClassVar

import attrs
import numpy as np

from cannery.core.columns import CategoricalColumn
from cannery.core.dtypes import DType, float32, int64, string
from cannery.core.hookspecs import hookimpl
from cannery.core.tensors import SparseIds, SparseTensor
from cannery.plugins.columns._base import (
    ParseSpec,
    as_tuple,
    assert_key_is_string,
    assert_string_or_int,
    cache_field,
    check_input_dtype,
    is_int,
    join_one_row,
    one_row_values,
    plain_group_values,
    set_cached,
    to_dtype,
    to_dtype_or_none,
)


class _SingleKeyColumn(CategoricalColumn):
    """A categorical column over one raw feature whose ids line up with its values."""

    @property
    def name(self) -> str:
        return self.key

    def parse_spec(self):
        return {self.key: ParseSpec(key=self.key, dtype=self.dtype)}

    def transform_ids(self, cache) -> SparseIds:
        return cache.memo(("ids", self), lambda: self._ids(cache))

    def _ids(self, cache) -> SparseIds:
        from cannery.core.features import value_dtype

        dtype = value_dtype(cache.raw(self.key))
        if dtype is not None:
            self._check_input(dtype)
        inp = cache.categorical(self.key)
        if len(inp.values) == 0:
            return inp.to_sparse_ids(np.empty(0, dtype=np.int64))
        return inp.to_sparse_ids(self.lookup(inp.values))

    def _check_input(self, dtype: DType) -> None:
        check_input_dtype(self.key, self.dtype, dtype)

    def lookup(self, values) -> np.ndarray:
        """Ids of flat values (a StringBatch or an int64 array), before dropping any."""
        raise NotImplementedError


@attrs.frozen(kw_only=True)
class HashedCategoricalColumn(_SingleKeyColumn):
    """Ids ``Fingerprint64(value) mod hash_bucket_size`` (integers hashed as decimal strings)."""

    registered_name: ClassVar[str] = "categorical_column_with_hash_bucket"

    key: str
    hash_bucket_size: int
    dtype: DType = attrs.field(default=string, converter=to_dtype)

    def __attrs_post_init__(self):
        if self.hash_bucket_size is None:
            raise ValueError(f"hash_bucket_size must be set. key: {self.key}")
        if not is_int(self.hash_bucket_size) or self.hash_bucket_size < 1:
            raise ValueError(
                "hash_bucket_size must be at least 1. "
                f"hash_bucket_size: {self.hash_bucket_size}, key: {self.key}"
            )
        assert_key_is_string(self.key)
        assert_string_or_int(self.dtype, prefix=f"column_name: {self.key}")

    @property
    def num_buckets(self) -> int:
        return int(self.hash_bucket_size)

    def lookup(self, values) -> np.ndarray:
        from cannery.core.hashing import string_to_hash_bucket_fast

        return string_to_hash_bucket_fast(values, int(self.hash_bucket_size))

    def ids_group_key(self):
        return (HashedCategoricalColumn,) if self.dtype.is_string else None

    def transform_ids_group(self, columns, cache):
        """Every column's ids from one kernel call when all are fed dense numpy ``U`` arrays.

        A missing cell (``''``) stays in place as id -1, which lookups ignore exactly as
        they ignore a removed cell. Any other input goes through :meth:`transform_ids`.
        """
        try:
            batch = cache.batch_size
        except ValueError:  # no features at all: the per-column path names the missing key
            return super().transform_ids_group(columns, cache)
        if batch == 1:
            group = _one_row_group_ids(columns, cache)
            if group is not None:
                return group
        codes = _ucs4_views(columns, cache)
        if codes is not None:
            from cannery.core.columns import GroupIds
            from cannery.core.kernels.columns import hash_bucket_group_ucs4

            moduli, drop = _group_constants(tuple(map(_BUCKETS, columns)))
            row_splits, ids, bad = hash_bucket_group_ucs4(codes, moduli, drop, batch)
            if bad < 0:
                return GroupIds(row_splits=row_splits, ids=ids, weights=None,
                                num_columns=len(columns), batch_size=batch)
            # A code point UTF-8 cannot encode: the per-column path raises the message.
        return super().transform_ids_group(columns, cache)

    def one_row_ids_program(self, columns):
        """Hashing for a served model's single-example requests: every column fed one
        dense ``U`` string, the columns sharing one ``hash_bucket_size`` (see
        :func:`_one_row_group_ids`)."""
        columns = tuple(columns)
        if not all(c.dtype.is_string for c in columns) or not _one_modulus(columns):
            return None
        return functools.partial(_one_row_ids, columns)


_TEXT_KINDS = frozenset("U")
_IS_NATIVE = operator.attrgetter("dtype.isnative")
_DROP_ONE = np.ones(1, np.bool_)
_DROP_ONE.flags.writeable = False


def _one_modulus(columns) -> bool:
    return len({column.hash_bucket_size for column in columns}) == 1


def _one_row_group_ids(columns, cache):
    """The group's ids for one example whose k cells are dense ``U`` strings, or None.

    The k cells are stacked into one ``[k, 1, chars]`` code-point array and hashed as
    one column of k rows (the columns share one ``hash_bucket_size``): the kernel's
    segment ``r`` of that column is then segment ``c = r`` of k columns of one row,
    so the output is the same CSR as the k-column call, without passing k arrays.
    """
    if cache.batch_size != 1:
        return None
    found = _one_row_ids(columns, cache.features)
    if found is None:
        return None
    from cannery.core.columns import GroupIds

    return GroupIds(row_splits=found[0], ids=found[1], weights=None, num_columns=len(columns),
                    batch_size=1)


def _one_row_ids(columns, features):
    """``(row_splits, ids)`` of :func:`_one_row_group_ids` from the raw features, or None."""
    values = one_row_values(columns, features, _TEXT_KINDS, _one_modulus)
    if values is None:
        return None
    stacked = join_one_row(values)
    if stacked is None:  # mixed widths (numpy pads them to the widest), or non-native
        if not all(map(_IS_NATIVE, values)):
            return None  # the per-column path, as in _ucs4_views
        stacked = np.concatenate(values, axis=None)
    if stacked.dtype.itemsize == 0:
        return None
    codes = stacked.view(np.uint32)
    from cannery.core.kernels.columns import hash_bucket_group_ucs4

    k = len(values)
    row_splits, ids, bad = hash_bucket_group_ucs4(
        (codes.reshape(k, 1, -1),), _modulus_array(columns[0].hash_bucket_size), _DROP_ONE, k)
    if bad >= 0:
        return None  # a code point UTF-8 cannot encode: the general path raises
    return row_splits, ids


@functools.lru_cache(maxsize=64)
def _modulus_array(hash_bucket_size) -> np.ndarray:
    return np.array([hash_bucket_size], np.uint64)  # read by the kernel, never written


def _ucs4_views(columns, cache):
    """uint32 ``[batch, width, chars]`` views of the columns' dense numpy ``U`` inputs, or None."""
    batch = cache.batch_size
    values = plain_group_values(columns, cache.features, batch, _TEXT_KINDS, _any_columns)
    if values is not None:
        # The usual batch: 1-D U arrays, checked together; the views' numpy calls remain.
        if batch and all(d.itemsize and d.isnative for d in set(map(_DTYPE, values))):
            views = [value.reshape(batch, -1, 1).view(np.uint32) for value in values]
            return _homogeneous(views)
        return None
    features = cache.features
    views = []
    for column in columns:
        value = features[column.key] if column.key in features else None
        if (not isinstance(value, np.ndarray) or value.dtype.kind != "U" or value.ndim < 1
                or value.dtype.itemsize == 0 or not value.dtype.isnative):
            return None
        if value.shape[0] != batch or value.size == 0:
            return None
        views.append(value.reshape(batch, -1, 1).view(np.uint32))
    return _homogeneous(views)


def _homogeneous(views) -> tuple:
    # The kernel takes a homogeneous tuple: contiguous and strided views mixed are
    # made all contiguous (the rare case; columns usually all come one way).
    if len(set(map(_C_CONTIGUOUS, views))) > 1:
        views = [np.ascontiguousarray(v) for v in views]
    return tuple(views)


def _any_columns(columns) -> bool:
    return True


_DTYPE = operator.attrgetter("dtype")
_BUCKETS = operator.attrgetter("hash_bucket_size")
_C_CONTIGUOUS = operator.attrgetter("flags.c_contiguous")


@functools.lru_cache(maxsize=64)
def _group_constants(hash_bucket_sizes: tuple) -> tuple:
    """The hash kernel's per-column moduli and drop-missing flags, shared by every batch.

    The kernel only reads them. They stay writeable on purpose: a read-only array is
    another argument type to numba, so another compiled specialization.
    """
    return np.array(hash_bucket_sizes, np.uint64), np.ones(len(hash_bucket_sizes), np.bool_)


def _check_oov(key, num_oov_buckets, default_value, no_default) -> None:
    if not is_int(num_oov_buckets):
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    if num_oov_buckets:
        if default_value != no_default:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")


def _vocabulary_dtype(vocabulary) -> DType:
    from cannery.core.dtypes import as_dtype

    array = np.array(vocabulary)
    return string if array.dtype.kind in "USO" else as_dtype(array.dtype)


@attrs.frozen(kw_only=True)
class VocabularyListCategoricalColumn(_SingleKeyColumn):
    """Ids = positions in ``vocabulary_list``; other values hashed into OOV buckets or ``default_value``."""

    registered_name: ClassVar[str] = "categorical_column_with_vocabulary_list"

    key: str
    vocabulary_list: tuple = attrs.field(converter=as_tuple)
    dtype: DType | None = attrs.field(default=None, converter=to_dtype_or_none)
    default_value: int = -1
    num_oov_buckets: int = 0
    _table: Any = cache_field()

    def __attrs_post_init__(self):
        vocabulary = self.vocabulary_list
        if vocabulary is None or len(vocabulary) < 1:
            raise ValueError(
                f"vocabulary_list {vocabulary} must be non-empty, column_name: {self.key}"
            )
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError(
                f"Duplicate keys in vocabulary_list {list(vocabulary)}, column_name: {self.key}"
            )
        vocabulary_dtype = _vocabulary_dtype(vocabulary)
        _check_oov(self.key, self.num_oov_buckets, self.default_value, -1)
        assert_string_or_int(vocabulary_dtype, prefix=f"column_name: {self.key} vocabulary")
        if self.dtype is None:
            object.__setattr__(self, "dtype", int64 if vocabulary_dtype.is_integer else string)
        elif self.dtype.is_integer != vocabulary_dtype.is_integer:
            raise ValueError(
                f"dtype {self.dtype} and vocabulary dtype {vocabulary_dtype} do not match, "
                f"column_name: {self.key}"
            )
        assert_string_or_int(self.dtype, prefix=f"column_name: {self.key}")
        assert_key_is_string(self.key)

    @property
    def num_buckets(self) -> int:
        return len(self.vocabulary_list) + self.num_oov_buckets

    def table(self):
        if self._table is None:
            from cannery.core.vocabulary import VocabularyTable

            keys = self.vocabulary_list
            if self.dtype.is_integer:
                keys = np.asarray(keys, dtype=np.int64)
            set_cached(self, "_table", VocabularyTable.from_keys(keys))
        return self._table

    def lookup(self, values) -> np.ndarray:
        return self.table().lookup_with_oov(values, self.num_oov_buckets, self.default_value)


def count_vocabulary_lines(path: str) -> int:
    """The number of lines TensorFlow counts (``sum(1 for _ in open(path, 'rb'))``)."""
    with open(path, "rb") as f:
        return sum(1 for _ in f)


@attrs.frozen(kw_only=True)
class VocabularyFileCategoricalColumn(_SingleKeyColumn):
    """Ids = line numbers in ``vocabulary_file`` (lines verbatim, first ``vocabulary_size`` only)."""

    registered_name: ClassVar[str] = "categorical_column_with_vocabulary_file"

    key: str
    # "spec_asset": an export copies the file into its assets/ and serves from the copy
    vocabulary_file: str = attrs.field(metadata={"spec_asset": True})
    vocabulary_size: int | None = None
    num_oov_buckets: int = 0
    default_value: int | None = None
    dtype: DType = attrs.field(default=string, converter=to_dtype)
    file_format: str | None = None
    _table: Any = cache_field()

    def __attrs_post_init__(self):
        if not self.vocabulary_file:
            raise ValueError(f"Missing vocabulary_file in {self.key}.")
        if isinstance(self.vocabulary_file, os.PathLike):
            object.__setattr__(self, "vocabulary_file", os.fspath(self.vocabulary_file))
        if self.vocabulary_size is None:
            if not os.path.exists(self.vocabulary_file):
                raise ValueError(f"vocabulary_file in {self.key} does not exist.")
            object.__setattr__(self, "vocabulary_size",
                               count_vocabulary_lines(self.vocabulary_file))
        if not is_int(self.vocabulary_size) or self.vocabulary_size < 1:
            raise ValueError(f"Invalid vocabulary_size in {self.key}.")
        _check_oov(self.key, self.num_oov_buckets, self.default_value, None)
        assert_string_or_int(self.dtype, prefix=f"column_name: {self.key}")
        assert_key_is_string(self.key)
        if self.file_format not in (None, "text"):
            raise ValueError(
                f"Unsupported file_format {self.file_format!r} for vocabulary_file in "
                f"{self.key}: only text files are supported"
            )

    @property
    def num_buckets(self) -> int:
        return self.vocabulary_size + self.num_oov_buckets

    def table(self):
        if self._table is None:
            from cannery.core.vocabulary import VocabularyTable

            try:
                table = VocabularyTable.from_file(
                    self.vocabulary_file, self.vocabulary_size,
                    dtype="int64" if self.dtype.is_integer else "string",
                )
            except FileNotFoundError as error:
                raise ValueError(f"column {self.key}: {error}") from None
            set_cached(self, "_table", table)
        return self._table

    def lookup(self, values) -> np.ndarray:
        default = -1 if self.default_value is None else self.default_value
        return self.table().lookup_with_oov(values, self.num_oov_buckets, default)

    def __repr__(self) -> str:
        # TensorFlow's namedtuple fields, in its order; its factory stores -1 for None.
        default = -1 if self.default_value is None else self.default_value
        return (f"VocabularyFileCategoricalColumn(key={self.key!r}, "
                f"vocabulary_file={self.vocabulary_file!r}, "
                f"vocabulary_size={self.vocabulary_size!r}, "
                f"num_oov_buckets={self.num_oov_buckets!r}, dtype={self.dtype!r}, "
                f"default_value={default!r}, file_format={self.file_format!r})")


@attrs.frozen(kw_only=True)
class IdentityCategoricalColumn(_SingleKeyColumn):
    """Ids = the integer values; out-of-range values become ``default_value`` if one is given."""

    registered_name: ClassVar[str] = "categorical_column_with_identity"

    key: str
    num_buckets: int
    default_value: int | None = None

    def __attrs_post_init__(self):
        if not is_int(self.num_buckets) or self.num_buckets < 1:
            raise ValueError(f"num_buckets {self.num_buckets} < 1, column_name {self.key}")
        if self.default_value is not None and (
            self.default_value < 0 or self.default_value >= self.num_buckets
        ):
            raise ValueError(
                f"default_value {self.default_value} not in range [0, {self.num_buckets}), "
                f"column_name {self.key}"
            )
        assert_key_is_string(self.key)

    @property
    def dtype(self) -> DType:
        return int64

    @property
    def number_buckets(self) -> int:
        """TensorFlow's field name for ``num_buckets``."""
        return self.num_buckets

    def __repr__(self) -> str:
        # TensorFlow's namedtuple calls the field number_buckets.
        return (f"IdentityCategoricalColumn(key={self.key!r}, "
                f"number_buckets={self.num_buckets!r}, default_value={self.default_value!r})")

    def _check_input(self, dtype: DType) -> None:
        if not dtype.is_integer:
            raise ValueError(f"Invalid input, not integer. key: {self.key} dtype: {dtype}")

    def lookup(self, values) -> np.ndarray:
        ids = np.asarray(values, dtype=np.int64)
        if self.default_value is None:
            return ids
        out_of_range = (ids < 0) | (ids >= self.num_buckets)
        return np.where(out_of_range, np.int64(self.default_value), ids)


def _to_float_dtype(value) -> DType:
    return to_dtype(value)


@attrs.frozen(kw_only=True)
class WeightedCategoricalColumn(CategoricalColumn):
    """A categorical column whose every value carries a weight from feature ``weight_feature_key``.

    The weight of an id is the weight feature's value in the same cell (dense inputs of
    the same shape, or SparseTensors with the same indices).
    """

    registered_name: ClassVar[str] = "weighted_categorical_column"

    categorical_column: CategoricalColumn
    weight_feature_key: str
    dtype: DType = attrs.field(default=float32, converter=_to_float_dtype)

    def __attrs_post_init__(self):
        if self.dtype is None or not (self.dtype.is_integer or self.dtype.is_floating):
            raise ValueError(f"dtype {self.dtype} is not convertible to float.")
        if not isinstance(self.categorical_column, CategoricalColumn):
            raise ValueError(
                "categorical_column must be a categorical column. "
                f"Given: {self.categorical_column}"
            )
        assert_key_is_string(self.weight_feature_key)

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}"

    @property
    def num_buckets(self) -> int:
        return self.categorical_column.num_buckets

    def parse_spec(self):
        config = dict(self.categorical_column.parse_spec())
        config[self.weight_feature_key] = ParseSpec(key=self.weight_feature_key, dtype=self.dtype)
        return config

    def transform_ids(self, cache) -> SparseIds:
        return cache.memo(("ids", self), lambda: self._ids(cache))

    def _ids(self, cache) -> SparseIds:
        ids = cache.get(self.categorical_column)
        weights = self._weights(cache, ids)
        return SparseIds(row_splits=ids.row_splits, ids=ids.ids, weights=weights)

    def _weights(self, cache, ids: SparseIds) -> np.ndarray:
        from cannery.core.features import value_dtype

        key = self.weight_feature_key
        if key not in cache:
            raise ValueError(f"Feature {key} is not in features dictionary.")
        raw = cache.raw(key)
        dtype = value_dtype(raw)
        if dtype is not None and not (dtype.is_floating or dtype.is_integer):
            raise ValueError(f"Bad dtype, expected {self.dtype}, but got {dtype}.")
        base_key = getattr(self.categorical_column, "key", None)
        base = cache.raw(base_key) if isinstance(base_key, str) else None
        if base is None:
            return self._weights_without_base(raw, ids)
        inp = cache.categorical(base_key)
        keep = inp.keep_mask()
        if isinstance(raw, SparseTensor):
            if isinstance(base, SparseTensor):
                # Same indices as the ids (TensorFlow requires it): align by position.
                values = _row_sorted_values(raw)
                if len(values) != inp.row_splits[-1]:
                    raise ValueError(
                        f"weighted_categorical_column {self.name}: the weights {key} have "
                        f"{len(values)} values but the ids have {inp.row_splits[-1]}"
                    )
                return values.astype(np.float32)
            dense = np.zeros(base.shape, dtype=np.float32)
            dense[tuple(raw.indices.T)] = raw.values
            flat = dense.reshape(-1)
        elif isinstance(base, SparseTensor):
            if raw.shape[0] != base.dense_shape[0]:
                raise ValueError(f"Feature {key}: weights and ids have different batch sizes")
            indices = base.indices
            if len(indices) > 1 and np.any(np.diff(indices[:, 0]) < 0):
                indices = indices[np.argsort(indices[:, 0], kind="stable")]
            dense = raw.reshape(raw.shape[0], -1) if raw.ndim != indices.shape[1] else raw
            try:
                return np.asarray(dense[tuple(indices.T)], dtype=np.float32)
            except IndexError:
                raise ValueError(
                    f"weighted_categorical_column {self.name}: the dense weights {key} of "
                    f"shape {raw.shape} do not cover the ids' SparseTensor of shape "
                    f"{base.dense_shape.tolist()}"
                ) from None
        else:
            flat = np.asarray(raw, dtype=np.float32).reshape(-1)
        if len(flat) != inp.row_splits[-1]:
            raise ValueError(
                f"weighted_categorical_column {self.name}: the weights {key} have shape "
                f"{tuple(raw.shape)} but the ids {base_key} have shape {tuple(base.shape)}"
            )
        flat = flat.astype(np.float32, copy=False)
        return flat if keep is None else flat[keep]

    def _weights_without_base(self, raw, ids: SparseIds) -> np.ndarray:
        values = _row_sorted_values(raw) if isinstance(raw, SparseTensor) else np.asarray(raw).reshape(-1)
        if len(values) != len(ids.ids):
            raise ValueError(
                f"weighted_categorical_column {self.name}: {len(values)} weights in "
                f"{self.weight_feature_key} for {len(ids.ids)} ids"
            )
        return values.astype(np.float32)


def _row_sorted_values(sparse: SparseTensor) -> np.ndarray:
    rows = sparse.indices[:, 0]
    values = sparse.values
    if len(rows) > 1 and np.any(np.diff(rows) < 0):
        values = values[np.argsort(rows, kind="stable")]
    return np.asarray(values)


@hookimpl
def register_feature_columns(register):
    register(HashedCategoricalColumn)
    register(VocabularyListCategoricalColumn)
    register(VocabularyFileCategoricalColumn)
    register(IdentityCategoricalColumn)
    register(WeightedCategoricalColumn)
