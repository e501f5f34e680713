"""``tf.io`` parsing specs (``FixedLenFeature``, ``FixedLenSequenceFeature``,
``VarLenFeature``), the parsers of serialized ``tf.train.Example`` records
(``parse_example``, ``parse_single_example``) and of CSV lines (``decode_csv``);
``gfile`` (:mod:`cannery._gfile`) and the TFRecord writer (``TFRecordWriter``,
``TFRecordOptions``; :mod:`cannery.data._tfrecord`), loaded on first use.

A serving receiver (``tf.estimator.export.build_parsing_serving_input_receiver_fn``)
takes a dict of these specs, written by hand or returned by
``tf.feature_column.make_parse_example_spec`` and
``tf.estimator.classifier_parse_example_spec``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from cannery.core.dtypes import as_dtype

__all__ = ["FixedLenFeature", "FixedLenSequenceFeature", "TFRecordOptions", "TFRecordWriter",
           "VarLenFeature", "decode_csv", "gfile", "parse_example", "parse_single_example"]

# tf.io names that live in other modules: "module" or "module:attribute"
_LAZY = {"gfile": "cannery._gfile",
         "TFRecordWriter": "cannery.data._tfrecord:TFRecordWriter",
         "TFRecordOptions": "cannery.data._tfrecord:TFRecordOptions"}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'cannery.io' has no attribute {name!r}")
    import importlib

    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


class FixedLenFeature(NamedTuple):
    """A feature with a fixed shape per example (``tf.io.FixedLenFeature``)."""

    shape: Any
    dtype: Any
    default_value: Any = None

    def as_dict(self) -> dict:
        """Plain data, as :meth:`ParseSpec.as_dict` describes an input."""
        shape = self.shape if isinstance(self.shape, (list, tuple)) else [self.shape]
        return {"dtype": as_dtype(self.dtype).name, "shape": [int(d) for d in shape],
                "fixed_length": True, "default_value": self.default_value}


class FixedLenSequenceFeature(NamedTuple):
    """A feature of any number of items of a fixed ``shape`` per example
    (``tf.io.FixedLenSequenceFeature``): parsed to ``[batch, longest] + shape``, shorter
    examples padded with ``default_value`` (a scalar; 0 or ``b""`` by default). Parsing
    Examples needs ``allow_missing=True``, as in TensorFlow."""

    shape: Any
    dtype: Any
    allow_missing: bool = False
    default_value: Any = None


class VarLenFeature(NamedTuple):
    """A feature with any number of values per example (``tf.io.VarLenFeature``)."""

    dtype: Any

    def as_dict(self) -> dict:
        """Plain data, as :meth:`ParseSpec.as_dict` describes an input."""
        return {"dtype": as_dtype(self.dtype).name, "shape": [], "fixed_length": False,
                "default_value": None}


def _add_label_and_weight(spec: dict, label_key: str, label_spec, weight_column) -> dict:
    from cannery import feature_column

    if label_key in spec:
        raise ValueError(
            f"label should not be used as feature. label_key: {label_key}, "
            f"features: {spec.keys()}")
    spec[label_key] = label_spec
    if weight_column is None:
        return spec
    if isinstance(weight_column, str):
        weight_column = feature_column.numeric_column(weight_column)
    if type(weight_column).__name__ != "NumericColumn":
        raise ValueError(
            "weight_column should be an instance of tf.feature_column.numeric_column. "
            f"Given type: {type(weight_column)} value: {weight_column}")
    spec.update(feature_column.make_parse_example_spec([weight_column]))
    return spec


def classifier_parse_example_spec(feature_columns, label_key, label_dtype="int64",
                                  label_default=None, weight_column=None) -> dict:
    """``tf.estimator.classifier_parse_example_spec``: the columns' spec plus label and weight.

    Args:
        feature_columns: the model's feature columns.
        label_key: the label's feature key; must not be a feature's key.
        label_dtype: the label's dtype (``tf.int64``; ``tf.string`` with a vocabulary).
        label_default: the label used where an example has none.
        weight_column: None, a key or a ``numeric_column``.

    Returns:
        ``{key: spec}`` with the label as ``FixedLenFeature((1,), label_dtype, label_default)``.

    Raises:
        ValueError: the label key is a feature, or the weight column is not numeric.
    """
    from cannery import feature_column

    spec = dict(feature_column.make_parse_example_spec(feature_columns))
    return _add_label_and_weight(spec, label_key,
                                 FixedLenFeature((1,), as_dtype(label_dtype), label_default),
                                 weight_column)


def regressor_parse_example_spec(feature_columns, label_key, label_dtype="float32",
                                 label_default=None, label_dimension=1,
                                 weight_column=None) -> dict:
    """``tf.estimator.regressor_parse_example_spec``: the columns' spec plus label and weight.

    Args:
        feature_columns: the model's feature columns.
        label_key: the label's feature key; must not be a feature's key.
        label_dtype: the label's dtype (``tf.float32``).
        label_default: the label used where an example has none.
        label_dimension: values per label.
        weight_column: None, a key or a ``numeric_column``.

    Returns:
        ``{key: spec}`` with the label as
        ``FixedLenFeature((label_dimension,), label_dtype, label_default)``.

    Raises:
        ValueError: the label key is a feature, or the weight column is not numeric.
    """
    from cannery import feature_column

    spec = dict(feature_column.make_parse_example_spec(feature_columns))
    return _add_label_and_weight(
        spec, label_key,
        FixedLenFeature((label_dimension,), as_dtype(label_dtype), label_default),
        weight_column)


# -- parsing serialized tf.train.Example records ---------------------------------------

# TensorFlow's DataTypeString names, used in its parser's messages.
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_PARSED_DTYPES = {"float32": np.float32, "int64": np.int64, "string": object}
_COUNT_WORDS = {"float": "float", "int64": "int64", "string": "bytes"}
_OP = " [Op:ParseExampleV2]"


def _tf_type_name(dtype) -> str:
    name = as_dtype(dtype).name
    return _TF_TYPE_NAMES.get(name, name)


def parse_example(serialized, features, example_names=None, name=None) -> dict:
    """``tf.io.parse_example``: a batch of serialized ``tf.train.Example`` records.

    Args:
        serialized: a list or 1-D array of serialized Examples (a single one gives
            results without the batch dimension, as :func:`parse_single_example`).
        features: ``{key: FixedLenFeature | FixedLenSequenceFeature | VarLenFeature}``;
            dtypes ``tf.float32``, ``tf.int64`` or ``tf.string``.
        example_names: optional names of the records, used in error messages.
        name: accepted for TensorFlow's signature.

    Returns:
        ``{key: value}``: a FixedLenFeature gives an array ``[batch] + shape``
        (strings as ``bytes``) with ``.numpy()``; a FixedLenSequenceFeature an array
        ``[batch, longest] + shape`` padded with its default; a VarLenFeature a
        :class:`~cannery.core.tensors.SparseTensor` ``[batch, longest list]``.

    Raises:
        ValueError: no features, an invalid or unsupported spec (TensorFlow's messages).
        cannery.errors.InvalidArgumentError: a record that is not an Example, a
            required feature missing, a list of the wrong type or length, or a dtype
            the parser does not take; the message names the key and the record.
    """
    return _as_eager(_parse(serialized, features, example_names))


def parse_single_example(serialized, features, example_names=None, name=None) -> dict:
    """``tf.io.parse_single_example``: one serialized ``tf.train.Example``; results have
    no batch dimension (a VarLenFeature's SparseTensor is 1-D).

    Raises:
        ValueError: no features, or ``serialized`` is not a single record.
        cannery.errors.InvalidArgumentError: as :func:`parse_example`.
    """
    if not features:
        raise ValueError("Invalid argument: features cannot be None.")
    if _serialized_array(serialized).ndim != 0:
        raise ValueError("Input serialized must be a scalar")
    return _as_eager(_parse(serialized, features, example_names))


def _as_eager(parsed: dict) -> dict:
    from cannery.core.eager_tensor import as_eager

    def eager(value):
        if hasattr(value, "dense_shape"):
            return value
        if isinstance(value, bytes):
            # a scalar string: a 0-d object array (numpy's bytes dtype drops trailing NULs)
            array = np.empty((), dtype=object)
            array[()] = value
            return as_eager(array)
        return as_eager(value)

    # TensorFlow's order (_parse_example_raw): the VarLenFeatures, then the
    # FixedLenFeatures, each sorted by key
    sparse = [key for key, value in parsed.items() if hasattr(value, "dense_shape")]
    order = sparse + [key for key, value in parsed.items() if not hasattr(value, "dense_shape")]
    return {key: eager(parsed[key]) for key in order}


def _serialized_array(serialized) -> np.ndarray:
    if isinstance(serialized, (bytes, str)):
        array = np.empty((), dtype=object)
        array[()] = serialized
    elif isinstance(serialized, (list, tuple)) and serialized and all(
            isinstance(v, (bytes, str, list, tuple)) for v in serialized):
        # not through numpy's bytes dtype, which drops trailing NUL bytes
        array = np.array(serialized, dtype=object)
    else:
        array = np.asarray(serialized)
    kind = array.dtype.kind
    if kind in "US":
        return np.vectorize(lambda v: v.encode("utf-8") if isinstance(v, str) else bytes(v),
                            otypes=[object])(array) if array.size else array.astype(object)
    if kind == "O":
        flat = array.reshape(-1)
        if all(isinstance(v, (bytes, str)) for v in flat):
            out = np.empty(array.shape, dtype=object)
            out.reshape(-1)[:] = [v.encode("utf-8") if isinstance(v, str) else bytes(v)
                                  for v in flat]
            return out
    dtype = "float32" if kind == "f" and not isinstance(serialized, np.ndarray) else \
        array.dtype.name
    raise ValueError(f"Tensor conversion requested dtype string for Tensor with dtype "
                     f"{dtype}: {serialized!r}")


def _parse_specs(features) -> list:
    """``[(key, "dense" | "sparse", dtype name, shape, default)]`` in sorted key order."""
    from cannery.errors import InvalidArgumentError

    if not features:
        raise ValueError("Argument `features` cannot be None.")
    specs = []
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, FixedLenFeature):
            if feature.shape is None:
                raise ValueError(f"Missing shape for feature {key}. Received "
                                 f"feature={feature}.")
            shape = list(feature.shape) if isinstance(feature.shape, (list, tuple)) \
                else [feature.shape]
            if shape and shape[0] is None:
                raise ValueError(f"First dimension of shape for feature {key} unknown. "
                                 f"Consider using FixedLenSequenceFeature. Received "
                                 f"feature={feature}.")
            if any(d is None for d in shape):
                raise ValueError(f"All dimensions of shape for feature {key} need to be "
                                 f"known but received {feature.shape!s}.")
            specs.append((key, "dense", as_dtype(feature.dtype).name,
                          tuple(int(d) for d in shape), feature.default_value))
        elif isinstance(feature, VarLenFeature):
            specs.append((key, "sparse", as_dtype(feature.dtype).name, None, None))
        elif isinstance(feature, FixedLenSequenceFeature):
            if feature.shape is None:
                raise ValueError(f"Missing shape for feature {key}. Received "
                                 f"feature={feature}.")
            if not feature.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires "
                                 "allow_missing to be True.")
            shape = list(feature.shape) if isinstance(feature.shape, (list, tuple)) \
                else [feature.shape]
            if any(d is None for d in shape):
                dense_index = sum(1 for k in sorted(features) if k < key and not
                                  isinstance(features[k], VarLenFeature))
                dims = ",".join("?" if d is None else str(int(d)) for d in [None, *shape])
                raise InvalidArgumentError(
                    f"dense_shapes[{dense_index}] has unknown rank or unknown inner "
                    f"dimensions: [{dims}]{_OP}")
            specs.append((key, "seq", as_dtype(feature.dtype).name,
                          tuple(int(d) for d in shape), feature.default_value))
        else:
            raise ValueError(f"Unsupported {type(feature).__name__} {feature} for key '{key}'")
    for attr, kind in (("Tdense", "dense"), ("sparse_types", "sparse")):
        for _, spec_kind, dtype, _, _ in specs:
            if spec_kind in (kind, kind == "dense" and "seq") and dtype not in _PARSED_DTYPES:
                raise InvalidArgumentError(
                    f"Value for attr '{attr}' of {_tf_type_name(dtype)} is not in the list "
                    "of allowed values: float, int64, string")
    return [(key, kind, dtype, shape, _sequence_default(dtype, default) if kind == "seq"
             else _dense_default(dtype, shape, default))
            for key, kind, dtype, shape, default in specs]


def _sequence_default(dtype, default):
    """A FixedLenSequenceFeature's padding value: a scalar array (0 or b"" by default)."""
    if default is None:
        return np.asarray(b"", dtype=object) if dtype == "string" else \
            np.zeros((), dtype=_PARSED_DTYPES[dtype])
    return _dense_default(dtype, (), default)


def _dense_default(dtype, shape, default):
    """A FixedLenFeature's default as an array of its dtype and shape (or None)."""
    from cannery.errors import InvalidArgumentError

    if default is None or shape is None:
        return None
    if dtype == "string":
        array = np.asarray(default, dtype=object)
        flat = array.reshape(-1)
        if not all(isinstance(v, (bytes, str)) for v in flat):
            raise TypeError(f"Cannot convert {default!r} to EagerTensor of dtype string")
        array = np.array([v.encode("utf-8") if isinstance(v, str) else v for v in flat],
                         dtype=object).reshape(array.shape)
    else:
        array = np.asarray(default)
        if array.dtype.kind not in "biuf" or (dtype == "int64" and array.dtype.kind == "f"):
            raise TypeError(f"Cannot convert {default!r} to EagerTensor of dtype {dtype}")
        array = array.astype(_PARSED_DTYPES[dtype])
    size = int(np.prod(shape, dtype=np.int64))
    if array.size != size:
        raise InvalidArgumentError(f"Input to reshape is a tensor with {array.size} values, "
                                   f"but the requested shape has {size} [Op:Reshape]")
    return array.reshape(shape)


def _parse(serialized, features, example_names=None, raw=None) -> dict:
    """Parse ``serialized`` with the ``features`` spec: plain numpy arrays and
    SparseTensors (see :func:`parse_example`). ``raw`` passes specs made by
    :func:`_parse_specs` already."""
    from cannery.core.example_proto import (
        UNSUPPORTED,
        decode_example,
        feature_kind,
        feature_values,
    )
    from cannery.core.tensors import SparseTensor
    from cannery.errors import InvalidArgumentError

    specs = raw if raw is not None else _parse_specs(features)
    array = _serialized_array(serialized)
    if array.ndim > 1:
        raise InvalidArgumentError("Expected serialized to be a scalar or vector, got shape: "
                                   f"[{','.join(map(str, array.shape))}]{_OP}")
    single = array.ndim == 0
    records = [array[()]] if single else list(array)
    names = None
    if example_names is not None:
        names_array = np.asarray(example_names)
        if names_array.shape != array.shape:
            raise InvalidArgumentError(
                "Expected names have the same shape as serialized: name.shape="
                f"[{','.join(map(str, names_array.shape))}], serialized.shape="
                f"[{','.join(map(str, array.shape))}]{_OP}")
        names = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                 for v in names_array.reshape(-1)]

    def where(index, key):
        if single:
            return f"Key: {key}."
        name = names[index] if names is not None else "<unknown>"
        return f"Name: {name}, Key: {key}, Index: {index}."

    def missing(index, key, dtype):
        prefix = "" if single else \
            f"Name: {names[index] if names is not None else '<unknown>'}, "
        return InvalidArgumentError(f"{prefix}Feature: {key} (data type: {_tf_type_name(dtype)}) "
                                    f"is required but could not be found.{_OP}")

    batch = len(records)
    dense = {key: np.empty((batch, *shape), dtype=_PARSED_DTYPES[dtype])
             for key, kind, dtype, shape, _ in specs if kind == "dense"}
    sparse = {key: [] for key, kind, *_ in specs if kind in ("sparse", "seq")}
    keys = [(key, key.encode("utf-8")) for key, *_ in specs]
    for index, record in enumerate(records):
        entries = decode_example(record)
        if entries is None:
            # TensorFlow's message is cut at the record's first NUL byte
            text = record.split(b"\x00")[0].decode("utf-8", "replace")
            quote = "" if b"\x00" in record else "'"
            raise InvalidArgumentError(
                f"Could not parse example input, value: '{text}{quote}{_OP}")
        last = dict(entries)  # a repeated key: the last one counts
        for (key, kind, dtype, shape, default), (_, key_bytes) in zip(specs, keys):
            feature = last.get(key_bytes)
            found_kind = feature_kind(feature) if feature is not None else None
            if found_kind == UNSUPPORTED:
                raise InvalidArgumentError(f"Unsupported datatype.{_OP}")
            expected = _tf_type_name(dtype)
            if kind in ("seq", "sparse"):  # values of any count, gathered per example
                if found_kind is not None and found_kind != expected:
                    # TensorFlow words the two parsers' mismatch differently
                    detail = (f"Data type: {found_kind} but expected type: {expected}"
                              if kind == "seq" else
                              f"Expected type: {expected}, Actual type: {found_kind}")
                    raise InvalidArgumentError(
                        f"{where(index, key)}  Data types don't match. {detail}{_OP}")
                values = () if found_kind is None else feature_values(feature, found_kind)
                if values is None:
                    raise InvalidArgumentError(
                        f"{where(index, key)}  Can't parse serialized Example.{_OP}")
                stride = int(np.prod(shape, dtype=np.int64)) if kind == "seq" else 0
                if stride and len(values) % stride:
                    raise InvalidArgumentError(
                        f"{where(index, key)}  Number of {_COUNT_WORDS[found_kind]} values "
                        f"is not a multiple of stride length. Saw {len(values)} values but "
                        f"output shape is: [?,{','.join(map(str, shape))}]{_OP}")
                sparse[key].append(values)
                continue
            if found_kind is None:
                if default is None:
                    raise missing(index, key, dtype)
                dense[key].reshape(batch, -1)[index, :] = default.reshape(-1)
                continue
            if found_kind != expected:
                raise InvalidArgumentError(
                    f"{where(index, key)}  Data types don't match. Data type: {found_kind} "
                    f"but expected type: {expected}{_OP}")
            values = feature_values(feature, found_kind)
            if values is None or (single and len(values) != int(np.prod(shape, dtype=np.int64))):
                raise InvalidArgumentError(
                    f"{where(index, key)}  Can't parse serialized Example.{_OP}")
            if len(values) != int(np.prod(shape, dtype=np.int64)):
                raise InvalidArgumentError(
                    f"{where(index, key)}  Number of {_COUNT_WORDS[found_kind]} values != "
                    f"expected.  Values size: {len(values)} but output shape: "
                    f"[{','.join(map(str, shape))}]{_OP}")
            dense[key].reshape(batch, -1)[index, :] = values
    out = {}
    for key, kind, dtype, shape, default in specs:
        if kind == "dense":
            out[key] = dense[key][0] if single else dense[key]
            continue
        if kind == "seq":
            out[key] = _pad_sequences(sparse[key], dtype, shape, default)
            out[key] = out[key][0] if single else out[key]
            continue
        lists = sparse[key]
        lengths = [len(v) for v in lists]
        values = np.empty(sum(lengths), dtype=_PARSED_DTYPES[dtype])
        if dtype == "string":
            values[:] = [item for v in lists for item in v]
        elif len(values):
            values[:] = np.concatenate([np.asarray(v) for v in lists if len(v)])
        columns = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths]) \
            if lengths else np.zeros(0, np.int64)
        width = max(lengths, default=0)
        if single:
            out[key] = SparseTensor(columns.reshape(-1, 1), values, [width])
        else:
            rows = np.repeat(np.arange(batch, dtype=np.int64), lengths)
            out[key] = SparseTensor(np.stack([rows, columns], axis=1).reshape(-1, 2), values,
                                    [batch, width])
    return out


def _pad_sequences(lists: list, dtype: str, shape: tuple, pad) -> np.ndarray:
    """FixedLenSequenceFeature values ``[batch, longest] + shape``, padded with ``pad``."""
    stride = int(np.prod(shape, dtype=np.int64))
    width = max((len(v) // stride for v in lists), default=0) if stride else 0
    out = np.empty((len(lists), width, *shape), dtype=_PARSED_DTYPES[dtype])
    out[...] = pad[()] if dtype == "string" else pad
    rows = out.reshape(len(lists), width * stride)
    for index, values in enumerate(lists):
        if len(values):
            rows[index, :len(values)] = list(values) if dtype == "string" else values
    return out


# -- decode_csv ---------------------------------------------------------------------------

_CSV_OUT_TYPES = ("float32", "float64", "int32", "int64", "string")


def _csv_record_error(message: str):
    """TensorFlow's InvalidArgumentError of the DecodeCSV kernel (a ValueError too)."""
    from cannery.data._csv import CsvError

    return CsvError(message)


def _csv_fields(record: str, delim: str, use_quote: bool) -> list[str]:
    """The fields of one record, as TensorFlow's DecodeCSVOp::ExtractFields splits it."""
    fields: list[str] = []
    n, i = len(record), 0
    if not n:
        return fields
    while i < n:
        if record[i] in "\n\r":
            i += 1
            continue
        quoted = use_quote and record[i] == '"'
        if not quoted:
            j = record.find(delim, i)
            j = n if j < 0 else j
            field = record[i:j]
            if (use_quote and '"' in field) or "\n" in field or "\r" in field:
                raise _csv_record_error("Unquoted fields cannot have quotes/CRLFs inside")
            i = j + 1
        else:
            i += 1
            parts = []
            while i < n - 1 and (record[i] != '"' or record[i + 1] != delim):
                if record[i] != '"':
                    parts.append(record[i])
                    i += 1
                else:
                    if record[i + 1] != '"':
                        raise _csv_record_error(
                            "Quote inside a string has to be escaped by another quote")
                    parts.append('"')
                    i += 2
            if not (i < n and record[i] == '"' and (i == n - 1 or record[i + 1] == delim)):
                raise _csv_record_error(
                    "Quoted field has to end with quote followed by delim or end")
            field = "".join(parts)
            i += 2
        fields.append(field)
    if record[-1] == delim:
        fields.append("")
    return fields


def _csv_number(text: str, dtype: str):
    """TensorFlow's safe_strto32/64 and safe_strtof/d: surrounding spaces allowed, no
    underscores, no '+' before an integer; None when the text is not a number."""
    stripped = text.strip(" \t\n\v\f\r")
    if not stripped or "_" in stripped:
        return None
    try:
        if dtype.startswith("int"):
            if stripped[0] == "+":
                return None  # safe_strto32/64 take a minus sign only
            value = int(stripped, 10)
            info = np.iinfo(dtype)
            return value if info.min <= value <= info.max else None
        return float(stripped)  # out of float32's range: inf, as TF's
    except ValueError:
        return None


def _csv_default(value, index: int):
    """(dtype name, default or None when required) of one ``record_defaults`` entry."""
    from cannery.math import convert_to_tensor

    array = np.asarray(convert_to_tensor(value))
    dtype = "string" if array.dtype.kind in "OSU" else array.dtype.name
    if dtype not in _CSV_OUT_TYPES:
        raise _csv_record_error(
            f"Value for attr 'OUT_TYPE' of {as_dtype(dtype).name} is not in the list of "
            f"allowed values: float, double, int32, int64, string")
    if array.size > 1:
        raise _csv_record_error(f"There should only be 1 default per field but field {index} "
                                f"has {array.size}")
    if array.size == 0:
        return dtype, None
    default = array.reshape(-1)[0]
    if dtype == "string":
        default = default.encode("utf-8") if isinstance(default, str) else bytes(default)
    return dtype, default


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, na_value="",
               select_cols=None, name=None):
    """``tf.io.decode_csv``: convert CSV records to tensors, one per column.

    As TensorFlow 2.15's DecodeCSV kernel (``decode_csv_op.cc``): fields split on
    ``field_delim``, optionally quoted (``""`` inside quotes is one quote); an empty field
    or one equal to ``na_value`` takes its column's default, and a column whose default
    is empty (``[]``, ``tf.constant([], tf.int64)``) is required; numbers may have
    surrounding spaces; strings are kept as they are.

    Args:
        records: a string tensor of any shape (one record per element): ``str``,
            ``bytes``, a list or array of them.
        record_defaults: one entry per column: a one-element list or scalar giving the
            default and the type (Python int: int32, float: float32, str: string; or an
            array/tensor of float32, float64, int32, int64 or string), or an empty one for
            a required column.
        field_delim: one character.
        use_quote_delim: treat double quotation marks as quoting fields.
        na_value: additional text that stands for a missing value.
        select_cols: increasing column indices to keep (one default per kept column).
        name: accepted for TensorFlow's signature.

    Returns:
        A list of EagerTensors shaped like ``records`` (strings as ``bytes``).

    Raises:
        ValueError: ``select_cols`` not strictly increasing, negative, or not as long as
            ``record_defaults``.
        cannery.errors.InvalidArgumentError: a record with the wrong number of fields, a
            missing required field, a value not of its column's type, misplaced quotes
            (TensorFlow's messages; a ValueError too).
    """
    del name
    from cannery.core.eager_tensor import as_eager

    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if any(b <= a for a, b in zip(select_cols, select_cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    if len(field_delim) != 1:
        raise _csv_record_error("field_delim should be only 1 char")
    columns = [_csv_default(value, i) for i, value in enumerate(record_defaults)]
    array = np.asarray(records, dtype=object) if not isinstance(records, np.ndarray) else records
    flat = array.reshape(-1)
    values = [[] for _ in columns]
    for r, record in enumerate(flat):
        if isinstance(record, np.ndarray):
            record = record[()]
        text = record.decode("utf-8", "surrogateescape") if isinstance(record, bytes) \
            else str(record)
        fields = _csv_fields(text, field_delim, use_quote_delim)
        if select_cols is not None:
            fields = [fields[c] for c in select_cols if c < len(fields)]
        if len(fields) != len(columns):
            raise _csv_record_error(f"Expect {len(columns)} fields but have {len(fields)} "
                                    f"in record {r}")
        for f, ((dtype, default), field, out) in enumerate(zip(columns, fields, values)):
            if not field or field == na_value:
                if default is None:
                    raise _csv_record_error(f"Field {f} is required but missing in record {r}!")
                out.append(default)
            elif dtype == "string":
                out.append(field.encode("utf-8", "surrogateescape"))
            else:
                value = _csv_number(field, dtype)
                if value is None:
                    kind = {"float32": "float", "float64": "double"}.get(dtype, dtype)
                    raise _csv_record_error(
                        f"Field {f} in record {r} is not a valid {kind}: {field}")
                out.append(value)
    result = []
    for (dtype, _), column in zip(columns, values):
        out = np.empty(len(column), dtype=object if dtype == "string" else dtype)
        with np.errstate(over="ignore"):  # beyond float32's range: inf, as TF's strtof
            out[:] = column
        result.append(as_eager(out.reshape(array.shape)))
    return result
