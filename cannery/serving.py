"""Serve an export without the training code: ``cannery.serving.load(export_dir).predict(...)``.

A :class:`Predictor` rebuilds the network and head from the export's spec, loads the
variables once, and predicts from raw feature dicts, pandas DataFrames or lists of
per-example dicts (JSON rows). It never builds an optimizer or touches a model_dir.
"""

from __future__ import annotations

import operator
import os

import numpy as np

from cannery.core.estimator import _select_keys
from cannery.core.export import (ExportError, read_manifest, resolve_assets, revive,
                                 variables_path)
from cannery.core.features import FeatureCache
from cannery.core.model import FrozenVariables

__all__ = ["ExportError", "Predictor", "load"]

_DROP_AT_SERVING = ("optimizer", "linear_optimizer", "dnn_optimizer")


def load(export_dir) -> "Predictor":
    """Load an export written by ``export_saved_model``.

    Raises:
        ExportError: not an export, a newer format, or a component whose plugin is not
            installed (naming the plugin).
    """
    return Predictor(export_dir)


class Predictor:
    """Predictions from an export; ``predict(features)`` returns a dict of batch arrays."""

    def __init__(self, export_dir):
        from cannery import registry
        from cannery.core import checkpoint as ckpt

        self.export_dir = os.fsdecode(export_dir)
        manifest = read_manifest(self.export_dir)
        self.manifest = manifest
        plugins = manifest.get("plugins") or []
        spec = resolve_assets(manifest["spec"], self.export_dir, manifest.get("assets"))
        try:
            estimator_class = registry.get("estimator", spec["estimator"])
        except registry.UnknownComponentError:
            raise ExportError(revive({"type": spec["estimator"]}, plugins)) from None
        args = {k: revive(v, plugins) for k, v in spec.get("args", {}).items()
                if k not in _DROP_AT_SERVING}
        self._estimator = estimator_class(**args, model_dir=self.export_dir)
        checkpoint = ckpt.read(variables_path(self.export_dir))
        self._state = self._estimator._state_from_checkpoint(checkpoint)
        self._state.variables = FrozenVariables(self._state.variables)
        self.signature = manifest["signature"]
        self._inputs = self.signature["inputs"]
        # Per-call checks reduced to set and dict look-ups (single-example latency).
        self._input_keys = frozenset(self._inputs)
        self._expected = {key: (spec or {}).get("dtype") for key, spec in self._inputs.items()}
        self._weight_keys = _weight_keys(self._estimator)
        # The common call (exactly the signature's keys, plain numpy arrays) is checked
        # with C-level map/set operations over these key lists.
        self._text_keys = tuple(k for k, e in self._expected.items() if e == "string")
        self._number_keys = tuple(k for k, e in self._expected.items()
                                  if e is not None and e != "string")
        self._one_row_program = _UNBUILT

    @property
    def modes(self) -> list[str]:
        return list(self.manifest.get("modes", ["infer"]))

    @property
    def global_step(self) -> int:
        return int(self.manifest.get("global_step", 0))

    def predict(self, features, predict_keys=None) -> dict:
        """Predict for one batch.

        Args:
            features: ``{key: array}``, a pandas DataFrame, or a list of per-example
                dicts.
            predict_keys: optional subset of the output keys.

        Returns:
            The same keys, values and dtypes as
            ``estimator.predict(..., yield_single_examples=False)`` for that batch.

        Raises:
            ValueError: a missing or unknown input key, or a value of the wrong dtype,
                naming the key.
        """
        features = _as_feature_dict(features)
        checked = self._validate(features)
        if type(checked) is FeatureCache and checked.batch_size == 1:
            logits = self._one_row_logits(features)
            if logits is not None:
                return _select_keys(self._estimator.head.predictions(logits), predict_keys)
        _, logits, _ = self._estimator._forward(self._state, checked, training=False)
        return _select_keys(self._estimator.head.predictions(logits), predict_keys)

    def _one_row_logits(self, features):
        """The logits of one plain example through the networks' one-row programs, or
        None (no program, or an input one of them declines)."""
        program = self._one_row_program
        if program is _UNBUILT:
            program = self._one_row_program = self._build_one_row_program()
        return None if program is None else program(features)

    def _build_one_row_program(self):
        programs = []
        for part in self._estimator._get_definition().parts:
            make = getattr(part.network, "one_row_program", None)
            program = make(self._state.variables) if make is not None else None
            if program is None:
                return None
            programs.append(program)
        if len(programs) == 1:
            return programs[0]

        def summed(features):  # the parts' logits added in order, as Estimator._forward
            logits = None
            for program in programs:
                part = program(features)
                if part is None:
                    return None
                logits = part if logits is None else logits + part
            return logits

        return summed

    @property
    def signature_defs(self) -> dict:
        """TensorFlow's signatures of this export: ``{name: {output key: prediction key}}``.

        A parsing receiver (or none) gives a classifier ``serving_default``,
        ``classification``, ``predict`` (and ``regression`` when binary), a regressor
        ``serving_default``, ``regression``, ``predict``; any other receiver only
        ``predict``, as TensorFlow's export.
        """
        defs = self.signature.get("signature_defs")
        if defs is None:  # written before signatures were recorded
            from cannery.plugins.exporters.builtin import signature_defs

            defs = signature_defs(self.signature.get("outputs") or [], True)
        return defs

    def serve(self, features, signature_name: str = "serving_default") -> dict:
        """The outputs of one of TensorFlow's signatures, e.g. ``serving_default`` of a
        classifier: ``{"classes": all_classes, "scores": probabilities}`` ([batch, n]).

        Args:
            features: as :meth:`predict`: parsed features. To call a signature with
                serialized ``tf.train.Example`` strings, as TensorFlow's, load the export
                with ``cannery.saved_model.load`` (``tf.saved_model.load``).
            signature_name: a key of :attr:`signature_defs`.

        Raises:
            ValueError: an unknown ``signature_name``, naming the export's signatures.
        """
        defs = self.signature_defs
        if signature_name not in defs:
            raise ValueError(
                f"signature_name {signature_name!r} is not in this export; its signatures: "
                f"{sorted(defs)}")
        outputs = defs[signature_name]
        if outputs is None:  # every prediction (keys that are not strings)
            return self.predict(features)
        predictions = self.predict(features, predict_keys=sorted(set(outputs.values())))
        return {key: predictions[source] for key, source in outputs.items()}

    def evaluate(self, features, labels) -> dict:
        """TensorFlow's metrics dict for labelled data (exports that include the EVAL mode).

        Raises:
            ValueError: the export was not written with the EVAL mode.
        """
        if "eval" not in self.modes:
            raise ValueError(f"{self.export_dir} was exported without the EVAL mode; export "
                             "with experimental_export_all_saved_models({'eval': ...})")
        estimator = self._estimator
        features = self._validate(_as_feature_dict(features))
        cache, logits, _ = estimator._forward(self._state, features, training=False)
        labels, weights, loss = estimator._loss(cache, logits, labels, mode="eval")
        metrics = estimator.head.create_metrics()
        metrics.update(logits, labels, weights, loss.unweighted)
        result = dict(metrics.result())
        result["loss"] = np.float32(loss.training_loss)
        result["global_step"] = np.int64(self.global_step)
        return result

    def _validate(self, features: dict):
        """``features`` checked against the signature: a FeatureCache (its batch size
        known) for the common call, else the dict itself."""
        if self._input_keys == features.keys():
            get = features.__getitem__
            values = list(map(get, self._text_keys))
            text_count = len(values)
            values += map(get, self._number_keys)
            if (set(map(type, values)) <= _NDARRAY
                    and _TEXT_KINDS.issuperset(map(_KIND, values[:text_count]))
                    and _NUMBER_KINDS.issuperset(map(_KIND, values[text_count:]))):
                shapes = set(map(_SHAPE, values))
                if len(shapes) == 1:
                    (shape,) = shapes
                    if shape:
                        return FeatureCache(features, batch_size=shape[0])
                return features
        if not self._input_keys.issubset(features.keys()):
            for key in self._inputs:
                if key not in features:
                    raise ValueError(f"Feature {key} is not in features dictionary: the export's "
                                     f"signature expects {sorted(self._inputs)}")
        expected_of = self._expected
        for key, value in features.items():
            expected = expected_of.get(key, _UNKNOWN)
            if expected is _UNKNOWN:
                if key in self._weight_keys:
                    continue
                raise ValueError(f"Feature {key!r} is not in the export's signature; expected "
                                 f"keys: {sorted(self._inputs)}")
            if type(value) is np.ndarray:  # the common case, without _check_dtype's calls
                kind = value.dtype.kind
                if (kind in "US") if expected == "string" else (kind in "iufb"):
                    continue
            _check_dtype(key, value, expected)
        return features


_UNKNOWN = object()
_UNBUILT = object()


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple))


_NESTED = (list, tuple, np.ndarray)


def _flat_array(value):
    if not _is_sequence(value) or not value:
        return value
    if len(value) == 1:  # one example: no generator over the items
        return value if isinstance(value[0], _NESTED) else np.asarray(value)
    if any(isinstance(item, _NESTED) for item in value):
        return value
    return np.asarray(value)


def _plain_column(series):
    """A DataFrame column as the array the batch path's pandas conversion gives, when
    that is plain numpy (numbers of a numpy dtype, or strings without a missing one);
    else the Series itself, for that conversion (NaN strings, nullable or categorical
    columns)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        return series.to_numpy()
    # object columns, and pandas' string dtype (the default for text from pandas 3)
    if (dtype == object or type(dtype).__name__ == "StringDtype") and len(series):
        values = series.tolist()
        if all(type(value) is str for value in values):
            return np.array(values)
    return series


_NDARRAY = {np.ndarray}
_KIND = operator.attrgetter("dtype.kind")
_SHAPE = operator.attrgetter("shape")
_TEXT_KINDS = frozenset("US")
_NUMBER_KINDS = frozenset("iufb")


def _weight_keys(estimator) -> frozenset:
    """The feature keys of the head's weight columns (a MultiHead's heads each have one)."""
    keys = []

    def read(column):
        keys.append(column if isinstance(column, str) else getattr(column, "key", None))

    head = estimator.head
    if hasattr(head, "read_weights"):
        head.read_weights(read)
    else:
        column = getattr(head, "weight_column", None)
        if column is not None:
            read(column)
    return frozenset(k for k in keys if k is not None)


def _as_feature_dict(features) -> dict:
    if isinstance(features, dict):
        if any(map(_is_sequence, features.values())):
            # Flat lists become the arrays the batch path's normalize_feature makes of
            # them (np.asarray), here, so that one example given as lists takes the same
            # checks and one-row program as arrays; nested lists stay for that path.
            return {key: _flat_array(value) for key, value in features.items()}
        return features
    if hasattr(features, "columns") and hasattr(features, "to_dict"):  # DataFrame
        return {str(c): _plain_column(series) for c, series in features.items()}
    if isinstance(features, (list, tuple)) and features and isinstance(features[0], dict):
        if len(features) == 1 and not any(map(_is_sequence, features[0].values())):
            # One JSON row of scalars (single-example serving): the arrays np.asarray
            # makes of one-element lists, in one comprehension.
            return {key: np.array((value,)) for key, value in features[0].items()}
        keys = list(features[0])
        out = {}
        for key in keys:
            values = [row[key] for row in features]
            if any(isinstance(v, (list, tuple)) for v in values):
                out[key] = values  # multi-valent: a ragged list
            else:
                out[key] = np.asarray(values)
        return out
    raise ValueError("features must be a dict of arrays, a pandas DataFrame or a list of "
                     f"per-example dicts, got {type(features).__name__}")


def _check_dtype(key, value, expected):
    if expected is None:
        return
    values = getattr(value, "values", value)
    if isinstance(values, list):
        return
    array = np.asarray(values)
    if array.size == 0:
        return
    is_text = array.dtype.kind in "USO"
    if is_text and array.dtype.kind == "O":
        is_text = isinstance(array.reshape(-1)[0], (str, bytes))
    if expected == "string" and not is_text:
        raise ValueError(f"Feature {key!r}: the export expects strings, received {array.dtype}")
    if expected != "string" and is_text:
        raise ValueError(f"Feature {key!r}: the export expects {expected} values, received "
                         f"strings ({array.dtype})")
