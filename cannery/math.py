"""``tf.math`` on numpy arrays, for the functions estimator code writes by hand.

Feature columns hand their ``normalizer_fn`` numpy arrays, and input functions build
their features with numpy, so ``normalizer_fn=tf.math.log1p`` or
``lambda x: tf.math.maximum(x, 0.0)`` keep working after ``import cannery as tf``.

Every function returns an :class:`~cannery.core.eager_tensor.EagerTensor` (a numpy
array with ``.numpy()``; reductions give 0-d ones), and follows TensorFlow's dtype rules
rather than numpy's: a Python number or list becomes a tensor the way
``tf.convert_to_tensor`` makes one (floats float32, ints int32, text an object array of
``bytes`` kept whole), an array keeps its dtype, a binary operation converts the other
operands to the first EagerTensor's dtype (else the first operand's; ``tf.add`` and the
divisions use ``x``'s as a hint only), two EagerTensors of different dtypes are refused
with the kernel's message, and functions defined only on floats refuse integers. The
float32 results are numpy's, which may differ from TensorFlow's own float32 kernels by
one unit in the last place.
"""

from __future__ import annotations

import numpy as np

from cannery.core.dtypes import as_dtype
from cannery.core.eager_tensor import EagerTensor, as_eager
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
    if isinstance(y, EagerTensor):
        b = _natural(y)
    else:
        try:
            b = convert_like(y, a.dtype, function)
        except (TypeError, ValueError):
            b = _natural(y)
    if a.dtype != b.dtype:
        if op is not None:
            raise _kernel_error(op, 1, a.dtype, b.dtype)
        raise TypeError(f"`x` and `y` must have the same dtype, got tf.{_tf_name(a.dtype)} "
                         f"!= tf.{_tf_name(b.dtype)}.")
    return a, b


def convert_like(value, dtype, function: str = "convert_to_tensor") -> np.ndarray:
    """``value`` in ``dtype``: arrays are cast, Python floats refuse integer dtypes.

    Raises:
        TypeError: a Python float (or list of them) for an integer or bool dtype, or a
            string for a number (TensorFlow's ``Cannot convert ... to EagerTensor``).
    """
    dtype = np.dtype(dtype)
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
logical_not = _unary("logical_not", np.logical_not)


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
logical_and = _binary("logical_and", np.logical_and)
logical_or = _binary("logical_or", np.logical_or)


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

    Raises:
        cannery.errors.InvalidArgumentError: an EagerTensor of another dtype than the
            first EagerTensor's.
    """
    return as_eager(np.stack(_matching("stack", list(values)), axis=int(axis)))


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
    if isinstance(condition, EagerTensor) and condition.dtype != np.bool_:
        raise _kernel_error("SelectV2", 0, np.bool_, condition.dtype, with_name=True)
    condition = convert_like(condition, np.bool_, "where")
    a, b = _matching("where", [x, y], first_index=1)
    return as_eager(np.where(condition, a, b))
