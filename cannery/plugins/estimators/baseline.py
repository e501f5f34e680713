"""BaselineClassifier, BaselineRegressor and BaselineEstimator: a bias that learns the prior."""

from cannery.core import canned
from cannery.core.estimator import ModelDefinition, Part
from cannery.core.hookspecs import hookimpl
from cannery.core.model import BaselineNetwork

_LEARNING_RATE = 0.3  # what TensorFlow passes with a string optimizer


class BaselineClassifier(canned.CannedEstimator):
    """Predicts the class prior, ignoring the features (they only give the batch size).

    Args:
        model_dir: checkpoint directory.
        n_classes: number of classes.
        weight_column: key or numeric column of per-example weights.
        label_vocabulary: the class strings, when labels are strings.
        optimizer: a registered name (learning rate 0.3), an optimizer or a callable.
        config: :class:`RunConfig`.
        loss_reduction: how per-example losses are reduced.
    """

    registered_name = "BaselineClassifier"

    def __init__(self, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, loss_reduction="sum_over_batch_size"):
        self._record_args(locals())
        self._head = canned.binary_or_multi_class_head(n_classes, weight_column,
                                                       label_vocabulary, loss_reduction)
        self._optimizer = optimizer
        super().__init__(model_dir=model_dir, config=config)

    # TensorFlow's BaselineClassifier passes weight_column to its model_fn, which then skips
    # that feature when it takes the batch size from the features; BaselineRegressor and
    # BaselineEstimator do not pass it, so there the weight counts as a feature (a model fed
    # only the weight works). The batch size is the same either way.
    _batch_size_skips_weight = True

    def _model_definition(self):
        weight_key = None
        if self._batch_size_skips_weight:
            weight_column = getattr(self._head, "weight_column", None)
            weight_key = weight_column if isinstance(weight_column, str) else getattr(
                weight_column, "key", None)
        network = BaselineNetwork(self._head.logits_dimension, weight_key)
        return ModelDefinition(self._head, [Part(network, self._optimizer, _LEARNING_RATE)])


class BaselineRegressor(BaselineClassifier):
    """Predicts the label mean, ignoring the features."""

    registered_name = "BaselineRegressor"
    _batch_size_skips_weight = False

    def __init__(self, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl",
                 config=None, loss_reduction="sum_over_batch_size"):
        self._record_args(locals())
        self._head = canned.regression_head(label_dimension, weight_column, loss_reduction)
        self._optimizer = optimizer
        canned.CannedEstimator.__init__(self, model_dir=model_dir, config=config)


class BaselineEstimator(BaselineClassifier):
    """Baseline with any head."""

    registered_name = "BaselineEstimator"
    _batch_size_skips_weight = False

    def __init__(self, head, model_dir=None, optimizer="Ftrl", config=None):
        self._record_args(locals())
        self._head = canned.resolve_head(head)
        self._optimizer = optimizer
        canned.CannedEstimator.__init__(self, model_dir=model_dir, config=config)


@hookimpl
def register_estimators(register):
    register(BaselineClassifier)
    register(BaselineRegressor)
    register(BaselineEstimator)
