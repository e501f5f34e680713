"""``tf.keras.activations``: the registered activations under Keras' names.

``DNNClassifier(activation_fn=tf.keras.activations.relu)`` then gets cannery's relu
itself, with its exact derivative (a plain callable would train through a numerical
one). Called directly they behave as ``tf.nn``'s (see
:class:`~cannery.core.activation.Activation`); Keras' optional arguments (``alpha``,
``max_value``, ``threshold``) are not taken. ``softmax``, ``exponential``,
``hard_sigmoid`` and ``mish`` are plain functions of a tensor.
"""

from __future__ import annotations

import numpy as np

from cannery import registry

__all__ = ["elu", "exponential", "gelu", "get", "hard_sigmoid", "linear", "mish", "relu",
           "selu", "serialize", "deserialize", "sigmoid", "softmax", "softplus", "softsign",
           "swish", "tanh"]

_REGISTERED = ("elu", "gelu", "linear", "relu", "selu", "sigmoid", "softplus", "softsign",
               "swish", "tanh")


def __getattr__(name):
    if name in _REGISTERED:
        if name == "gelu":
            from cannery import nn

            return nn.gelu
        return registry.get("activation", name)
    raise AttributeError(f"cannery.keras.activations has no attribute {name!r} (not provided "
                         "by cannery)")


def _float_tensor(x):
    from cannery.math import to_array

    array = to_array(x).view(np.ndarray)
    if array.dtype.kind != "f":
        array = array.astype(np.float32)
    return array


def softmax(x, axis=-1):
    """Keras' softmax over ``axis`` (a 1-D input is refused, as Keras 2.15 does)."""
    from cannery.core.eager_tensor import as_eager

    array = _float_tensor(x)
    if array.ndim <= 1:
        raise ValueError("Cannot apply softmax to a tensor that is 1D. "
                         f"Received input: {array}")
    shifted = array - array.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return as_eager((e / e.sum(axis=axis, keepdims=True)).astype(array.dtype))


def exponential(x):
    from cannery.core.eager_tensor import as_eager

    return as_eager(np.exp(_float_tensor(x)))


def hard_sigmoid(x):
    """Keras 2.15's piecewise-linear sigmoid: ``clip(0.2 x + 0.5, 0, 1)``."""
    from cannery.core.eager_tensor import as_eager

    array = _float_tensor(x)
    dtype = array.dtype.type
    return as_eager(np.clip(array * dtype(0.2) + dtype(0.5), dtype(0), dtype(1)))


def mish(x):
    """``x · tanh(softplus(x))``."""
    from cannery.core.eager_tensor import as_eager

    array = _float_tensor(x)
    return as_eager((array * np.tanh(np.logaddexp(0, array))).astype(array.dtype))


_FUNCTIONS = {"softmax": softmax, "exponential": exponential, "hard_sigmoid": hard_sigmoid,
              "mish": mish}


def get(identifier):
    """An activation from its name, a callable (returned as it is) or None (linear)."""
    if identifier is None:
        return __getattr__("linear")
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _REGISTERED:
            return __getattr__(identifier)
        raise ValueError(f"Unknown activation function '{identifier}' cannot be "
                         "deserialized.")
    if callable(identifier):
        return identifier
    raise TypeError("Could not interpret activation function identifier: " + repr(identifier))


def serialize(activation) -> str:
    """The name of a built-in activation (Keras 2.15 gives the name of one of its own)."""
    name = getattr(activation, "registered_name", None) or getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"Unknown activation function {activation!r}")
    return name


def deserialize(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)
