"""What TensorFlow's eager functions hand back: arrays with ``.numpy()``, and TensorSpecs.

Programs written for TensorFlow call ``.numpy()`` on what a loaded SavedModel's
signature or ``tf.io.parse_example`` returns. :class:`EagerTensor` is a numpy array
with that method (and TensorFlow's ``repr``), so it also works wherever an array does.
:class:`TensorSpec` describes a signature's inputs and outputs.
"""

from __future__ import annotations

import numpy as np

from cannery.core.dtypes import DType, as_dtype

__all__ = ["EagerTensor", "TensorSpec", "as_eager", "dtype_name"]


def dtype_name(array) -> str:
    """TensorFlow's name of an array's dtype (``string`` for bytes and text)."""
    kind = array.dtype.kind
    if kind in "OSU":
        return "string"
    if kind == "b":
        return "bool"
    return array.dtype.name


class EagerTensor(np.ndarray):
    """A numpy array that answers ``.numpy()`` like a TensorFlow eager tensor.

    Strings are object arrays of ``bytes``, as ``Tensor.numpy()`` gives them.
    ``.dtype`` stays numpy's (``float32``, ``int64``, ``object``); ``.shape`` is a tuple.
    """

    def numpy(self) -> np.ndarray:
        """The values as a plain numpy array (a view, not a copy)."""
        return self.view(np.ndarray)

    def __repr__(self) -> str:
        array = self.view(np.ndarray)
        return (f"<tf.Tensor: shape={self.shape}, dtype={dtype_name(self)}, "
                f"numpy={np.array_repr(array)}>")

    def __str__(self) -> str:
        text = np.array_str(self.view(np.ndarray))
        sep = "\n" if "\n" in text else ""
        return f"tf.Tensor({sep}{text}, shape={self.shape}, dtype={dtype_name(self)})"


def as_eager(value) -> EagerTensor:
    """``value`` (an array) as an :class:`EagerTensor` sharing its memory."""
    return np.asarray(value).view(EagerTensor)


class TensorSpec:
    """TensorFlow's ``tf.TensorSpec``: the shape (None for any size), dtype and name of
    a signature's input or output."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype: DType = as_dtype(dtype)
        self.name = name

    def __eq__(self, other):
        if not isinstance(other, TensorSpec):
            return NotImplemented
        return (self.shape, self.dtype, self.name) == (other.shape, other.dtype, other.name)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self) -> str:
        name = "None" if self.name is None else repr(self.name)
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={name})"
