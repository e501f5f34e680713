"""SGD with optional (Nesterov) momentum — ``tf.keras.optimizers.legacy.SGD``."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.optimizer import Optimizer, learning_rate_field


def _check_momentum(instance, attribute, value):
    if value < 0 or value > 1:
        raise ValueError(
            "`momentum` must be between [0, 1]. Received: "
            f"momentum={value} (of type {type(value)})."
        )


@attrs.frozen
class SGD(Optimizer):
    """Gradient descent with optional momentum (REFERENCE §3.2).

    Update rule (η the learning rate, μ the momentum)::

        μ == 0:  θ ← θ − η·g
        μ > 0:   a ← μ·a − η·g;  θ ← θ + a        (nesterov: θ ← θ + μ·a − η·g)

    Row-sparse: only the given rows change (slot ``momentum`` too).

    Args:
        learning_rate: float or schedule; Keras default 0.01.
        momentum: in [0, 1]; a ``momentum`` slot exists only when > 0.
        nesterov: Nesterov momentum.
        **common: ``decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``
            (see :class:`cannery.core.optimizer.Optimizer`).

    Raises:
        ValueError: momentum outside [0, 1] (Keras' message).
    """

    registered_name: ClassVar[str] = "SGD"
    tf_name: ClassVar[str] = "SGD"
    strided_sparse: ClassVar[bool] = True  # kernels index [row, column]

    learning_rate: object = learning_rate_field(0.01)
    momentum: float = attrs.field(default=0.0, converter=float,
                                  validator=_check_momentum)
    nesterov: bool = attrs.field(default=False, converter=bool)

    @property
    def dedup_sparse(self) -> bool:  # plain SGD scatter-adds every id, as Keras does
        return self.momentum > 0

    def slot_names(self):
        return ("momentum",) if self.momentum > 0 else ()

    def hyper_values(self):
        return {"momentum": self.momentum}

    def _coefficients(self, lr, step, dtype):
        dt = np.dtype(dtype).type
        return lr, dt(self.momentum), bool(self.nesterov)

    def _dense(self, var, grad, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, mu, nesterov = c
        if self.momentum > 0:
            k.momentum_dense(var, grad, slots["momentum"], lr, mu, nesterov)
        else:
            k.sgd_dense(var, grad, lr)

    def _sparse(self, var, ids, rows, slots, c):
        from cannery.core.kernels import optimizers as k

        lr, mu, nesterov = c
        if self.momentum > 0:
            k.momentum_sparse(var, slots["momentum"], ids, rows, lr, mu, nesterov)
        else:
            k.sgd_sparse_scatter(var, ids, rows, lr)

    def reference_dense(self, var, grad, slots, lr, step):
        if self.momentum == 0:
            var -= lr * grad
            return
        a = slots["momentum"]
        a[...] = self.momentum * a - lr * grad
        if self.nesterov:
            var += self.momentum * a - lr * grad
        else:
            var += a
