"""``cannery.data.experimental``: ``tf.data.experimental``.

``make_csv_dataset`` (streaming CSV with pyarrow); ``make_batched_features_dataset`` and
``parse_example_dataset`` (TFRecord files of ``tf.train.Example``, loaded on first use);
the functional forms of Dataset transformations (``dataset.apply(scan(...))``); the
cardinality constants; the option types of ``tf.data.Options``.
"""

from __future__ import annotations

import importlib

from cannery.data._csv import make_csv_dataset
from cannery.data.dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    AutoShardPolicy,
    AutotuneAlgorithm,
    AutotuneOptions,
    Dataset,
    DistributeOptions,
    ExternalStatePolicy,
    OptimizationOptions,
    ThreadingOptions,
    _AssertCardinality,
)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AutoShardPolicy",
           "AutotuneAlgorithm", "AutotuneOptions", "Counter", "DistributeOptions",
           "ExternalStatePolicy", "OptimizationOptions", "ThreadingOptions",
           "assert_cardinality", "cardinality", "choose_from_datasets", "enumerate_dataset",
           "get_single_element", "ignore_errors", "make_batched_features_dataset",
           "make_csv_dataset", "map_and_batch", "parse_example_dataset",
           "sample_from_datasets", "scan", "shuffle_and_repeat", "take_while", "unbatch",
           "unique"]

_TFRECORD = ("make_batched_features_dataset", "parse_example_dataset")


def __getattr__(name: str):
    # the TFRecord reader is only imported by the programs that read TFRecords
    if name in _TFRECORD:
        value = getattr(importlib.import_module("cannery.data._tfrecord"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cannery.data.experimental' has no attribute {name!r}")


def cardinality(dataset):
    """``tf.data.experimental.cardinality``: ``dataset.cardinality()``."""
    return dataset.cardinality()


def Counter(start=0, step=1, dtype="int64"):  # noqa: N802 - TensorFlow's name
    """``start``, ``start + step``, ... forever (``Dataset.counter``)."""
    return Dataset.counter(start, step, dtype)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """``Dataset.sample_from_datasets`` (without ``rerandomize_each_iteration``)."""
    return Dataset.sample_from_datasets(datasets, weights=weights, seed=seed,
                                        stop_on_empty_dataset=stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=False):
    """``Dataset.choose_from_datasets``, but by default going on past an exhausted
    dataset (this endpoint's ``stop_on_empty_dataset`` defaults to False)."""
    return Dataset.choose_from_datasets(datasets, choice_dataset,
                                        stop_on_empty_dataset=stop_on_empty_dataset)


def get_single_element(dataset):
    """``dataset.get_single_element()``.

    Raises:
        TypeError: ``dataset`` is not a Dataset.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError("Invalid `dataset`. Expected a `tf.data.Dataset` object but got "
                        f"{type(dataset)}.")
    return dataset.get_single_element()


def unbatch():
    """For ``dataset.apply``: ``dataset.unbatch()``."""
    return lambda dataset: dataset.unbatch()


def enumerate_dataset(start=0):
    """For ``dataset.apply``: ``dataset.enumerate(start)``."""
    return lambda dataset: dataset.enumerate(start)


def scan(initial_state, scan_func):
    """For ``dataset.apply``: ``dataset.scan(initial_state, scan_func)``."""
    return lambda dataset: dataset.scan(initial_state, scan_func)


def take_while(predicate):
    """For ``dataset.apply``: ``dataset.take_while(predicate)``."""
    return lambda dataset: dataset.take_while(predicate)


def unique():
    """For ``dataset.apply``: ``dataset.unique()``."""
    return lambda dataset: dataset.unique()


def ignore_errors(log_warning=False):
    """For ``dataset.apply``: ``dataset.ignore_errors(log_warning)``."""
    return lambda dataset: dataset.ignore_errors(log_warning)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """For ``dataset.apply``: ``dataset.shuffle(buffer_size, seed).repeat(count)``, as
    TensorFlow 2.15 defines it (same order)."""
    return lambda dataset: dataset.shuffle(buffer_size, seed=seed,
                                           reshuffle_each_iteration=True).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """For ``dataset.apply``: ``dataset.map(map_func).batch(batch_size, drop_remainder)``.

    Raises:
        ValueError: both ``num_parallel_batches`` and ``num_parallel_calls`` are set.
    """
    if num_parallel_batches is not None and num_parallel_calls is not None:
        raise ValueError("`map_and_batch` allows only one of `num_parallel_batches` and "
                         "`num_parallel_calls` to be set, but `num_parallel_batches` was set "
                         f"to {num_parallel_batches} and `num_parallel_calls` as set to "
                         f"{num_parallel_calls}.")
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


def assert_cardinality(expected_cardinality):
    """For ``dataset.apply``: the dataset, reporting ``expected_cardinality`` as its
    cardinality and checking it while iterated.

    Raises:
        cannery.errors.FailedPreconditionError: when iterated, if the dataset has fewer
            or more elements (or ends while INFINITE_CARDINALITY was asserted).
    """
    expected = int(expected_cardinality)
    return lambda dataset: _AssertCardinality(dataset, expected)
