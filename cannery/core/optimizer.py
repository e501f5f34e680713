"""The optimizer contract: ``init`` / ``apply`` over explicit state.

An optimizer is a frozen attrs spec (its hyper-parameters); everything that changes
during training lives in an :class:`OptimizerState` (slot arrays named as
TensorFlow names them, plus the iteration count). ``apply`` follows Keras 2.15's
legacy ``OptimizerV2.apply_gradients`` (REFERENCE §3.1):

1. learning rate at the pre-increment step: schedule (or callable) of the step,
   then ``decay``: ``lr / (1 + decay * step)``;
2. gradient transforms in TF's order: ``clipvalue``, ``clipnorm``,
   ``global_clipnorm`` — on the raw rows of a row-sparse gradient, before
   de-duplication (a model's packed gradient is first summed per variable: that is
   the gradient TensorFlow's embedding lookup gives);
3. row-sparse gradients: duplicate ids summed in first-occurrence order, then one
   update per unique row;
4. the fused numba kernel of the optimizer updates variable and slots in place.

Packed variables. A model with many variables of one kind (the linear model's
per-column weights) may keep them back to back in one buffer (:class:`VariablePack`:
each variable in the dict is a view of its block) and hand ``apply`` one
:class:`PackedRowSparse` or :class:`PackedDense` gradient for all of them. ``apply``
then packs the slots the same way (once) and runs *one* dedup and *one* kernel call
over the buffer; every built-in update rule is per element or per row, and the
row-sparse rules that touch all rows (Adam, RMSprop) see each packed variable's rows,
so the result equals one update per variable. With gradient clipping (per-variable
norms) packed gradients are split back into per-variable ones.

Subclasses give ``slot_names``, ``hyper_values``, ``_coefficients`` (per-step
scalars), ``_dense`` / ``_sparse`` (kernel calls) and ``reference_dense`` (the same
formula in plain numpy, used by :func:`cannery.testing.check_optimizer`).

This module never imports numba; kernels are imported where they run.
"""

from __future__ import annotations

import inspect
import itertools
import operator
import warnings
from typing import Any, ClassVar

import attrs
import numpy as np

from cannery.core.tensors import RowSparse

__all__ = [
    "Optimizer",
    "OptimizerState",
    "PackedDense",
    "PackedRowSparse",
    "VariablePack",
    "supports_packed_gradients",
    "unpack_gradients",
    "StepCallable",
    "dedup_rows",
    "dedup_rows_reference",
    "learning_rate_field",
    "transform_gradients",
]


_NONE_GRADIENT = (
    "Variable {} has `None` for gradient. Please make sure that all of your ops have a "
    "gradient defined (i.e. are differentiable). Common ops without gradient: "
    "K.argmax, K.round, K.eval."
)


# --------------------------------------------------------------------------- state
@attrs.define(eq=False)
class OptimizerState:
    """Everything an optimizer changes while training.

    Attributes:
        slots: ``{variable name: {slot name: array}}``; slot arrays have the
            variable's shape and dtype.
        iterations: the number of updates applied (TensorFlow's
            ``optimizer.iterations``, which canned estimators tie to the global step).
    """

    slots: dict[str, dict[str, np.ndarray]] = attrs.Factory(dict)
    iterations: int = 0
    #: Packed slot buffers per variable pack (``apply`` builds them; not saved).
    packed: dict = attrs.field(factory=dict, repr=False)

    def to_dict(self) -> dict:
        """A plain dict ``{"iterations": int, "slots": {var: {slot: array}}}`` (arrays copied)."""
        return {
            "iterations": int(self.iterations),
            "slots": {v: {s: np.array(a, copy=True) for s, a in slots.items()}
                      for v, slots in self.slots.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> OptimizerState:
        """Inverse of :meth:`to_dict`.

        Raises:
            ValueError: ``data`` lacks ``iterations`` or ``slots``.
        """
        if not isinstance(data, dict) or "slots" not in data or "iterations" not in data:
            raise ValueError(
                "optimizer state: expected a dict with keys 'iterations' and 'slots', "
                f"received {type(data).__name__} with keys {sorted(data) if isinstance(data, dict) else '-'}"
            )
        slots = {v: {s: np.array(a, copy=True) for s, a in d.items()}
                 for v, d in data["slots"].items()}
        return cls(slots=slots, iterations=int(data["iterations"]))


# ------------------------------------------------------------------- packing
@attrs.define(eq=False)
class VariablePack:
    """Several variables stored back to back (along axis 0) in one buffer.

    Variable ``names[i]`` is ``buffer[row_offsets[i]:row_offsets[i + 1]]``; ``views``
    holds those views, which is what the variables dict maps the names to while the
    pack is current.

    Attributes:
        names: the variables, in buffer order.
        row_offsets: int64 ``[k + 1]``.
        buffer: ``[rows, ...]``, C-contiguous, or after :meth:`move_to` the first
            columns of a wider 2-D buffer.
        views: one view of ``buffer`` per name.
        interleave: the owner lets an optimizer store its slots beside the variables'
            rows (:meth:`Optimizer.apply` then moves the pack into one ``[rows,
            (1 + slots) * width]`` buffer, so a sparse update reads each touched row's
            value and slots from one cache line instead of one line per array). Only
            for owners whose kernels take strided tables.
    """

    names: tuple
    row_offsets: np.ndarray
    buffer: np.ndarray
    views: tuple
    interleave: bool = False

    @classmethod
    def pack(cls, arrays: dict, names) -> VariablePack:
        """Copy ``arrays[name]`` for each name into one buffer and map the names to views.

        Args:
            arrays: ``{name: array}``; updated in place (each entry becomes a view).
            names: the variables to pack; they must share dtype and trailing shape.

        Raises:
            ValueError: no names, or arrays of different dtypes or trailing shapes.
        """
        names = tuple(names)
        if not names:
            raise ValueError("VariablePack.pack: expected at least one variable name")
        first = np.asarray(arrays[names[0]])
        for name in names:
            a = arrays[name]
            if a.ndim < 1 or a.dtype != first.dtype or a.shape[1:] != first.shape[1:]:
                raise ValueError(
                    f"VariablePack.pack: variable {name!r} has dtype {a.dtype} and shape "
                    f"{a.shape}; expected dtype {first.dtype} and shape [n, "
                    f"{', '.join(map(str, first.shape[1:]))}] like {names[0]!r}")
        offsets = np.zeros(len(names) + 1, np.int64)
        np.cumsum([arrays[n].shape[0] for n in names], out=offsets[1:])
        buffer = np.empty((int(offsets[-1]),) + first.shape[1:], first.dtype)
        views = []
        for i, name in enumerate(names):
            view = buffer[offsets[i]:offsets[i + 1]]
            view[...] = arrays[name]
            arrays[name] = view
            views.append(view)
        return cls(names=names, row_offsets=offsets, buffer=buffer, views=tuple(views))

    @classmethod
    def find(cls, arrays: dict, names, row_offsets: np.ndarray) -> VariablePack | None:
        """The pack that :meth:`pack` made of ``arrays[names]``, if they are still its views.

        Recognised by every array being a view of one C-contiguous base buffer of the
        packed size, with its variable's row count (only :meth:`pack` makes such
        views), so a caller need not keep the pack object alive.
        """
        names = tuple(names)
        views = _get_all(arrays, names)
        base = views[0].base
        if base is None or base.ndim < 1 or base.shape[0] != row_offsets[-1] \
                or not base.flags.c_contiguous or base.shape[1:] != views[0].shape[1:]:
            return None  # an interleaved pack's base is wider: packed again by copying
        # map() keeps these per-variable checks out of the interpreter loop (hot path).
        if not all(map(operator.is_, map(_BASE, views), itertools.repeat(base))) or \
                list(map(len, views)) != np.diff(row_offsets).tolist():
            return None
        return cls(names=names, row_offsets=row_offsets, buffer=base, views=views)

    def is_current(self, arrays: dict) -> bool:
        """Whether every name still maps to this pack's view in ``arrays``."""
        return all(map(operator.is_, map(arrays.get, self.names), self.views))

    def move_to(self, buffer: np.ndarray, arrays: dict) -> None:
        """Copy the pack into ``buffer`` (same shape, any strides) and map the names to
        views of it, in this pack and in ``arrays``."""
        buffer[...] = self.buffer
        o = self.row_offsets
        self.buffer = buffer
        self.views = tuple(buffer[o[i]:o[i + 1]] for i in range(len(self.names)))
        for name, view in zip(self.names, self.views):
            arrays[name] = view


@attrs.define(eq=False)
class PackedRowSparse:
    """A row-sparse gradient of every variable of a :class:`VariablePack`.

    Attributes:
        pack: the variables.
        ids: int64 ``[m]`` rows of ``pack.buffer`` (may repeat, summed before updating).
        rows: ``[m, ...]`` gradient rows.
        column_splits: int64 ``[k + 1]``: the entries of variable i are
            ``column_splits[i]:column_splits[i + 1]`` (only needed to unpack).
        deduplicated: ``ids`` are unique and ``rows`` already the sums TensorFlow's
            de-duplication gives (first-occurrence order, summed in occurrence order).
    """

    pack: VariablePack
    ids: np.ndarray
    rows: np.ndarray
    column_splits: np.ndarray
    deduplicated: bool = False

    def unpack(self, dedup: bool = False) -> dict:
        """``{name: RowSparse}`` with each variable's own row ids.

        Args:
            dedup: sum each variable's duplicate rows (first-occurrence order), as the
                gradient of one TensorFlow embedding lookup already is.
        """
        out = {}
        for i, (name, view) in enumerate(zip(self.pack.names, self.pack.views)):
            a, b = int(self.column_splits[i]), int(self.column_splits[i + 1])
            ids, rows = self.ids[a:b] - self.pack.row_offsets[i], self.rows[a:b]
            if dedup and not self.deduplicated:
                from cannery.core.kernels import optimizers as kernels

                ids, rows = kernels.dedup_rows_hashed(
                    np.ascontiguousarray(ids, dtype=np.int64), np.ascontiguousarray(rows))
            out[name] = RowSparse(ids=ids, rows=rows, dense_shape=tuple(view.shape))
        return out


@attrs.define(eq=False)
class PackedDense:
    """A dense gradient of every variable of a :class:`VariablePack` (``grad`` like ``buffer``)."""

    pack: VariablePack
    grad: np.ndarray

    def unpack(self) -> dict:
        """``{name: array}``, one block of ``grad`` per variable."""
        o = self.pack.row_offsets
        return {name: self.grad[o[i]:o[i + 1]] for i, name in enumerate(self.pack.names)}


_PACKED = (PackedRowSparse, PackedDense)


def unpack_gradients(grads: dict, dedup: bool = False) -> dict:
    """``grads`` with every packed gradient replaced by its per-variable gradients.

    Args:
        grads: ``{name: gradient}``.
        dedup: sum the duplicate rows of each variable's row-sparse gradient (see
            :meth:`PackedRowSparse.unpack`).
    """
    if not any(isinstance(g, _PACKED) for g in grads.values()):
        return grads
    out = {}
    for name, g in grads.items():
        if isinstance(g, PackedRowSparse):
            out.update(g.unpack(dedup))
        elif isinstance(g, _PACKED):
            out.update(g.unpack())
        else:
            out[name] = g
    return out


def supports_packed_gradients(optimizer) -> bool:
    """Whether ``optimizer.apply`` accepts packed gradients (the base class's ``apply``)."""
    return isinstance(optimizer, Optimizer) and type(optimizer).apply is Optimizer.apply


# ---------------------------------------------------------------- learning rates
@attrs.define(eq=False)
class StepCallable:
    """A user's plain callable used as a learning rate (works, but has no spec form).

    Accepts a function of the global step, or a zero-argument function (Keras allows
    ``learning_rate=lambda: 0.1``).
    """

    fn: Any
    takes_step: bool = True

    @classmethod
    def wrap(cls, fn) -> StepCallable:
        try:
            params = [p for p in inspect.signature(fn).parameters.values()
                      if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                              p.POSITIONAL_OR_KEYWORD)]
            takes_step = len(params) >= 1
        except (TypeError, ValueError):  # builtins without a signature
            takes_step = True
        return cls(fn=fn, takes_step=takes_step)

    def __call__(self, step):
        return self.fn(step) if self.takes_step else self.fn()

    def to_spec(self):
        from cannery.core.spec import SpecError

        raise SpecError(
            "learning_rate",
            f"the learning rate is a plain callable ({self.fn!r}), which cannot be stored in "
            "a spec or checkpoint; use a built-in schedule (ExponentialDecay, "
            "PiecewiseConstantDecay, InverseTimeDecay, PolynomialDecay, CosineDecay) or a "
            "schedule class registered through register_schedules",
        )


def _convert_learning_rate(value):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"learning_rate: expected a float or a schedule, received {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return float(value)
    if _is_schedule(value) or isinstance(value, StepCallable):
        return value
    if callable(value):
        return StepCallable.wrap(value)
    raise TypeError(
        "learning_rate: expected a float, a schedule or a callable of the global step, "
        f"received {type(value).__name__} {value!r}"
    )


def _serialize_learning_rate(value):
    # Keras' _serialize_hyperparameter: a schedule as keras.optimizers.schedules.serialize
    # gives it, a zero-argument callable called, a number as is.
    if isinstance(value, StepCallable):
        return value.fn() if not value.takes_step else repr(value.fn)
    if callable(value) and hasattr(value, "get_config"):
        return {"module": "keras.optimizers.schedules", "class_name": type(value).__name__,
                "config": value.get_config(), "registered_name": None}
    return value


def _deserialize_schedule(config: dict, custom_objects=None):
    from cannery.keras.optimizers import schedules

    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or getattr(schedules, str(name), None)
    if cls is None or not hasattr(cls, "from_config"):
        raise ValueError(f"learning_rate: unknown schedule class_name {name!r}; expected one "
                         f"of {sorted(schedules.__all__)} or a class in custom_objects")
    return cls.from_config(config.get("config", {}))


def _is_schedule(value) -> bool:
    return attrs.has(type(value)) and isinstance(getattr(type(value), "registered_name", None), str) \
        and callable(value)


# ------------------------------------------------------------------ validators
def _non_negative_kwarg(instance, attribute, value):
    # Keras' OptimizerV2.__init__ checks every clip/decay kwarg with this message.
    if value is not None and value < 0:
        raise ValueError(f"Expected {attribute.name} >= 0, received: {value}")


def _optional_float(value):
    return None if value is None else float(value)


def _kw(**kwargs):
    return attrs.field(kw_only=True, **kwargs)


def learning_rate_field(default: float = 0.001):
    """The ``learning_rate`` attrs field (positional, float or schedule), for subclasses
    whose Keras default differs from 0.001."""
    return attrs.field(default=default, converter=_convert_learning_rate,
                       metadata={"spec_kind": "schedule"})


# ------------------------------------------------------------------- dedup
def dedup_rows(ids: np.ndarray, rows: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum the rows of duplicate ids (TF's ``unsorted_segment_sum`` before a sparse apply).

    Args:
        ids: int ``[k]`` row ids, each in ``[0, n_rows)``.
        rows: ``[k, d]`` gradient rows.
        n_rows: rows in the variable.

    Returns:
        ``(unique_ids, summed_rows)``: unique ids in order of first occurrence and the
        sum of their rows, accumulated in occurrence order.
    """
    from cannery.core.kernels import optimizers as kernels

    ids = np.ascontiguousarray(ids, dtype=np.int64)
    rows = np.ascontiguousarray(rows)
    # A position map over every row is direct but costs a fill of 4 * n_rows bytes and a
    # cache miss per lookup once the variable is large; the hash table is sized by the
    # batch and stays in cache (measured faster from n_rows ~ 2 * len(ids) up).
    if n_rows <= 2 * len(ids):
        return kernels.dedup_rows_map(ids, rows, n_rows)
    return kernels.dedup_rows_hashed(ids, rows)


def dedup_rows_reference(ids: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain numpy :func:`dedup_rows` (for tests and the conformance kit)."""
    ids = np.asarray(ids, dtype=np.int64)
    uniq_sorted, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    summed = np.zeros((len(uniq_sorted),) + rows.shape[1:], dtype=rows.dtype)
    np.add.at(summed, rank[inverse.reshape(-1)], rows)
    return uniq_sorted[order], summed


# ---------------------------------------------------------- gradient transforms
def _values(g):
    return g.rows if isinstance(g, RowSparse) else g


def _with_values(g, values):
    if isinstance(g, RowSparse):
        return RowSparse(ids=g.ids, rows=values, dense_shape=g.dense_shape)
    return values


def _l2sum(values, dtype) -> np.floating:
    flat = values.reshape(-1)
    return dtype.type(np.dot(flat, flat)) if flat.size else dtype.type(0)


def transform_gradients(grads: list, clipvalue=None, clipnorm=None, global_clipnorm=None) -> list:
    """Keras' ``_transform_gradients``: clipvalue, then clipnorm, then global_clipnorm.

    Row-sparse gradients are transformed on their raw rows (before de-duplication),
    as TensorFlow does with IndexedSlices. Inputs are not modified.

    Args:
        grads: dense arrays or :class:`RowSparse`, one per variable.
        clipvalue: clip every element to ``[-clipvalue, clipvalue]``.
        clipnorm: rescale each gradient to L2 norm at most ``clipnorm``
            (``tf.clip_by_norm``).
        global_clipnorm: rescale all gradients jointly (``tf.clip_by_global_norm``).

    Returns:
        The transformed gradients, in the same order.
    """
    out = list(grads)
    if clipvalue is not None:
        out = [_with_values(g, np.clip(_values(g), -clipvalue, clipvalue)) for g in out]
    if clipnorm is not None:
        clipped = []
        for g in out:
            t = _values(g)
            dt = t.dtype
            l2sum = _l2sum(t, dt)
            l2norm = np.sqrt(l2sum) if l2sum > 0 else l2sum
            c = dt.type(clipnorm)
            clipped.append(_with_values(g, (t * c) / np.maximum(l2norm, c)))
        out = clipped
    if global_clipnorm is not None and out:
        dt = _values(out[0]).dtype
        # tf.linalg.global_norm: sqrt(2 * sum(l2_loss(t))) with l2_loss = sum(t^2)/2.
        half = dt.type(0)
        for g in out:
            half = dt.type(half + _l2sum(_values(g), dt) / dt.type(2))
        use_norm = np.sqrt(half * dt.type(2))
        c = dt.type(global_clipnorm)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = c * np.minimum(dt.type(1) / use_norm, dt.type(1) / c)
            scale = scale + (use_norm - use_norm)  # NaN when the norm is not finite, as TF
        out = [_with_values(g, _values(g) * scale.astype(_values(g).dtype)) for g in out]
    return out


# ------------------------------------------------------------------ base class
def _flat_view(array: np.ndarray, what: str) -> np.ndarray:
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ValueError(
            f"{what}: expected a writeable C-contiguous array, received one with "
            f"flags c_contiguous={array.flags.c_contiguous}, writeable={array.flags.writeable}"
        )
    return array.reshape(-1)


class _LegacyKwargs(type):
    """Keras 2.15's legacy ``OptimizerV2`` keyword: ``lr`` is an alias of ``learning_rate``.

    Checked at construction, before attrs' generated ``__init__`` (so every subclass,
    third-party ones too, takes it): ``lr`` wins over ``learning_rate``, with Keras'
    deprecation warning.
    """

    def __call__(cls, *args, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          stacklevel=2)
            lr = kwargs.pop("lr")
            if args:
                args = (lr,) + args[1:]
            else:
                kwargs["learning_rate"] = lr
        return super().__call__(*args, **kwargs)


@attrs.frozen
class Optimizer(metaclass=_LegacyKwargs):
    """Base class of every optimizer (built-in or third-party).

    Args:
        learning_rate: a float, a schedule (``ExponentialDecay(...)``, ...) or a
            callable of the global step. The only positional argument, as in Keras.
        decay: inverse-time decay applied on top: ``lr / (1 + decay * step)``.
        clipvalue: clip every gradient element to ``[-clipvalue, clipvalue]``.
        clipnorm: clip each gradient to this L2 norm.
        global_clipnorm: clip all gradients jointly to this global L2 norm.
        name: accepted for Keras compatibility; not used.
        lr: Keras' deprecated alias of ``learning_rate`` (it wins when both are given).

    Raises:
        ValueError: a negative ``decay``/clip value, or both ``clipnorm`` and
            ``global_clipnorm`` (Keras' messages).
    """

    #: name in the registry (``optimizer="Adagrad"``).
    registered_name: ClassVar[str] = ""
    #: Keras class name, used in checkpoint scopes (``training/<tf_name>/...``).
    tf_name: ClassVar[str] = ""
    #: False for optimizers whose row-sparse update is correct without summing
    #: duplicate ids first (plain SGD's scatter-add).
    dedup_sparse: ClassVar[bool] = True
    #: True when ``_sparse`` takes strided 2-D ``var`` and slot arrays (any numpy or
    #: untyped numba code does): the optimizer may then keep the slots of a pack that
    #: allows it beside the variables' rows (:attr:`VariablePack.interleave`).
    strided_sparse: ClassVar[bool] = False
    #: The subclass's arguments :meth:`get_config` lists after ``learning_rate`` and
    #: ``decay``, in Keras' order (None: the subclass's own fields, as defined).
    config_keys: ClassVar[tuple[str, ...] | None] = None

    learning_rate: Any = learning_rate_field(0.001)
    decay: float = _kw(default=0.0, converter=float, validator=_non_negative_kwarg)
    clipnorm: float | None = _kw(default=None, converter=_optional_float,
                                 validator=_non_negative_kwarg)
    clipvalue: float | None = _kw(default=None, converter=_optional_float,
                                  validator=_non_negative_kwarg)
    global_clipnorm: float | None = _kw(default=None, converter=_optional_float,
                                        validator=_non_negative_kwarg)
    name: str | None = _kw(default=None)

    def __attrs_post_init__(self):
        if self.clipnorm is not None and self.global_clipnorm is not None:
            raise ValueError(
                "Cannot accept both `clipnorm` and `global_clipnorm`. "
                f"Received: `clipnorm`={self.clipnorm}, `global_clipnorm`={self.global_clipnorm}."
            )

    # -- Keras' configuration ------------------------------------------------------------
    def get_config(self) -> dict:
        """Keras' legacy ``OptimizerV2.get_config``: ``name``, the clip arguments that
        are set, ``learning_rate`` (a schedule as Keras serializes it), ``decay``, then
        the optimizer's own arguments."""
        config = {"name": self.name if self.name is not None
                  else (self.tf_name or type(self).__name__)}
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        config["learning_rate"] = _serialize_learning_rate(self.learning_rate)
        config["decay"] = self.decay
        keys = self.config_keys
        if keys is None:
            common = {field.name for field in attrs.fields(Optimizer)}
            keys = tuple(f.name for f in attrs.fields(type(self)) if f.name not in common)
        config.update((key, getattr(self, key)) for key in keys)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Optimizer:
        """The optimizer :meth:`get_config` describes (``lr`` read as ``learning_rate``,
        a serialized schedule rebuilt), as Keras' ``from_config``."""
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _deserialize_schedule(config["learning_rate"],
                                                            custom_objects)
        return cls(**config)

    # -- what subclasses describe ----------------------------------------------------
    def slot_names(self) -> tuple[str, ...]:
        """Slot names created per variable, in TensorFlow's order."""
        return ()

    def slot_initial_value(self, slot: str) -> float:
        """The value a new slot array is filled with."""
        return 0.0

    def hyper_values(self) -> dict[str, float]:
        """Hyper-parameters TF saves as scalar variables, other than learning_rate/decay."""
        return {}

    def sparse_updates_all_rows(self) -> bool:
        """True when a row-sparse update equals the dense update of a zero-filled gradient
        (TF's Adam and RMSprop without momentum decay the slots of every row)."""
        return False

    def _coefficients(self, lr: np.floating, step: int, dtype: np.dtype) -> tuple:
        raise NotImplementedError

    def _dense(self, var: np.ndarray, grad: np.ndarray, slots: dict, c: tuple) -> None:
        """Fused dense update; arrays are 1-D views of the variable, its gradient, its slots."""
        raise NotImplementedError

    def _sparse(self, var: np.ndarray, ids: np.ndarray, rows: np.ndarray, slots: dict,
                c: tuple) -> None:
        """Fused row-sparse update; ``var``/slots are ``[n, d]`` views, ``ids`` unique."""
        raise NotImplementedError

    def reference_dense(self, var: np.ndarray, grad: np.ndarray, slots: dict, lr: float,
                        step: int) -> None:
        """The update rule in plain numpy (in place), for tests; ``lr`` already decayed."""
        raise NotImplementedError

    # -- learning rate -----------------------------------------------------------------
    def learning_rate_at(self, step: int, dtype=np.float32) -> np.floating:
        """The learning rate used by the update at ``step`` (schedule, then ``decay``)."""
        dt = np.dtype(dtype).type
        lr = self.learning_rate
        lr_t = dt(lr(dt(step))) if callable(lr) else dt(lr)
        if self.decay > 0.0:
            lr_t = lr_t / (dt(1) + dt(self.decay) * dt(step))
        return dt(lr_t)

    def with_learning_rate(self, learning_rate) -> Optimizer:
        """A copy with another learning rate."""
        return attrs.evolve(self, learning_rate=learning_rate)

    # -- state -------------------------------------------------------------------------
    def init(self, variables: dict[str, np.ndarray], iterations: int = 0) -> OptimizerState:
        """Create the slots of every variable.

        Args:
            variables: ``{name: array}``; slots get each array's shape and dtype.
            iterations: the starting iteration count (the global step).

        Returns:
            A fresh :class:`OptimizerState`.
        """
        slots = {}
        for name, var in variables.items():
            var = np.asarray(var)
            slots[name] = {s: np.full(var.shape, self.slot_initial_value(s), dtype=var.dtype)
                           for s in self.slot_names()}
        return OptimizerState(slots=slots, iterations=int(iterations))

    def hyper_variables(self, step: int = 0) -> dict[str, np.ndarray]:
        """The scalar hyper-parameter variables TF saves (float32 0-d arrays).

        A learning rate given as a schedule or callable has no variable: Keras'
        ``OptimizerV2._create_hypers`` skips callable (and tensor) hyper-parameters.

        Args:
            step: unused (kept for callers that pass the global step).
        """
        values = {} if callable(self.learning_rate) else {"learning_rate": self.learning_rate}
        values.update({"decay": self.decay, **self.hyper_values()})
        return {k: np.array(v, dtype=np.float32) for k, v in values.items()}

    def state_to_variables(self, state: OptimizerState, scope: str) -> dict[str, np.ndarray]:
        """``{f"{scope}/{var}/{slot}": array}`` plus ``{f"{scope}/{hyper}": scalar}``.

        Args:
            state: the state to store.
            scope: e.g. ``"training/Adagrad"``.
        """
        out = {}
        for var, slots in state.slots.items():
            for slot, array in slots.items():
                out[f"{scope}/{var}/{slot}"] = array
        for hyper, value in self.hyper_variables(state.iterations).items():
            out[f"{scope}/{hyper}"] = value
        return out

    def has_any_slot(self, names, scope: str) -> bool:
        """Whether any name in ``names`` is a slot variable of this optimizer under ``scope``."""
        prefix = scope.rstrip("/") + "/"
        slots = set(self.slot_names())
        return any(n.startswith(prefix) and n.rsplit("/", 1)[-1] in slots
                   and n.count("/") > prefix.count("/") for n in names)

    def state_from_variables(self, variables_by_name: dict[str, np.ndarray],
                             model_variables: dict[str, np.ndarray], scope: str,
                             iterations: int = 0) -> OptimizerState:
        """Rebuild the state from checkpoint variables (inverse of :meth:`state_to_variables`).

        Args:
            variables_by_name: checkpoint variables, including slots.
            model_variables: the trainable variables the slots belong to.
            scope: e.g. ``"training/Adagrad"``.
            iterations: the global step of the checkpoint.

        Raises:
            KeyError: a slot variable is missing (the message names it).
            ValueError: a slot's shape differs from its variable's.
        """
        slots = {}
        for var, value in model_variables.items():
            var_slots = {}
            for slot in self.slot_names():
                key = f"{scope}/{var}/{slot}"
                if key not in variables_by_name:
                    raise KeyError(
                        f"optimizer {self.tf_name}: slot variable {key!r} not found in the "
                        f"checkpoint (expected slots {list(self.slot_names())} for variable {var!r})"
                    )
                array = np.array(variables_by_name[key], dtype=np.asarray(value).dtype, copy=True)
                if array.shape != np.shape(value):
                    raise ValueError(
                        f"optimizer slot {key!r}: expected shape {np.shape(value)}, "
                        f"received {array.shape}"
                    )
                var_slots[slot] = array
            slots[var] = var_slots
        return OptimizerState(slots=slots, iterations=int(iterations))

    # -- the update ----------------------------------------------------------------------
    def apply(self, variables: dict[str, np.ndarray], grads: dict[str, Any],
              state: OptimizerState, step: int) -> None:
        """Apply one update in place.

        Args:
            variables: ``{name: array}``; updated in place.
            grads: ``{name: dense array | RowSparse}``; variables without an entry are
                untouched.
            state: from :meth:`init`; slots updated in place, ``iterations`` set to
                ``step + 1``.
            step: the global step before this update (Adam's ``t = step + 1``).

        Raises:
            ValueError: a ``None`` gradient (TF's message), a gradient whose shape
                does not match its variable, or an id out of range.
            KeyError: a gradient for a variable without variable or slots.
        """
        step = int(step)
        packed = [g for g in grads.values() if isinstance(g, _PACKED)]
        if packed:
            if self.clipvalue is None and self.clipnorm is None and self.global_clipnorm is None:
                grads = {n: g for n, g in grads.items() if not isinstance(g, _PACKED)}
            else:
                # A packed row-sparse gradient is one embedding lookup per variable, and
                # TensorFlow's gradient of a lookup (safe_embedding_lookup_sparse) comes
                # with its duplicate ids summed: clipping sees those sums.
                grads, packed = unpack_gradients(grads, dedup=True), []
        names, gs = self._check_grads(variables, grads, state)
        gs = transform_gradients(gs, self.clipvalue, self.clipnorm, self.global_clipnorm)
        coefficients = {}
        for g in packed:
            self._apply_packed(variables, g, state, step, coefficients)
        for name, g in zip(names, gs):
            var = variables[name]
            dt = var.dtype
            if dt not in coefficients:
                coefficients[dt] = self._coefficients(self.learning_rate_at(step, dt), step, dt)
            c = coefficients[dt]
            slots = state.slots[name]
            if isinstance(g, RowSparse):
                n = var.shape[0]
                var2 = _flat_view(var, f"variable {name!r}").reshape(n, -1)
                slots2 = {s: _flat_view(a, f"slot {name}/{s}").reshape(n, -1)
                          for s, a in slots.items()}
                ids = g.ids
                rows = np.ascontiguousarray(g.rows, dtype=dt).reshape(len(ids), var2.shape[1])
                if self.dedup_sparse:
                    ids, rows = dedup_rows(ids, rows, n)
                self._sparse(var2, ids, rows, slots2, c)
            else:
                flat = {s: _flat_view(a, f"slot {name}/{s}") for s, a in slots.items()}
                grad = np.ascontiguousarray(g, dtype=dt).reshape(-1)
                self._dense(_flat_view(var, f"variable {name!r}"), grad, flat, c)
        state.iterations = step + 1

    def _apply_packed(self, variables, g, state, step, coefficients) -> None:
        pack = g.pack
        if variables.get(pack.names[0]) is not pack.views[0] or not pack.is_current(variables):
            raise ValueError(
                f"packed gradient for {list(pack.names)}: these variables are no longer "
                "views of the pack the gradient refers to")
        entry = state.packed.get(pack.names)
        if entry is None or entry[0].buffer is not pack.buffer or not _slots_current(
                state, pack.names, entry[1]):
            slot_packs = self._pack_slots(state, pack)
            n = pack.buffer.shape[0]
            if pack.interleave and self.strided_sparse and slot_packs and \
                    isinstance(g, PackedRowSparse) and pack.buffer.ndim == 2:
                _interleave(pack, slot_packs, variables, state)
            flat = None
            if all(p.buffer.flags.c_contiguous for p in slot_packs.values()):
                flat = {s: p.buffer.reshape(-1) for s, p in slot_packs.items()}
            # The kernels' views of the slot buffers, made once per pack (not per step).
            entry = (pack, slot_packs, flat,
                     {s: p.buffer.reshape(n, -1) for s, p in slot_packs.items()})
            state.packed[pack.names] = entry
        buffer = pack.buffer
        dt = buffer.dtype
        if dt not in coefficients:
            coefficients[dt] = self._coefficients(self.learning_rate_at(step, dt), step, dt)
        c = coefficients[dt]
        n = buffer.shape[0]
        if isinstance(g, PackedDense):
            grad = np.ascontiguousarray(g.grad, dtype=dt).reshape(-1)
            if entry[2] is None or not buffer.flags.c_contiguous:
                raise ValueError(f"packed dense gradient for {list(pack.names)}: these "
                                 "variables were interleaved with their slots for sparse "
                                 "updates and take only row-sparse gradients")
            if grad.size != buffer.size:
                raise ValueError(f"packed gradient for {list(pack.names)}: expected "
                                 f"{buffer.size} values, received {grad.size}")
            self._dense(buffer.reshape(-1), grad, dict(entry[2]), c)
            return
        ids = np.ascontiguousarray(g.ids, dtype=np.int64)
        rows = np.ascontiguousarray(g.rows, dtype=dt).reshape(len(ids), -1)
        var2 = buffer.reshape(n, -1)
        if rows.shape[1] != var2.shape[1]:
            raise ValueError(f"packed gradient for {list(pack.names)}: expected rows of width "
                             f"{var2.shape[1]}, received {rows.shape[1]}")
        if self.dedup_sparse and not g.deduplicated:
            from cannery.core.kernels import optimizers as kernels

            ids, rows = kernels.dedup_rows_hashed(ids, rows)
        self._sparse(var2, ids, rows, dict(entry[3]), c)

    def _pack_slots(self, state, pack) -> dict:
        """Pack every slot of ``pack``'s variables like the variables themselves."""
        for name in pack.names:
            if name not in state.slots:
                raise KeyError(f"gradient for {name!r}: the optimizer state has no slots for "
                               "this variable; create the state with init() including it")
        out = {}
        for slot in self.slot_names():
            arrays = _slot_dict(state, pack.names, slot)
            out[slot] = VariablePack.pack(arrays, pack.names)
            for name in pack.names:
                state.slots[name][slot] = arrays[name]
        return out

    def _check_grads(self, variables, grads, state):
        names, gs = [], []
        for name, g in grads.items():
            if g is None:
                raise ValueError(_NONE_GRADIENT.format(name))
            if name not in variables:
                raise KeyError(f"gradient for {name!r}: no such variable; variables: "
                               f"{sorted(variables)}")
            if name not in state.slots:
                raise KeyError(f"gradient for {name!r}: the optimizer state has no slots for "
                               "this variable; create the state with init() including it")
            var = variables[name]
            if isinstance(g, RowSparse):
                ids = np.asarray(g.ids)
                if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
                    raise ValueError(f"gradient for {name!r}: expected 1-D integer ids, received "
                                     f"{ids.dtype} of shape {ids.shape}")
                rows = np.asarray(g.rows)
                if var.ndim == 0 or rows.shape != (len(ids),) + var.shape[1:]:
                    raise ValueError(
                        f"gradient for {name!r}: expected rows of shape "
                        f"{(len(ids),) + var.shape[1:]} for a variable of shape {var.shape}, "
                        f"received {rows.shape}"
                    )
                if len(ids) and (ids.min() < 0 or ids.max() >= var.shape[0]):
                    raise ValueError(
                        f"gradient for {name!r}: ids must be in [0, {var.shape[0]}), received "
                        f"min {ids.min()} max {ids.max()}"
                    )
                g = RowSparse(ids=ids.astype(np.int64, copy=False), rows=rows,
                              dense_shape=var.shape)
            else:
                g = np.asarray(g)
                if g.shape != var.shape:
                    raise ValueError(f"gradient for {name!r}: expected shape {var.shape}, "
                                     f"received {g.shape}")
            names.append(name)
            gs.append(g)
        return names, gs

    # -- plain numpy reference of the whole step ---------------------------------------------
    def reference_apply(self, variables: dict[str, np.ndarray], grads: dict[str, Any],
                        state: OptimizerState, step: int) -> None:
        """:meth:`apply` in plain numpy, from :meth:`reference_dense` (for tests)."""
        step = int(step)
        grads = unpack_gradients(grads)
        names, gs = self._check_grads(variables, grads, state)
        gs = transform_gradients(gs, self.clipvalue, self.clipnorm, self.global_clipnorm)
        for name, g in zip(names, gs):
            var = variables[name]
            lr = self.learning_rate_at(step, var.dtype)
            slots = state.slots[name]
            if isinstance(g, RowSparse):
                self.reference_sparse(var, g.ids, np.asarray(g.rows, dtype=var.dtype), slots,
                                      lr, step)
            else:
                self.reference_dense(var, np.asarray(g, dtype=var.dtype), slots, lr, step)
        state.iterations = step + 1

    def reference_sparse(self, var: np.ndarray, ids: np.ndarray, rows: np.ndarray, slots: dict,
                         lr: float, step: int) -> None:
        """Row-sparse update in plain numpy: dedup, then either the dense rule on a
        zero-filled gradient (:meth:`sparse_updates_all_rows`) or the dense rule on the
        touched rows only."""
        uniq, summed = dedup_rows_reference(ids, rows)
        if self.sparse_updates_all_rows():
            dense = np.zeros_like(var)
            dense[uniq] = summed
            self.reference_sparse_all_rows(var, dense, slots, lr, step)
            return
        sub_var = var[uniq]
        sub_slots = {s: a[uniq] for s, a in slots.items()}
        self.reference_dense(sub_var, summed, sub_slots, lr, step)
        var[uniq] = sub_var
        for s, a in sub_slots.items():
            slots[s][uniq] = a

    def reference_sparse_all_rows(self, var, dense_grad, slots, lr, step) -> None:
        """The sparse rule for optimizers that touch every row; by default TF's
        'dense update with a zero-filled gradient'."""
        self.reference_dense(var, dense_grad, slots, lr, step)


def _interleave(pack: VariablePack, slot_packs: dict, variables: dict,
                state: OptimizerState) -> None:
    """Move a 2-D pack and its slot packs into one ``[rows, (1 + slots) * width]`` buffer:
    the variables in the first ``width`` columns, then each slot's (see
    :attr:`VariablePack.interleave`)."""
    n, width = pack.buffer.shape
    storage = np.empty((n, (1 + len(slot_packs)) * width), pack.buffer.dtype)
    pack.move_to(storage[:, :width], variables)
    for j, (slot, slot_pack) in enumerate(slot_packs.items(), 1):
        arrays = {}
        slot_pack.move_to(storage[:, j * width:(j + 1) * width], arrays)
        for name, view in arrays.items():
            state.slots[name][slot] = view


def _slot_dict(state: OptimizerState, names, slot: str) -> dict:
    return {name: state.slots[name][slot] for name in names}


_BASE = operator.attrgetter("base")


def _get_all(arrays: dict, names: tuple) -> tuple:
    return (arrays[names[0]],) if len(names) == 1 else operator.itemgetter(*names)(arrays)


def _slots_current(state: OptimizerState, names: tuple, slot_packs: dict) -> bool:
    """Whether every slot array of ``names`` is still its slot pack's view."""
    per_variable = _get_all(state.slots, names)
    return all(all(map(operator.is_, map(operator.itemgetter(slot), per_variable), p.views))
               for slot, p in slot_packs.items())
