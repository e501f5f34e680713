"""``tf.strings``: the string operations input and ``Dataset.map`` functions use.

Numpy-backed, element by element, with TensorFlow 2.15's semantics: inputs are
converted as ``tf.convert_to_tensor`` does (``str`` encoded as UTF-8), string results are
EagerTensors of ``bytes`` shaped like the input. ``lower``/``upper`` change ASCII letters
only unless ``encoding='utf-8'``; ``strip`` removes ASCII whitespace; ``regex_*`` use
Python's ``re`` (TensorFlow uses RE2, whose syntax agrees on common patterns).
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["as_string", "join", "length", "lower", "regex_full_match", "regex_replace",
           "split", "strip", "to_number", "upper"]


def _strings(value, what: str = "input") -> np.ndarray:
    from cannery.math import convert_to_tensor

    array = np.asarray(convert_to_tensor(value))
    if array.dtype != object or not all(isinstance(v, bytes) for v in array.reshape(-1)):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype string "
                        f"(tf.strings: `{what}` must be strings; received dtype {array.dtype})")
    return array


def _map(array: np.ndarray, function, dtype=object):
    from cannery.core.eager_tensor import as_eager

    out = np.empty(array.shape, dtype=dtype)
    out.reshape(-1)[:] = [function(v) for v in array.reshape(-1)]
    return as_eager(out)


def _check_encoding(encoding: str) -> str:
    if encoding not in ("", "utf-8", "UTF-8"):
        raise ValueError(f"tf.strings: encoding must be '' or 'utf-8'; received {encoding!r}")
    return encoding.lower()


def lower(input, encoding="", name=None):  # noqa: A002 - TensorFlow's name
    """``tf.strings.lower``: ASCII letters lowered (every letter with ``encoding='utf-8'``)."""
    del name
    if _check_encoding(encoding):
        return _map(_strings(input), lambda v: v.decode("utf-8").lower().encode("utf-8"))
    return _map(_strings(input), bytes.lower)


def upper(input, encoding="", name=None):  # noqa: A002
    """``tf.strings.upper``: ASCII letters raised (every letter with ``encoding='utf-8'``)."""
    del name
    if _check_encoding(encoding):
        return _map(_strings(input), lambda v: v.decode("utf-8").upper().encode("utf-8"))
    return _map(_strings(input), bytes.upper)


def strip(input, name=None):  # noqa: A002
    """``tf.strings.strip``: leading and trailing ASCII whitespace removed."""
    del name
    return _map(_strings(input), lambda v: v.strip(b" \t\n\v\f\r"))


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """``tf.strings.split`` of one string (a 0-d tensor, as in ``Dataset.map`` over
    unbatched text): a 1-D string tensor of its tokens. ``sep`` None or ``""`` splits at
    runs of ASCII whitespace and drops empty tokens; another ``sep`` splits at each
    occurrence and keeps empty tokens. ``maxsplit`` limits the splits (-1: no limit).

    Raises:
        cannery.errors.UnimplementedError: input of rank 1 or more, for which
            TensorFlow returns a RaggedTensor (cannery has none).
    """
    from cannery.core.eager_tensor import as_eager
    from cannery.errors import UnimplementedError

    del name
    array = _strings(input)
    if array.ndim != 0:
        raise UnimplementedError(
            f"tf.strings.split: input of shape {list(array.shape)} would give a "
            "RaggedTensor, which cannery does not have; split one string at a time "
            "(e.g. in Dataset.map before batching, or with padded_batch after)")
    separator = None if sep is None else _strings(sep, "sep").item()
    if separator == b"":
        separator = None
    tokens = array.item().split(separator, int(maxsplit))
    out = np.empty(len(tokens), dtype=object)
    out[:] = tokens
    return as_eager(out)


def length(input, name=None, unit="BYTE"):  # noqa: A002
    """``tf.strings.length``: int32 lengths in bytes, or in characters with
    ``unit='UTF8_CHAR'``."""
    del name
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"tf.strings.length: unit must be 'BYTE' or 'UTF8_CHAR'; received "
                         f"{unit!r}")
    if unit == "BYTE":
        return _map(_strings(input), len, np.int32)
    return _map(_strings(input), lambda v: len(v.decode("utf-8", "replace")), np.int32)


def _pattern(pattern) -> bytes:
    if hasattr(pattern, "numpy"):
        pattern = pattern.numpy()
    return pattern.encode("utf-8") if isinstance(pattern, str) else bytes(pattern)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """``tf.strings.regex_replace``: matches of ``pattern`` replaced by ``rewrite``
    (``\\1`` for a group), all of them or only the first."""
    del name
    compiled = re.compile(_pattern(pattern))
    replacement = _pattern(rewrite)
    count = 0 if replace_global else 1
    return _map(_strings(input), lambda v: compiled.sub(replacement, v, count=count))


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """``tf.strings.regex_full_match``: whether each whole string matches ``pattern``."""
    del name
    compiled = re.compile(_pattern(pattern))
    return _map(_strings(input), lambda v: compiled.fullmatch(v) is not None, np.bool_)


def join(inputs, separator="", name=None):
    """``tf.strings.join``: the strings of ``inputs`` (a list of tensors of one shape, or
    scalars) joined element by element with ``separator``."""
    del name
    from cannery.core.eager_tensor import as_eager

    arrays = [_strings(v, "inputs") for v in inputs]
    if not arrays:
        raise ValueError("tf.strings.join: `inputs` must not be empty")
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ValueError("tf.strings.join: the inputs must have one shape (or be scalars); "
                         f"received shapes {[a.shape for a in arrays]}") from None
    sep = _pattern(separator)
    out = np.empty(arrays[0].shape, dtype=object)
    flat = out.reshape(-1)
    columns = [a.reshape(-1) for a in arrays]
    for i in range(len(flat)):
        flat[i] = sep.join(column[i] for column in columns)
    return as_eager(out)


def to_number(string_tensor, out_type="float32", name=None):
    """``tf.strings.to_number``: strings parsed as ``out_type`` (float32, float64, int32,
    int64), surrounding spaces allowed.

    Raises:
        cannery.errors.InvalidArgumentError: a string that is not a number of that type
            (TensorFlow's "StringToNumberOp could not correctly convert string: ..."; a
            ValueError too).
    """
    del name
    from cannery.core.dtypes import as_dtype
    from cannery.data._csv import CsvError
    from cannery.io import _csv_number

    dtype = as_dtype(out_type).name
    if dtype not in ("float32", "float64", "int32", "int64"):
        raise TypeError(f"tf.strings.to_number: out_type must be float32, float64, int32 or "
                        f"int64; received {dtype}")

    def parse(value: bytes):
        text = value.decode("utf-8", "surrogateescape")
        number = _csv_number(text, dtype)
        if number is None:
            raise CsvError(f"StringToNumberOp could not correctly convert string: {text}")
        return number

    with np.errstate(over="ignore"):
        return _map(_strings(string_tensor, "string_tensor"), parse, dtype)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """``tf.strings.as_string``: numbers and bools formatted as TensorFlow's AsString op
    does (``%f`` style for floats by default, ``true``/``false`` for bools)."""
    del name
    from cannery.core.eager_tensor import as_eager
    from cannery.math import convert_to_tensor

    array = np.asarray(convert_to_tensor(input))
    if scientific and shortest:
        raise ValueError("Cannot select both scientific and shortest notation")
    if fill and len(fill) > 1:
        raise ValueError(f"Fill string must be one or fewer characters: {fill}")
    kind = array.dtype.kind
    spec = "%" + (fill if fill else "") + (str(width) if width > -1 else "")
    if kind == "f":
        spec += (f".{precision}" if precision > -1 else "") + (
            "g" if shortest else "e" if scientific else "f")
    elif kind in "iu":
        spec += "d"
    elif kind == "b":
        spec += "s"
    elif kind == "O":
        spec += "s"
    else:
        raise TypeError(f"tf.strings.as_string: unsupported dtype {array.dtype}")
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, value in enumerate(array.reshape(-1)):
        if kind == "b":
            value = "true" if value else "false"
        elif kind == "O":
            value = value.decode("utf-8", "surrogateescape")
        flat[i] = (spec % value).encode("utf-8", "surrogateescape")
    return as_eager(out)
