"""The DNN part of a canned estimator (TensorFlow's ``_DNNModelV2``), with hand-written gradients.

REFERENCE.md §1.6 and §4.12::

    input  = concat(dense output of each column, columns sorted by name)   [batch, D]
    for i, units in enumerate(hidden_units):
        h = activation(h @ kernel_i + bias_i)          dnn/hiddenlayer_<i>/{kernel,bias}
        h = dropout(h)                                 TRAIN only, if dropout is not None
        h = batch_norm(h)                              if batch_norm: .../batchnorm_<i>/...
    logits = h @ logits_kernel + logits_bias           dnn/logits/{kernel,bias}

Matmuls go through numpy's BLAS; bias, activation, dropout and batch norm are numba
kernels (:mod:`cannery.core.kernels.dnn`, imported when a batch first runs). Batch
norm uses batch statistics in training (and updates its moving statistics as part of
that forward pass, as TensorFlow's train op does) and the moving statistics
otherwise. Embedding tables get row-sparse gradients from their columns.

Speed. The input layer batches its columns (see :meth:`DNNNetwork._plan_groups`):
embedding columns alike are looked up by one kernel over their tables packed back to
back (a :class:`~cannery.core.optimizer.VariablePack`; the variables dict keeps
TensorFlow's per-table names, mapped to views) and receive one packed row-sparse
gradient with duplicate rows already summed, which the optimizer applies in one
call; the variable-free transforms (string hashing, numeric inputs) run in
:meth:`DNNNetwork.prepare`, on the input thread. Inference of up to four rows skips
BLAS (:func:`cannery.core.kernels.dnn.few_rows_dense`); a served export
(:class:`~cannery.core.model.FrozenVariables`) splits each wide layer's columns over
the cores (:func:`cannery.core.kernels.dnn.few_rows_dense_split`), so that each core's
share of the weights stays in its own cache from call to call.
"""

from __future__ import annotations

import itertools
import operator
import os
import sys
import weakref
from typing import Any

import attrs
import numpy as np

from cannery.core.columns import DenseColumn, VariableSpec
from cannery.core.model import (
    Network,
    check_columns,
    column_variables,
    glorot_uniform_initializer,
    ones_initializer,
    zeros_initializer,
)

SCOPE = "dnn"
INPUT_LAYER_SCOPE = "dnn/input_from_feature_columns/input_layer"
BATCH_NORM_MOMENTUM = 0.999
BATCH_NORM_EPSILON = 0.001
#: Inference batches up to this size skip BLAS (kernels.dnn.few_rows_dense): one-row
#: serving reads only the weight rows of non-zero inputs. Measured on the CTR model's
#: layers: 131 vs 187 us for 1 row, 306 vs 598 us for 4, even at 8, BLAS ahead from 16.
FEW_ROWS = 4


def _check_hidden_units(hidden_units) -> tuple[int, ...]:
    if hidden_units is None or isinstance(hidden_units, (str, bytes)):
        raise ValueError(f"hidden_units: expected a list of positive integers, received "
                         f"{hidden_units!r}")
    try:
        units = list(hidden_units)
    except TypeError:
        raise ValueError(f"hidden_units: expected a list of positive integers, received "
                         f"{hidden_units!r}") from None
    for u in units:
        if isinstance(u, bool) or not isinstance(u, (int, np.integer)) or u <= 0:
            # Keras' Dense(units) message.
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={u!r}")
    return tuple(int(u) for u in units)


def _check_dropout(dropout) -> float | None:
    if dropout is None:
        return None
    if isinstance(dropout, (int, float, np.floating)) and not isinstance(dropout, bool) \
            and not 0 <= dropout <= 1:
        # Keras' Dropout message.
        raise ValueError(f"dropout: Invalid value {dropout} received for `rate`, expected a "
                         "value between 0 and 1.")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.floating)) \
            or not 0 <= dropout < 1:
        raise ValueError(f"dropout: expected None or a rate in [0, 1), received {dropout!r}")
    return float(dropout)


def _check_dense_columns(feature_columns) -> list:
    from cannery.core.columns import FeatureColumn

    for column in feature_columns or ():
        if not isinstance(column, FeatureColumn):
            # Keras' _normalize_feature_columns message.
            raise ValueError("Items of feature_columns must be a FeatureColumn. "
                             f"Given (type {type(column)}): {column}.")
    for column in feature_columns or ():
        if not isinstance(column, DenseColumn):
            # Keras' DenseFeatures message (expected_column_type=DenseColumn; TF names
            # the class by its repr).
            raise ValueError(
                "Items of feature_columns must be a DenseColumn. You can wrap a categorical "
                f"column with an embedding_column or indicator_column. Given: {column}")
    return check_columns(feature_columns, accepted=(DenseColumn,))


@attrs.define(eq=False)
class _InputSlot:
    column: Any
    offset: int
    width: int
    variables: list  # (absolute name, VariableSpec)
    trainable: bool


@attrs.define(eq=False)
class _TableGroup:
    """Columns computed by one ``table_group_*`` call over their packed tables."""

    columns: tuple
    names: tuple           # the tables' absolute variable names, in packing order
    out_offsets: np.ndarray  # int64 [k]: each column's block of the input layer
    trainable: bool
    token: Any             # memo key of the batch's prepared part
    row_offsets: Any = None  # int64 [k + 1] of the last pack (None: not packed yet)
    lengths: Any = None      # its rows per table, as a list
    buffer_ref: Any = None   # weakref to its buffer


@attrs.define(eq=False)
class _InputContext:
    singles: dict  # slot offset -> the column's dense_forward context
    tables: list   # (VariablePack, table_group_forward context) per table group


@attrs.define(eq=False)
class _Layer:
    index: int
    units: int
    kernel: str
    bias: str
    gamma: str | None = None
    beta: str | None = None
    moving_mean: str | None = None
    moving_variance: str | None = None


@attrs.define(eq=False)
class _LayerContext:
    inputs: np.ndarray      # the layer's input [batch, in]
    pre_activation: Any     # z = x @ W + b, kept only for activations that need it
    activation: np.ndarray  # f(z) (dropout applied in place for relu / linear)
    mask: Any               # scaled dropout mask, or None
    x_hat: Any              # batch norm's normalised input, or None
    inv_std: Any


class DNNNetwork(Network):
    """A feed-forward network over dense feature columns, TensorFlow's variable names.

    Args:
        feature_columns: dense columns (numeric, bucketized, indicator, embedding,
            shared embedding, or third-party dense columns).
        hidden_units: units of each hidden layer, e.g. ``[1024, 512, 256]``.
        logits_dimension: width of the logits (the head's ``logits_dimension``).
        activation_fn: a registered activation name, a ``cannery.nn`` activation, or
            ``None`` (linear, as Keras' ``Dense``).
        dropout: ``None`` or the probability of dropping a hidden unit (training only).
        batch_norm: batch-normalize after each hidden layer.
        seed: seeds the dropout masks (``RunConfig.tf_random_seed``).
        dtype: float32; float64 only for gradient checks in tests.

    Raises:
        ValueError: TensorFlow's messages for empty, non-dense or duplicate columns,
            invalid ``hidden_units`` or ``dropout``.
    """

    scope = SCOPE

    def __init__(self, feature_columns, hidden_units, logits_dimension: int,
                 activation_fn="relu", dropout=None, batch_norm: bool = False,
                 seed: int | None = None, dtype=np.float32):
        from cannery.core.activation import resolve_activation

        self.columns = tuple(_check_dense_columns(feature_columns))
        self.hidden_units = _check_hidden_units(hidden_units)
        self.logits_dimension = int(logits_dimension)
        self.activation = resolve_activation(activation_fn)
        self.dropout = _check_dropout(dropout)
        self.batch_norm = bool(batch_norm)
        self.dtype = np.dtype(dtype)
        self._rng = np.random.default_rng(None if seed is None else [int(seed), 0x64726f70])
        self._fused = self._fused_kind()

        self.inputs = []
        offset = 0
        for column in self.columns:
            width = int(column.dense_width)
            own = column_variables(column, INPUT_LAYER_SCOPE)
            self.inputs.append(_InputSlot(column, offset, width, own,
                                          any(spec.trainable for _, spec in own)))
            offset += width
        self.input_width = offset
        self._table_groups, self._dense_groups, self._single_slots, self._ids_groups = \
            self._plan_groups()

        self.layers = []
        for i, units in enumerate(self.hidden_units):
            prefix = f"{SCOPE}/hiddenlayer_{i}"
            layer = _Layer(i, units, f"{prefix}/kernel", f"{prefix}/bias")
            if self.batch_norm:
                bn = f"{prefix}/batchnorm_{i}"
                layer.gamma, layer.beta = f"{bn}/gamma", f"{bn}/beta"
                layer.moving_mean, layer.moving_variance = f"{bn}/moving_mean", \
                    f"{bn}/moving_variance"
            self.layers.append(layer)
        self.logits_kernel = f"{SCOPE}/logits/kernel"
        self.logits_bias = f"{SCOPE}/logits/bias"

    def _plan_groups(self):
        """Batched column transforms (the columns' group-key protocol).

        Columns owning one table with equal ``table_group_key`` (embedding columns) are
        computed by one ``table_group_*`` call each way over their tables packed back
        to back, with one packed row-sparse gradient; variable-free dense columns with
        equal ``dense_group_key`` by one ``dense_forward_group`` call; the categorical
        columns read by the remaining dense columns (``column.categorical_column``:
        indicator, shared embedding) with equal ``ids_group_key`` by one
        ``transform_ids_group`` call, whose per-column ids are stored in the batch's
        cache where ``cache.get(column)`` finds them. With 26 hash-bucket embeddings
        that is one hashing kernel and one lookup kernel instead of 26 of each.
        """
        tables: dict = {}
        rest = []
        for slot in self.inputs:
            key = slot.column.table_group_key() if len(slot.variables) == 1 else None
            if key is None:
                rest.append(slot)
            else:
                tables.setdefault(key, []).append(slot)
        table_groups = [
            _TableGroup(columns=tuple(s.column for s in members),
                        names=tuple(s.variables[0][0] for s in members),
                        out_offsets=np.array([s.offset for s in members], np.int64),
                        trainable=members[0].variables[0][1].trainable,
                        token=("dnn_table_group", object()))
            for members in tables.values()]
        dense_groups: dict = {}
        singles = []
        for slot in rest:
            key = None if slot.variables else slot.column.dense_group_key()
            if key is None:
                singles.append(slot)
            else:
                dense_groups.setdefault(key, []).append(slot)
        for key in [k for k, members in dense_groups.items() if len(members) == 1]:
            singles.extend(dense_groups.pop(key))
        singles.sort(key=lambda slot: slot.offset)
        ids_groups: dict = {}
        for slot in singles:
            categorical = getattr(slot.column, "categorical_column", None)
            key_fn = getattr(categorical, "ids_group_key", None)
            key = key_fn() if key_fn is not None else None
            if key is not None and categorical not in ids_groups.get(key, ()):
                ids_groups.setdefault(key, []).append(categorical)
        # Memo keys are plain tokens: hashing tuples of frozen columns every batch costs
        # more than the transforms' Python work.
        return (table_groups,
                [(tuple(s.column for s in members), _copy_runs(members), ("dnn_dense", object()))
                 for members in dense_groups.values()],
                singles,
                [(tuple(columns), ("dnn_ids", object()))
                 for columns in ids_groups.values() if len(columns) > 1])

    def _fused_kind(self) -> str | None:
        """Activations whose backward needs only the output run fused with the bias add."""
        from cannery import registry

        for name in ("relu", "linear"):
            if self.activation is registry.get("activation", name):
                return name
        return None

    # -- variables -----------------------------------------------------------------
    def variable_specs(self) -> list[VariableSpec]:
        specs = []
        for slot in self.inputs:
            for name, spec in slot.variables:
                specs.append(attrs.evolve(spec, name=name, shared=True))
        fan_in = self.input_width
        for layer in self.layers:
            specs.append(VariableSpec(name=layer.kernel, shape=(fan_in, layer.units),
                                      initializer=glorot_uniform_initializer))
            specs.append(VariableSpec(name=layer.bias, shape=(layer.units,),
                                      initializer=zeros_initializer))
            if self.batch_norm:
                shape = (layer.units,)
                specs += [
                    VariableSpec(name=layer.gamma, shape=shape, initializer=ones_initializer),
                    VariableSpec(name=layer.beta, shape=shape, initializer=zeros_initializer),
                    VariableSpec(name=layer.moving_mean, shape=shape,
                                 initializer=zeros_initializer, trainable=False),
                    VariableSpec(name=layer.moving_variance, shape=shape,
                                 initializer=ones_initializer, trainable=False),
                ]
            fan_in = layer.units
        specs.append(VariableSpec(name=self.logits_kernel,
                                  shape=(fan_in, self.logits_dimension),
                                  initializer=glorot_uniform_initializer))
        specs.append(VariableSpec(name=self.logits_bias, shape=(self.logits_dimension,),
                                  initializer=zeros_initializer))
        return specs

    # -- forward -------------------------------------------------------------------
    def prepare(self, cache, training: bool = False) -> None:
        """Compute the batch's variable-free column transforms into ``cache``.

        The runtime calls it on the input thread, so hashing strings and gathering
        numeric inputs for the next batch overlap this step's matmuls.
        """
        self._transform_ids(cache)
        for columns, _, token in self._dense_groups:
            self._dense_group_output(cache, columns, token)
        for group in self._table_groups:
            self._table_group_prepared(cache, group)

    def _transform_ids(self, cache) -> None:
        for columns, token in self._ids_groups:
            cache.memo(token, lambda c=columns: self._store_group_ids(cache, c))

    @staticmethod
    def _store_group_ids(cache, columns) -> bool:
        group = columns[0].transform_ids_group(columns, cache)
        for c, column in enumerate(columns):
            cache.memo(("ids", column), lambda c=c: group.column(c))
        return True

    @staticmethod
    def _dense_group_output(cache, columns, token):
        return cache.memo(token, lambda: columns[0].dense_forward_group(columns, cache))

    @staticmethod
    def _table_group_prepared(cache, group):
        return cache.memo(group.token,
                          lambda: group.columns[0].table_group_prepare(group.columns, cache))

    def _table_pack(self, group, variables):
        """The group's tables as one VariablePack, packing ``variables`` in place if needed."""
        from cannery.core.optimizer import VariablePack

        buffer = None if group.buffer_ref is None else group.buffer_ref()
        if buffer is not None:
            # VariablePack.find's test, with the row counts kept from packing time.
            views = operator.itemgetter(*group.names)(variables) if len(group.names) > 1 \
                else (variables[group.names[0]],)
            if all(map(operator.is_, map(_BASE, views), itertools.repeat(buffer))) and \
                    list(map(len, views)) == group.lengths:
                return VariablePack(names=group.names, row_offsets=group.row_offsets,
                                    buffer=buffer, views=views)
        pack = None if group.row_offsets is None else \
            VariablePack.find(variables, group.names, group.row_offsets)
        if pack is None:
            pack = VariablePack.pack(variables, group.names)
        # A weak reference: the network must not keep a state's tables alive.
        group.row_offsets = pack.row_offsets
        group.lengths = np.diff(pack.row_offsets).tolist()
        group.buffer_ref = weakref.ref(pack.buffer)
        return pack

    def input_layer(self, cache, variables, training):
        """TensorFlow's ``DenseFeatures`` output ``[batch, D]`` and the columns' contexts.

        Returns:
            ``(x, contexts)``: ``x`` of the network's dtype, and an :class:`_InputContext`
            (the contexts of the columns computed one by one, by slot offset, and a
            ``(pack, context)`` per table group).
        """
        batch = cache.batch_size
        x = np.empty((batch, self.input_width), dtype=self.dtype)
        self._transform_ids(cache)
        for columns, (width, runs), token in self._dense_groups:
            out = self._dense_group_output(cache, columns, token)
            if getattr(out, "shape", None) != (batch, width):
                raise ValueError(
                    f"feature columns {', '.join(c.name for c in columns)}: expected a grouped "
                    f"dense output of shape [{batch}, {width}], received "
                    f"{getattr(out, 'shape', type(out))}")
            for start, offset, run in runs:
                x[:, offset:offset + run] = out[:, start:start + run]
        tables = []
        derived = getattr(variables, "derived", None)
        for group in self._table_groups:
            pack = None if derived is None else derived.get(group.token)
            if pack is None:
                pack = self._table_pack(group, variables)
                if derived is not None:
                    derived[group.token] = pack
            prepared = self._table_group_prepared(cache, group)
            context = group.columns[0].table_group_forward(
                group.columns, prepared, pack.buffer, pack.row_offsets, x, group.out_offsets,
                training)
            tables.append((pack, context))
        contexts = _InputContext(singles={}, tables=tables)
        for slot in self._single_slots:
            own = {spec.name: variables[name] for name, spec in slot.variables} \
                if slot.variables else {}
            dense, context = slot.column.dense_forward(cache, own, training)
            shape = getattr(dense, "shape", None)
            if shape != (batch, slot.width):
                dense = np.asarray(dense)
                if dense.ndim < 1 or dense.shape[0] != batch or dense.size != batch * slot.width:
                    raise ValueError(
                        f"feature column {slot.column.name}: expected a dense output of shape "
                        f"[{batch}, {slot.width}], received {dense.shape}")
                dense = dense.reshape(batch, slot.width)
            x[:, slot.offset:slot.offset + slot.width] = dense
            contexts.singles[slot.offset] = context
        return x, contexts

    def forward(self, cache, variables, training):
        """Logits ``[batch, logits_dimension]``; in training also updates BN moving stats."""
        x, column_contexts = self.input_layer(cache, variables, training)
        if not training and x.shape[0] <= FEW_ROWS and self._fused is not None \
                and not self.batch_norm and self.dtype == np.float32:
            return self._few_rows_forward(x, variables, column_contexts)
        from cannery.core.kernels import dnn as k

        layer_contexts = []
        for layer in self.layers:
            h_in = x
            z = np.matmul(h_in, self._var(variables, layer.kernel))
            bias = self._var(variables, layer.bias)
            pre = None
            if self._fused == "relu":
                k.bias_relu_(z, bias)
                a = z
            elif self._fused == "linear":
                k.bias_add_(z, bias)
                a = z
            else:
                k.bias_add_(z, bias)
                pre = z
                a = self.activation.apply_(z)
            mask = None
            h = a
            if training and self.dropout:
                mask = self._dropout_mask(a.shape)
                if pre is None:
                    k.multiply_(a, mask)  # relu / linear backward never reads the unmasked a
                else:
                    h = a * mask
            x_hat = inv_std = None
            if self.batch_norm:
                if training and h is a:  # backward still reads the activation output
                    h = a.copy()
                x_hat, inv_std = self._batch_norm(layer, h, variables, training)
            layer_contexts.append(_LayerContext(h_in, pre, a, mask, x_hat, inv_std))
            x = h
        logits = np.matmul(x, self._var(variables, self.logits_kernel))
        k.bias_add_(logits, self._var(variables, self.logits_bias))
        return logits, (column_contexts, layer_contexts, x)

    def _few_rows_forward(self, x, variables, column_contexts):
        """Inference ``(logits, context)`` of a few rows, one kernel per layer (no BLAS:
        see the kernel); the context serves :meth:`backward` as the BLAS path's does."""
        from cannery.core.kernels.dnn import few_rows_dense, few_rows_dense_split

        relu = self._fused == "relu"
        blocks = self._layer_blocks(variables) if _threads_usable else [None] * len(self.layers)
        layer_contexts = []
        for layer, block in zip(self.layers, blocks):
            if block is None:
                a = few_rows_dense(x, _f32(variables[layer.kernel]),
                                   _f32(variables[layer.bias]), relu)
            else:
                a = few_rows_dense_split(x, *block, relu)
            layer_contexts.append(_LayerContext(x, None, a, None, None, None))
            x = a
        logits = few_rows_dense(x, _f32(variables[self.logits_kernel]),
                                _f32(variables[self.logits_bias]), False)
        return logits, (column_contexts, layer_contexts, x)

    def one_row_program(self, variables):
        """``logits(features) -> ndarray | None`` for a served export's single-example
        requests, or None when the network or a column group cannot offer one.

        The same kernels as :meth:`forward` on a batch of one, called straight from
        the raw features dict: the columns' one-row programs (the column protocol's
        ``one_row_*_program`` methods) write the input row, then the few-row layer
        kernels run, without the batch cache, memoisation and backward contexts that
        cost more than the lookups themselves for one example. The function returns
        None for any input a column program declines (the caller then takes
        :meth:`forward`, which raises the messages).

        Only for :class:`~cannery.core.model.FrozenVariables`, which it keeps
        derived layouts of.
        """
        derived = getattr(variables, "derived", None)
        if derived is None or self.batch_norm or self._fused is None \
                or self.dtype != np.float32 or self._single_slots or self._ids_groups:
            return None
        key = (self.logits_kernel, "one_row_program")
        if key in derived:
            return derived[key]
        program = derived[key] = self._make_one_row_program(variables)
        return program

    def _make_one_row_program(self, variables):
        from cannery.core.kernels.dnn import few_rows_dense, few_rows_dense_split

        dense_parts = []
        for columns, (_, runs), _ in self._dense_groups:
            outputs = columns[0].one_row_dense_program(columns)
            if outputs is None:
                return None
            dense_parts.append((outputs, tuple(runs)))
        table_parts = []
        for group in self._table_groups:
            pack = variables.derived.get(group.token)  # as input_layer keeps it
            if pack is None:
                pack = variables.derived[group.token] = self._table_pack(group, variables)
            write = group.columns[0].one_row_table_program(
                group.columns, pack.buffer, pack.row_offsets, group.out_offsets)
            if write is None:
                return None
            table_parts.append(write)
        relu = self._fused == "relu"
        weights = [(_f32(variables[layer.kernel]), _f32(variables[layer.bias]))
                   for layer in self.layers]
        blocks = self._layer_blocks(variables) if _threads_usable else [None] * len(weights)
        logits_kernel = _f32(variables[self.logits_kernel])
        logits_bias = _f32(variables[self.logits_bias])
        width = self.input_width

        def logits(features):
            x = np.empty((1, width), np.float32)
            for outputs, runs in dense_parts:
                out = outputs(features)
                if out is None:
                    return None
                for start, offset, run in runs:
                    x[:, offset:offset + run] = out[:, start:start + run]
            for write in table_parts:
                if not write(features, x):
                    return None
            split = _threads_usable  # False in a forked child: no parallel kernels there
            for (kernel, bias), block in zip(weights, blocks):
                x = few_rows_dense_split(x, *block, relu) if split and block is not None \
                    else few_rows_dense(x, kernel, bias, relu)
            return few_rows_dense(x, logits_kernel, logits_bias, False)

        return logits

    def _layer_blocks(self, variables) -> list:
        """Per hidden layer, its weights cut into per-thread column blocks, or None.

        Only for :class:`~cannery.core.model.FrozenVariables` (a served export), where the
        blocks are made once and kept; variables that training updates in place would
        leave copies stale.
        """
        derived = getattr(variables, "derived", None)
        if derived is None:
            return [None] * len(self.layers)
        key = (self.logits_kernel, "column_blocks")
        blocks = derived.get(key)
        if blocks is None:
            from cannery.core.kernels.dnn import split_columns

            threads = _serving_threads()
            blocks = []
            for layer in self.layers:
                widths = _block_widths(layer.units, threads)
                blocks.append(None if len(widths) < 2 else split_columns(
                    _f32(variables[layer.kernel]), _f32(variables[layer.bias]), widths))
            derived[key] = blocks
        return blocks

    def _var(self, variables, name) -> np.ndarray:
        value = variables[name]
        if value.dtype != self.dtype:
            value = value.astype(self.dtype)
        return value

    def _dropout_mask(self, shape) -> np.ndarray:
        from cannery.core.kernels import dnn as k

        rate = self.dropout
        uniform = self._rng.random(shape, dtype=np.float32)
        mask = np.empty(shape, dtype=self.dtype)
        k.dropout_mask(uniform, np.float32(rate), self.dtype.type(1.0 / (1.0 - rate)), mask)
        return mask

    def _batch_norm(self, layer, h, variables, training):
        """Normalise ``h`` in place.

        Returns ``(x_hat, inv_std)`` in training (for backward), else ``(None, None)``.
        """
        from cannery.core.kernels import dnn as k

        units = layer.units
        gamma = self._var(variables, layer.gamma)
        beta = self._var(variables, layer.beta)
        inv_std = np.empty(units, dtype=self.dtype)
        scale = np.empty(units, dtype=self.dtype)
        offset = np.empty(units, dtype=self.dtype)
        eps = self.dtype.type(BATCH_NORM_EPSILON)
        if not training:
            k.batch_norm_scale_offset(self._var(variables, layer.moving_mean),
                                      self._var(variables, layer.moving_variance),
                                      gamma, beta, eps, inv_std, scale, offset)
            k.affine_(h, scale, offset)
            return None, None
        mean = np.empty(units, dtype=self.dtype)
        variance = np.empty(units, dtype=self.dtype)
        k.batch_moments(h, mean, variance)
        k.batch_norm_scale_offset(mean, variance, gamma, beta, eps, inv_std, scale, offset)
        x_hat = np.empty_like(h)
        k.batch_norm_train_(h, mean, inv_std, scale, offset, x_hat)
        if h.shape[0] > 0:  # Keras skips the moving-average update for an empty batch
            decay = np.float32(1.0 - BATCH_NORM_MOMENTUM)
            for name, value in ((layer.moving_mean, mean), (layer.moving_variance, variance)):
                moving = variables[name]
                k.moving_average_(moving, value.astype(moving.dtype), moving.dtype.type(decay))
        return x_hat, inv_std

    # -- backward ------------------------------------------------------------------
    #: ``backward`` accepts ``packed=True`` (the estimator runtime checks this).
    backward_packs = True

    def backward(self, context, d_logits, variables, packed: bool = False, dedup: bool = False):
        """Gradients of every trainable variable (row-sparse for embedding tables).

        Args:
            context: from :meth:`forward`.
            d_logits: ``[batch, logits_dimension]``.
            variables: the variables given to :meth:`forward`.
            packed: give each table group's tables one
                :class:`~cannery.core.optimizer.PackedRowSparse` gradient (keyed by
                the pack's first variable name) instead of one per table.
            dedup: the optimizer sums duplicate rows first (every built-in but plain
                SGD), so a packed gradient may come with its duplicates summed.

        Returns:
            ``{variable name: ndarray | RowSparse | packed gradient}``.
        """
        from cannery.core.kernels import dnn as k

        column_contexts, layer_contexts, last = context
        d_logits = np.ascontiguousarray(d_logits, dtype=self.dtype)
        grads = {self.logits_kernel: np.matmul(last.T, d_logits)}
        d_bias = np.empty(self.logits_dimension, dtype=self.dtype)
        k.column_sums(d_logits, d_bias)
        grads[self.logits_bias] = d_bias
        need_input_grad = any(slot.trainable for slot in self.inputs)
        dx = np.matmul(d_logits, self._var(variables, self.logits_kernel).T)
        for layer, ctx in zip(reversed(self.layers), reversed(layer_contexts)):
            dh = dx
            if self.batch_norm:
                d_gamma = np.empty(layer.units, dtype=self.dtype)
                d_beta = np.empty(layer.units, dtype=self.dtype)
                k.batch_norm_backward_(dh, ctx.x_hat, self._var(variables, layer.gamma),
                                       ctx.inv_std, d_gamma, d_beta)
                grads[layer.gamma] = d_gamma
                grads[layer.beta] = d_beta
            if ctx.mask is not None:
                k.multiply_(dh, ctx.mask)
            d_bias = np.empty(layer.units, dtype=self.dtype)
            if self._fused == "relu":
                k.relu_backward_(ctx.activation, dh, d_bias)
            else:
                if self._fused is None:
                    self.activation.gradient(ctx.pre_activation, ctx.activation, dh, out=dh)
                k.column_sums(dh, d_bias)
            grads[layer.bias] = d_bias
            grads[layer.kernel] = np.matmul(ctx.inputs.T, dh)
            if layer.index > 0 or need_input_grad:
                dx = np.matmul(dh, self._var(variables, layer.kernel).T)
        if need_input_grad:
            self._input_backward(column_contexts, dx, variables, grads, packed, dedup)
        return grads

    def _input_backward(self, column_contexts, d_input, variables, grads, packed, dedup):
        from cannery.core.optimizer import PackedRowSparse

        for group, (pack, context) in zip(self._table_groups, column_contexts.tables):
            if not group.trainable:
                continue
            ids, rows, column_splits, summed = group.columns[0].table_group_backward(
                group.columns, context, d_input, dedup and packed)
            gradient = PackedRowSparse(pack=pack, ids=ids, rows=rows,
                                       column_splits=column_splits, deduplicated=summed)
            if packed:
                grads[pack.names[0]] = gradient
            else:
                grads.update(gradient.unpack())
        for slot in self._single_slots:
            if not slot.trainable:
                continue
            context = column_contexts.singles[slot.offset]
            own = {spec.name: variables[name] for name, spec in slot.variables}
            d_out = np.ascontiguousarray(d_input[:, slot.offset:slot.offset + slot.width],
                                         dtype=np.float32)
            column_grads = slot.column.dense_backward(context, d_out, own)
            for name, spec in slot.variables:
                if spec.trainable and spec.name in column_grads:
                    grad = column_grads[spec.name]
                    if name in grads:  # a shared table read by several columns
                        grads[name] = _add_gradients(grads[name], grad)
                    else:
                        grads[name] = grad
        return grads


_BASE = operator.attrgetter("base")


def _copy_runs(slots) -> tuple[int, list]:
    """``(total width, [(group output column, input layer column, width)])``, merging
    slots that sit side by side in both (numeric columns usually do: sorted names)."""
    runs: list = []
    start = 0
    for slot in slots:
        if runs:
            first, offset, width = runs[-1]
            if first + width == start and offset + width == slot.offset:
                runs[-1] = (first, offset, width + slot.width)
                start += slot.width
                continue
        runs.append((start, slot.offset, slot.width))
        start += slot.width
    return start, runs


#: Served layers narrower than two blocks of this many units stay on one thread.
_MIN_BLOCK_UNITS = 128


def _block_widths(units: int, threads: int) -> list[int]:
    """How many of a served layer's units each thread computes: equal shares, or one.

    Unequal shares (less for the calling thread, whose cache the Python between calls
    disturbs) measured slower on the 2-core benchmark machine.
    """
    parts = min(threads, units // _MIN_BLOCK_UNITS)
    if parts < 2:
        return [units]
    base, extra = divmod(units, parts)
    return [base + (1 if p < extra else 0) for p in range(parts)]


def _serving_threads() -> int:
    """Threads the few-row kernel may split a served layer over (1: stay serial).

    Only with a thread-safe numba threading layer (OpenMP or TBB): several server threads
    may predict at once, and numba's fallback "workqueue" layer aborts on concurrent
    parallel launches (it was also measured slower than one thread for these kernels).
    """
    if not _threads_usable:
        return 1
    import numba

    threads = numba.get_num_threads()  # starts numba's thread pool, choosing its layer
    return threads if threads > 1 and numba.threading_layer() in ("omp", "tbb") else 1


#: False in a process forked from one that had started numba's thread pool: GNU OpenMP
#: cannot run after such a fork (numba terminates the child at the first parallel
#: kernel), so there served layers stay on one thread -- a pre-forking server that
#: loaded the model before forking its workers keeps working.
_threads_usable = True


def _after_fork_in_child() -> None:
    global _threads_usable
    parallel = sys.modules.get("numba.np.ufunc.parallel")  # not imported: no pool started
    if parallel is not None and getattr(parallel, "_is_initialized", True):
        _threads_usable = False


os.register_at_fork(after_in_child=_after_fork_in_child)


def _f32(array) -> np.ndarray:
    return np.ascontiguousarray(array, dtype=np.float32)


def _add_gradients(first, second):
    from cannery.core.tensors import RowSparse

    if isinstance(first, RowSparse) and isinstance(second, RowSparse):
        return RowSparse(ids=np.concatenate([first.ids, second.ids]),
                         rows=np.concatenate([first.rows, second.rows]),
                         dense_shape=first.dense_shape)
    dense = [g.to_dense() if isinstance(g, RowSparse) else g for g in (first, second)]
    return dense[0] + dense[1]
