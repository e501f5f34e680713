"""``cannery.data.Dataset``: the subset of ``tf.data.Dataset`` that estimator input_fns use.

Two execution paths share one public API:

* **columnar** — a source of whole columns (``from_tensor_slices``, ``range``, the CSV
  reader, ``unbatch``) followed by ``shuffle``, ``repeat``, ``take``, ``skip``,
  ``cache`` and ``prefetch`` moves *chunks* (a flat list of equally long leaf arrays
  plus the spec of the nest) and ``batch`` cuts batches out of them by slicing and
  one vectorised ``take`` per column. Nothing runs per example in Python.
* **per element** — after ``map``/``filter``, or from a generator, elements flow one
  by one (``batch`` then stacks them); after ``batch`` an element is a whole batch,
  so this path is cheap there.

Semantics follow TensorFlow 2.15's ``tensorflow/python/data/ops/dataset_ops.py``:
``repeat(None)`` is infinite, ``shuffle`` is the buffer shuffle (fill ``buffer_size``
elements, emit a uniformly chosen one, put the next input element in its slot) and
reshuffles on every iteration unless ``reshuffle_each_iteration=False``, ``map``
unpacks tuple elements as positional arguments, ``batch`` keeps a smaller final batch
unless ``drop_remainder=True``. ``shuffle`` gives TensorFlow's exact order whenever
TensorFlow's is reproducible (a seed is known), with its Philox stream.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator

import numpy as np

from cannery.data import _structure as st
from cannery.core.eager_tensor import SparseTensorSpec, TensorShape, TensorSpec
from cannery.core.tensors import SparseTensor
from cannery.data._prefetch import Prefetcher

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
        """Iterate the elements as plain numpy arrays."""
        return self._elements()

    def _elements(self) -> Iterator:
        if not self._columnar:
            raise NotImplementedError
        for spec, leaves in self._chunks():
            for i in range(st.chunk_rows(leaves)):
                yield st.unflatten(spec, [st.row(leaf, i) for leaf in leaves])

    def _chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError

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

        def make():
            for element in generator(*call_args):
                spec, raw = st.flatten(element)
                yield st.unflatten(spec, [st.to_array(v) for v in raw])

        static = _generator_spec(output_types, output_shapes, output_signature)
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

        return _Elements(make, cardinality=lambda: _zip_cardinality(members),
                         element_spec=lambda: st.unflatten(
                             spec, [m._element_spec() for m in members]),
                         peek=peek)

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
        """Accepted for compatibility; options have no effect."""
        del options, name
        return self


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
        import secrets

        from cannery.core.kernels.shuffle import philox_state
        from cannery.random import op_seeds

        super().__init__(upstream)
        self._buffer_size = buffer_size
        seeds = op_seeds(seed)
        self._seeds = seeds or (secrets.randbits(64), secrets.randbits(64))
        self._reshuffle = reshuffle
        self._seed_generator = philox_state(*self._seeds)
        self._lock = threading.Lock()

    def _pass_state(self) -> np.ndarray:
        """The Philox state of a new pass (``SeedGenerator::GenerateSeeds``)."""
        from cannery.core.kernels.shuffle import philox_sample, philox_state

        if not self._reshuffle:
            return philox_state(*self._seeds)
        with self._lock:
            seed = int(philox_sample(self._seed_generator))
            seed2 = int(philox_sample(self._seed_generator))
        return philox_state(seed, seed2)

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
        element = self._input._first_element()
        unknown = _unknown_sizes(self._input._element_spec(), element)
        output = _spec_of(self._apply(element))
        if not unknown:
            return output
        spec, leaves = st.flatten(output)
        return st.unflatten(spec, [_relax_spec(leaf, unknown) for leaf in leaves])

    def _apply(self, element):
        return self._fn(*element) if isinstance(element, tuple) else self._fn(element)

    def _peek_elements(self):
        for element in self._input._peek_elements():
            yield self._apply(element)

    def _elements(self):
        fn = self._fn
        for element in self._input._elements():
            yield fn(*element) if isinstance(element, tuple) else fn(element)


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


def _batched_spec(leaf, size):
    if isinstance(leaf, SparseTensorSpec):
        return SparseTensorSpec((size, *leaf.shape), leaf.dtype)
    return TensorSpec((size, *leaf.shape), leaf.dtype)


def _unbatched_spec(leaf):
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
