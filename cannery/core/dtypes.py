"""TensorFlow-shaped dtype objects, so ``dtype=tf.int64`` keeps working after ``import cannery as tf``."""

from __future__ import annotations

import attrs
import numpy as np


@attrs.frozen(repr=False, eq=False)
class DType:
    """A named element type: ``cannery.string``, ``cannery.int64``, ``cannery.float32`` ...

    As TensorFlow's ``DType``, it equals whatever TensorFlow's ``as_dtype`` maps to it:
    ``tf.float32 == np.float32``, ``np.dtype("float32") == tf.float32`` (numpy defers to
    this class), ``tf.float32 == "float"``, ``tf.string == object``, the type-enum number
    (``tf.float32 == 1``) and anything with a ``dtype`` attribute (an array). Python's
    ``int`` and cannery's extra names (``"str"``, ``"int"``, ``"tf.float32"``) are not
    TensorFlow's, so they compare unequal even though :func:`as_dtype` accepts them.
    The hash is the name's, so equal DTypes hash alike (as in TensorFlow, a numpy dtype
    equal to a DType hashes differently: keep one kind of key per dict).
    """

    name: str

    def __eq__(self, other) -> bool:
        if isinstance(other, DType):
            return self.name == other.name
        return _tf_dtype_name(other) == self.name

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def is_string(self) -> bool:
        return self.name == "string"

    @property
    def is_integer(self) -> bool:
        return self.name in _INTEGER

    @property
    def is_floating(self) -> bool:
        return self.name in _FLOATING

    @property
    def is_bool(self) -> bool:
        return self.name == "bool"

    @property
    def as_numpy_dtype(self) -> type:
        return object if self.is_string else np.dtype(self.name).type

    @property
    def is_unsigned(self) -> bool:
        return self.name.startswith("uint")

    is_complex = False
    is_quantized = False
    is_numpy_compatible = True

    @property
    def size(self) -> int:
        """Bytes per element (0 for strings, as TensorFlow's)."""
        return 0 if self.is_string else np.dtype(self.name).itemsize

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        return self

    @property
    def as_datatype_enum(self) -> int:
        return _ENUM_OF[self.name]

    @property
    def min(self):
        """The smallest value (numpy's ``finfo`` / ``iinfo``, as TensorFlow's)."""
        return self._limit("minimum", lambda info: info.min)

    @property
    def max(self):
        return self._limit("maximum", lambda info: info.max)

    def _limit(self, what: str, pick):
        if self.is_floating:
            return pick(np.finfo(self.as_numpy_dtype))
        if self.is_integer:
            return pick(np.iinfo(self.as_numpy_dtype))
        raise TypeError(f"Cannot find {what} value of {self} with type {self}.")

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"


@attrs.frozen(repr=False, eq=False)
class TextDType(DType):
    """``tf.string`` as a string tensor's ``dtype``, still answering as the numpy dtype
    underneath (``kind``, ``itemsize``, ``np.dtype(x)``), so numpy code keeps working."""

    numpy_dtype: np.dtype = None

    @property
    def dtype(self) -> np.dtype:  # what np.dtype(...) and dtype= arguments read
        return self.numpy_dtype

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self.numpy_dtype, attribute)


_INTEGER = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_FLOATING = ("float16", "float32", "float64")

string = DType("string")
bool_ = DType("bool")
int8, int16, int32, int64 = (DType(n) for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (DType(n) for n in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (DType(n) for n in _FLOATING)

_BY_NAME = {d.name: d for d in (string, bool_, int8, int16, int32, int64, uint8, uint16,
                                 uint32, uint64, float16, float32, float64)}
_ALIASES = {"str": "string", "bytes": "string", "object": "string", "double": "float64",
            "float": "float32", "half": "float16", "int": "int64"}


# TensorFlow's DataType enum numbers (types.proto) and the extra names its as_dtype takes.
_TYPE_ENUM = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
              7: "string", 9: "int64", 10: "bool", 17: "uint16", 19: "float16",
              22: "uint32", 23: "uint64"}
_TF_NAME_ALIASES = {"half": "float16", "float": "float32", "double": "float64"}
_ENUM_OF = {name: number for number, name in _TYPE_ENUM.items()}


def _tf_dtype_name(value) -> str | None:
    """The name of the DType TensorFlow's ``as_dtype(value)`` gives, or None where it
    raises (for equality, which must not raise)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _TYPE_ENUM.get(value)
    if isinstance(value, str):
        key = _TF_NAME_ALIASES.get(value, value)
        return key if key in _BY_NAME else None
    if value is float:
        return "float32"
    if value is bool:
        return "bool"
    if value is object:
        return "string"
    if isinstance(value, type) and not issubclass(value, np.generic):
        return None  # int, str, bytes, ...: not in TensorFlow's table
    if not isinstance(value, (np.dtype, type)):
        value = getattr(value, "dtype", None)  # an array or a tensor
        if value is None:
            return None
    try:
        dtype = as_dtype(value)
    except TypeError:
        return None
    return dtype.name


def as_dtype(value) -> DType:
    """Convert a DType, a dtype name, a numpy dtype or a Python type to a :class:`DType`.

    Raises:
        TypeError: for anything that names no supported element type.
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        key = value.lower()
        key = key.removeprefix("tf.")
        key = _ALIASES.get(key, key)
        if key in _BY_NAME:
            return _BY_NAME[key]
        raise TypeError(f"Cannot convert {value!r} to a dtype; expected one of {sorted(_BY_NAME)}")
    if value is str or value is bytes or value is object:
        return string
    if value is bool:
        return bool_
    if value is int:
        return int64
    if value is float:
        return float32
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to a dtype") from None
    if np_dtype.kind in "USO":
        return string
    if np_dtype.kind == "b":
        return bool_
    if np_dtype.name in _BY_NAME:
        return _BY_NAME[np_dtype.name]
    raise TypeError(f"Cannot convert {value!r} to a dtype")
