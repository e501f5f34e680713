"""``tf.compat.v1.io``: v1's ``parse_example`` and ``parse_single_example``, which take
``name`` before ``example_names``, v1's ``decode_csv`` (``name`` before ``na_value``), the
feature specs, ``gfile`` and the TFRecord names (``TFRecordWriter``, ``TFRecordOptions``,
``TFRecordCompressionType``, ``tf_record_iterator``), which are also
``tf.compat.v1.python_io``'s."""

from __future__ import annotations

from cannery.io import FixedLenFeature, VarLenFeature
from cannery.io import decode_csv as _decode_csv
from cannery.io import parse_example as _parse_example
from cannery.io import parse_single_example as _parse_single_example

__all__ = ["FixedLenFeature", "TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter",
           "VarLenFeature", "decode_csv", "gfile", "parse_example", "parse_single_example",
           "tf_record_iterator"]

_TFRECORD_NAMES = ("TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter",
                   "tf_record_iterator")


def __getattr__(name: str):
    # loaded on first use: the TFRecord reader compiles numba kernels
    if name in _TFRECORD_NAMES:
        from cannery.data import _tfrecord

        value = getattr(_tfrecord, name)
    elif name == "gfile":
        from cannery import _gfile as value
    elif name == "python_io":
        import types

        from cannery.data import _tfrecord

        value = types.ModuleType("cannery.compat.v1.python_io",
                                 "``tf.compat.v1.python_io``: the TFRecord writer and iterator.")
        for attribute in _TFRECORD_NAMES:
            setattr(value, attribute, getattr(_tfrecord, attribute))
        value.__all__ = list(_TFRECORD_NAMES)
    else:
        raise AttributeError(f"module 'cannery.compat.v1.io' has no attribute {name!r}")
    globals()[name] = value
    return value


def parse_example(serialized, features, name=None, example_names=None) -> dict:
    """``tf.compat.v1.io.parse_example``: :func:`cannery.io.parse_example` with v1's
    argument order."""
    return _parse_example(serialized, features, example_names=example_names, name=name)


def parse_single_example(serialized, features, name=None, example_names=None) -> dict:
    """``tf.compat.v1.io.parse_single_example``: :func:`cannery.io.parse_single_example`
    with v1's argument order."""
    return _parse_single_example(serialized, features, example_names=example_names, name=name)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """``tf.compat.v1.io.decode_csv`` (also ``tf.compat.v1.decode_csv``):
    :func:`cannery.io.decode_csv` with v1's argument order."""
    return _decode_csv(records, record_defaults, field_delim=field_delim,
                       use_quote_delim=use_quote_delim, na_value=na_value,
                       select_cols=select_cols, name=name)
