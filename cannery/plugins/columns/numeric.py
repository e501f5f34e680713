"""Numeric and bucketized columns (REFERENCE.md §4.2, §4.3)."""

from __future__ import annotations

import collections.abc
import functools
import math
from typing import Any, Callable, ClassVar

import attrs
import numpy as np

from cannery.core.columns import CategoricalColumn, DenseColumn
from cannery.core.dtypes import DType, float32
from cannery.core.hookspecs import hookimpl
from cannery.core.tensors import SparseIds
from cannery.errors import InvalidArgumentError
from cannery.plugins.columns._base import (
    ParseSpec,
    as_tuple,
    assert_key_is_string,
    is_int,
    join_one_row,
    one_row_values,
    plain_group_values,
    to_dtype,
)


class FeatureShapeError(ValueError, InvalidArgumentError):
    """A dense feature whose size does not fit its column's shape.

    TensorFlow raises ValueError when the batch's shape is known as the graph is built
    (numpy or constant inputs) and InvalidArgumentError when it is not (a Dataset's or a
    parsed batch): this is both, so either ``except`` catches it.
    """


def _shape(value) -> tuple:
    if not isinstance(value, collections.abc.Iterable) or isinstance(value, str):
        value = [value]
    return tuple(v.item() if isinstance(v, np.generic) else v for v in value)


def _fill(shape: tuple, value):
    if not shape:
        return value
    return tuple(_fill(shape[1:], value) for _ in range(shape[0]))


def _shape_matches(value, shape: tuple) -> bool:
    if not shape:
        return not isinstance(value, (list, tuple))
    return (isinstance(value, (list, tuple)) and len(value) == shape[0]
            and all(_shape_matches(v, shape[1:]) for v in value))


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def check_default_value(shape: tuple, default_value, dtype: DType, key: str):
    """TensorFlow's ``fc_utils.check_default_value``: a scalar fills ``shape``."""
    if default_value is None:
        return None
    if is_int(default_value):
        return _fill(shape, int(default_value))
    if isinstance(default_value, float) and dtype.is_floating:
        return _fill(shape, default_value)
    if callable(getattr(default_value, "tolist", None)):
        default_value = default_value.tolist()
    if isinstance(default_value, (list, tuple)):
        if not _shape_matches(default_value, shape):
            raise ValueError(
                "The shape of default_value must be equal to given shape. "
                f"default_value: {default_value}, shape: {shape}, key: {key}"
            )
        flat = list(_flatten(default_value))
        if all(is_int(v) for v in flat):
            return as_tuple(default_value)
        if any(isinstance(v, float) for v in flat) and dtype.is_floating:
            return as_tuple(default_value)
    raise TypeError(
        "default_value must be compatible with dtype. "
        f"default_value: {default_value}, dtype: {dtype}, key: {key}"
    )


@attrs.frozen(kw_only=True)
class NumericColumn(DenseColumn):
    """Real-valued feature ``key`` of ``shape`` per example, fed to models as float32.

    ``default_value`` is only used when parsing examples; ``normalizer_fn`` (a callable,
    which a spec dict cannot store) is applied to the raw ``[batch, ...]`` array.
    """

    registered_name: ClassVar[str] = "numeric_column"

    key: str
    shape: tuple = attrs.field(default=(1,), converter=_shape)
    default_value: Any = attrs.field(default=None, converter=as_tuple)
    dtype: DType = attrs.field(default=float32, converter=to_dtype)
    normalizer_fn: Callable | None = None

    def __attrs_post_init__(self):
        for dimension in self.shape:
            if not is_int(dimension):
                raise TypeError(
                    f"shape dimensions must be integer. shape: {self.shape}, key: {self.key}"
                )
            if dimension < 1:
                raise ValueError(
                    "shape dimensions must be greater than 0. "
                    f"shape: {self.shape}, key: {self.key}"
                )
        if not (self.dtype.is_integer or self.dtype.is_floating):
            raise ValueError(
                f"dtype must be convertible to float. dtype: {self.dtype}, key: {self.key}"
            )
        object.__setattr__(self, "default_value",
                           check_default_value(self.shape, self.default_value, self.dtype, self.key))
        if self.normalizer_fn is not None and not callable(self.normalizer_fn):
            raise TypeError(f"normalizer_fn must be a callable. Given: {self.normalizer_fn}")
        assert_key_is_string(self.key)

    @property
    def name(self) -> str:
        return self.key

    @property
    def dense_width(self) -> int:
        return math.prod(self.shape)

    @property
    def variable_shape(self) -> tuple[int, ...]:
        return self.shape

    def parse_spec(self) -> dict[str, ParseSpec]:
        return {self.key: ParseSpec(key=self.key, dtype=self.dtype, shape=self.shape,
                                    fixed_length=True, default_value=self.default_value)}

    def values(self, cache) -> np.ndarray:
        """The float32 ``[batch, prod(shape)]`` values (normalised), once per batch."""
        return cache.memo(("numeric", self), lambda: self._values(cache))

    def _values(self, cache) -> np.ndarray:
        raw = cache.dense_numeric(self.key)
        if self.normalizer_fn is not None:
            raw = np.asarray(self.normalizer_fn(raw))
        if raw.dtype.kind not in "iufb":
            raise ValueError(
                f"Feature {self.key}: expected numeric values, received dtype {raw.dtype}"
            )
        batch = cache.batch_size
        width = self.dense_width
        if raw.size != batch * width:
            raise FeatureShapeError(
                f"Cannot reshape a tensor with {raw.size} elements to shape [{batch},{width}] "
                f"({batch * width} elements) for feature {self.key} of shape {self.shape}"
            )
        return np.ascontiguousarray(raw.reshape(batch, width), dtype=np.float32)

    def dense_forward(self, cache, variables, training):
        return self.values(cache), None

    def dense_group_key(self):
        return (NumericColumn,) if self.normalizer_fn is None else None

    def one_row_dense_program(self, columns):
        """A served model's single-example inputs: scalar columns without a
        normalizer_fn, each fed one number (see :func:`_one_row_group`)."""
        columns = tuple(columns)
        if not _all_scalar(columns) or any(c.normalizer_fn is not None for c in columns):
            return None
        return functools.partial(_one_row_group, columns)

    def dense_forward_group(self, columns, cache) -> np.ndarray:
        """The columns' float32 values side by side, straight from plain numpy inputs.

        Inputs that are not a numeric numpy array of the expected size go through
        :meth:`values` (which also raises TensorFlow's messages).
        """
        batch = cache.batch_size
        features = cache.features
        if batch == 1:
            out = _one_row_group(columns, features)
            if out is not None:
                return out
        values = plain_group_values(columns, features, batch, _NUMBER_KINDS, _all_scalar)
        if values is not None:
            # One C-level cast-and-stack, each input cast straight to float32 as the
            # slice assignments below do.
            return np.ascontiguousarray(np.array(values, dtype=np.float32).T)
        widths = [c.dense_width for c in columns]
        out = np.empty((batch, sum(widths)), np.float32)
        start = 0
        for column, width in zip(columns, widths):
            value = features[column.key] if column.key in features else None
            if (isinstance(value, np.ndarray) and value.dtype.kind in "iufb" and value.ndim >= 1
                    and value.shape[0] == batch and value.size == batch * width):
                out[:, start:start + width] = value.reshape(batch, width)
            else:
                out[:, start:start + width] = column.values(cache)
            start += width
        return out


_NUMBER_KINDS = frozenset("iufb")


def _all_scalar(columns) -> bool:
    return all(column.shape == (1,) for column in columns)


def _one_row_group(columns, features):
    """``[1, k]`` float32 when every column is scalar and fed one numeric value, else None.

    Single-example serving: one cast-and-stack call instead of k slice assignments.
    """
    values = one_row_values(columns, features, _NUMBER_KINDS, _all_scalar)
    if values is None:
        return None
    joined = join_one_row(values)
    if joined is not None and joined.dtype == np.float32:
        return joined.reshape(1, len(values))
    # Each input is cast straight to float32, as the slice assignments of the general
    # path do (no detour through a promoted dtype).
    return np.concatenate(values, axis=None, dtype=np.float32,
                          casting="unsafe").reshape(1, len(values))



def _boundaries(value) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple, np.ndarray)):
        return value
    return tuple(float(b) for b in value)


@attrs.frozen(kw_only=True)
class BucketizedColumn(CategoricalColumn, DenseColumn):
    """A numeric column cut at ``boundaries``: one-hot per element, or one id per element.

    A value equal to a boundary goes to the upper bucket and NaN to the last one.
    """

    registered_name: ClassVar[str] = "bucketized_column"

    source_column: NumericColumn
    boundaries: tuple = attrs.field(converter=_boundaries)

    def __attrs_post_init__(self):
        if not isinstance(self.source_column, NumericColumn):
            raise ValueError(
                "source_column must be a column generated with numeric_column(). "
                f"Given: {self.source_column}"
            )
        if len(self.source_column.shape) > 1:
            raise ValueError(
                f"source_column must be one-dimensional column. Given: {self.source_column}"
            )
        if not self.boundaries:
            raise ValueError("boundaries must not be empty.")
        if not isinstance(self.boundaries, tuple):
            raise ValueError("boundaries must be a sorted list.")
        for i in range(len(self.boundaries) - 1):
            if self.boundaries[i] >= self.boundaries[i + 1]:
                raise ValueError("boundaries must be a sorted list.")

    @property
    def name(self) -> str:
        return f"{self.source_column.name}_bucketized"

    @property
    def num_buckets(self) -> int:
        return (len(self.boundaries) + 1) * self.source_column.shape[0]

    @property
    def dense_width(self) -> int:
        return self.num_buckets

    @property
    def variable_shape(self) -> tuple[int, ...]:
        return (self.source_column.shape[0], len(self.boundaries) + 1)

    def parse_spec(self):
        return self.source_column.parse_spec()

    def transform_ids(self, cache) -> SparseIds:
        return cache.memo(("ids", self), lambda: self._ids(cache))

    def _ids(self, cache) -> SparseIds:
        from cannery.core.kernels.columns import bucketize_ids

        values = self.source_column.values(cache)
        # TensorFlow's Bucketize compares float32 values with float32 boundaries.
        boundaries = np.asarray(self.boundaries, dtype=np.float32)
        ids = bucketize_ids(values, boundaries)
        dim = self.source_column.shape[0]
        row_splits = np.arange(values.shape[0] + 1, dtype=np.int64) * dim
        return SparseIds(row_splits=row_splits, ids=ids)

    def dense_forward(self, cache, variables, training):
        from cannery.core.kernels.columns import multi_hot

        ids = self.transform_ids(cache)
        out = multi_hot(ids.row_splits, ids.ids, np.empty(0, np.float32), False, self.num_buckets)
        return out, None


@hookimpl
def register_feature_columns(register):
    register(NumericColumn)
    register(BucketizedColumn)
