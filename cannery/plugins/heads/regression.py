"""Regression heads: squared error, Poisson (log link) and logistic (sigmoid link)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from cannery.core.head import (
    Head,
    check_label_range,
    convert_loss_reduction,
    sigmoid,
    to_float32,
    validate_loss_fn,
    validate_name,
    validate_weight_column,
)
from cannery.core.metrics import MetricsAccumulator, metric_family, validate_metrics_version
from cannery.losses import Reduction

_WEIGHT_COLUMN = {"spec_kind": "feature_column"}


def _validate_label_dimension(instance, attribute, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"label_dimension: expected an integer >= 1, received {value!r}")
    if value < 1:
        raise ValueError(f"Invalid label_dimension {value}.")


def _validate_inverse_link_fn(instance, attribute, value):
    if value is not None and not callable(value):
        raise TypeError(
            f"inverse_link_fn: expected a callable or None, received {type(value).__name__}"
        )


class _RegressionBase(Head):
    """Shared by the regression heads: weights may be per output, labels are float32."""

    allow_per_logit_weights: ClassVar[bool] = True

    @property
    def logits_dimension(self) -> int:
        return self.label_dimension

    @property
    def prediction_keys(self) -> tuple[str, ...]:
        if self._inverse_link is None:
            return ("predictions",)
        return ("predictions", "logits")

    @property
    def _inverse_link(self):
        return None

    def predictions(self, logits) -> dict[str, np.ndarray]:
        """``predictions`` (float32 [B, label_dimension]); with an inverse link also ``logits``."""
        logits = self.check_logits(logits)
        link = self._inverse_link
        if link is None:
            return {"predictions": logits}
        return {"predictions": np.asarray(link(logits), dtype=np.float32), "logits": logits}

    def create_metrics(self) -> RegressionMetrics:
        return RegressionMetrics(self)

    def example_labels(self, rng, batch_size):
        return rng.normal(size=(batch_size, self.label_dimension)).astype(np.float32)


class RegressionMetrics(MetricsAccumulator):
    """``average_loss``, ``prediction/mean``, ``label/mean`` (weighted over every output)."""

    def __init__(self, head: _RegressionBase):
        self.head = head
        mean = metric_family(getattr(head, "metrics_version", 2)).mean
        self.average_loss = mean()
        self.prediction_mean = mean()
        self.label_mean = mean()

    def update(self, logits, labels, weights=None, unweighted_loss=None) -> None:
        head = self.head
        logits, labels, weights, unweighted_loss = self._prepared_batch(
            logits, labels, weights, unweighted_loss)
        self.average_loss.update(unweighted_loss, weights)
        self.prediction_mean.update(head.predictions(logits)["predictions"], weights)
        self.label_mean.update(labels, weights)

    def result(self) -> dict[str, np.float32]:
        key = self.head.summary_key
        return {
            key("average_loss"): self.average_loss.result(),
            key("prediction/mean"): self.prediction_mean.result(),
            key("label/mean"): self.label_mean.result(),
        }


@attrs.frozen
class RegressionHead(_RegressionBase):
    """Regression with squared error per output (``tf.estimator.RegressionHead``).

    Loss per output ``(label - logit)**2``; ``sum_over_batch_size`` divides by
    ``batch_size * label_dimension``.

    Args:
        label_dimension: number of outputs per example (>= 1).
        weight_column: ``None``, a feature name, or a ``numeric_column``; weights may
            be ``[batch]``, ``[batch, 1]`` or ``[batch, label_dimension]``.
        loss_reduction: a :class:`cannery.losses.Reduction` name except ``none``.
        loss_fn: optional ``loss_fn(labels, logits[, features])`` returning the
            unweighted loss ``[batch, label_dimension]`` (or ``(loss, grad)``).
        inverse_link_fn: optional numpy function of the logits giving
            ``predictions`` (then ``logits`` is predicted too).
        name: suffixes metric keys with ``/<name>``.
        metrics_version: keyword only; 2 (default): Keras' metrics; 1:
            ``tf.compat.v1.metrics``, as TensorFlow's v1 head.

    Raises:
        ValueError: ``Invalid label_dimension 0.``, invalid reduction, loss_fn or
            metrics_version.
    """

    registered_name: ClassVar[str] = "regression"

    label_dimension: int = attrs.field(default=1, validator=_validate_label_dimension)
    weight_column: object = attrs.field(default=None, validator=validate_weight_column,
                                        metadata=_WEIGHT_COLUMN)
    loss_reduction: str = attrs.field(default=Reduction.SUM_OVER_BATCH_SIZE,
                                      converter=convert_loss_reduction)
    loss_fn: object = attrs.field(default=None, validator=validate_loss_fn)
    inverse_link_fn: object = attrs.field(default=None, validator=_validate_inverse_link_fn)
    name: str | None = attrs.field(default=None, validator=validate_name)
    metrics_version: int = attrs.field(default=2, kw_only=True,
                                       validator=validate_metrics_version)

    @property
    def _inverse_link(self):
        return self.inverse_link_fn

    def _loss_kernel(self, logits, labels, weights, scale):
        from cannery.core.kernels.losses import squared_error

        unweighted = np.empty(logits.shape, dtype=np.float32)
        grad = np.empty(logits.shape, dtype=np.float32)
        total = squared_error(logits, labels, weights, scale, unweighted, grad)
        return unweighted, total, grad


@attrs.frozen
class PoissonRegressionHead(_RegressionBase):
    """Poisson regression with a log link (``tf.estimator.PoissonRegressionHead``).

    Loss ``tf.nn.log_poisson_loss``: ``exp(x) - z x``, plus Stirling's approximation
    of ``log(z!)``, ``z ln z - z + ln(2 pi z) / 2`` for ``z > 1`` when
    ``compute_full_loss``. Predictions ``exp(logits)`` and ``logits``.

    Args:
        label_dimension: number of outputs per example (>= 1).
        weight_column: ``None``, a feature name, or a ``numeric_column``.
        loss_reduction: a :class:`cannery.losses.Reduction` name except ``none``.
        compute_full_loss: include the Stirling term (it has no gradient).
        name: suffixes metric keys with ``/<name>``.
    """

    registered_name: ClassVar[str] = "poisson_regression"

    label_dimension: int = attrs.field(default=1, validator=_validate_label_dimension)
    weight_column: object = attrs.field(default=None, validator=validate_weight_column,
                                        metadata=_WEIGHT_COLUMN)
    loss_reduction: str = attrs.field(default=Reduction.SUM_OVER_BATCH_SIZE,
                                      converter=convert_loss_reduction)
    compute_full_loss: bool = attrs.field(default=True,
                                          validator=attrs.validators.instance_of(bool))
    name: str | None = attrs.field(default=None, validator=validate_name)

    @property
    def _inverse_link(self):
        return _exp

    def _loss_kernel(self, logits, labels, weights, scale):
        from cannery.core.kernels.losses import log_poisson

        unweighted = np.empty(logits.shape, dtype=np.float32)
        grad = np.empty(logits.shape, dtype=np.float32)
        total = log_poisson(logits, labels, weights, scale, self.compute_full_loss,
                            unweighted, grad)
        return unweighted, total, grad

    def example_labels(self, rng, batch_size):
        return rng.poisson(2.0, size=(batch_size, self.label_dimension)).astype(np.float32)


def _exp(logits):
    return np.exp(logits.astype(np.float64)).astype(np.float32)


@attrs.frozen
class LogisticRegressionHead(_RegressionBase):
    """Logistic regression (``tf.estimator.LogisticRegressionHead``).

    Sigmoid cross-entropy as :class:`BinaryClassHead`, but labels must be numbers in
    [0, 1] (``Labels must be in range [0, 1]``), predictions are ``sigmoid(logits)``
    and ``logits``, and metrics are the regression metrics.

    Args:
        weight_column: ``None``, a feature name, or a ``numeric_column``.
        loss_reduction: a :class:`cannery.losses.Reduction` name except ``none``.
        name: suffixes metric keys with ``/<name>``.
    """

    registered_name: ClassVar[str] = "logistic_regression"

    weight_column: object = attrs.field(default=None, validator=validate_weight_column,
                                        metadata=_WEIGHT_COLUMN)
    loss_reduction: str = attrs.field(default=Reduction.SUM_OVER_BATCH_SIZE,
                                      converter=convert_loss_reduction)
    name: str | None = attrs.field(default=None, validator=validate_name)

    @property
    def label_dimension(self) -> int:
        return 1

    @property
    def _inverse_link(self):
        return sigmoid

    def convert_labels(self, labels: np.ndarray) -> np.ndarray:
        labels = to_float32(labels)
        message = "Labels must be in range [0, 1]"
        check_label_range(labels, 0, 1, message, message)
        return labels

    def _loss_kernel(self, logits, labels, weights, scale):
        from cannery.core.kernels.losses import sigmoid_cross_entropy

        unweighted = np.empty(logits.shape, dtype=np.float32)
        grad = np.empty(logits.shape, dtype=np.float32)
        total = sigmoid_cross_entropy(logits, labels, weights, scale, unweighted, grad)
        return unweighted, total, grad

    def example_labels(self, rng, batch_size):
        return rng.uniform(0.0, 1.0, size=batch_size).astype(np.float32)
