"""``tf.compat.v1.train.RMSPropOptimizer`` — TF v1's RMSProp, not Keras'."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer
from cannery.plugins.optimizers.sgd import _check_momentum


@attrs.frozen
class V1RMSProp(Optimizer):
    """TF v1 RMSProp (``tensorflow/python/training/rmsprop.py``).

    Always TF's ApplyRMSProp / ApplyCenteredRMSProp kernels (ε **inside** the square
    root), whatever the momentum, with the ``rms`` slot starting at **1.0**::

        ms ← ms + (g² − ms)(1−ρ);  [centered: mg ← mg + (g − mg)(1−ρ);  ms − mg²]
        mom ← μ·mom + η·g / sqrt(denom + ε);  θ ← θ − mom

    Row-sparse (SparseApplyRMSProp): only the given rows change, with TF's sparse
    float order ``ms·ρ + g²(1−ρ)``, ``mom·μ + rsqrt(ms + ε [− mg²])·η·g``.

    Keras' RMSprop differs: ``rms`` starts at 0, and without momentum ε is added
    after the square root and a row-sparse update decays every row.

    Args:
        learning_rate: float or schedule.
        rho: ρ, v1's ``decay`` argument (the moving-average decay).
        momentum: μ in [0, 1]; the ``momentum`` slot always exists, as in TF v1.
        epsilon: ε (v1 default 1e-10; 0 is kept as 0).
        centered: normalise by the variance estimate (slot ``mg``).

    Raises:
        ValueError: momentum outside [0, 1].
    """

    registered_name: ClassVar[str] = "compat.v1.RMSPropOptimizer"
    # The checkpoint scope (training/RMSprop/...) of the Keras class cannery used for
    # v1 RMSProp before, so that those checkpoints resume.
    tf_name: ClassVar[str] = "RMSprop"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    rho: float = attrs.field(default=0.9, converter=float)
    momentum: float = attrs.field(default=0.0, converter=float, validator=_check_momentum)
    epsilon: float = attrs.field(default=1e-10, converter=float)
    centered: bool = attrs.field(default=False, converter=bool)

    def slot_names(self):
        # TF v1's creation order: rms, mg (centered), momentum.
        return ("rms", "mg", "momentum") if self.centered else ("rms", "momentum")

    def slot_initial_value(self, slot):
        return 1.0 if slot == "rms" else 0.0

    def hyper_values(self):
        return {"rho": self.rho, "momentum": self.momentum}

    def state_from_variables(self, variables_by_name, model_variables, scope, iterations=0):
        """As the base class; without momentum, a checkpoint lacking the ``momentum``
        slot (written by Keras' RMSprop, which cannery used for v1 RMSProp before)
        resumes with it at 0 — ``mom ← 0·mom + ...`` never reads it."""
        if self.momentum == 0:
            prefix = scope.rstrip("/") + "/"
            variables_by_name = dict(variables_by_name)
            for var, value in model_variables.items():
                key = f"{prefix}{var}/momentum"
                if f"{prefix}{var}/rms" in variables_by_name and key not in variables_by_name:
                    variables_by_name[key] = np.zeros(np.shape(value), np.asarray(value).dtype)
        return super().state_from_variables(variables_by_name, model_variables, scope,
                                            iterations)

    def _coefficients(self, lr, step, dtype):
        dt = np.dtype(dtype).type
        rho = dt(self.rho)
        return lr, rho, dt(1) - rho, dt(self.momentum), dt(self.epsilon), dt(1)

    @staticmethod
    def _mg(slots, like):
        a = slots.get("mg")
        return a if a is not None else np.empty((0,) * like.ndim, like.dtype)

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, _, omr, mu, eps, _ = c
        k.rmsprop_momentum_dense(var, grad, slots["rms"], self._mg(slots, var),
                                 slots["momentum"], self.centered, lr, omr, mu, eps)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, rho, omr, mu, eps, one = c
        k.v1_rmsprop_sparse(var, slots["rms"], self._mg(slots, var), slots["momentum"],
                            self.centered, ids, rows, lr, rho, omr, mu, eps, one)

    def reference_dense(self, var, grad, slots, lr, step):
        ms, mom = slots["rms"], slots["momentum"]
        ms += (grad * grad - ms) * (1 - self.rho)
        denom = ms + self.epsilon
        if self.centered:
            mg = slots["mg"]
            mg += (grad - mg) * (1 - self.rho)
            denom = ms - mg * mg + self.epsilon
        mom[...] = self.momentum * mom + lr * grad / np.sqrt(denom)
        var -= mom

