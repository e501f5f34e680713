"""The Estimator runtime: train / evaluate / predict over networks, a head and optimizers.

A canned estimator describes its model as a :class:`ModelDefinition` — a head and one
or more :class:`Part` (a network plus the optimizer that trains it); the logits are the
sum of the parts' logits. This module runs that model the way ``tf.estimator`` does:
checkpoints in ``model_dir`` on TensorFlow's schedule, hooks, NaN detection, streaming
evaluation, predictions as generators, warm starts.
"""

from __future__ import annotations

import atexit
import functools
import logging
import math
import os
import struct
import tempfile
import threading
import time
from typing import Any

import attrs
import numpy as np

from cannery.core.hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    SessionRunContext,
    SessionRunHook,
    SessionRunValues,
    StepCounterHook,
    StepValues,
    SummarySaverHook,
    _NeverTriggerTimer,
    resolve_fetches,
)
from cannery.core.run_config import RunConfig

logger = logging.getLogger("cannery")


class ModeKeys:
    """TensorFlow's ``tf.estimator.ModeKeys``."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


@attrs.define(eq=False)
class Part:
    """One additive part of a model and how it is trained.

    Attributes:
        network: the :class:`~cannery.core.model.Network`.
        optimizer: what the user passed (name, instance, callable, ``(name, kwargs)``).
        learning_rate: the rate a string optimizer gets (None: its own default).
        owns_global_step: false for the linear part of a wide & deep model, which
            counts its own iterations (``training/<Opt>/iter``).
    """

    network: Any
    optimizer: Any
    learning_rate: float | None = None
    owns_global_step: bool = True


@attrs.define(eq=False)
class ModelDefinition:
    head: Any
    parts: list[Part]


@attrs.define(eq=False)
class _Trainer:
    """The optimizer of one part, resolved, with its state and checkpoint scope."""

    optimizer: Any
    scope: str
    variable_names: list[str]
    state: Any = None
    iterations: int = 0
    owns_global_step: bool = True
    trained_set: frozenset | None = None
    #: Variables this trainer updated from row-sparse gradients in this train() call
    #: (TensorFlow's IndexedSlices: categorical weights, embedding tables).
    sparse_names: set | None = None


@attrs.define(eq=False)
class ModelState:
    """Everything a checkpoint holds: variables, global step, optimizer state."""

    variables: dict[str, np.ndarray]
    global_step: int
    trainable: set[str]
    trainers: list[_Trainer] | None = None
    source: str | None = None
    #: The estimator's ``_checkpoint_names`` (set with the trainers): how the optimizer
    #: state is named on disk when not as cannery names it (``tf.compat.v1`` classes).
    checkpoint_names: Any = None

    def checkpoint_variables(self) -> dict[str, np.ndarray]:
        """Every variable to save, by name on disk (model variables and slots by reference)."""
        if self.checkpoint_names is not None:
            return self.checkpoint_names.to_disk(self)
        out = dict(self.variables)
        for trainer in self.trainers or ():
            out.update(trainer.optimizer.state_to_variables(trainer.state, trainer.scope))
            if not trainer.owns_global_step:
                out[f"{trainer.scope}/iter"] = np.int64(trainer.iterations)
        return out


class _Session:
    """What hooks see as ``session``: the live model state, and what TensorFlow's hooks
    get from the graph and the process.

    ``run(fetches)`` reads ``global_step`` (its current value), variables (copies) and
    ``loss`` (the last training step's loss; NaN before it and outside ``train``).
    A training session (``estimator`` given) also saves checkpoints of the state
    (TensorFlow's ``Saver``), keeps one summary writer per directory (TensorFlow's
    ``SummaryWriterCache``) and records the phases of the last step for ProfilerHook.
    """

    def __init__(self, state: ModelState, estimator: "Estimator | None" = None):
        self._state = state
        self._estimator = estimator
        self._last_loss = np.nan
        self._last_step_timing = None
        self._writers: dict[str, Any] = {}
        self._opened: list = []
        self._managers: dict[str, Any] = {}
        self._named: dict[tuple[str, str], list[str]] = {}

    @property
    def global_step(self) -> int:
        return self._state.global_step

    def state_variable(self, name: str, initial) -> np.ndarray:
        """A variable a hook keeps in the model state, hence in every checkpoint (as the
        variables TensorFlow's hooks add to GLOBAL_VARIABLES): the value the checkpoint
        training resumed from holds, else ``initial``. Assigning into the returned array
        (``var[...] = value``) changes what the next checkpoint saves.
        """
        variables = self._state.variables
        if name not in variables:
            value = initial
            if self._state.source is not None:
                from cannery.core import checkpoint as ckpt

                try:
                    value = ckpt.load_variable(self._state.source, name)
                except ckpt.CheckpointError:
                    pass  # not in that checkpoint: TF initialises it
            variables[name] = np.array(value)
        return variables[name]

    @property
    def model_dir(self) -> str | None:
        """The training estimator's ``model_dir`` (None outside ``train``)."""
        return self._estimator._model_dir if self._estimator is not None else None

    @property
    def last_step_timing(self) -> dict | None:
        """``{phase: (start, end)}`` in ``time.perf_counter()`` seconds for the last
        training step: ``input`` (waiting for the batch), ``before_run`` (the hooks'),
        ``train_step`` (forward, backward, update). None before the first step."""
        return self._last_step_timing

    def run(self, fetches):
        values = StepValues(self._last_loss, self._state.global_step, self._state.variables)
        return resolve_fetches(fetches, values)

    def save_checkpoint(self, checkpoint_dir=None, checkpoint_basename="model.ckpt") -> str:
        """Save the current state as ``<checkpoint_dir>/<checkpoint_basename>-<step>``
        (atomically) and update ``<checkpoint_dir>/checkpoint``, keeping the estimator's
        ``keep_checkpoint_max`` newest (and, for ``model.ckpt``, its
        ``keep_checkpoint_every_n_hours`` exemptions).

        Args:
            checkpoint_dir: the directory (default: ``model_dir``).
            checkpoint_basename: the file name before ``-<step>``.

        Returns:
            The checkpoint path.

        Raises:
            RuntimeError: this is not a training session.
        """
        from cannery.core import checkpoint as ckpt

        estimator = self._estimator
        if estimator is None:
            raise RuntimeError(
                "session.save_checkpoint: only the session of Estimator.train() saves "
                "checkpoints (a CheckpointSaverHook belongs in train(hooks=...))")
        config = estimator._config
        directory = os.fspath(estimator._model_dir if checkpoint_dir is None
                              else checkpoint_dir)
        variables = self._state.checkpoint_variables()
        step = self._state.global_step
        spec, plugins = estimator._spec(), estimator._checkpoint_plugins()
        key = os.path.realpath(directory)
        if checkpoint_basename == ckpt.CHECKPOINT_BASENAME:
            manager = self._managers.get(key)
            if manager is None:
                manager = self._managers[key] = ckpt.CheckpointManager(
                    directory, keep_checkpoint_max=config.keep_checkpoint_max,
                    keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours)
            return manager.save(variables, step, spec=spec, plugins=plugins)
        # Another basename: the same writer, retention by count over this session's saves.
        path = ckpt.write_file(os.path.join(directory, f"{checkpoint_basename}-{int(step)}"),
                               variables, step, spec=spec, plugins=plugins)
        tracked = [p for p in self._named.get((key, checkpoint_basename), []) if p != path]
        tracked.append(path)
        keep = config.keep_checkpoint_max
        doomed = tracked[:-keep] if keep else []
        tracked = tracked[len(doomed):]
        self._named[(key, checkpoint_basename)] = tracked
        ckpt.write_checkpoint_state(directory, path, tracked if keep else [path])
        for old in doomed:
            try:
                os.remove(old)
            except FileNotFoundError:
                pass
        return path

    def summary_writer(self, logdir):
        """The writer for ``logdir``, opened on first use and shared by every hook (None
        without tensorboardX); a training session flushes the ones it used at the end."""
        key = os.path.realpath(os.fspath(logdir))
        if key not in self._writers:
            writer = _summary_writer(logdir)
            self._writers[key] = writer
            if writer is not None:
                self._opened.append(writer)
        return self._writers[key]

    def _record_step(self, loss, timing: dict) -> None:
        self._last_loss = loss
        self._last_step_timing = timing

    def _close_writers(self) -> None:
        # flushed, not closed: one writer per directory serves the whole process
        for writer in self._opened:
            writer.flush()
        self._opened.clear()
        self._writers.clear()


def _as_weight_column(weight_column):
    """A head's ``weight_column``: a key becomes ``numeric_column(key, shape=(1,))``."""
    if isinstance(weight_column, str):
        from cannery import registry

        numeric = registry.get("feature_column", "numeric_column")
        return numeric(key=weight_column, shape=(1,))
    return weight_column


class Estimator:
    """Base of the canned estimators (TensorFlow's ``tf.estimator.Estimator``).

    Subclasses implement :meth:`_model_definition`. ``model_dir`` holds the
    checkpoints; with none given, a temporary directory is used (and logged).
    """

    #: How checkpoints name the optimizer state when not as cannery does, or None (see
    #: :meth:`_attach_trainers`; the ``tf.compat.v1`` classes set TF v1's names).
    _checkpoint_names = None

    def __init__(self, model_fn=None, model_dir=None, config=None, params=None,
                 warm_start_from=None):
        if model_fn is not None and type(self) is Estimator:
            raise NotImplementedError(
                "cannery runs the canned estimators; a custom TensorFlow model_fn cannot run "
                "without TensorFlow. Use a canned estimator or register a custom one as a "
                "plugin (register_estimators).")
        if config is None:
            config = RunConfig()
        elif not isinstance(config, RunConfig):
            raise ValueError(
                f"config must be an instance of `RunConfig`, but provided {config}.")
        model_dir = os.fspath(model_dir) if model_dir is not None else None
        if model_dir is not None and config.model_dir is not None and \
                os.path.abspath(model_dir) != os.path.abspath(config.model_dir):
            raise ValueError(
                "`model_dir` are set both in constructor and `RunConfig`, but with different "
                f"values. In constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}' ")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            logger.warning("Using temporary folder as model directory: %s", model_dir)
        self._model_dir = model_dir
        self._config = config.replace(model_dir=model_dir)
        self._params = dict(params or {})
        self._model_fn = model_fn
        self._warm_start_settings = _warm_start_settings(warm_start_from)
        self._definition: ModelDefinition | None = None
        self._predict_cache: tuple | None = None

    # -- properties ----------------------------------------------------------------
    @property
    def model_dir(self) -> str:
        return self._model_dir

    @property
    def config(self) -> RunConfig:
        return self._config.replace()

    @property
    def params(self) -> dict:
        return dict(self._params)

    @property
    def model_fn(self):
        return self._model_fn

    def eval_dir(self, name=None) -> str:
        return os.path.join(self._model_dir, "eval" if not name else f"eval_{name}")

    # -- the model -------------------------------------------------------------------
    def _model_definition(self) -> ModelDefinition:
        raise NotImplementedError

    def _spec(self) -> dict:
        """Plain-dict description of the model, stored in checkpoints and exports."""
        return {"estimator": type(self).__name__}

    def _get_definition(self) -> ModelDefinition:
        if self._definition is None:
            self._definition = self._model_definition()
        return self._definition

    @property
    def head(self):
        return self._get_definition().head

    def _weights(self, cache):
        head = self.head
        if callable(getattr(head, "read_weights", None)):
            # The head names its weight column(s): a MultiHead reads one per sub-head.
            return head.read_weights(lambda column: self._read_weights(cache, column))
        return self._read_weights(cache, getattr(head, "weight_column", None))

    def _read_weights(self, cache, weight_column):
        column = _as_weight_column(weight_column)
        if column is None:
            return None
        if not hasattr(column, "normalizer_fn"):
            return column.dense_forward(cache, {}, False)[0]
        # TF reads the weight column without the input layer's reshape to
        # [batch, 1]: a regression head accepts per-output weights
        # [batch, label_dimension], and the head reports a wrong shape in its words.
        raw = cache.dense_numeric(column.key)
        if column.normalizer_fn is not None:
            raw = np.asarray(column.normalizer_fn(raw))
        if raw.dtype.kind not in "iufb":
            raise ValueError(f"Weight column should be castable to float. Given dtype: {raw.dtype}")
        return raw.astype(np.float32, copy=False)

    # -- state -------------------------------------------------------------------------
    def _variable_specs(self):
        specs = {}
        for part in self._get_definition().parts:
            for spec in part.network.variable_specs():
                if spec.name in specs:
                    if specs[spec.name].shape != spec.shape:
                        raise ValueError(
                            f"variable {spec.name} is declared with shapes "
                            f"{specs[spec.name].shape} and {spec.shape}")
                    continue
                specs[spec.name] = spec
        return specs

    def _initial_state(self) -> ModelState:
        seed = self._config.tf_random_seed
        rng = np.random.default_rng(seed)
        specs = self._variable_specs()
        variables = {}
        for name in sorted(specs):
            spec = specs[name]
            value = np.asarray(spec.initializer(rng, tuple(spec.shape)), dtype=np.float32)
            if value.shape != tuple(spec.shape):
                raise ValueError(f"initializer of {name} returned shape {value.shape}, "
                                 f"expected {tuple(spec.shape)}")
            variables[name] = np.ascontiguousarray(value)
        trainable = {name for name, spec in specs.items() if spec.trainable}
        return ModelState(variables=variables, global_step=0, trainable=trainable)

    def _state_from_checkpoint(self, checkpoint) -> ModelState:
        # Built from the variable specs and the stored arrays alone: running the
        # initializers first would cost seconds for large embedding tables.
        specs = self._variable_specs()
        stored = checkpoint.variables
        variables = {}
        for name in sorted(specs):
            if name not in stored:
                from cannery.core.checkpoint import VariableNotFoundError

                raise VariableNotFoundError(
                    f"Key {name} not found in checkpoint {checkpoint.path}: the model in "
                    f"model_dir was built with other feature columns or hyper-parameters.")
            value = np.asarray(stored[name])
            expected = tuple(specs[name].shape)
            if value.shape != expected:
                raise ValueError(
                    f"variable {name}: checkpoint {checkpoint.path} holds shape {value.shape}, "
                    f"the model expects {expected}")
            variables[name] = np.array(value, dtype=np.float32, order="C")
        trainable = {name for name, spec in specs.items() if spec.trainable}
        return ModelState(variables=variables, global_step=int(checkpoint.global_step),
                          trainable=trainable, source=checkpoint.path)

    def _restore(self, checkpoint_path=None, for_training=False) -> ModelState:
        from cannery.core import checkpoint as ckpt

        if checkpoint_path is not None:
            return self._state_from_checkpoint(ckpt.read(checkpoint_path))
        latest = ckpt.latest_intact_checkpoint(self._model_dir)
        if latest is not None:
            return self._state_from_checkpoint(latest)
        if not for_training:
            logger.info("Could not find trained model in model_dir: %s, running "
                        "initialization to %s.", self._model_dir,
                        "predict" if for_training is None else "evaluate")
        state = self._initial_state()
        if self._warm_start_settings is not None:
            from cannery.core.warm_start import warm_start

            naming = self._checkpoint_names
            graph_names = None if naming is None else naming.graph_names(
                state.variables, state.trainable)
            warm_start(state.variables, state.trainable, self._warm_start_settings,
                       graph_names)
        return state

    def _warm_start_training_state(self, state: ModelState) -> None:
        """Warm-start a fresh training state, optimizer slots and global step included.

        A list of patterns in ``vars_to_warm_start`` selects among all variables (TF's
        GLOBAL collection), so slots and ``global_step`` can come from the checkpoint too;
        a single pattern selects trainable variables only. Variables go by their names on
        disk (``state.checkpoint_variables()``), matched by their names in TF's graph.
        """
        from cannery.core.warm_start import warm_start

        everything = state.checkpoint_variables()  # model variables and slots, by reference
        global_step = np.array(state.global_step, dtype=np.int64)
        everything["global_step"] = global_step
        for trainer in state.trainers:
            # Scalars made for this dict (iteration counters, hyper-parameters) become
            # arrays so that warm_start can write into them like into the slots.
            for name in list(everything):
                if name.startswith(trainer.scope + "/") and np.ndim(everything[name]) == 0:
                    everything[name] = np.array(everything[name])
        naming = state.checkpoint_names
        graph_names = None if naming is None else naming.graph_names(
            everything, state.trainable, state.trainers)
        warm_start(everything, state.trainable, self._warm_start_settings, graph_names)
        state.global_step = int(global_step)
        if naming is not None:
            naming.check_beta_powers(everything, state.trainers, state.global_step,
                                     self._warm_start_settings.ckpt_to_initialize_from)
        # TensorFlow restores the optimizers' hyper-parameter variables (learning_rate,
        # decay, the betas) and a second optimizer's iteration counter with the rest, so
        # training goes on at the checkpoint's rates.
        for trainer in state.trainers:
            trainer.optimizer = _restored_hyper_parameters(trainer.optimizer, everything,
                                                           trainer.scope)
            iterations = everything.get(f"{trainer.scope}/iter")
            if not trainer.owns_global_step and iterations is not None:
                trainer.iterations = int(iterations)

    def _attach_trainers(self, state: ModelState, checkpoint_variables=None) -> None:
        """Give ``state`` one trainer per part, with the optimizer state read from
        ``checkpoint_variables`` (the checkpoint's variables, by name on disk) or fresh.

        An estimator class whose checkpoints name the optimizer state otherwise than
        cannery (``training/<Opt>/<var>/<slot>``) sets ``_checkpoint_names``
        (:class:`cannery.plugins.estimators.v1.V1CheckpointNames`): its
        ``from_disk(stored, trainers, state)`` adds cannery's names to the stored
        variables, ``to_disk(state)`` gives the variables to save (the state keeps it as
        ``state.checkpoint_names``), ``graph_names(names, trainable, trainers)`` the names
        warm starts match, and ``check_beta_powers(variables, trainers, step, source)``
        warns about warm-started state the optimizers recompute.
        """
        from cannery.optimizers import get_optimizer

        trainers = []
        scope_counts: dict[str, int] = {}
        parts = self._get_definition().parts
        optimizers, scopes = [], []
        for part in parts:
            optimizer = get_optimizer(part.optimizer, part.learning_rate)
            # TF's scope: 'training', or 'training_<n>' for a head made of n heads.
            base = f"{getattr(self.head, 'train_name_scope', 'training')}/{optimizer.tf_name}"
            count = scope_counts.get(base, 0)
            scope_counts[base] = count + 1
            optimizers.append(optimizer)
            scopes.append(base if count == 0 else f"{base}_{count}")
        for part, optimizer, scope in zip(parts, optimizers, scopes):
            names = [s.name for s in part.network.variable_specs() if s.trainable]
            names = [n for n in dict.fromkeys(names) if n in state.trainable]
            trainers.append(_Trainer(optimizer=optimizer, scope=scope, variable_names=names,
                                     owns_global_step=part.owns_global_step))
        naming = self._checkpoint_names
        if checkpoint_variables is not None and naming is not None:
            checkpoint_variables = naming.from_disk(checkpoint_variables, trainers, state)
        for part, trainer in zip(parts, trainers):
            optimizer, scope, names = trainer.optimizer, trainer.scope, trainer.variable_names
            if checkpoint_variables is not None:
                optimizer = trainer.optimizer = _restored_hyper_parameters(
                    optimizer, checkpoint_variables, scope)
            own = {n: state.variables[n] for n in names}
            if checkpoint_variables is not None:
                # An optimizer without slots (plain SGD) still counts its iterations.
                trainer.iterations = int(checkpoint_variables.get(f"{scope}/iter", 0))
            if checkpoint_variables is not None and optimizer.has_any_slot(
                    checkpoint_variables, scope):
                step = state.global_step if part.owns_global_step else trainer.iterations
                try:
                    trainer.state = optimizer.state_from_variables(
                        checkpoint_variables, own, scope, iterations=step)
                except KeyError as error:
                    from cannery.core.checkpoint import VariableNotFoundError

                    raise VariableNotFoundError(error.args[0]) from None
            else:
                if checkpoint_variables is not None:
                    _refuse_other_optimizers_slots(checkpoint_variables, scope, optimizer,
                                                   names, scopes)
                trainer.state = optimizer.init(own)
        if not any(t.owns_global_step for t in trainers) and trainers:
            trainers[0].owns_global_step = True
        state.trainers = trainers
        state.checkpoint_names = naming

    # -- one step ----------------------------------------------------------------------
    def _prepare_fn(self, training: bool = False):
        """``features -> FeatureCache`` with the networks' transforms done, or None.

        Runs where the input pipeline makes each batch (its prefetch thread), so the
        column kernels of the next batch overlap this step's model kernels. Networks
        opt in with a ``prepare(cache)`` method (``prepare(cache, training=True)`` when
        training, if it takes ``training``); an error is left for the step to raise.
        """
        networks = [part.network for part in self._get_definition().parts
                    if callable(getattr(part.network, "prepare", None))]
        if not networks:
            return None
        from cannery.core.features import FeatureCache

        calls = [functools.partial(network.prepare, training=training)
                 if _prepare_takes_training(type(network)) else network.prepare
                 for network in networks]

        def prepare(features):
            if not isinstance(features, dict):
                return features
            cache = FeatureCache(features)
            try:
                for call in calls:
                    call(cache)
            except Exception:  # noqa: BLE001 - the step recomputes and raises it in order
                return features
            return cache

        return prepare

    def _forward(self, state: ModelState, features, training: bool):
        from cannery.core.features import FeatureCache

        if isinstance(features, FeatureCache):
            cache = features
        elif not isinstance(features, dict):
            raise ValueError(
                f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")
        else:
            cache = FeatureCache(features)
        logits = None
        contexts = []
        for part in self._get_definition().parts:
            part_logits, context = part.network.forward(cache, state.variables, training)
            logits = part_logits if logits is None else logits + part_logits
            contexts.append(context)
        return cache, logits, contexts

    def _loss(self, cache, logits, labels, mode=ModeKeys.TRAIN):
        head = self.head
        if mode == ModeKeys.TRAIN:
            # TF reads head.loss_reduction to build the train op; a MultiHead whose
            # heads' reductions differ raises there (training only).
            getattr(head, "loss_reduction", None)
        labels = head.prepare_labels(labels, logits.shape)
        weights = head.prepare_weights(self._weights(cache), logits.shape)
        return labels, weights, head.loss(logits, labels, weights)

    def _train_step(self, state: ModelState, features, labels) -> float:
        cache, logits, contexts = self._forward(state, features, training=True)
        _, _, loss = self._loss(cache, logits, labels)
        training_loss = float(loss.training_loss)
        if math.isnan(training_loss):
            logger.error("Model diverged with loss = NaN.")
            raise NanLossDuringTrainingError()
        parts = self._get_definition().parts
        for part, context, trainer in zip(parts, contexts, state.trainers):
            grads = _backward(part.network, context, loss.d_logits, state.variables,
                              trainer)
            if trainer.sparse_names is not None:
                _record_sparse(trainer.sparse_names, grads)
            step = state.global_step if trainer.owns_global_step else trainer.iterations
            trainer.optimizer.apply(state.variables, grads, trainer.state, step)
            if not trainer.owns_global_step:
                trainer.iterations += 1
        state.global_step += 1
        return training_loss

    # -- train -------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Train on the batches ``input_fn`` yields.

        Args:
            input_fn: returns ``(features, labels)``, a dataset or an iterable of batches;
                may take any of ``mode``, ``params``, ``config``.
            hooks: :class:`SessionRunHook` objects. They run in TensorFlow's order: the
                estimator's CheckpointSaverHook (none if ``hooks`` hold one: that one
                saves instead), StepCounterHook and SummarySaverHook (``loss``), then
                ``hooks``, then the ``loss``/``step`` LoggingTensorHook.
            steps: train this many more steps (or until the input ends).
            max_steps: train until the global step reaches this value.
            saving_listeners: :class:`CheckpointSaverListener` objects, added to the
                first CheckpointSaverHook.

        Returns:
            ``self``.

        Raises:
            ValueError: ``steps`` and ``max_steps`` both given, or not positive;
                ``saving_listeners`` with no checkpoint schedule and no
                CheckpointSaverHook.
            NanLossDuringTrainingError: a step's loss was NaN.
        """
        from cannery.core import checkpoint as ckpt

        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        hooks = _check_hooks(hooks)
        listeners = list(saving_listeners or ())
        for listener in listeners:
            if not isinstance(listener, CheckpointSaverListener):
                raise TypeError(
                    f"saving_listeners should be a list of CheckpointSaverListener, given: "
                    f"{listener}")
        latest = ckpt.latest_intact_checkpoint(self._model_dir)
        if latest is not None:
            state = self._state_from_checkpoint(latest)
            self._attach_trainers(state, latest.variables)
        else:
            state = self._initial_state()
            self._attach_trainers(state, None)
            if self._warm_start_settings is not None:
                self._warm_start_training_state(state)
        if max_steps is not None and state.global_step >= max_steps:
            logger.info("Skipping training since max_steps has already saved.")
            return self
        last_step = max_steps if max_steps is not None else (
            state.global_step + steps if steps is not None else None)

        # TensorFlow's _train_with_estimator_spec: a CheckpointSaverHook among the hooks
        # replaces the estimator's own, and the listeners join the first saver hook.
        config = self._config
        saver_hooks = [h for h in hooks if isinstance(h, CheckpointSaverHook)]
        own_saver = None
        if not saver_hooks and (config.save_checkpoints_secs or config.save_checkpoints_steps):
            own_saver = CheckpointSaverHook(
                self._model_dir, save_secs=config.save_checkpoints_secs,
                save_steps=config.save_checkpoints_steps,
                save_graph_def=config.checkpoint_save_graph_def)
            saver_hooks = [own_saver]
        if listeners:
            if not saver_hooks:
                raise ValueError(
                    "There should be a CheckpointSaverHook to use saving_listeners. Please set "
                    "one of the RunConfig.save_checkpoints_steps or "
                    "RunConfig.save_checkpoints_secs.")
            for listener in listeners:
                if listener not in saver_hooks[0]._listeners:
                    saver_hooks[0]._listeners.append(listener)
        if not saver_hooks:
            own_saver = _CheckpointSchedule(self._model_dir)
            saver_hooks = [own_saver]

        session = _Session(state, estimator=self)
        try:
            self._train_session(session, input_fn, self._all_train_hooks(own_saver, hooks),
                                saver_hooks[0], last_step)
        finally:
            session._close_writers()
        return self

    def _all_train_hooks(self, own_saver, hooks) -> list:
        """TensorFlow's hook order: the estimator's saver (a chief hook), the
        MonitoredTrainingSession's StepCounterHook and SummarySaverHook, the user's hooks,
        then the loss LoggingTensorHook (``loss`` and the step read with it)."""
        config = self._config
        all_hooks = [own_saver] if own_saver is not None else []
        if config.log_step_count_steps and config.log_step_count_steps > 0:
            all_hooks.append(StepCounterHook(every_n_steps=config.log_step_count_steps,
                                             output_dir=self._model_dir))
        if config.save_summary_steps and config.save_summary_steps > 0:
            all_hooks.append(SummarySaverHook(save_steps=config.save_summary_steps,
                                              output_dir=self._model_dir, summary_op="loss"))
        all_hooks.extend(hooks)
        if config.log_step_count_steps is not None:
            all_hooks.append(LoggingTensorHook({"loss": "loss", "step": "global_step"},
                                               every_n_iter=config.log_step_count_steps))
        return all_hooks

    def _train_session(self, session, input_fn, hooks, saver_hook, last_step):
        """The MonitoredTrainingSession loop: hooks around every step until the input
        ends, ``last_step`` is reached or a hook requests a stop."""
        state = session._state
        # The estimator's summaries (loss, global_step/sec) and the hooks' share one writer.
        session.summary_writer(self._model_dir)
        for hook in hooks:
            hook.begin()
        for hook in hooks:
            create = getattr(hook, "create_variables", None)
            if create is not None:
                create(session)
        for hook in hooks:  # the saver hook, first, saves the starting state
            hook.after_create_session(session, None)
        self._predict_cache = None

        steps_run = 0
        loss = None
        stop = False
        for trainer in state.trainers or ():  # only an optimizer with end_of_input needs them
            trainer.sparse_names = set() if hasattr(trainer.optimizer, "end_of_input") else None
        batches = _input_batches(input_fn, ModeKeys.TRAIN, self._config, self._params, None,
                                 prepare=self._prepare_fn(training=True))
        try:
            waited_from = time.perf_counter()
            for features, labels in batches:
                got_batch = time.perf_counter()
                if stop or (last_step is not None and state.global_step >= last_step):
                    break
                context = SessionRunContext(None, session)
                requests = [hook.before_run(context) for hook in hooks]
                step_before = state.global_step
                started = time.perf_counter()
                loss = self._train_step(state, features, labels)
                session._record_step(loss, {"input": (waited_from, got_batch),
                                            "before_run": (got_batch, started),
                                            "train_step": (started, time.perf_counter())})
                steps_run += 1
                values = StepValues(loss, step_before, state.variables)
                _after_run(hooks, requests, context, values)
                stop = context.stop_requested
                waited_from = time.perf_counter()
            else:
                if not stop and (last_step is None or state.global_step < last_step):
                    _end_of_input_step(state)
        except KeyboardInterrupt:
            logger.warning("Interrupted at step %d; writing a checkpoint.", state.global_step)
            saver_hook._save(session, state.global_step)
            raise
        finally:
            _close(batches)
        if steps_run == 0:
            logger.warning("Training with estimator made no steps. Perhaps input is empty or "
                           "misspecified.")
        for hook in hooks:  # the saver hook, first, saves the last step and ends listeners
            hook.end(session)
        # The float32 value, printed as TensorFlow prints the fetched numpy scalar.
        logger.info("Loss for final step: %s.", None if loss is None else np.float32(loss))

    # -- evaluate ----------------------------------------------------------------------
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Evaluate on the batches ``input_fn`` yields.

        Returns:
            TensorFlow's dict: the head's metrics (float32), ``loss`` (the mean of the
            per-batch training losses) and ``global_step`` (int64).
        """
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name and not isinstance(name, str):
            # TensorFlow's eval_dir computes 'eval_' + name: a TypeError (a false name
            # such as 0 or '' means the default 'eval' directory there, too)
            raise TypeError(f"evaluate: `name` must be a string, given {name!r} "
                            f"({type(name).__name__})")
        hooks = _check_hooks(hooks)
        return self._evaluate_state(self._restore(checkpoint_path), input_fn, steps, hooks,
                                    self.eval_dir(name))

    def _evaluate_state(self, state: ModelState, input_fn, steps, hooks, eval_dir):
        """``evaluate`` on ``state`` (TF's ``_evaluate_run``): reads its variables only and
        appends the results to ``eval_dir``, with ``state.source`` as the checkpoint path.
        InMemoryEvaluatorHook passes a view of the live training state here."""
        head = self.head
        metrics = head.create_metrics()
        # Extension point of tf.estimator.add_metrics (cannery/core/extenders.py): each
        # factory makes an accumulator that sees every batch's raw features and labels
        # and the head's predictions, and whose results override the head's metrics.
        extensions = [make(self) for make in getattr(self, "_eval_metric_extensions", ())]
        loss_total, loss_count = np.float32(0.0), np.float32(0.0)
        session = _Session(state)
        for hook in hooks:
            hook.begin()
        for hook in hooks:
            hook.after_create_session(session, None)
        batches = _input_batches(input_fn, ModeKeys.EVAL, self._config, self._params,
                                 steps or 1, prepare=self._prepare_fn())
        done = 0
        try:
            for features, labels in batches:
                if steps is not None and done >= steps:
                    break
                context = SessionRunContext(None, session)
                requests = [hook.before_run(context) for hook in hooks]
                cache, logits, _ = self._forward(state, features, training=False)
                raw_labels = labels
                labels, weights, loss = self._loss(cache, logits, labels, ModeKeys.EVAL)
                metrics.update(logits, labels, weights, loss.unweighted)
                if extensions:
                    predictions = head.predictions(logits)
                    for extension in extensions:
                        extension.update(cache.features, raw_labels, predictions)
                loss_total += np.float32(loss.training_loss)
                loss_count += np.float32(1.0)
                done += 1
                values = StepValues(loss.training_loss, state.global_step, state.variables)
                _after_run(hooks, requests, context, values)
                if context.stop_requested:
                    break
        finally:
            _close(batches)
        for hook in hooks:
            hook.end(session)
        result = dict(metrics.result())
        for extension in extensions:
            result.update(extension.result())
        result["loss"] = np.float32(loss_total / loss_count) if loss_count else np.float32(0)
        # TF's dict: the metrics and loss in sorted key order, then global_step.
        result = {key: result[key] for key in sorted(result, key=str)}
        result["global_step"] = np.int64(state.global_step)
        # Scalars only are written (TF skips non-scalar metrics in its summaries too).
        _write_eval_results(eval_dir,
                            {k: v for k, v in result.items() if np.ndim(v) == 0}, state.source)
        logger.info("Saving dict for global step %d: %s", state.global_step,
                    ", ".join(f"{k} = {v}" for k, v in sorted(result.items())))
        return result

    # -- predict -------------------------------------------------------------------------
    def _predict_state(self, checkpoint_path):
        from cannery.core import checkpoint as ckpt

        path = checkpoint_path or ckpt.latest_checkpoint(self._model_dir)
        key = None
        if path is not None and os.path.exists(path):
            stat = os.stat(path)
            key = (path, stat.st_mtime_ns, stat.st_size)
            if self._predict_cache is not None and self._predict_cache[0] == key:
                return self._predict_cache[1]
        state = self._restore(checkpoint_path, for_training=None)
        if key is not None:
            self._predict_cache = (key, state)
        return state

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True):
        """Yield predictions for the features ``input_fn`` yields (labels are ignored).

        The restored checkpoint is kept in memory between calls (until a newer one
        appears), so repeated single-example calls do not reload it.

        Yields:
            One dict per example, or one dict of batch arrays per batch when
            ``yield_single_examples`` is false.
        """
        hooks = _check_hooks(hooks)
        state = self._predict_state(checkpoint_path)
        head = self.head
        session = _Session(state)
        for hook in hooks:
            hook.begin()
        for hook in hooks:
            hook.after_create_session(session, None)
        # The first batch is made inline: a one-row predict() then starts no thread.
        batches = _input_batches(input_fn, ModeKeys.PREDICT, self._config, self._params, 1,
                                 first_batch_inline=True, prepare=self._prepare_fn())
        try:
            for batch in batches:
                features = batch[0] if isinstance(batch, tuple) else batch
                context = SessionRunContext(None, session)
                for hook in hooks:
                    hook.before_run(context)
                _, logits, _ = self._forward(state, features, training=False)
                predictions = _select_keys(head.predictions(logits), predict_keys)
                for hook in hooks:
                    hook.after_run(context, SessionRunValues(results=None))
                if yield_single_examples:
                    for i in range(len(logits)):
                        yield {key: value[i] for key, value in predictions.items()}
                else:
                    yield predictions
                if context.stop_requested:
                    break
        finally:
            _close(batches)
        for hook in hooks:
            hook.end(session)

    # -- export --------------------------------------------------------------------------
    def _feature_columns_used(self) -> list:
        columns = []
        for part in self._get_definition().parts:
            columns.extend(getattr(part.network, "columns", ()))
        return columns

    def export_saved_model(self, export_dir_base, serving_input_receiver_fn=None,
                           assets_extra=None, as_text=False, checkpoint_path=None,
                           experimental_mode=ModeKeys.PREDICT):
        """Export the model for serving to ``export_dir_base/<timestamp>/``.

        Args:
            export_dir_base: parent directory of the export.
            serving_input_receiver_fn: optional; defines the input signature (see
                :mod:`cannery.estimator.export`). Without it, the signature comes from
                the feature columns.
            assets_extra: ``{relative destination: source file}`` copied to ``assets.extra/``.
            as_text: also write the manifest as JSON.
            checkpoint_path: the checkpoint to export (default: the latest).
            experimental_mode: ``ModeKeys.PREDICT`` (default), ``EVAL`` or ``TRAIN``.

        Returns:
            The export directory as bytes, like TensorFlow.
        """
        return self._exporter().export(
            self, export_dir_base, serving_input_receiver_fn, assets_extra, as_text,
            checkpoint_path, modes=(experimental_mode,))

    export_savedmodel = export_saved_model

    def experimental_export_all_saved_models(self, export_dir_base, input_receiver_fn_map,
                                             assets_extra=None, as_text=False,
                                             checkpoint_path=None):
        """One export serving every mode named in ``input_receiver_fn_map``.

        A TRAIN export holds the optimizer state, so ``warm_start_from=<export dir>``
        continues from it; an EVAL export can evaluate labelled data.
        """
        modes = tuple(m for m in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)
                      if m in input_receiver_fn_map)
        if not modes:
            # TensorFlow's message (the valid modes are 'train', 'eval', 'infer'); a mode
            # mapped to None is exported with the signature of the feature columns
            raise ValueError(f"No valid modes for exporting found. Got "
                             f"{input_receiver_fn_map.keys()}.")
        receiver = input_receiver_fn_map.get(ModeKeys.PREDICT)
        return self._exporter().export(self, export_dir_base, receiver, assets_extra, as_text,
                                       checkpoint_path, modes=modes)

    def _exporter(self):
        from cannery import registry

        return registry.get("exporter", "saved_model")

    # -- variables -----------------------------------------------------------------------
    def latest_checkpoint(self):
        from cannery.core import checkpoint as ckpt

        return ckpt.latest_checkpoint(self._model_dir)

    def _require_checkpoint(self):
        path = self.latest_checkpoint()
        if path is None:
            raise ValueError(f"Could not find trained model in model_dir: {self._model_dir}.")
        return path

    def get_variable_names(self):
        """Every variable of the latest checkpoint, sorted (optimizer state included)."""
        from cannery.core import checkpoint as ckpt

        return [name for name, _ in ckpt.list_variables(self._require_checkpoint())]

    def get_variable_value(self, name):
        from cannery.core import checkpoint as ckpt

        return ckpt.load_variable(self._require_checkpoint(), name)

    def _checkpoint_plugins(self) -> list[dict]:
        from cannery import registry

        used = {}
        for kind, component in self._components():
            try:
                entry = registry.get_entry(kind, getattr(component, "registered_name", ""))
            except (ValueError, TypeError):
                continue
            used[(kind, entry.name)] = {"kind": kind, "name": entry.name,
                                        "package": entry.package, "version": entry.version}
        return list(used.values())

    def _components(self):
        definition = self._get_definition()
        yield "head", type(definition.head)
        yield "estimator", type(self)


def _record_sparse(names: set, grads: dict) -> None:
    """Add the variables ``grads`` updates row-sparse to ``names``."""
    from cannery.core.optimizer import PackedRowSparse
    from cannery.core.tensors import RowSparse

    for name, g in grads.items():
        if isinstance(g, RowSparse):
            names.add(name)
        elif isinstance(g, PackedRowSparse):
            names.update(g.pack.names)


def _end_of_input_step(state: ModelState) -> None:
    """What TensorFlow's last ``session.run(train_op)`` does when the input has ended.

    That run fails with OutOfRangeError at IteratorGetNext, but the parts of the train op
    that do not wait for the input run before it fails: an optimizer whose row-sparse
    update starts with input-free ops (Keras' and TF v1's Adam decay the moments,
    ``m.assign(m * beta_1)``, before adding the gradient) applies them once more. Each
    optimizer says what that is through ``end_of_input(slots, names)``.
    """
    for trainer in state.trainers or ():
        hook = getattr(trainer.optimizer, "end_of_input", None)
        if hook is not None and trainer.sparse_names:
            hook(trainer.state.slots, sorted(trainer.sparse_names))


@functools.lru_cache(maxsize=None)
def _prepare_takes_training(network_class) -> bool:
    """Whether ``network_class.prepare`` takes ``training`` (read once per class: a
    signature costs more than a one-row predict's kernels)."""
    import inspect

    return "training" in inspect.signature(network_class.prepare).parameters


def _backward(network, context, d_logits, variables, trainer) -> dict:
    """The network's gradients of the trainer's variables, packed where both sides can.

    A network whose ``backward`` takes ``packed=True`` may return one packed gradient
    for many variables (see :mod:`cannery.core.optimizer`); it is kept when the
    optimizer applies packed gradients and every variable in it is trained.
    """
    from cannery.core.optimizer import (
        PackedDense,
        PackedRowSparse,
        supports_packed_gradients,
        unpack_gradients,
    )

    trained = trainer.variable_names
    if getattr(network, "backward_packs", False) and \
            supports_packed_gradients(trainer.optimizer):
        grads = network.backward(context, d_logits, variables, packed=True,
                                 dedup=trainer.optimizer.dedup_sparse)
        names = trainer.trained_set
        if names is None:
            names = trainer.trained_set = frozenset(trained)
        out = {}
        for name, g in grads.items():
            if isinstance(g, (PackedRowSparse, PackedDense)):
                if names.issuperset(g.pack.names):
                    out[name] = g
                else:
                    out.update((n, v) for n, v in g.unpack().items() if n in names)
            elif name in names:
                out[name] = g
        return out
    grads = unpack_gradients(network.backward(context, d_logits, variables))
    return {n: g for n, g in grads.items() if n in trained}


def _close(batches) -> None:
    """Stop an input pipeline early (joins its prefetch thread)."""
    close = getattr(batches, "close", None)
    if close is not None:
        close()


def _after_run(hooks, requests, context, values) -> None:
    """Hand each hook the values its ``before_run`` asked for."""
    for hook, request in zip(hooks, requests):
        results = resolve_fetches(request.fetches, values) if request else None
        hook.after_run(context, SessionRunValues(results=results))


def _input_batches(input_fn, mode, config, params, repeat_single: int | None,
                   first_batch_inline: bool = False, prepare=None):
    """The batches of ``input_fn``; a single returned batch is repeated like TF's tensors.

    In TensorFlow an input_fn that returns tensors (not a Dataset) yields the same batch
    at every step, so ``train(lambda: (features, labels), steps=20)`` takes 20 steps on
    it. ``repeat_single`` is how many times to repeat such a batch (None: forever).
    """
    import itertools

    from cannery.core import inputs

    if not callable(input_fn):
        raise TypeError(f"input_fn must be callable; received {type(input_fn).__name__}")
    names = inputs._fn_args(input_fn)
    available = {"mode": mode, "params": params, "config": config}
    from cannery.random import graph_seed

    # TF calls input_fn in the estimator's fresh graph, seeded with tf_random_seed; a
    # Dataset.shuffle there takes its seeds from it.
    with graph_seed(getattr(config, "tf_random_seed", None)):
        result = input_fn(**{k: v for k, v in available.items() if k in names})
    if inputs._is_single_batch(result):
        (batch,) = list(inputs.iterate_batches(result, prefetch=False))
        if repeat_single is None:
            return itertools.repeat(batch)
        return itertools.repeat(batch, repeat_single)
    return inputs.iterate_batches(result, first_batch_inline=first_batch_inline,
                                  prepare=prepare)


def _select_keys(predictions: dict, predict_keys):
    """TF's ``_extract_keys``: no (or empty) keys means all; ``k in predict_keys`` as given,
    so a plain string selects the keys it contains."""
    if not predict_keys:
        return predictions
    selected = {k: v for k, v in predictions.items() if k in predict_keys}
    if not selected:
        raise ValueError(f"Expected to run at least one output from {predictions.keys()}, "
                         f"provided {predict_keys}.")
    return selected


def _check_hooks(hooks):
    hooks = list(hooks or ())
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"Hooks must be a SessionRunHook, given: {hook}")
    return hooks


def _restored_hyper_parameters(optimizer, checkpoint_variables, scope):
    """The optimizer with the hyper-parameter values the checkpoint holds.

    TensorFlow saves hyper-parameters (``training/Adagrad/learning_rate``, ``decay``,
    ``beta_1`` ...) as variables and restores them with the rest, so a model resumed
    with another learning rate keeps training with the stored one. A schedule has no
    stored value to restore (TensorFlow saves no variable for it).
    """
    fields = {field.name for field in attrs.fields(type(optimizer))}
    current = {"learning_rate": optimizer.learning_rate, "decay": optimizer.decay,
               **optimizer.hyper_values()}
    changes = {}
    for name, value in current.items():
        key = f"{scope}/{name}"
        if key not in checkpoint_variables or name not in fields or callable(value):
            continue
        stored = float(np.asarray(checkpoint_variables[key]))
        if np.float32(stored) != np.float32(value):
            changes[name] = stored
    if not changes:
        return optimizer
    logger.warning(
        "Restoring %s's hyper-parameters from the checkpoint, as TensorFlow does: %s "
        "(the values passed to the optimizer were %s).", optimizer.tf_name,
        ", ".join(f"{k}={v:g}" for k, v in changes.items()),
        ", ".join(f"{k}={current[k]:g}" for k in changes))
    return attrs.evolve(optimizer, **changes)


def _refuse_other_optimizers_slots(checkpoint_variables, scope, optimizer, names,
                                   model_scopes=()):
    """A checkpoint with no optimizer state resumes fresh; another optimizer's state is an
    error (TensorFlow's NotFoundError for the missing key).

    ``model_scopes`` are every optimizer scope of this model: the other part of a wide &
    deep model keeps its state beside this one's, which is not a foreign optimizer's.
    """
    from cannery.core.checkpoint import OPTIMIZER_SCOPE, VariableNotFoundError

    # The optimizer's own hyper-parameter scalars (an SGD without momentum has nothing
    # else) are not another optimizer's state.
    own = {scope, *model_scopes}
    others = sorted({n.split("/")[1] for n in checkpoint_variables
                     if OPTIMIZER_SCOPE.match(n) and n.count("/") >= 2
                     and "/".join(n.split("/")[:2]) not in own})
    if not others:
        return
    slots = list(optimizer.slot_names())
    missing = f"{scope}/{names[0]}/{slots[0]}" if names and slots else f"{scope}/learning_rate"
    raise VariableNotFoundError(
        f"Key {missing} not found in checkpoint: the checkpoint holds the state of optimizer "
        f"{', '.join(others)}, but this model trains with {optimizer.tf_name}. Train in a new "
        "model_dir, or warm-start from this one (warm_start_from=...).")


def _warm_start_settings(warm_start_from):
    if warm_start_from is None:
        return None
    from cannery.core.warm_start import WarmStartSettings, as_warm_start_settings

    if not isinstance(warm_start_from, (str, bytes, os.PathLike, WarmStartSettings)):
        raise ValueError("warm_start_from must be a string or a WarmStartSettings, instead got "
                         f"{type(warm_start_from)}")
    return as_warm_start_settings(warm_start_from)


class _CheckpointSchedule(CheckpointSaverHook):
    """The estimator's saver when RunConfig sets no checkpoint schedule (both None or 0).

    TensorFlow adds no CheckpointSaverHook then and writes no checkpoint; cannery still
    saves when the session is created and at the end (if the step moved), so that
    evaluate, predict and export work after such a ``train``. ``train`` refuses
    ``saving_listeners`` in that case, as TensorFlow does.
    """

    def __init__(self, model_dir):
        super().__init__(model_dir, save_steps=1)
        self._timer = _NeverTriggerTimer()
        self._saved_step = None

    def after_create_session(self, session, coord):
        self._saved_step = int(session.run("global_step"))
        self._save(session, self._saved_step)

    def end(self, session):
        step = int(session.run("global_step"))
        if step != self._saved_step:
            self._save(session, step)


def _summary_writer(logdir):
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        if not getattr(_summary_writer, "noted", False):
            logger.info("tensorboardX is not installed: no TensorBoard summaries "
                        "(pip install 'cannery[tensorboard]').")
            _summary_writer.noted = True
        return None
    del SummaryWriter  # only its protos are used: see _EventFile
    # One event file per directory and process, as TensorFlow's FileWriterCache keeps:
    # a second train() or evaluate() appends to it. A file deleted since is replaced,
    # as TensorFlow's EventsWriter re-creates its file.
    key = os.path.realpath(os.fspath(logdir))
    with _EVENT_FILES_LOCK:
        writer = _EVENT_FILES.get(key)
        if writer is None or not os.path.exists(writer.path):
            if writer is not None:
                writer.close()
            writer = _EVENT_FILES[key] = _EventFile(key)
        return writer


class _EventFile:
    """A TensorBoard event file (a TFRecord file of ``Event`` protos) written as the
    calls come: unlike tensorboardX's writer, whose ``flush()`` leaves queued events
    unwritten, everything is on disk after :meth:`flush`."""

    def __init__(self, logdir: str):
        import socket

        from tensorboardX.proto import event_pb2

        os.makedirs(logdir, exist_ok=True)
        # TensorFlow's name: events.out.tfevents.<seconds>.<host>; the pid keeps two
        # processes writing one directory in the same second apart
        self.path = os.path.join(logdir, f"events.out.tfevents.{int(time.time()):010d}."
                                         f"{socket.gethostname()}.{os.getpid()}")
        self._lock = threading.Lock()
        self._file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self._write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self._file.flush()

    def _write(self, event) -> None:
        from cannery.data._tfrecord import masked_crc32c

        data = event.SerializeToString()
        header = struct.pack("<Q", len(data))
        with self._lock:
            self._file.write(header + struct.pack("<I", masked_crc32c(header)) + data
                             + struct.pack("<I", masked_crc32c(data)))

    def add_summary(self, summary, global_step) -> None:
        from tensorboardX.proto import event_pb2

        self._write(event_pb2.Event(wall_time=time.time(), step=int(global_step),
                                    summary=summary))

    def add_scalar(self, tag, value, global_step) -> None:
        from tensorboardX.proto import summary_pb2

        self.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(
            tag=tag, simple_value=float(value))]), global_step)

    def flush(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


_EVENT_FILES: dict = {}
_EVENT_FILES_LOCK = threading.Lock()


@atexit.register
def _close_event_files() -> None:
    with _EVENT_FILES_LOCK:
        for writer in _EVENT_FILES.values():
            writer.close()
        _EVENT_FILES.clear()


def _write_eval_results(eval_dir, result, checkpoint_path):
    """Append the metrics to ``eval_dir/results.jsonl`` (and TensorBoard when available)."""
    import json

    os.makedirs(eval_dir, exist_ok=True)
    record = {k: (v.item() if hasattr(v, "item") else v) for k, v in result.items()}
    record["checkpoint_path"] = checkpoint_path
    with open(os.path.join(eval_dir, "results.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    writer = _summary_writer(eval_dir)
    if writer is not None:
        step = int(result["global_step"])
        for key, value in result.items():
            if key != "global_step":
                writer.add_scalar(key, float(value), step)
        if checkpoint_path:  # TensorFlow records which checkpoint was evaluated
            _add_string_summary(writer, "checkpoint_path", str(checkpoint_path), step)
        writer.flush()


def _add_string_summary(writer, tag, text, step):
    """A string tensor summary tagged exactly ``tag``, as TensorFlow's evaluation writes."""
    from tensorboardX.proto import summary_pb2, tensor_pb2, types_pb2

    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING,
                                    string_val=[text.encode("utf-8")])
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, tensor=tensor)])
    writer.add_summary(summary, step)
