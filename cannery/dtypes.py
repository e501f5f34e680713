"""``tf.dtypes``: the DType class, ``as_dtype``, ``cast`` and the dtype constants.

The constants are cannery's :mod:`cannery.core.dtypes` objects (``tf.dtypes.float32 is
tf.float32``); ``half`` and ``double`` are TensorFlow's aliases of float16 and float64.
cannery has no complex, bfloat16 or quantized dtypes.
"""

from cannery.core.dtypes import (  # noqa: F401 - re-exported
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
from cannery.math import cast  # noqa: F401

half = float16
double = float64

__all__ = ["DType", "as_dtype", "bool", "cast", "double", "float16", "float32", "float64",
           "half", "int8", "int16", "int32", "int64", "string", "uint8", "uint16", "uint32",
           "uint64"]
