"""Dense views of categorical columns: embedding, shared embedding and indicator columns.

REFERENCE.md §4.6 - §4.9. An embedding column owns a ``[num_buckets, dimension]``
table (``embedding_weights``); columns made together by ``shared_embeddings`` all
declare one shared table whose name is the ``shared_embedding_collection_name`` each
of them stores, so a group round-trips through spec dicts as its members.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import attrs
import numpy as np

from cannery.core.columns import CategoricalColumn, DenseColumn, VariableSpec
from cannery.core.hookspecs import hookimpl

COMBINERS = ("mean", "sqrtn", "sum")


@attrs.frozen
class TruncatedNormal:
    """Normal(0, stddev) with values beyond 2 stddev re-drawn, as TensorFlow's truncated normal."""

    stddev: float

    def __call__(self, rng: np.random.Generator, shape) -> np.ndarray:
        values = rng.normal(0.0, self.stddev, size=shape)
        bad = np.abs(values) > 2.0 * self.stddev
        while bad.any():
            values[bad] = rng.normal(0.0, self.stddev, size=int(bad.sum()))
            bad = np.abs(values) > 2.0 * self.stddev
        return values.astype(np.float32)


@attrs.frozen
class _UserInitializer:
    """A TensorFlow-style ``initializer(shape, dtype)`` adapted to ``(rng, shape)``."""

    initializer: Callable

    def __call__(self, rng: np.random.Generator, shape) -> np.ndarray:
        try:
            values = self.initializer(tuple(shape), dtype=np.float32)
        except TypeError:
            values = self.initializer(tuple(shape))
        values = np.asarray(values, dtype=np.float32)
        if values.shape != tuple(shape):
            values = np.broadcast_to(values, tuple(shape)).copy()
        return values


def _check_common(column, label: str) -> None:
    if not isinstance(column.categorical_column, CategoricalColumn):
        raise ValueError(
            f"{label} requires a categorical column. Given: {column.categorical_column}"
        )
    if column.dimension is None or isinstance(column.dimension, bool) or \
            not isinstance(column.dimension, (int, np.integer)) or column.dimension < 1:
        raise ValueError(f"Invalid dimension {column.dimension}.")
    if (column.ckpt_to_load_from is None) != (column.tensor_name_in_ckpt is None):
        raise ValueError(
            "Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or none of them."
        )
    if column.combiner not in COMBINERS:
        raise ValueError(
            f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {column.combiner}"
        )
    if column.max_norm is not None and not column.max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {column.max_norm} ({column.name})")


class _EmbeddingBase(DenseColumn):
    @property
    def dense_width(self) -> int:
        return int(self.dimension)

    @property
    def num_buckets(self) -> int:
        return self.categorical_column.num_buckets

    def parse_spec(self):
        return self.categorical_column.parse_spec()

    def _initializer(self):
        if self.initializer is None:
            return TruncatedNormal(1.0 / float(np.sqrt(self.dimension)))
        return _UserInitializer(self.initializer)

    def _table_name(self) -> str:
        raise NotImplementedError

    def dense_forward(self, cache, variables, training):
        from cannery.core.combiner import combine

        table = variables[self._table_name()]
        ids = cache.get(self.categorical_column)
        out = combine(ids, table, self.combiner, self.max_norm, name=self.name)
        return out, (ids, table)

    def dense_backward(self, context, d_output, variables):
        from cannery.core.combiner import combine_backward

        if not self.trainable:
            return {}
        ids, table = context
        grad = combine_backward(ids, table, d_output, self.combiner, self.max_norm, name=self.name)
        return {self._table_name(): grad}


@attrs.frozen(kw_only=True)
class EmbeddingColumn(_EmbeddingBase):
    """A ``[num_buckets, dimension]`` table whose rows the ids select and ``combiner`` combines."""

    registered_name: ClassVar[str] = "embedding_column"

    categorical_column: CategoricalColumn
    dimension: int
    combiner: str = "mean"
    initializer: Callable | None = None
    ckpt_to_load_from: str | None = None
    tensor_name_in_ckpt: str | None = None
    max_norm: float | None = None
    trainable: bool = True
    use_safe_embedding_lookup: bool = True

    def __attrs_post_init__(self):
        _check_common(self, "embedding_column")
        if self.initializer is not None and not callable(self.initializer):
            raise ValueError(
                "initializer must be callable if specified. "
                f"Embedding of column_name: {self.categorical_column.name}"
            )

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_embedding"

    def _table_name(self) -> str:
        return "embedding_weights"

    def variable_specs(self) -> list[VariableSpec]:
        return [VariableSpec(name="embedding_weights",
                             shape=(self.num_buckets, int(self.dimension)),
                             initializer=self._initializer(), trainable=bool(self.trainable))]

    # -- the table-group protocol (cannery.core.columns): every embedding column of a
    # model with one dimension, combiner, max_norm and trainability in one kernel call.
    def table_group_key(self):
        return (EmbeddingColumn, int(self.dimension), self.combiner,
                None if self.max_norm is None else float(self.max_norm), bool(self.trainable))

    def table_group_prepare(self, columns, cache):
        """The ids of every column's categorical column as one GroupIds, in column order."""
        from cannery.core.columns import GroupIds

        categorical, batched = _ids_plan(columns)
        if batched is None:  # one batched transform covers every column, in order
            return categorical[0].transform_ids_group(categorical, cache)
        parts: list = [None] * len(categorical)
        for members in batched:
            group = categorical[members[0]].transform_ids_group(
                [categorical[i] for i in members], cache)
            for n, i in enumerate(members):
                parts[i] = group.column(n)
        for i, column in enumerate(categorical):
            if parts[i] is None:  # no batched transform
                parts[i] = cache.get(column)
        return GroupIds.from_sparse_ids(parts, cache.batch_size)

    def table_group_forward(self, columns, prepared, table, row_offsets, out, out_offsets,
                            training):
        from cannery.core.kernels.sparse import first_out_of_range_group, group_combine_forward

        group = prepared
        batch = out.shape[0]
        if group.batch_size != batch:
            raise ValueError(f"{columns[0].name}: expected batch size {batch} for every "
                             f"feature, received {group.batch_size} rows of ids")
        if table.dtype != np.float32:
            raise ValueError(f"{columns[0].name}: expected float32 embedding tables, received "
                             f"{table.dtype}")
        offsets, num_rows, code, clip = _lookup_constants(self, row_offsets)
        row_splits = np.ascontiguousarray(group.row_splits, dtype=np.int64)
        ids = np.ascontiguousarray(group.ids, dtype=np.int64)
        c, bad = first_out_of_range_group(row_splits, ids, num_rows, batch)
        if c >= 0:
            # combine()'s message: TensorFlow fails the gather with this text.
            from cannery.core.combiner import IdOutOfRangeError

            rows = int(num_rows[c])
            start = int(row_splits[c * batch])
            raise IdOutOfRangeError(
                f"{columns[c].name}: indices[{bad - start}] = {ids[bad]} is not in "
                f"[0, {rows}) (an id beyond the column's {rows} buckets)")
        has_weights = group.weights is not None
        if has_weights:
            weights = np.ascontiguousarray(group.weights, dtype=np.float32)
            if len(weights) != len(ids):
                raise ValueError(f"{columns[0].name}: {len(ids)} ids but {len(weights)} weights")
        else:
            weights = _NO_WEIGHTS
        group_combine_forward(row_splits, ids, weights, has_weights, table, offsets, code, clip,
                              batch, out, out_offsets)
        return (row_splits, ids, weights, has_weights, table, offsets, code, clip, batch,
                out_offsets)

    def one_row_table_program(self, columns, table, row_offsets, out_offsets):
        """A served model's single-example lookups, when one batched transform gives
        every column's ids and offers a one-row program (hashed string columns)."""
        categorical, batched = _ids_plan(columns)
        if batched is not None or table.dtype != np.float32:
            return None
        ids_of = categorical[0].one_row_ids_program(categorical)
        if ids_of is None:
            return None
        from cannery.core.kernels.sparse import first_out_of_range_group, group_combine_forward

        offsets, num_rows, code, clip = _lookup_constants(self, row_offsets)
        out_offsets = np.ascontiguousarray(out_offsets, dtype=np.int64)

        def write(features, out) -> bool:
            found = ids_of(features)
            if found is None:
                return False
            row_splits, ids = found
            # A plugin's ids beyond its table would be read unchecked by the kernel: the
            # general path raises TensorFlow's message instead.
            if first_out_of_range_group(row_splits, ids, num_rows, 1)[0] >= 0:
                return False
            group_combine_forward(row_splits, ids, _NO_WEIGHTS, False, table, offsets, code,
                                  clip, 1, out, out_offsets)
            return True

        return write

    def table_group_backward(self, columns, context, d_out, dedup):
        from cannery.core.kernels.sparse import group_combine_backward

        dedup = bool(dedup)
        grad_ids, grad_rows, column_splits = group_combine_backward(*context[:9], d_out,
                                                                    context[9], dedup)
        return grad_ids, grad_rows, column_splits, dedup


@attrs.frozen(kw_only=True)
class SharedEmbeddingColumn(_EmbeddingBase):
    """One member of a ``shared_embeddings`` group: looks up the table named
    ``shared_embedding_collection_name``, which every member declares (``shared=True``).

    Unlike TensorFlow 2.15 (where the shared table is never trained inside v2
    estimators), cannery trains it.
    """

    registered_name: ClassVar[str] = "shared_embedding_column"

    categorical_column: CategoricalColumn
    dimension: int
    shared_embedding_collection_name: str
    combiner: str = "mean"
    initializer: Callable | None = None
    ckpt_to_load_from: str | None = None
    tensor_name_in_ckpt: str | None = None
    max_norm: float | None = None
    trainable: bool = True
    use_safe_embedding_lookup: bool = True

    def __attrs_post_init__(self):
        _check_common(self, "shared_embedding_column")
        if self.initializer is not None and not callable(self.initializer):
            raise ValueError("initializer must be callable if specified.")
        if not isinstance(self.shared_embedding_collection_name, str) or \
                not self.shared_embedding_collection_name:
            raise ValueError(
                "shared_embedding_collection_name must be a non-empty string, got "
                f"{self.shared_embedding_collection_name!r}"
            )

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_shared_embedding"

    def _table_name(self) -> str:
        return self.shared_embedding_collection_name

    def variable_specs(self) -> list[VariableSpec]:
        return [VariableSpec(name=self.shared_embedding_collection_name,
                             shape=(self.num_buckets, int(self.dimension)),
                             initializer=self._initializer(), trainable=bool(self.trainable),
                             shared=True)]


@attrs.frozen(kw_only=True)
class IndicatorColumn(DenseColumn):
    """Multi-hot ``[batch, num_buckets]``: the count (or weight sum) of each id per example."""

    registered_name: ClassVar[str] = "indicator_column"

    categorical_column: CategoricalColumn

    def __attrs_post_init__(self):
        if not isinstance(self.categorical_column, CategoricalColumn):
            raise ValueError(
                "Unsupported input type. Input must be a CategoricalColumn. "
                f"Given: {self.categorical_column}"
            )

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_indicator"

    @property
    def num_buckets(self) -> int:
        return self.categorical_column.num_buckets

    @property
    def dense_width(self) -> int:
        return self.categorical_column.num_buckets

    @property
    def variable_shape(self) -> tuple[int, ...]:
        # TensorFlow's IndicatorColumn.variable_shape is [1, num_buckets].
        return (1, self.dense_width)

    def parse_spec(self):
        return self.categorical_column.parse_spec()

    def dense_forward(self, cache, variables, training) -> tuple[np.ndarray, Any]:
        from cannery.core.kernels.columns import multi_hot

        ids = cache.get(self.categorical_column)
        has_weights = ids.weights is not None
        weights = (np.ascontiguousarray(ids.weights, dtype=np.float32) if has_weights
                   else np.empty(0, np.float32))
        out = multi_hot(np.ascontiguousarray(ids.row_splits, dtype=np.int64),
                        np.ascontiguousarray(ids.ids, dtype=np.int64), weights, has_weights,
                        self.dense_width)
        return out, None


_NO_WEIGHTS = np.empty(0, np.float32)
_NO_WEIGHTS.flags.writeable = False

# Per-group constants, keyed by the identity of the objects a model passes every batch
# (hashing 26 frozen columns per batch would cost more than the lookup itself). Entries
# hold their keys, so an id is never reused while its entry lives.
_PLANS: dict = {}
_CONSTANTS: dict = {}
_MAX_ENTRIES = 256


def _ids_plan(columns):
    """``(categorical columns, batched)``: ``batched`` lists the index lists of columns
    sharing an ``ids_group_key``, or is None when one key covers every column."""
    entry = _PLANS.get(id(columns))
    if entry is None or entry[0] is not columns:
        categorical = tuple(c.categorical_column for c in columns)
        by_key: dict = {}
        for i, column in enumerate(categorical):
            key = column.ids_group_key()
            if key is not None:
                by_key.setdefault(key, []).append(i)
        batched = list(by_key.values())
        if len(batched) == 1 and len(batched[0]) == len(categorical):
            batched = None
        if len(_PLANS) >= _MAX_ENTRIES:
            _PLANS.clear()
        entry = _PLANS[id(columns)] = (columns, categorical, batched)
    return entry[1], entry[2]


def _lookup_constants(column, row_offsets):
    """``(row offsets [k], rows per column [k], combiner code, max_norm)`` for the kernels."""
    from cannery.core.combiner import check_combiner

    entry = _CONSTANTS.get(id(row_offsets))
    if entry is None or entry[0] is not row_offsets or entry[1] is not column:
        if len(_CONSTANTS) >= _MAX_ENTRIES:
            _CONSTANTS.clear()
        row_offsets_ = np.ascontiguousarray(row_offsets, dtype=np.int64)
        entry = _CONSTANTS[id(row_offsets)] = (
            row_offsets, column, row_offsets_[:-1].copy(), np.diff(row_offsets_),
            check_combiner(column.combiner),
            np.float32(-1.0 if column.max_norm is None else column.max_norm))
    return entry[2:]


@hookimpl
def register_feature_columns(register):
    register(EmbeddingColumn)
    register(SharedEmbeddingColumn)
    register(IndicatorColumn)
