"""``tf.compat.v1.train`` optimizers, with TF v1 argument names and defaults.

GradientDescent, Adagrad, Ftrl and ProximalAdagrad return the implementation the v2
names use (REFERENCE §3.8); their v1 kernels compute the same formulas (rounding
aside). Three have their own classes, because TF v1's math differs from Keras':

* ``AdamOptimizer`` → :class:`~cannery.plugins.optimizers.v1_adam.V1Adam`: βᵗ is
  v1's ``beta_power`` variable (a product chain, not ``pow``).
* ``MomentumOptimizer`` → :class:`~cannery.plugins.optimizers.v1_momentum.V1Momentum`:
  ``a ← μa + g; θ ← θ − ηa`` (Keras: ``b ← μb − ηg; θ ← θ + b``, different under a
  learning-rate schedule).
* ``RMSPropOptimizer`` → :class:`~cannery.plugins.optimizers.v1_rmsprop.V1RMSProp`:
  ``rms`` starts at 1.0 and TF's momentum kernel (ε inside the square root) always runs.

The ``tf.compat.v1.estimator`` classes save their state under TF v1's names
(``<var>/part_0/<Opt>``, ``<var>/part_0/<Opt>_1``, ``<scope>/head/beta1_power``; see
:mod:`cannery.plugins.estimators.v1`); given to a v2 estimator, they keep cannery's
layout (``training/<Opt>/<var>/<slot>``).
``use_locking`` is accepted and ignored; ``name`` is kept for Keras compatibility.
"""

from __future__ import annotations

from cannery.plugins.optimizers.adagrad import Adagrad, ProximalAdagrad
from cannery.plugins.optimizers.ftrl import Ftrl
from cannery.plugins.optimizers.sgd import SGD
from cannery.plugins.optimizers.v1_adam import V1Adam
from cannery.plugins.optimizers.v1_momentum import V1Momentum
from cannery.plugins.optimizers.v1_rmsprop import V1RMSProp

# tf.compat.v1.train names that live elsewhere in cannery: "module:attribute"
_FORWARDED = {
    "SessionRunHook": "cannery.core.hooks:SessionRunHook",
    "SessionRunArgs": "cannery.core.hooks:SessionRunArgs",
    "SessionRunContext": "cannery.core.hooks:SessionRunContext",
    "SessionRunValues": "cannery.core.hooks:SessionRunValues",
    "LoggingTensorHook": "cannery.core.hooks:LoggingTensorHook",
    "StopAtStepHook": "cannery.core.hooks:StopAtStepHook",
    "CheckpointSaverListener": "cannery.core.hooks:CheckpointSaverListener",
    "NanLossDuringTrainingError": "cannery.core.hooks:NanLossDuringTrainingError",
    "CheckpointSaverHook": "cannery.core.hooks:CheckpointSaverHook",
    "StepCounterHook": "cannery.core.hooks:StepCounterHook",
    "NanTensorHook": "cannery.core.hooks:NanTensorHook",
    "SummarySaverHook": "cannery.core.hooks:SummarySaverHook",
    "GlobalStepWaiterHook": "cannery.core.hooks:GlobalStepWaiterHook",
    "FinalOpsHook": "cannery.core.hooks:FinalOpsHook",
    "FeedFnHook": "cannery.core.hooks:FeedFnHook",
    "ProfilerHook": "cannery.core.hooks:ProfilerHook",
    "SecondOrStepTimer": "cannery.core.hooks:SecondOrStepTimer",
    "latest_checkpoint": "cannery.train:latest_checkpoint",
    "get_checkpoint_state": "cannery.train:get_checkpoint_state",
    "CheckpointState": "cannery.train:CheckpointState",
    "load_checkpoint": "cannery.train:load_checkpoint",
    "load_variable": "cannery.train:load_variable",
    "list_variables": "cannery.train:list_variables",
    "checkpoints_iterator": "cannery.train:checkpoints_iterator",
    "VocabInfo": "cannery.core.warm_start:VocabInfo",
    **{name: f"cannery.train:{name}" for name in (
        "Example", "Features", "Feature", "BytesList", "FloatList", "Int64List")},
}


def __getattr__(name):
    import importlib

    target = _FORWARDED.get(name)
    if target is None:
        raise AttributeError(
            f"cannery.compat.v1.train has no attribute {name!r} (not provided by cannery)")
    module_name, _, attribute = target.partition(":")
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value

__all__ = ["AdagradOptimizer", "AdamOptimizer", "FtrlOptimizer", "GradientDescentOptimizer",
           "MomentumOptimizer", "RMSPropOptimizer", "ProximalAdagradOptimizer",
           "get_global_step", "get_or_create_global_step", "exponential_decay",
           "inverse_time_decay", "polynomial_decay", "piecewise_constant", "cosine_decay",
           "piecewise_constant_decay", "natural_exp_decay", "cosine_decay_restarts",
           "create_global_step", "checkpoint_exists",
           *sorted(_FORWARDED)]


class _GlobalStep:
    """Stands for the global step in the v1 learning-rate decay functions below."""

    def __repr__(self):
        return "<tf.Variable 'global_step:0' shape=() dtype=int64>"


GLOBAL_STEP = _GlobalStep()


def get_global_step(graph=None):
    """``tf.compat.v1.train.get_global_step()``: the estimator's global step, symbolically."""
    return GLOBAL_STEP


def get_or_create_global_step(graph=None):
    return GLOBAL_STEP


def create_global_step(graph=None):
    return GLOBAL_STEP


def checkpoint_exists(checkpoint_prefix) -> bool:
    """``tf.compat.v1.train.checkpoint_exists``: whether a checkpoint of that prefix exists:
    a TensorFlow ``<prefix>.index``, or any file the prefix (a glob pattern) matches --
    a cannery checkpoint is the one file ``model.ckpt-<step>``."""
    import glob
    import os

    prefix = os.fspath(checkpoint_prefix)
    return bool(glob.glob(prefix + ".index") or glob.glob(prefix))


def _decayed(schedule_name, global_step, **kwargs):
    """A schedule of the global step, or its value when ``global_step`` is a number.

    Inside an estimator TensorFlow evaluates these decays at the current global step;
    here they become the registered schedules (callables of the step), which the
    optimizers evaluate at the global step in the same way.
    """
    from cannery import registry

    schedule = registry.get("schedule", schedule_name)(**kwargs)
    if global_step is None:
        raise ValueError("global_step is required for " + schedule_name)
    if global_step is GLOBAL_STEP:
        return schedule
    return schedule(global_step)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate · decay_rate ^ (global_step / decay_steps)`` (TF v1)."""
    return _decayed("ExponentialDecay", global_step, initial_learning_rate=learning_rate,
                    decay_steps=decay_steps, decay_rate=decay_rate, staircase=staircase)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """``learning_rate / (1 + decay_rate · global_step / decay_steps)`` (TF v1)."""
    return _decayed("InverseTimeDecay", global_step, initial_learning_rate=learning_rate,
                    decay_steps=decay_steps, decay_rate=decay_rate, staircase=staircase)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """Polynomial decay from ``learning_rate`` to ``end_learning_rate`` (TF v1)."""
    return _decayed("PolynomialDecay", global_step, initial_learning_rate=learning_rate,
                    decay_steps=decay_steps, end_learning_rate=end_learning_rate,
                    power=power, cycle=cycle)


def piecewise_constant(x, boundaries, values, name=None):
    """``values[i]`` while ``boundaries[i-1] < x <= boundaries[i]`` (TF v1)."""
    return _decayed("PiecewiseConstantDecay", x, boundaries=boundaries, values=values)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """Cosine decay to ``alpha · learning_rate`` over ``decay_steps`` (TF v1)."""
    return _decayed("CosineDecay", global_step, initial_learning_rate=learning_rate,
                    decay_steps=decay_steps, alpha=alpha)


piecewise_constant_decay = piecewise_constant


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate · exp(−decay_rate · global_step / decay_steps)`` (TF v1).

    TensorFlow builds it as ExponentialDecay with the rate ``exp(−decay_rate)`` taken in
    float32, so that rounding is kept here.
    """
    import numpy as np

    rate = float(np.exp(-np.float32(decay_rate)))
    return _decayed("ExponentialDecay", global_step, initial_learning_rate=learning_rate,
                    decay_steps=decay_steps, decay_rate=rate, staircase=staircase)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0,
                          alpha=0.0, name=None):
    """Cosine decay with warm restarts (TF v1's form of Keras' CosineDecayRestarts)."""
    return _decayed("CosineDecayRestarts", global_step, initial_learning_rate=learning_rate,
                    first_decay_steps=first_decay_steps, t_mul=t_mul, m_mul=m_mul,
                    alpha=alpha)


def AdagradOptimizer(learning_rate, initial_accumulator_value=0.1, use_locking=False,
                     name="Adagrad") -> Adagrad:
    """v1 Adagrad: ``acc ← acc + g²; θ ← θ − η·g/sqrt(acc)`` (no ε).

    Returns:
        ``Adagrad(learning_rate, initial_accumulator_value=..., epsilon=0)``.
    """
    return Adagrad(learning_rate, initial_accumulator_value=initial_accumulator_value,
                   epsilon=0.0, name=name)


def AdamOptimizer(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
                  use_locking=False, name="Adam") -> V1Adam:
    """v1 Adam (default ε 1e-8; βᵗ as v1's ``beta1_power``/``beta2_power``).

    Returns:
        ``V1Adam(learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon)``.
    """
    return V1Adam(learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon, name=name)


def FtrlOptimizer(learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                  l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                  use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                  l2_shrinkage_regularization_strength=0.0, beta=None) -> Ftrl:
    """v1 FTRL (same kernel as the Keras one, REFERENCE §3.8).

    ``accum_name`` and ``linear_name`` name the two slots in a v1 estimator's checkpoint
    (``<var>/part_0/<accum_name>``, ``<var>/part_0/<linear_name>``; None: ``name``).

    Returns:
        The equivalent :class:`~cannery.optimizers.Ftrl`, keeping the slot names.
    """
    return Ftrl(learning_rate, learning_rate_power=learning_rate_power,
                initial_accumulator_value=initial_accumulator_value,
                l1_regularization_strength=l1_regularization_strength,
                l2_regularization_strength=l2_regularization_strength,
                l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
                beta=0.0 if beta is None else beta, name=name, accum_name=accum_name,
                linear_name=linear_name)


def GradientDescentOptimizer(learning_rate, use_locking=False, name="GradientDescent") -> SGD:
    """v1 gradient descent: ``θ ← θ − η·g``.

    Returns:
        ``SGD(learning_rate)``.
    """
    return SGD(learning_rate, name=name)


def MomentumOptimizer(learning_rate, momentum, use_locking=False, name="Momentum",
                      use_nesterov=False) -> V1Momentum:
    """v1 momentum: ``a ← μa + g; θ ← θ − ηa`` (slot ``accum`` holds ``a``).

    Returns:
        ``V1Momentum(learning_rate, momentum=momentum, nesterov=use_nesterov)``.
    """
    return V1Momentum(learning_rate, momentum=momentum, nesterov=use_nesterov, name=name)


def RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                     centered=False, name="RMSProp") -> V1RMSProp:
    """v1 RMSProp; ``decay`` is the moving-average decay ρ (not inverse-time decay).

    Returns:
        ``V1RMSProp(learning_rate, rho=decay, momentum=momentum, epsilon=epsilon,
        centered=centered)``.
    """
    return V1RMSProp(learning_rate, rho=decay, momentum=momentum, epsilon=epsilon,
                     centered=centered, name=name)


def ProximalAdagradOptimizer(learning_rate, initial_accumulator_value=0.1,
                             l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                             use_locking=False, name="ProximalAdagrad") -> ProximalAdagrad:
    """v1 proximal Adagrad (REFERENCE §3.7).

    Returns:
        The equivalent :class:`~cannery.optimizers.ProximalAdagrad`.
    """
    return ProximalAdagrad(learning_rate, initial_accumulator_value=initial_accumulator_value,
                           l1_regularization_strength=l1_regularization_strength,
                           l2_regularization_strength=l2_regularization_strength, name=name)
