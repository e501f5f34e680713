"""Adagrad (Keras legacy) and ProximalAdagrad (TF's ApplyProximalAdagrad)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer


def _check_initial_accumulator(instance, attribute, value):
    if value < 0.0:
        raise ValueError(f"initial_accumulator_value must be non-negative: {value}")


def _epsilon_or_default(value):
    # Keras: ``epsilon=None`` means backend.epsilon() (1e-7).
    return 1e-7 if value is None else float(value)


@attrs.frozen
class Adagrad(Optimizer):
    """Adagrad (REFERENCE §3.3)::

        acc ← acc + g²;  θ ← θ − η·g / (sqrt(acc) + ε)

    Row-sparse: the same per given row; other rows are untouched. ``epsilon=0``
    gives TF v1's ``AdagradOptimizer`` (θ ← θ − η·g/sqrt(acc)).

    Args:
        learning_rate: float or schedule; Keras default 0.001.
        initial_accumulator_value: start value of the ``accumulator`` slot (≥ 0).
        epsilon: added after the square root; Keras default 1e-7.
        **common: ``decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``.

    Raises:
        ValueError: negative ``initial_accumulator_value`` (Keras' message).
    """

    registered_name: ClassVar[str] = "Adagrad"
    tf_name: ClassVar[str] = "Adagrad"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    initial_accumulator_value: float = attrs.field(
        default=0.1, converter=float, validator=_check_initial_accumulator)
    epsilon: float = attrs.field(default=1e-7, converter=_epsilon_or_default)

    def slot_names(self):
        return ("accumulator",)

    def slot_initial_value(self, slot):
        return self.initial_accumulator_value

    def _coefficients(self, lr, step, dtype):
        return lr, np.dtype(dtype).type(self.epsilon)

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        k.adagrad_dense(var, grad, slots["accumulator"], *c)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        k.adagrad_sparse(var, slots["accumulator"], ids, rows, *c)

    def reference_dense(self, var, grad, slots, lr, step):
        acc = slots["accumulator"]
        acc += grad * grad
        var -= lr * grad / (np.sqrt(acc) + self.epsilon)


def _non_negative(name):
    def check(instance, attribute, value):
        if value < 0.0:
            raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")
    return check


@attrs.frozen
class ProximalAdagrad(Optimizer):
    """Proximal Adagrad (REFERENCE §3.7; TF ``ApplyProximalAdagrad``)::

        acc ← acc + g²;  η' = η / sqrt(acc);  v = θ − η'·g
        θ ← sign(v)·max(|v| − η'·λ₁, 0) / (1 + η'·λ₂)

    Row-sparse: per given row. Not a Keras optimizer (TF v2 estimators reject it);
    cannery accepts it by name. Hyper variables saved: ``learning_rate``, ``decay``,
    ``l1_regularization_strength``, ``l2_regularization_strength``.

    Args:
        learning_rate: float or schedule; default 0.001 (like the Keras optimizers).
        initial_accumulator_value: start value of the ``accumulator`` slot (≥ 0).
        l1_regularization_strength: λ₁ ≥ 0.
        l2_regularization_strength: λ₂ ≥ 0.
        **common: ``decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``.

    Raises:
        ValueError: a negative accumulator value or regularization strength.
    """

    registered_name: ClassVar[str] = "ProximalAdagrad"
    tf_name: ClassVar[str] = "ProximalAdagrad"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    initial_accumulator_value: float = attrs.field(
        default=0.1, converter=float, validator=_check_initial_accumulator)
    l1_regularization_strength: float = attrs.field(
        default=0.0, converter=float,
        validator=_non_negative("l1_regularization_strength"))
    l2_regularization_strength: float = attrs.field(
        default=0.0, converter=float,
        validator=_non_negative("l2_regularization_strength"))

    def slot_names(self):
        return ("accumulator",)

    def slot_initial_value(self, slot):
        return self.initial_accumulator_value

    def hyper_values(self):
        return {"l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength}

    def _coefficients(self, lr, step, dtype):
        dt = np.dtype(dtype).type
        return (lr, dt(self.l1_regularization_strength), dt(self.l2_regularization_strength),
                dt(1), dt(0))

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        k.proximal_adagrad_dense(var, grad, slots["accumulator"], *c)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        k.proximal_adagrad_sparse(var, slots["accumulator"], ids, rows, *c)

    def reference_dense(self, var, grad, slots, lr, step):
        acc = slots["accumulator"]
        acc += grad * grad
        elr = lr / np.sqrt(acc)
        v = var - elr * grad
        l1, l2 = self.l1_regularization_strength, self.l2_regularization_strength
        if l1 > 0:
            var[...] = np.sign(v) * np.maximum(np.abs(v) - elr * l1, 0) / (1 + elr * l2)
        else:
            var[...] = v / (1 + elr * l2)
