"""cannery: TensorFlow's canned estimators on numpy and numba, built from plugins.

``import cannery as tf`` gives the names TensorFlow estimator code uses
(``tf.estimator``, ``tf.feature_column``, ``tf.keras.optimizers``, ``tf.data``,
``tf.nn``, ``tf.compat.v1``, dtypes ...). Submodules load on first access so that
importing cannery (and the CLI's ``--help``) stays fast.
"""

from __future__ import annotations

import importlib

from cannery._version import __version__
from cannery.core.dtypes import (
    DType,
    as_dtype,
    bool_ as bool,  # noqa: A001 - TensorFlow's name
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
)
from cannery.core.hookspecs import hookimpl

# public name -> "module" or "module:attribute", imported on first access
_LAZY = {
    "registry": "cannery.registry",
    "testing": "cannery.testing",
    "nn": "cannery.nn",
    "optimizers": "cannery.optimizers",
    "keras": "cannery.keras",
    "compat": "cannery.compat",
    "feature_column": "cannery.feature_column",
    "data": "cannery.data",
    "losses": "cannery.losses",
    "estimator": "cannery.estimator",
    "checkpoint": "cannery.checkpoint",
    "train": "cannery.train",
    "io": "cannery.io",
    "serving": "cannery.serving",
    "saved_model": "cannery.saved_model",
    "sklearn": "cannery.sklearn",
    "SparseTensor": "cannery.core.tensors:SparseTensor",
    "TensorSpec": "cannery.core.eager_tensor:TensorSpec",
    "SparseTensorSpec": "cannery.core.eager_tensor:SparseTensorSpec",
    "TensorShape": "cannery.core.eager_tensor:TensorShape",
    "math": "cannery.math",
    "errors": "cannery.errors",
    "initializers": "cannery.keras.initializers",
    "random": "cannery.random",
    "sparse": "cannery.sparse",
    "strings": "cannery.strings",
    "get_logger": "cannery.compat.v1.logging:get_logger",
}
_LAZY.update({name: f"cannery.keras.initializers:{name}" for name in (
    "constant_initializer", "ones_initializer", "random_normal_initializer",
    "random_uniform_initializer", "zeros_initializer")})
# TensorFlow's top-level tensor functions that estimator programs use in input and
# normalizer functions (numpy-backed, see cannery.math).
_LAZY.update({name: f"cannery.math:{name}" for name in (
    "abs", "add", "cast", "clip_by_value", "concat", "constant", "convert_to_tensor", "divide",
    "equal", "exp", "expand_dims", "greater", "greater_equal", "less", "less_equal",
    "logical_and", "logical_not", "logical_or", "maximum", "minimum", "multiply", "negative",
    "not_equal", "ones_like", "pow", "reduce_max", "reduce_mean", "reduce_min", "reduce_sum",
    "reshape", "round", "sigmoid", "sign", "sqrt", "square", "squeeze", "stack", "subtract",
    "tanh", "truediv", "where", "zeros_like")})
# More of TensorFlow's top level: tf.math functions it also exports, array functions
# (cannery.ops), assertions, tf.Variable and the tf.nest / tf.dtypes / tf.debugging /
# tf.version / tf.config modules.
_LAZY.update({name: f"cannery.math:{name}" for name in (
    "acos", "acosh", "add_n", "argmax", "argmin", "asin", "asinh", "atan", "atan2", "atanh",
    "cos", "cosh", "cumsum", "floor", "realdiv", "reduce_all", "reduce_any",
    "reduce_logsumexp", "reduce_prod", "scalar_mul", "sin", "sinh", "tan")})
_LAZY.update({name: f"cannery.ops:{name}" for name in (
    "Tensor", "argsort", "boolean_mask", "broadcast_to", "clip_by_norm", "einsum",
    "executing_eagerly", "eye", "fill", "function", "gather", "gather_nd", "identity",
    "is_tensor", "linspace", "matmul", "newaxis", "numpy_function", "one_hot", "ones", "pad",
    "print", "py_function", "range", "rank", "repeat", "reverse", "searchsorted",
    "sequence_mask", "shape", "size", "sort", "split", "stop_gradient", "tile", "transpose",
    "unique", "unique_with_counts", "unstack", "zeros")})
_LAZY.update({name: f"cannery.debugging:{name}" for name in (
    "Assert", "assert_equal", "assert_greater", "assert_less", "assert_rank")})
_LAZY.update({"Variable": "cannery.variables:Variable", "nest": "cannery.nest",
              "double": "cannery.dtypes:double", "half": "cannery.dtypes:half",
              "dtypes": "cannery.dtypes", "debugging": "cannery.debugging",
              "version": "cannery.version", "config": "cannery.config"})


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(
            f"module 'cannery' has no attribute {name!r} (this TensorFlow symbol is not "
            f"provided by cannery)"
        )
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["__version__", "hookimpl", "DType", "as_dtype", "string", "int32", "int64",
           "float32", "float64"]
