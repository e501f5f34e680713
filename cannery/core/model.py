"""The Model contract: networks with named variables and hand-written gradients.

A canned estimator's logits are the sum of one or more :class:`Network` parts (a
linear part, a DNN part, a baseline bias). Each part declares its variables under
TensorFlow's checkpoint names, computes logits in ``forward`` and the gradients of its
trainable variables in ``backward``. Networks only use the feature-column protocol of
:mod:`cannery.core.columns`; they never name a concrete column class.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import attrs
import numpy as np

from cannery.core.columns import CategoricalColumn, DenseColumn, VariableSpec


def zeros_initializer(rng: np.random.Generator, shape) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


def ones_initializer(rng: np.random.Generator, shape) -> np.ndarray:
    return np.ones(shape, dtype=np.float32)


def glorot_uniform_initializer(rng: np.random.Generator, shape) -> np.ndarray:
    """U(-L, L) with L = sqrt(6 / (fan_in + fan_out)), Keras' default kernel initializer."""
    fan_in, fan_out = shape[0], shape[-1]
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def sanitize(name: str) -> str:
    """TensorFlow's variable-scope form of a column name (``'price > 100'`` -> ``'price___100'``)."""
    return _UNSAFE.sub("_", name)


class Network:
    """One additive part of a model's logits."""

    def variable_specs(self) -> list[VariableSpec]:
        """Every variable with its absolute checkpoint name."""
        raise NotImplementedError

    def forward(self, cache, variables: dict[str, np.ndarray], training: bool):
        """Return ``(logits float32 [batch, units], context)``."""
        raise NotImplementedError

    def backward(self, context, d_logits: np.ndarray, variables: dict[str, np.ndarray]):
        """Gradients ``{variable name: ndarray | RowSparse}`` of the trainable variables."""
        raise NotImplementedError


class FrozenVariables(dict):
    """Variables that will never change again (a loaded export being served).

    A network may keep layouts derived from them in ``derived`` (say, weights cut into
    per-thread blocks), keyed by whatever it likes: with frozen values, nothing derived
    can go stale. Training mutates its variables in place, so it never gets one.
    """

    def __init__(self, variables):
        super().__init__(variables)
        self.derived: dict = {}


def column_variables(column, scope: str) -> list[tuple[str, VariableSpec]]:
    """``(absolute name, spec)`` for each variable a column owns, placed under ``scope``."""
    placed = []
    for spec in column.variable_specs():
        name = spec.name if spec.shared else f"{scope}/{sanitize(column.name)}/{spec.name}"
        placed.append((name, spec))
    return placed


def check_columns(feature_columns, accepted=(DenseColumn, CategoricalColumn), what=None):
    """Validate and sort feature columns by name, as TensorFlow does.

    Raises:
        ValueError: empty, an unsupported column, or two columns with one name.
    """
    columns = list(feature_columns or ())
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    for column in columns:
        if not isinstance(column, accepted):
            raise ValueError(
                what or "Items of feature_columns must be either a DenseColumn or "
                f"CategoricalColumn. Given: {column}")
    # TensorFlow's _normalize_feature_columns: in the given order, the later column of
    # the first repeated name is named first.
    name_to_column = {}
    for column in columns:
        if column.name in name_to_column:
            raise ValueError(
                f"Duplicate feature column name found for columns: {column} and "
                f"{name_to_column[column.name]}. This usually means that these columns refer "
                "to same base feature. Either one must be discarded or a duplicated but "
                "renamed item must be inserted in features dict.")
        name_to_column[column.name] = column
    columns.sort(key=lambda c: c.name)
    return columns


@attrs.define(eq=False)
class _ColumnSlot:
    column: Any
    weights_name: str
    own_variables: list  # (absolute name, VariableSpec)
    categorical: bool


class LinearNetwork(Network):
    """TensorFlow's ``LinearModel``: one weight matrix per column plus a bias.

    Categorical columns (bucketized included) are combined with ``sparse_combiner`` over
    their ``[num_buckets, units]`` weights and get row-sparse gradients; dense columns
    are multiplied with ``[dense_width, units]`` weights.

    The whole model runs as a few kernel calls per batch, however many columns it has:
    the categorical weights live back to back in one buffer (a
    :class:`~cannery.core.optimizer.VariablePack`; the variables dict keeps TensorFlow's
    per-column names, mapped to views), as do the weights of dense columns without
    variables of their own; columns that offer a batched transform
    (:meth:`~cannery.core.columns.CategoricalColumn.ids_group_key`) are transformed
    together; one kernel computes the logits in TensorFlow's column order and one the
    row-sparse gradient of every categorical weight. Only dense columns with variables
    of their own (an embedding column) take a per-column path.
    """

    scope = "linear/linear_model"
    #: ``backward`` accepts ``packed=True`` (the estimator runtime checks this).
    backward_packs = True

    def __init__(self, feature_columns, units: int, sparse_combiner: str = "sum"):
        from cannery.core.combiner import check_combiner

        self._combiner_code = check_combiner(sparse_combiner)
        self.units = int(units)
        self.sparse_combiner = sparse_combiner
        self.slots = []
        for column in check_columns(feature_columns):
            name = f"{self.scope}/{sanitize(column.name)}/weights"
            categorical = isinstance(column, CategoricalColumn)
            own = [] if categorical else column_variables(column, self.scope)
            self.slots.append(_ColumnSlot(column, name, own, categorical))
        self.bias_name = f"{self.scope}/bias_weights"
        self._last_packs = None
        self._build_plan()

    def _build_plan(self):
        """Group the columns and lay out the forward plan (see kernels.sparse.linear_forward)."""
        categorical = [s for s in self.slots if s.categorical]
        dense = [s for s in self.slots if not s.categorical and not s.own_variables]
        self._external = [s for s in self.slots if not s.categorical and s.own_variables]
        # Categorical groups: batched transforms first (by key), then the rest together.
        groups: dict = {}
        for slot in categorical:
            key = slot.column.ids_group_key()
            groups.setdefault(("group", key) if key is not None else ("single",), []).append(slot)
        # Memo keys are plain tokens: hashing a tuple of frozen columns every batch
        # costs more than the transforms' Python work.
        self._cat_groups = [(key, tuple(s.column for s in members), ("ids_group", object()))
                            for key, members in groups.items()]
        cat_order = [s for _, members in groups.items() for s in members]
        dense_groups: dict = {}
        for slot in dense:
            key = slot.column.dense_group_key()
            dense_groups.setdefault(("group", key) if key is not None else ("single",),
                                    []).append(slot)
        self._dense_groups = [(key, tuple(s.column for s in members), ("dense_group", object()))
                              for key, members in dense_groups.items()]
        self._group_token = ("linear_ids", object())
        self._dedup_token = ("linear_dedup", object())
        self._plan_scratch = threading.local()
        self._dense_token = ("linear_dense", object())
        dense_order = [s for _, members in dense_groups.items() for s in members]
        # The packs follow the group order, so group column c is pack variable c.
        self._cat_names = tuple(s.weights_name for s in cat_order)
        self._cat_offsets = _offsets([s.column.num_buckets for s in cat_order])
        self._cat_rows = np.array([s.column.num_buckets for s in cat_order], np.int64)
        self._cat_columns = [s.column for s in cat_order]
        self._dense_names = tuple(s.weights_name for s in dense_order)
        self._dense_offsets = _offsets([s.column.dense_width for s in dense_order])
        cat_index = {id(s): i for i, s in enumerate(cat_order)}
        dense_index = {id(s): i for i, s in enumerate(dense_order)}
        external_index = {id(s): i for i, s in enumerate(self._external)}
        plan = []
        for slot in self.slots:
            if id(slot) in cat_index:
                plan.append((0, cat_index[id(slot)], 0))
            elif id(slot) in dense_index:
                i = dense_index[id(slot)]
                plan.append((1, int(self._dense_offsets[i]), int(self._dense_offsets[i + 1])))
            else:
                plan.append((2, external_index[id(slot)], 0))
        self._plan = np.array(plan, np.int64).reshape(-1, 3)

    @property
    def columns(self) -> tuple:
        return tuple(slot.column for slot in self.slots)

    def variable_specs(self) -> list[VariableSpec]:
        specs = []
        for slot in self.slots:
            for name, spec in slot.own_variables:
                specs.append(attrs.evolve(spec, name=name, shared=True))
            rows = slot.column.num_buckets if slot.categorical else slot.column.dense_width
            specs.append(VariableSpec(name=slot.weights_name, shape=(rows, self.units),
                                      initializer=zeros_initializer))
        specs.append(VariableSpec(name=self.bias_name, shape=(self.units,),
                                  initializer=zeros_initializer))
        return specs

    # -- packing -------------------------------------------------------------------------
    def _packs(self, variables):
        """The categorical and dense weight packs, packing ``variables`` in place if needed."""
        from cannery.core.optimizer import VariablePack

        last = self._last_packs
        # The usual case: the same variables as last step (an identity check per name,
        # a fraction of what recognising the packs again costs).
        if last is not None and all(p is None or p.is_current(variables) for p in last):
            return last
        packs = []
        for names, offsets in ((self._cat_names, self._cat_offsets),
                               (self._dense_names, self._dense_offsets)):
            if not names:
                packs.append(None)
                continue
            pack = VariablePack.find(variables, names, offsets)
            packs.append(pack if pack is not None else VariablePack.pack(variables, names))
        if packs[0] is not None:
            packs[0].interleave = True  # linear_forward takes a strided table
        self._last_packs = packs
        return packs

    # -- transforms ------------------------------------------------------------------------
    def _group_ids(self, cache):
        """Every categorical column's ids as one checked GroupIds, once per batch."""
        return cache.memo(self._group_token, lambda: self._checked_group(self._group_parts(cache)))

    def _group_parts(self, cache):
        from cannery.core.columns import GroupIds

        parts = []
        for key, columns, token in self._cat_groups:
            if key[0] == "group":
                parts.append(cache.memo(token,
                                        lambda c=columns: c[0].transform_ids_group(c, cache)))
            else:
                parts.append(GroupIds.from_sparse_ids([cache.get(c) for c in columns],
                                                      cache.batch_size))
        return parts

    def _checked_group(self, parts):
        from cannery.core.columns import GroupIds
        from cannery.core.kernels.sparse import first_out_of_range_group

        group = GroupIds.concat(parts)
        column, bad = first_out_of_range_group(group.row_splits, group.ids, self._cat_rows,
                                               group.batch_size)
        if column >= 0:
            # TensorFlow fails the gather at run time with this text.
            from cannery.core.combiner import IdOutOfRangeError

            rows = int(self._cat_rows[column])
            start = int(group.row_splits[column * group.batch_size])
            raise IdOutOfRangeError(
                f"{self._cat_columns[column].name}: indices[{bad - start}] = {group.ids[bad]} "
                f"is not in [0, {rows}) (an id beyond the column's {rows} buckets)")
        return group

    def _dense_inputs(self, cache, batch):
        return cache.memo(self._dense_token, lambda: self._dense_inputs_of(cache, batch))

    def _dense_inputs_of(self, cache, batch):
        parts = []
        for key, columns, token in self._dense_groups:
            if key[0] == "group":
                parts.append(cache.memo(token,
                                        lambda c=columns: c[0].dense_forward_group(c, cache)))
            else:
                parts.append(DenseColumn.dense_forward_group(columns[0], columns, cache))
        if not parts:
            return np.zeros((batch, 0), np.float32)
        out = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        return np.ascontiguousarray(out, dtype=np.float32)

    # -- forward / backward ------------------------------------------------------------
    def prepare(self, cache, training: bool = False) -> None:
        """Compute the batch's column transforms into ``cache`` ahead of :meth:`forward`,
        and for training where the summed gradient's rows will go.

        Needs no variables, so the runtime calls it on the input thread.
        """
        batch = cache.batch_size
        if self._cat_names:
            group = self._group_ids(cache)
            if training and group.weights is None and self._combiner_code == 0:
                self._dedup_plan(cache, group)
        self._dense_inputs(cache, batch)

    def _dedup_plan(self, cache, group):
        return cache.memo(self._dedup_token, lambda: self._compute_dedup_plan(group))

    def _compute_dedup_plan(self, group):
        from cannery.core.kernels.sparse import linear_dedup_plan

        # The kernel's row -> position map, all -1 between calls; one per thread, since
        # the input thread plans the next batch while a step may plan its own.
        scratch = getattr(self._plan_scratch, "slot_of", None)
        if scratch is None:
            scratch = np.full(max(1, int(self._cat_rows.max())), -1, np.int32)
            self._plan_scratch.slot_of = scratch
        return linear_dedup_plan(group.row_splits, group.ids, self._cat_offsets[:-1],
                                 group.batch_size, scratch)

    def forward(self, cache, variables, training):
        from cannery.core.kernels.sparse import linear_forward

        batch = cache.batch_size
        cat_pack, dense_pack = self._packs(variables)
        group = self._group_ids(cache) if cat_pack is not None else None
        dense = self._dense_inputs(cache, batch)
        if group is not None and group.batch_size != batch:
            raise ValueError(f"expected batch size {batch} for every feature, received "
                             f"{group.batch_size} rows of categorical features")
        if dense.shape[0] != batch:
            raise ValueError(f"expected batch size {batch} for every feature, received "
                             f"{dense.shape[0]} rows of dense features")
        external = np.zeros((len(self._external), batch, self.units), np.float32)
        external_context = []
        for i, slot in enumerate(self._external):
            own = {spec.name: variables[name] for name, spec in slot.own_variables}
            out, column_context = slot.column.dense_forward(cache, own, training)
            out = np.asarray(out, np.float32).reshape(batch, -1)
            external[i] = out @ variables[slot.weights_name]
            external_context.append((out, column_context))
        if group is None:
            row_splits, ids, weights = np.zeros(1, np.int64), np.empty(0, np.int64), None
            table, row_offsets = np.zeros((0, self.units), np.float32), np.zeros(0, np.int64)
        else:
            row_splits, ids, weights = group.row_splits, group.ids, group.weights
            table, row_offsets = cat_pack.buffer, self._cat_offsets[:-1]
        dense_table = dense_pack.buffer if dense_pack is not None else \
            np.zeros((0, self.units), np.float32)
        has_weights = weights is not None
        logits = linear_forward(
            self._plan, row_splits, ids,
            weights if has_weights else np.empty(0, np.float32), has_weights,
            row_offsets, table, self._combiner_code, dense, dense_table, external,
            variables[self.bias_name], batch)
        context = _LinearContext(group=group, dense=dense, cat_pack=cat_pack,
                                 dense_pack=dense_pack, external=external_context,
                                 dedup_plan=cache.memoized(self._dedup_token))
        return logits, context

    def backward(self, context, d_logits, variables, packed: bool = False, dedup: bool = False):
        """Gradients of every variable.

        Args:
            context: from :meth:`forward`.
            d_logits: float32 ``[batch, units]``.
            variables: the variables given to :meth:`forward`.
            packed: give the packed weights one
                :class:`~cannery.core.optimizer.PackedRowSparse` /
                :class:`~cannery.core.optimizer.PackedDense` gradient each (keyed by
                the pack's first variable name) instead of one gradient per variable.
            dedup: the optimizer sums duplicate rows first (TensorFlow's rule for all
                but plain SGD), so the packed row-sparse gradient may come summed.

        Returns:
            ``{variable name: ndarray | RowSparse | packed gradient}``.
        """
        from cannery.core.optimizer import PackedDense, PackedRowSparse, unpack_gradients

        d_logits = np.ascontiguousarray(d_logits, dtype=np.float32)
        grads = {self.bias_name: d_logits.sum(axis=0)}
        group = context.group
        if group is not None:
            from cannery.core.kernels import sparse as kernels

            weights = group.weights
            summed = dedup and weights is None and self._combiner_code == 0
            if summed:
                plan = context.dedup_plan
                if plan is None:
                    plan = self._compute_dedup_plan(group)
                grad_ids, inverse, entry_rows, empty, column_splits = plan
                grad_rows = kernels.linear_scatter_dedup(inverse, entry_rows, empty,
                                                         grad_ids.shape[0], d_logits)
            else:
                grad_ids, grad_rows, column_splits = kernels.linear_categorical_backward(
                    group.row_splits, group.ids,
                    weights if weights is not None else np.empty(0, np.float32),
                    weights is not None, self._cat_offsets[:-1], self._combiner_code,
                    d_logits, group.batch_size)
            grads[self._cat_names[0]] = PackedRowSparse(
                pack=context.cat_pack, ids=grad_ids, rows=grad_rows, column_splits=column_splits,
                deduplicated=summed)
        if context.dense_pack is not None:
            grads[self._dense_names[0]] = PackedDense(
                pack=context.dense_pack, grad=context.dense.T @ d_logits)
        for slot, (out, column_context) in zip(self._external, context.external):
            weights = variables[slot.weights_name]
            grads[slot.weights_name] = out.T @ d_logits
            trainable = [(n, s) for n, s in slot.own_variables if s.trainable]
            if trainable:
                own = {spec.name: variables[name] for name, spec in slot.own_variables}
                column_grads = slot.column.dense_backward(column_context,
                                                          d_logits @ weights.T, own)
                for name, spec in trainable:
                    if spec.name in column_grads:
                        grads[name] = column_grads[spec.name]
        return grads if packed else unpack_gradients(grads)


@attrs.define(eq=False)
class _LinearContext:
    group: Any
    dense: np.ndarray
    cat_pack: Any
    dense_pack: Any
    external: list
    #: :func:`~cannery.core.kernels.sparse.linear_dedup_plan` of the batch when prepared.
    dedup_plan: Any = None


def _offsets(counts) -> np.ndarray:
    offsets = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


class BaselineNetwork(Network):
    """TensorFlow's baseline: one bias ``baseline/bias`` broadcast to every example."""

    bias_name = "baseline/bias"

    def __init__(self, units: int, weight_key: str | None = None):
        self.units = int(units)
        self.weight_key = weight_key

    def variable_specs(self):
        return [VariableSpec(name=self.bias_name, shape=(self.units,),
                             initializer=zeros_initializer)]

    def forward(self, cache, variables, training):
        batch = _batch_size_excluding(cache, self.weight_key)
        logits = np.broadcast_to(variables[self.bias_name], (batch, self.units)).copy()
        return logits, None

    def backward(self, context, d_logits, variables):
        return {self.bias_name: d_logits.sum(axis=0)}


def _batch_size_excluding(cache, weight_key) -> int:
    """The batch size from the first feature that is not the weight column (TensorFlow's rule)."""
    for key in cache.features:
        if key != weight_key:
            value = cache.raw(key)
            return int(value.dense_shape[0]) if hasattr(value, "dense_shape") else len(value)
    # TensorFlow fails building tf.ones([None, n]) with this TypeError.
    raise _NoBatchSizeError(
        "Expected int32, but got None of type 'NoneType'. (A baseline needs at least one "
        "feature besides the weight column to know the batch size; add a dummy feature "
        "to the features dict.)")


class _NoBatchSizeError(TypeError, ValueError):
    """TensorFlow's TypeError; a ValueError as cannery raised it before."""
