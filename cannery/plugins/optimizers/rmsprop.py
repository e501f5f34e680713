"""RMSprop — ``tf.keras.optimizers.legacy.RMSprop`` (plain, centered, momentum)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer, dedup_rows_reference
from cannery.plugins.optimizers.sgd import _check_momentum


def _epsilon_or_default(value):
    # Keras: ``self.epsilon = epsilon or backend.epsilon()``.
    return float(value) if value else 1e-7


@attrs.frozen
class RMSprop(Optimizer):
    """RMSprop (REFERENCE §3.6); TF places ε differently in its two code paths.

    momentum == 0 (Keras' python path; ε **outside** the square root)::

        ms ← ρ·ms + (1−ρ)·g²;  [centered: mg ← ρ·mg + (1−ρ)·g;  ms − mg²]
        θ ← θ − η·g / (sqrt(denom) + ε)

      Row-sparse: ms (and mg) of **every** row decay; the given rows add and move.

    momentum μ > 0 (TF's ApplyRMSProp kernels; ε **inside** the square root)::

        ms ← ms + (g² − ms)(1−ρ);  [centered: mg ← mg + (g − mg)(1−ρ)]
        mom ← μ·mom + η·g / sqrt(denom + ε);  θ ← θ − mom

      Row-sparse: only the given rows change.

    Args:
        learning_rate: float or schedule; Keras default 0.001.
        rho: ρ, the decay of the moving averages.
        momentum: μ in [0, 1]; a ``momentum`` slot exists only when > 0.
        epsilon: ε (0 or None means 1e-7, as Keras).
        centered: normalise by the variance estimate (slot ``mg``).
        **common: ``decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``.

    Raises:
        ValueError: momentum outside [0, 1] (Keras' message).
    """

    registered_name: ClassVar[str] = "RMSProp"
    tf_name: ClassVar[str] = "RMSprop"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]
    aliases: ClassVar[tuple[str, ...]] = ("RMSprop",)

    rho: float = attrs.field(default=0.9, converter=float)
    momentum: float = attrs.field(default=0.0, converter=float,
                                  validator=_check_momentum)
    epsilon: float = attrs.field(default=1e-7, converter=_epsilon_or_default)
    centered: bool = attrs.field(default=False, converter=bool)

    def slot_names(self):
        names = ("rms",)
        if self.momentum > 0:
            names += ("momentum",)
        if self.centered:
            names += ("mg",)
        return names

    def hyper_values(self):
        return {"rho": self.rho, "momentum": self.momentum}

    def sparse_updates_all_rows(self):
        return self.momentum == 0

    def _coefficients(self, lr, step, dtype):
        dt = np.dtype(dtype).type
        rho = dt(self.rho)
        return lr, -lr, rho, dt(1) - rho, dt(self.momentum), dt(self.epsilon)

    @staticmethod
    def _optional(slots, name, like):
        a = slots.get(name)
        return a if a is not None else np.empty((0,) * like.ndim, like.dtype)

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, _, rho, omr, mu, eps = c
        mg = self._optional(slots, "mg", var)
        if self.momentum > 0:
            k.rmsprop_momentum_dense(var, grad, slots["rms"], mg, slots["momentum"],
                                     self.centered, lr, omr, mu, eps)
        else:
            k.rmsprop_dense(var, grad, slots["rms"], mg, self.centered, lr, rho, omr, eps)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, neg_lr, rho, omr, mu, eps = c
        mg = self._optional(slots, "mg", var)
        if self.momentum > 0:
            k.rmsprop_momentum_sparse(var, slots["rms"], mg, slots["momentum"], self.centered,
                                      ids, rows, lr, omr, mu, eps)
        else:
            k.rmsprop_sparse(var, slots["rms"], mg, self.centered, ids, rows, neg_lr, rho, omr,
                             eps)

    def reference_dense(self, var, grad, slots, lr, step):
        rho, eps = self.rho, self.epsilon
        ms = slots["rms"]
        if self.momentum == 0:
            ms[...] = rho * ms + (1 - rho) * grad * grad
            denom = ms
            if self.centered:
                mg = slots["mg"]
                mg[...] = rho * mg + (1 - rho) * grad
                denom = ms - mg * mg
            var -= lr * grad / (np.sqrt(denom) + eps)
            return
        ms += (grad * grad - ms) * (1 - rho)
        denom = ms + eps
        if self.centered:
            mg = slots["mg"]
            mg += (grad - mg) * (1 - rho)
            denom = ms - mg * mg + eps
        mom = slots["momentum"]
        mom[...] = self.momentum * mom + lr * grad / np.sqrt(denom)
        var -= mom

    def reference_sparse(self, var, ids, rows, slots, lr, step):
        if self.momentum > 0:
            return super().reference_sparse(var, ids, rows, slots, lr, step)
        uniq, g = dedup_rows_reference(ids, rows)
        ms = slots["rms"]
        ms *= self.rho
        ms[uniq] += (1 - self.rho) * g * g
        denom = ms[uniq]
        if self.centered:
            mg = slots["mg"]
            mg *= self.rho
            mg[uniq] += (1 - self.rho) * g
            denom = denom - mg[uniq] ** 2
        var[uniq] -= lr * g / (np.sqrt(denom) + self.epsilon)
