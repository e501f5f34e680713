"""``tf.Variable``: a minimal eager variable, for programs that keep a counter or a
table in one around their estimators.

It holds a numpy array of a fixed dtype and shape; :meth:`Variable.assign` and co.
change it in place. Read it with :meth:`~Variable.value` / :meth:`~Variable.numpy`, or
use it where a tensor goes: cannery's tensor functions read its value, arithmetic and
comparisons give EagerTensors (TensorFlow's dtype rules, see :mod:`cannery.math`), and
numpy converts it with ``np.asarray``. As in TensorFlow, a Variable is not a
``tf.Tensor`` (``isinstance``) but ``tf.is_tensor`` says True; it has no ``len()``;
``==`` compares element-wise, so it is not hashable (use :meth:`~Variable.ref`).

Estimators do not use it: their variables live in checkpoints
(``Estimator.get_variable_value``).
"""

from __future__ import annotations

import numpy as np

from cannery.core.dtypes import DType, as_dtype
from cannery.core.eager_tensor import EagerTensor, TensorShape, as_eager, dtype_name

__all__ = ["Variable"]


class Variable:
    """``tf.Variable(initial_value, trainable=None, validate_shape=True, ...,
    name=None, dtype=None, shape=None)``.

    Args:
        initial_value: the value, converted as ``tf.convert_to_tensor(initial_value,
            dtype)`` converts it (a callable is called first).
        trainable: kept as :attr:`trainable` (True unless False is given).
        name: the name without ``:0`` (``"Variable"``); :attr:`name` adds it.
        dtype: the dtype (the value's own when None).
        shape: accepted for TensorFlow's signature; the shape is the value's.

    Raises:
        ValueError: no ``initial_value``.
    """

    __array_ufunc__ = None  # numpy defers to the operators below (v + array -> tensor)

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, synchronization=None,
                 aggregation=None, shape=None, experimental_enable_variable_lifting=True):
        from cannery.math import convert_to_tensor

        if initial_value is None:
            raise ValueError("The `initial_value` arg to `tf.Variable` must be specified except "
                             "when you are not providing a `variable_def`. You provided "
                             "neither.")
        if callable(initial_value):
            initial_value = initial_value()
        value = convert_to_tensor(_read(initial_value), dtype=dtype)
        self._value = np.array(value)
        self._name = f"{name or 'Variable'}:0"
        self._trainable = True if trainable is None else bool(trainable)
        self._constraint = constraint

    # -- reading ---------------------------------------------------------------------------
    def value(self) -> EagerTensor:
        """The current value, as an EagerTensor (a copy: later assigns do not change it)."""
        return as_eager(self._value.copy())

    read_value = value

    def numpy(self):
        """The current value as a numpy array (a numpy scalar for a 0-d variable)."""
        return self.value().numpy()

    def __array__(self, dtype=None, copy=None):
        array = self._value.copy()
        return array if dtype is None else array.astype(dtype)

    @property
    def dtype(self) -> DType:
        return as_dtype(self._value.dtype)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def name(self) -> str:
        return self._name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def device(self) -> str:
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def initial_value(self) -> EagerTensor:
        return self.value()

    def ref(self):
        """A hashable reference to this variable (``Variable.ref()``), usable as a key."""
        return _Reference(self)

    # -- writing ---------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Set the value (converted to the variable's dtype; the shape must match).

        Returns:
            The variable, or None when ``read_value`` is False.

        Raises:
            ValueError: another shape (TensorFlow's message), or an EagerTensor of another
                dtype.
            TypeError: a Python value the dtype cannot hold.
        """
        new = self._converted(value)
        if new.shape != self._value.shape:
            raise ValueError(
                f"Cannot assign value to variable ' {self._name}': Shape mismatch.The variable "
                f"shape {self._value.shape}, and the assigned value shape {new.shape} are "
                "incompatible.")
        self._value[...] = new
        return self if read_value else None

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        """Add ``delta`` (see :meth:`assign`)."""
        from cannery.math import add

        return self.assign(add(self.value(), self._converted(delta)), read_value=read_value)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        """Subtract ``delta`` (see :meth:`assign`)."""
        from cannery.math import subtract

        return self.assign(subtract(self.value(), self._converted(delta)),
                           read_value=read_value)

    def _converted(self, value) -> np.ndarray:
        from cannery.math import convert_to_tensor

        return np.asarray(convert_to_tensor(_read(value), dtype=self.dtype))

    # -- behaving like its value -----------------------------------------------------------
    def __getitem__(self, key):
        return self.value()[key]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return iter(self.value())

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return int(self._value)

    def __bool__(self):
        return bool(self._value)

    def __repr__(self) -> str:
        text = self.value()._numpy_text(True)
        return (f"<tf.Variable '{self._name}' shape={self.shape} dtype="
                f"{dtype_name(self._value)}, numpy={text}>")

    __str__ = __repr__

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self!r})")


def _read(value):
    return value.value() if isinstance(value, Variable) else value


class _Reference:
    """What :meth:`Variable.ref` returns: hashable by identity; ``deref()`` gives the
    variable back."""

    __slots__ = ("_variable",)

    def __init__(self, variable):
        self._variable = variable

    def deref(self):
        return self._variable

    def __hash__(self):
        return id(self._variable)

    def __eq__(self, other):
        return isinstance(other, _Reference) and other._variable is self._variable


def _operator(function_name: str, reflected: bool = False):
    def method(self, other):
        from cannery import math

        function = getattr(math, function_name)
        if reflected:
            return function(math.convert_to_tensor(_read(other), dtype_hint=self.dtype),
                            self.value())
        return function(self.value(), _read(other))

    method.__name__ = function_name
    return method


for _name, _function in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                         ("truediv", "truediv"), ("floordiv", "floordiv"), ("mod", "floormod"),
                         ("pow", "pow")):
    setattr(Variable, f"__{_name}__", _operator(_function))
    setattr(Variable, f"__r{_name}__", _operator(_function, reflected=True))
for _name, _function in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                         ("ge", "greater_equal"), ("eq", "equal"), ("ne", "not_equal")):
    setattr(Variable, f"__{_name}__", _operator(_function))


def _matmul(self, other):
    from cannery.ops import matmul

    return matmul(self.value(), _read(other))


def _rmatmul(self, other):
    from cannery.ops import matmul

    return matmul(other, self.value())


Variable.__matmul__ = _matmul
Variable.__rmatmul__ = _rmatmul
Variable.__neg__ = lambda self: as_eager(-self._value)
Variable.__abs__ = lambda self: as_eager(np.abs(self._value))
Variable.__pos__ = lambda self: self.value()
