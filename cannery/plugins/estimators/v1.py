"""The ``tf.compat.v1.estimator`` canned classes: v1 defaults on the v2 implementations.

TensorFlow's v1 classes differ from v2 in four ways that change numbers:
``loss_reduction`` defaults to ``SUM``; a string optimizer becomes a ``tf.compat.v1.train``
optimizer (v1 Adagrad has no epsilon, v1 Adam's epsilon is 1e-8); a v1 DNN's string
optimizer gets learning rate 0.05 (REFERENCE §3.8); and ``evaluate`` computes the v1
heads' metrics (``tf.compat.v1.metrics``: the head's ``metrics_version=1``).
Partitioner arguments are accepted and ignored (one process).

Their checkpoints hold TensorFlow v1's names for the optimizer state
(:class:`V1CheckpointNames`): ``<var>/t_0/Adagrad`` (DNN), ``<var>/part_0/Ftrl`` and
``<var>/part_0/Ftrl_1`` (Linear), ``<var>/Adam`` (wide & deep, baseline), Adam's
``<scope>/beta1_power`` and ``beta2_power``, and no hyper-parameter or ``iter``
variables. Inside, the optimizer state is kept as for the v2 classes; the names are
translated when a checkpoint is written and read, so these classes resume from their own
checkpoints, from TensorFlow's v1 ones, and from cannery's older v1 checkpoints
(``training/<Opt>/...``, read as they are).
"""

import logging
import re

import attrs
import numpy as np

from cannery.core.hookspecs import hookimpl
from cannery.plugins.estimators import baseline, dnn, linear

logger = logging.getLogger(__name__)

SUM = "weighted_sum"  # tf.compat.v1.losses.Reduction.SUM
_V1_DNN_RATE = 0.05
_V1_NAMES = {"adagrad": "AdagradOptimizer", "adam": "AdamOptimizer", "ftrl": "FtrlOptimizer",
             "rmsprop": "RMSPropOptimizer", "sgd": "GradientDescentOptimizer"}


def _v1_optimizer(optimizer, learning_rate):
    """A string names a v1 optimizer built with the estimator's v1 learning rate."""
    if not isinstance(optimizer, str) or optimizer.lower() not in _V1_NAMES:
        return optimizer
    from cannery.compat.v1 import train

    return getattr(train, _V1_NAMES[optimizer.lower()])(learning_rate=learning_rate)


# A v1 optimizer's default ``name`` for cannery classes whose v2 name differs (used when
# an optimizer has no ``name``, e.g. a Keras one handed to a v1 class).
_V1_DEFAULT_NAMES = {"V1RMSProp": "RMSProp", "RMSprop": "RMSProp", "V1Momentum": "Momentum",
                     "SGD": "GradientDescent"}
# The v1 FtrlOptimizer arguments that name a slot instead of the optimizer's name.
_SLOT_NAME_ARGUMENTS = {"accumulator": "accum_name", "linear": "linear_name"}
# cannery's own names for optimizer state: training/<Opt>/..., training_<n>/<Opt>/...
_CANNERY_OPTIMIZER_STATE = re.compile(r"training(_\d+)?/")


def _slot_disk_names(optimizer) -> list[str]:
    """TF v1's names of the optimizer's slots, in ``slot_names()`` order, below a variable.

    ``Optimizer._zeros_slot(var, slot, self._name)`` creates each slot in the variable
    scope ``<var>/<name>``, which TensorFlow makes unique: ``<name>``, ``<name>_1``, ...
    in creation order (Adam: m, v; Ftrl: accum, linear; RMSProp: rms, mg, momentum).
    """
    base = getattr(optimizer, "name", None)
    if not isinstance(base, str) or not base:
        cls = type(optimizer).__name__
        base = _V1_DEFAULT_NAMES.get(cls) or getattr(optimizer, "tf_name", "") or cls
    names, used = [], {}
    for slot in optimizer.slot_names():
        # v1 Ftrl's accum_name and linear_name name its slots, where an optimizer has them.
        own = getattr(optimizer, _SLOT_NAME_ARGUMENTS.get(slot, ""), None)
        name = own if isinstance(own, str) and own else base
        count = used.get(name, 0)
        used[name] = count + 1
        names.append(name if count == 0 else f"{name}_{count}")
    return names


def _slots_of_others(stored, variable_names, model_variables) -> list[str]:
    """Stored names that are slots of ``variable_names`` (``<var>/<name>`` or
    ``<var>/<infix>/<name>``) and no model variable, sorted."""
    owners = set(variable_names)
    found = []
    for name in stored:
        parts = name.split("/")
        if name not in model_variables and ("/".join(parts[:-1]) in owners or
                                            "/".join(parts[:-2]) in owners):
            found.append(name)
    return sorted(found)


def _has_beta_powers(optimizer) -> bool:
    from cannery.plugins.optimizers.v1_adam import V1Adam

    return isinstance(optimizer, V1Adam)


@attrs.frozen
class V1CheckpointNames:
    """TensorFlow 2.15's checkpoint names for a v1 canned estimator's optimizer state.

    A ``tf.compat.v1.train`` optimizer names a slot after its variable (TF's
    ``slot_creator.create_slot``): ``<var>/<infix>/<name>``, then ``<name>_1``,
    ``<name>_2`` in creation order, ``<name>`` being the optimizer's ``name`` argument
    (``Adagrad``, ``Adam``, ``Ftrl``, ``RMSProp``, ``Momentum``, ``ProximalAdagrad``;
    ``GradientDescent`` has no slot). ``AdamOptimizer`` adds the non-slot variables
    ``<power_scope>/beta1_power`` and ``beta2_power`` (β₁ and β₂ to the power step + 1);
    the second Adam of a wide & deep model (its linear part: the DNN part is built
    first) has ``beta1_power_1`` and ``beta2_power_1``. v1 optimizers save no
    hyper-parameter variables and no iteration counter.

    cannery keeps the state as for the v2 classes (``training/<Opt>/<var>/<slot>``);
    :meth:`to_disk` gives the variables to save under TensorFlow's names and
    :meth:`from_disk` reads them back (``Estimator._attach_trainers``).

    The names in TensorFlow's graph differ from the checkpoint's, and a warm start
    matches ``vars_to_warm_start`` against the graph's (:meth:`graph_names`): the
    trainable variables of the DNN, Linear and wide & deep models are one-partition
    variables (``dnn/logits/kernel/part_0``), and the slots of the DNN and Linear models
    are made in the name scope of the model (``dnn/dnn/logits/kernel/part_0/Adagrad``,
    ``linear/linear/linear_model/x/weights/part_0/Ftrl``).

    Attributes:
        infix: between a variable's name and its slot's: ``t_0`` (DNN), ``part_0``
            (Linear), ``""`` (wide & deep, Baseline).
        power_scope: the name scope of Adam's beta powers (TF's head scope when the
            optimizer runs): ``dnn/head``, ``linear/head`` or ``head``.
        partitioned: the trainable variables are ``<var>/part_0`` in the graph.
        slot_scope: the name scope before a slot's graph name: ``dnn/``, ``linear/``
            or ``""``.
    """

    infix: str
    power_scope: str
    partitioned: bool = True
    slot_scope: str = ""

    def _slots(self, trainer):
        """``(variable, slot, the slot's name below the variable)`` for each slot."""
        disk = _slot_disk_names(trainer.optimizer)
        for var in trainer.variable_names:
            for slot, name in zip(trainer.optimizer.slot_names(), disk):
                yield var, slot, name

    def slot_keys(self, trainer) -> dict[tuple[str, str], str]:
        """``{(variable, slot): name on disk}`` for one trainer's slots."""
        infix = f"{self.infix}/" if self.infix else ""
        return {(var, slot): f"{var}/{infix}{name}" for var, slot, name in self._slots(trainer)}

    def graph_names(self, names, trainable, trainers=()) -> dict[str, str]:
        """``{name on disk: name in TensorFlow's graph}`` where they differ.

        Args:
            names: the variables' names on disk.
            trainable: the names of the trainable model variables.
            trainers: the trainers whose slots and beta powers are among ``names``.
        """
        def graph(var):
            return f"{var}/part_0" if self.partitioned and var in trainable else var

        out = {name: graph(name) for name in names if name in trainable and self.partitioned}
        for trainer in trainers:
            infix = f"{self.infix}/" if self.infix else ""
            for var, _, name in self._slots(trainer):
                out[f"{var}/{infix}{name}"] = f"{self.slot_scope}{graph(var)}/{name}"
        return out

    def power_keys(self, trainers) -> dict[int, tuple[str, str]]:
        """``{trainer index: (beta1_power name, beta2_power name)}`` for the v1 Adams."""
        out = {}
        for i, trainer in enumerate(trainers):
            if _has_beta_powers(trainer.optimizer):
                suffix = f"_{len(out)}" if out else ""
                out[i] = (f"{self.power_scope}/beta1_power{suffix}",
                          f"{self.power_scope}/beta2_power{suffix}")
        return out

    def to_disk(self, state) -> dict:
        """The variables to save: the model's (and hooks'), then each slot (by reference)
        and beta power under TensorFlow's v1 name.

        Args:
            state: the ``ModelState`` (variables, global step, trainers).
        """
        from cannery.plugins.optimizers.v1_adam import beta_power

        out = dict(state.variables)
        trainers = state.trainers or ()
        powers = self.power_keys(trainers)
        for i, trainer in enumerate(trainers):
            for (var, slot), key in self.slot_keys(trainer).items():
                out[key] = trainer.state.slots[var][slot]
            if i in powers:
                # The beta powers after `step` updates: beta ** (step + 1), as TF's
                # variables (a product chain, rounded to float32 at every step).
                step = state.global_step if trainer.owns_global_step else trainer.iterations
                optimizer = trainer.optimizer
                for key, beta in zip(powers[i], (optimizer.beta_1, optimizer.beta_2)):
                    out[key] = np.array(beta_power(beta, step + 1, np.float32))
        return out

    def from_disk(self, stored, trainers, state) -> dict:
        """``stored`` with each slot also under cannery's name (``<scope>/<var>/<slot>``).

        A checkpoint holding cannery's own names (``training/<Opt>/...``: cannery wrote
        those for v1 classes before) is returned as it is. Beta powers are not read: the
        v1 Adam computes them from the step, which TensorFlow's values equal unless
        ``global_step`` and the powers were warm-started apart.

        Args:
            stored: the checkpoint's variables.
            trainers: the model's trainers (optimizer, scope, variable names).
            state: the ``ModelState`` being restored (its variables and ``source``).

        Raises:
            VariableNotFoundError: TensorFlow's ``Key <name> not found in checkpoint``:
                some of the optimizer's variables are missing, or there are none but
                another optimizer's slots are there (the optimizer was changed).
        """
        from cannery.core.checkpoint import VariableNotFoundError

        if any(_CANNERY_OPTIMIZER_STATE.match(name) for name in stored):
            return stored
        out = dict(stored)
        powers = self.power_keys(trainers)
        path = state.source
        for i, trainer in enumerate(trainers):
            keys = self.slot_keys(trainer)
            expected = [*keys.values(), *powers.get(i, ())]
            if not expected:
                continue
            missing = [key for key in expected if key not in stored]
            if len(missing) == len(expected):
                # No state of this optimizer: fresh slots, unless another optimizer's are
                # there (TensorFlow: every variable of the graph must be in the checkpoint).
                foreign = _slots_of_others(stored, trainer.variable_names, state.variables)
                if not foreign:
                    continue
                raise VariableNotFoundError(
                    f"Key {missing[0]} not found in checkpoint {path}: the checkpoint holds "
                    f"another optimizer's slots ({foreign[0]}, ...), not this model's "
                    f"{missing[0].rsplit('/', 1)[-1]} (was the optimizer changed on an "
                    f"existing model_dir?). Train in a new model_dir, or warm-start from this "
                    f"one (warm_start_from=...).")
            if missing:
                raise VariableNotFoundError(
                    f"Key {missing[0]} not found in checkpoint {path} (expected beside "
                    f"{next(k for k in expected if k in stored)})")
            for (var, slot), key in keys.items():
                out[f"{trainer.scope}/{var}/{slot}"] = stored[key]
        self.check_beta_powers(stored, trainers, state.global_step, path)
        return out

    def check_beta_powers(self, variables, trainers, global_step, source) -> None:
        """Warn where ``variables`` hold beta powers other than the step gives.

        TensorFlow keeps Adam's beta powers in variables; cannery's v1 Adam computes
        them from the step. They differ when the powers and ``global_step`` were
        warm-started apart, or β changed on an existing model_dir; cannery then goes on
        with the powers of the step.
        """
        from cannery.plugins.optimizers.v1_adam import beta_power

        for i, keys in self.power_keys(trainers).items():
            trainer = trainers[i]
            step = global_step if trainer.owns_global_step else trainer.iterations
            betas = (trainer.optimizer.beta_1, trainer.optimizer.beta_2)
            for key, beta in zip(keys, betas):
                if key not in variables:
                    continue
                stored = np.float32(np.asarray(variables[key]))
                expected = beta_power(beta, step + 1, np.float32)
                if stored != expected:
                    logger.warning(
                        "%s from %s is %s, but at global step %d it is %s (beta %s to the "
                        "power %d): cannery's v1 Adam computes its beta powers from the step "
                        "and goes on with %s.", key, source, stored, step, expected, beta,
                        step + 1, expected)


class _V1Mixin:
    """Rewrites the parts' string optimizers into v1 optimizers; evaluates with the v1
    heads' metrics (``metrics_version=1``: ``tf.compat.v1.metrics``); names the optimizer
    state on disk as TensorFlow's v1 classes do (``_checkpoint_names``)."""

    _v1_dnn_rate = None
    _checkpoint_names = V1CheckpointNames(infix="", power_scope="head")  # wide & deep

    def _model_definition(self):
        definition = super()._model_definition()
        # TF's v1 classes build v1 heads (canned/head.py), whose eval metrics are
        # tf.compat.v1.metrics: trapezoidal AUCs, v1 means and accuracy_baseline.
        if getattr(definition.head, "metrics_version", 1) != 1:
            definition.head = attrs.evolve(definition.head, metrics_version=1)
            self._head = definition.head
        for part in definition.parts:
            rate = part.learning_rate
            if self._v1_dnn_rate is not None and part.owns_global_step and \
                    type(part.network).__name__ == "DNNNetwork":
                rate = self._v1_dnn_rate
            if isinstance(part.optimizer, tuple):  # ("Ftrl", {"learning_rate": r}) for None
                name, kwargs = part.optimizer
                part.optimizer = _v1_optimizer(name, kwargs.get("learning_rate", rate))
            else:
                part.optimizer = _v1_optimizer(part.optimizer, rate)
            part.learning_rate = None
            # Both parts of a v1 wide & deep model step with the global step (v1
            # optimizers keep no iteration count; Adam's beta powers count from it).
            part.owns_global_step = True
        return definition


class DNNClassifier(_V1Mixin, dnn.DNNClassifier):
    """``tf.compat.v1.estimator.DNNClassifier``: SUM reduction, v1 Adagrad at 0.05."""

    registered_name = "compat.v1.DNNClassifier"
    _checkpoint_names = V1CheckpointNames(infix="t_0", power_scope="dnn/head",
                                          slot_scope="dnn/")
    _v1_dnn_rate = _V1_DNN_RATE

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Adagrad",
                 activation_fn="relu", dropout=None, input_layer_partitioner=None,
                 config=None, warm_start_from=None, loss_reduction=SUM, batch_norm=False):
        self._record_args(locals())
        super().__init__(hidden_units, feature_columns, model_dir, n_classes, weight_column,
                         label_vocabulary, optimizer, activation_fn, dropout, config,
                         warm_start_from, loss_reduction, batch_norm)


class DNNRegressor(_V1Mixin, dnn.DNNRegressor):
    """``tf.compat.v1.estimator.DNNRegressor``: SUM reduction, v1 Adagrad at 0.05."""

    registered_name = "compat.v1.DNNRegressor"
    _checkpoint_names = V1CheckpointNames(infix="t_0", power_scope="dnn/head",
                                          slot_scope="dnn/")
    _v1_dnn_rate = _V1_DNN_RATE

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1,
                 weight_column=None, optimizer="Adagrad", activation_fn="relu", dropout=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=SUM, batch_norm=False):
        self._record_args(locals())
        super().__init__(hidden_units, feature_columns, model_dir, label_dimension,
                         weight_column, optimizer, activation_fn, dropout, config,
                         warm_start_from, loss_reduction, batch_norm)


class LinearClassifier(_V1Mixin, linear.LinearClassifier):
    """``tf.compat.v1.estimator.LinearClassifier``: SUM reduction, v1 Ftrl."""

    registered_name = "compat.v1.LinearClassifier"
    _checkpoint_names = V1CheckpointNames(infix="part_0", power_scope="linear/head",
                                          slot_scope="linear/")

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Ftrl", config=None, partitioner=None,
                 warm_start_from=None, loss_reduction=SUM, sparse_combiner="sum"):
        self._record_args(locals())
        super().__init__(feature_columns, model_dir, n_classes, weight_column,
                         label_vocabulary, optimizer, config, warm_start_from, loss_reduction,
                         sparse_combiner)


class LinearRegressor(_V1Mixin, linear.LinearRegressor):
    """``tf.compat.v1.estimator.LinearRegressor``: SUM reduction, v1 Ftrl."""

    registered_name = "compat.v1.LinearRegressor"
    _checkpoint_names = V1CheckpointNames(infix="part_0", power_scope="linear/head",
                                          slot_scope="linear/")

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=SUM, sparse_combiner="sum"):
        self._record_args(locals())
        super().__init__(feature_columns, model_dir, label_dimension, weight_column, optimizer,
                         config, warm_start_from, loss_reduction, sparse_combiner)


class DNNLinearCombinedClassifier(_V1Mixin, dnn.DNNLinearCombinedClassifier):
    """``tf.compat.v1.estimator.DNNLinearCombinedClassifier``: SUM reduction, v1 optimizers."""

    registered_name = "compat.v1.DNNLinearCombinedClassifier"

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn="relu", dnn_dropout=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        self._record_args(locals())
        super().__init__(model_dir, linear_feature_columns, linear_optimizer,
                         dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
                         dnn_activation_fn, dnn_dropout, n_classes, weight_column,
                         label_vocabulary, config, warm_start_from, loss_reduction, batch_norm,
                         linear_sparse_combiner)


class DNNLinearCombinedRegressor(_V1Mixin, dnn.DNNLinearCombinedRegressor):
    """``tf.compat.v1.estimator.DNNLinearCombinedRegressor``: SUM reduction, v1 optimizers."""

    registered_name = "compat.v1.DNNLinearCombinedRegressor"

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn="relu", dnn_dropout=None, label_dimension=1,
                 weight_column=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        self._record_args(locals())
        super().__init__(model_dir, linear_feature_columns, linear_optimizer,
                         dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
                         dnn_activation_fn, dnn_dropout, label_dimension, weight_column,
                         config, warm_start_from, loss_reduction, batch_norm,
                         linear_sparse_combiner)


class BaselineClassifier(_V1Mixin, baseline.BaselineClassifier):
    """``tf.compat.v1.estimator.BaselineClassifier``: SUM reduction, v1 Ftrl."""

    registered_name = "compat.v1.BaselineClassifier"
    _checkpoint_names = V1CheckpointNames(infix="", power_scope="head",
                                          partitioned=False)

    def __init__(self, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, loss_reduction=SUM):
        self._record_args(locals())
        super().__init__(model_dir, n_classes, weight_column, label_vocabulary, optimizer,
                         config, loss_reduction)


class BaselineRegressor(_V1Mixin, baseline.BaselineRegressor):
    """``tf.compat.v1.estimator.BaselineRegressor``: SUM reduction, v1 Ftrl."""

    registered_name = "compat.v1.BaselineRegressor"
    _checkpoint_names = V1CheckpointNames(infix="", power_scope="head",
                                          partitioned=False)

    def __init__(self, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl",
                 config=None, loss_reduction=SUM):
        self._record_args(locals())
        super().__init__(model_dir, label_dimension, weight_column, optimizer, config,
                         loss_reduction)


V1_CLASSES = (DNNClassifier, DNNRegressor, LinearClassifier, LinearRegressor,
              DNNLinearCombinedClassifier, DNNLinearCombinedRegressor, BaselineClassifier,
              BaselineRegressor)


@hookimpl
def register_estimators(register):
    for cls in V1_CLASSES:
        register(cls)
