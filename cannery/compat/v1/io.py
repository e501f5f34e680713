"""``tf.compat.v1.io``: v1's ``parse_example`` and ``parse_single_example``, which take
``name`` before ``example_names``, v1's ``decode_csv`` (``name`` before ``na_value``), and
the feature specs."""

from __future__ import annotations

from cannery.io import FixedLenFeature, VarLenFeature
from cannery.io import decode_csv as _decode_csv
from cannery.io import parse_example as _parse_example
from cannery.io import parse_single_example as _parse_single_example

__all__ = ["FixedLenFeature", "VarLenFeature", "decode_csv", "parse_example",
           "parse_single_example"]


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
