"""``tf.math`` on numpy arrays, for the functions estimator code writes by hand.

Feature columns hand their ``normalizer_fn`` numpy arrays, and input functions build
their features with numpy, so ``normalizer_fn=tf.math.log1p`` or
``lambda x: tf.math.maximum(x, 0.0)`` keep working after ``import cannery as tf``.

Every function returns an :class:`~cannery.core.eager_tensor.EagerTensor` (a numpy
array with ``.numpy()``; reductions give 0-d ones), and follows TensorFlow's dtype rules
rather than numpy's: a Python number or list becomes a tensor the way
``tf.convert_to_tensor`` makes one (floats float32, ints int32, text an object array of
``bytes`` kept whole; a list's kind comes from its first element, so numpy float64
scalars or arrays inside a list keep float64; a Python float given an explicit float64
dtype converts straight to it), an array keeps its dtype, a binary operation converts the other
operands to the first EagerTensor's dtype (else the first operand's; ``tf.add`` and the
divisions use ``x``'s as a hint only), two EagerTensors of different dtypes are refused
with the kernel's message, and functions defined only on floats refuse integers. The
float32 results are numpy's, which may differ from TensorFlow's own float32 kernels by
one unit in the last place.

Beyond the element-wise functions this module has the rest of ``tf.math`` that programs
call on predictions and in input functions (argmax, top_k, in_top_k, confusion_matrix,
bincount, softmax, the segment reductions, cumsum ...), with TensorFlow 2.15's
signatures, output dtypes and errors (a kernel refusing a dtype raises
:class:`~cannery.errors.InvalidArgumentError` with the kernel's list of allowed types).
"""

from __future__ import annotations

import numpy as np

from cannery.core.dtypes import as_dtype
from cannery.core.eager_tensor import EagerTensor, TensorShape, as_eager
from cannery.core.tensors import SparseTensor
from cannery.errors import InvalidArgumentError, NotFoundError, UnimplementedError

__all__ = [
    "abs", "add", "ceil", "divide", "divide_no_nan", "equal", "exp", "expm1", "floor",
    "floordiv", "greater", "greater_equal", "is_finite", "is_inf", "is_nan", "less",
    "less_equal", "log", "log1p", "log_sigmoid", "logical_and", "logical_not", "logical_or",
    "maximum", "minimum", "multiply", "negative", "not_equal", "pow", "reciprocal",
    "reduce_max", "reduce_mean", "reduce_min", "reduce_sum", "round", "rsqrt", "sigmoid",
    "sign", "softplus", "sqrt", "square", "squared_difference", "subtract", "tanh",
    "truediv",
    # the rest of tf.math programs call around estimators
    "acos", "acosh", "add_n", "argmax", "argmin", "asin", "asinh", "atan", "atan2", "atanh",
    "bincount", "confusion_matrix", "cos", "cosh", "count_nonzero", "cumprod", "cumsum",
    "digamma", "erf", "erfc", "floormod", "in_top_k", "is_non_decreasing",
    "is_strictly_increasing", "l2_normalize", "lgamma", "log_softmax", "logical_xor", "mod",
    "multiply_no_nan", "polyval", "realdiv", "reciprocal_no_nan", "reduce_all", "reduce_any",
    "reduce_euclidean_norm", "reduce_logsumexp", "reduce_prod", "reduce_std",
    "reduce_variance", "rint", "scalar_mul", "segment_max", "segment_mean", "segment_min",
    "segment_prod", "segment_sum", "sin", "sinh", "softmax", "tan", "top_k",
    "unsorted_segment_max", "unsorted_segment_mean", "unsorted_segment_min",
    "unsorted_segment_prod", "unsorted_segment_sum", "xdivy", "xlogy", "zero_fraction",
]


class DtypeError(TypeError, InvalidArgumentError):
    """A text array where a number is expected, or the reverse.

    Where TensorFlow's own error is known, cannery raises that instead: ``TypeError``
    for a Python value a dtype cannot hold, ``InvalidArgumentError`` when a kernel
    refuses a dtype or two tensors of different dtypes.
    """


def to_array(value, dtype=None) -> EagerTensor:
    """``value`` as an :class:`EagerTensor` with the dtype ``tf.convert_to_tensor`` would
    give it.

    Python floats become float32, ints int32 (int64 when one does not fit), text an
    object array of ``bytes`` (``str`` encoded as UTF-8, ``bytes`` kept whole: numpy's
    fixed-width bytes dtype would drop trailing NUL bytes); an array keeps its dtype
    (text arrays become ``bytes`` too). An empty list takes ``dtype`` when one is given.

    Raises:
        TypeError: a string given for a numeric ``dtype``, a number for ``string``, or a
            Python float for an integer ``dtype``.
        ValueError: ``None``, a non-rectangular list, or a list mixing text and numbers
            (TensorFlow's messages).
    """
    if dtype is not None:
        return as_eager(convert_like(value, as_dtype(dtype).as_numpy_dtype))
    return as_eager(_natural(value))


def _natural(value) -> np.ndarray:
    """``value`` as a plain array in ``convert_to_tensor``'s dtype (see :func:`to_array`)."""
    value = _unvar(value)
    if isinstance(value, np.ndarray):
        return _text(value) if value.dtype.kind in "USO" else value
    if isinstance(value, np.generic):
        return _text(np.asarray(value)) if value.dtype.kind in "US" else np.asarray(value)
    if isinstance(value, (bytes, str)):
        array = np.empty((), dtype=object)
        array[()] = value.encode("utf-8") if isinstance(value, str) else value
        return array
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    try:
        array = np.asarray(value)
    except ValueError:  # numpy: "inhomogeneous shape"
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
    kind = array.dtype.kind
    if kind == "f":
        # TensorFlow infers a sequence's dtype from its first element: numpy float64
        # (or float16) keeps it, a Python float or numpy float32 makes float32
        first = _first_leaf(value)
        if isinstance(first, (np.float64, np.float16)):
            return np.asarray(value, dtype=first.dtype)
        return array.astype(np.float32)
    if kind in "iu":
        info = np.iinfo(np.int32)
        if array.size and (array.min() < info.min or array.max() > info.max):
            return array.astype(np.int64)
        return array.astype(np.int32)
    if kind in "USO":
        # Rebuilt from the Python values: numpy's U/S copies are fixed width and drop
        # trailing NULs, and a U array hides numbers mixed in with text.
        objects = np.array(value, dtype=object)
        if kind == "O" and not any(isinstance(v, (bytes, str)) for v in objects.reshape(-1)):
            return array  # Python objects that are not text: left as they are
        if objects.shape != array.shape or not all(
                isinstance(v, (bytes, str)) for v in objects.reshape(-1)):
            raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
        return _text(objects)
    return array


def _first_leaf(value):
    """The element TensorFlow samples to infer a nested sequence's dtype: the first one,
    all the way down (a 0-d array as its scalar)."""
    while isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, (str, bytes)):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return value[()]
        if len(value) == 0:
            return None
        value = value[0]
    return value


def _text(array: np.ndarray) -> np.ndarray:
    """A text array (U, S, or object of str/bytes) as an object array of ``bytes``;
    an object array holding anything else is returned as it is."""
    if array.dtype.kind == "S":
        return array.astype(object)
    flat = array.reshape(-1).tolist()
    if array.dtype.kind == "O" and not all(isinstance(v, (bytes, str)) for v in flat):
        return array
    out = np.empty(array.shape, dtype=object)
    out.reshape(-1)[:] = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in flat]
    return out


def cast(x, dtype, name=None) -> EagerTensor:
    """``tf.cast``: ``x`` is converted as ``tf.convert_to_tensor`` converts it (a Python
    float is float32 first), then cast; floats to integers truncate toward zero.

    Raises:
        cannery.errors.UnimplementedError: a cast from or to strings (TensorFlow's
            ``Cast string to ... is not supported``).
    """
    target = as_dtype(dtype)
    if isinstance(x, SparseTensor):
        return SparseTensor(x.indices, cast(x.values, target), x.dense_shape)
    array = to_array(x)
    if target.is_string or array.dtype.kind in "USO":
        if target.is_string and array.dtype.kind in "USO":
            return array
        raise UnimplementedError(f"Cast {_tf_type(array.dtype)} to "
                                 f"{_tf_type(target.as_numpy_dtype)} is not supported "
                                 "[Op:Cast] name: ")
    return as_eager(array.astype(target.as_numpy_dtype))


# TensorFlow's ops of the float-only functions, and the dtypes their kernels list
_FLOAT_OPS = {"exp": "Exp", "expm1": "Expm1", "log": "Log", "log1p": "Log1p", "sqrt": "Sqrt",
              "rsqrt": "Rsqrt", "reciprocal": "Reciprocal", "sigmoid": "Sigmoid",
              "tanh": "Tanh", "softplus": "Softplus", "log_sigmoid": "Softplus",
              "floor": "Floor", "ceil": "Ceil", "is_nan": "IsNan", "is_inf": "IsInf",
              "is_finite": "IsFinite"}
_REAL_ONLY = ("softplus", "log_sigmoid", "floor", "ceil", "is_nan", "is_inf", "is_finite")


def _float_operand(function: str, x) -> np.ndarray:
    """``x`` for a function defined on floats only.

    Raises:
        cannery.errors.InvalidArgumentError: any other dtype (TensorFlow's kernel message).
        cannery.errors.NotFoundError: integers for ``reciprocal`` (TensorFlow has their
            kernel on GPUs only).
    """
    array = to_array(x)
    if array.dtype.kind not in "fc":
        op = _FLOAT_OPS[function]
        if op == "Reciprocal" and array.dtype.kind in "iu":  # an integer kernel, GPU only
            raise NotFoundError(f"tf.math.{function}: Could not find device for node: "
                                f"{{{{node {op}}}}} = {op}[T=DT_{array.dtype.name.upper()}]")
        allowed = ("half, bfloat16, float, double" if op == "Softplus" else
                   "bfloat16, half, float, double" + (
                       "" if function in _REAL_ONLY else ", complex64, complex128"))
        raise InvalidArgumentError(
            f"tf.math.{function}: Value for attr 'T' of {_tf_type(array.dtype)} is not in "
            f"the list of allowed values: {allowed} [Op:{op}]")
    return array


# TensorFlow's op behind each function (named in its kernel's dtype errors).
_OPS = {"add": "AddV2", "subtract": "Sub", "multiply": "Mul", "maximum": "Maximum",
        "minimum": "Minimum", "pow": "Pow", "floordiv": "FloorDiv",
        "squared_difference": "SquaredDifference", "equal": "Equal", "not_equal": "NotEqual",
        "greater": "Greater", "greater_equal": "GreaterEqual", "less": "Less",
        "less_equal": "LessEqual", "logical_and": "LogicalAnd", "logical_or": "LogicalOr",
        "where": "SelectV2", "concat": "ConcatV2", "stack": "Pack"}
# ops whose eager error message ends with the op's name, as TensorFlow's do
_OP_ERROR_NAMES = {"SelectV2": None, "ConcatV2": "concat", "Pack": "stack"}


def _kernel_error(op: str, index: int, expected, actual,
                  with_name: bool | None = None) -> InvalidArgumentError:
    """TensorFlow's error for a kernel given tensors of two dtypes (its message ends with
    `` name: `` and the op's name, unless ``with_name`` is False: TensorFlow leaves it
    out of SelectV2's message for input #2)."""
    suffix = _OP_ERROR_NAMES.get(op, "")
    if with_name is None:
        with_name = suffix is not None
    return InvalidArgumentError(
        f"cannot compute {op} as input #{index}(zero-based) was expected to be a "
        f"{_tf_type(expected)} tensor but is a {_tf_type(actual)} tensor [Op:{op}]"
        + (f" name: {suffix or ''}" if with_name else ""))


def _tf_type(dtype) -> str:
    name = "string" if np.dtype(dtype).kind in "USO" else np.dtype(dtype).name
    return {"float32": "float", "float64": "double", "float16": "half"}.get(name, name)


def _matching(function: str, values, first_index: int = 0) -> list[np.ndarray]:
    """``values`` in one dtype, as TensorFlow's generated ops convert their inputs
    (``args_to_matching_eager``).

    The dtype is the first EagerTensor's, else the first value's as ``convert_to_tensor``
    makes it; the other values are converted to it: arrays are cast (floats truncate
    into integers, as TensorFlow's Cast does), a Python value must fit it (a float
    never converts to an integer), and an EagerTensor of another dtype is refused.

    Raises:
        cannery.errors.InvalidArgumentError: an EagerTensor of another dtype
            (TensorFlow's kernel message, the input counted from ``first_index``).
        TypeError: a Python value that does not fit (``Cannot convert ...``).
    """
    op = _OPS[function]
    values = [_unvar(v) for v in values]
    tensor = next((v for v in values if isinstance(v, EagerTensor)), None)
    if tensor is None:
        first = to_array(values[0])
        dtype = first.dtype
        return [first] + [convert_like(v, dtype, function) for v in values[1:]]
    dtype = tensor.dtype
    out = []
    for index, value in enumerate(values):
        if isinstance(value, EagerTensor):
            if value.dtype != dtype:
                raise _kernel_error(op, first_index + index, dtype, value.dtype)
            out.append(_natural(value))
        else:
            out.append(convert_like(value, dtype, function))
    return out


def _tf_name(dtype) -> str:
    return "string" if np.dtype(dtype).kind in "USO" else np.dtype(dtype).name


def _operands(function: str, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Both operands in one dtype, as TensorFlow's eager ops convert them (see
    :func:`_matching`)."""
    a, b = _matching(function, [x, y])
    return a, b


def _hinted(function: str, x, y, op: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``x`` converted as it is, ``y`` with ``x``'s dtype as a hint, as ``tf.math.add``
    and the divisions convert them; a ``y`` that cannot take the hint keeps its own dtype.

    Raises:
        cannery.errors.InvalidArgumentError: the two end in different dtypes and ``op``
            names the kernel (its message).
        TypeError: the two end in different dtypes and there is no ``op`` (the
            divisions' ``x and y must have the same dtype``).
    """
    a = to_array(x)
    b = converted_with_hint(y, a.dtype, function)
    if a.dtype != b.dtype:
        if op is not None:
            raise _kernel_error(op, 1, a.dtype, b.dtype)
        raise TypeError(f"`x` and `y` must have the same dtype, got tf.{_tf_name(a.dtype)} "
                         f"!= tf.{_tf_name(b.dtype)}.")
    return a, b


def converted_with_hint(value, dtype, function: str) -> np.ndarray:
    """A second operand converted with the first's ``dtype`` as a hint, as TensorFlow's
    binary ops convert it: a tensor keeps its dtype, and so does a value that cannot
    take the hint (the caller then reports the mismatch)."""
    value = _unvar(value)
    if isinstance(value, EagerTensor):
        return _natural(value)
    try:
        return convert_like(value, dtype, function)
    except (TypeError, ValueError):
        return _natural(value)


def convert_like(value, dtype, function: str = "convert_to_tensor") -> np.ndarray:
    """``value`` in ``dtype``: arrays are cast, Python floats refuse integer dtypes.

    Raises:
        TypeError: a Python float (or list of them) for an integer or bool dtype, or a
            string for a number (TensorFlow's ``Cannot convert ... to EagerTensor``).
    """
    dtype = np.dtype(dtype)
    value = _unvar(value)
    if isinstance(value, (np.ndarray, np.generic)):
        array = _natural(value)
        if (array.dtype.kind in "USO") != (dtype.kind in "USO"):
            raise DtypeError(f"tf.math.{function}: cannot use a {_tf_name(array.dtype)} "
                             f"tensor where {_tf_name(dtype)} is expected")
        return array if dtype.kind in "USO" else array.astype(dtype, copy=False)
    natural = _natural(value)
    if natural.size == 0 and not isinstance(value, (bytes, str)):
        return np.empty(natural.shape, dtype)  # [] or [[]]: no value to refuse the dtype
    if dtype.kind in "USO":
        if natural.dtype.kind not in "USO":
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype string")
        return natural
    if natural.dtype.kind in "USO" or (natural.dtype.kind in "fc" and dtype.kind in "iub") or (
            natural.dtype.kind in "iu" and dtype.kind == "b"):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    if natural.dtype.kind == "f" and dtype.kind == "f":
        # Python floats convert straight to dtype (0.1 as float64 is 0.1, not float32's)
        return np.asarray(value, dtype=np.float64).astype(dtype)
    return natural.astype(dtype)


def _unary_float(name, numpy_function, predicate=False):
    def function(x, name=None):
        array = _float_operand(function.__name__, x)
        result = np.asarray(numpy_function(array))
        return as_eager(result if predicate else result.astype(array.dtype, copy=False))

    function.__name__ = name
    function.__doc__ = f"``tf.math.{name}`` (floating point inputs only)."
    return function


def _unary(name, numpy_function):
    def function(x, name=None):
        array = to_array(x)
        return as_eager(numpy_function(array))

    function.__name__ = name
    function.__doc__ = f"``tf.math.{name}``."
    return function


def _binary(name, numpy_function):
    def function(x, y, name=None):
        a, b = _operands(function.__name__, x, y)
        return as_eager(numpy_function(a, b))

    function.__name__ = name
    function.__doc__ = f"``tf.math.{name}`` (both operands of one dtype)."
    return function


def _rsqrt(x):
    return 1 / np.sqrt(x)


def _sigmoid(x):
    # exp(-|x|) never overflows; both branches of the logistic come from it.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):
    return np.logaddexp(np.zeros_like(x), x)


def _log_sigmoid(x):
    return -_softplus(-x)


abs = _unary("abs", np.abs)  # noqa: A001 - TensorFlow's name
negative = _unary("negative", np.negative)
sign = _unary("sign", np.sign)
square = _unary("square", np.square)
exp = _unary_float("exp", np.exp)
expm1 = _unary_float("expm1", np.expm1)
log = _unary_float("log", np.log)
log1p = _unary_float("log1p", np.log1p)
sqrt = _unary_float("sqrt", np.sqrt)
rsqrt = _unary_float("rsqrt", _rsqrt)
reciprocal = _unary_float("reciprocal", np.reciprocal)
sigmoid = _unary_float("sigmoid", _sigmoid)
tanh = _unary_float("tanh", np.tanh)
softplus = _unary_float("softplus", _softplus)
log_sigmoid = _unary_float("log_sigmoid", _log_sigmoid)
floor = _unary_float("floor", np.floor)
ceil = _unary_float("ceil", np.ceil)
round = _unary("round", np.round)  # noqa: A001 - half to even, as TensorFlow rounds
is_nan = _unary_float("is_nan", np.isnan, predicate=True)
is_inf = _unary_float("is_inf", np.isinf, predicate=True)
is_finite = _unary_float("is_finite", np.isfinite, predicate=True)


def logical_not(x, name=None) -> EagerTensor:
    """``tf.math.logical_not`` of bools.

    Raises:
        cannery.errors.InvalidArgumentError: a tensor that is not bool (the kernel's
            message).
        TypeError: Python numbers (they do not convert to bool).
    """
    x = _unvar(x)
    if isinstance(x, EagerTensor) and x.dtype != np.bool_:
        raise _kernel_error("LogicalNot", 0, np.bool_, x.dtype, with_name=True)
    return as_eager(np.logical_not(convert_like(x, np.bool_, "logical_not")))


def add(x, y, name=None) -> EagerTensor:
    """``tf.math.add``: ``x`` as it is, ``y`` converted to ``x``'s dtype where it can be.

    Raises:
        cannery.errors.InvalidArgumentError: the two have different dtypes (TensorFlow's
            ``AddV2`` kernel message).
    """
    a, b = _hinted("add", x, y, op="AddV2")
    if a.dtype.kind in "USO":  # tf.add of strings concatenates them
        return as_eager(np.frompyfunc(lambda u, v: u + v, 2, 1)(a, b).astype(object))
    return as_eager(np.add(a, b))


subtract = _binary("subtract", np.subtract)
multiply = _binary("multiply", np.multiply)
maximum = _binary("maximum", np.maximum)
minimum = _binary("minimum", np.minimum)
pow = _binary("pow", np.power)  # noqa: A001 - TensorFlow's name
floordiv = _binary("floordiv", np.floor_divide)
squared_difference = _binary("squared_difference", lambda a, b: np.square(a - b))
equal = _binary("equal", np.equal)
not_equal = _binary("not_equal", np.not_equal)
greater = _binary("greater", np.greater)
greater_equal = _binary("greater_equal", np.greater_equal)
less = _binary("less", np.less)
less_equal = _binary("less_equal", np.less_equal)
def _logical(name, op, numpy_function):
    def function(x, y, name=None):
        operands = []
        for index, value in enumerate((x, y)):
            value = _unvar(value)
            if isinstance(value, EagerTensor) and value.dtype != np.bool_:
                raise _kernel_error(op, index, np.bool_, value.dtype, with_name=True)
            operands.append(convert_like(value, np.bool_, function.__name__))
        return as_eager(numpy_function(*operands))

    function.__name__ = name
    function.__doc__ = (f"``tf.math.{name}`` of bools (TensorFlow's kernel refuses other "
                        "tensors; Python numbers do not convert to bool).")
    return function


logical_and = _logical("logical_and", "LogicalAnd", np.logical_and)
logical_or = _logical("logical_or", "LogicalOr", np.logical_or)


# TensorFlow's _TRUEDIV_TABLE: integers divide in this float type; floats as they are.
_TRUEDIV = {"uint8": np.float32, "int8": np.float32, "uint16": np.float32,
            "int16": np.float32, "uint32": np.float64, "int32": np.float64,
            "uint64": np.float64, "int64": np.float64, "float16": None, "float32": None,
            "float64": None, "complex64": None, "complex128": None}


def _division_operands(function: str, x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` converted as TensorFlow's divisions convert them, in the float type
    they divide in.

    ``y`` is converted with ``x``'s dtype as a hint (see :func:`_hinted`); except in
    ``divide`` and ``divide_no_nan``, where a non-tensor ``x`` beside an EagerTensor ``y``
    takes ``y``'s dtype first.

    Raises:
        TypeError: different dtypes, or one no division takes (bool, string).
    """
    x, y = _unvar(x), _unvar(y)
    if function != "truediv" and isinstance(y, EagerTensor) and not isinstance(x, EagerTensor):
        a = as_eager(convert_like(x, y.dtype, function))
        b = _natural(y)
    else:
        a, b = _hinted(function, x, y)
    name = _tf_name(a.dtype)
    if name not in _TRUEDIV:
        where = "tf.math.divide_no_nan" if function == "divide_no_nan" else "__truediv__"
        raise TypeError(f"Invalid dtype tf.{name} in {where}. Expected one of "
                        f"{{{', '.join('tf.' + key for key in _TRUEDIV)}}}.")
    target = _TRUEDIV[name]
    if target is not None:
        a, b = a.astype(target), b.astype(target)
    return a, b


def truediv(x, y, name=None) -> EagerTensor:
    """``tf.math.truediv``: integers divide as float64 (8- and 16-bit ones as float32),
    like TensorFlow.

    Raises:
        TypeError: ``x`` and ``y`` of different dtypes, or bools or strings (TensorFlow's
            messages).
    """
    return as_eager(np.true_divide(*_division_operands("truediv", x, y)))


def divide(x, y, name=None) -> EagerTensor:
    """``tf.math.divide``, which is :func:`truediv`.

    Raises:
        TypeError: as :func:`truediv`.
    """
    return as_eager(np.true_divide(*_division_operands("divide", x, y)))


def divide_no_nan(x, y, name=None) -> EagerTensor:
    """``x / y``, and 0 where ``y`` is 0; integers divide as :func:`truediv` does.

    Raises:
        TypeError: as :func:`truediv`.
    """
    a, b = _division_operands("divide_no_nan", x, y)
    safe = np.where(b == 0, np.ones_like(b), b)
    return as_eager(np.where(b == 0, np.zeros_like(a), a / safe))


# the dtypes TensorFlow's reductions take, as its error lists them
_REDUCIBLE = ("float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, "
              "qint32, bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64")
_REDUCE_OPS = {"reduce_sum": "Sum", "reduce_max": "Max", "reduce_min": "Min",
               "reduce_mean": "Mean"}


def _numeric_operand(function: str, x) -> np.ndarray:
    """``x`` for a reduction, which refuses strings (TensorFlow's message)."""
    array = to_array(x)
    if array.dtype.kind in "USO":
        raise InvalidArgumentError(
            f"tf.math.{function}: Value for attr 'T' of string is not in the list of allowed "
            f"values: {_REDUCIBLE} [Op:{_REDUCE_OPS[function]}]")
    return array


def _reduce(name, numpy_function):
    def function(input_tensor, axis=None, keepdims=False, name=None):
        array = _numeric_operand(function.__name__, input_tensor)
        if isinstance(axis, list):
            axis = tuple(axis)
        return as_eager(numpy_function(array, axis, keepdims))

    function.__name__ = name
    function.__doc__ = f"``tf.math.{name}`` over ``axis`` (all axes when None)."
    return function


def _sum(array, axis, keepdims):
    return np.sum(array, axis=axis, keepdims=keepdims, dtype=array.dtype)


reduce_sum = _reduce("reduce_sum", _sum)
reduce_max = _reduce("reduce_max", lambda a, axis, keepdims: np.max(a, axis, keepdims=keepdims))
reduce_min = _reduce("reduce_min", lambda a, axis, keepdims: np.min(a, axis, keepdims=keepdims))


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_mean``; the mean of integers is an integer, as in TensorFlow."""
    array = _numeric_operand("reduce_mean", input_tensor)
    if isinstance(axis, list):
        axis = tuple(axis)
    if array.dtype.kind in "iu":
        total = np.sum(array, axis=axis, keepdims=keepdims)
        count = array.size // max(np.size(total), 1)
        return as_eager(np.trunc(total / count).astype(array.dtype))
    return as_eager(np.mean(array, axis=axis, keepdims=keepdims, dtype=array.dtype))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> EagerTensor:
    """``tf.clip_by_value``: ``minimum(t, clip_value_max)``, then ``maximum`` with
    ``clip_value_min``, each converting its operands as those ops do.

    Raises:
        cannery.errors.InvalidArgumentError: a bound that is an EagerTensor of another
            dtype.
        TypeError: a Python float bound for an integer ``t``.
    """
    array = to_array(t)
    low = minimum(array, clip_value_max)
    return maximum(low, clip_value_min)



# -- the top-level tensor functions input and normalizer functions use -------------------
def constant(value, dtype=None, shape=None, name=None) -> EagerTensor:
    """``tf.constant``: a fresh EagerTensor; a scalar ``value`` fills ``shape``.

    Raises:
        TypeError: ``value`` has more elements than ``shape`` holds and is not a scalar,
            or is an EagerTensor of another dtype than ``dtype``.
    """
    _check_tensor_dtype(value, dtype, "constant")
    array = np.array(to_array(value, dtype))
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if array.size == 1:
            array = np.full(shape, array.reshape(()), dtype=array.dtype)
        elif array.size != int(np.prod(shape)):
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                            f"{array} (converted from {value}) has {array.size} elements, "
                            f"but got `shape` {shape} with {int(np.prod(shape))} elements).")
        else:
            array = array.reshape(shape)
    return as_eager(array)


def _check_tensor_dtype(value, dtype, function: str) -> None:
    """An EagerTensor keeps its dtype: ``tf.constant`` and ``tf.convert_to_tensor`` refuse
    to change it (numpy arrays and Python values are converted)."""
    value = _unvar(value)
    if dtype is None or not isinstance(value, EagerTensor):
        return
    want = as_dtype(dtype).name
    have = as_dtype(value.dtype).name
    if want == have:
        return
    if function == "constant":
        raise TypeError(f"Expected tensor {value.numpy()} with dtype tf.{want}, but got dtype "
                        f"tf.{have}.")
    raise ValueError(f"Tensor conversion requested dtype {want} for Tensor with dtype "
                     f"{have}: {value!r}")


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> EagerTensor:
    """``tf.convert_to_tensor``: an EagerTensor passes through; numpy arrays keep their
    dtype (or are cast to ``dtype`` / ``dtype_hint``); Python values get TF's dtypes.

    Raises:
        ValueError: an EagerTensor of another dtype than ``dtype``, or ``None``.
        TypeError: a value ``dtype`` cannot hold (a Python float for an integer dtype).
    """
    value = _unvar(value)
    _check_tensor_dtype(value, dtype, "convert_to_tensor")
    if dtype is None and dtype_hint is not None and not isinstance(value, EagerTensor):
        try:
            return to_array(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    return to_array(value, dtype)


def reshape(tensor, shape, name=None) -> EagerTensor:
    """``tf.reshape`` (one dimension may be -1)."""
    return as_eager(np.reshape(to_array(tensor), tuple(int(d) for d in np.atleast_1d(shape))))


def expand_dims(input, axis, name=None) -> EagerTensor:  # noqa: A002 - TF's name
    """``tf.expand_dims``."""
    return as_eager(np.expand_dims(to_array(input), int(axis)))


def squeeze(input, axis=None, name=None) -> EagerTensor:  # noqa: A002 - TF's name
    """``tf.squeeze``: every size-1 dimension, or those in ``axis``."""
    if isinstance(axis, list):
        axis = tuple(axis)
    return as_eager(np.squeeze(to_array(input), axis=axis))


def concat(values, axis, name=None) -> EagerTensor:
    """``tf.concat`` of values of one dtype (converted as :func:`_matching` says).

    Raises:
        cannery.errors.InvalidArgumentError: an EagerTensor of another dtype than the
            first EagerTensor's.
    """
    return as_eager(np.concatenate(_matching("concat", list(values)), axis=int(axis)))


def stack(values, axis=0, name=None) -> EagerTensor:
    """``tf.stack`` of values of one dtype and shape (converted as :func:`_matching` says).

    With ``axis=0`` and no tensor among ``values``, TensorFlow converts the whole list as
    one constant first, so the list's dtype rules apply (``[1, 2.5]`` is float32, numpy
    int64 arrays make int32 when their values fit); cannery does the same.

    Raises:
        cannery.errors.InvalidArgumentError: an EagerTensor of another dtype than the
            first EagerTensor's.
    """
    values = [_unvar(v) for v in values]
    if isinstance(axis, int) and axis == 0 and values and not any(
            isinstance(v, EagerTensor) for v in values):
        try:
            return to_array(values)
        except (TypeError, ValueError):
            pass
    return as_eager(np.stack(_matching("stack", values), axis=int(axis)))


def ones_like(input, dtype=None, name=None) -> EagerTensor:  # noqa: A002 - TF's name
    """``tf.ones_like``.

    Raises:
        cannery.errors.InvalidArgumentError: a string tensor (TensorFlow has no string
            one).
    """
    array = to_array(input)
    target = as_dtype(dtype).as_numpy_dtype if dtype else array.dtype
    if np.dtype(target).kind in "USO":
        raise InvalidArgumentError(
            "tf.ones_like: Value for attr 'T' of string is not in the list of allowed values: "
            "bfloat16, half, float, double, int8, uint8, int16, uint16, int32, uint32, int64, "
            "uint64, complex64, complex128, bool [Op:OnesLike]")
    return as_eager(np.ones(array.shape, target))


def zeros_like(input, dtype=None, name=None) -> EagerTensor:  # noqa: A002 - TF's name
    """``tf.zeros_like``; a string tensor's zero is ``b""``."""
    array = to_array(input)
    target = as_dtype(dtype).as_numpy_dtype if dtype else array.dtype
    if np.dtype(target).kind in "USO":
        out = np.empty(array.shape, dtype=object)
        out.fill(b"")
        return as_eager(out)
    return as_eager(np.zeros(array.shape, target))


def where(condition, x=None, y=None, name=None) -> EagerTensor:
    """``tf.where``: ``x`` where ``condition`` holds, else ``y``; with neither, the int64
    coordinates of the true (non-zero) elements ``[n, rank]``.

    Raises:
        ValueError: only one of ``x`` and ``y`` given.
        TypeError: a ``condition`` of Python numbers.
        cannery.errors.InvalidArgumentError: a non-bool EagerTensor ``condition``, or
            EagerTensors ``x`` and ``y`` of different dtypes (see :func:`_matching`).
    """
    if x is None and y is None:
        return as_eager(np.argwhere(to_array(condition)).astype(np.int64))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _unvar(condition)
    if isinstance(condition, EagerTensor) and condition.dtype != np.bool_:
        raise _kernel_error("SelectV2", 0, np.bool_, condition.dtype, with_name=True)
    condition = convert_like(condition, np.bool_, "where")
    a, b = _matching("where", [x, y], first_index=1)
    return as_eager(np.where(condition, a, b))


# -- the rest of tf.math that estimator programs call ------------------------------------
# TensorFlow's lists of the dtypes an op's kernel takes, as its error message gives them.
_FLOATS = "bfloat16, half, float, double"
_FLOATS_COMPLEX = "bfloat16, half, float, double, complex64, complex128"
_ARG_TYPES = ("float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, "
              "uint32, uint64, qint8, quint8, qint32, qint16, quint16, bool")
_TOPK_TYPES = ("float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, "
               "uint32, uint64")


def _unvar(value):
    """A :class:`~cannery.variables.Variable`'s current value (an EagerTensor); anything
    else as it is. TensorFlow's ops read a variable as the tensor it holds."""
    if isinstance(value, (np.ndarray, int, float, str, bytes, list, tuple)):
        return value  # the common cases, without looking the class up
    from cannery.variables import Variable

    return value.value() if isinstance(value, Variable) else value


def _check_allowed(function: str, array: np.ndarray, op: str, allowed: str,
                   attr: str = "T") -> None:
    """Refuse a dtype the op's kernel does not list, with TensorFlow's message.

    Raises:
        cannery.errors.InvalidArgumentError: ``array``'s dtype is not in ``allowed``.
    """
    name = _tf_type(array.dtype)
    if name not in {item.strip() for item in allowed.split(",")}:
        raise InvalidArgumentError(
            f"tf.{function}: Value for attr '{attr}' of {name} is not in the list of allowed "
            f"values: {allowed} [Op:{op}]")


def _typed(function: str, x, op: str, allowed: str, attr: str = "T") -> np.ndarray:
    """``x`` converted as ``tf.convert_to_tensor`` does, if ``op`` takes its dtype."""
    array = _natural(_unvar(x))
    _check_allowed(function, array, op, allowed, attr)
    return array


def _axis(function: str, axis, ndim: int, op: str) -> int:
    """One axis in ``[-ndim, ndim)`` as a non-negative int (TensorFlow's range check).

    Raises:
        cannery.errors.InvalidArgumentError: the axis is out of range.
    """
    value = int(np.asarray(_unvar(axis)).reshape(-1)[0]) if np.ndim(axis) else int(axis)
    if not -max(ndim, 1) <= value < max(ndim, 1) or ndim == 0:
        raise InvalidArgumentError(f"tf.{function}: Expected dimension in the range "
                                   f"[{-ndim}, {ndim}), but got {value} [Op:{op}]")
    return value % ndim


def _axes(axis):
    """``axis`` (None, an int, a list or a tensor of them) as numpy's reduction axis."""
    if axis is None:
        return None
    array = np.asarray(_unvar(axis))
    if array.ndim == 0:
        return int(array)
    return tuple(int(a) for a in array.reshape(-1))


def _unary_typed(name, numpy_function, op, allowed, doc=None):
    def function(x, name=None):
        array = _typed(f"math.{function.__name__}", x, op, allowed)
        return as_eager(np.asarray(numpy_function(array)).astype(array.dtype, copy=False))

    function.__name__ = name
    function.__doc__ = doc or f"``tf.math.{name}`` (floating point inputs only)."
    return function


def _via_float64(scalar_function):
    """An element-wise function computed in float64 with the standard library."""
    vectorized = np.frompyfunc(scalar_function, 1, 1)

    def function(array):
        return vectorized(array.astype(np.float64)).astype(np.float64)

    return function


def _digamma(array: np.ndarray) -> np.ndarray:
    """The digamma function in float64: reflection below 0.5, recurrence up to 6,
    then the asymptotic series (error below 1e-15)."""
    import math as _math

    def scalar(x: float) -> float:
        if x != x or x == -_math.inf:
            return _math.nan
        if x == _math.inf:
            return _math.inf
        if x <= 0 and x == _math.floor(x):
            return _math.nan
        if x < 0.5:  # psi(1 - x) - psi(x) = pi cot(pi x)
            return scalar(1.0 - x) - _math.pi / _math.tan(_math.pi * x)
        result = 0.0
        while x < 6.0:
            result -= 1.0 / x
            x += 1.0
        inv2 = 1.0 / (x * x)
        series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
            1 / 240 - inv2 * (1 / 132)))))
        return result + _math.log(x) - 0.5 / x - series

    return np.frompyfunc(scalar, 1, 1)(array.astype(np.float64)).astype(np.float64)


def _lgamma_scalar(x: float) -> float:
    import math as _math

    if x <= 0 and x == _math.floor(x):
        return _math.inf
    return _math.lgamma(x)


sin = _unary_typed("sin", np.sin, "Sin", _FLOATS_COMPLEX)
cos = _unary_typed("cos", np.cos, "Cos", _FLOATS_COMPLEX)
tan = _unary_typed("tan", np.tan, "Tan", _FLOATS_COMPLEX)
asin = _unary_typed("asin", np.arcsin, "Asin", _FLOATS_COMPLEX)
acos = _unary_typed("acos", np.arccos, "Acos", _FLOATS_COMPLEX)
atan = _unary_typed("atan", np.arctan, "Atan", _FLOATS_COMPLEX)
sinh = _unary_typed("sinh", np.sinh, "Sinh", _FLOATS_COMPLEX)
cosh = _unary_typed("cosh", np.cosh, "Cosh", _FLOATS_COMPLEX)
asinh = _unary_typed("asinh", np.arcsinh, "Asinh", _FLOATS_COMPLEX)
acosh = _unary_typed("acosh", np.arccosh, "Acosh", _FLOATS_COMPLEX)
atanh = _unary_typed("atanh", np.arctanh, "Atanh", _FLOATS_COMPLEX)
erf = _unary_typed("erf", _via_float64(__import__("math").erf), "Erf", _FLOATS)
erfc = _unary_typed("erfc", _via_float64(__import__("math").erfc), "Erfc", _FLOATS)
lgamma = _unary_typed("lgamma", _via_float64(_lgamma_scalar), "Lgamma", _FLOATS)
digamma = _unary_typed("digamma", _digamma, "Digamma", _FLOATS)
rint = _unary_typed("rint", np.rint, "Rint", _FLOATS,
                    "``tf.math.rint``: the nearest integer, halves to even (floats only).")


def _binary_typed(name, numpy_function, op, allowed, doc):
    def function(x, y, name=None):
        a, b = _matching_op(op, [x, y])
        _check_allowed(f"math.{function.__name__}", a, op, allowed)
        with np.errstate(all="ignore"):
            return as_eager(np.asarray(numpy_function(a, b)).astype(a.dtype, copy=False))

    function.__name__ = name
    function.__doc__ = doc
    return function


def _matching_op(op: str, values, first_index: int = 0) -> list[np.ndarray]:
    """:func:`_matching` for an op not in ``_OPS`` (the kernel named by ``op``)."""
    _OPS.setdefault(op, op)
    return _matching(op, [_unvar(v) for v in values], first_index)


def _xlogy(x, y):
    return np.where(x == 0, np.zeros_like(x), x * np.log(np.where(x == 0, 1, y)))


def _xdivy(x, y):
    return np.where(x == 0, np.zeros_like(x), x / np.where(x == 0, 1, y))


atan2 = _binary_typed("atan2", np.arctan2, "Atan2", _FLOATS,
                      "``tf.math.atan2(y, x)``: the angle of ``(x, y)`` (floats only).")
xlogy = _binary_typed("xlogy", _xlogy, "Xlogy",
                      "half, bfloat16, float, double, complex64, complex128",
                      "``x * log(y)``, and 0 where ``x`` is 0 (floats only).")
xdivy = _binary_typed("xdivy", _xdivy, "Xdivy",
                      "half, bfloat16, float, double, complex64, complex128",
                      "``x / y``, and 0 where ``x`` is 0 (floats only).")


def floormod(x, y, name=None) -> EagerTensor:
    """``tf.math.floormod`` (also ``tf.math.mod``): the remainder of the flooring
    division, with the sign of ``y`` (Python's ``%``).

    Raises:
        cannery.errors.InvalidArgumentError: an integer ``y`` that is zero (TensorFlow's
            ``Integer division by zero``), or strings / bools.
    """
    a, b = _matching_op("FloorMod", [x, y])
    _check_allowed("math.floormod", a, "FloorMod",
                   "int8, int16, int32, int64, uint8, uint16, uint32, uint64, bfloat16, half, "
                   "float, double")
    if a.dtype.kind in "iu" and np.any(b == 0):
        raise InvalidArgumentError("tf.math.floormod: Integer division by zero [Op:FloorMod]")
    with np.errstate(all="ignore"):
        return as_eager(np.mod(a, b).astype(a.dtype, copy=False))


mod = floormod


def logical_xor(x, y, name=None) -> EagerTensor:
    """``tf.math.logical_xor``: ``(x or y) and not (x and y)``, on bools."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def multiply_no_nan(x, y, name=None) -> EagerTensor:
    """``x * y``, and 0 where ``y`` is 0 even if ``x`` is NaN or infinite (floats only).

    Raises:
        ValueError: ``y`` is an EagerTensor of another dtype than ``x``.
        TypeError: ``y`` converts to another dtype than ``x`` (TensorFlow's message).
        cannery.errors.InvalidArgumentError: integers (the ``MulNoNan`` kernel's message).
    """
    a = to_array(_unvar(x))
    y = _unvar(y)
    if isinstance(y, EagerTensor) and y.dtype != a.dtype:
        raise ValueError(f"y: Tensor conversion requested dtype {_tf_name(a.dtype)} for Tensor "
                         f"with dtype {_tf_name(y.dtype)}: {y!r}")
    b = _dtype_converted(y, a.dtype)
    if a.dtype != b.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got tf.{_tf_name(a.dtype)} != "
                        f"tf.{_tf_name(b.dtype)}")
    _check_allowed("math.multiply_no_nan", a, "MulNoNan", _FLOATS_COMPLEX)
    with np.errstate(all="ignore"):
        return as_eager(np.where(b == 0, np.zeros_like(a * b), a * b).astype(a.dtype))


def _dtype_converted(value, dtype) -> np.ndarray:
    """``tf.convert_to_tensor(value, dtype=dtype)`` where an EagerTensor keeps its own
    dtype (the caller compares): arrays are cast, Python values must fit."""
    value = _unvar(value)
    if isinstance(value, EagerTensor):
        return _natural(value)
    return convert_like(value, dtype)


def reciprocal_no_nan(x, name=None) -> EagerTensor:
    """``1 / x``, and 0 where ``x`` is 0 (floats only).

    Raises:
        cannery.errors.InvalidArgumentError: integers (the ``DivNoNan`` kernel's message).
    """
    array = _typed("math.reciprocal_no_nan", x, "DivNoNan",
                   "half, float, bfloat16, double, complex64, complex128")
    safe = np.where(array == 0, np.ones_like(array), array)
    return as_eager(np.where(array == 0, np.zeros_like(array), 1 / safe).astype(array.dtype))


def realdiv(x, y, name=None) -> EagerTensor:
    """``tf.realdiv``: ``x / y`` of two operands of one float dtype.

    Raises:
        cannery.errors.InvalidArgumentError: EagerTensors of two dtypes.
        cannery.errors.NotFoundError: integers (TensorFlow has their kernel on XLA only).
    """
    a, b = _matching_op("RealDiv", [x, y])
    if a.dtype.kind not in "fc":
        raise NotFoundError(f"tf.realdiv: Could not find device for node: {{{{node RealDiv}}}} "
                            f"= RealDiv[T=DT_{_tf_name(a.dtype).upper()}] [Op:RealDiv]")
    with np.errstate(all="ignore"):
        return as_eager(np.true_divide(a, b).astype(a.dtype, copy=False))


def scalar_mul(scalar, x, name=None) -> EagerTensor:
    """``tf.math.scalar_mul``: ``scalar`` (0-d, converted to ``x``'s dtype) times ``x``.

    Raises:
        AttributeError: ``x`` has no dtype (a Python list), as in TensorFlow.
        TypeError: ``scalar`` does not fit ``x``'s dtype (a float for integers).
        ValueError: ``scalar`` is not 0-d.
    """
    x = _unvar(x)
    dtype = x.dtype  # AttributeError for a list, as TensorFlow's x.dtype
    s = _dtype_converted(scalar, np.dtype(as_dtype(dtype).as_numpy_dtype))
    if s.ndim != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {s.shape}.")
    return multiply(as_eager(s), x)


def add_n(inputs, name=None) -> EagerTensor:
    """``tf.math.add_n``: the sum of tensors of one dtype and shape.

    Raises:
        ValueError: ``inputs`` is empty (TensorFlow's message).
        cannery.errors.InvalidArgumentError: two dtypes or two shapes.
    """
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices "
                         "with the same dtype and shape.")
    arrays = _matching_op("AddN", list(inputs))
    for index, array in enumerate(arrays[1:], 1):
        if array.shape != arrays[0].shape:
            raise InvalidArgumentError(
                f"tf.math.add_n: Inputs to operation AddN of type AddN must have the same size "
                f"and shape.  Input 0: {_dims(arrays[0].shape)} != input {index}: "
                f"{_dims(array.shape)} [Op:AddN]")
    total = arrays[0].copy()
    for array in arrays[1:]:
        total = np.add(total, array, dtype=total.dtype) if total.dtype.kind not in "USO" else \
            total + array
    return as_eager(total)


def _dims(shape) -> str:
    """A shape as TensorFlow's C++ messages write it: ``[2,3]``."""
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


# -- arg and sort functions ---------------------------------------------------------------
def _arg_reduce(function, op, numpy_function, input, axis, output_type):
    array = _typed(function, input, op, _ARG_TYPES)
    out = np.dtype(as_dtype(output_type).as_numpy_dtype)
    _check_allowed(function, np.empty(0, out), op, "int16, uint16, int32, int64",
                   "output_type")
    axis = _axis(function, 0 if axis is None else axis, array.ndim, op)
    if array.shape[axis] == 0:
        raise InvalidArgumentError(f"tf.{function}: Reduction axis {axis} is empty in shape "
                                   f"{_dims(array.shape)} [Op:{op}]")
    return as_eager(numpy_function(array, axis=axis).astype(out))


def argmax(input, axis=None, output_type="int64", name=None) -> EagerTensor:  # noqa: A002
    """``tf.math.argmax``: the index of the largest value along ``axis`` (0 when None),
    the first one on ties, as ``output_type`` (int64).

    Raises:
        cannery.errors.InvalidArgumentError: strings, an ``output_type`` other than
            int16/uint16/int32/int64, an axis out of range, or an empty axis.
    """
    return _arg_reduce("math.argmax", "ArgMax", np.argmax, input, axis, output_type)


def argmin(input, axis=None, output_type="int64", name=None) -> EagerTensor:  # noqa: A002
    """``tf.math.argmin``: the index of the smallest value along ``axis`` (0 when None).

    Raises:
        cannery.errors.InvalidArgumentError: as :func:`argmax`.
    """
    return _arg_reduce("math.argmin", "ArgMin", np.argmin, input, axis, output_type)


def _descending_order(array: np.ndarray, axis: int = -1) -> np.ndarray:
    """Indices sorting ``array`` along ``axis`` from largest to smallest, the lower index
    first among equal values (TensorFlow's TopKV2 order)."""
    flipped = np.flip(array, axis=axis)
    order = np.argsort(flipped, axis=axis, kind="stable")
    return array.shape[axis] - 1 - np.flip(order, axis=axis)


TopKV2 = __import__("collections").namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, index_type="int32", name=None):  # noqa: A002
    """``tf.math.top_k``: the ``k`` largest values along the last axis and their
    indices, largest first, the lower index first among equal values.

    Returns:
        ``TopKV2(values, indices)`` (a namedtuple, as TensorFlow's).

    Raises:
        cannery.errors.InvalidArgumentError: strings or bools, a 0-d input, a negative
            ``k`` or more than the last axis holds.
    """
    array = _typed("math.top_k", input, "TopKV2", _TOPK_TYPES)
    k = int(np.asarray(_unvar(k)))
    if array.ndim == 0:
        raise InvalidArgumentError("tf.math.top_k: input must be >= 1-D, got shape [] "
                                   "[Op:TopKV2]")
    if k < 0:
        raise InvalidArgumentError(f"tf.math.top_k: Need k >= 0, got {k} [Op:TopKV2]")
    if array.shape[-1] < k:
        raise InvalidArgumentError(f"tf.math.top_k: input must have at least k columns. Had "
                                   f"{array.shape[-1]}, needed {k} [Op:TopKV2]")
    indices = _descending_order(array)[..., :k]
    values = np.take_along_axis(array, indices, axis=-1)
    return TopKV2(as_eager(values), as_eager(indices.astype(as_dtype(index_type).as_numpy_dtype)))


def in_top_k(targets, predictions, k, name=None) -> EagerTensor:
    """``tf.math.in_top_k`` (TensorFlow 2's argument order): whether each row's
    ``targets`` class is among its ``k`` largest ``predictions``; fewer than ``k``
    strictly larger values count as in (ties are in). A target out of range or a row
    with a non-finite prediction gives False, as TensorFlow's kernel does.

    Raises:
        cannery.errors.InvalidArgumentError: ``predictions`` not float32, or ``targets``
            not int32 / int64.
    """
    pred = convert_to_tensor(predictions, dtype="float32")
    target = _typed("math.in_top_k", targets, "InTopKV2", "int32, int64")
    k = int(np.asarray(_unvar(k)))
    if pred.ndim != 2:
        raise InvalidArgumentError(f"tf.math.in_top_k: predictions must be 2-dimensional, got "
                                   f"{_dims(pred.shape)} [Op:InTopKV2]")
    if target.shape != (pred.shape[0],):
        raise InvalidArgumentError(
            f"tf.math.in_top_k: First dimension of predictions {pred.shape[0]} must match "
            f"length of targets {target.shape[0] if target.ndim else 0} [Op:InTopKV2]")
    out = np.zeros(pred.shape[0], dtype=bool)
    for row, (values, label) in enumerate(zip(pred, target.tolist())):
        if not 0 <= label < pred.shape[1] or not np.all(np.isfinite(values)):
            continue
        out[row] = int(np.sum(values > values[label])) < k
    return as_eager(out)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> EagerTensor:
    """``tf.math.cumsum`` along ``axis``; ``exclusive`` leaves each element out of its
    own sum, ``reverse`` sums from the end.

    Raises:
        cannery.errors.InvalidArgumentError: strings or bools.
    """
    return _cumulative("math.cumsum", "Cumsum", np.cumsum, 0, x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> EagerTensor:
    """``tf.math.cumprod``, as :func:`cumsum` with products (exclusive starts at 1)."""
    return _cumulative("math.cumprod", "Cumprod", np.cumprod, 1, x, axis, exclusive, reverse)


def _cumulative(function, op, numpy_function, identity, x, axis, exclusive, reverse):
    array = _typed(function, x, op, _REDUCIBLE)
    value = int(np.asarray(_unvar(axis)))
    if not -array.ndim <= value < array.ndim:
        raise InvalidArgumentError(f"tf.{function}: ScanOp: Expected scan axis in the range "
                                   f"[{-array.ndim}, {array.ndim}), but got {value} [Op:{op}]")
    axis = value % array.ndim
    if reverse:
        array = np.flip(array, axis)
    out = numpy_function(array, axis=axis, dtype=array.dtype)
    if exclusive:
        head = np.full_like(np.take(out, [0], axis=axis), identity)
        out = np.concatenate([head, np.delete(out, -1, axis=axis)], axis=axis) \
            if out.shape[axis] else out
    if reverse:
        out = np.flip(out, axis)
    return as_eager(np.ascontiguousarray(out))


# -- softmax and friends ------------------------------------------------------------------
def _shifted_logits(function: str, logits, axis, op: str):
    """``(array, axis, array - max along axis)`` for the softmax kernels (floats only;
    the last axis when ``axis`` is None)."""
    array = _typed(function, logits, op, "half, bfloat16, float, double")
    axis = -1 if axis is None else _axis(function, axis, array.ndim, op)
    with np.errstate(all="ignore"):
        return array, axis, array - np.max(array, axis=axis, keepdims=True)


def softmax(logits, axis=None, name=None) -> EagerTensor:
    """``tf.nn.softmax`` / ``tf.math.softmax`` along ``axis`` (the last when None):
    ``exp(x - max) / sum(exp(x - max))`` in the input's float dtype.

    Raises:
        cannery.errors.InvalidArgumentError: integers (the ``Softmax`` kernel's message).
    """
    array, axis, shifted = _shifted_logits("math.softmax", logits, axis, "Softmax")
    with np.errstate(all="ignore"):
        e = np.exp(shifted)
        # times the reciprocal of the sum, as TensorFlow's Eigen kernel computes it
        inverse = np.reciprocal(np.sum(e, axis=axis, keepdims=True, dtype=array.dtype))
        return as_eager((e * inverse).astype(array.dtype, copy=False))


def log_softmax(logits, axis=None, name=None) -> EagerTensor:
    """``tf.nn.log_softmax``: ``(x - max) - log(sum(exp(x - max)))`` along ``axis``.

    Raises:
        cannery.errors.InvalidArgumentError: integers (the ``LogSoftmax`` kernel's message).
    """
    array, axis, shifted = _shifted_logits("math.log_softmax", logits, axis, "LogSoftmax")
    with np.errstate(all="ignore"):
        total = np.sum(np.exp(shifted), axis=axis, keepdims=True, dtype=array.dtype)
        return as_eager((shifted - np.log(total)).astype(array.dtype, copy=False))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> EagerTensor:
    """``tf.math.l2_normalize``: ``x / sqrt(max(sum(x**2, axis), epsilon))``.

    Raises:
        TypeError: integers (``epsilon`` cannot convert to them, TensorFlow's message).
    """
    array = to_array(_unvar(x))
    axis = _axes(dim if axis is None else axis)
    square_sum = reduce_sum(np.square(array), axis=axis, keepdims=True)
    return multiply(array, rsqrt(maximum(square_sum, epsilon)))


# -- reductions ---------------------------------------------------------------------------
def _bool_operand(function: str, op: str, value) -> np.ndarray:
    value = _unvar(value)
    if isinstance(value, EagerTensor) and value.dtype != np.bool_:
        raise _kernel_error(op, 0, np.bool_, value.dtype)
    return convert_like(value, np.bool_, function)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_all``: logical and over ``axis`` (all axes when None), of bools.

    Raises:
        TypeError: Python numbers (not bools).
        cannery.errors.InvalidArgumentError: an EagerTensor that is not bool.
    """
    array = _bool_operand("reduce_all", "All", input_tensor)
    return as_eager(np.all(array, axis=_axes(axis), keepdims=bool(keepdims)))


def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_any``: logical or over ``axis``, of bools (see :func:`reduce_all`)."""
    array = _bool_operand("reduce_any", "Any", input_tensor)
    return as_eager(np.any(array, axis=_axes(axis), keepdims=bool(keepdims)))


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_prod`` over ``axis`` (all axes when None).

    Raises:
        cannery.errors.InvalidArgumentError: strings or bools.
    """
    array = _typed("math.reduce_prod", input_tensor, "Prod", _REDUCIBLE)
    return as_eager(np.prod(array, axis=_axes(axis), keepdims=bool(keepdims), dtype=array.dtype))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_logsumexp``: ``log(sum(exp(x - m))) + m`` with ``m`` the finite
    maximum (0 where the maximum is infinite), as TensorFlow computes it.

    Raises:
        cannery.errors.InvalidArgumentError: integers (TensorFlow's ``IsFinite`` message).
    """
    array = _typed("math.reduce_logsumexp", input_tensor, "IsFinite", _FLOATS)
    axes = _axes(axis)
    raw_max = np.max(array, axis=axes, keepdims=True) if array.size else \
        np.full(np.sum(array, axis=axes, keepdims=True).shape, -np.inf, array.dtype)
    my_max = np.where(np.isfinite(raw_max), raw_max, np.zeros_like(raw_max))
    with np.errstate(all="ignore"):
        total = np.sum(np.exp(array - my_max), axis=axes, keepdims=bool(keepdims),
                       dtype=array.dtype)
        result = np.log(total)
        if not keepdims:
            my_max = my_max.reshape(result.shape)
        return as_eager((result + my_max).astype(array.dtype, copy=False))


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_variance``: the mean squared deviation from the mean.

    Raises:
        TypeError: integers (TensorFlow's ``Input must be either real or complex``).
    """
    array = to_array(_unvar(input_tensor))
    means = reduce_mean(array, axis=axis, keepdims=True)
    if means.dtype.kind in "iu":
        raise TypeError(f"Input must be either real or complex. Received integer type "
                        f"{as_dtype(means.dtype)}.")
    squared = np.square(array - means)
    return reduce_mean(squared, axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_std``: the square root of :func:`reduce_variance`."""
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> EagerTensor:
    """``tf.math.reduce_euclidean_norm``: ``sqrt(sum(x**2))``; integers give the
    integer part, in their dtype.

    Raises:
        cannery.errors.InvalidArgumentError: strings or bools.
    """
    array = _typed("math.reduce_euclidean_norm", input_tensor, "EuclideanNorm", _REDUCIBLE)
    squares = np.sum(np.square(array.astype(np.float64) if array.dtype.kind in "iu" else array),
                     axis=_axes(axis), keepdims=bool(keepdims))
    return as_eager(np.sqrt(squares).astype(array.dtype))


def count_nonzero(input, axis=None, keepdims=None, dtype="int64", name=None):  # noqa: A002
    """``tf.math.count_nonzero``: how many elements are not zero (not ``b""`` for
    strings, True for bools) over ``axis``, as ``dtype`` (int64)."""
    array = to_array(_unvar(input))
    if array.dtype.kind in "USO":
        nonzero = np.frompyfunc(lambda v: len(v) > 0, 1, 1)(array).astype(bool)
    else:
        nonzero = array != 0
    counts = np.sum(nonzero, axis=_axes(axis), keepdims=bool(keepdims), dtype=np.int64)
    return as_eager(counts.astype(as_dtype(dtype).as_numpy_dtype))


def zero_fraction(value, name=None) -> EagerTensor:
    """``tf.math.zero_fraction``: the fraction of zeros, a float32 scalar (NaN when
    ``value`` is empty)."""
    array = to_array(_unvar(value))
    zeros = int(np.count_nonzero(array == 0))
    with np.errstate(all="ignore"):
        return as_eager(np.float32(zeros) / np.float32(array.size))


def is_non_decreasing(x, name=None) -> EagerTensor:
    """``tf.math.is_non_decreasing``: True if each element (flattened) is >= the one
    before (True for fewer than two).

    Raises:
        TypeError: strings or bools (TensorFlow's ``Expected x to be numeric``).
    """
    flat = _monotonic_operand("math.is_non_decreasing", x)
    return as_eager(np.bool_(np.all(flat[1:] >= flat[:-1])))


def is_strictly_increasing(x, name=None) -> EagerTensor:
    """``tf.math.is_strictly_increasing``: True if each element (flattened) is > the one
    before."""
    flat = _monotonic_operand("math.is_strictly_increasing", x)
    return as_eager(np.bool_(np.all(flat[1:] > flat[:-1])))


def _monotonic_operand(function: str, x) -> np.ndarray:
    array = to_array(_unvar(x))
    if array.dtype.kind not in "iuf":
        raise TypeError(f"Expected x to be numeric, instead found: {array}")
    return array.reshape(-1)


# -- counting and confusion ---------------------------------------------------------------
def bincount(arr, weights=None, minlength=None, maxlength=None, dtype="int32", name=None,
             axis=None, binary_output=False) -> EagerTensor:
    """``tf.math.bincount``: how often each value ``0 .. max(arr)`` occurs (sums of
    ``weights`` when given); ``minlength`` / ``maxlength`` bound the length (values at or
    beyond ``maxlength`` are dropped). ``axis=-1`` counts each row of a 2-D ``arr``.

    Raises:
        ValueError: ``weights`` with ``binary_output``, or an axis other than 0 / -1.
        cannery.errors.InvalidArgumentError: a negative value.
    """
    array = to_array(_unvar(arr))
    w = None if weights is None else to_array(_unvar(weights))
    if w is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                         "Please specify only one.")
    if array.dtype.kind not in "iu":
        array = cast(array, "int32")
    axis = 0 if axis is None else axis
    if axis not in (0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                         "currently supported.")
    size = int(array.max()) + 1 if array.size else 0
    if minlength is not None:
        size = max(int(np.asarray(_unvar(minlength))), size)
    if maxlength is not None:
        size = min(int(np.asarray(_unvar(maxlength))), size)
    if array.size and int(array.min()) < 0:
        raise InvalidArgumentError("tf.math.bincount: Input arr must be non-negative! "
                                   "[Op:DenseBincount]")
    out_dtype = w.dtype if w is not None else np.dtype(as_dtype(dtype).as_numpy_dtype)
    _check_allowed("math.bincount", np.empty(0, out_dtype), "DenseBincount",
                   "int32, int64, float, double")
    rows = array.reshape(1, -1) if axis == 0 else array
    row_weights = None if w is None else (w.reshape(1, -1) if axis == 0 else w)
    out = np.zeros((rows.shape[0], size), dtype=out_dtype)
    for r in range(rows.shape[0]):
        ids = rows[r]
        keep = ids < size
        if binary_output:
            out[r, ids[keep]] = 1
        elif row_weights is None:
            np.add.at(out[r], ids[keep], 1)
        else:
            np.add.at(out[r], ids[keep], row_weights[r][keep])
    return as_eager(out[0] if axis == 0 else out)


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype="int32",
                     name=None) -> EagerTensor:
    """``tf.math.confusion_matrix``: ``[num_classes, num_classes]`` counts (or summed
    ``weights``, cast to ``dtype``) of each (label, prediction) pair, labels along the
    rows. Labels and predictions are cast to int64 first (floats truncate); without
    ``num_classes`` it is ``max(labels, predictions) + 1``.

    Raises:
        cannery.errors.InvalidArgumentError: a negative label or prediction, or one not
            below ``num_classes`` (TensorFlow's assertion messages).
    """
    from cannery import debugging

    out_dtype = np.dtype(as_dtype(dtype).as_numpy_dtype)
    lab, pred = _squeezable(to_array(_unvar(labels)), to_array(_unvar(predictions)))
    lab, pred = cast(lab, "int64"), cast(pred, "int64")
    debugging.assert_non_negative(lab, message="`labels` contains negative values")
    debugging.assert_non_negative(pred, message="`predictions` contains negative values")
    if num_classes is None:
        n = max(int(lab.max()) if lab.size else -1, int(pred.max()) if pred.size else -1) + 1
    else:
        bound = convert_like(_unvar(num_classes), np.int64)
        debugging.assert_less(lab, as_eager(bound), message="`labels` out of bound")
        debugging.assert_less(pred, as_eager(bound), message="`predictions` out of bound")
        n = int(bound)
    if weights is not None:
        weights = to_array(_unvar(weights))
        if weights.shape != pred.shape:  # TensorFlow's assert_is_compatible_with
            raise ValueError(f"Shapes {TensorShape(pred.shape)} and "
                             f"{TensorShape(weights.shape)} are incompatible")
    if lab.shape != pred.shape:  # TensorFlow stacks them into (label, prediction) pairs
        raise InvalidArgumentError(
            "Shapes of all inputs must match: values[0].shape = "
            f"[{','.join(map(str, lab.shape))}] != values[1].shape = "
            f"[{','.join(map(str, pred.shape))}] [Op:Pack] name: stack")
    values = np.ones(lab.shape, out_dtype) if weights is None else \
        cast(weights, as_dtype(out_dtype)).reshape(lab.shape)
    out = np.zeros((n, n), dtype=out_dtype)
    np.add.at(out, (np.asarray(lab).reshape(-1), np.asarray(pred).reshape(-1)),
              np.asarray(values).reshape(-1))
    return as_eager(out)


def _squeezable(labels: np.ndarray, predictions: np.ndarray):
    """TensorFlow's ``remove_squeezable_dimensions``: drop a last size-1 dimension of
    whichever has one more dimension than the other."""
    if labels.ndim == predictions.ndim + 1 and labels.shape[-1:] == (1,):
        labels = labels.reshape(labels.shape[:-1])
    elif predictions.ndim == labels.ndim + 1 and predictions.shape[-1:] == (1,):
        predictions = predictions.reshape(predictions.shape[:-1])
    return labels, predictions


# -- segment reductions -------------------------------------------------------------------
_SEGMENT_TYPES = _REDUCIBLE


def _segment_operands(function, op, data, segment_ids):
    array = _typed(function, data, op, _SEGMENT_TYPES)
    ids = _typed(function, segment_ids, op, "int32, int64", "Tindices")
    return array, ids


def _segment_reduce(function, op, data, segment_ids, num_segments, kind):
    array, ids = _segment_operands(function, op, data, segment_ids)
    sorted_op = num_segments is None
    if sorted_op:
        if ids.ndim != 1 or ids.shape[0] != (array.shape[0] if array.ndim else -1):
            raise InvalidArgumentError(
                f"tf.{function}: segment_ids should be the same size as dimension 0 of input. "
                f"[Op:{op}]")
        flat_ids = ids.astype(np.int64)
        if flat_ids.size and np.any(np.diff(flat_ids) < 0):
            raise InvalidArgumentError(f"tf.{function}: segment ids are not increasing "
                                       f"[Op:{op}]")
        n = int(flat_ids[-1]) + 1 if flat_ids.size else 0
        if flat_ids.size and flat_ids[0] < 0:
            raise InvalidArgumentError(
                f"tf.{function}: Segment id {int(flat_ids[0])} out of range [0, {n}), "
                f"possibly because 'segment_ids' input is not sorted. [Op:{op}]")
        rows = array.reshape((flat_ids.size,) + array.shape[1:])
    else:
        n = int(np.asarray(_unvar(num_segments)))
        if array.shape[:ids.ndim] != ids.shape:
            raise InvalidArgumentError(
                f"tf.{function}: data.shape = {_dims(array.shape)} does not start with "
                f"segment_ids.shape = {_dims(ids.shape)} [Op:{op}]")
        flat_ids = ids.reshape(-1).astype(np.int64)
        for position, value in enumerate(flat_ids.tolist()):
            if value >= n:
                raise InvalidArgumentError(
                    f"tf.{function}: segment_ids[{position}] = {value} is out of range "
                    f"[0, {n}) [Op:{op}]")
        rows = array.reshape((flat_ids.size,) + array.shape[ids.ndim:])
        keep = flat_ids >= 0  # negative ids are dropped
        flat_ids, rows = flat_ids[keep], rows[keep]
    shape = (n,) + rows.shape[1:]
    counts = np.bincount(flat_ids, minlength=n)[:n] if n else np.zeros(0, np.int64)
    if kind in ("sum", "mean"):
        out = np.zeros(shape, array.dtype)
        np.add.at(out, flat_ids, rows)
        if kind == "mean":
            scale = np.maximum(counts, 1).reshape((n,) + (1,) * (len(shape) - 1))
            if array.dtype.kind in "iu":
                out = (np.sign(out) * (np.abs(out) // scale)).astype(array.dtype)
            else:
                out = (out / scale.astype(array.dtype)).astype(array.dtype)
        return as_eager(out)
    if kind == "prod":
        out = np.ones(shape, array.dtype)
        np.multiply.at(out, flat_ids, rows)
        return as_eager(out)
    info = np.finfo(array.dtype) if array.dtype.kind == "f" else np.iinfo(array.dtype)
    start = info.min if kind == "max" else info.max
    out = np.full(shape, start, array.dtype)
    (np.maximum if kind == "max" else np.minimum).at(out, flat_ids, rows)
    if sorted_op:  # the sorted ops leave empty segments 0
        out[counts == 0] = 0
    return as_eager(out)


def segment_sum(data, segment_ids, name=None) -> EagerTensor:
    """``tf.math.segment_sum``: sums of the rows of ``data`` sharing a (sorted) segment
    id; ``max(segment_ids) + 1`` rows, 0 for an id that does not occur.

    Raises:
        cannery.errors.InvalidArgumentError: ids not sorted, negative, or not as many as
            ``data``'s rows.
    """
    return _segment_reduce("math.segment_sum", "SegmentSum", data, segment_ids, None, "sum")


def segment_mean(data, segment_ids, name=None) -> EagerTensor:
    """``tf.math.segment_mean`` (integers divide toward zero), see :func:`segment_sum`."""
    return _segment_reduce("math.segment_mean", "SegmentMean", data, segment_ids, None,
                           "mean")


def segment_max(data, segment_ids, name=None) -> EagerTensor:
    """``tf.math.segment_max`` (0 for an id that does not occur)."""
    return _segment_reduce("math.segment_max", "SegmentMax", data, segment_ids, None, "max")


def segment_min(data, segment_ids, name=None) -> EagerTensor:
    """``tf.math.segment_min`` (0 for an id that does not occur)."""
    return _segment_reduce("math.segment_min", "SegmentMin", data, segment_ids, None, "min")


def segment_prod(data, segment_ids, name=None) -> EagerTensor:
    """``tf.math.segment_prod`` (1 for an id that does not occur)."""
    return _segment_reduce("math.segment_prod", "SegmentProd", data, segment_ids, None,
                           "prod")


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> EagerTensor:
    """``tf.math.unsorted_segment_sum``: ``num_segments`` sums of the rows sharing an id
    (any order; negative ids are dropped, an empty segment is 0).

    Raises:
        cannery.errors.InvalidArgumentError: an id >= ``num_segments``.
    """
    return _segment_reduce("math.unsorted_segment_sum", "UnsortedSegmentSum", data,
                           segment_ids, num_segments, "sum")


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> EagerTensor:
    """``tf.math.unsorted_segment_max``; an empty segment holds the dtype's lowest value
    (``-3.4028235e+38`` for float32, not -inf), as TensorFlow's."""
    return _segment_reduce("math.unsorted_segment_max", "UnsortedSegmentMax", data,
                           segment_ids, num_segments, "max")


def unsorted_segment_min(data, segment_ids, num_segments, name=None) -> EagerTensor:
    """``tf.math.unsorted_segment_min``; an empty segment holds the dtype's largest value."""
    return _segment_reduce("math.unsorted_segment_min", "UnsortedSegmentMin", data,
                           segment_ids, num_segments, "min")


def unsorted_segment_prod(data, segment_ids, num_segments, name=None) -> EagerTensor:
    """``tf.math.unsorted_segment_prod``; an empty segment is 1."""
    return _segment_reduce("math.unsorted_segment_prod", "UnsortedSegmentProd", data,
                           segment_ids, num_segments, "prod")


def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> EagerTensor:
    """``tf.math.unsorted_segment_mean``: :func:`unsorted_segment_sum` divided by each
    segment's count (at least 1) with ``truediv``, so integers give float64."""
    array = to_array(_unvar(data))
    summed = unsorted_segment_sum(array, segment_ids, num_segments)
    ones = unsorted_segment_sum(np.ones(array.shape, array.dtype), segment_ids, num_segments)
    return truediv(summed, maximum(ones, np.ones((), array.dtype)))


def polyval(coeffs, x, name=None) -> EagerTensor:
    """``tf.math.polyval``: ``coeffs[0] * x**(n-1) + ... + coeffs[-1]`` by Horner's rule
    (zeros like ``x`` for no coefficients).

    Raises:
        ValueError: ``coeffs`` is not a list.
    """
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    x = to_array(_unvar(x))
    if not coeffs:
        return zeros_like(x)
    terms = [to_array(_unvar(c)) for c in coeffs]
    p = terms[0]
    for c in terms[1:]:
        p = add(c, multiply(p, x))
    return p
