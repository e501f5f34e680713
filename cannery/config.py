"""Model config files: a TOML or JSON document that names components by registry name.

A config is the plain-dict spec checkpoints store, written by hand::

    estimator = "DNNClassifier"
    label = "species"
    label_vocabulary = ["Adelie", "Chinstrap", "Gentoo"]   # n_classes follows from it
    hidden_units = [16, 8]
    optimizer = {name = "Adam", learning_rate = 0.01}
    model_dir = "penguins-dnn"

    [run_config]                 # RunConfig fields (also accepted at the top level)
    tf_random_seed = 42

    [train]                      # defaults for `cannery train`
    batch_size = 32
    epochs = 20

    [csv]                        # how CSV files are read
    na_value = "NA"

    [[feature_columns]]
    type = "indicator_column"
    categorical_column = {type = "categorical_column_with_vocabulary_list", key = "island",
                          vocabulary_list = ["Biscoe", "Dream", "Torgersen"]}

Every other top-level key is an argument of the estimator's constructor. Feature
columns, heads, optimizers and schedules are ``{type = "<registered name>", ...fields}``
tables (nested for bucketized, crossed, embedding and indicator columns), so a
third-party component works in a config as soon as its plugin is installed. An
optimizer may also be a name (``"Adagrad"``) or ``{name = "Adam", learning_rate =
0.01}`` — the ``(name, kwargs)`` form, which keeps the estimator's default learning
rate when ``learning_rate`` is left out.

The checkpoint form ``{estimator = ..., args = {...}, config = {...}}`` (what
``cannery inspect --json`` prints as ``spec``) is accepted as well.

Errors are :class:`ConfigError` (a :class:`~cannery.core.spec.SpecError`) naming the key
path, what was expected and what was found:
``feature_columns[2].hash_bucket_size: expected an integer >= 1, got 0``.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
from typing import Any, Callable

import attrs

from cannery.core.spec import TYPE_KEY, SpecError

__all__ = ["ConfigError", "ModelConfig", "estimator_from_spec", "from_plain", "load",
           "loads"]

RUN_CONFIG_FIELDS = (
    "tf_random_seed", "save_summary_steps", "save_checkpoints_steps", "save_checkpoints_secs",
    "keep_checkpoint_max", "keep_checkpoint_every_n_hours", "log_step_count_steps",
)
_SECTIONS = ("estimator", "label", "run_config", "config", "train", "eval", "csv", "args")
_COLUMN_LISTS = ("feature_columns", "linear_feature_columns", "dnn_feature_columns")
_OPTIMIZERS = ("optimizer", "linear_optimizer", "dnn_optimizer")
_NOT_FROM_CONFIG = ("config",)  # the RunConfig comes from [run_config]


class ConfigError(SpecError):
    """A config that cannot describe a model; ``path`` is the key path of the problem."""


# -- loading -----------------------------------------------------------------------------


def load(path: str | os.PathLike) -> "ModelConfig":
    """Read and validate a ``.toml`` or ``.json`` model config.

    Args:
        path: the config file. Other extensions are tried as TOML, then JSON.

    Returns:
        The validated :class:`ModelConfig`.

    Raises:
        ConfigError: unreadable syntax or an invalid value, naming the key path.
        OSError: the file cannot be read.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError("", f"not UTF-8 text ({error})") from None
    fmt = "json" if path.lower().endswith(".json") else "toml"
    return from_plain(loads(text, fmt, source=path), source=path)


def loads(text: str, fmt: str = "toml", source: str = "<config>") -> dict:
    """Parse config text (``fmt`` ``"toml"`` or ``"json"``) into a plain dict.

    Raises:
        ConfigError: a syntax error, with the parser's line and column.
    """
    import tomllib

    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError("", f"invalid JSON: {error}") from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as toml_error:
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                raise ConfigError("", f"invalid TOML: {toml_error}") from None
    if not isinstance(data, dict):
        raise ConfigError("", f"expected a table of settings, got {_show(data)}")
    return data


# -- the validated config -------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ModelConfig:
    """A validated model config.

    Attributes:
        estimator: the registered estimator name.
        args: constructor arguments with components built (columns, optimizers, ...).
        run_config: RunConfig keyword arguments.
        label: the CSV column holding the labels (None: features only).
        train: ``batch_size``, ``steps``, ``epochs``, ``shuffle``, ``shuffle_buffer_size``.
        eval: ``batch_size``, ``throttle_secs``, ``name``.
        csv: ``na_value``, ``field_delim``.
        plain: the config as plain data (what ``cannery train`` stores in model_dir).
        source: the file it was read from.
    """

    estimator: str
    args: dict = attrs.field(eq=False)
    run_config: dict
    label: str | None = None
    train: dict = attrs.field(factory=dict)
    eval: dict = attrs.field(factory=dict)
    csv: dict = attrs.field(factory=dict)
    plain: dict = attrs.field(factory=dict, eq=False, repr=False)
    source: str | None = None

    @property
    def model_dir(self) -> str | None:
        return self.args.get("model_dir")

    def build_estimator(self, model_dir: str | os.PathLike | None = None):
        """A fresh estimator; ``model_dir`` overrides the config's.

        Raises:
            ConfigError: the estimator rejected an argument (naming it).
        """
        from cannery import registry
        from cannery.core.run_config import RunConfig

        cls = registry.get("estimator", self.estimator)
        kwargs = dict(self.args)
        if model_dir is not None:
            kwargs["model_dir"] = os.fspath(model_dir)
        try:
            config = RunConfig(**self.run_config)
        except (TypeError, ValueError) as error:
            raise ConfigError(_guess_path("run_config", str(error), RUN_CONFIG_FIELDS),
                              str(error)) from None
        try:
            estimator = cls(**kwargs, config=config)
            estimator._get_definition()  # networks check their columns here
        except SpecError:
            raise
        except (TypeError, ValueError) as error:
            raise ConfigError(_guess_path("", str(error), list(kwargs)), str(error)) from None
        return estimator

    def feature_columns(self) -> list:
        """Every feature column the config names (all parts of a wide & deep model)."""
        columns = []
        for key in _COLUMN_LISTS:
            columns.extend(self.args.get(key) or ())
        return columns


def from_plain(data: dict, source: str | None = None) -> ModelConfig:
    """Validate a plain config dict (parsed TOML/JSON or a checkpoint spec).

    Raises:
        ConfigError: naming the key path, what was expected and what was found.
    """
    from cannery import registry

    if not isinstance(data, dict):
        raise ConfigError("", f"expected a table of settings, got {_show(data)}")
    name = data.get("estimator")
    if name is None:
        raise ConfigError("estimator", "required: the registered name of an estimator, one "
                          f"of {', '.join(_public(registry.names('estimator')))}")
    if not isinstance(name, str):
        raise ConfigError("estimator", f"expected a string, got {_show(name)}")
    try:
        entry = registry.get_entry("estimator", name)
    except registry.UnknownComponentError as error:
        raise ConfigError("estimator", str(error)) from None
    cls = entry.component
    parameters = {n: p for n, p in inspect.signature(cls.__init__).parameters.items()
                  if n != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}

    checkpoint_form = isinstance(data.get("args"), dict)
    if checkpoint_form:
        unknown = [k for k in data if k not in _SECTIONS]
        if unknown:
            raise ConfigError(unknown[0], "unknown key next to 'args'; expected one of: "
                              + ", ".join(_SECTIONS))
        raw_args = dict(data["args"])
        raw_run = _table(data.get("config", data.get("run_config")), "config")
        run_path = "config" if "config" in data else "run_config"
    else:
        raw_args = {k: v for k, v in data.items()
                    if k not in _SECTIONS and k not in RUN_CONFIG_FIELDS}
        run_path = "config" if isinstance(data.get("config"), dict) else "run_config"
        raw_run = dict(_table(data.get(run_path), run_path))
        for key in RUN_CONFIG_FIELDS:
            if key in data:
                if key in raw_run:
                    raise ConfigError(key, f"given both at the top level and in [{run_path}]")
                raw_run[key] = data[key]
    args_prefix = "args." if checkpoint_form else ""

    for key in raw_args:
        if key not in parameters or key in _NOT_FROM_CONFIG:
            allowed = [p for p in parameters if p not in _NOT_FROM_CONFIG]
            raise ConfigError(args_prefix + key, f"unknown key for {entry.name}; expected one "
                              f"of: {', '.join(allowed + list(_SECTIONS[1:3]) + ['train', 'eval', 'csv'])}")
    if ("n_classes" in parameters and "n_classes" not in raw_args
            and isinstance(raw_args.get("label_vocabulary"), list)):
        # TensorFlow insists on n_classes; counting the vocabulary is what a user means.
        raw_args["n_classes"] = len(raw_args["label_vocabulary"])
    vocabulary, n_classes = raw_args.get("label_vocabulary"), raw_args.get("n_classes")
    if isinstance(vocabulary, list) and _is_int(n_classes) and len(vocabulary) != n_classes:
        # TensorFlow's binary head does not check; a class it can never predict is a mistake.
        raise ConfigError(args_prefix + "label_vocabulary",
                          f"expected {n_classes} class names (n_classes = {n_classes}), got "
                          f"{len(vocabulary)}: {_show(vocabulary)}")
    for key, parameter in parameters.items():
        if key in _NOT_FROM_CONFIG or key == "model_dir":
            continue
        if parameter.default is inspect.Parameter.empty and key not in raw_args:
            raise ConfigError(args_prefix + key, f"required by {entry.name}")

    args = {key: value if value is None and parameters[key].default is None
            else _argument(key, value, args_prefix + key) for key, value in raw_args.items()}
    run_config = _run_config(raw_run, run_path)
    label = data.get("label")
    if label is not None and (not isinstance(label, str) or not label):
        raise ConfigError("label", f"expected the name of the label column, got {_show(label)}")
    train = _section(data.get("train"), "train", _TRAIN_FIELDS)
    if "steps" in train and "epochs" in train:
        raise ConfigError("train", "give steps or epochs, not both")
    config = ModelConfig(
        estimator=entry.name, args=args, run_config=run_config, label=label, train=train,
        eval=_section(data.get("eval"), "eval", _EVAL_FIELDS),
        csv=_section(data.get("csv"), "csv", _CSV_FIELDS),
        plain=_plain_config(data, entry.name, raw_args, run_config), source=source)
    _check_label_not_feature(config)
    config.build_estimator(model_dir=args.get("model_dir") or os.devnull)
    return config


def _plain_config(data, name, raw_args, run_config) -> dict:
    plain = {"estimator": name}
    for key in ("label", "train", "eval", "csv"):
        if key in data:
            plain[key] = data[key]
    plain.update(raw_args)
    if run_config:
        plain["run_config"] = dict(run_config)
    return plain


def _check_label_not_feature(config: ModelConfig) -> None:
    if config.label is None:
        return
    from cannery.feature_column import make_parse_example_spec

    keys = make_parse_example_spec(config.feature_columns())
    if config.label in keys:
        raise ConfigError("label", f"{config.label!r} is also read by a feature column; the "
                          "label cannot be a feature")


def estimator_from_spec(spec: dict, model_dir: str | os.PathLike | None = None):
    """Rebuild an estimator from the spec a checkpoint or export stores.

    Args:
        spec: ``{"estimator": name, "args": {...}, "config": {...}}``.
        model_dir: where the estimator keeps its checkpoints.

    Raises:
        ConfigError: the spec names a component that is not installed or is invalid.
    """
    from cannery import registry
    from cannery.core.export import ExportError, revive
    from cannery.core.run_config import RunConfig

    if not isinstance(spec, dict) or "estimator" not in spec:
        raise ConfigError("", f"not a model spec (no 'estimator'): {_show(spec)}")
    try:
        cls = registry.get("estimator", spec["estimator"])
        args = {}
        for key, value in (spec.get("args") or {}).items():
            value = revive(value)
            if key in _OPTIMIZERS and _is_name_and_kwargs(value):
                value = (value[0], value[1])  # msgpack/JSON turned the tuple into a list
            args[key] = value
        config = RunConfig(**{k: v for k, v in (spec.get("config") or {}).items()
                              if k in RUN_CONFIG_FIELDS})
    except (ExportError, registry.UnknownComponentError) as error:
        raise ConfigError("estimator", str(error)) from None
    try:
        return cls(**args, model_dir=None if model_dir is None else os.fspath(model_dir),
                   config=config)
    except (TypeError, ValueError) as error:
        raise ConfigError(_guess_path("args", str(error), list(args)), str(error)) from None


def _is_name_and_kwargs(value) -> bool:
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], dict))


# -- sections ----------------------------------------------------------------------------


def _table(value, path) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(path, f"expected a table, got {_show(value)}")
    return value


def _section(value, path, fields: dict[str, Callable]) -> dict:
    table = _table(value, path)
    out = {}
    for key, item in table.items():
        check = fields.get(key)
        if check is None:
            raise ConfigError(f"{path}.{key}",
                              f"unknown key; expected one of: {', '.join(fields)}")
        check(item, f"{path}.{key}")
        out[key] = item
    return out


def _run_config(raw: dict, path: str) -> dict:
    checks = {
        "tf_random_seed": _optional(_integer(None)),
        "save_summary_steps": _integer(0),
        "save_checkpoints_steps": _optional(_integer(1)),
        "save_checkpoints_secs": _optional(_number(0)),
        "keep_checkpoint_max": _integer(0),
        "keep_checkpoint_every_n_hours": _number(0),
        "log_step_count_steps": _integer(0),
    }
    for key, value in raw.items():
        check = checks.get(key)
        if check is None:
            raise ConfigError(f"{path}.{key}", "unknown RunConfig field; expected one of: "
                              + ", ".join(RUN_CONFIG_FIELDS))
        check(value, f"{path}.{key}")
    if raw.get("save_checkpoints_steps") is not None and \
            raw.get("save_checkpoints_secs") is not None:
        raise ConfigError(path, "`save_checkpoints_steps` and `save_checkpoints_secs` cannot "
                          "be both set.")
    return dict(raw)


# -- value checks ------------------------------------------------------------------------


def _fail(path, expected, value):
    raise ConfigError(path, f"expected {expected}, got {_show(value)}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(minimum):
    def check(value, path):
        if not _is_int(value) or (minimum is not None and value < minimum):
            _fail(path, "an integer" + (f" >= {minimum}" if minimum is not None else ""), value)
    return check


def _number(minimum, below=None):
    def check(value, path):
        ok = _is_number(value) and math.isfinite(value)
        ok = ok and (minimum is None or value >= minimum) and (below is None or value < below)
        if not ok:
            bound = "" if minimum is None else f" >= {minimum}"
            bound += "" if below is None else f" and < {below}"
            _fail(path, "a number" + bound, value)
    return check


def _optional(check):
    def optional(value, path):
        if value is not None:
            check(value, path)
    return optional


def _string(value, path):
    if not isinstance(value, str) or not value:
        _fail(path, "a non-empty string", value)


def _boolean(value, path):
    if not isinstance(value, bool):
        _fail(path, "true or false", value)


def _one_of(*choices):
    def check(value, path):
        if value not in choices:
            _fail(path, "one of " + ", ".join(repr(c) for c in choices), value)
    return check


def _single_char(value, path):
    if not isinstance(value, str) or len(value) != 1:
        _fail(path, "a one-character string", value)


def _na_value(value, path):
    if not isinstance(value, str):
        _fail(path, "a string", value)


_TRAIN_FIELDS = {
    "batch_size": _integer(1), "steps": _integer(1), "epochs": _integer(1),
    "shuffle": _boolean, "shuffle_buffer_size": _integer(1),
}
_EVAL_FIELDS = {"batch_size": _integer(1), "throttle_secs": _number(0), "name": _string}
_CSV_FIELDS = {"na_value": _na_value, "field_delim": _single_char}


def _units(value, path):
    if not isinstance(value, list) or not value:
        _fail(path, "a non-empty list of layer sizes", value)
    for i, units in enumerate(value):
        _integer(1)(units, f"{path}[{i}]")


def _vocabulary(value, path):
    if not isinstance(value, list) or len(value) < 1:
        _fail(path, "a non-empty list of strings or integers", value)
    kinds = {str if isinstance(v, str) else int if _is_int(v) else None for v in value}
    if None in kinds or len(kinds) > 1:
        bad = next((v for v in value if not isinstance(v, str) and not _is_int(v)), value)
        _fail(path, "a list of strings or a list of integers", bad)
    seen = set()
    for i, v in enumerate(value):
        if v in seen:
            raise ConfigError(f"{path}[{i}]", f"duplicate entry {_show(v)}")
        seen.add(v)


def _label_vocabulary(value, path):
    if not isinstance(value, list) or len(value) < 2:
        _fail(path, "a list of at least two class names", value)
    for i, v in enumerate(value):
        if not isinstance(v, str):
            _fail(f"{path}[{i}]", "a string", v)
    _vocabulary(value, path)


def _boundaries(value, path):
    if not isinstance(value, list) or not value:
        _fail(path, "a non-empty list of increasing numbers", value)
    for i, v in enumerate(value):
        if not _is_number(v):
            _fail(f"{path}[{i}]", "a number", v)
        if i and v <= value[i - 1]:
            _fail(f"{path}[{i}]", f"a number > {_show(value[i - 1])} (boundaries must be "
                  "sorted)", v)


def _shape(value, path):
    if _is_int(value):
        _integer(1)(value, path)
        return
    if not isinstance(value, list) or not value:
        _fail(path, "an integer >= 1 or a list of them", value)
    for i, v in enumerate(value):
        _integer(1)(v, f"{path}[{i}]")


def _column_or_key(value, path):
    if isinstance(value, dict):
        _column(value, path)
    elif not isinstance(value, str) or not value:
        _fail(path, "a feature key or a column table", value)


def _crossed_keys(value, path):
    if not isinstance(value, list) or len(value) < 2:
        _fail(path, "a list of at least two feature keys or column tables", value)
    for i, item in enumerate(value):
        _column_or_key(item, f"{path}[{i}]")


def _nested_column(value, path):
    if not isinstance(value, dict):
        _fail(path, f"a column table with a {TYPE_KEY!r} key", value)
    _column(value, path)


# Checks of well-known column fields, so a bad value is reported at its own key with
# what was expected instead of as the constructor's message about the whole column.
_COLUMN_FIELDS: dict[str, Callable] = {
    "key": _string,
    "hash_bucket_size": _integer(1),
    "num_buckets": _integer(1),
    "dimension": _integer(1),
    "num_oov_buckets": _integer(0),
    "vocabulary_list": _vocabulary,
    "vocabulary_file": _string,
    "boundaries": _boundaries,
    "shape": _shape,
    "combiner": _one_of("mean", "sqrtn", "sum"),
    "keys": _crossed_keys,
    "categorical_column": _nested_column,
    "source_column": _nested_column,
    "weight_feature_key": _string,
    "dtype": _string,
    "trainable": _boolean,
}


_ANNOTATION_CHECKS: dict[str, Callable] = {
    "int": _integer(None),
    "float": _number(None),
    "bool": _boolean,
    "str": _string,
}


def _check_fields(value: dict, cls, path: str, known: dict[str, Callable], skip=()) -> dict:
    """Reject unknown fields; check known names and plainly annotated ones (int, float, ...)."""
    fields = {f.name: f for f in attrs.fields(cls) if f.init} if attrs.has(cls) else {}
    fields = {n: f for n, f in fields.items() if not f.metadata.get("spec_skip")}
    for key, item in value.items():
        if key in skip:
            continue
        if fields and key not in fields:
            raise ConfigError(f"{path}.{key}", f"unknown field for "
                              f"{getattr(cls, 'registered_name', cls.__name__)!r}; fields: "
                              + ", ".join(fields))
        check = known.get(key)
        if check is None and key in fields:
            check = _ANNOTATION_CHECKS.get(_annotation(fields[key]))
        if check is not None:
            check(item, f"{path}.{key}")
    return fields


def _annotation(field) -> str | None:
    annotation = field.type
    if isinstance(annotation, type):
        return annotation.__name__
    return annotation if isinstance(annotation, str) else None


def _column(value, path):
    """Check a column table's fields (recursively), then build it."""
    from cannery import registry
    from cannery.core import spec

    if not isinstance(value, dict):
        _fail(path, f"a column table like {{type = \"numeric_column\", key = \"...\"}}", value)
    kind_name = value.get(TYPE_KEY)
    if kind_name is None:
        raise ConfigError(path, f"missing {TYPE_KEY!r}; one of: "
                          + ", ".join(registry.names("feature_column")))
    if not isinstance(kind_name, str):
        _fail(f"{path}.{TYPE_KEY}", "the registered name of a feature column", kind_name)
    try:
        cls = registry.get("feature_column", kind_name)
    except registry.UnknownComponentError as error:
        raise ConfigError(f"{path}.{TYPE_KEY}", str(error)) from None
    fields = _check_fields(value, cls, path, _COLUMN_FIELDS, skip=(TYPE_KEY,))
    for name, field in fields.items():
        if field.default is attrs.NOTHING and name not in value:
            raise ConfigError(f"{path}.{name}", f"required by {kind_name!r}")
    return _build(lambda: spec.from_dict(value, "feature_column", path), path, fields)


def _build(make, path, fields):
    """Run a constructor; map its error to the field it names when it names one."""
    try:
        return make()
    except ConfigError:
        raise
    except SpecError as error:
        where = error.path if error.path != path else _guess_path(path, error.message,
                                                                  list(fields))
        raise ConfigError(where, error.message) from None
    except (TypeError, ValueError) as error:
        raise ConfigError(_guess_path(path, str(error), list(fields)), str(error)) from None


def _guess_path(path: str, message: str, names) -> str:
    """``path.<field>`` for the first field name the message mentions, else ``path``."""
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message):
            return f"{path}.{name}" if path else name
    return path or "estimator"


def _columns(value, path):
    if not isinstance(value, list):
        _fail(path, "a list of column tables ([[feature_columns]] in TOML)", value)
    return [_column(item, f"{path}[{i}]") for i, item in enumerate(value)]


def _optimizer(value, path):
    """A registered name, ``{name = ..., **kwargs}`` (kept as ``(name, kwargs)``), or ``{type = ...}``."""
    from cannery import registry
    from cannery.core import spec

    def lookup(name, where):
        if not isinstance(name, str) or not name:
            _fail(where, "the registered name of an optimizer", name)
        try:
            return registry.get("optimizer", name)
        except registry.UnknownComponentError as error:
            raise ConfigError(where, str(error)) from None

    if isinstance(value, str):
        lookup(value, path)
        return value
    if _is_name_and_kwargs(value):  # the (name, kwargs) form as a checkpoint spec stores it
        value = {**value[1], "name": value[0]}
    if not isinstance(value, dict):
        _fail(path, "an optimizer name or a table like {name = \"Adam\", learning_rate = "
              "0.01}", value)
    schedule_check = {"learning_rate": _learning_rate}
    if TYPE_KEY in value:
        cls = lookup(value[TYPE_KEY], f"{path}.{TYPE_KEY}")
        fields = _check_fields(value, cls, path, schedule_check, skip=(TYPE_KEY,))
        return _build(lambda: spec.from_dict(value, "optimizer", path), path, list(fields))
    if "name" not in value:
        raise ConfigError(path, "an optimizer table needs name = \"<optimizer>\" (or "
                          f"{TYPE_KEY} = ...); optimizers: {', '.join(registry.names('optimizer'))}")
    cls = lookup(value["name"], f"{path}.name")
    fields = _check_fields(value, cls, path, schedule_check, skip=("name",))
    kwargs = {}
    for key, item in value.items():
        if key == "name":
            continue
        if isinstance(item, dict) and TYPE_KEY in item:
            item = _build(lambda item=item, key=key: spec.from_dict(
                item, "schedule", f"{path}.{key}"), f"{path}.{key}", [])
        kwargs[key] = item
    _build(lambda: cls(**kwargs), path, list(fields) or list(kwargs))  # fail now, not later
    return (value["name"], kwargs)


def _learning_rate(value, path):
    if not isinstance(value, dict):
        _number(0)(value, path)


def _activation(value, path):
    from cannery import registry

    if value is None:
        return None
    if not isinstance(value, str):
        _fail(path, "the registered name of an activation", value)
    try:
        registry.get("activation", value)
    except registry.UnknownComponentError as error:
        raise ConfigError(path, str(error)) from None
    return value


def _head(value, path):
    from cannery import registry
    from cannery.core import spec

    if isinstance(value, str):
        try:
            registry.get("head", value)
        except registry.UnknownComponentError as error:
            raise ConfigError(path, str(error)) from None
        return value
    if not isinstance(value, dict):
        _fail(path, "a head name or a head table {type = \"...\", ...}", value)
    return _build(lambda: spec.from_dict(value, "head", path), path, [])


def _weight_column(value, path):
    if isinstance(value, dict):
        return _column(value, path)
    _string(value, path)
    return value


def _checked(check):
    def argument(value, path):
        check(value, path)
        return value
    return argument


_ARGUMENTS: dict[str, Callable] = {
    "feature_columns": _columns,
    "linear_feature_columns": _columns,
    "dnn_feature_columns": _columns,
    "optimizer": _optimizer,
    "linear_optimizer": _optimizer,
    "dnn_optimizer": _optimizer,
    "activation_fn": _activation,
    "dnn_activation_fn": _activation,
    "head": _head,
    "weight_column": _weight_column,
    "hidden_units": _checked(_units),
    "dnn_hidden_units": _checked(_units),
    "n_classes": _checked(_integer(2)),
    "label_dimension": _checked(_integer(1)),
    "label_vocabulary": _checked(_label_vocabulary),
    "dropout": _checked(_optional(_number(0, below=1))),
    "dnn_dropout": _checked(_optional(_number(0, below=1))),
    "batch_norm": _checked(_boolean),
    "model_dir": _checked(_string),
    "warm_start_from": _checked(_string),
    "sparse_combiner": _checked(_one_of("sum", "mean", "sqrtn")),
    "linear_sparse_combiner": _checked(_one_of("sum", "mean", "sqrtn")),
    "loss_reduction": _checked(_string),
}


def _argument(key, value, path):
    handler = _ARGUMENTS.get(key)
    if handler is not None:
        return handler(value, path)
    from cannery.core.export import revive  # third-party arguments: plain data or components

    try:
        return revive(value)
    except ValueError as error:
        raise ConfigError(path, str(error)) from None


def _public(names):
    return [n for n in names if not n.startswith("compat.")]


def _show(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- TensorFlow's tf.config functions ------------------------------------------------------
# ``import cannery as tf; tf.config`` is this module, so the device and threading calls
# TensorFlow programs make at start-up work here too. cannery runs on the CPU only: there
# is one physical and one logical device, and GPU lists are empty. The settings are
# stored and read back, but change nothing: numba's and BLAS's thread counts are left
# alone (numba.set_num_threads applies to the calling thread only, and cannery's kernels
# also run on its input thread; set NUMBA_NUM_THREADS / OMP_NUM_THREADS before starting
# Python instead). Unlike TensorFlow, the threading and device settings may be changed
# at any time (TensorFlow refuses once its runtime has started).
import collections as _collections  # noqa: E402
import types as _types  # noqa: E402

PhysicalDevice = _collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = _collections.namedtuple("LogicalDevice", ["name", "device_type"])
_CPU = PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")
_LOGICAL_CPU = LogicalDevice(name="/device:CPU:0", device_type="CPU")
_SETTINGS = {"intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
             "run_functions_eagerly": False, "soft_device_placement": True,
             "tensor_float_32_execution": True, "visible_devices": [_CPU]}


def list_physical_devices(device_type=None) -> list:
    """``tf.config.list_physical_devices``: ``[PhysicalDevice('/physical_device:CPU:0',
    'CPU')]`` for None or ``"CPU"`` (case-sensitive, as in TensorFlow), else ``[]``."""
    return [_CPU] if device_type in (None, "CPU") else []


def list_logical_devices(device_type=None) -> list:
    """``tf.config.list_logical_devices``: ``[LogicalDevice('/device:CPU:0', 'CPU')]`` for
    None or ``"CPU"``, else ``[]``."""
    return [_LOGICAL_CPU] if device_type in (None, "CPU") else []


def get_visible_devices(device_type=None) -> list:
    """``tf.config.get_visible_devices``: the CPU (see :func:`set_visible_devices`)."""
    return [d for d in _SETTINGS["visible_devices"]
            if device_type is None or d.device_type == device_type]


def set_visible_devices(devices, device_type=None) -> None:
    """``tf.config.set_visible_devices``: accepted and kept for
    :func:`get_visible_devices`; the CPU stays in use (there is nothing else).

    Raises:
        ValueError: a device that :func:`list_physical_devices` does not list.
    """
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for device in devices:
        if device not in list_physical_devices():
            raise ValueError(f"Unrecognized device: {device!r}")
    if device_type in (None, "CPU"):
        _SETTINGS["visible_devices"] = devices


def get_logical_device_configuration(device):
    """``tf.config.get_logical_device_configuration``: None (never configured)."""
    return None


def set_logical_device_configuration(device, logical_devices) -> None:
    """``tf.config.set_logical_device_configuration``: accepted and ignored."""


def _intra_get() -> int:
    return _SETTINGS["intra_op_parallelism_threads"]


def _intra_set(num_threads) -> None:
    _SETTINGS["intra_op_parallelism_threads"] = int(num_threads)


def _inter_get() -> int:
    return _SETTINGS["inter_op_parallelism_threads"]


def _inter_set(num_threads) -> None:
    _SETTINGS["inter_op_parallelism_threads"] = int(num_threads)


#: ``tf.config.threading``: the thread counts, stored and read back (0: the system's
#: choice); they do not change numba's or BLAS's threads (see above).
threading = _types.SimpleNamespace(
    get_intra_op_parallelism_threads=_intra_get,
    set_intra_op_parallelism_threads=_intra_set,
    get_inter_op_parallelism_threads=_inter_get,
    set_inter_op_parallelism_threads=_inter_set,
)


def run_functions_eagerly(run_eagerly) -> None:
    """``tf.config.run_functions_eagerly``: stored for :func:`functions_run_eagerly`
    (``tf.function`` always runs eagerly in cannery)."""
    _SETTINGS["run_functions_eagerly"] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    """``tf.config.functions_run_eagerly``: what :func:`run_functions_eagerly` set
    (False by default, as in TensorFlow)."""
    return _SETTINGS["run_functions_eagerly"]


def set_soft_device_placement(enabled) -> None:
    """``tf.config.set_soft_device_placement``: stored (everything runs on the CPU)."""
    _SETTINGS["soft_device_placement"] = bool(enabled)


def get_soft_device_placement() -> bool:
    """``tf.config.get_soft_device_placement``: True unless set otherwise."""
    return _SETTINGS["soft_device_placement"]


def _set_memory_growth(device, enable) -> None:
    raise ValueError("Cannot set memory growth on non-GPU and non-Pluggable devices")


def _get_memory_growth(device):
    raise KeyError(device)


def _enable_tf32(enabled) -> None:
    _SETTINGS["tensor_float_32_execution"] = bool(enabled)


#: ``tf.config.experimental``: memory growth (TensorFlow's ValueError for the CPU, the
#: only device: programs call it for each GPU, of which there are none), op determinism
#: (cannery's kernels are deterministic), and the device listings.
experimental = _types.SimpleNamespace(
    set_memory_growth=_set_memory_growth,
    get_memory_growth=_get_memory_growth,
    enable_op_determinism=lambda: None,
    enable_tensor_float_32_execution=_enable_tf32,
    tensor_float_32_execution_enabled=lambda: _SETTINGS["tensor_float_32_execution"],
    get_device_details=lambda device: {},
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices,
    set_visible_devices=set_visible_devices,
)
