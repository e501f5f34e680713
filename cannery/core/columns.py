"""The contract between feature columns and the models that consume them.

Every feature column is a frozen attrs class (hashable, so a batch's transforms can be
cached per column) with a ``registered_name`` (its factory name, e.g.
``"numeric_column"``) and fields equal to that factory's arguments. It is one or both
of:

* a :class:`CategoricalColumn` — emits :class:`~cannery.core.tensors.SparseIds` with
  ``num_buckets`` possible ids (hash, vocabulary, identity, weighted, crossed,
  bucketized);
* a :class:`DenseColumn` — emits a float32 ``[batch, dense_width]`` array (numeric,
  bucketized, indicator, embedding), possibly from variables of its own (an embedding
  table) that receive gradients through :meth:`DenseColumn.dense_backward`.

Models never name a concrete column class: they use only this protocol.

Batched transforms (optional). A model with many columns pays Python overhead per
column per batch; columns that can be transformed together opt in:

* :meth:`CategoricalColumn.ids_group_key` returns a hashable key; the columns of a
  model with equal keys get their ids from one call of
  :meth:`CategoricalColumn.transform_ids_group`, as one :class:`GroupIds` (e.g. every
  hash-bucket column of a batch hashed by one kernel call);
* :meth:`DenseColumn.dense_group_key` / :meth:`DenseColumn.dense_forward_group` do the
  same for dense columns without variables of their own (numeric columns);
* :meth:`DenseColumn.table_group_key` is the form for dense columns that own exactly
  one ``[rows, width]`` table (embedding columns). The model packs
  the tables of the columns with equal keys back to back into one buffer (a
  :class:`~cannery.core.optimizer.VariablePack`: the variables dict keeps each
  column's name, mapped to a view of its block) and runs, per batch,

  1. :meth:`DenseColumn.table_group_prepare` — the variable-free part (the ids of
     every column of the group), which may run on the input thread ahead of the step;
  2. :meth:`DenseColumn.table_group_forward` — every output written straight into
     its block of the model's ``[batch, D]`` input, from the packed table;
  3. :meth:`DenseColumn.table_group_backward` — one row-sparse gradient of the whole
     packed table (rows in buffer coordinates, column by column), optionally with
     duplicate rows already summed, which the optimizer applies in one call.

A group transform must give exactly what the per-column methods give (a packed
gradient, unpacked, what each column's :meth:`DenseColumn.dense_backward` gives).
Columns that do not opt in (key ``None``) keep working: models call the per-column
methods.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import attrs
import numpy as np


@attrs.frozen(kw_only=True)
class VariableSpec:
    """A variable a column owns.

    Attributes:
        name: relative name (``"embedding_weights"``), placed by the model under
            ``<model scope>/<column.name>/``; absolute when ``shared`` is true
            (``"a_b_shared_embedding"``: shared embedding tables live at the top).
        shape: the variable's shape.
        initializer: ``initializer(rng: numpy.random.Generator, shape) -> float32 array``.
        trainable: whether optimizers update it.
        shared: the name is absolute and several columns may declare the same one.
    """

    name: str
    shape: tuple[int, ...]
    initializer: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray] = attrs.field(
        eq=False
    )
    trainable: bool = True
    shared: bool = False


@attrs.define(eq=False)
class GroupIds:
    """The ids of k categorical columns over one batch, as one CSR of ``k * batch`` segments.

    Segment ``c * batch + r`` holds the ids of column ``c`` for example ``r`` (with
    matching ``weights``; ``None`` means every weight is 1). Negative ids mean
    "ignore", as in :class:`~cannery.core.tensors.SparseIds`, so a dense input's
    missing cell may be kept as id -1 instead of being removed.

    Attributes:
        row_splits: int64 ``[k * batch + 1]``.
        ids: int64 ``[nnz]``.
        weights: float32 ``[nnz]`` or ``None``.
        num_columns: k.
        batch_size: the number of examples.
    """

    row_splits: np.ndarray
    ids: np.ndarray
    weights: np.ndarray | None
    num_columns: int
    batch_size: int

    @classmethod
    def from_sparse_ids(cls, parts: list, batch_size: int) -> GroupIds:
        """Stack per-column :class:`~cannery.core.tensors.SparseIds` (in column order)."""
        if not parts:
            return cls(row_splits=np.zeros(1, np.int64), ids=np.empty(0, np.int64),
                       weights=None, num_columns=0, batch_size=int(batch_size))
        return cls.concat([cls(row_splits=np.asarray(p.row_splits, np.int64),
                               ids=np.asarray(p.ids, np.int64), weights=p.weights,
                               num_columns=1, batch_size=int(batch_size)) for p in parts])

    @classmethod
    def concat(cls, groups: list) -> GroupIds:
        """One group holding the columns of ``groups`` in order (all of one batch).

        Raises:
            ValueError: groups of different batch sizes.
        """
        if len(groups) == 1:
            return groups[0]
        batch = groups[0].batch_size
        for group in groups:
            if group.batch_size != batch:
                raise ValueError(
                    f"expected batch size {batch} for every column, received {group.batch_size}"
                )
        splits = [np.zeros(1, np.int64)]
        total = 0
        for group in groups:
            splits.append(np.asarray(group.row_splits[1:], np.int64) - group.row_splits[0] + total)
            total += int(group.row_splits[-1] - group.row_splits[0])
        ids = np.concatenate([g.ids[g.row_splits[0]:g.row_splits[-1]] for g in groups])
        weights = None
        if any(g.weights is not None for g in groups):
            weights = np.concatenate([
                np.ones(int(g.row_splits[-1] - g.row_splits[0]), np.float32)
                if g.weights is None else
                np.asarray(g.weights[g.row_splits[0]:g.row_splits[-1]], np.float32)
                for g in groups])
        return cls(row_splits=np.concatenate(splits), ids=ids.astype(np.int64, copy=False),
                   weights=weights, num_columns=sum(g.num_columns for g in groups),
                   batch_size=batch)

    def column(self, c: int):
        """Column ``c``'s ids as :class:`~cannery.core.tensors.SparseIds`."""
        from cannery.core.tensors import SparseIds

        if not 0 <= c < self.num_columns:
            raise IndexError(f"column {c} out of range for a group of {self.num_columns}")
        b = self.batch_size
        splits = self.row_splits[c * b:(c + 1) * b + 1]
        start, stop = int(splits[0]), int(splits[-1])
        return SparseIds(row_splits=splits - start, ids=self.ids[start:stop],
                         weights=None if self.weights is None else self.weights[start:stop])


class FeatureColumn:
    """Base of every feature column (mixed into attrs classes)."""

    registered_name: ClassVar[str]
    #: TensorFlow marks its v2 feature columns so (code written for TF reads it).
    _is_v2_column: ClassVar[bool] = True

    @property
    def name(self) -> str:
        raise NotImplementedError

    def parse_spec(self) -> dict[str, Any]:
        """``{raw feature key: description}`` as ``make_parse_example_spec`` returns."""
        raise NotImplementedError

    @property
    def parse_example_spec(self) -> dict[str, Any]:
        """TensorFlow's name for :meth:`parse_spec` (a property there too)."""
        return self.parse_spec()

    def variable_specs(self) -> list[VariableSpec]:
        """Variables this column owns itself (most columns own none)."""
        return []


class CategoricalColumn(FeatureColumn):
    """A column that maps raw values to integer ids in ``[0, num_buckets)``."""

    @property
    def num_buckets(self) -> int:
        raise NotImplementedError

    def transform_ids(self, cache) -> Any:
        """The batch's ids as ``SparseIds`` (negative ids mean "ignore").

        Args:
            cache: a :class:`cannery.core.features.FeatureCache` over the batch.
        """
        raise NotImplementedError

    def ids_group_key(self):
        """``None`` (the default), or a hashable key naming a batched transform.

        Columns of one model whose keys are equal are transformed together by
        :meth:`transform_ids_group` on the first of them. The key should include the
        class (only it knows how to batch its own kind).
        """
        return None

    def transform_ids_group(self, columns, cache) -> GroupIds:
        """The ids of ``columns`` (this column among them; equal group keys) at once.

        The default stacks each column's :meth:`transform_ids`. Overrides must give
        the same ids, weights and dropped cells (a dropped cell may instead be kept
        as id -1).

        Args:
            columns: the columns, in the order the result's segments follow.
            cache: the batch's :class:`~cannery.core.features.FeatureCache`.
        """
        return GroupIds.from_sparse_ids([cache.get(c) for c in columns], cache.batch_size)

    def one_row_ids_program(self, columns):
        """``None`` (the default), or ``ids(features) -> (row_splits, ids) | None``: the
        ids of ``columns`` (equal group keys, this column first) for one example.

        A served model calls the function once per single-example request, on the raw
        features dict, so it should do its own checks with as little Python as
        possible and return ``None`` (the general path then runs, raising the messages)
        for anything but the plain input it was made for. The result must equal
        :meth:`transform_ids_group` for a batch of one: ``row_splits`` int64
        ``[k + 1]``, segment ``c`` holding column ``c``'s ids (-1: a dropped cell).
        """
        return None


class DenseColumn(FeatureColumn):
    """A column with a float32 ``[batch, dense_width]`` output."""

    @property
    def dense_width(self) -> int:
        raise NotImplementedError

    @property
    def variable_shape(self) -> tuple[int, ...]:
        return (self.dense_width,)

    def dense_forward(self, cache, variables: dict[str, np.ndarray], training: bool):
        """Return ``(output, context)``.

        Args:
            cache: the batch's :class:`~cannery.core.features.FeatureCache`.
            variables: this column's variables by :attr:`VariableSpec.name`.
            training: true in TRAIN mode.

        Returns:
            ``output`` float32 ``[batch, dense_width]`` and an opaque ``context``
            handed back to :meth:`dense_backward`.
        """
        raise NotImplementedError

    def dense_backward(self, context, d_output: np.ndarray, variables: dict[str, np.ndarray]):
        """Gradients of this column's trainable variables, ``{spec name: array | RowSparse}``."""
        return {}

    def dense_group_key(self):
        """``None`` (the default), or a hashable key naming a batched dense transform.

        Only for columns without variables of their own: columns of one model with
        equal keys get their outputs from one :meth:`dense_forward_group` call.
        """
        return None

    def dense_forward_group(self, columns, cache) -> np.ndarray:
        """The outputs of ``columns`` side by side, float32 ``[batch, sum of dense_width]``.

        The default concatenates each column's :meth:`dense_forward` output; overrides
        must give the same values.

        Args:
            columns: columns without variables (equal group keys), in output order.
            cache: the batch's :class:`~cannery.core.features.FeatureCache`.
        """
        batch = cache.batch_size
        parts = [np.asarray(c.dense_forward(cache, {}, False)[0], np.float32).reshape(batch, -1)
                 for c in columns]
        if not parts:
            return np.zeros((batch, 0), np.float32)
        return np.ascontiguousarray(np.concatenate(parts, axis=1))

    def one_row_dense_program(self, columns):
        """``None`` (the default), or ``outputs(features) -> ndarray | None``: what
        :meth:`dense_forward_group` gives for one example (float32 ``[1, sum of
        dense_width]``), straight from the raw features dict; ``None`` for any input it
        was not made for (see :meth:`CategoricalColumn.one_row_ids_program`).
        """
        return None

    def table_group_key(self):
        """``None`` (the default), or a hashable key naming a batched table lookup.

        Only for columns with exactly one variable of their own, a ``[rows, width]``
        table (``width == dense_width``). Columns of one model with equal keys are
        computed together by the ``table_group_*`` methods of the first of them, over
        their tables packed back to back; the key must therefore pin down everything
        the group kernel assumes alike (the class, the table's dtype and width, the
        combiner, whether the table is trainable, ...).
        """
        return None

    def table_group_prepare(self, columns, cache) -> Any:
        """The variable-free part of the group's forward pass for one batch.

        Runs once per batch, possibly on the input thread before the step (models
        memoise it in ``cache``); the result is handed to :meth:`table_group_forward`.

        Args:
            columns: the group's columns (equal keys), in packing order.
            cache: the batch's :class:`~cannery.core.features.FeatureCache`.
        """
        raise NotImplementedError

    def table_group_forward(self, columns, prepared, table: np.ndarray,
                            row_offsets: np.ndarray, out: np.ndarray,
                            out_offsets: np.ndarray, training: bool) -> Any:
        """Write every column's output into ``out`` and return a context for backward.

        Args:
            columns: the group's columns, in packing order.
            prepared: :meth:`table_group_prepare`'s result for this batch.
            table: the packed tables ``[sum of rows, width]``; column ``c``'s table is
                ``table[row_offsets[c]:row_offsets[c + 1]]``.
            row_offsets: int64 ``[k + 1]``.
            out: the model's input ``[batch, D]``; column ``c`` writes
                ``out[:, out_offsets[c]:out_offsets[c] + width]``.
            out_offsets: int64 ``[k]``.
            training: true in TRAIN mode.

        Raises:
            ValueError: as the per-column :meth:`dense_forward` would, naming the column.
        """
        raise NotImplementedError

    def table_group_backward(self, columns, context, d_out: np.ndarray, dedup: bool):
        """The row-sparse gradient of the packed table.

        Args:
            columns: the group's columns, in packing order.
            context: :meth:`table_group_forward`'s result.
            d_out: the gradient of the model's whole input ``[batch, D]`` (column ``c``
                reads its ``out_offsets`` block).
            dedup: the caller's optimizer sums duplicate rows first (TensorFlow's rule
                for all but plain SGD), so the rows may be returned summed.

        Returns:
            ``(ids, rows, column_splits, deduplicated)``: int64 packed row ids,
            float32 ``[m, width]`` rows, int64 ``[k + 1]`` (column ``c``'s entries are
            ``column_splits[c]:column_splits[c + 1]``), and whether duplicates were
            summed (unique ids in first-occurrence order, summed in occurrence order
            from zero, exactly as the optimizer's de-duplication would).
        """
        raise NotImplementedError

    def one_row_table_program(self, columns, table: np.ndarray, row_offsets: np.ndarray,
                              out_offsets: np.ndarray):
        """``None`` (the default), or ``write(features, out) -> bool`` for a served
        model: :meth:`table_group_forward` for one example, from the raw features dict,
        over tables that never change (``table``, ``row_offsets``, ``out_offsets`` as
        there). It returns False, having written nothing that matters, for any input
        it was not made for (see :meth:`CategoricalColumn.one_row_ids_program`).
        """
        return None
