"""The activation contract: a forward and a derivative kernel over float arrays.

Kernels may be given as callables or as ``"module:function"`` strings resolved on first
use, so a plugin can register activations without importing numba (and the CLI's
``plugins`` listing stays fast).
"""

from __future__ import annotations

import importlib
from typing import Callable

import attrs
import numpy as np


def _resolve(ref):
    if callable(ref):
        return ref
    module_name, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@attrs.define(eq=False)
class Activation:
    """An element-wise activation ``y = f(x)`` with its derivative.

    Args:
        name: registered name (``"relu"``).
        forward: ``forward(x, out)`` writing ``f(x)`` into ``out`` (1-D contiguous
            arrays of the same float dtype), or a ``"module:function"`` reference.
        backward: ``backward(x, y, dy, out)`` writing ``dy * f'(x)`` into ``out``;
            ``y`` is ``f(x)`` so derivatives that are cheaper from the output use it.
        doc: one-line description (shown by ``cannery plugins``).

    Calling the activation on an array returns ``f(x)`` as a new array, like
    ``tf.nn.relu``.
    """

    name: str
    forward: Callable | str = attrs.field(repr=False)
    backward: Callable | str = attrs.field(repr=False)
    doc: str = ""
    _kernels: tuple | None = attrs.field(default=None, init=False, repr=False)

    @property
    def registered_name(self) -> str:
        return self.name

    @property
    def __doc__(self) -> str:  # the registry lists this as the one-line summary
        return self.doc

    def kernels(self) -> tuple[Callable, Callable]:
        if self._kernels is None:
            self._kernels = (_resolve(self.forward), _resolve(self.backward))
        return self._kernels

    def __call__(self, x) -> np.ndarray:
        """``f(x)`` as an EagerTensor, ``x`` converted as ``tf.convert_to_tensor`` would
        (Python floats float32), with the dtype rules of TensorFlow's kernel for a
        built-in name: relu and relu6 take integers, leaky_relu casts them to float32,
        linear passes anything through, the others refuse them."""
        from cannery.core.eager_tensor import as_eager

        if self.name not in _INTEGER_RULES:  # a user's function: any number as float
            x = _as_float_array(x)
        else:
            from cannery.math import to_array

            x = _contiguous(to_array(x).view(np.ndarray))
            if x.dtype.kind not in "f":
                rule = _INTEGER_RULES[self.name]
                if rule == "pass":
                    return as_eager(x.copy())
                if x.dtype.kind not in "iu":
                    from cannery.errors import InvalidArgumentError

                    raise InvalidArgumentError(
                        f"Value for attr 'T' of {_tf_dtype_name(x)} is not in the list of "
                        f"allowed values: {_ALLOWED[rule]}")
                if rule == "integer":
                    out = np.maximum(x, 0)
                    return as_eager(np.minimum(out, 6) if self.name == "relu6" else out)
                if rule == "cast":
                    x = x.astype(np.float32)
                elif rule == "value_error":
                    raise ValueError("`features.dtype` must be a floating point tensor."
                                     f"Received:features.dtype=<dtype: '{x.dtype.name}'>")
                else:
                    from cannery.errors import InvalidArgumentError

                    raise InvalidArgumentError(
                        f"Value for attr 'T' of {x.dtype.name} is not in the list of "
                        f"allowed values: {_ALLOWED['float']}")
        out = np.empty_like(x)
        self.kernels()[0](x.reshape(-1), out.reshape(-1))
        return as_eager(out)

    def apply_(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``f(x)`` into ``out`` (may be ``x`` itself for an in-place update)."""
        out = np.empty_like(x) if out is None else out
        self.kernels()[0](x.reshape(-1), out.reshape(-1))
        return out

    def gradient(self, x: np.ndarray, y: np.ndarray, dy: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
        """``dy * f'(x)``; ``out`` may alias ``dy``."""
        out = np.empty_like(dy) if out is None else out
        self.kernels()[1](x.reshape(-1), y.reshape(-1), dy.reshape(-1), out.reshape(-1))
        return out

    def to_spec(self) -> str:
        return self.name


# What a built-in activation called directly does with a tensor that is not a float one
# (TensorFlow's kernels' type constraints; gelu checks in Python first).
_INTEGER_RULES = {
    "relu": "integer", "relu6": "integer", "leaky_relu": "cast", "linear": "pass",
    "gelu": "value_error", "gelu_approximate": "value_error",
    **{name: "float" for name in ("elu", "selu", "sigmoid", "tanh", "softplus", "softsign",
                                  "swish", "silu")},
}
_ALLOWED = {
    "integer": "float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, "
               "uint32, uint64, qint8",
    "cast": "half, bfloat16, float, double, int32, int64",
    "float": "half, bfloat16, float, double",
    "value_error": "half, bfloat16, float, double",
    "pass": "",
}


def _tf_dtype_name(array) -> str:
    return "string" if array.dtype.kind in "OSU" else array.dtype.name


def _contiguous(x: np.ndarray) -> np.ndarray:
    # np.ascontiguousarray would make a 0-d array 1-d
    return x if x.flags.c_contiguous else x.copy(order="C")


def _as_float_array(x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32)
    return _contiguous(x)


def from_callable(fn: Callable, name: str | None = None) -> Activation:
    """An activation from a plain element-wise function of an array (``lambda x: ...``).

    The derivative is the central difference of ``fn`` in float64 with a step scaled to
    each element (``h = 1e-5 * max(1, |x|)``), so a user's function trains without a
    hand-written gradient; a registered :class:`Activation` with an exact derivative is
    faster and exact.
    """

    def forward(x, out):
        out[...] = np.asarray(fn(x), dtype=out.dtype).reshape(out.shape)

    def backward(x, y, dy, out):
        x64 = x.astype(np.float64)
        h = 1e-5 * np.maximum(1.0, np.abs(x64))
        upper = np.asarray(fn(x64 + h), dtype=np.float64).reshape(x.shape)
        lower = np.asarray(fn(x64 - h), dtype=np.float64).reshape(x.shape)
        out[...] = (dy * (upper - lower) / (2 * h)).astype(out.dtype)

    label = name or getattr(fn, "__name__", "custom")
    return Activation(label, forward, backward, f"User function {label} (numerical derivative).")


def _dtype_alpha(alpha, x):
    return x.dtype.type(alpha)


@attrs.define(eq=False)
class LeakyReLU(Activation):
    """``tf.nn.leaky_relu``: ``x if x > 0 else alpha * x``; called directly it takes TF's
    ``(features, alpha=0.2, name=None)``.

    The derivative is TensorFlow's ``LeakyReluGrad``: ``dy if x > 0 else alpha * dy``
    (``alpha`` at 0). ``alpha`` is rounded to the input's dtype first, as TF's kernel does.
    """

    alpha: float = 0.2

    def kernels(self) -> tuple[Callable, Callable]:
        if self._kernels is None:
            from cannery.core.kernels import activations as k

            alpha = float(self.alpha)

            def forward(x, out):
                k.leaky_relu_forward(x, out, _dtype_alpha(alpha, x))

            def backward(x, y, dy, out):
                k.leaky_relu_backward(x, y, dy, out, _dtype_alpha(alpha, x))

            self._kernels = (forward, backward)
        return self._kernels

    def __call__(self, features, alpha=None, name=None) -> np.ndarray:
        if alpha is not None and float(alpha) != self.alpha:
            return leaky_relu_activation(alpha)(features)
        return super().__call__(features)

    def to_spec(self) -> str:
        if self.alpha != 0.2:
            raise ValueError(f"leaky_relu with alpha={self.alpha}: only the default alpha "
                             "0.2 can be stored by name")
        return self.name


def leaky_relu_activation(alpha: float = 0.2) -> LeakyReLU:
    """A :class:`LeakyReLU` with slope ``alpha`` below zero."""
    return LeakyReLU("leaky_relu", "", "", "Leaky ReLU: x if x > 0 else alpha * x "
                     "(tf.nn.leaky_relu, alpha 0.2).", alpha=float(alpha))


@attrs.define(eq=False)
class GELU(Activation):
    """The exact GELU; called directly it takes ``tf.nn.gelu``'s
    ``(features, approximate=False, name=None)`` (``approximate=True``: the tanh form)."""

    def __call__(self, features, approximate=False, name=None) -> np.ndarray:
        if approximate:
            from cannery import registry

            return registry.get("activation", "gelu_approximate")(features)
        return super().__call__(features)


def resolve_activation(activation) -> Activation:
    """An :class:`Activation` from a registered name, an Activation, a callable or ``None``.

    ``None`` is linear (Keras' ``Dense`` default, as in TensorFlow 2.15); a plain callable
    gets a numerical derivative (:func:`from_callable`).

    Raises:
        TypeError: for anything else.
    """
    from cannery import registry

    if activation is None:
        return registry.get("activation", "linear")
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        try:
            return registry.get("activation", activation)
        except registry.UnknownComponentError as error:
            # Keras' activations.get message, then the registry's suggestions.
            raise ValueError(f"Unknown activation function '{activation}' cannot be "
                             f"deserialized. {error}") from None
    if callable(activation):
        return from_callable(activation)
    raise TypeError(
        f"activation_fn must be a registered activation name, a cannery.nn function "
        f"(e.g. cannery.nn.relu), a callable or None; got {activation!r}")
