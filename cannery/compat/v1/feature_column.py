"""``tf.compat.v1.feature_column``: the v2 factories, ``input_layer``, and the v1 argument
order of ``categorical_column_with_vocabulary_file``."""

import importlib

from cannery.core.dtypes import string
from cannery.keras.layers import input_layer

__all__ = ["categorical_column_with_vocabulary_file", "input_layer"]


def categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size=None,
                                            num_oov_buckets=0, default_value=None,
                                            dtype=string):
    """TensorFlow 1's order of :func:`cannery.feature_column.categorical_column_with_vocabulary_file`
    (``num_oov_buckets`` fourth, ``dtype`` last, no ``file_format``)."""
    from cannery import feature_column

    return feature_column.categorical_column_with_vocabulary_file(
        key, vocabulary_file, vocabulary_size=vocabulary_size, dtype=dtype,
        default_value=default_value, num_oov_buckets=num_oov_buckets)


def __getattr__(name):
    value = getattr(importlib.import_module("cannery.feature_column"), name, None)
    if value is None:
        raise AttributeError(
            f"cannery.compat.v1.feature_column has no attribute {name!r} (not provided by "
            f"cannery)")
    return value
