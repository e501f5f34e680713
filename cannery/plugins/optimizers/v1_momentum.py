"""``tf.compat.v1.train.MomentumOptimizer`` — TF v1's momentum, not Keras' SGD."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer


def _non_negative_momentum(instance, attribute, value):
    if value < 0:
        raise ValueError(f"momentum: expected a value >= 0, received {value}")


_KERAS_SLOT = "momentum"


@attrs.frozen
class V1Momentum(Optimizer):
    """TF v1 momentum (``tensorflow/python/training/momentum.py``, ApplyMomentum)::

        a ← μ·a + g;  θ ← θ − η·a           (nesterov: θ ← θ − (η·g + μ·a·η))

    The ``accum`` slot holds the sum of gradients ``a``, as TF's ``Momentum`` slot
    does; the learning rate applies when the variable moves. Keras' SGD instead keeps
    ``b ← μ·b − η·g`` (``b = −η·a`` for a constant rate): with a learning-rate schedule
    the two trajectories differ. Row-sparse: only the given rows change.

    Args:
        learning_rate: float or schedule.
        momentum: μ (v1 checks nothing; negative values are refused here).
        nesterov: v1's ``use_nesterov``.
    """

    registered_name: ClassVar[str] = "compat.v1.MomentumOptimizer"
    # The checkpoint scope (training/SGD/...) of the Keras SGD cannery used for v1
    # momentum before; its ``momentum`` slot (b = −η·a) is read back as ``accum``.
    tf_name: ClassVar[str] = "SGD"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    momentum: float = attrs.field(default=0.9, converter=float,
                                  validator=_non_negative_momentum)
    nesterov: bool = attrs.field(default=False, converter=bool)

    def slot_names(self):
        return ("accum",)

    def hyper_values(self):
        return {"momentum": self.momentum}

    def has_any_slot(self, names, scope):
        prefix = scope.rstrip("/") + "/"
        return super().has_any_slot(names, scope) or any(
            n.startswith(prefix) and n.endswith("/" + _KERAS_SLOT)
            and n.count("/") > prefix.count("/") for n in names)

    def state_from_variables(self, variables_by_name, model_variables, scope, iterations=0):
        """As the base class; a checkpoint holding Keras' ``momentum`` slot instead of
        ``accum`` (written when cannery ran v1 momentum as Keras' SGD) resumes with
        ``accum = −momentum / η``, η the learning rate of the next step (exact for a
        constant rate, which is what that mapping was exact for)."""
        prefix = scope.rstrip("/") + "/"
        converted = None
        for var in model_variables:
            keras_key, key = f"{prefix}{var}/{_KERAS_SLOT}", f"{prefix}{var}/accum"
            if key not in variables_by_name and keras_key in variables_by_name:
                if converted is None:
                    converted = dict(variables_by_name)
                stored = np.asarray(variables_by_name[keras_key])
                lr = self.learning_rate_at(iterations, stored.dtype)
                converted[key] = -stored / lr if lr != 0 else np.zeros_like(stored)
        return super().state_from_variables(
            variables_by_name if converted is None else converted, model_variables, scope,
            iterations)

    def _coefficients(self, lr, step, dtype):
        dt = np.dtype(dtype).type
        mu = dt(self.momentum)
        return lr, mu, dt(lr * mu), bool(self.nesterov)

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, mu, _, nesterov = c
        k.v1_momentum_dense(var, grad, slots["accum"], lr, mu, nesterov)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, mu, lr_mu, nesterov = c
        k.v1_momentum_sparse(var, slots["accum"], ids, rows, lr, mu, lr_mu, nesterov)

    def reference_dense(self, var, grad, slots, lr, step):
        a = slots["accum"]
        a[...] = self.momentum * a + grad
        if self.nesterov:
            var -= lr * grad + self.momentum * a * lr
        else:
            var -= lr * a
