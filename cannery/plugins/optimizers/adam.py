"""Adam (and AMSGrad, and lazy row-sparse Adam) — ``tf.keras.optimizers.legacy.Adam``."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer, dedup_rows_reference


def _epsilon_or_default(value):
    # Keras: ``self.epsilon = epsilon or backend.epsilon()``.
    return float(value) if value else 1e-7


@attrs.frozen
class Adam(Optimizer):
    """Adam (REFERENCE §3.5), t = step + 1, α = η·sqrt(1 − β₂ᵗ)/(1 − β₁ᵗ)::

        m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
        θ ← θ − α·m / (sqrt(v) + ε)          (amsgrad: v̂ ← max(v̂, v), sqrt(v̂))

    Row-sparse, as TF: the moments of **every** row decay (m ← β₁m, v ← β₂v), the
    given rows add (1 − β₁)g and (1 − β₂)g², and every row moves — a full pass over
    the table per step. ``lazy=True`` (beyond TF) updates only the given rows, the
    fast choice for large embedding tables; results then differ from TF for rows
    absent from a batch.

    Args:
        learning_rate: float or schedule; Keras default 0.001.
        beta_1: β₁.
        beta_2: β₂.
        epsilon: ε, added after the square root (0 or None means 1e-7, as Keras).
        amsgrad: keep the running maximum ``vhat`` of v.
        lazy: row-sparse updates touch only the given rows (deviation from TF).
        **common: ``decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``.
    """

    registered_name: ClassVar[str] = "Adam"
    tf_name: ClassVar[str] = "Adam"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    beta_1: float = attrs.field(default=0.9, converter=float)
    beta_2: float = attrs.field(default=0.999, converter=float)
    epsilon: float = attrs.field(default=1e-7, converter=_epsilon_or_default)
    amsgrad: bool = attrs.field(default=False, converter=bool)
    lazy: bool = attrs.field(default=False, kw_only=True, converter=bool)
    config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def slot_names(self):
        return ("m", "v", "vhat") if self.amsgrad else ("m", "v")

    def hyper_values(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2}

    def sparse_updates_all_rows(self):
        return not self.lazy

    def _coefficients(self, lr, step, dtype):
        dt = np.dtype(dtype).type
        one = dt(1)
        b1, b2 = dt(self.beta_1), dt(self.beta_2)
        t = dt(step + 1)
        b1p, b2p = b1 ** t, b2 ** t
        # The dense raw op computes lr*sqrt(1-b2^t)/(1-b1^t); the sparse python path
        # lr*(sqrt(1-b2^t)/(1-b1^t)). Same value, different float32 rounding.
        alpha_dense = lr * np.sqrt(one - b2p) / (one - b1p)
        alpha_sparse = lr * (np.sqrt(one - b2p) / (one - b1p))
        return (dt(alpha_dense), dt(alpha_sparse), b1, one - b1, b2, one - b2,
                dt(self.epsilon))

    @staticmethod
    def _vhat(slots, like):
        vhat = slots.get("vhat")
        return vhat if vhat is not None else np.empty((0,) * like.ndim, like.dtype)

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        alpha, _, _, omb1, _, omb2, eps = c
        k.adam_dense(var, grad, slots["m"], slots["v"], self._vhat(slots, var), self.amsgrad,
                     alpha, omb1, omb2, eps)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        _, alpha, b1, omb1, b2, omb2, eps = c
        m, v, vhat = slots["m"], slots["v"], self._vhat(slots, var)
        if self.lazy:
            k.adam_sparse_lazy(var, m, v, vhat, self.amsgrad, ids, rows, alpha, b1, omb1, b2,
                               omb2, eps)
            return
        bits = np.dtype(f"u{m.dtype.itemsize}")
        # Rows with all-zero moments are fixed points only if alpha * 0 / (sqrt(0) + eps)
        # is +0.0 (the kernel's docstring).
        skip = bool(np.isfinite(alpha) and eps > 0)
        k.adam_sparse(var, m, v, vhat, self.amsgrad, m.view(bits), v.view(bits), skip, ids,
                      rows, alpha, b1, omb1, b2, omb2, eps, var.dtype.type(1))

    def end_of_input(self, slots: dict, names) -> None:
        """The input-free part of a row-sparse step, which TensorFlow runs once more when
        a ``train()`` ends because the input ended.

        Keras' ``Adam._resource_apply_sparse`` (and TF v1's ``_apply_sparse_shared``)
        starts with ``m.assign(m * beta_1)`` and ``v.assign(v * beta_2)``; only the
        scatter-add of the gradient and the variable's update wait for the input. The
        estimator's last ``session.run(train_op)``, which fails with OutOfRangeError,
        runs those two assigns first: every row-sparse variable's moments decay once more
        (the variables, ``vhat`` and the step do not change). Lazy Adam has no such part.

        Args:
            slots: the optimizer state's ``{variable: {slot: array}}`` (updated in place).
            names: the variables updated from row-sparse gradients.
        """
        if self.lazy:
            return
        for name in names:
            var_slots = slots[name]
            m, v = var_slots["m"], var_slots["v"]
            m *= m.dtype.type(self.beta_1)
            v *= v.dtype.type(self.beta_2)

    def _alpha(self, lr, step):
        t = step + 1
        return lr * np.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)

    def reference_dense(self, var, grad, slots, lr, step):
        m, v = slots["m"], slots["v"]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        if self.amsgrad:
            np.maximum(slots["vhat"], v, out=slots["vhat"])
            v = slots["vhat"]
        var -= self._alpha(lr, step) * m / (np.sqrt(v) + self.epsilon)

    def reference_sparse(self, var, ids, rows, slots, lr, step):
        if self.lazy:
            return super().reference_sparse(var, ids, rows, slots, lr, step)
        uniq, g = dedup_rows_reference(ids, rows)
        m, v = slots["m"], slots["v"]
        m *= self.beta_1
        m[uniq] += (1 - self.beta_1) * g
        v *= self.beta_2
        v[uniq] += (1 - self.beta_2) * g * g
        if self.amsgrad:
            np.maximum(slots["vhat"], v, out=slots["vhat"])
            v = slots["vhat"]
        var -= self._alpha(lr, step) * m / (np.sqrt(v) + self.epsilon)
