"""What TensorFlow's eager functions hand back: arrays with ``.numpy()``, and TensorSpecs.

Programs written for TensorFlow call ``.numpy()`` on what a loaded SavedModel's
signature or ``tf.io.parse_example`` returns. :class:`EagerTensor` is a numpy array
with that method (and TensorFlow's ``repr``), so it also works wherever an array does.
:class:`TensorSpec` describes a signature's inputs and outputs.
"""

from __future__ import annotations

import numpy as np

from cannery.core.dtypes import DType, TextDType, as_dtype

__all__ = ["EagerTensor", "SparseTensorSpec", "TensorShape", "TensorSpec", "as_eager",
           "dtype_name"]


class TensorShape(tuple):
    """TensorFlow's ``tf.TensorShape`` for a known rank: a tuple of ints (None for an
    unknown size) with ``as_list``, ``rank``/``ndims`` and ``num_elements``.

    It stays a tuple, so numpy and comparisons with tuples work; ``str`` is the tuple's
    text (``(2, 3)``) and ``repr`` TensorFlow's (``TensorShape([2, 3])``).
    """

    __slots__ = ()

    def __new__(cls, dims=()):
        return super().__new__(cls, (None if d is None else int(d) for d in dims))

    @property
    def rank(self) -> int:
        return len(self)

    ndims = rank

    @property
    def dims(self) -> list:
        return list(self)

    def as_list(self) -> list:
        return list(self)

    def num_elements(self):
        """The number of elements, or None if a size is unknown."""
        if any(d is None for d in self):
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self) -> bool:
        return all(d is not None for d in self)

    def __getitem__(self, key):
        item = super().__getitem__(key)
        return TensorShape(item) if isinstance(key, slice) else item

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        return tuple.__repr__(self)


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
    ``.dtype`` stays numpy's (``float32``, ``int64``, ``object``; it compares equal to
    ``tf.float32`` and co.); ``.shape`` is a :class:`TensorShape` (a tuple). Indexing (or iterating) one element
    out gives a 0-d EagerTensor, as TensorFlow gives a 0-d tensor.
    Arithmetic operators are numpy's (TensorFlow's refuse two different dtypes).
    """

    @property
    def dtype(self):
        """numpy's dtype, except for strings: ``tf.string`` (a :class:`TextDType`, whose
        ``name`` is ``"string"`` and which still answers numpy's dtype attributes)."""
        dtype = np.ndarray.dtype.__get__(self)
        return TextDType("string", dtype) if dtype.kind in "OSU" else dtype

    @dtype.setter
    def dtype(self, value):
        np.ndarray.dtype.__set__(self, value)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(np.ndarray.shape.__get__(self))

    @shape.setter
    def shape(self, value):
        np.ndarray.shape.__set__(self, value)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        """TensorFlow's eager ``Tensor.set_shape``: a shape is already known, so this only
        checks that ``shape`` (None, a list or a TensorShape; None for an unknown size)
        is compatible with it, and raises ValueError if not."""
        dims = None if shape is None else getattr(shape, "dims", shape)
        own = self.shape
        if dims is not None:
            dims = [None if d is None else int(getattr(d, "value", d)) for d in dims]
            if len(dims) != len(own) or any(d is not None and d != o
                                             for d, o in zip(dims, own)):
                raise ValueError(f"Tensor's shape {own} is not compatible with supplied "
                                 f"shape {shape}.")

    def numpy(self):
        """A copy of the values as a plain numpy array, as ``Tensor.numpy()`` returns
        one; for shape ``()`` the numpy scalar (``bytes`` for a string)."""
        array = _as_tf_strings(self.view(np.ndarray))
        return array[()] if array.ndim == 0 else array.copy()

    def __getitem__(self, key):
        item = super().__getitem__(key)
        if isinstance(item, np.ndarray):
            return item
        # one element: TensorFlow gives a 0-d tensor (a string one's .numpy() is bytes)
        scalar = np.empty((), dtype=np.ndarray.dtype.__get__(self))
        scalar[()] = item
        return scalar.view(EagerTensor)

    def _numpy_text(self, is_repr: bool) -> str:
        # TensorFlow 2.15 prints with numpy 1.x, whose scalar repr is "1.5" (numpy 2's
        # is "np.float32(1.5)"); a multi-line text starts on a new line.
        value = self.numpy() if self.ndim == 0 else _as_tf_strings(self.view(np.ndarray))
        with np.printoptions(legacy="1.25"):
            text = repr(value) if is_repr else str(value)
        return "\n" + text if "\n" in text else text

    def __repr__(self) -> str:
        return (f"<tf.Tensor: shape={self.shape}, dtype={dtype_name(self)}, "
                f"numpy={self._numpy_text(True)}>")

    def __str__(self) -> str:
        return (f"tf.Tensor({self._numpy_text(False)}, shape={self.shape}, "
                f"dtype={dtype_name(self)})")


def _as_tf_strings(array: np.ndarray) -> np.ndarray:
    """``array`` with numpy text (``U``, ``S``) as an object array of ``bytes`` (UTF-8),
    the form TensorFlow's string tensors give; any other array as it is.

    A batch the input pipeline slices from a numpy ``U`` column stays text internally
    (the hashing kernels read it in place); only what a user sees is converted.
    """
    kind = array.dtype.kind
    if kind == "U":
        out = np.empty(array.shape, dtype=object)
        out.reshape(-1)[:] = [text.encode("utf-8") for text in array.reshape(-1).tolist()]
        return out
    if kind == "S":
        return array.astype(object)
    return array


def as_eager(value) -> EagerTensor:
    """``value`` (an array) as an :class:`EagerTensor` sharing its memory."""
    return np.asarray(value).view(EagerTensor)


class TensorSpec:
    """TensorFlow's ``tf.TensorSpec``: the shape (None for any size), dtype and name of
    a signature's input or output."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = TensorShape(shape)
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


class SparseTensorSpec:
    """TensorFlow's ``tf.SparseTensorSpec``: the dense shape (None for any size) and the
    values' dtype of a SparseTensor."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape=None, dtype="float32"):
        self.shape = TensorShape(() if shape is None else shape)
        self.dtype: DType = as_dtype(dtype)

    def __eq__(self, other):
        if not isinstance(other, SparseTensorSpec):
            return NotImplemented
        return (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self) -> str:
        return f"SparseTensorSpec({self.shape!r}, {self.dtype!r})"
