"""Shared pieces of the built-in column plugins: TensorFlow's argument checks and parse specs."""

from __future__ import annotations

import operator
from typing import Any

import attrs
import numpy as np

from cannery.core.dtypes import DType, as_dtype


@attrs.frozen(kw_only=True)
class ParseSpec:
    """How one raw feature is described for parsing (``make_parse_example_spec``).

    TensorFlow's ``FixedLenFeature(shape, dtype, default_value)`` when ``fixed_length``,
    else ``VarLenFeature(dtype)``.
    """

    key: str
    dtype: DType
    shape: tuple = ()
    fixed_length: bool = False
    default_value: Any = None

    def as_dict(self) -> dict:
        """Plain data: ``{key, dtype, shape, fixed_length, default_value}``."""
        return {
            "key": self.key,
            "dtype": self.dtype.name,
            "shape": list(self.shape),
            "fixed_length": self.fixed_length,
            "default_value": _plain(self.default_value),
        }

    def __repr__(self) -> str:
        # Printed like TensorFlow's parsing specs, which is what users compare against.
        if self.fixed_length:
            return (f"FixedLenFeature(shape={self.shape!r}, dtype={self.dtype!r}, "
                    f"default_value={self.default_value!r})")
        return f"VarLenFeature(dtype={self.dtype!r})"


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def to_dtype(value) -> DType:
    """A :class:`DType` from a DType, a name, a numpy dtype or a TensorFlow dtype object."""
    if isinstance(value, DType):
        return value
    name = getattr(value, "name", None)
    if isinstance(name, str) and hasattr(value, "as_numpy_dtype"):
        return as_dtype(name)  # a real tf.DType, when TensorFlow is installed too
    return as_dtype(value)


def to_dtype_or_none(value):
    return None if value is None else to_dtype(value)


def assert_key_is_string(key) -> None:
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Got: type {type(key)}. Given key: {key}.")


def assert_string_or_int(dtype: DType, prefix: str) -> None:
    if not (dtype.is_string or dtype.is_integer):
        raise ValueError(f"{prefix} dtype must be string or integer. dtype: {dtype}.")


def check_input_dtype(key: str, column_dtype: DType, input_dtype: DType) -> None:
    """TensorFlow's checks on the values fed to a hash or vocabulary column."""
    assert_string_or_int(input_dtype, prefix=f"column_name: {key} input_tensor")
    if column_dtype.is_integer != input_dtype.is_integer:
        raise ValueError(
            "Column dtype and SparseTensors dtype must be compatible. "
            f"key: {key}, column dtype: {column_dtype}, tensor dtype: {input_dtype}"
        )


def is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def as_tuple(value):
    """Lists (also nested, as a spec dict stores them) -> tuples, so columns stay hashable."""
    if isinstance(value, (list, tuple)):
        return tuple(as_tuple(v) for v in value)
    if isinstance(value, np.ndarray):
        return as_tuple(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def set_cached(instance, name: str, value):
    """Store a lazily built helper (a vocabulary table) on a frozen column."""
    object.__setattr__(instance, name, value)
    return value


def cache_field():
    """A private, non-compared, non-stored slot for a lazily built helper."""
    return attrs.field(default=None, init=False, eq=False, repr=False,
                       metadata={"spec_skip": True})


_ONE_ROW_SHAPES = frozenset({(1,), (1, 1)})
_NDARRAY = {np.ndarray}
_SHAPE = operator.attrgetter("shape")
_KIND = operator.attrgetter("dtype.kind")
_DTYPE = operator.attrgetter("dtype")
_GROUP_GETTERS: dict = {}


def _group_values(columns, features, eligible) -> tuple | None:
    """The group's raw inputs through a key getter built once per group, or None when
    the group is not ``eligible`` or a key is missing."""
    entry = _GROUP_GETTERS.get((id(columns), eligible))
    if entry is None or entry[0] is not columns:
        if len(_GROUP_GETTERS) > 256:
            _GROUP_GETTERS.clear()
        getter = None
        if eligible(columns):
            keys = [c.key for c in columns]
            # itemgetter of one key gives the value, not a 1-tuple
            getter = operator.itemgetter(*keys) if len(keys) > 1 else (
                lambda features, key=keys[0]: (features[key],))
        entry = (columns, getter)  # holds the tuple, so its id is not reused meanwhile
        _GROUP_GETTERS[(id(columns), eligible)] = entry
    getter = entry[1]
    if getter is None:
        return None
    try:
        return getter(features)
    except KeyError:
        return None


def one_row_values(columns, features, kinds: frozenset, eligible) -> tuple | None:
    """The inputs of a column group when each is a plain numpy array of one value, else None.

    Single-example serving spends most of its time in per-column Python; this does
    the checks with C-level ``map``/set operations over a per-group plan built once.

    Args:
        columns: the group's columns (a tuple kept by the caller's network plan).
        features: the raw features mapping.
        kinds: the accepted numpy dtype kinds, e.g. ``frozenset("U")``.
        eligible: ``eligible(columns) -> bool``, whether the group may take the fast
            path at all (evaluated once per group).

    Returns:
        The k values (each of shape ``[1]`` or ``[1, 1]``), or None when any column is
        missing, of another type, shape or dtype kind (the general path then handles
        it, messages included).
    """
    values = _group_values(columns, features, eligible)
    if values is None:
        return None
    if (set(map(type, values)) != _NDARRAY or not _ONE_ROW_SHAPES.issuperset(map(_SHAPE, values))
            or not kinds.issuperset(map(_KIND, values))):
        return None
    return values


def plain_group_values(columns, features, batch: int, kinds: frozenset,
                       eligible) -> tuple | None:
    """The inputs of a column group when each is a plain 1-D numpy array of ``batch``
    values of one of ``kinds``, else None (the caller's per-column path then handles
    them, messages included).

    A training batch's transforms run once per step on the input thread, where every
    interpreted per-column check holds the GIL the training step needs: the checks
    here are C-level ``map``/set operations over a key getter built once per group.

    Args:
        columns: the group's columns (a tuple kept by the caller's network plan).
        features: the raw features mapping.
        batch: the batch size.
        kinds: the accepted numpy dtype kinds, e.g. ``frozenset("U")``.
        eligible: ``eligible(columns) -> bool``, whether the group may take this path
            at all (evaluated once per group).
    """
    values = _group_values(columns, features, eligible)
    if values is None:
        return None
    if (set(map(type, values)) != _NDARRAY or set(map(_SHAPE, values)) != {(batch,)}
            or not kinds.issuperset(map(_KIND, values))):
        return None
    return values


def join_one_row(values) -> np.ndarray | None:
    """The one-element arrays ``values`` side by side as one flat array, or None.

    When they all share one native dtype, joining their buffers is the stacking (each
    buffer is a single, hence contiguous, element), without numpy's concatenate
    machinery (a few µs per call). None for mixed or non-native dtypes.
    """
    dtypes = set(map(_DTYPE, values))
    if len(dtypes) != 1:
        return None
    (dtype,) = dtypes
    if not dtype.isnative or dtype.itemsize == 0:
        return None
    return np.frombuffer(bytearray(b"".join(values)), dtype)
