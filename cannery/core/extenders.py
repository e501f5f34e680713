"""``tf.estimator.add_metrics``: an estimator whose evaluation adds a metric_fn's metrics.

TensorFlow 2.15 (tensorflow_estimator ``python/estimator/extenders.py``) wraps the
estimator's ``model_fn``: in EVAL mode it calls ``metric_fn`` once, while building the
graph, with the arguments it names among ``features``, ``labels``, ``predictions``
(the head's predictions dict) and ``config``, and merges the returned
``{name: metric}`` over the head's metrics. Each Keras metric's first ``update_state``
op (``metric.updates[0]``) then runs on every evaluated batch.

cannery has no graph: the new estimator calls ``metric_fn`` on every batch, inside
:func:`cannery.keras.metrics.record_first_updates`, and adds what each returned
metric's first ``update_state`` of that call contributed to a per-key accumulator.
The result is TensorFlow's over all batches, whether the metric_fn creates its metric
objects (the usual way) or reuses objects created outside it.
"""

from __future__ import annotations

import copy
import functools

import numpy as np

__all__ = ["add_metrics"]

_VALID_METRIC_FN_ARGS = {"features", "labels", "predictions", "config"}


def add_metrics(estimator, metric_fn):
    """A new estimator, like ``estimator``, whose ``evaluate`` adds ``metric_fn``'s metrics.

    Example::

        def my_auc(labels, predictions):
            auc_metric = tf.keras.metrics.AUC(name="my_auc")
            auc_metric.update_state(y_true=labels, y_pred=predictions["logistic"])
            return {"auc": auc_metric}

        estimator = tf.estimator.add_metrics(estimator, my_auc)

    Args:
        estimator: a ``tf.estimator.Estimator`` (canned or registered).
        metric_fn: a function whose arguments are any of ``features`` (the batch's
            features dict), ``labels`` (its labels as ``input_fn`` gives them),
            ``predictions`` (the head's predictions dict, as
            ``predict(yield_single_examples=False)``) and ``config`` (the
            estimator's ``RunConfig``); it returns ``{name: tf.keras.metrics object}``
            on which it called ``update_state``. A name equal to a head metric's
            replaces it.

    Returns:
        A new estimator with the same model_dir, config, params and warm start
        (the original is unchanged).

    Raises:
        ValueError: ``metric_fn`` names an argument other than the four above.
        TypeError: ``estimator`` is not an Estimator.
    """
    from cannery.core.estimator import Estimator

    _verify_metric_fn_args(metric_fn)
    if not isinstance(estimator, Estimator):
        raise TypeError(f"estimator: expected a tf.estimator.Estimator, received "
                        f"{type(estimator).__name__}")
    extended = copy.copy(estimator)
    extended._params = dict(estimator._params)
    extended._predict_cache = None
    # Read by Estimator.evaluate; earlier add_metrics calls run first, so a later
    # metric_fn's key overrides theirs (TF nests the model_fns the same way).
    extended._eval_metric_extensions = (
        *getattr(estimator, "_eval_metric_extensions", ()),
        functools.partial(_MetricFnAccumulator, metric_fn))
    return extended


def _verify_metric_fn_args(metric_fn) -> None:
    from cannery.core.inputs import _fn_args

    args = _fn_args(metric_fn)
    invalid_args = [a for a in dict.fromkeys(args) if a not in _VALID_METRIC_FN_ARGS]
    if invalid_args:
        raise ValueError("metric_fn (%s) has following not expected args: %s" %
                         (metric_fn, invalid_args))


class _MetricFnAccumulator:
    """One ``evaluate()``'s metrics from one metric_fn: ``update`` per batch, ``result``."""

    def __init__(self, metric_fn, estimator):
        self._metric_fn = metric_fn
        from cannery.core.inputs import _fn_args

        self._args = _fn_args(metric_fn)
        self._config = estimator.config
        self._accumulators: dict | None = None

    def update(self, features, labels, predictions) -> None:
        from cannery.keras.metrics import Metric, record_first_updates

        available = {"features": features, "labels": labels, "predictions": predictions,
                     "config": self._config}
        kwargs = {name: value for name, value in available.items() if name in self._args}
        with record_first_updates() as updates:
            returned = self._metric_fn(**kwargs)
        new_metrics: dict = {}
        new_metrics.update(returned)  # TF: all_metrics.update(new_metrics)
        batch = {}
        # EstimatorSpec's _validate_eval_metric_ops, then Estimator's reserved keys.
        for key, value in new_metrics.items():
            if not isinstance(value, Metric):
                if isinstance(value, tuple) and len(value) == 2:
                    raise TypeError(
                        f"eval_metric_ops[{key!r}] is a (metric_value, update_op) tuple, "
                        "which needs TensorFlow; cannery runs tf.keras.metrics objects "
                        "(cannery.keras.metrics)")
                raise TypeError("Values of eval_metric_ops must be (metric_value, update_op) "
                                "tuples, given: {} for key: {}".format(value, key))
            recorded = updates.get(id(value))
            if recorded is None:
                raise ValueError('Please call update_state(...) on the "{metric_name}" metric'
                                 .format(metric_name=value.name))
            batch[key] = recorded
        if "loss" in batch:
            raise ValueError('Metric with name "loss" is not allowed, because Estimator '
                             'already defines a default metric with the same name.')
        if "global_step" in batch:
            raise ValueError('Metric with name `global_step` is not allowed, because '
                             'Estimator already defines a default metric with the same name.')
        if self._accumulators is None:
            self._accumulators = {key: metric._empty_copy()
                                  for key, (metric, _) in batch.items()}
        elif batch.keys() != self._accumulators.keys():
            raise ValueError(
                f"metric_fn returned the keys {sorted(batch)} for a batch after returning "
                f"{sorted(self._accumulators)} for the first: TensorFlow calls metric_fn "
                "once, so it must return the same metrics for every batch")
        for key, (_, weights) in batch.items():
            accumulator = self._accumulators[key]
            if len(weights) != len(accumulator._weights):
                raise ValueError(f"metric_fn returned for {key!r} a metric whose state does "
                                 f"not match the first batch's {accumulator}")
            accumulator._add_weights(weights)

    def result(self) -> dict:
        out = {}
        for key, metric in (self._accumulators or {}).items():
            value = np.asarray(metric.result(), dtype=np.float32)
            out[key] = value[()] if value.ndim == 0 else np.array(value)
        return out
