"""TensorFlow's training hooks, run by the estimator loop instead of a session.

A hook's ``before_run`` may return ``SessionRunArgs(fetches)`` where fetches name what
the step produces: ``"loss"``, ``"global_step"`` (the value before the step's update,
as TensorFlow's fetch returns it), or any variable name, alone or nested in lists and
dicts. ``after_run`` receives them in ``run_values.results`` with the same structure.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

import numpy as np

logger = logging.getLogger("cannery")


class SessionRunArgs(NamedTuple):
    """What a hook asks the next step to return (TensorFlow's ``SessionRunArgs``)."""

    fetches: Any
    feed_dict: Any = None
    options: Any = None


class SessionRunValues(NamedTuple):
    """What a step returned for a hook's ``SessionRunArgs``."""

    results: Any
    options: Any = None
    run_metadata: Any = None


class SessionRunContext:
    """Passed to ``before_run``/``after_run``; ``request_stop()`` ends training after the step."""

    def __init__(self, original_args: SessionRunArgs | None, session: Any):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        self._stop_requested = True


class SessionRunHook:
    """Base class of training/evaluation hooks (TensorFlow's ``tf.estimator.SessionRunHook``)."""

    def begin(self):
        """Called once before training starts."""

    def after_create_session(self, session, coord):
        """Called after the model state is created or restored."""

    def before_run(self, run_context):
        """Called before each step; may return ``SessionRunArgs``."""
        return None

    def after_run(self, run_context, run_values):
        """Called after each step with the results of the requested fetches."""

    def end(self, session):
        """Called once at the end of training (not when an exception escapes)."""


class CheckpointSaverListener:
    """Notified around every checkpoint save (TensorFlow's ``CheckpointSaverListener``).

    ``after_save`` returning ``True`` requests training to stop.
    """

    def begin(self):
        pass

    def before_save(self, session, global_step_value):
        pass

    def after_save(self, session, global_step_value):
        pass

    def end(self, session, global_step_value):
        pass


class StopAtStepHook(SessionRunHook):
    """Stop after ``num_steps`` more steps or once the global step reaches ``last_step``."""

    def __init__(self, num_steps=None, last_step=None):
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        if num_steps is not None and num_steps < 0:
            raise ValueError("num_steps must be non-negative.")
        self._num_steps = num_steps
        self._last_step = last_step

    def after_create_session(self, session, coord):
        if self._last_step is None:
            self._last_step = session.global_step + self._num_steps

    def before_run(self, run_context):
        return SessionRunArgs("global_step")

    def after_run(self, run_context, run_values):
        if run_values.results + 1 >= self._last_step:
            run_context.request_stop()


class LoggingTensorHook(SessionRunHook):
    """Log the named values every N steps or seconds (TensorFlow's ``LoggingTensorHook``).

    Args:
        tensors: a dict ``{tag: fetch name}`` or a list of fetch names (``"loss"``,
            ``"global_step"``, variable names).
        every_n_iter: log every N steps.
        every_n_secs: log every N seconds.
        at_end: log the last values at the end of training.
        formatter: ``formatter(dict) -> str``.
    """

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False,
                 formatter=None):
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_log_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError(
                "either at_end and/or exactly one of every_n_iter and every_n_secs must be "
                "provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if not isinstance(tensors, dict):
            tensors = {name: name for name in tensors}
        self._tensors = dict(tensors)
        self._every_n_iter = every_n_iter
        self._every_n_secs = every_n_secs
        self._at_end = at_end
        self._formatter = formatter
        self._iteration = 0
        self._last_time = None
        self._last_values = None

    def _due(self) -> bool:
        if self._every_n_iter is not None:
            return self._iteration % self._every_n_iter == 0
        if self._every_n_secs is not None:
            return self._last_time is None or time.time() - self._last_time >= self._every_n_secs
        return False

    def before_run(self, run_context):
        return SessionRunArgs(dict(self._tensors))

    def after_run(self, run_context, run_values):
        self._last_values = run_values.results
        if self._due():
            self._log(run_values.results)
            self._last_time = time.time()
        self._iteration += 1

    def end(self, session):
        if self._at_end and self._last_values is not None:
            self._log(self._last_values)

    def _log(self, values):
        if self._formatter is not None:
            logger.info(self._formatter(values))
        else:
            logger.info(", ".join(f"{tag} = {values[tag]}" for tag in self._tensors))


class SecondOrStepTimer:
    """TensorFlow's ``tf.estimator.SecondOrStepTimer``: due at the first step asked about,
    then once ``every_steps`` steps or ``every_secs`` seconds have passed since the last
    trigger.

    Raises:
        ValueError: neither or both of ``every_secs`` and ``every_steps`` (TF's messages).
    """

    def __init__(self, every_secs=None, every_steps=None):
        if every_secs is None and every_steps is None:
            raise ValueError("Either every_secs or every_steps should be provided.")
        if every_secs is not None and every_steps is not None:
            raise ValueError("Can not provide both every_secs and every_steps.")
        self._every_secs = every_secs
        self._every_steps = every_steps
        self.reset()

    def reset(self):
        self._last_triggered_step = None
        self._last_triggered_time = None

    def should_trigger_for_step(self, step) -> bool:
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if self._every_secs is not None and \
                time.time() >= self._last_triggered_time + self._every_secs:
            return True
        return self._every_steps is not None and step >= self._last_triggered_step + \
            self._every_steps

    def update_last_triggered_step(self, step):
        """Record a trigger at ``step``; returns ``(elapsed_secs, elapsed_steps)`` since
        the previous one (``(None, None)`` the first time)."""
        now = time.time()
        if self._last_triggered_time is None:
            elapsed = (None, None)
        else:
            elapsed = (now - self._last_triggered_time, step - self._last_triggered_step)
        self._last_triggered_time = now
        self._last_triggered_step = step
        return elapsed

    def last_triggered_step(self):
        return self._last_triggered_step


class NanLossDuringTrainingError(RuntimeError):
    """Raised when a training step's loss is NaN."""

    def __str__(self):
        return "NaN loss during training."


def resolve_fetches(fetches, values: dict):
    """Replace every name in a (nested) fetch structure by its value."""
    if fetches is None:
        return None
    if isinstance(fetches, str):
        if fetches not in values:
            raise ValueError(
                f"SessionRunArgs fetch {fetches!r} is not available; a step provides "
                f"'loss', 'global_step' and the variable names")
        return values[fetches]
    if isinstance(fetches, dict):
        return {k: resolve_fetches(v, values) for k, v in fetches.items()}
    if isinstance(fetches, (list, tuple)):
        return type(fetches)(resolve_fetches(v, values) for v in fetches)
    raise TypeError(f"cannot fetch {fetches!r}: use names such as 'loss' or 'global_step'")


class StepValues(dict):
    """The values a training step can hand to hooks; variables are looked up lazily."""

    def __init__(self, loss, global_step, variables):
        super().__init__(loss=np.float32(loss), global_step=np.int64(global_step))
        self._variables = variables

    def __contains__(self, key):
        return dict.__contains__(self, key) or key in self._variables

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self._variables[key].copy()
