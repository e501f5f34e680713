"""v1's ``tf.compat.v1.constant`` and ``tf.compat.v1.convert_to_tensor``, which take
``verify_shape`` and ``preferred_dtype``."""

from __future__ import annotations

import numpy as np

from cannery import math as _math


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """``tf.compat.v1.constant``: :func:`cannery.math.constant`; with ``verify_shape``,
    ``value`` must already have ``shape``.

    Raises:
        TypeError: ``verify_shape`` and a ``value`` of another shape (TensorFlow's
            message), or as :func:`cannery.math.constant`.
    """
    if verify_shape and shape is not None:
        array = _math.to_array(value, dtype)
        expected = tuple(int(d) for d in shape)
        if array.shape != expected:
            raise TypeError(f"Expected Tensor {np.asarray(array)} (converted from {value}) "
                            f"with shape {expected}, but got shape {array.shape}.")
    return _math.constant(value, dtype=dtype, shape=shape, name=name)


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None):
    """``tf.compat.v1.convert_to_tensor``: ``preferred_dtype`` is v1's ``dtype_hint``.

    Raises:
        ValueError: both ``preferred_dtype`` and ``dtype_hint`` given, or as
            :func:`cannery.math.convert_to_tensor`.
    """
    if preferred_dtype is not None and dtype_hint is not None:
        raise ValueError("Cannot specify both 'preferred_dtype' and 'dtype_hint'.")
    hint = dtype_hint if dtype_hint is not None else preferred_dtype
    return _math.convert_to_tensor(value, dtype=dtype, dtype_hint=hint, name=name)
