"""``cannery.data.Dataset``: the subset of ``tf.data.Dataset`` that estimator input_fns use.

Two execution paths share one public API:

* **columnar** — a source of whole columns (``from_tensor_slices``, ``range``,
  ``counter``, ``random``, the CSV reader, ``unbatch``) followed by ``shuffle``,
  ``repeat``, ``take``, ``skip``, ``shard``, ``enumerate``, ``concatenate`` (of two
  columnar datasets), ``cache`` and ``prefetch`` moves *chunks* (a flat list of equally
  long leaf arrays plus the spec of the nest) and ``batch`` cuts batches out of them by
  slicing and one vectorised ``take`` per column. Nothing runs per example in Python.
* **per element** — after ``map``/``filter`` (and ``interleave``, ``flat_map``,
  ``scan``, ``window``, ``padded_batch``, ``sample_from_datasets`` ...), or from a
  generator, elements flow one by one (``batch`` then stacks them); after ``batch`` an
  element is a whole batch, so this path is cheap there.

Semantics follow TensorFlow 2.15's ``tensorflow/python/data/ops/dataset_ops.py``:
``repeat(None)`` is infinite, ``shuffle`` is the buffer shuffle (fill ``buffer_size``
elements, emit a uniformly chosen one, put the next input element in its slot) and
reshuffles on every iteration unless ``reshuffle_each_iteration=False``, ``map``
unpacks tuple elements as positional arguments, ``batch`` keeps a smaller final batch
unless ``drop_remainder=True``. ``shuffle`` gives TensorFlow's exact order whenever
TensorFlow's is reproducible (a seed is known), with its Philox stream; so do
``list_files``, ``Dataset.random`` and ``sample_from_datasets`` (RandomDataset pairs
seeding ``stateless_multinomial``). ``interleave`` follows InterleaveDatasetOp's
deterministic order, ``window`` WindowDatasetOp's buffer, and cardinalities follow each
kernel's ``CardinalityInternal``.

Functions given to ``map``, ``interleave``, ``scan`` ... run eagerly on numpy values:
where TensorFlow traces them (an element_spec, the type checks of ``scan``'s state)
cannery runs them on the first element, and an error TensorFlow raises when the
dataset is built may come when it is iterated.
"""

from __future__ import annotations

import enum
import itertools
import logging
import threading
from collections.abc import Callable, Iterator

import numpy as np

from cannery.data import _structure as st
from cannery.core.eager_tensor import SparseTensorSpec, TensorShape, TensorSpec
from cannery.core.tensors import SparseTensor
from cannery.data._prefetch import Prefetcher
from cannery.errors import DataLossError, InvalidArgumentError

logger = logging.getLogger(__name__)

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_AUTOTUNE_PREFETCH = 2  # batches kept ready when the user asks for AUTOTUNE

# A chunk is (spec, leaves): every leaf has the same number of rows.
Chunk = tuple


def _as_eager_leaf(value):
    from cannery.core.eager_tensor import EagerTensor

    if isinstance(value, np.ndarray):
        return value if isinstance(value, EagerTensor) else value.view(EagerTensor)
    if isinstance(value, np.generic) and value.dtype.kind not in "OSU":
        return np.asarray(value).view(EagerTensor)  # a 0-d tensor, as TensorFlow yields
    if isinstance(value, str):
        # a scalar string (a TextLineDataset line) stays a str, and answers .numpy() with
        # bytes as TensorFlow's 0-d string tensor does
        return _ScalarString(value)
    if isinstance(value, bytes):
        return _ScalarBytes(value)
    return value


_SCALAR_SHAPE = TensorShape(())


class _ScalarStringTensor:
    """What a scalar string element shares with TensorFlow's 0-d string tensor: its
    ``dtype`` and ``shape``; ``numpy()`` gives the bytes."""

    __slots__ = ()
    shape = _SCALAR_SHAPE

    @property
    def dtype(self):
        from cannery.core.dtypes import string

        return string


class _ScalarString(_ScalarStringTensor, str):
    """A ``str`` element of a Dataset (``numpy()``: its UTF-8 bytes)."""

    __slots__ = ()

    def numpy(self) -> bytes:
        return self.encode("utf-8", "surrogateescape")


class _ScalarBytes(_ScalarStringTensor, bytes):
    """A ``bytes`` element of a Dataset."""

    __slots__ = ()

    def numpy(self) -> bytes:
        return bytes(self)


def _as_eager_element(element):
    """One element as TensorFlow's eager iteration gives it: numeric and array leaves with
    ``.numpy()`` (views of the same memory)."""
    if isinstance(element, (np.ndarray, np.generic)):
        return _as_eager_leaf(element)
    spec, leaves = st.flatten(element)
    return st.unflatten(spec, [_as_eager_leaf(v) for v in leaves])


def _as_numpy_leaf(value):
    from cannery.core.eager_tensor import _as_tf_strings

    if isinstance(value, str):  # a line of a text file: its bytes, undecodable ones kept
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, np.ndarray):
        value = _as_tf_strings(value)
        if value.dtype == object and value.size and isinstance(value.flat[0], str):
            out = np.empty(value.shape, dtype=object)
            out.reshape(-1)[:] = [v.encode("utf-8", "surrogateescape") if isinstance(v, str)
                                  else v for v in value.reshape(-1).tolist()]
            return out
        return value
    if isinstance(value, np.str_):
        return str(value).encode("utf-8")
    return value


def _as_numpy_element(element):
    if isinstance(element, (np.ndarray, np.generic, str)):
        return _as_numpy_leaf(element)
    spec, leaves = st.flatten(element)
    return st.unflatten(spec, [_as_numpy_leaf(v) for v in leaves])


def _eager_elements(elements: Iterator) -> Iterator:
    try:
        for element in elements:
            yield _as_eager_element(element)
    finally:  # closing this iterator closes the source (a cache's pass, a prefetch thread)
        close = getattr(elements, "close", None)
        if close is not None:
            close()


def _check_positive(value, name: str, message: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer; received {value!r}")
    if value <= 0:
        raise ValueError(message or f"`{name}` must be greater than zero; received {value}")
    return int(value)


def _check_count(value, name: str) -> int:
    """A count where -1 means 'all' (take/skip/repeat)."""
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer or None; received {value!r}")
    return int(value)


class Dataset:
    """A re-iterable stream of elements (nests of dicts/tuples of numpy arrays).

    Build one with :meth:`from_tensor_slices`, :meth:`from_tensors`,
    :meth:`from_generator` or :meth:`range`, chain transformations, and iterate it
    (each ``for`` loop is a fresh pass, as in TensorFlow 2 eager mode).
    """

    #: True when the dataset can produce columnar chunks (see module docstring).
    _columnar = False

    # -- iteration ----------------------------------------------------------------

    def __iter__(self) -> Iterator:
        # TensorFlow 2 eager iteration yields tensors, and tutorials call .numpy() on them:
        # arrays come out as EagerTensor views (string arrays keep cannery's str values).
        return _eager_elements(self._elements())

    def as_numpy_iterator(self) -> Iterator:
        """Iterate the elements as TensorFlow's ``as_numpy_iterator`` gives them: numpy
        values, with strings as ``bytes`` (an object array of them for a batch)."""
        for element in self._elements():
            yield _as_numpy_element(element)

    def _elements(self) -> Iterator:
        if not self._columnar:
            raise NotImplementedError
        for spec, leaves in self._chunks():
            for i in range(st.chunk_rows(leaves)):
                yield st.unflatten(spec, [st.row(leaf, i) for leaf in leaves])

    def _chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def _tolerant_elements(self) -> Iterator:
        """The elements, with a :class:`_Failed` in place of an element whose computation
        raised (for :meth:`ignore_errors`). Here: the error ends the stream, since the
        source cannot go on after raising; ``map``, ``filter``, ``batch`` and
        ``prefetch`` go on past their own errors."""
        elements = self._elements()
        try:
            while True:
                try:
                    element = next(elements)
                except StopIteration:
                    return
                except Exception as exc:  # noqa: BLE001 - TensorFlow ignores any error
                    yield _Failed(exc)
                    return
                yield element
        finally:
            close = getattr(elements, "close", None)
            if close is not None:
                close()

    def cardinality(self) -> np.int64:
        """The number of elements: ``INFINITE_CARDINALITY`` (-1) for an endless dataset,
        ``UNKNOWN_CARDINALITY`` (-2) where it depends on the data (``filter``, generators),
        with TensorFlow's rules for each transformation. A 0-d int64 tensor, as TF's
        (``.numpy()`` gives the number)."""
        from cannery.core.eager_tensor import as_eager

        return as_eager(np.int64(self._cardinality()))

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    @property
    def element_spec(self):
        """The structure of an element: the element's nest of dicts/tuples with a
        ``TensorSpec(shape, dtype)`` (``SparseTensorSpec`` for a SparseTensor) per leaf.

        Shapes are TensorFlow's static ones: the batch dimension of :meth:`batch` is
        None unless ``drop_remainder=True``. Sources and transformations whose structure
        is known statically never read data; after :meth:`map` (which TensorFlow traces
        symbolically) the function is run on the first input element, and an output
        size equal to a dimension TensorFlow leaves unknown (None) in the input is None.

        Raises:
            ValueError: the structure can only be found by reading an element and the
                dataset is empty.
        """
        return self._element_spec()

    def _element_spec(self):
        # Sources without a static structure (file readers): the first element's.
        return _spec_of(self._first_element())

    def _peek_elements(self) -> Iterator:
        """Elements with the structure and static shapes of this dataset's, produced
        without consuming random state (shuffle seeds) or starting threads."""
        return self._elements()

    def _first_element(self):
        elements = self._peek_elements()
        try:
            return next(iter(elements))
        except StopIteration:
            raise ValueError(
                f"element_spec of {type(self).__name__}: the structure is found by reading "
                f"the first element, and the dataset is empty") from None
        finally:
            close = getattr(elements, "close", None)
            if close is not None:
                close()

    # -- sources --------------------------------------------------------------------

    @staticmethod
    def from_tensor_slices(tensors, name=None) -> Dataset:
        """One element per row of ``tensors`` (a nest of dicts/tuples of arrays).

        ``dict(dataframe)`` and pandas Series (including pandas 3's pyarrow-backed
        strings), Python lists, ragged lists of lists and ``SparseTensor``s are accepted
        as leaves; every leaf must have the same number of rows.

        Raises:
            ValueError: if a leaf is a scalar or the leaves differ in length.
        """
        del name
        spec, raw = st.flatten(tensors)
        paths = _leaf_paths(spec)
        leaves = [st.slices_leaf(v, name=p) for v, p in zip(raw, paths)]
        if not leaves:
            raise ValueError("from_tensor_slices needs at least one tensor; received an "
                             "empty structure")
        lengths = {p: st.rows_len(v) for p, v in zip(paths, leaves)}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                "Dimensions of all components must agree in the first dimension (number of "
                f"rows); received {lengths}"
            )
        return _Slices(spec, leaves)

    @staticmethod
    def from_tensors(tensors, name=None) -> Dataset:
        """A dataset of exactly one element, ``tensors`` (converted to arrays)."""
        del name
        spec, raw = st.flatten(tensors)
        leaves = [st.to_array(v) for v in raw]
        return _Elements(lambda: iter([st.unflatten(spec, leaves)]), cardinality=lambda: 1,
                         element_spec=lambda: _spec_of(st.unflatten(spec, leaves)))

    @staticmethod
    def from_generator(generator: Callable, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None) -> Dataset:
        """Elements yielded by ``generator(*args)``, called afresh on every pass.

        ``output_types``/``output_shapes``/``output_signature`` are accepted for
        compatibility; values are converted to numpy arrays as they come.
        """
        del name
        if not callable(generator):
            raise TypeError(f"`generator` must be callable; received {generator!r}")
        call_args = tuple(args or ())

        static = _generator_spec(output_types, output_shapes, output_signature)
        declared = None if static is None else st.flatten(static)[1]

        def make():
            # an exception of the generator itself propagates as it is (TensorFlow
            # reports it as an OpError: UnknownError for a RuntimeError)
            for element in generator(*call_args):
                spec, raw = st.flatten(element)
                if declared is None:
                    yield st.unflatten(spec, [st.to_array(v) for v in raw])
                else:
                    yield st.unflatten(spec, _generator_values(raw, declared, static, element))

        return _Elements(make, element_spec=None if static is None else lambda: static)

    @staticmethod
    def zip(*args, datasets=None, name=None) -> Dataset:
        """Elements combined from several datasets, in the nest they are given in.

        ``Dataset.zip((a, b))``, ``Dataset.zip(a, b)`` and ``Dataset.zip({"x": a, "y": b})``
        give ``(a_i, b_i)`` / ``{"x": a_i, "y": b_i}``; the result ends with the shortest
        input.

        Raises:
            TypeError: a leaf of the nest that is not a Dataset, or both positional
                datasets and ``datasets``.
        """
        del name
        if datasets is not None and args:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if datasets is None:
            datasets = args[0] if len(args) == 1 else tuple(args)
        spec, members = st.flatten(datasets)
        if not members:
            raise TypeError("Dataset.zip needs at least one dataset")
        for member in members:
            if not isinstance(member, Dataset):
                raise TypeError(
                    "Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                    "`tf.data.Dataset` objects but encountered object of type "
                    f"{type(member)}."
                )

        def make():
            for items in zip(*(m._elements() for m in members)):
                yield st.unflatten(spec, list(items))

        def peek():
            for items in zip(*(m._peek_elements() for m in members)):
                yield st.unflatten(spec, list(items))

        zipped = _Elements(make, cardinality=lambda: _zip_cardinality(members),
                           element_spec=lambda: st.unflatten(
                               spec, [m._element_spec() for m in members]),
                           peek=peek)
        zipped._members = members  # for options()
        return zipped

    @staticmethod
    def range(*args, output_type=np.int64, name=None, **kwargs) -> Dataset:
        """``range(stop)``, ``range(start, stop[, step])`` as scalars of ``output_type``
        (int64). As in TensorFlow 2.15 (``range_op._RangeDataset``), other keyword
        arguments -- ``dtype=`` included -- are ignored."""
        del name, kwargs
        output_type = getattr(output_type, "as_numpy_dtype", output_type)
        return _Slices(None, [np.arange(*args, dtype=output_type)])

    # -- transformations -------------------------------------------------------------

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None) -> Dataset:
        """Combine consecutive elements into batches (stacked along a new first axis).

        Args:
            batch_size: elements per batch (> 0).
            drop_remainder: drop a final batch smaller than ``batch_size``.

        Raises:
            ValueError: if ``batch_size <= 0``.
        """
        del num_parallel_calls, deterministic, name
        batch_size = _check_positive(batch_size, "batch_size",
                                     "batch_size must be greater than zero.")
        return _Batch(self, batch_size, bool(drop_remainder))

    def unbatch(self, name=None) -> Dataset:
        """Split every element along its first axis (the inverse of :meth:`batch`)."""
        del name
        return _Unbatch(self)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None,
                name=None) -> Dataset:
        """TensorFlow's buffer shuffle.

        Args:
            buffer_size: elements kept in the buffer (> 0); ``>=`` the dataset size gives a
                uniform permutation.
            seed: the op-level seed. With it, or with a global seed
                (``tf.random.set_seed``; inside an estimator's ``input_fn``,
                ``RunConfig.tf_random_seed``), the sequence of orders is TensorFlow
                2.15's; with neither it is random.
            reshuffle_each_iteration: a new order on every pass (default True).

        Raises:
            ValueError: if ``buffer_size <= 0``.
            TypeError: if ``seed`` is not an integer or None.
        """
        del name
        buffer_size = _check_positive(buffer_size, "buffer_size",
                                      "buffer_size must be greater than zero.")
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return _Shuffle(self, buffer_size, seed, reshuffle)

    def repeat(self, count=None, name=None) -> Dataset:
        """Repeat the dataset ``count`` times (``None`` or -1: forever)."""
        del name
        return _Repeat(self, _check_count(count, "count"))

    def take(self, count, name=None) -> Dataset:
        """The first ``count`` elements (-1: all)."""
        del name
        return _Take(self, _check_count(count, "count"))

    def skip(self, count, name=None) -> Dataset:
        """All but the first ``count`` elements (-1: skip everything)."""
        del name
        return _Skip(self, _check_count(count, "count"))

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None,
            name=None) -> Dataset:
        """Apply ``map_func`` to every element; tuple elements are unpacked as arguments."""
        del num_parallel_calls, deterministic, name
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable; received {map_func!r}")
        return _Map(self, map_func)

    def filter(self, predicate: Callable, name=None) -> Dataset:
        """Keep the elements for which ``predicate`` is true (tuples unpacked)."""
        del name
        return _Filter(self, predicate)

    def prefetch(self, buffer_size, name=None) -> Dataset:
        """Produce up to ``buffer_size`` elements ahead on a background thread.

        ``AUTOTUNE`` (-1) keeps two ready; 0 disables prefetching. Exceptions raised
        upstream surface in the consumer; the thread stops when the iteration is
        closed or garbage-collected.
        """
        del name
        buffer_size = _check_count(buffer_size, "buffer_size")
        if buffer_size == 0:
            return self
        if buffer_size < 0:
            buffer_size = _AUTOTUNE_PREFETCH
        return _Prefetch(self, buffer_size)

    def cache(self, filename="", name=None) -> Dataset:
        """Keep the first complete pass in memory and replay it on later passes.

        Only in-memory caching is implemented; a ``filename`` is ignored with a warning
        (cannery never serialises arbitrary Python objects to disk).
        """
        del name
        if filename:
            logger.warning("Dataset.cache(filename=%r): caching in memory instead of a file",
                           filename)
        return _Cache(self)

    def apply(self, transformation_func: Callable[[Dataset], Dataset]) -> Dataset:
        """``transformation_func(self)``."""
        return transformation_func(self)

    def with_options(self, options, name=None) -> Dataset:
        """Attach ``options`` (a :class:`Options`), merged over those of the inputs.

        :meth:`options` reports them; cannery's pipeline does not act on them (it has
        no graph optimizations or thread pools to configure).

        Raises:
            TypeError: ``options`` is not an :class:`Options`.
        """
        del name
        if not isinstance(options, Options):
            raise TypeError(f"`options` must be a tf.data.Options; received {options!r}")
        return _WithOptions(self, options)

    def options(self) -> Options:
        """The :class:`Options` of this dataset: those set by :meth:`with_options` here
        and upstream, merged as TensorFlow merges them (a later setting wins). The
        object is read-only, as TensorFlow's."""
        merged = Options()
        for upstream in self._inputs():
            merged = merged.merge(upstream.options())
        own = getattr(self, "_own_options", None)
        if own is not None:
            merged = merged.merge(own)
        merged._set_mutable(False)
        return merged

    def _inputs(self) -> list:
        """The datasets this one reads (for :meth:`options`)."""
        members = getattr(self, "_members", None)
        if members is not None:
            return list(members)
        upstream = getattr(self, "_input", None)
        return [upstream] if isinstance(upstream, Dataset) else []

    # -- length -----------------------------------------------------------------------

    def __len__(self):
        """The cardinality (a 0-d int64 tensor), as ``len(dataset)`` in TensorFlow.

        Raises:
            TypeError: the dataset is infinite or its length is unknown.
        """
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self.cardinality()

    def __bool__(self) -> bool:
        return True  # needed because __len__ is defined, as in TensorFlow

    # -- more transformations --------------------------------------------------------------

    def concatenate(self, dataset, name=None) -> Dataset:
        """The elements of this dataset, then those of ``dataset``.

        The element_spec is the most specific common supertype of both (a dimension the
        two disagree on becomes None; different ranks give an unknown rank).

        Raises:
            TypeError: the structures or dtypes of the elements differ.
        """
        del name
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a tf.data.Dataset; received {dataset!r}")
        try:
            spec = _common_spec(self._element_spec(), dataset._element_spec())
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Incompatible dataset elements:\n  {self._element_spec()} vs. "
                            f"  {dataset._element_spec()}") from exc
        return _Concatenate(self, dataset, spec)

    def enumerate(self, start=0, name=None) -> Dataset:
        """``(i, element)`` pairs, ``i`` an int64 scalar counting from ``start``."""
        del name
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
            raise TypeError(f"`start` must be an integer; received {start!r}")
        return _Enumerate(self, int(start))

    def flat_map(self, map_func: Callable, name=None) -> Dataset:
        """``map_func`` maps each element (tuples unpacked) to a Dataset; the result is
        their elements, one dataset after the other.

        Raises:
            TypeError: when iterated, if ``map_func`` does not return a Dataset.
        """
        del name
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable; received {map_func!r}")
        return _Interleave(self, map_func, 1, 1)

    def interleave(self, map_func: Callable, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None) -> Dataset:
        """TensorFlow's interleave: ``map_func`` maps each element (tuples unpacked) to a
        Dataset; ``cycle_length`` of them are open at once and ``block_length``
        consecutive elements are taken from each in turn. A dataset that ends is replaced
        by the next input element's in its slot of the cycle.

        The order is TensorFlow's deterministic one (``InterleaveDatasetOp``; with
        ``num_parallel_calls`` the parallel op's deterministic order, which is the same).
        cannery runs sequentially, so ``deterministic=False`` gives that order too.
        ``cycle_length=None`` (AUTOTUNE) is what TensorFlow picks on this machine: the
        number of schedulable CPU cores; with ``num_parallel_calls=N`` ``min(N, cores)``;
        with ``num_parallel_calls=AUTOTUNE`` ``ceil(cores / 3)``.

        Raises:
            cannery.errors.InvalidArgumentError (also ValueError): a ``cycle_length``,
                ``block_length`` or ``num_parallel_calls`` TensorFlow refuses.
        """
        del name
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable; received {map_func!r}")
        block = 1 if block_length is None else _as_int(block_length, "block_length")
        cycle = AUTOTUNE if cycle_length is None else _as_int(cycle_length, "cycle_length")
        cores = _max_parallelism()
        if num_parallel_calls is None:
            if deterministic is not None:
                import warnings

                warnings.warn("The `deterministic` argument has no effect unless the "
                              "`num_parallel_calls` argument is specified.", stacklevel=2)
            if cycle == AUTOTUNE:
                cycle = cores
            elif cycle <= 0:
                raise DatasetArgumentError("cycle_length must be greater than zero.")
            if block <= 0:
                raise DatasetArgumentError("block_length must be greater than zero.")
            return _Interleave(self, map_func, cycle, block)
        calls = _as_int(num_parallel_calls, "num_parallel_calls")
        if cycle != AUTOTUNE and cycle <= 0:
            raise DatasetArgumentError(f"`cycle_length` must be `tf.data.AUTOTUNE` or "
                                       f"greater than 0 but is {cycle}")
        if block <= 0:
            raise DatasetArgumentError("`block_length` must be > 0")
        if calls != AUTOTUNE and calls <= 0:
            raise DatasetArgumentError("num_parallel_calls must be greater than zero.")
        if cycle == AUTOTUNE:
            cycle = -(-cores // 3) if calls == AUTOTUNE else min(calls, cores)
        if calls != AUTOTUNE and calls > cycle:
            # TensorFlow checks a fixed cycle_length when the dataset is made and an
            # AUTOTUNE one when it is iterated; cannery checks both here.
            raise DatasetArgumentError(
                "If `cycle_length` is set to a fixed value, `num_parallel_calls` must be "
                "either `tf.data.AUTOTUNE` or a value less than or equal to `cycle_length`. "
                f"However, `num_parallel_calls` is {calls} and `cycle_length` is {cycle}")
        return _Interleave(self, map_func, cycle, block)

    def shard(self, num_shards, index, name=None) -> Dataset:
        """Every ``num_shards``-th element, starting with element ``index``.

        Raises:
            cannery.errors.InvalidArgumentError (also ValueError): ``num_shards <= 0`` or
                ``index`` outside ``[0, num_shards)``.
        """
        del name
        num_shards = _as_int(num_shards, "num_shards")
        index = _as_int(index, "index")
        if num_shards <= 0:
            raise DatasetArgumentError(f"Number of shards must be greater than zero "
                                       f"(currently num_shards = {num_shards}).")
        if not 0 <= index < num_shards:
            raise DatasetArgumentError(f"Index must be between 0 and {num_shards - 1} "
                                       f"(currently index = {index}).")
        return _Shard(self, num_shards, index)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None) -> Dataset:
        """Batch elements of different shapes, padding each component to a common shape.

        Args:
            batch_size: elements per batch (> 0).
            padded_shapes: per component (in the element's nest), the shape to pad to; a
                None (or -1) size pads to the largest in the batch. Default: the
                element_spec's shapes (unknown sizes padded to the batch's largest).
            padding_values: per component, a scalar of the component's dtype (one value
                is used for every component); None: 0, ``""`` for strings, False.
            drop_remainder: drop a final batch smaller than ``batch_size``.

        Raises:
            ValueError: a padded shape incompatible with the component's shape, or a
                padding value that is not a scalar.
            TypeError: a padding value of another dtype than its component, or a
                SparseTensor or Dataset component.
            cannery.errors.InvalidArgumentError (also ValueError): ``batch_size <= 0``.
            cannery.errors.DataLossError (also ValueError): when iterated, an element
                larger than its padded shape.
        """
        del name
        batch_size = _as_int(batch_size, "batch_size")
        if batch_size <= 0:
            raise DatasetArgumentError("Batch size must be greater than zero.")
        return _PaddedBatch(self, batch_size, padded_shapes, padding_values,
                            bool(drop_remainder))

    def rebatch(self, batch_size, drop_remainder=False, name=None) -> Dataset:
        """Re-cut batched elements into batches of ``batch_size`` (or, for a list, sizes
        cycling through it), as ``unbatch().batch(N)`` would.

        Raises:
            ValueError: elements that are scalars (not batched), a ``batch_size`` of rank
                above 1, or sizes below 1 (TensorFlow would loop on empty batches).
        """
        del name
        sizes = np.asarray(batch_size.numpy() if hasattr(batch_size, "numpy") else batch_size)
        if sizes.ndim > 1:
            raise ValueError(f"Invalid `batch_sizes`. Expected `batch_sizes` to be a scalar "
                             f"or a vector. Received `batch_sizes` of rank {sizes.ndim}.")
        if sizes.dtype.kind not in "iu" or sizes.size == 0 or (sizes <= 0).any():
            raise ValueError(f"rebatch: `batch_size` must be positive integers; received "
                             f"{batch_size!r}")
        return _Rebatch(self, [int(s) for s in sizes.reshape(-1)], sizes.ndim == 1,
                        bool(drop_remainder))

    def reduce(self, initial_state, reduce_func: Callable, name=None):
        """Fold the dataset: ``state = reduce_func(state, element)`` from
        ``initial_state``; returns the final state (tensors).

        Python numbers in ``initial_state`` take TensorFlow's dtypes (int32, float32).

        Raises:
            TypeError: the new state's dtypes differ from the initial state's.
            cannery.errors.InvalidArgumentError (also ValueError): the new state has
                another number of components.
        """
        del name
        spec, leaves = st.flatten(initial_state)
        state = st.unflatten(spec, [st.to_array(leaf) for leaf in leaves])
        types = _dtypes_of(state)
        for element in self._elements():
            state = _checked_state(reduce_func(state, element), types, "reduce")
        return _as_eager_element(state)

    def scan(self, initial_state, scan_func: Callable, name=None) -> Dataset:
        """A running state: ``(state, output) = scan_func(state, element)`` for each
        element from ``initial_state``; the dataset of the outputs.

        Raises:
            TypeError: when iterated, ``scan_func`` not returning a pair, or new state
                dtypes that differ from the initial state's.
        """
        del name
        if not callable(scan_func):
            raise TypeError(f"`scan_func` must be callable; received {scan_func!r}")
        return _Scan(self, initial_state, scan_func)

    def take_while(self, predicate: Callable, name=None) -> Dataset:
        """The elements up to (not including) the first for which ``predicate`` (tuples
        unpacked) is False.

        Raises:
            ValueError: when iterated, ``predicate`` not returning a scalar bool.
        """
        del name
        if not callable(predicate):
            raise TypeError(f"`predicate` must be callable; received {predicate!r}")
        return _TakeWhile(self, predicate)

    def unique(self, name=None) -> Dataset:
        """The elements without repeats, in order of first appearance.

        Raises:
            TypeError: elements not of dtype int32, int64 or string.
            cannery.errors.InvalidArgumentError (also ValueError): elements with more than
                one component.
        """
        del name
        structure, leaves = st.flatten(self._element_spec())
        for leaf in leaves:
            dtype = getattr(leaf, "dtype", None)
            if dtype is None or dtype.name not in ("int32", "int64", "string"):
                raise TypeError(f"`tf.data.Dataset.unique` does not support type {dtype} -- "
                                f"only `tf.int32`, `tf.int64`, and `tf.string` are "
                                f"supported.")
        if structure is not None:
            raise DatasetArgumentError("UniqueDataset only supports inputs with a single "
                                       "component.")
        return _Unique(self)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None) -> Dataset:
        """Windows of ``size`` elements: window ``i`` holds the elements ``i * shift``,
        ``i * shift + stride``, ...; each element of the result is the input element's
        nest with a Dataset in place of every component. The last windows may be
        smaller unless ``drop_remainder=True``.

        Raises:
            cannery.errors.InvalidArgumentError (also ValueError): ``size``, ``shift`` or
                ``stride`` not greater than zero.
        """
        del name
        size = _as_int(size, "size")
        shift = size if shift is None else _as_int(shift, "shift")
        stride = _as_int(stride, "stride")
        for what, value in (("size", size), ("shift", shift), ("stride", stride)):
            if value <= 0:
                raise DatasetArgumentError(f"Window {what} must be greater than zero.")
        return _Window(self, size, shift, stride, bool(drop_remainder))

    def get_single_element(self, name=None):
        """The one element of the dataset (tensors).

        Raises:
            cannery.errors.InvalidArgumentError (also ValueError): the dataset is empty or
                has more than one element.
        """
        del name
        elements = self._elements()
        try:
            try:
                element = next(elements)
            except StopIteration:
                raise DatasetArgumentError("Dataset was empty.") from None
            try:
                next(elements)
            except StopIteration:
                return _as_eager_element(element)
            raise DatasetArgumentError("Dataset had more than one element.")
        finally:
            close = getattr(elements, "close", None)
            if close is not None:
                close()

    def ignore_errors(self, log_warning=False, name=None) -> Dataset:
        """Drop the elements whose computation raised an error.

        Errors raised by ``map`` and ``filter`` functions (a failed ``decode_csv``, a
        bad record) skip that element; in a ``batch`` right after a ``map`` the whole
        batch is skipped, as TensorFlow's fused map-and-batch does. An error raised by
        any other step ends the dataset there (a Python generator cannot go on after
        raising).

        Args:
            log_warning: log each ignored error at WARNING level.
        """
        del name
        return _IgnoreErrors(self, bool(log_warning))

    # -- more sources --------------------------------------------------------------------

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None) -> Dataset:
        """The names of the files matching ``file_pattern`` (a glob, or a list of them).

        Names are sorted, and shuffled unless ``shuffle=False``: a buffer shuffle over
        all of them with ``seed`` (TensorFlow's order whenever a seed is known, see
        :meth:`shuffle`). As TensorFlow's ``MatchingFiles``, ``*`` also matches names
        that start with a dot, and a file matched by two patterns is listed twice.

        Raises:
            cannery.errors.InvalidArgumentError (also ValueError): nothing matched.
        """
        import glob

        del name
        patterns = _file_patterns(file_pattern)
        matches = sorted(path for pattern in patterns
                         for path in glob.glob(pattern, include_hidden=True))
        if not matches:
            raise DatasetArgumentError(
                "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized "
                f"data: b'No files matched pattern: {', '.join(patterns)}'")
        names = np.empty(len(matches), dtype=object)
        names[:] = matches
        dataset = _Slices(None, [names])
        if shuffle is None or shuffle:
            dataset = dataset.shuffle(max(len(matches), 1), seed=seed)
        return dataset

    @staticmethod
    def counter(start=0, step=1, dtype=np.int64, name=None) -> Dataset:
        """``start``, ``start + step``, ... forever (scalars of ``dtype``, int64)."""
        del name
        return _Counter(start, step, dtype)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None) -> Dataset:
        """An endless stream of random int64 scalars in ``[0, 2**32)``: TensorFlow's
        ``RandomDataset`` (its Philox stream, seeded as :meth:`shuffle` is)."""
        del name
        return _Random(seed, bool(rerandomize_each_iteration))

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> Dataset:
        """Element ``k`` comes from ``datasets[choice_k]``, the k-th element of
        ``choice_dataset`` (int64 scalars). When the chosen dataset is exhausted the
        result ends (``stop_on_empty_dataset=True``) or that choice is skipped.

        Raises:
            ValueError: ``datasets`` is empty.
            TypeError: ``choice_dataset`` is not a Dataset of int64 scalars, or the
                datasets' elements are incompatible.
            cannery.errors.InvalidArgumentError (also ValueError): when iterated, a
                choice outside ``[0, len(datasets))``.
        """
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        if not isinstance(choice_dataset, Dataset):
            raise TypeError("Invalid `choice_dataset`. `choice_dataset` should be a "
                            f"`tf.data.Dataset` but is {type(choice_dataset)}.")
        choice_spec = choice_dataset._element_spec()
        if not (isinstance(choice_spec, TensorSpec) and choice_spec.dtype.name == "int64"
                and not isinstance(choice_spec.shape, _UnknownRankShape)
                and not choice_spec.shape):
            raise TypeError("Invalid `choice_dataset`. Elements of `choice_dataset` must be "
                            f"scalar `tf.int64` tensors but are {choice_spec}.")
        return _DirectedInterleave(lambda: choice_dataset._elements(), list(datasets),
                                   bool(stop_on_empty_dataset), selector_dataset=choice_dataset)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None) -> Dataset:
        """Each element comes from a dataset drawn at random with probabilities
        ``weights`` (uniform by default); exhausted datasets are skipped, or end the
        result with ``stop_on_empty_dataset=True``.

        The draws are TensorFlow 2.15's: ``Dataset.random(seed)`` (seeded as
        :meth:`shuffle`) batched in pairs, each pair the seed of a
        ``stateless_multinomial`` over ``log(weights)``; with a known seed the order is
        TensorFlow's. Datasets of weight 0 in a list of weights are left out.

        Raises:
            ValueError: ``datasets`` is empty, or ``weights`` of another length.
            TypeError: ``weights`` that are not float32/float64, or incompatible
                element structures.
        """
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        datasets = list(datasets)
        weights_dataset = None
        if isinstance(weights, Dataset):
            weights_dataset = weights
            logits = None
        elif weights is None:
            logits = np.ones(len(datasets), dtype=np.float32)
        else:
            is_tensor = isinstance(weights, np.ndarray)
            if is_tensor:
                if weights.shape != (len(datasets),):
                    raise ValueError("Invalid `weights`. The shape of `weights` should be "
                                     f"compatible with `[len(datasets)]` but is "
                                     f"{TensorShape(weights.shape)}.")
            elif len(datasets) != len(weights):
                raise ValueError("Invalid `weights`. `weights` should have the same length "
                                 f"as `datasets` but got `len(weights)={len(weights)}` vs. "
                                 f"`len(datasets)={len(datasets)}`.")
            if not is_tensor:
                kept = [(d, w) for d, w in zip(datasets, weights) if w > 0]
                if kept:
                    datasets, weights = [d for d, _ in kept], [w for _, w in kept]
                else:
                    datasets, weights = [datasets[0].take(0)], [1.0]
            weights = st.to_array(weights)
            if weights.dtype not in (np.float32, np.float64):
                raise TypeError("Invalid `weights`. `weights` type must be either "
                                "`tf.float32` or `tf.float64` but is "
                                f"{_leaf_spec(weights).dtype}.")
            with np.errstate(divide="ignore"):
                logits = np.log(weights)
        if weights_dataset is None and len(datasets) == 1:
            return datasets[0]
        random = _Random(seed, bool(rerandomize_each_iteration))
        return _DirectedInterleave(
            lambda: _multinomial_choices(random, logits, weights_dataset), datasets,
            bool(stop_on_empty_dataset))


def _leaf_paths(spec, prefix: str = "") -> list[str]:
    if spec is None:
        return [prefix or "tensors"]
    kind, meta, children = spec
    labels = [repr(k) for k in meta] if kind in ("dict", "ordered_dict") else \
        [str(i) for i in range(len(children))]
    out: list[str] = []
    for label, child in zip(labels, children):
        out.extend(_leaf_paths(child, f"{prefix}[{label}]"))
    return out


# ---------------------------------------------------------------------------- sources


class _Slices(Dataset):
    """Rows of in-memory columns, optionally in the order given by an index stream."""

    _columnar = True

    def __init__(self, spec, leaves, index_stream: Callable[[], Iterator[np.ndarray]] = None):
        self._spec = spec
        self._leaves = leaves
        self._index_stream = index_stream

    def _cardinality(self):
        if self._index_stream is not None:
            return UNKNOWN_CARDINALITY
        return st.chunk_rows(self._leaves) if self._leaves else 0

    def _element_spec(self):
        return st.unflatten(self._spec, [_row_spec(leaf) for leaf in self._leaves])

    def _peek_elements(self):
        for i in range(st.chunk_rows(self._leaves)):
            yield st.unflatten(self._spec, [st.row(leaf, i) for leaf in self._leaves])

    def _chunks(self):
        if self._index_stream is None:
            if st.chunk_rows(self._leaves):
                yield self._spec, list(self._leaves)
            return
        for idx in self._index_stream():
            if len(idx):
                yield self._spec, [st.rows_take(leaf, idx) for leaf in self._leaves]


class _Elements(Dataset):
    """Elements from a factory of iterators (generators, single elements)."""

    def __init__(self, make: Callable[[], Iterator], cardinality: Callable[[], int] = None,
                 element_spec: Callable[[], object] = None,
                 peek: Callable[[], Iterator] = None):
        self._make = make
        self._count = cardinality
        self._spec_fn = element_spec
        self._peek = peek or make

    def _cardinality(self):
        return UNKNOWN_CARDINALITY if self._count is None else self._count()

    def _element_spec(self):
        if self._spec_fn is not None:
            return self._spec_fn()
        return super()._element_spec()

    def _peek_elements(self):
        return iter(self._peek())

    def _elements(self):
        return iter(self._make())


# ---------------------------------------------------------------------------- transforms


class _Unary(Dataset):
    def __init__(self, upstream: Dataset):
        self._input = upstream
        self._columnar = upstream._columnar

    def _cardinality(self):
        return self._input._cardinality()

    def _element_spec(self):
        return self._input._element_spec()

    def _peek_elements(self):
        # the input's elements have this dataset's structure (an empty take/skip is
        # still typed), and reading them draws no shuffle seeds
        return self._input._peek_elements()


class _Batch(Dataset):
    def __init__(self, upstream: Dataset, batch_size: int, drop_remainder: bool):
        self._input = upstream
        self._batch_size = batch_size
        self._drop = drop_remainder

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)

    def _element_spec(self):
        # BatchDataset: the new dimension is batch_size only when drop_remainder is True
        size = self._batch_size if self._drop else None
        spec, leaves = st.flatten(self._input._element_spec())
        return st.unflatten(spec, [_batched_spec(leaf, size) for leaf in leaves])

    def _peek_elements(self):
        batch = list(itertools.islice(self._input._peek_elements(), self._batch_size))
        if batch:
            yield _stack_elements(batch)

    def _elements(self):
        if self._input._columnar:
            return self._sliced_batches()
        return self._stacked_batches()

    def _emit(self, spec, leaves):
        return st.unflatten(spec, [st.output(leaf) for leaf in leaves])

    def _sliced_batches(self):
        size = self._batch_size
        pending: list[list] = []  # pieces of the next batch, each a list of leaves
        pending_rows = 0
        spec = None
        for spec, leaves in self._input._chunks():
            n = st.chunk_rows(leaves)
            start = 0
            if pending_rows:
                take = min(size - pending_rows, n)
                pending.append([st.rows_slice(leaf, 0, take) for leaf in leaves])
                pending_rows += take
                start = take
                if pending_rows == size:
                    yield self._emit(spec, [st.rows_concat(list(p)) for p in zip(*pending)])
                    pending, pending_rows = [], 0
            while n - start >= size:
                yield self._emit(spec, [st.rows_slice(leaf, start, start + size)
                                        for leaf in leaves])
                start += size
            if start < n:
                pending.append([st.rows_slice(leaf, start, n) for leaf in leaves])
                pending_rows += n - start
        if pending_rows and not self._drop:
            yield self._emit(spec, [st.rows_concat(list(p)) for p in zip(*pending)])

    def _stacked_batches(self):
        buffer = []
        for element in self._input._elements():
            buffer.append(element)
            if len(buffer) == self._batch_size:
                yield _stack_elements(buffer)
                buffer = []
        if buffer and not self._drop:
            yield _stack_elements(buffer)

    def _tolerant_elements(self):
        if self._input._columnar:
            yield from super()._tolerant_elements()
            return
        # Right after a map TensorFlow fuses the two (map_and_batch_fusion, on by
        # default): a failed element fails its whole batch. Otherwise BatchDataset
        # returns the error and loses the elements gathered so far.
        fused = isinstance(self._input, _Map)
        buffer: list = []
        failed = None
        slots = 0

        def emit():
            if failed is not None:
                return failed
            try:
                return _stack_elements(buffer)
            except Exception as exc:  # noqa: BLE001 - TensorFlow ignores any error
                return _Failed(exc)

        for element in self._input._tolerant_elements():
            if isinstance(element, _Failed):
                if not fused:
                    buffer, slots = [], 0
                    yield element
                    continue
                failed = failed or element
            else:
                buffer.append(element)
            slots += 1
            if slots == self._batch_size:
                yield emit()
                buffer, failed, slots = [], None, 0
        if slots and not self._drop:
            yield emit()


def _stack_elements(elements: list):
    spec, first = st.flatten(elements[0])
    columns = [[leaf] for leaf in first]
    for element in elements[1:]:
        _, leaves = st.flatten(element)
        if len(leaves) != len(columns):
            raise ValueError("Cannot batch elements with different structures")
        for column, leaf in zip(columns, leaves):
            column.append(leaf)
    return st.unflatten(spec, [st.stack(column) for column in columns])


class _Unbatch(Dataset):
    _columnar = True

    def __init__(self, upstream: Dataset):
        self._input = upstream

    def _element_spec(self):
        spec, leaves = st.flatten(self._input._element_spec())
        for path, leaf in zip(_leaf_paths(spec), leaves):
            if not leaf.shape:
                raise ValueError(f"Unbatching a dataset is only supported for rank >= 1; "
                                 f"element{path} has shape {tuple(leaf.shape)}")
        return st.unflatten(spec, [_unbatched_spec(leaf) for leaf in leaves])

    def _peek_elements(self):
        for element in self._input._peek_elements():
            spec, leaves = st.flatten(element)
            leaves = [st.slices_leaf(leaf, name="element") for leaf in leaves]
            for i in range(st.chunk_rows(leaves)):
                yield st.unflatten(spec, [st.row(leaf, i) for leaf in leaves])

    def _chunks(self):
        for element in self._input._elements():
            spec, leaves = st.flatten(element)
            leaves = [st.slices_leaf(leaf, name="element") for leaf in leaves]
            if leaves and st.chunk_rows(leaves):
                yield spec, leaves


class _Shuffle(_Unary):
    """TensorFlow 2.15's shuffle (``ShuffleDatasetOp``; kernels in core/kernels/shuffle.py).

    The seeds are fixed when the dataset is built (:func:`cannery.random.op_seeds`). A
    seed generator, ``RandomSeedGenerator`` (a Philox stream over ``(seed, seed2)``,
    two uint32 per pass) or with ``reshuffle_each_iteration=False`` the
    ``FixedSeedGenerator`` (``(seed, seed2)`` every pass), gives each pass — each
    iterator, and each epoch of a following ``repeat`` — the seeds of its own Philox
    stream (random_seed_ops.cc). Without a known seed both seeds are random 64-bit
    numbers (``RandomSeeds``), so the orders are not reproducible, as in TensorFlow.
    """

    def __init__(self, upstream, buffer_size, seed, reshuffle):
        super().__init__(upstream)
        self._buffer_size = buffer_size
        self._seed_stream = _SeedStream(seed, reshuffle)
        self._seeds = self._seed_stream.seeds

    def _pass_state(self) -> np.ndarray:
        """The Philox state of a new pass (``SeedGenerator::GenerateSeeds``)."""
        return self._seed_stream.pass_state()

    def _chunks(self):
        # The pass takes its seeds when iteration is asked for, like an iterator's
        # Initialize, not when the first element is.
        return self._shuffled_chunks(self._pass_state())

    def _shuffled_chunks(self, state):
        from cannery.core.kernels.shuffle import shuffle_drain_ring, shuffle_push

        live = 0
        buffer_leaves: list | None = None
        spec = None
        for spec, leaves in self._input._chunks():
            m = st.chunk_rows(leaves)
            if live:
                pool = [st.rows_concat([b, c]) for b, c in zip(buffer_leaves, leaves)]
            else:
                pool = leaves
            # The ring holds positions into `pool`: the old buffer is rows 0..live-1.
            ring = np.empty(live + m, dtype=np.int64)
            ring[:live] = np.arange(live)
            out = np.empty(m, dtype=np.int64)
            start, end, n_out = shuffle_push(ring, 0, live, self._buffer_size,
                                             np.arange(live, live + m, dtype=np.int64),
                                             state, out)
            if n_out:
                yield spec, [st.rows_take(leaf, out[:n_out]) for leaf in pool]
            live = end - start
            buffer_leaves = [st.rows_take(leaf, ring[start:end]) for leaf in pool]
        if live:
            ring = np.arange(live, dtype=np.int64)
            out = np.empty(live, dtype=np.int64)
            shuffle_drain_ring(ring, 0, live, state, out)
            yield spec, [st.rows_take(leaf, out) for leaf in buffer_leaves]

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return self._shuffled_elements(self._pass_state())

    def _shuffled_elements(self, state):
        from cannery.core.kernels.shuffle import philox_sample

        # ring[start:] are the live elements in insertion order
        ring: list = []
        start = 0

        def emit():
            nonlocal ring, start
            index = start + int(philox_sample(state)) % (len(ring) - start)
            element = ring[index]
            ring[index] = ring[start]
            ring[start] = None
            start += 1
            if start > 1024 and 2 * start > len(ring):
                ring, start = ring[start:], 0
            return element

        for element in self._input._elements():
            ring.append(element)
            if len(ring) - start >= self._buffer_size:
                yield emit()
        while len(ring) > start:
            yield emit()


class _Repeat(_Unary):
    def __init__(self, upstream, count):
        super().__init__(upstream)
        self._count = count

    def _cardinality(self):  # RepeatDatasetOp::CardinalityInternal
        n = self._input._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        if self._count == 0:
            return 0
        return n if n < 0 else self._count * n

    def _passes(self, make: Callable[[], Iterator]):
        epochs = itertools.count() if self._count < 0 else range(self._count)
        for _ in epochs:
            produced = False
            for item in make():
                produced = True
                yield item
            if not produced:  # repeating an empty dataset is empty, not an endless loop
                return

    def _chunks(self):
        return self._passes(self._input._chunks)

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return self._passes(self._input._elements)


class _Take(_Unary):
    def __init__(self, upstream, count):
        super().__init__(upstream)
        self._count = count

    def _cardinality(self):  # TakeDataset::CardinalityInternal
        n = self._input._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        if self._count < 0:
            return n
        return min(n, self._count)

    def _chunks(self):
        remaining = self._count
        if remaining == 0:
            return
        for spec, leaves in self._input._chunks():
            n = st.chunk_rows(leaves)
            if 0 <= remaining <= n:
                yield spec, [st.rows_slice(leaf, 0, remaining) for leaf in leaves]
                return
            yield spec, leaves
            if remaining > 0:
                remaining -= n

    def _elements(self):
        if self._columnar:
            return super()._elements()
        if self._count < 0:
            return self._input._elements()
        return itertools.islice(self._input._elements(), self._count)


class _Skip(_Unary):
    def __init__(self, upstream, count):
        super().__init__(upstream)
        self._count = count

    def _cardinality(self):  # SkipDatasetOp::CardinalityInternal
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._count < 0:
            return 0
        return max(0, n - self._count)

    def _chunks(self):
        if self._count < 0:
            return
        remaining = self._count
        for spec, leaves in self._input._chunks():
            n = st.chunk_rows(leaves)
            if remaining >= n:
                remaining -= n
                continue
            if remaining:
                leaves = [st.rows_slice(leaf, remaining, n) for leaf in leaves]
                remaining = 0
            yield spec, leaves

    def _elements(self):
        if self._columnar:
            return super()._elements()
        if self._count < 0:
            return iter(())
        return itertools.islice(self._input._elements(), self._count, None)


class _Cache(_Unary):
    def __init__(self, upstream):
        super().__init__(upstream)
        self._cached: list | None = None

    def _replay(self, make: Callable[[], Iterator]):
        if self._cached is not None:
            yield from self._cached
            return
        items = []
        for item in make():
            items.append(item)
            yield item
        # Only a complete pass is kept; a partial pass is read again next time (as TF).
        self._cached = items

    def _chunks(self):
        return self._replay(self._input._chunks)

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return self._replay(self._input._elements)


class _Prefetch(_Unary):
    def __init__(self, upstream, buffer_size):
        super().__init__(upstream)
        self._buffer_size = buffer_size

    def _run(self, make: Callable[[], Iterator]):
        prefetcher = Prefetcher(make, self._buffer_size, name="cannery-dataset-prefetch")
        try:
            yield from prefetcher
        finally:
            prefetcher.close()

    def _chunks(self):
        return self._run(self._input._chunks)

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return self._run(self._input._elements)

    def _tolerant_elements(self):
        if self._columnar:
            return super()._tolerant_elements()
        return self._run(self._input._tolerant_elements)


class _Map(Dataset):
    def __init__(self, upstream, fn):
        self._input = upstream
        self._fn = fn

    def _cardinality(self):
        return self._input._cardinality()

    def _element_spec(self):
        # TensorFlow traces map_func on symbolic inputs; cannery runs it on the first
        # input element and marks unknown the sizes that equal an input size
        # TensorFlow does not know (a None batch dimension).
        # A SparseTensor's dense shape a function computes (tf.io.parse_example's
        # VarLenFeature, the usual one) is data-dependent there: all its sizes unknown.
        element = self._input._first_element()
        unknown = _unknown_sizes(self._input._element_spec(), element)
        spec, leaves = st.flatten(_spec_of(self._apply(element)))
        return st.unflatten(spec, [
            _with_shape(leaf, (None,) * len(leaf.shape)) if isinstance(leaf, SparseTensorSpec)
            else _relax_spec(leaf, unknown) for leaf in leaves])

    def _apply(self, element):
        result = self._fn(*element) if isinstance(element, tuple) else self._fn(element)
        # structured_function._should_pack: a returned list is a tuple of components
        return tuple(result) if isinstance(result, list) else result

    def _peek_elements(self):
        for element in self._input._peek_elements():
            yield self._apply(element)

    def _elements(self):
        fn = self._fn
        for element in self._input._elements():
            result = fn(*element) if isinstance(element, tuple) else fn(element)
            yield tuple(result) if isinstance(result, list) else result

    def _tolerant_elements(self):
        for element in self._input._tolerant_elements():
            if not isinstance(element, _Failed):
                try:
                    element = self._apply(element)
                except Exception as exc:  # noqa: BLE001 - TensorFlow ignores any error
                    element = _Failed(exc)
            yield element


class _Filter(Dataset):
    def __init__(self, upstream, predicate):
        self._input = upstream
        self._predicate = predicate

    def _element_spec(self):
        return self._input._element_spec()

    def _peek_elements(self):
        return self._input._peek_elements()

    def _elements(self):
        predicate = self._predicate
        for element in self._input._elements():
            keep = predicate(*element) if isinstance(element, tuple) else predicate(element)
            if bool(np.asarray(keep)):
                yield element

    def _tolerant_elements(self):
        for element in self._input._tolerant_elements():
            if not isinstance(element, _Failed):
                try:
                    if not bool(np.asarray(_call_unpacked(self._predicate, element))):
                        continue
                except Exception as exc:  # noqa: BLE001 - TensorFlow ignores any error
                    element = _Failed(exc)
            yield element


# ---------------------------------------------------------------------------- errors


class DatasetArgumentError(ValueError, InvalidArgumentError):
    """An argument or element a dataset op refuses (TensorFlow's InvalidArgumentError)."""


class PaddingError(ValueError, DataLossError):
    """``padded_batch``: an element larger than its padded shape (TensorFlow raises
    DataLossError)."""


class _Failed:
    """An element whose computation raised ``error`` (seen only by ignore_errors)."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error


def _as_int(value, name: str) -> int:
    """An integer argument (Python, numpy or a 0-d integer tensor)."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer; received {value!r}")
    return int(value)


def _max_parallelism() -> int:
    """``port::MaxParallelism()``: the CPU cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _file_patterns(file_pattern) -> list[str]:
    import os

    if hasattr(file_pattern, "numpy"):
        file_pattern = file_pattern.numpy()
    if isinstance(file_pattern, (str, bytes, os.PathLike)):
        raw = [file_pattern]
    else:
        raw = list(np.asarray(file_pattern, dtype=object).reshape(-1))
    patterns = []
    for pattern in raw:
        if isinstance(pattern, bytes):
            pattern = pattern.decode("utf-8", "surrogateescape")
        if not isinstance(pattern, (str, os.PathLike)):
            raise TypeError(f"list_files: `file_pattern` must be strings; received "
                            f"{pattern!r}")
        patterns.append(os.fspath(pattern))
    return patterns


# ---------------------------------------------------------------------------- more transforms


class _WithOptions(_Unary):
    def __init__(self, upstream, options):
        super().__init__(upstream)
        self._own_options = options

    def _chunks(self):
        return self._input._chunks()

    def _elements(self):
        return self._input._elements()

    def _tolerant_elements(self):
        return self._input._tolerant_elements()


class _Concatenate(Dataset):
    def __init__(self, first: Dataset, second: Dataset, spec):
        self._members = (first, second)
        self._spec = spec
        self._columnar = first._columnar and second._columnar

    def _cardinality(self):  # ConcatenateDatasetOp::CardinalityInternal
        n1, n2 = (m._cardinality() for m in self._members)
        if INFINITE_CARDINALITY in (n1, n2):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (n1, n2):
            return UNKNOWN_CARDINALITY
        return n1 + n2

    def _element_spec(self):
        return self._spec

    def _peek_elements(self):
        return itertools.chain(self._members[0]._peek_elements(),
                               self._members[1]._peek_elements())

    def _chunks(self):
        for member in self._members:
            yield from member._chunks()

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return itertools.chain.from_iterable(m._elements() for m in self._members)


_INT64_MAX = np.iinfo(np.int64).max


class _Enumerate(_Unary):
    """``zip((range(start, int64 max), input))``."""

    def __init__(self, upstream, start: int):
        super().__init__(upstream)
        self._start = start

    def _cardinality(self):  # the zip's: the shorter of the range and the input
        n = self._input._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return n
        limit = _INT64_MAX - self._start
        return limit if n == INFINITE_CARDINALITY else min(n, limit)

    def _element_spec(self):
        return (TensorSpec((), np.int64), self._input._element_spec())

    def _peek_elements(self):
        for i, element in enumerate(self._input._peek_elements()):
            yield (np.int64(self._start + i), element)

    def _chunks(self):
        position = self._start
        for spec, leaves in self._input._chunks():
            n = st.chunk_rows(leaves)
            counts = np.arange(position, position + n, dtype=np.int64)
            position += n
            yield ("tuple", tuple, [None, spec]), [counts, *leaves]

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return ((np.int64(self._start + i), element)
                for i, element in enumerate(self._input._elements()))


def _call_unpacked(fn, element):
    return fn(*element) if isinstance(element, tuple) else fn(element)


class _Interleave(Dataset):
    """``interleave`` (``flat_map`` is ``cycle_length=1``): InterleaveDatasetOp's
    GetNextInternal, whose order TensorFlow's parallel interleave keeps when
    deterministic."""

    def __init__(self, upstream, fn, cycle_length: int, block_length: int):
        self._input = upstream
        self._fn = fn
        self._cycle = cycle_length
        self._block = block_length

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _dataset_of(self, element) -> Dataset:
        result = _call_unpacked(self._fn, element)
        if not isinstance(result, Dataset):
            raise TypeError("The `map_func` argument must return a `Dataset` object. Got "
                            f"{type(result)!r}.")
        return result

    def _element_spec(self):
        # TensorFlow traces map_func on symbolic inputs; cannery calls it on the first
        # input element and asks the dataset it returns.
        return self._dataset_of(self._input._first_element())._element_spec()

    def _peek_elements(self):
        for element in self._input._peek_elements():
            yield from self._dataset_of(element)._peek_elements()

    def _elements(self):
        cycle, block = self._cycle, self._block
        inputs = self._input._elements()
        slots: list = [None] * cycle
        index = block_index = num_open = 0
        end_of_input = False
        try:
            while not end_of_input or num_open:
                current = slots[index]
                if current is not None:
                    try:
                        element = next(current)
                    except StopIteration:
                        slots[index] = None
                        num_open -= 1
                        index, block_index = (index + 1) % cycle, 0
                        continue
                    yield element
                    block_index += 1
                    if block_index == block:
                        index, block_index = (index + 1) % cycle, 0
                elif not end_of_input:
                    try:
                        element = next(inputs)
                    except StopIteration:
                        end_of_input = True
                        continue
                    slots[index] = iter(self._dataset_of(element)._elements())
                    num_open += 1
                else:
                    index, block_index = (index + 1) % cycle, 0
        finally:
            for current in [*slots, inputs]:
                close = getattr(current, "close", None)
                if close is not None:
                    close()


class _Shard(_Unary):
    def __init__(self, upstream, num_shards: int, index: int):
        super().__init__(upstream)
        self._num_shards = num_shards
        self._index = index

    def _cardinality(self):  # ShardDatasetOp::CardinalityInternal
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._num_shards + (1 if self._index < n % self._num_shards else 0)

    def _chunks(self):
        position = 0
        for spec, leaves in self._input._chunks():
            n = st.chunk_rows(leaves)
            first = (self._index - position) % self._num_shards
            position += n
            if first < n:
                rows = np.arange(first, n, self._num_shards, dtype=np.int64)
                yield spec, [st.rows_take(leaf, rows) for leaf in leaves]

    def _elements(self):
        if self._columnar:
            return super()._elements()
        return itertools.islice(self._input._elements(), self._index, None, self._num_shards)


class _PaddedBatch(Dataset):
    def __init__(self, upstream, batch_size, padded_shapes, padding_values, drop):
        self._input = upstream
        self._batch_size = batch_size
        self._drop = drop
        spec = upstream._element_spec()
        structure, leaves = st.flatten(spec)
        for leaf in leaves:
            if isinstance(leaf, DatasetSpec):
                raise TypeError("`padded_batch` is not supported for datasets of datasets")
            if not isinstance(leaf, TensorSpec):
                raise TypeError("`padded_batch` is only supported for datasets that produce "
                                "tensor elements but type spec of elements in the input "
                                "dataset is not a subclass of TensorSpec: "
                                f"`{leaf}`.")
        if padded_shapes is None:
            shapes = []
            for i, leaf in enumerate(leaves):
                if isinstance(leaf.shape, _UnknownRankShape):
                    raise ValueError(f"You must provide `padded_shapes` argument because "
                                     f"component {i} has unknown rank.")
                shapes.append(tuple(leaf.shape))
            # The sizes of an element_spec found by running a map function on the first
            # element are a guess (TensorFlow's are traced): pad every size to the
            # batch's largest, which is the spec's size whenever that one is right.
            self._pad_shapes = [(None,) * len(shape) for shape in shapes]
        else:
            raw: list = []
            _values_up_to(structure, padded_shapes, raw, "padded_shapes")
            shapes = []
            for shape, leaf in zip(raw, leaves):
                dims = _padded_dims(shape)
                if not _paddable(dims, leaf.shape):
                    raise ValueError(f"The padded shape {TensorShape(dims)} is not compatible "
                                     f"with the shape {leaf.shape} of the corresponding "
                                     f"input component.")
                shapes.append(dims)
            self._pad_shapes = shapes
        self._structure = structure
        self._shapes = shapes
        self._values = _padding_values(structure, leaves, padding_values)
        size = batch_size if drop else None
        self._spec = st.unflatten(structure, [TensorSpec((size, *shape), leaf.dtype)
                                              for shape, leaf in zip(shapes, leaves)])

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)

    def _element_spec(self):
        return self._spec

    def _pad(self, elements: list):
        columns = [[] for _ in self._shapes]
        for element in elements:
            _, leaves = st.flatten(element)
            for column, leaf in zip(columns, leaves):
                column.append(leaf)
        out = [_pad_column(i, column, shape, value) for i, (column, shape, value) in
               enumerate(zip(columns, self._pad_shapes, self._values))]
        return st.unflatten(self._structure, out)

    def _peek_elements(self):
        batch = list(itertools.islice(self._input._peek_elements(), self._batch_size))
        if batch:
            yield self._pad(batch)

    def _elements(self):
        buffer = []
        for element in self._input._elements():
            buffer.append(element)
            if len(buffer) == self._batch_size:
                yield self._pad(buffer)
                buffer = []
        if buffer and not self._drop:
            yield self._pad(buffer)


def _paddable(padded: tuple, shape) -> bool:
    """``_is_padded_shape_compatible_with``: same rank, no padded size below a known one."""
    if isinstance(shape, _UnknownRankShape):
        return True
    if len(padded) != len(shape):
        return False
    return all(p is None or d is None or p >= d for p, d in zip(padded, shape))


def _padding_values(structure, leaves: list, padding_values) -> list:
    """One scalar array per component: the given value or the dtype's zero."""
    given: list
    if padding_values is None:
        given = [None] * len(leaves)
    else:
        if structure is not None and not isinstance(padding_values, (dict, tuple)):
            padding_values = st.unflatten(structure, [padding_values] * len(leaves))
        given = []
        _values_up_to(structure, padding_values, given)
    values = []
    for value, leaf in zip(given, leaves):
        if value is None:
            values.append(np.asarray("", dtype=object) if leaf.dtype.name == "string"
                          else np.zeros((), dtype=leaf.dtype.as_numpy_dtype))
            continue
        array = st.to_array(value.decode("utf-8", "surrogateescape")
                            if isinstance(value, bytes) else value)
        if np.ndim(array) != 0:
            raise ValueError("Invalid `padding_values`. `padding_values` values should be "
                             f"scalars, but got {TensorShape(np.shape(array))}.")
        dtype = _leaf_spec(array).dtype
        if dtype != leaf.dtype:
            raise TypeError(f"Invalid `padding_values`. `padding_values` values type {dtype} "
                            f"does not match type {leaf.dtype} of the corresponding input "
                            f"component.")
        values.append(array)
    return values


def _values_up_to(spec, value, out: list, what: str = "padding_values") -> None:
    """Flatten ``value`` along the element structure ``spec`` (what stands at a leaf's
    place is taken whole: None, a scalar, a shape)."""
    if spec is None:
        out.append(value)
        return
    kind, meta, children = spec
    try:
        parts = [value[k] for k in meta] if kind in ("dict", "ordered_dict") else list(value)
    except (KeyError, TypeError):
        parts = None
    if parts is None or len(parts) != len(children):
        raise ValueError(f"padded_batch: {what} {value!r} does not match the structure of "
                         f"the dataset's elements")
    for child, part in zip(children, parts):
        _values_up_to(child, part, out, what)


def _padded_dims(shape) -> tuple:
    """A padded shape as a tuple of sizes (None: the batch's largest). As
    ``tensor_shape.as_shape``, an integer is a 1-D shape; -1 is an unknown size."""
    if hasattr(shape, "numpy"):
        shape = shape.numpy()
    if isinstance(shape, np.ndarray):
        shape = shape.tolist()
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = [shape]
    if not isinstance(shape, (list, tuple)) or not all(
            d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool))
            for d in shape):
        raise TypeError(f"padded_batch: a padded shape must be a list of sizes (None or -1 "
                        f"for the largest in the batch); received {shape!r}")
    return tuple(None if d is None or int(d) == -1 else int(d) for d in shape)


def _pad_column(component: int, values: list, shape: tuple, pad):
    arrays = [v if isinstance(v, np.ndarray) else np.asarray(v) for v in values]
    rank = len(shape)
    for array in arrays:
        if array.ndim != rank:
            raise DatasetArgumentError(
                f"All elements in a batch must have the same rank as the padded shape for "
                f"component{component}: expected rank {rank} but got element with rank "
                f"{array.ndim}")
    target = [d if d is not None else max((a.shape[k] for a in arrays), default=0)
              for k, d in enumerate(shape)]
    for array in arrays:
        if any(s > t for s, t in zip(array.shape, target)):
            raise PaddingError("Attempted to pad to a smaller size than the input element.")
    strings = pad.dtype == object or arrays[0].dtype.kind in "OSU"
    out = np.empty((len(arrays), *target), dtype=object if strings else arrays[0].dtype)
    fill = pad[()] if strings else pad
    if strings and isinstance(fill, str):
        # elements of bytes (what string ops give) are padded with bytes, not text
        sample = next((a.view(np.ndarray).reshape(-1)[0] for a in arrays if a.size), None)
        if isinstance(sample, (bytes, np.bytes_)):
            fill = fill.encode("utf-8", "surrogateescape")
    out[...] = fill
    for i, array in enumerate(arrays):
        if strings:  # str values, not 0-d arrays, in the object array
            array = array.item() if array.ndim == 0 else array.astype(object)
        out[(i, *(slice(0, s) for s in np.shape(array)))] = array
    if strings and isinstance(fill, str) and all(a.dtype.kind == "U" for a in arrays):
        # numpy text stays text (a user sees it as bytes, like any ``U`` batch)
        return out.astype(str)
    return out


class _Rebatch(Dataset):
    """``unbatch()`` then batches whose sizes cycle through ``sizes``."""

    def __init__(self, upstream, sizes: list[int], is_vector: bool, drop: bool):
        self._input = upstream
        self._sizes = sizes
        self._drop = drop
        structure, leaves = st.flatten(upstream._element_spec())
        dim = self._static_batch_dim(sizes, is_vector, drop, leaves)
        self._spec = st.unflatten(structure, [_batched_spec(_unbatched_spec(leaf), dim)
                                              for leaf in leaves])

    @staticmethod
    def _static_batch_dim(sizes, is_vector, drop, leaves):
        """``_RebatchDataset._compute_static_batch_dim``."""
        if is_vector and any(s != sizes[0] for s in sizes):
            return None
        desired = sizes[0]
        if drop:
            return desired
        known = []
        for leaf in leaves:
            shape = leaf.shape
            if isinstance(shape, _UnknownRankShape):
                continue
            if not shape:
                raise ValueError("Invalid `batch_sizes`. Expected dataset with rank of >= 1 "
                                 "but found a dataset with scalar elements. Fix the issue by "
                                 "adding the `batch` transformation to the dataset.")
            if shape[0] is not None:
                known.append(shape[0])
        if not known:
            return None
        if any(d != known[0] for d in known):
            raise ValueError(f"Invalid `input_dataset.` The batch dimension of component 0 is "
                             f"{known[0]}, while the batch dimension of component i is "
                             f"{known}.")
        return None if known[0] % desired else desired

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _element_spec(self):
        return self._spec

    def _elements(self):
        sizes = itertools.cycle(self._sizes)
        size = next(sizes)
        pending: list[list] = []
        pending_rows = 0
        spec = None
        for spec, leaves in _Unbatch(self._input)._chunks():
            n = st.chunk_rows(leaves)
            start = 0
            while start < n:
                take = min(size - pending_rows, n - start)
                pending.append([st.rows_slice(leaf, start, start + take) for leaf in leaves])
                pending_rows += take
                start += take
                if pending_rows == size:
                    yield st.unflatten(spec, [st.output(st.rows_concat(list(p)))
                                              for p in zip(*pending)])
                    pending, pending_rows, size = [], 0, next(sizes)
        if pending_rows and not self._drop:
            yield st.unflatten(spec, [st.output(st.rows_concat(list(p))) for p in zip(*pending)])


def _dtypes_of(state):
    """The nest of DTypes of a state (for the new-state checks of reduce and scan)."""
    spec, leaves = st.flatten(state)
    return st.unflatten(spec, [_leaf_spec(leaf).dtype for leaf in leaves])


def _checked_state(new_state, types, what: str):
    """``new_state`` as arrays, checked against the initial state's dtypes ``types``."""
    spec, leaves = st.flatten(new_state)
    new_state = st.unflatten(spec, [st.to_array(leaf) for leaf in leaves])
    new_types = _dtypes_of(new_state)
    _, old = st.flatten(types)
    _, new = st.flatten(new_types)
    if len(old) != len(new):
        raise DatasetArgumentError(
            f"The number of components of the initial state and the {what} function output "
            f"does not match. (initial_state={len(old)}, output={len(new)}).")
    if old != new:
        if what == "reduce":
            raise TypeError("The element types for the new state must match the initial "
                            f"state. Expected {types} but got {new_types}.")
        raise TypeError("Invalid `scan_func`. The element types for the new state must match "
                        f"the initial state. Expected {types}, got {new_types}.")
    return new_state


class _Scan(_Unary):
    def __init__(self, upstream, initial_state, fn):
        super().__init__(upstream)
        self._columnar = False
        spec, leaves = st.flatten(initial_state)
        self._initial = st.unflatten(spec, [st.to_array(leaf) for leaf in leaves])
        self._types = _dtypes_of(self._initial)
        self._fn = fn

    def _step(self, state, element):
        result = self._fn(state, element)
        if isinstance(result, list):  # packed into a tuple, as TensorFlow does
            result = tuple(result)
        if not isinstance(result, tuple) or len(result) != 2:
            raise TypeError("Invalid `scan_func`. `scan_func` should return a pair consisting "
                            "of new state and the output value but its return type is "
                            f"{_spec_of(result)}.")
        return _checked_state(result[0], self._types, "scan"), result[1]

    def _element_spec(self):
        # TensorFlow traces scan_func; cannery runs it on the first input element
        _, output = self._step(self._initial, self._input._first_element())
        return _spec_of(output)

    def _scanned(self, elements):
        state = self._initial
        for element in elements:
            state, output = self._step(state, element)
            yield output

    def _peek_elements(self):
        return self._scanned(self._input._peek_elements())

    def _elements(self):
        return self._scanned(self._input._elements())


def _scalar_bool(value) -> bool:
    array = st.to_array(value)
    if not isinstance(array, np.ndarray) or array.dtype != np.bool_ or array.ndim:
        raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                         f"tensor but its return type is{_spec_of(array)}.")
    return bool(array)


class _TakeWhile(_Unary):
    def __init__(self, upstream, predicate):
        super().__init__(upstream)
        self._columnar = False
        self._predicate = predicate

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _taken(self, elements):
        for element in elements:
            if not _scalar_bool(_call_unpacked(self._predicate, element)):
                return
            yield element

    def _peek_elements(self):
        return self._taken(self._input._peek_elements())

    def _elements(self):
        return self._taken(self._input._elements())


class _Unique(_Unary):
    def __init__(self, upstream):
        super().__init__(upstream)
        self._columnar = False

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _elements(self):
        seen = set()
        for element in self._input._elements():
            if isinstance(element, (str, bytes)):
                key = element
            else:
                array = np.asarray(element)
                if array.ndim == 0:
                    key = array.item()
                elif array.dtype == object:
                    key = (array.shape, tuple(array.reshape(-1).tolist()))
                else:
                    key = (array.shape, array.tobytes())
            if key in seen:
                continue
            seen.add(key)
            yield element


class DatasetSpec:
    """TensorFlow's ``tf.data.DatasetSpec``: the element_spec of a dataset that is itself
    an element (the windows of :meth:`Dataset.window`)."""

    __slots__ = ("element_spec", "dataset_shape")

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self.dataset_shape = TensorShape(dataset_shape)

    def __eq__(self, other):
        if not isinstance(other, DatasetSpec):
            return NotImplemented
        return (self.element_spec, self.dataset_shape) == (other.element_spec,
                                                           other.dataset_shape)

    def __hash__(self):
        return hash(self.dataset_shape)

    @property
    def shape(self) -> TensorShape:
        return self.dataset_shape

    def __repr__(self) -> str:
        return f"DatasetSpec({self.element_spec!r}, {self.dataset_shape!r})"


class _Window(_Unary):
    def __init__(self, upstream, size, shift, stride, drop):
        super().__init__(upstream)
        self._columnar = False
        self._size, self._shift, self._stride, self._drop = size, shift, stride, drop

    def _cardinality(self):  # WindowDatasetOp::CardinalityInternal
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._drop:
            rest = n - ((self._size - 1) * self._stride + 1)
            return 0 if rest < 0 else rest // self._shift + 1
        return n // self._shift + (1 if n % self._shift else 0)

    def _element_spec(self):
        structure, leaves = st.flatten(self._input._element_spec())
        return st.unflatten(structure, [DatasetSpec(leaf) for leaf in leaves])

    def _windows(self, elements):
        """WindowDatasetOp's GetNextInternal."""
        import collections

        size, shift, stride, drop = self._size, self._shift, self._stride, self._drop
        target = (size - 1) * stride + 1
        buffer: collections.deque = collections.deque()
        exhausted = False
        leaf_specs = None
        while True:
            if not exhausted:
                while len(buffer) < target:
                    try:
                        buffer.append(next(elements))
                    except StopIteration:
                        exhausted = True
                        break
            if not buffer or (drop and len(buffer) < target):
                return
            window = [buffer[stride * i] for i in range(1 + (len(buffer) - 1) // stride)]
            if shift >= len(buffer):
                for _ in range(shift - len(buffer)):
                    if exhausted:
                        break
                    try:
                        next(elements)
                    except StopIteration:
                        exhausted = True
                buffer.clear()
            else:
                for _ in range(shift):
                    buffer.popleft()
            if leaf_specs is None:
                leaf_specs = st.flatten(self._input._element_spec())[1]
            yield self._window_element(window, leaf_specs)

    @staticmethod
    def _window_element(window: list, leaf_specs: list):
        structure, _ = st.flatten(window[0])
        columns = [[] for _ in leaf_specs]
        for element in window:
            _, leaves = st.flatten(element)
            for column, leaf in zip(columns, leaves):
                column.append(leaf)
        datasets = [_Elements(lambda c=column: iter(c), cardinality=lambda c=column: len(c),
                              element_spec=lambda s=spec: s)
                    for column, spec in zip(columns, leaf_specs)]
        return st.unflatten(structure, datasets)

    def _peek_elements(self):
        return self._windows(iter(self._input._peek_elements()))

    def _elements(self):
        return self._windows(iter(self._input._elements()))


class _IgnoreErrors(_Unary):
    def __init__(self, upstream, log_warning: bool):
        super().__init__(upstream)
        self._columnar = False
        self._log = log_warning

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _elements(self):
        for element in self._input._tolerant_elements():
            if isinstance(element, _Failed):
                if self._log:
                    logger.warning("Error raised with error message %s", element.error)
                continue
            yield element

    _tolerant_elements = _elements


class _AssertCardinality(_Unary):
    """``tf.data.experimental.assert_cardinality``."""

    def __init__(self, upstream, expected: int):
        super().__init__(upstream)
        self._columnar = False
        self._expected = expected

    def _cardinality(self):
        return self._expected

    @staticmethod
    def _count(n: int) -> str:
        if n == INFINITE_CARDINALITY:
            return "an infinite number of elements"
        return f"{n} element{'s' if n != 1 else ''}"

    def _elements(self):
        from cannery.errors import FailedPreconditionError

        count = 0
        for element in self._input._elements():
            count += 1
            if self._expected != INFINITE_CARDINALITY and count > self._expected:
                raise FailedPreconditionError(
                    f"Input dataset was expected to contain {self._count(self._expected)} "
                    f"but contained at least {self._count(count)}.")
            yield element
        if count != self._expected:
            raise FailedPreconditionError(
                f"Input dataset was expected to contain {self._count(self._expected)} but "
                f"contained only {self._count(count)}.")


class _Counter(Dataset):
    """``counter``: TensorFlow's ``from_tensors(0).repeat().scan(start, state + step)``,
    produced in columns of running sums (the same sequential additions)."""

    _columnar = True
    _BLOCK = 4096

    def __init__(self, start, step, dtype):
        dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
        self._dtype = dtype
        self._start = np.asarray(start, dtype=dtype)
        self._step = np.asarray(step, dtype=dtype)

    def _cardinality(self):
        return INFINITE_CARDINALITY

    def _element_spec(self):
        return TensorSpec((), self._dtype)

    def _peek_elements(self):
        return self._elements()

    def _chunks(self):
        state = self._start
        while True:
            block = np.empty(self._BLOCK, dtype=self._dtype)
            block[0] = state
            block[1:] = self._step
            with np.errstate(over="ignore"):
                np.cumsum(block, out=block)
                state = block[-1] + self._step
            yield None, [block]


class _SeedStream:
    """The seeds of each pass of a random dataset (shuffle, ``Dataset.random``).

    :func:`cannery.random.op_seeds` fixes ``(seed, seed2)`` when the dataset is built;
    each pass (an iterator, an epoch of a following ``repeat``) then gets its Philox
    state from ``RandomSeedGenerator`` (two uint32 of a Philox stream over the seeds)
    or, when not reshuffling, ``FixedSeedGenerator`` (the seeds themselves).
    """

    def __init__(self, seed, reshuffle: bool):
        import secrets

        from cannery.core.kernels.shuffle import philox_state
        from cannery.random import op_seeds

        seeds = op_seeds(seed)
        self.seeds = seeds or (secrets.randbits(64), secrets.randbits(64))
        self._reshuffle = reshuffle
        self._generator = philox_state(*self.seeds)
        self._lock = threading.Lock()

    def pass_state(self) -> np.ndarray:
        from cannery.core.kernels.shuffle import philox_sample, philox_state

        if not self._reshuffle:
            return philox_state(*self.seeds)
        with self._lock:
            seed = int(philox_sample(self._generator))
            seed2 = int(philox_sample(self._generator))
        return philox_state(seed, seed2)


class _Random(Dataset):
    """``Dataset.random``: RandomDatasetOp's ``SingleSampleAdapter<PhiloxRandom>`` uint32
    stream as int64 scalars."""

    _columnar = True
    _BLOCK = 1024

    def __init__(self, seed, reshuffle: bool):
        self._seeds = _SeedStream(seed, reshuffle)

    def _cardinality(self):
        return INFINITE_CARDINALITY

    def _element_spec(self):
        return TensorSpec((), np.int64)

    def _peek_elements(self):
        from cannery.core.kernels.shuffle import philox_state

        state = philox_state(0, 0)  # any values: only structure and shape are looked at
        while True:
            yield _philox_words(state, 1)[0].astype(np.int64)

    def _words(self) -> Iterator[np.ndarray]:
        """The stream of a new pass, in blocks of uint32 words (as uint64)."""
        state = self._seeds.pass_state()
        while True:
            yield _philox_words(state, self._BLOCK)

    def _chunks(self):
        for words in self._words():
            yield None, [words.astype(np.int64)]


_U32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


def _philox_rounds(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 over arrays of 32-bit words (the shuffle kernels' rounds, many
    blocks per call; a key given as one word serves every block)."""
    from cannery.core.kernels.shuffle import philox_rounds

    words = np.broadcast_arrays(*(np.asarray(w, dtype=np.uint64)
                                  for w in (c0, c1, c2, c3, k0, k1)))
    shape = words[0].shape
    out = philox_rounds(*(np.ravel(w) for w in words))
    return tuple(w.reshape(shape) for w in out)


def _philox_words(state: np.ndarray, n: int) -> np.ndarray:
    """The next ``n`` uint32 of a ``philox_state`` stream (``philox_sample`` ``n`` times,
    with the whole blocks computed at once); ``state`` is advanced the same way."""
    out = np.empty(n, dtype=np.uint64)
    used = int(state[10])
    take = min(max(4 - used, 0), n)
    out[:take] = state[6 + used:6 + used + take]
    state[10] = used + take
    rest = n - take
    if rest:
        blocks = -(-rest // 4)
        low = int(state[2]) | int(state[3]) << 32
        high = int(state[4]) | int(state[5]) << 32
        counter = low | high << 64
        steps = np.arange(blocks, dtype=np.uint64)
        low_words = np.uint64(low) + steps  # wraps modulo 2**64
        carry = (low_words < np.uint64(low)).astype(np.uint64)
        high_words = np.uint64(high) + carry
        words = _philox_rounds(low_words & _U32, low_words >> _S32, high_words & _U32,
                               high_words >> _S32, np.uint64(state[0]), np.uint64(state[1]))
        stream = np.stack(words, axis=1).reshape(-1)
        out[take:] = stream[:rest]
        counter = (counter + blocks) % (1 << 128)
        for i in range(4):
            state[2 + i] = (counter >> (32 * i)) & 0xFFFFFFFF
        state[6:10] = stream[-4:]
        state[10] = rest - 4 * (blocks - 1)
    return out


_KEY0 = np.uint64(0x3EC8F720)  # the fixed key GenerateKey scrambles stateless seeds with
_KEY1 = np.uint64(0x02461E29)


def _stateless_uniform_doubles(seed0: np.ndarray, seed1: np.ndarray) -> np.ndarray:
    """The first ``SimplePhilox::RandDouble()`` of a stateless op seeded with each pair
    ``(seed0, seed1)`` (``GenerateKey`` in stateless_random_ops.cc, then the first
    Philox block of the scrambled key and counter); seeds are non-negative < 2**32."""
    zeros = np.zeros_like(seed0)
    mix = _philox_rounds(seed0, zeros, seed1, zeros, _KEY0, _KEY1)
    x0, x1, _, _ = _philox_rounds(zeros, zeros, mix[2], mix[3], mix[0], mix[1])
    mantissa = ((x0 & np.uint64(0xFFFFF)) << _S32) | x1
    return mantissa.astype(np.float64) * 2.0 ** -52  # Uint64ToDouble: exact


def _multinomial_cdf(logits: np.ndarray):
    """MultinomialFunctor's un-normalised CDF (doubles) and its total."""
    logits = np.asarray(logits)
    finite = np.isfinite(logits)
    top = logits[finite].max() if finite.any() else np.finfo(logits.dtype).min
    with np.errstate(over="ignore", invalid="ignore"):
        terms = np.exp(logits.astype(np.float64) - float(top))
    terms[~finite] = 0.0
    cdf = np.cumsum(terms)
    return cdf, (cdf[-1] if len(cdf) else 0.0)


def _multinomial_choices(random: _Random, logits, weights_dataset) -> Iterator[int]:
    """sample_from_datasets' selector: ``stateless_multinomial(logits, 1, seed=pair)`` for
    consecutive pairs of ``random``'s stream."""
    weights_iter = None if weights_dataset is None else iter(weights_dataset._elements())
    if logits is not None:
        cdf, total = _multinomial_cdf(logits)
    try:
        for words in random._words():
            uniforms = _stateless_uniform_doubles(words[0::2], words[1::2])
            if weights_iter is None:
                yield from np.searchsorted(cdf, uniforms * total, side="right").tolist()
                continue
            for u in uniforms:
                try:
                    weights = next(weights_iter)
                except StopIteration:
                    return
                with np.errstate(divide="ignore"):
                    cdf, total = _multinomial_cdf(np.log(st.to_array(weights)))
                yield int(np.searchsorted(cdf, u * total, side="right"))
    finally:
        if weights_iter is not None:
            weights_iter.close()


class _DirectedInterleave(Dataset):
    """DirectedInterleaveDatasetOp: each selector value picks the input to read next."""

    def __init__(self, make_selector: Callable[[], Iterator], datasets: list, stop: bool,
                 selector_dataset=None):
        for i, dataset in enumerate(datasets):
            if not isinstance(dataset, Dataset):
                raise TypeError(f"Invalid `datasets`. `datasets[{i}]` must be a "
                                f"tf.data.Dataset; received {dataset!r}")
        spec = datasets[0]._element_spec()
        for i, dataset in enumerate(datasets[1:], start=1):
            try:
                spec = _common_spec(spec, dataset._element_spec())
            except (TypeError, ValueError) as exc:
                raise TypeError("Invalid `datasets`. `datasets` must have compatible element "
                                f"specs.\n Dataset 0 element_spec="
                                f"{datasets[0]._element_spec()}.\nDataset {i} element_spec="
                                f"{dataset._element_spec()}.") from exc
        self._spec = spec
        self._make_selector = make_selector
        self._datasets = datasets
        self._members = ([] if selector_dataset is None else [selector_dataset]) + datasets
        self._stop = stop

    def _cardinality(self):  # infinite if an input is, else unknown
        if any(d._cardinality() == INFINITE_CARDINALITY for d in self._datasets):
            return INFINITE_CARDINALITY
        return UNKNOWN_CARDINALITY

    def _element_spec(self):
        return self._spec

    def _peek_elements(self):
        return self._datasets[0]._peek_elements()

    def _elements(self):
        inputs = [d._elements() for d in self._datasets]
        active = len(inputs)
        choices = self._make_selector()
        try:
            for choice in choices:
                index = int(choice)
                if not 0 <= index < len(inputs):
                    raise DatasetArgumentError(
                        f"Selector index out of range: {index} >= {len(inputs)}")
                source = inputs[index]
                if source is None:
                    continue
                try:
                    element = next(source)
                except StopIteration:
                    if self._stop:
                        return
                    inputs[index] = None
                    active -= 1
                    if not active:
                        return
                    continue
                yield element
        finally:
            for source in [*inputs, choices]:
                close = getattr(source, "close", None)
                if close is not None:
                    close()


def _zip_cardinality(members) -> int:
    """ZipDatasetOp::CardinalityInternal: the shortest input; unknown if any is unknown."""
    result = INFINITE_CARDINALITY
    for member in members:
        n = member._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return n
        if n != INFINITE_CARDINALITY:
            result = n if result == INFINITE_CARDINALITY else min(result, n)
    return result


# ---------------------------------------------------------------------------- element_spec


def _leaf_spec(value):
    """The TensorSpec (SparseTensorSpec) of one element leaf, all sizes known."""
    if isinstance(value, Dataset):
        return DatasetSpec(value._element_spec())
    if isinstance(value, DatasetSpec):
        return value
    if isinstance(value, SparseTensor):
        return SparseTensorSpec(np.asarray(value.dense_shape).tolist(),
                                st.to_array(value.values).dtype)
    if isinstance(value, (TensorSpec, SparseTensorSpec)):
        return value
    array = st.to_array(value)
    if array.dtype.kind in "OSU":
        return TensorSpec(array.shape, "string")
    return TensorSpec(array.shape, array.dtype)


def _row_spec(leaf):
    """The spec of one row of a ``from_tensor_slices`` column."""
    if isinstance(leaf, st.SparseRows):
        return SparseTensorSpec(leaf.tail_shape, leaf.values.dtype)
    if leaf.dtype.kind in "OSU":
        return TensorSpec(leaf.shape[1:], "string")
    return TensorSpec(leaf.shape[1:], leaf.dtype)


def _spec_of(element):
    spec, leaves = st.flatten(element)
    return st.unflatten(spec, [_leaf_spec(leaf) for leaf in leaves])


class _UnknownRankShape(TensorShape):
    """``TensorShape(None)``: a shape of unknown rank (``concatenate`` of components of
    different ranks)."""

    __slots__ = ()

    def __new__(cls):
        return tuple.__new__(cls, ())

    rank = property(lambda self: None)
    ndims = rank
    dims = property(lambda self: None)

    def as_list(self):
        raise ValueError("as_list() is not defined on an unknown TensorShape.")

    def num_elements(self):
        return None

    def is_fully_defined(self) -> bool:
        return False

    def __eq__(self, other):
        return isinstance(other, _UnknownRankShape)

    def __ne__(self, other):
        return not isinstance(other, _UnknownRankShape)

    def __hash__(self):
        return hash("TensorShape(None)")

    def __repr__(self) -> str:
        return "TensorShape(None)"

    def __str__(self) -> str:
        return "<unknown>"


def _common_shape(a, b):
    """``most_specific_common_supertype`` of two shapes."""
    if isinstance(a, _UnknownRankShape) or isinstance(b, _UnknownRankShape) or len(a) != len(b):
        return _UnknownRankShape()
    return TensorShape(x if x == y else None for x, y in zip(a, b))


def _common_leaf(a, b):
    if isinstance(a, DatasetSpec) and isinstance(b, DatasetSpec):
        return DatasetSpec(_common_spec(a.element_spec, b.element_spec), a.dataset_shape)
    if type(a) is not type(b) or a.dtype != b.dtype:
        raise TypeError(f"No common supertype of {a} and {b}.")
    shape = _common_shape(a.shape, b.shape)
    if isinstance(a, SparseTensorSpec):
        out = SparseTensorSpec((), a.dtype)
    else:
        out = TensorSpec((), a.dtype, a.name if a.name == b.name else None)
    out.shape = shape
    return out


def _common_spec(a, b):
    """The most specific common supertype of two element_specs (same nest, same dtypes;
    differing sizes become None).

    Raises:
        TypeError: different structures or dtypes.
    """
    if isinstance(a, dict):
        if not isinstance(b, dict) or set(a) != set(b):
            raise TypeError(f"The two structures don't have the same keys: {a} vs. {b}")
        return type(a)((k, _common_spec(a[k], b[k])) for k in a)
    if isinstance(a, tuple):
        if not isinstance(b, tuple) or len(a) != len(b):
            raise TypeError(f"The two structures don't have the same nested structure: "
                            f"{a} vs. {b}")
        values = [_common_spec(x, y) for x, y in zip(a, b)]
        return type(a)(*values) if hasattr(type(a), "_fields") else type(a)(values)
    if isinstance(b, (dict, tuple)):
        raise TypeError(f"The two structures don't have the same nested structure: "
                        f"{a} vs. {b}")
    return _common_leaf(a, b)


def _batched_spec(leaf, size):
    if isinstance(leaf.shape, _UnknownRankShape):
        return leaf
    if isinstance(leaf, SparseTensorSpec):
        return SparseTensorSpec((size, *leaf.shape), leaf.dtype)
    return TensorSpec((size, *leaf.shape), leaf.dtype)


def _unbatched_spec(leaf):
    if isinstance(leaf.shape, _UnknownRankShape):
        return leaf
    if isinstance(leaf, SparseTensorSpec):
        return SparseTensorSpec(leaf.shape[1:], leaf.dtype)
    return TensorSpec(leaf.shape[1:], leaf.dtype)


def _with_shape(leaf, shape):
    if isinstance(leaf, SparseTensorSpec):
        return SparseTensorSpec(shape, leaf.dtype)
    return TensorSpec(shape, leaf.dtype, leaf.name)


def _unknown_sizes(spec, element) -> set:
    """The actual sizes, in ``element``, of the dimensions ``spec`` leaves unknown."""
    _, specs = st.flatten(spec)
    _, leaves = st.flatten(element)
    sizes = set()
    for leaf_spec, leaf in zip(specs, leaves):
        shape = _leaf_spec(leaf).shape
        sizes.update(d for s, d in zip(leaf_spec.shape, shape) if s is None)
    return sizes


def _relax_spec(leaf, unknown: set):
    # only the leading (batch) dimension: a feature size that happens to equal the batch
    # size is rarer than a batch dimension carried through the function
    if leaf.shape and leaf.shape[0] in unknown:
        return _with_shape(leaf, (None, *leaf.shape[1:]))
    return leaf


def _generator_values(raw: list, declared: list, static, element) -> list:
    """A generated element's leaves converted to the declared dtypes (numpy's
    conversion, as TensorFlow's ``generator_py_func``) and checked against the declared
    shapes; a mismatch is TensorFlow's TypeError, reported as InvalidArgumentError."""
    def refuse(message):
        return InvalidArgumentError(f"TypeError: {message} [Op:IteratorGetNext]")

    if len(raw) != len(declared):
        raise refuse("`generator` yielded an element that did not match the expected "
                     f"structure. The expected structure was {static}, but the yielded "
                     f"element was {element}.")
    values = []
    for value, spec in zip(raw, declared):
        if not isinstance(spec, TensorSpec) or spec.dtype.name == "string":
            values.append(st.to_array(value))
            continue
        numpy_dtype = np.dtype(spec.dtype.as_numpy_dtype)
        try:
            array = np.asarray(getattr(value, "numpy", lambda: value)(), dtype=numpy_dtype)
        except (TypeError, ValueError) as error:
            raise refuse("`generator` yielded an element that could not be converted to "
                         f"the expected type. The expected type was {spec.dtype.name}, "
                         f"but the yielded element was {value}.") from error
        shape = list(spec.shape) if spec.shape is not None else None
        if shape is not None and (len(shape) != array.ndim or any(
                d is not None and d != n for d, n in zip(shape, array.shape))):
            raise refuse(f"`generator` yielded an element of shape {array.shape} where an "
                         f"element of shape {TensorShape(shape)} was expected.")
        values.append(array)
    return values


def _generator_spec(output_types, output_shapes, output_signature):
    """``from_generator``'s declared structure, or None when none was declared."""
    if output_signature is not None:
        spec, leaves = st.flatten(output_signature)
        for path, leaf in zip(_leaf_paths(spec), leaves):
            if not isinstance(leaf, (TensorSpec, SparseTensorSpec)):
                raise TypeError(f"from_generator: output_signature{path} must be a "
                                f"tf.TensorSpec; received {leaf!r}")
        return output_signature
    if output_types is None:
        return None
    spec, types = st.flatten(output_types)
    if output_shapes is None:
        # TensorFlow's default: unknown shapes; cannery has no unknown rank, so the rank
        # is found from the first element
        return None
    shapes: list = []
    _shapes_up_to(spec, output_shapes, shapes)
    return st.unflatten(spec, [TensorSpec(shape, dtype) for shape, dtype in zip(shapes, types)])


def _shapes_up_to(spec, shapes, out: list) -> None:
    """Flatten ``output_shapes`` along the structure of ``output_types`` (a shape is
    itself a tuple, so it cannot be flattened on its own)."""
    if spec is None:
        if not _is_shape(shapes):
            raise ValueError(f"from_generator: output_shapes entry {shapes!r} is not a shape "
                             f"(a tuple or list of sizes, None for unknown)")
        out.append(shapes)
        return
    kind, meta, children = spec
    try:
        parts = [shapes[k] for k in meta] if kind in ("dict", "ordered_dict") else list(shapes)
    except (KeyError, TypeError):
        parts = None
    if parts is None or len(parts) != len(children):
        raise ValueError(f"from_generator: output_shapes {shapes!r} does not match the "
                         f"structure of output_types")
    for child, part in zip(children, parts):
        _shapes_up_to(child, part, out)


def _is_shape(value) -> bool:
    return isinstance(value, (list, TensorShape)) or (
        isinstance(value, tuple) and all(d is None or isinstance(d, (int, np.integer))
                                         for d in value))


# ---------------------------------------------------------------------------- options


class AutotuneAlgorithm(enum.Enum):
    """``tf.data.experimental.AutotuneAlgorithm``."""

    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


class AutoShardPolicy(enum.IntEnum):
    """``tf.data.experimental.AutoShardPolicy``."""

    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy(enum.Enum):
    """``tf.data.experimental.ExternalStatePolicy``."""

    WARN = 0
    IGNORE = 1
    FAIL = 2


class OptionsBase:
    """TensorFlow's ``tf.data`` options base (tensorflow/python/data/util/options.py):
    typed attributes, unset ones reading as their default, compared by value.

    Subclasses list ``_fields``: name -> (type, default factory).
    """

    _fields: dict = {}

    def __init__(self):
        object.__setattr__(self, "_options", {})
        object.__setattr__(self, "_mutable", True)

    def __getattr__(self, name):
        fields = type(self)._fields
        if name.startswith("_") or name not in fields:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")
        options = self._options
        if name not in options:
            options[name] = fields[name][1]()
        return options[name]

    def __setattr__(self, name, value):
        if not self._mutable:
            raise ValueError("Mutating `tf.data.Options()` returned by "
                             "`tf.data.Dataset.options()` has no effect. Use "
                             "`tf.data.Dataset.with_options(options)` to set or update "
                             "dataset options.")
        field = type(self)._fields.get(name)
        if field is None:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        if not isinstance(value, field[0]):
            raise TypeError(f'Property "{name}" must be of type {field[0]}, got: {value} '
                            f"(type: {type(value)})")
        self._options[name] = value

    def __eq__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name)
                   for name in set(self._options) | set(other._options))

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in sorted(self._options.items()))
        return f"{type(self).__name__}({values})"

    def _set_mutable(self, mutable: bool) -> None:
        object.__setattr__(self, "_mutable", mutable)
        for value in self._options.values():
            if isinstance(value, OptionsBase):
                value._set_mutable(mutable)


def _none():
    return None


def merge_options(*options_list):
    """Merge options objects of one type: an option set differently by two of them
    takes the value of the later one (nested options merged recursively)."""
    if not options_list:
        raise ValueError("At least one options should be provided")
    result_type = type(options_list[0])
    for options in options_list:
        if not isinstance(options, result_type):
            raise TypeError(f"Could not merge incompatible options of type {type(options)} "
                            f"and {result_type}.")
    if not isinstance(options_list[0], OptionsBase):
        raise TypeError("All options to be merged should inherit from `OptionsBase` but "
                        f"found option of type {result_type} which does not.")
    default = result_type()
    result = result_type()
    for options in options_list:
        for name in options._options:
            this, that, base = getattr(result, name), getattr(options, name), getattr(default,
                                                                                      name)
            if that == base:
                continue
            if this == base:
                setattr(result, name, that)
            elif isinstance(this, OptionsBase):
                setattr(result, name, merge_options(this, that))
            elif this != that:
                logger.warning("Changing the value of option %s from %r to %r.", name, this,
                               that)
                setattr(result, name, that)
    return result


class AutotuneOptions(OptionsBase):
    """``tf.data.experimental.AutotuneOptions``."""

    _fields = {"enabled": (bool, _none), "cpu_budget": (int, _none),
               "ram_budget": (int, _none), "autotune_algorithm": (AutotuneAlgorithm, _none)}


class DistributeOptions(OptionsBase):
    """``tf.data.experimental.DistributeOptions``."""

    _fields = {"auto_shard_policy": (AutoShardPolicy, lambda: AutoShardPolicy.AUTO),
               "num_devices": (int, _none)}


class OptimizationOptions(OptionsBase):
    """``tf.data.experimental.OptimizationOptions`` (recorded; cannery has no graph
    rewrites)."""

    _fields = {name: (bool, _none) for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization",
        "inject_prefetch", "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion",
        "map_parallelization", "noop_elimination", "parallel_batch",
        "shuffle_and_repeat_fusion")}


class ThreadingOptions(OptionsBase):
    """``tf.data.ThreadingOptions``."""

    _fields = {"max_intra_op_parallelism": (int, _none),
               "private_threadpool_size": (int, _none)}


class Options(OptionsBase):
    """``tf.data.Options``: set attributes and attach with :meth:`Dataset.with_options`.

    cannery records them (and :meth:`Dataset.options` reports them) but its pipeline
    has nothing they configure. ``experimental_deterministic`` and
    ``experimental_threading`` are TensorFlow's aliases of ``deterministic`` and
    ``threading``.
    """

    _fields = {
        "autotune": (AutotuneOptions, AutotuneOptions),
        "deterministic": (bool, _none),
        "experimental_distribute": (DistributeOptions, DistributeOptions),
        "experimental_external_state_policy": (ExternalStatePolicy, _none),
        "experimental_optimization": (OptimizationOptions, OptimizationOptions),
        "experimental_slack": (bool, _none),
        "experimental_symbolic_checkpoint": (bool, _none),
        "experimental_warm_start": (bool, _none),
        "threading": (ThreadingOptions, ThreadingOptions),
    }
    _ALIASES = {"experimental_deterministic": "deterministic",
                "experimental_threading": "threading"}

    def __getattr__(self, name):
        return super().__getattr__(self._ALIASES.get(name, name))

    def __setattr__(self, name, value):
        super().__setattr__(self._ALIASES.get(name, name), value)

    def merge(self, options) -> Options:
        """A new Options: these, with the options set in ``options`` taking precedence."""
        return merge_options(self, options)
