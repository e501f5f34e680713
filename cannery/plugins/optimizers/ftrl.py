"""FTRL-proximal — ``tf.keras.optimizers.legacy.Ftrl`` (TF ApplyFtrl / ApplyFtrlV2)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer
from cannery.errors import InvalidArgumentError


class FtrlLearningRateError(ValueError, InvalidArgumentError):
    """A learning rate that is not positive when a step applies it: TensorFlow's ApplyFtrl
    kernels raise ``InvalidArgumentError`` (a ``ValueError`` too)."""


def _check(name, message):
    def check(instance, attribute, value):
        if (value > 0.0) if message == "negative or zero" else (value < 0.0):
            raise ValueError(f"`{name}` needs to be {message}. Received: {name}={value}.")
    return check


def _check_slot_name(name):
    def check(instance, attribute, value):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"`{name}`: expected a string or None (the slot's name in a "
                            f"TF v1 checkpoint), received {value!r}")
    return check


@attrs.frozen
class Ftrl(Optimizer):
    """FTRL-proximal with L1, L2, L2-shrinkage and beta (REFERENCE §3.4).

    With p = learning_rate_power, λ₂' = l2 + beta/(2η), s = l2 shrinkage, per element
    (row-sparse: per given row, other rows untouched)::

        g_s = g + 2·s·θ;  n' = n + g²;  σ = (n'^(−p) − n^(−p)) / η
        z ← z + g_s − σ·θ
        θ ← (λ₁·sign(z) − z) / (n'^(−p)/η + 2·λ₂')  if |z| > λ₁ else 0;  n ← n'

    Slots: ``accumulator`` (n, starts at ``initial_accumulator_value``), ``linear`` (z).

    Args:
        learning_rate: float or schedule; Keras default 0.001.
        learning_rate_power: p ≤ 0 (−0.5 uses square roots, as TF does).
        initial_accumulator_value: ≥ 0.
        l1_regularization_strength: λ₁ ≥ 0.
        l2_regularization_strength: λ₂ ≥ 0.
        l2_shrinkage_regularization_strength: s ≥ 0 (a magnitude penalty on θ).
        beta: the paper's β, folded into λ₂.
        accum_name: keyword only; ``tf.compat.v1.train.FtrlOptimizer``'s name of the
            accumulator slot in a v1 checkpoint (``<var>/part_0/<accum_name>``; None or
            empty: the optimizer's ``name``). Names only, no effect on the update.
        linear_name: keyword only; the same for the ``linear`` slot.
        **common: ``decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``.

    Raises:
        ValueError: any of the constraints above (Keras' messages).
        TypeError: ``accum_name`` or ``linear_name`` not a string or None.
        FtrlLearningRateError: (an ``InvalidArgumentError``) at a step whose learning rate
            is not positive, as TensorFlow's kernels.
    """

    registered_name: ClassVar[str] = "Ftrl"
    tf_name: ClassVar[str] = "Ftrl"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    learning_rate_power: float = attrs.field(
        default=-0.5, converter=float,
        validator=_check("learning_rate_power", "negative or zero"))
    initial_accumulator_value: float = attrs.field(
        default=0.1, converter=float,
        validator=_check("initial_accumulator_value", "positive or zero"))
    l1_regularization_strength: float = attrs.field(
        default=0.0, converter=float,
        validator=_check("l1_regularization_strength", "positive or zero"))
    l2_regularization_strength: float = attrs.field(
        default=0.0, converter=float,
        validator=_check("l2_regularization_strength", "positive or zero"))
    l2_shrinkage_regularization_strength: float = attrs.field(
        default=0.0, kw_only=True, converter=float,
        validator=_check("l2_shrinkage_regularization_strength", "positive or zero"))
    beta: float = attrs.field(default=0.0, kw_only=True, converter=float)
    accum_name: str | None = attrs.field(default=None, kw_only=True,
                                         validator=_check_slot_name("accum_name"))
    linear_name: str | None = attrs.field(default=None, kw_only=True,
                                          validator=_check_slot_name("linear_name"))
    # accum_name and linear_name are TF v1's (not Keras' configuration).
    config_keys: ClassVar[tuple[str, ...]] = (
        "initial_accumulator_value", "learning_rate_power", "l1_regularization_strength",
        "l2_regularization_strength", "beta", "l2_shrinkage_regularization_strength")

    def slot_names(self):
        return ("accumulator", "linear")

    def slot_initial_value(self, slot):
        return self.initial_accumulator_value if slot == "accumulator" else 0.0

    def hyper_values(self):
        return {
            "learning_rate_power": self.learning_rate_power,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "beta": self.beta,
        }

    def _coefficients(self, lr, step, dtype):
        if not lr > 0:
            # TF's (Resource)(Sparse)ApplyFtrl(V2) check, training_ops.cc; the Keras and v1
            # constructors accept any learning rate, the first step fails.
            raise FtrlLearningRateError(
                "lr is not a positive scalar (or zero if multiply_linear_by_lr is set): [] "
                f"(Ftrl learning_rate at step {step}: {float(lr)!r}; expected > 0)")
        dt = np.dtype(dtype).type
        # Keras folds beta into l2 in float32: l2 + beta / (2 * lr_t).
        l2 = dt(self.l2_regularization_strength) + dt(self.beta) / (dt(2) * lr)
        return (lr, dt(self.l1_regularization_strength), dt(2) * l2,
                dt(self.learning_rate_power), dt(2) * dt(self.l2_shrinkage_regularization_strength),
                self.learning_rate_power == -0.5, dt(0))

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        k.ftrl_dense(var, grad, slots["accumulator"], slots["linear"], *c)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        k.ftrl_sparse(var, slots["accumulator"], slots["linear"], ids, rows, *c)

    def reference_dense(self, var, grad, slots, lr, step):
        n, z = slots["accumulator"], slots["linear"]
        p = self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2 * lr)
        g_s = grad + 2 * self.l2_shrinkage_regularization_strength * var
        n_new = n + grad * grad
        sigma = (n_new ** -p - n ** -p) / lr
        z += g_s - sigma * var
        denom = n_new ** -p / lr + 2 * l2
        var[...] = np.where(np.abs(z) > l1, (l1 * np.sign(z) - z) / denom, 0)
        n[...] = n_new
