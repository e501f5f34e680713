"""``tf.saved_model.load`` for the exports cannery writes.

Programs written for TensorFlow read an estimator's export back with
``tf.saved_model.load(path)`` and call its signatures::

    imported = tf.saved_model.load(est.export_saved_model(base, serving_input_fn))
    example = tf.train.Example()
    example.features.feature["x"].float_list.value.extend([1.5])
    out = imported.signatures["predict"](examples=tf.constant([example.SerializeToString()]))
    out["probabilities"].numpy()

:func:`load` gives the same signatures as TensorFlow for a canned head's export (names,
input names, output names, dtypes and shapes): a parsing receiver's export takes
serialized ``tf.train.Example`` strings -- ``examples`` for ``predict``, ``inputs`` for
``classification``, ``regression`` and ``serving_default`` -- and parses them with the
receiver's feature spec; a raw receiver's takes its feature tensors by their keys. The
model itself runs in :class:`cannery.serving.Predictor`. Outputs are
:class:`~cannery.core.eager_tensor.EagerTensor` arrays (``.numpy()``, ``.shape``).

cannery runs no TensorFlow graph: a SavedModel written by TensorFlow cannot be loaded,
and only the serving graph (tag ``serve``) of an export is served.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping

import numpy as np

from cannery.core.eager_tensor import TensorSpec, as_eager, dtype_name

__all__ = [
    "ASSETS_DIRECTORY", "ASSETS_KEY", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
    "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "DEBUG_DIRECTORY",
    "DEBUG_INFO_FILENAME_PB", "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "GPU", "LoadOptions",
    "PREDICT_INPUTS", "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS",
    "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS", "SAVED_MODEL_FILENAME_PB",
    "SAVED_MODEL_FILENAME_PBTXT", "SAVED_MODEL_SCHEMA_VERSION", "SERVING", "TPU", "TRAINING",
    "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "contains_saved_model", "load",
    "signature_constants", "tag_constants",
]

# TensorFlow's tf.saved_model constants.
ASSETS_DIRECTORY = "assets"
ASSETS_KEY = "saved_model_assets"
DEBUG_DIRECTORY = "debug"
DEBUG_INFO_FILENAME_PB = "saved_model_debug_info.pb"
SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
SAVED_MODEL_SCHEMA_VERSION = 1
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
SERVING = "serve"
TRAINING = "train"
EVAL = "eval"
GPU = "gpu"
TPU = "tpu"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
CLASSIFY_INPUTS = "inputs"
CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
CLASSIFY_OUTPUT_CLASSES = "classes"
CLASSIFY_OUTPUT_SCORES = "scores"
PREDICT_INPUTS = "inputs"
PREDICT_METHOD_NAME = "tensorflow/serving/predict"
PREDICT_OUTPUTS = "outputs"
REGRESS_INPUTS = "inputs"
REGRESS_METHOD_NAME = "tensorflow/serving/regress"
REGRESS_OUTPUTS = "outputs"


class tag_constants:  # noqa: N801 - TensorFlow's module name (tf.compat.v1.saved_model)
    """``tf.compat.v1.saved_model.tag_constants``."""

    SERVING = SERVING
    TRAINING = TRAINING
    EVAL = EVAL
    GPU = GPU
    TPU = TPU


class signature_constants:  # noqa: N801 - TensorFlow's module name
    """``tf.compat.v1.saved_model.signature_constants``."""

    DEFAULT_SERVING_SIGNATURE_DEF_KEY = DEFAULT_SERVING_SIGNATURE_DEF_KEY
    CLASSIFY_INPUTS = CLASSIFY_INPUTS
    CLASSIFY_METHOD_NAME = CLASSIFY_METHOD_NAME
    CLASSIFY_OUTPUT_CLASSES = CLASSIFY_OUTPUT_CLASSES
    CLASSIFY_OUTPUT_SCORES = CLASSIFY_OUTPUT_SCORES
    PREDICT_INPUTS = PREDICT_INPUTS
    PREDICT_METHOD_NAME = PREDICT_METHOD_NAME
    PREDICT_OUTPUTS = PREDICT_OUTPUTS
    REGRESS_INPUTS = REGRESS_INPUTS
    REGRESS_METHOD_NAME = REGRESS_METHOD_NAME
    REGRESS_OUTPUTS = REGRESS_OUTPUTS


class LoadOptions:
    """``tf.saved_model.LoadOptions``: accepted for TensorFlow's signature; nothing in it
    changes how cannery loads an export."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_io_device = experimental_io_device
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_load_function_aliases = experimental_load_function_aliases


# An export's modes as TensorFlow's MetaGraph tag sets, in the order TF writes them.
_MODE_TAGS = (("train", TRAINING), ("eval", EVAL), ("infer", SERVING))


def contains_saved_model(export_dir) -> bool:
    """Whether ``export_dir`` (a str path; bytes raise TypeError, as in TensorFlow)
    holds an export cannery can load."""
    from cannery.core.export import MANIFEST

    return os.path.isfile(os.path.join(export_dir, MANIFEST))


def load(export_dir, tags=None, options=None) -> "LoadedSavedModel":
    """Load an export written by ``export_saved_model`` (or
    ``experimental_export_all_saved_models``) for serving, as ``tf.saved_model.load``.

    Args:
        export_dir: the export's directory (str or bytes, as ``export_saved_model``
            returns it).
        tags: the MetaGraph to load: ``"serve"`` (or ``["serve"]``); None when the
            export has only that one.
        options: a :class:`LoadOptions`, ignored.

    Returns:
        An object whose ``signatures`` maps TensorFlow's signature names to callables.

    Raises:
        OSError: no export in ``export_dir`` (TensorFlow's message).
        ValueError: ``tags`` is None and the export has several modes, or the
            directory holds a TensorFlow SavedModel (which cannery cannot run).
        RuntimeError: no MetaGraph with these tags (TensorFlow's message).
        NotImplementedError: the ``train`` or ``eval`` MetaGraph (cannery serves the
            ``serve`` one; ``cannery.serving.load(path).evaluate`` evaluates).
    """
    from cannery.core.export import MANIFEST
    from cannery.serving import Predictor

    export_dir = os.fsdecode(export_dir)
    if not os.path.isfile(os.path.join(export_dir, MANIFEST)):
        if os.path.isfile(os.path.join(export_dir, SAVED_MODEL_FILENAME_PB)) or \
                os.path.isfile(os.path.join(export_dir, SAVED_MODEL_FILENAME_PBTXT)):
            raise ValueError(f"{export_dir} is a SavedModel written by TensorFlow; cannery "
                             f"loads the exports cannery writes ({MANIFEST}) and cannot run "
                             "TensorFlow graphs")
        raise OSError(f"SavedModel file does not exist at: {export_dir}/"
                      f"{{{SAVED_MODEL_FILENAME_PBTXT}|{SAVED_MODEL_FILENAME_PB}}}")
    predictor = Predictor(export_dir)
    available = [tag for mode, tag in _MODE_TAGS if mode in predictor.modes]
    if tags is None:
        if len(available) > 1:
            raise ValueError(
                "Importing a SavedModel with `tf.saved_model.load` requires a `tags=` "
                "argument if there is more than one MetaGraph. Got `tags=None`, but there "
                f"are {len(available)} MetaGraphs in the SavedModel with tag sets: "
                f"{[[tag] for tag in available]}. Pass a `tags=` argument to load this "
                "SavedModel.")
        wanted = set(available)
    else:
        given = [tags] if isinstance(tags, str) else list(tags)
        wanted = set(given)
        if len(wanted) != 1 or next(iter(wanted)) not in available:
            names = ", ".join(f"'{tag}'" for tag in given)
            sets = ", ".join(f"{{'{tag}'}}" for tag in available)
            raise RuntimeError(
                f"MetaGraphDef associated with tags {names} could not be found in "
                f"SavedModel, with available tags '[{sets}]'. To inspect available "
                "tag-sets in the SavedModel, please use the SavedModel CLI: "
                "`saved_model_cli`.")
    if wanted != {SERVING}:
        raise NotImplementedError(
            f"tf.saved_model.load(tags={sorted(wanted)}): cannery serves the '{SERVING}' "
            "MetaGraph of an export only; evaluate an EVAL export with "
            "cannery.serving.load(path).evaluate(features, labels)")
    return LoadedSavedModel(predictor)


class LoadedSavedModel:
    """What :func:`load` returns: ``signatures``, as TensorFlow's loaded object."""

    def __init__(self, predictor):
        self._predictor = predictor
        self.signatures = _SignatureMap(_signature_functions(predictor))

    def __repr__(self) -> str:
        return f"<cannery.saved_model.LoadedSavedModel {self._predictor.export_dir!r}>"


class _SignatureMap(Mapping):
    """``loaded.signatures``: signature name -> :class:`ConcreteFunction`."""

    def __init__(self, functions: dict):
        self._functions = functions

    def __getitem__(self, key):
        return self._functions[key]

    def __iter__(self):
        return iter(self._functions)

    def __len__(self):
        return len(self._functions)

    def __repr__(self) -> str:
        return f"_SignatureMap({self._functions!r})"


_names = itertools.count(1)


class ConcreteFunction:
    """One signature of a loaded export: called with its input tensors by keyword,
    returns ``{output name: EagerTensor}``.

    Attributes:
        structured_input_signature: ``((), {input name: TensorSpec})``.
        structured_outputs: ``{output name: TensorSpec}``.
    """

    def __init__(self, predictor, inputs: dict, outputs: dict, run):
        self._predictor = predictor
        self.structured_input_signature = ((), dict(sorted(inputs.items())))
        self.structured_outputs = outputs
        self._run = run
        self.name = f"__inference_pruned_{next(_names)}".encode()

    @property
    def _input_names(self) -> list[str]:
        return list(self.structured_input_signature[1])

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self._signature_text()} at 0x{id(self):X}>"

    def _signature_text(self) -> str:
        outputs = ", ".join(f"['{key}', {spec!r}]" for key, spec in
                            self.structured_outputs.items())
        return f"() -> Dict[{outputs}]"

    def __call__(self, *args, **kwargs) -> dict:
        """Run the signature.

        Raises:
            TypeError: an unknown keyword, a missing input, or positional arguments to a
                signature of several inputs (TensorFlow's "Binding inputs" message).
            ValueError: no inputs at all.
            cannery.errors.InvalidArgumentError: an input of the wrong dtype, or a
                record that does not parse (the message names the input or feature).
        """
        names = self._input_names
        if not args and not kwargs:
            raise ValueError(f"Signature specifies {len(names)} arguments, got: 0. Expected "
                             f"inputs: {names}")
        fallback = None
        if args:
            if len(names) == 1 and len(args) == 1 and not kwargs:
                kwargs, args = {names[0]: args[0]}, ()
            else:
                first = "too many positional arguments"
                takes = 1 if len(names) == 1 and not kwargs else 0
                fallback = (f"pruned({', '.join(names)}) takes {takes} positional arguments, "
                            f"got {len(args)}.")
        if fallback is None:
            missing = [name for name in names if name not in kwargs]
            unexpected = [name for name in kwargs if name not in names]
            if missing:
                fallback = (f"pruned({', '.join(names)}) missing required arguments: "
                            f"{', '.join(missing)}.")
            elif unexpected:
                fallback = (f"pruned({', '.join(names)}) got unexpected keyword arguments: "
                            f"{', '.join(unexpected)}.")
            first = f"got an unexpected keyword argument '{next(iter(kwargs), '')}'"
        if fallback is not None:
            raise TypeError(
                f"Binding inputs to tf.function failed due to `{first}`. Received args: "
                f"{args!r} and kwargs: {kwargs!r} for signature: {self._signature_text()}."
                f"\nFallback to flat signature also failed due to: {fallback}")
        values = {}
        for index, name in enumerate(names):
            values[name] = self._check_input(index, name, kwargs[name])
        return self._run(self, values)

    def _check_input(self, index, name, value):
        from cannery.errors import InvalidArgumentError

        if hasattr(value, "dense_shape"):  # a SparseTensor input of a raw receiver
            return value
        array = _as_input_array(value)
        expected = self.structured_input_signature[1][name].dtype.name
        actual = dtype_name(array) if array.dtype.kind in "OSUb" else array.dtype.name
        if actual != expected:
            raise InvalidArgumentError(
                f"cannot compute {self.name.decode()} as input #{index}(zero-based) was "
                f"expected to be a {_tf_type(expected)} tensor but is a {_tf_type(actual)} "
                f"tensor [Op:{self.name.decode()}] (input {name!r})")
        return array


def _tf_type(name: str) -> str:
    return {"float32": "float", "float64": "double", "float16": "half"}.get(name, name)


def _as_input_array(value) -> np.ndarray:
    """A signature input as an array: a list as ``tf.constant`` makes it, text as an
    object array of bytes."""
    from cannery.io import _serialized_array
    from cannery.math import to_array

    if isinstance(value, (bytes, str)) or (
            isinstance(value, (list, tuple)) and value and all(
                isinstance(v, (bytes, str, list, tuple)) for v in value)):
        try:  # text, kept whole (numpy's bytes dtype would drop trailing NUL bytes)
            return _serialized_array(value)
        except ValueError:
            pass
    array = to_array(value)
    if array.dtype.kind in "US":
        return _tf_output(array)
    return array


# -- building the signatures ----------------------------------------------------------

# TensorFlow's dtype and trailing dimension of a canned head's prediction key; the
# dimension names a head attribute (or is a number).
_PREDICTION_SPECS = {
    "logits": ("float32", "logits_dimension"),
    "logistic": ("float32", 1),
    "probabilities": ("float32", "n_classes"),
    "class_ids": ("int64", 1),
    "classes": ("string", 1),
    "all_class_ids": ("int32", "n_classes"),
    "all_classes": ("string", "n_classes"),
    "predictions": ("float32", "logits_dimension"),
}


def _output_spec(head, key, batch_size):
    dtype, dimension = _PREDICTION_SPECS.get(key, ("float32", None))
    if isinstance(dimension, str):
        dimension = getattr(head, dimension, None)
    return TensorSpec((batch_size, dimension), dtype)


def _upb_order(keys) -> list:
    """The order TensorFlow's loader lists a SignatureDef map's keys in: upb's hash-table
    order of a map filled in sorted key order. (That rule reproduces every order
    TensorFlow 2.15 shows for the canned heads' signatures and outputs, single and
    multi-head.)"""
    from cannery.core.example_proto import _UpbStrTable

    table = _UpbStrTable()
    for key in sorted(keys):
        table.insert(key.encode("utf-8"))
    return [key.decode("utf-8") for key in table]


def _receiver(predictor):
    """``("examples", parse specs)`` for an export that takes serialized tf.Examples,
    else ``("raw", None)``."""
    from cannery.io import FixedLenFeature, VarLenFeature, _parse_specs

    inputs = predictor.signature["inputs"]
    specs = list(inputs.values())
    parsing = any(s.get("receiver_tensor") == "examples" for s in specs) or (
        specs and not any("batch_size" in s for s in specs))  # derived from the columns
    if not parsing:
        return "raw", None
    features = {}
    for key, spec in inputs.items():
        if spec.get("fixed_length", True):
            features[key] = FixedLenFeature(tuple(spec.get("shape") or ()), spec["dtype"],
                                            spec.get("default_value"))
        else:
            features[key] = VarLenFeature(spec["dtype"])
    return "examples", _parse_specs(features)


_SIGNATURE_ORDER = ("serving_default", "classification", "regression", "predict")


def _export_outputs(head, defs, examples_input) -> list:
    """TensorFlow's export outputs of ``head`` that become signatures, in the order its
    head makes them: ``[(signature name, {output key: (head, prediction key)})]``.

    A MultiHead serves its first head's default, then per head ``<name>`` (its default),
    ``<name>/classification``, ``<name>/regression``, ``<name>/predict``, then
    ``predict`` with every prediction as ``<name>/<key>`` (TensorFlow's
    ``MultiHead._merge_predict_export_outputs``).
    """
    from cannery.plugins.exporters.builtin import signature_defs

    heads = getattr(head, "heads", None)
    if not heads:
        return [(name, {key: (head, source) for key, source in defs[name].items()})
                for name in _SIGNATURE_ORDER if defs.get(name) is not None]
    per_head = [(sub, signature_defs(list(sub.prediction_keys), examples_input))
                for sub in heads]
    entries = []
    first, first_defs = per_head[0]
    if "serving_default" in first_defs:
        entries.append(("serving_default", {key: ((first, first.name), source) for key, source
                                            in first_defs["serving_default"].items()}))
    for sub, sub_defs in per_head:
        for name in _SIGNATURE_ORDER:
            if name in sub_defs:
                label = sub.name if name == "serving_default" else f"{sub.name}/{name}"
                entries.append((label, {key: ((sub, sub.name), source)
                                        for key, source in sub_defs[name].items()}))
    entries.append(("predict", {f"{sub.name}/{key}": ((sub, sub.name), key)
                                for sub in heads for key in sub.prediction_keys}))
    return entries


def _signature_functions(predictor) -> dict:
    head = predictor._estimator.head
    inputs = predictor.signature["inputs"]
    batch_sizes = {s.get("batch_size") for s in inputs.values()}
    batch_size = batch_sizes.pop() if len(batch_sizes) == 1 else None
    kind, parse_specs = _receiver(predictor)
    raw_inputs = {
        key: TensorSpec((spec.get("batch_size"), *spec.get("shape", ())),
                        spec.get("dtype", "float32"), name=key)
        for key, spec in inputs.items()}
    examples_input = kind == "examples" or (
        len(raw_inputs) == 1 and next(iter(raw_inputs.values())).dtype.is_string)
    entries = dict(_export_outputs(head, predictor.signature_defs, examples_input))

    functions = {}
    for name in _upb_order(list(entries)):
        outputs = entries[name]
        output_specs = {}
        for key in _upb_order(list(outputs)):
            owner, source = outputs[key]
            owner = owner[0] if isinstance(owner, tuple) else owner
            output_specs[key] = _output_spec(owner, source, batch_size)
        if kind == "examples":
            input_name = "examples" if name.split("/")[-1] == "predict" else CLASSIFY_INPUTS
            signature_inputs = {input_name: TensorSpec((batch_size,), "string",
                                                       name=input_name)}
        elif name.split("/")[-1] == "predict":
            signature_inputs = raw_inputs
        else:  # a raw receiver of one string tensor: it is the feature itself
            (spec,) = raw_inputs.values()
            signature_inputs = {CLASSIFY_INPUTS: TensorSpec(spec.shape, spec.dtype,
                                                            name=CLASSIFY_INPUTS)}
        sources = {key: (owner[1] if isinstance(owner, tuple) else None, source)
                   for key, (owner, source) in outputs.items()}
        run = _runner(predictor, kind, parse_specs, sources, list(output_specs), inputs)
        functions[name] = ConcreteFunction(predictor, signature_inputs, output_specs, run)
    return functions


def _runner(predictor, kind, parse_specs, sources, output_keys, inputs):
    """``sources``: ``{output key: (head name or None, prediction key)}``."""
    feature_keys = list(inputs)
    multi = any(head_name is not None for head_name, _ in sources.values())
    wanted = None if multi else sorted({key for _, key in sources.values()})

    def run(function, values):
        features = _features(function, kind, parse_specs, values, feature_keys)
        predictions = predictor.predict(features, predict_keys=wanted)
        result = {key: predictions[(head_name, source) if head_name is not None else source]
                  for key, (head_name, source) in
                  ((key, sources[key]) for key in output_keys)}
        return {key: as_eager(_tf_output(value)) for key, value in result.items()}

    return run


def _features(function, kind, parse_specs, values, feature_keys) -> dict:
    from cannery.errors import InvalidArgumentError
    from cannery.io import _parse

    if kind != "examples":
        if set(values) == {CLASSIFY_INPUTS} and CLASSIFY_INPUTS not in feature_keys:
            (value,) = values.values()
            return {feature_keys[0]: value}
        return dict(values)
    (name, serialized), = values.items()
    if serialized.ndim != 1:
        detail = (f"Expected serialized to be a scalar or vector, got shape: "
                  f"[{','.join(map(str, serialized.shape))}]") if serialized.ndim > 1 else \
            f"input {name!r}: expected a vector [batch] of serialized tf.train.Example " \
            "strings, received a scalar"
        raise InvalidArgumentError(_graph_error(function, detail))
    try:
        return _parse(serialized, None, raw=parse_specs)
    except InvalidArgumentError as error:
        detail = str(error).removesuffix(" [Op:ParseExampleV2]")
        raise InvalidArgumentError(_graph_error(function, detail)) from None


def _graph_error(function, detail) -> str:
    node = "ParseExample/ParseExampleV2"
    return (f"Graph execution error:\n\nDetected at node {node}\n\n{detail}\n\t "
            f"[[{{{{node {node}}}}}]] [Op:{function.name.decode()}]")


def _tf_output(value) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind in "US":
        out = np.empty(array.shape, dtype=object)
        out.reshape(-1)[:] = [v.encode("utf-8") if isinstance(v, str) else bytes(v)
                              for v in array.reshape(-1)]
        return out
    return array
