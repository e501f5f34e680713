"""From an ``input_fn`` to a stream of ``(features, labels)`` batches.

The estimator runtime calls :func:`call_input_fn`. It passes the subset of
``mode``, ``params``, ``config`` and ``input_context`` that the input function's
signature names (tensorflow_estimator ``Estimator._call_input_fn`` with
``function_utils.fn_args``), then :func:`iterate_batches` accepts whatever the
function returned:

* a tuple ``(features, labels)`` or a features dict — one batch;
* a :class:`cannery.data.Dataset` (e.g. from ``numpy_input_fn``);
* any iterable or generator of batches, each a tuple or a features dict;
* a TensorFlow ``tf.data.Dataset``, recognised by duck typing: tensors are converted
  with ``.numpy()`` (TensorFlow is never imported).

The next batch is prepared on a background thread while the model computes.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator, Mapping

import numpy as np

from cannery.random import graph_seed
from cannery.core.eager_tensor import EagerTensor
from cannery.core.tensors import SparseTensor

_PREFETCH_BATCHES = 1


def _fn_args(fn) -> tuple[str, ...]:
    """Named arguments of ``fn`` (minus those a ``functools.partial`` already binds)."""
    if isinstance(fn, functools.partial):
        args = _fn_args(fn.func)[len(fn.args):]
        return tuple(a for a in args if a not in (fn.keywords or {}))
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in parameters
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def call_input_fn(input_fn, mode, config=None, params=None, input_context=None, *,
                  prefetch: bool = True) -> BatchIterator:
    """Call ``input_fn`` and iterate the batches it produces.

    Args:
        input_fn: a callable taking any subset of ``mode``, ``params``, ``config``,
            ``input_context``.
        mode: the ``ModeKeys`` value passed as ``mode``.
        config: the ``RunConfig`` passed as ``config``.
        params: the dict passed as ``params``.
        input_context: passed only when not None and named by ``input_fn``.
        prefetch: prepare the next batch on a background thread.

    ``input_fn`` runs as in the fresh graph TensorFlow builds for it, with
    ``config.tf_random_seed`` as the graph seed (:func:`cannery.random.graph_seed`), so
    a ``Dataset.shuffle`` inside it takes TensorFlow's seeds.

    Returns:
        A :class:`BatchIterator` of ``(features: dict, labels or None)``.

    Raises:
        TypeError: if ``input_fn`` is not callable.
        ValueError: from iteration, if a batch's features are not a dict.
    """
    if not callable(input_fn):
        raise TypeError(f"input_fn must be callable; received {type(input_fn).__name__}")
    names = _fn_args(input_fn)
    kwargs = {}
    if "mode" in names:
        kwargs["mode"] = mode
    if "params" in names:
        kwargs["params"] = params
    if "config" in names:
        kwargs["config"] = config
    if input_context is not None and "input_context" in names:
        kwargs["input_context"] = input_context
    with graph_seed(getattr(config, "tf_random_seed", None)):
        result = input_fn(**kwargs)
    return iterate_batches(result, prefetch=prefetch)


def iterate_batches(result, *, prefetch: bool = True, first_batch_inline: bool = False,
                    prepare=None) -> BatchIterator:
    """Iterate ``(features, labels)`` batches of an ``input_fn`` result (see module doc).

    Args:
        result: what an input function returned.
        prefetch: prepare the next batch on a background thread (off: everything runs
            in the caller's thread, handy in tests and debuggers).
        first_batch_inline: with ``prefetch``, make the first two batches on the
            caller's thread and start the background thread only once a second batch
            exists, so a one-batch input (a single-example ``predict()``) pays for no
            thread.
        prepare: optional ``prepare(features) -> features`` applied to every batch
            where it is made (on the prefetch thread when prefetching): the estimator
            runtime passes one that computes the model's column transforms there, so
            their kernels (which release the GIL) overlap the previous step.

    Returns:
        A :class:`BatchIterator`; close it (or use ``with``) to stop the background thread
        early.
    """
    from cannery.data.dataset import _Prefetch

    if prefetch and not isinstance(result, _Prefetch):  # a prefetching Dataset needs no second thread
        if first_batch_inline:
            return BatchIterator(_PrefetchAfterFirst(_batches(result, prepare)))
        from cannery.data._prefetch import Prefetcher

        return BatchIterator(Prefetcher(lambda: _batches(result, prepare), _PREFETCH_BATCHES,
                                        name="cannery-input-prefetch"))
    return BatchIterator(_batches(result, prepare))


class _PrefetchAfterFirst(Iterator):
    """The first two items from ``source`` on the caller's thread, the rest prefetched.

    A one-batch input ends at the second request, which therefore also runs inline.
    When a second item exists, a prefetch thread takes over the source and prepares
    the third while the caller uses the second. The source is never resumed from two
    threads at once: the caller stops touching it once the thread has it.
    """

    def __init__(self, source: Iterator):
        self._source = source
        self._prefetcher = None
        self._inline = 2

    def __next__(self):
        if self._prefetcher is not None:
            return next(self._prefetcher)
        if self._inline == 0:
            raise StopIteration
        self._inline -= 1
        item = next(self._source)
        if self._inline == 0:
            from cannery.data._prefetch import Prefetcher

            source = self._source
            self._prefetcher = Prefetcher(lambda: source, _PREFETCH_BATCHES,
                                          name="cannery-input-prefetch")
        return item

    def close(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.close()
            return
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


class BatchIterator(Iterator):
    """An iterator of ``(features, labels)`` that can be closed early."""

    def __init__(self, source: Iterator):
        self._source = source

    def __next__(self):
        return next(self._source)

    def close(self) -> None:
        """Stop producing batches (and join a prefetch thread)."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _is_single_batch(result) -> bool:
    if isinstance(result, Mapping):
        return True
    if isinstance(result, tuple) and len(result) in (1, 2):
        # ((f1, l1), (f2, l2)) is a sequence of batches; (features, labels) is one batch
        return not isinstance(result[0], (tuple, list))
    return False


def _batches(result, prepare=None) -> Iterator[tuple[dict, object]]:
    if prepare is not None:
        for features, labels in _batches(result):
            yield prepare(features), labels
        return
    if _is_single_batch(result):
        yield _split(_to_numpy(result))
        return
    if isinstance(result, (str, bytes, np.ndarray, SparseTensor)) or not hasattr(
            result, "__iter__"):
        _raise_not_a_dict(result)
    from cannery.data.dataset import Dataset

    # a cannery Dataset's own elements: plain numpy, not the EagerTensors users iterate
    elements = result._elements() if isinstance(result, Dataset) else result
    for element in elements:
        yield _split(_to_numpy(element))


def _split(element) -> tuple[dict, object]:
    if isinstance(element, Mapping):
        features, labels = element, None
    elif isinstance(element, (tuple, list)) and len(element) == 2:
        features, labels = element
    elif isinstance(element, (tuple, list)) and len(element) == 1:
        features, labels = element[0], None
    else:
        features, labels = element, None
    if not isinstance(features, Mapping):
        _raise_not_a_dict(features)
    return dict(features), labels


def _raise_not_a_dict(features):
    # TensorFlow's feature-column input layer message (feature_column_v2.py)
    raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: "
                     f"{type(features)}")


def _to_numpy(value):
    """Replace TensorFlow eager tensors (duck-typed) with numpy values, recursively."""
    if isinstance(value, EagerTensor):
        return value.view(np.ndarray)  # tf.constant values, a Dataset's elements
    if isinstance(value, (np.ndarray, SparseTensor, str, bytes, int, float)) or value is None:
        return value
    if isinstance(value, Mapping):
        if set(map(type, value.values())) <= _NDARRAY:  # a Dataset's batch: nothing to do
            return value
        return {k: _to_numpy(v) for k, v in value.items()}
    if isinstance(value, tuple):
        items = [_to_numpy(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return value if not value or not _is_tf(value[0]) else [_to_numpy(v) for v in value]
    if hasattr(value, "dense_shape") and hasattr(value, "indices") and hasattr(value, "values"):
        return SparseTensor(_to_numpy(value.indices), _to_numpy(value.values),
                            _to_numpy(value.dense_shape))
    if hasattr(value, "row_splits") and hasattr(value, "to_list"):  # tf.RaggedTensor
        return value.to_list()
    numpy = getattr(value, "numpy", None)
    if callable(numpy):
        return numpy()
    return value


_NDARRAY = {np.ndarray}


def _is_tf(value) -> bool:
    return callable(getattr(value, "numpy", None)) and not isinstance(value, np.ndarray)


def csv_input_fn(path, label=None, batch_size=128, num_epochs=1, shuffle=False,
                 shuffle_seed=None, **csv_options):
    """An ``input_fn`` streaming a CSV file (or glob / list of files) in batches.

    Built on :func:`cannery.data.experimental.make_csv_dataset`; the column named
    ``label`` is split off as the labels.

    Args:
        path: file path, glob pattern or list of them.
        label: name of the label column, or None (features only, e.g. for predict).
        batch_size: rows per batch.
        num_epochs: passes over the data (None: forever).
        shuffle: shuffle files and rows.
        shuffle_seed: seed for shuffling; default ``config.tf_random_seed``.
        **csv_options: further ``make_csv_dataset`` arguments (``column_defaults``,
            ``select_columns``, ``na_value``, ``block_size`` ...).

    Returns:
        ``input_fn(config=None)`` returning a Dataset of ``(features, labels)`` batches.
    """

    def input_fn(config=None):
        from cannery.data.experimental import make_csv_dataset

        seed = shuffle_seed
        if seed is None and config is not None:
            seed = getattr(config, "tf_random_seed", None)
        return make_csv_dataset(path, batch_size, label_name=label, num_epochs=num_epochs,
                                shuffle=shuffle, shuffle_seed=seed, **csv_options)

    return input_fn


__all__ = ["BatchIterator", "call_input_fn", "csv_input_fn", "iterate_batches"]
