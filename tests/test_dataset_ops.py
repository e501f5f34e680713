"""The rest of tf.data.Dataset's API that input_fns use (concatenate, enumerate,
flat_map, interleave, shard, padded_batch, reduce, scan, take_while, unique, window,
get_single_element, list_files, counter, sample/choose_from_datasets, ignore_errors,
options, rebatch, len) and tf.data.experimental's functional forms.

Expected values are traced by hand from TensorFlow 2.15's kernels
(tensorflow/core/kernels/data/*.cc) as each comment says, or quoted from the docstring
examples of tensorflow/python/data/ops/dataset_ops.py (TensorFlow runs them as doctests).
tools/tf_diff/programs/dataset_ops/ compares the same behaviours with TensorFlow itself.
"""

import os
import struct

import numpy as np
import pytest

import cannery as tf
from cannery.core.kernels.shuffle import philox4x32_10, philox_sample, philox_state
from cannery.data import dataset as dsmod
from cannery.data.dataset import (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset,
                                  DatasetSpec, Options)
from cannery.errors import (DataLossError, FailedPreconditionError,
                            InvalidArgumentError)

D = Dataset
E = tf.data.experimental


def _text(value):
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value.decode("utf-8") if isinstance(value, bytes) else value


def L(ds):
    """The elements as (nested) Python lists; strings, which as_numpy_iterator gives as
    bytes (as TensorFlow's), as text."""
    def conv(x):
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, tuple):
            return tuple(conv(v) for v in x)
        return _text(np.asarray(x).tolist())
    return [conv(e) for e in ds.as_numpy_iterator()]


def card(ds):
    return int(ds.cardinality())


# ------------------------------------------------------------------ concatenate


def test_concatenate_values_spec_and_cardinality():
    c = D.range(3).concatenate(D.from_tensor_slices(np.array([10, 11], np.int64)))
    assert L(c) == [0, 1, 2, 10, 11]
    assert card(c) == 5
    # most_specific_common_supertype: (2,) and (3,) disagree -> (None,)
    m = D.from_tensor_slices(np.zeros((3, 2), np.int64)).concatenate(
        D.from_tensor_slices(np.zeros((1, 3), np.int64)))
    assert m.element_spec == tf.TensorSpec([None], tf.int64)
    # different ranks -> unknown rank, printed as TensorFlow prints it
    r = D.range(2).concatenate(D.range(2).batch(2))
    assert str(r.element_spec) == "TensorSpec(shape=<unknown>, dtype=tf.int64, name=None)"
    assert r.element_spec.shape.rank is None


def test_concatenate_cardinality_rules():
    # ConcatenateDatasetOp: infinite if either side is, else unknown if either is
    assert card(D.range(3).repeat().concatenate(D.range(2))) == INFINITE_CARDINALITY
    assert card(D.range(3).filter(lambda x: x > 0).concatenate(
        D.range(2).repeat())) == INFINITE_CARDINALITY
    assert card(D.range(3).filter(lambda x: x > 0).concatenate(D.range(2))) == \
        UNKNOWN_CARDINALITY


def test_concatenate_stays_columnar_and_batches_across_the_seam():
    c = D.range(5).concatenate(D.range(100, 104))
    assert c._columnar
    # 0..4 then 100..103 in threes: the middle batch spans both inputs
    assert L(c.batch(3)) == [[0, 1, 2], [3, 4, 100], [101, 102, 103]]


def test_concatenate_incompatible_elements():
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        D.range(3).concatenate(D.from_tensor_slices(np.array([1.0], np.float32)))
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        D.range(3).concatenate(D.zip((D.range(1), D.range(1))))


# ------------------------------------------------------------------ enumerate


def test_enumerate_pairs_spec_and_cardinality():
    e = D.from_tensor_slices({"k": np.array([5.0, 6.0], np.float32)}).enumerate(4)
    assert L(e) == [(4, {"k": 5.0}), (5, {"k": 6.0})]
    assert e.element_spec == (tf.TensorSpec([], tf.int64),
                              {"k": tf.TensorSpec([], tf.float32)})
    # zip((range(start, int64 max), ds)): an endless input gives the range's length
    assert card(D.range(3).repeat().enumerate()) == 2**63 - 1
    assert card(D.range(3).repeat().enumerate(7)) == 2**63 - 1 - 7
    assert card(D.range(3).enumerate()) == 3
    # columnar: counts are a column of the chunk, batches slice it
    assert L(D.range(5).enumerate().batch(2)) == [([0, 1], [0, 1]), ([2, 3], [2, 3]),
                                                  ([4], [4])]
    assert L(D.range(3).map(lambda x: x * 2).enumerate(1)) == [(1, 0), (2, 2), (3, 4)]


# ------------------------------------------------------------------ flat_map / interleave


def test_flat_map():
    assert L(D.range(4).flat_map(lambda x: D.range(x))) == [0, 0, 1, 0, 1, 2]
    assert card(D.range(4).flat_map(lambda x: D.range(x))) == UNKNOWN_CARDINALITY
    # tuple elements are unpacked as arguments
    assert L(D.zip((D.range(2), D.range(2))).flat_map(
        lambda a, b: D.from_tensors(a + 10 * b))) == [0, 11]
    with pytest.raises(TypeError, match="must return a `Dataset`"):
        list(D.range(2).flat_map(lambda x: x))


def test_interleave_docstring_example():
    # dataset_ops.py, Dataset.interleave docstring (cycle_length=2, block_length=4)
    ds = D.range(1, 6).interleave(lambda x: D.from_tensors(x).repeat(6),
                                  cycle_length=2, block_length=4)
    assert L(ds) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4,
                     5, 5, 5, 5, 5, 5]


def test_interleave_refills_a_slot_when_its_dataset_ends():
    # InterleaveDatasetOp::GetNextInternal, x repeated x times, cycle 2, block 2:
    # slot0 <- 1: "1", ends -> slot1 <- 2: "2 2" (block done) -> slot0 <- 3: "3 3" ->
    # slot1: 2 ended -> slot0: "3", ended -> slot1 <- 4: "4 4" -> slot0 <- 5: "5 5" ->
    # slot1: "4 4" -> slot0: "5 5" -> slot1 ended -> slot0: "5"
    ds = D.range(1, 6).interleave(lambda x: D.from_tensors(x).repeat(x), cycle_length=2,
                                  block_length=2)
    assert L(ds) == [1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 4, 4, 5, 5, 5]
    # empty inner datasets just free their slot: x % 3 copies of x over 0..5, cycle 2:
    # 0 is empty, 1: "1", 2 joins: "2", 1 ended, 3 empty, 4: "4"/2: "2", ...
    ds = D.range(0, 6).interleave(lambda x: D.from_tensors(x).repeat(x % 3), cycle_length=2)
    assert L(ds) == [1, 2, 2, 4, 5, 5]
    assert card(ds) == UNKNOWN_CARDINALITY


def test_interleave_element_spec_is_the_inner_datasets():
    ds = D.range(1, 3).interleave(lambda x: D.from_tensor_slices({"v": np.arange(x)}),
                                  cycle_length=2)
    assert ds.element_spec == {"v": tf.TensorSpec([], tf.int64)}


def test_interleave_autotune_cycle_length(monkeypatch):
    monkeypatch.setattr(dsmod, "_max_parallelism", lambda: 3)
    three = lambda x: D.from_tensors(x).repeat(2)
    # AUTOTUNE cycle = cores (3): round robin over 1, 2, 3 then 4
    assert L(D.range(1, 5).interleave(three)) == [1, 2, 3, 1, 2, 3, 4, 4]
    # parallel, num_parallel_calls=2: cycle min(2, cores) = 2
    assert L(D.range(1, 4).interleave(three, num_parallel_calls=2)) == [1, 2, 1, 2, 3, 3]
    # parallel, both AUTOTUNE: cycle ceil(cores / 3) = 1
    assert L(D.range(1, 4).interleave(three, num_parallel_calls=tf.data.AUTOTUNE)) == \
        [1, 1, 2, 2, 3, 3]


def test_interleave_argument_errors():
    f = lambda x: D.from_tensors(x)
    with pytest.raises(InvalidArgumentError, match="^cycle_length must be greater than zero"):
        D.range(3).interleave(f, cycle_length=0)
    with pytest.raises(ValueError, match="^block_length must be greater than zero"):
        D.range(3).interleave(f, cycle_length=1, block_length=0)
    with pytest.raises(InvalidArgumentError, match="`cycle_length` must be `tf.data.AUTOTUNE`"):
        D.range(3).interleave(f, cycle_length=0, num_parallel_calls=2)
    with pytest.raises(InvalidArgumentError, match="num_parallel_calls must be greater"):
        D.range(3).interleave(f, cycle_length=2, num_parallel_calls=0)
    with pytest.raises(InvalidArgumentError, match="`num_parallel_calls` is 4 and "
                                                   "`cycle_length` is 2"):
        D.range(3).interleave(f, cycle_length=2, num_parallel_calls=4)
    with pytest.warns(UserWarning, match="`deterministic` argument has no effect"):
        D.range(3).interleave(f, cycle_length=1, deterministic=True)


# ------------------------------------------------------------------ shard


def test_shard_elements_and_cardinality():
    assert L(D.range(10).shard(3, 1)) == [1, 4, 7]
    # ShardDatasetOp: n // shards + (index < n % shards): 10 = 3*3 + 1
    assert [card(D.range(10).shard(3, i)) for i in range(3)] == [4, 3, 3]
    assert card(D.range(3).repeat().shard(2, 0)) == INFINITE_CARDINALITY
    assert L(D.range(11).map(lambda x: x * 2).shard(4, 2)) == [4, 12, 20]


def test_shard_is_columnar_across_chunks():
    ds = D.range(5).concatenate(D.range(5, 10)).shard(3, 1)  # two chunks of 5
    assert ds._columnar
    assert L(ds) == [1, 4, 7]
    # rows 3, 7, 11, 15, 19 of 0..19, batched by two
    assert L(D.from_tensor_slices(np.arange(20)).shard(4, 3).batch(2)) == [[3, 7], [11, 15],
                                                                           [19]]


def test_shard_errors():
    with pytest.raises(InvalidArgumentError, match=r"Number of shards must be greater than "
                                                   r"zero \(currently num_shards = 0\)"):
        D.range(10).shard(0, 0)
    with pytest.raises(InvalidArgumentError, match=r"Index must be between 0 and 2 "
                                                   r"\(currently index = 3\)"):
        D.range(10).shard(3, 3)


# ------------------------------------------------------------------ padded_batch


def _ragged():
    """A = range(1, 5, int32).map(fill([x], x)) of the padded_batch docstring."""
    return D.range(1, 5, output_type=tf.int32).map(lambda x: np.full([x], x))


def test_padded_batch_docstring_examples():
    # dataset_ops.py, Dataset.padded_batch docstring
    assert L(_ragged().padded_batch(2)) == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    assert L(_ragged().padded_batch(2, padded_shapes=5)) == [
        [[1, 0, 0, 0, 0], [2, 2, 0, 0, 0]], [[3, 3, 3, 0, 0], [4, 4, 4, 4, 0]]]
    assert L(_ragged().padded_batch(2, padded_shapes=5, padding_values=-1)) == [
        [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]], [[3, 3, 3, -1, -1], [4, 4, 4, 4, -1]]]
    elements = [([1, 2, 3], [10]), ([4, 5], [11, 12])]
    ds = D.from_generator(lambda: iter(elements), (tf.int32, tf.int32)).padded_batch(
        2, padded_shapes=([4], [None]), padding_values=(-1, 100))
    assert L(ds) == [([[1, 2, 3, -1], [4, 5, -1, -1]], [[10, 100], [11, 12]])]
    # one value for every component
    assert L(D.zip((_ragged(), _ragged())).padded_batch(2, padding_values=-1))[0] == (
        [[1, -1], [2, 2]], [[1, -1], [2, 2]])


def test_padded_batch_element_spec():
    sig = tf.TensorSpec([None], tf.int64)
    gen = D.from_generator(lambda: (np.full(i, i, np.int64) for i in range(4)),
                           output_signature=sig)
    # the batch dimension is None unless drop_remainder; sizes are the padded shapes
    assert gen.padded_batch(2).element_spec == tf.TensorSpec([None, None], tf.int64)
    assert gen.padded_batch(2, padded_shapes=[5], drop_remainder=True).element_spec == \
        tf.TensorSpec([2, 5], tf.int64)
    assert card(gen.take(3).padded_batch(2)) == UNKNOWN_CARDINALITY
    assert card(D.range(5).padded_batch(2)) == 3
    # scalars batch like batch(); strings pad with ""
    assert L(D.range(3).padded_batch(2)) == [[0, 1], [2]]
    words = D.from_tensor_slices(["p", "q"]).map(lambda s: np.array([s], dtype=object))
    assert L(words.padded_batch(2, padded_shapes=[2])) == [[["p", ""], ["q", ""]]]


def test_padded_batch_errors():
    with pytest.raises(DataLossError, match="Attempted to pad to a smaller size"):
        list(_ragged().padded_batch(2, padded_shapes=[3]))
    with pytest.raises(ValueError, match=r"The padded shape \(2,\) is not compatible with the "
                                         r"shape \(3,\)"):
        D.from_tensor_slices([[1, 2, 3]]).padded_batch(2, padded_shapes=[2])
    # a Python int is int32, the component int64
    with pytest.raises(TypeError, match="values type <dtype: 'int32'> does not match type "
                                        "<dtype: 'int64'>"):
        D.range(3).padded_batch(2, padding_values=-1)
    with pytest.raises(ValueError, match=r"should be scalars, but got \(2,\)"):
        D.range(3).padded_batch(2, padding_values=np.array([1, 2]))
    with pytest.raises(TypeError, match="not a subclass of TensorSpec"):
        D.from_tensors(tf.SparseTensor([[0]], [1], [3])).padded_batch(2)
    with pytest.raises(InvalidArgumentError, match="Batch size must be greater than zero"):
        D.range(3).padded_batch(0)


# ------------------------------------------------------------------ rebatch


def test_rebatch_docstring_examples():
    # dataset_ops.py, Dataset.rebatch docstring
    assert L(D.range(6).batch(2).rebatch(3)) == [[0, 1, 2], [3, 4, 5]]
    assert L(D.range(7).batch(4).rebatch(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert L(D.range(7).batch(2).rebatch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert L(D.range(8).batch(4).rebatch([2, 1, 1])) == [[0, 1], [2], [3], [4, 5], [6], [7]]


def test_rebatch_spec_and_errors():
    # _compute_static_batch_dim: known only when every batch has the size
    assert D.range(8).batch(4).rebatch(2).element_spec.shape == (None,)
    assert D.range(8).batch(4, drop_remainder=True).rebatch(2).element_spec.shape == (2,)
    assert D.range(8).batch(4, drop_remainder=True).rebatch(3).element_spec.shape == (None,)
    assert D.range(8).batch(4).rebatch(3, drop_remainder=True).element_spec.shape == (3,)
    assert card(D.range(8).batch(4).rebatch(2)) == UNKNOWN_CARDINALITY
    with pytest.raises(ValueError, match="found a dataset with scalar elements"):
        D.range(8).rebatch(2)
    assert L(D.from_tensor_slices({"a": np.arange(5)}).batch(4).rebatch(3)) == [
        {"a": [0, 1, 2]}, {"a": [3, 4]}]


# ------------------------------------------------------------------ reduce / scan


def test_reduce_docstring_and_state_checks():
    # dataset_ops.py, Dataset.reduce docstring: a count and a sum of 0..4
    assert int(D.range(5).reduce(np.int64(0), lambda x, _: x + 1)) == 5
    assert int(D.range(5).reduce(np.int64(0), lambda x, y: x + y)) == 10
    # the element is not unpacked; 0 + (0+0) + (1+2) + (2+4) = 9 and 1 * 2**3 = 8
    s, p = D.range(3).map(lambda x: (x, x * 2)).reduce(
        (np.int64(0), np.int64(1)), lambda st, x: (st[0] + x[0] + x[1], st[1] * 2))
    assert (int(s), int(p)) == (9, 8)
    # a Python float starts a float32 state: 0 + 0.5 + 1.25
    total = D.from_tensor_slices(np.array([0.5, 1.25], np.float32)).reduce(0.0, lambda a, x: a + x)
    assert total.dtype == np.float32 and float(total) == 1.75
    with pytest.raises(TypeError, match=r"Expected \(tf.int64, tf.int64\) but got "
                                        r"\(tf.int64, tf.int32\)"):
        D.range(3).reduce((np.int64(0), np.int64(0)), lambda st, x: (st[0] + x, 1))
    with pytest.raises(InvalidArgumentError, match=r"\(initial_state=2, output=1\)"):
        D.range(3).reduce((np.int64(0), np.int64(0)), lambda st, x: st[0] + x)


def test_scan_docstring_and_checks():
    # dataset_ops.py, Dataset.scan docstring: running sums of 0..9
    ds = D.range(10).scan(np.int64(0), lambda state, i: (state + i, state + i))
    assert L(ds) == [0, 1, 3, 6, 10, 15, 21, 28, 36, 45]
    assert card(ds) == 10
    assert ds.element_spec == tf.TensorSpec([], tf.int64)
    with pytest.raises(TypeError, match="should return a pair"):
        list(D.range(3).scan(np.int64(0), lambda st, x: st + x))
    with pytest.raises(TypeError, match="Expected <dtype: 'int32'>, got <dtype: 'int64'>"):
        list(D.range(3).scan(0, lambda st, x: (st + x, x)))  # int32 state + int64


# ------------------------------------------------------------------ take_while / unique


def test_take_while_and_unique():
    # take_while docstring: range(10) while x < 5
    assert L(D.range(10).take_while(lambda x: x < 5)) == [0, 1, 2, 3, 4]
    assert card(D.range(10).take_while(lambda x: x < 5)) == UNKNOWN_CARDINALITY
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar"):
        list(D.range(3).take_while(lambda x: x))
    # unique docstring: [1, 37, 2, 37, 2, 1] -> 1, 37, 2 in order of first appearance
    assert L(D.from_tensor_slices(np.array([1, 37, 2, 37, 2, 1])).unique()) == [1, 37, 2]
    assert L(D.from_tensor_slices(["b", "a", "b"]).unique()) == ["b", "a"]
    with pytest.raises(TypeError, match="does not support type <dtype: 'float32'>"):
        D.from_tensor_slices(np.array([1.0], np.float32)).unique()
    with pytest.raises(InvalidArgumentError, match="only supports inputs with a single"):
        D.from_tensor_slices((np.array([1]), np.array([2]))).unique()


# ------------------------------------------------------------------ window


def test_window_docstring_examples():
    windows = lambda ds: [L(w) for w in ds]
    # dataset_ops.py, Dataset.window docstring
    assert windows(D.range(7).window(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert windows(D.range(7).window(3, shift=1, drop_remainder=True)) == [
        [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]
    assert windows(D.range(7).window(3, shift=1, stride=2, drop_remainder=True)) == [
        [0, 2, 4], [1, 3, 5], [2, 4, 6]]
    pairs = D.from_tensor_slices((np.array([1, 2, 3, 4, 5]), np.array([6, 7, 8, 9, 10])))
    assert [(L(a), L(b)) for a, b in pairs.window(2)] == [([1, 2], [6, 7]), ([3, 4], [8, 9]),
                                                          ([5], [10])]
    dicts = D.from_tensor_slices({"a": [1, 2, 3], "b": [4, 5, 6]}).window(2)
    assert [{k: L(v) for k, v in w.items()} for w in dicts] == [
        {"a": [1, 2], "b": [4, 5]}, {"a": [3], "b": [6]}]


def test_window_kernel_shift_beyond_size_and_cardinality():
    windows = lambda ds: [L(w) for w in ds]
    # WindowDatasetOp: a shift past the buffer skips input elements (2, 3 and 6, 7)
    assert windows(D.range(10).window(2, 4)) == [[0, 1], [4, 5], [8, 9]]
    # shift 2, stride 2: buffer of (3-1)*2+1 = 5 then partial windows at the end
    assert windows(D.range(10).window(3, 2, 2)) == [[0, 2, 4], [2, 4, 6], [4, 6, 8], [6, 8],
                                                    [8]]
    # CardinalityInternal: n / shift rounded up; drop: (n - ((size-1)*stride+1)) / shift + 1
    assert card(D.range(7).window(3, 2)) == 4
    assert card(D.range(7).window(3, 2, 1, True)) == 3
    assert card(D.range(10).window(3, 2, 2, True)) == 3
    assert card(D.range(2).window(3, 1, 1, True)) == 0
    spec = D.range(7).batch(2).window(3).element_spec
    assert spec == DatasetSpec(tf.TensorSpec([None], tf.int64))
    assert repr(spec) == ("DatasetSpec(TensorSpec(shape=(None,), dtype=tf.int64, name=None), "
                          "TensorShape([]))")
    assert card(next(iter(D.range(7).window(3)))) == 3
    assert L(D.range(7).window(3, 1, 1, True).flat_map(lambda w: w.batch(3)))[:2] == [
        [0, 1, 2], [1, 2, 3]]
    for bad in ({"size": 0}, {"size": 2, "shift": 0}, {"size": 2, "stride": 0}):
        with pytest.raises(InvalidArgumentError, match="must be greater than zero"):
            D.range(3).window(**bad)


# ------------------------------------------------------------------ get_single_element, len


def test_get_single_element_and_len():
    assert int(D.range(1).get_single_element()) == 0
    assert int(E.get_single_element(D.from_tensors(np.int64(7)))) == 7
    with pytest.raises(InvalidArgumentError, match="^Dataset was empty.$"):
        D.range(0).get_single_element()
    with pytest.raises(InvalidArgumentError, match="^Dataset had more than one element.$"):
        D.range(2).get_single_element()
    with pytest.raises(TypeError, match="Expected a `tf.data.Dataset`"):
        E.get_single_element([1])
    assert len(D.range(5)) == 5 and len(D.range(10).batch(3)) == 4
    with pytest.raises(TypeError, match="^The dataset is infinite.$"):
        len(D.range(2).repeat())
    with pytest.raises(TypeError, match="^The dataset length is unknown.$"):
        len(D.range(5).filter(lambda x: x > 1))
    assert bool(D.range(0)) is True
    assert list(D.range(5).filter(lambda x: x > 2).as_numpy_iterator()) == [3, 4]


# ------------------------------------------------------------------ list_files


@pytest.fixture
def files(tmp_path):
    for name in ["b.csv", "a.csv", "c.txt", ".h.csv", "x10.csv", "x2.csv"]:
        (tmp_path / name).write_text(name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.csv").write_text("d")
    return tmp_path


def test_list_files_sorted_like_matching_files(files):
    names = lambda ds: [os.path.relpath(v.decode(), files) for v in ds.as_numpy_iterator()]
    # MatchingFiles: fnmatch without FNM_PERIOD, so * matches ".h.csv"; sorted bytewise
    assert names(D.list_files(str(files / "*.csv"), shuffle=False)) == [
        ".h.csv", "a.csv", "b.csv", "x10.csv", "x2.csv"]
    # all patterns' matches sorted together, a file matched twice listed twice
    assert names(D.list_files([str(files / "*.txt"), str(files / "a*"), str(files / "?.csv")],
                              shuffle=False)) == ["a.csv", "a.csv", "b.csv", "c.txt"]
    assert names(D.list_files(str(files / "*"), shuffle=False))[-1] == "x2.csv"
    assert len(names(D.list_files(str(files / "*"), shuffle=False))) == 7  # sub included
    ds = D.list_files(str(files / "*.csv"))
    assert ds.element_spec == tf.TensorSpec([], tf.string) and card(ds) == 5
    with pytest.raises(InvalidArgumentError,
                       match="No files matched pattern: /nonexistent-x/a, /nonexistent-x/b"):
        D.list_files(["/nonexistent-x/a", "/nonexistent-x/b"])


def test_list_files_shuffles_as_a_full_buffer_shuffle(files):
    # list_files is from_tensor_slices(sorted names).shuffle(max(n, 1), seed) in
    # TensorFlow (dataset_ops.list_files), so its orders are shuffle's (TF-matched there)
    names = [str(files / n) for n in (".h.csv", "a.csv", "b.csv", "x10.csv", "x2.csv")]
    listed = D.list_files(str(files / "*.csv"), seed=5)
    expected = D.from_tensor_slices(np.array(names, dtype=object)).shuffle(5, seed=5)
    first, second = L(listed), L(listed)
    assert first == L(expected) and second == L(expected)
    assert first != second  # reshuffled each pass
    assert sorted(first) == names


# ------------------------------------------------------------------ counter / random


def test_counter():
    assert L(D.counter(3, 2).take(4)) == [3, 5, 7, 9]
    assert D.counter().element_spec == tf.TensorSpec([], tf.int64)
    assert card(D.counter()) == INFINITE_CARDINALITY
    assert D.counter(dtype=tf.int32).element_spec == tf.TensorSpec([], tf.int32)
    assert L(E.Counter(1, 3).take(3)) == [1, 4, 7]
    # a float counter adds step again and again in float32 (scan(state + step))
    expected, value = [], np.float32(0.5)
    for _ in range(5000):  # more than one 4096-row block
        expected.append(float(value))
        value = np.float32(value + np.float32(0.1))
    assert L(D.counter(0.5, 0.1, dtype=tf.float32).take(5000)) == expected


def test_philox_known_answers():
    # Random123's kat_vectors for philox4x32_10 (the generator of TensorFlow's
    # PhiloxRandom): zero counter/key, all-ones, and the pi digits
    cases = [((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
             ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2,
              (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
             ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
              (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))]
    for counter, key, expected in cases:
        words = dsmod._philox_rounds(*(np.uint64(w) for w in counter),
                                     *(np.uint64(k) for k in key))
        assert tuple(int(w) for w in words) == expected


def test_philox_words_continue_the_single_sample_stream():
    a, b = philox_state(12345, 678), philox_state(12345, 678)
    scalar = [int(philox_sample(a)) for _ in range(3)]
    assert dsmod._philox_words(b, 3).tolist() == scalar  # within the first block
    scalar = [int(philox_sample(a)) for _ in range(23)]
    assert dsmod._philox_words(b, 23).tolist() == scalar  # across blocks
    assert a.tolist() == b.tolist()
    # the 128-bit counter carries out of its low word
    c, d = philox_state(1, 0xFFFFFFFF), philox_state(1, 0xFFFFFFFF)
    c[2] = c[3] = d[2] = d[3] = 0xFFFFFFFF
    assert dsmod._philox_words(d, 9).tolist() == [int(philox_sample(c)) for _ in range(9)]


def test_random_dataset_is_the_philox_stream():
    # RandomDataset: seeds from get_seed(5) = (87654321, 5), FixedSeedGenerator, then
    # SingleSampleAdapter<PhiloxRandom>(seed, seed2) values as int64
    state = philox_state(87654321, 5)
    expected = [int(philox_sample(state)) for _ in range(6)]
    assert L(D.random(seed=5).take(6)) == expected
    assert D.random().element_spec == tf.TensorSpec([], tf.int64)


# ------------------------------------------------------------------ choose / sample


def test_choose_from_datasets_follows_the_choices():
    choice = D.from_tensor_slices(np.array([0, 1, 1, 0, 0, 0, 1, 1], np.int64))
    sources = lambda: [D.range(3), D.range(10, 13)]
    # 0 1 1 0 0 read 0, 10, 11, 1, 2; the next 0 finds dataset 0 exhausted: stop
    assert L(D.choose_from_datasets(sources(), choice)) == [0, 10, 11, 1, 2]
    # or skip that choice: the 1s then give 12
    assert L(D.choose_from_datasets(sources(), choice, stop_on_empty_dataset=False)) == [
        0, 10, 11, 1, 2, 12]
    assert L(E.choose_from_datasets(sources(), choice)) == [0, 10, 11, 1, 2, 12]
    assert card(D.choose_from_datasets(sources(), D.range(2))) == UNKNOWN_CARDINALITY
    assert card(D.choose_from_datasets([D.range(3).repeat(), D.range(2)], D.range(2))) == \
        INFINITE_CARDINALITY
    with pytest.raises(InvalidArgumentError, match="Selector index out of range: 2 >= 1"):
        list(D.choose_from_datasets([D.range(3)], D.from_tensor_slices(np.array([0, 2]))))
    with pytest.raises(TypeError, match="must be scalar `tf.int64` tensors"):
        D.choose_from_datasets([D.range(3)], D.from_tensor_slices([0, 1]))  # int32
    with pytest.raises(TypeError, match="must have compatible element specs"):
        D.choose_from_datasets([D.range(3), D.from_tensor_slices([1.0])], D.range(2))
    with pytest.raises(ValueError, match="should not be empty"):
        D.choose_from_datasets([], D.range(2))


def _reference_sample(streams, logits, seeds, stop=False):
    """sample_from_datasets as the kernels do it, one scalar step at a time:
    RandomDataset(seeds) -> batch(2) -> StatelessMultinomial(logits, 1, seed=pair) ->
    DirectedInterleave."""
    rand = philox_state(*seeds)
    lg = np.asarray(logits)
    top = lg[np.isfinite(lg)].max()
    cdf, total = [], 0.0
    for v in lg:
        if np.isfinite(v):
            total += float(np.exp(np.float64(v) - np.float64(top)))
        cdf.append(total)
    iters, out = [iter(s) for s in streams], []
    while True:
        s0, s1 = int(philox_sample(rand)), int(philox_sample(rand))
        # GenerateKey: counter (s0 lo, s0 hi, s1 lo, s1 hi) under the fixed key, mixed
        mix = np.zeros(4, np.uint64)
        philox4x32_10(np.array([s0, 0, s1, 0], np.uint64),
                      np.array([0x3EC8F720, 0x02461E29], np.uint64), mix)
        block = np.zeros(4, np.uint64)
        philox4x32_10(np.array([0, 0, mix[2], mix[3]], np.uint64), mix[:2].copy(), block)
        # SimplePhilox::RandDouble: Uint64ToDouble(x0, x1) = bits of 1.mantissa, minus 1
        bits = (1023 << 52) | ((int(block[0]) & 0xFFFFF) << 32) | int(block[1])
        u = struct.unpack("<d", struct.pack("<Q", bits))[0] - 1.0
        to_find = u * total
        index = next((j for j, c in enumerate(cdf) if c > to_find), len(cdf))  # upper_bound
        if iters[index] is None:
            continue
        try:
            out.append(next(iters[index]))
        except StopIteration:
            if stop:
                return out
            iters[index] = None
            if all(i is None for i in iters):
                return out


def test_sample_from_datasets_matches_the_kernel_reference():
    # op seed 7, no global seed: get_seed -> (87654321, 7); uniform logits are [1, 1]
    got = L(D.sample_from_datasets([D.range(0, 10), D.range(100, 110)], seed=7))
    assert got == _reference_sample([range(0, 10), range(100, 110)], [1.0, 1.0],
                                    (87654321, 7))
    assert sorted(got) == list(range(10)) + list(range(100, 110))
    weights = np.array([0.2, 0.5, 0.3], np.float32)
    got = L(D.sample_from_datasets([D.range(3), D.range(10, 13), D.range(20, 23)],
                                   weights=[0.2, 0.5, 0.3], seed=11))
    assert got == _reference_sample([range(3), range(10, 13), range(20, 23)],
                                    np.log(weights), (87654321, 11))
    got = L(D.sample_from_datasets([D.range(0, 3), D.range(100, 110)], seed=7,
                                   stop_on_empty_dataset=True))
    assert got == _reference_sample([range(0, 3), range(100, 110)], [1.0, 1.0],
                                    (87654321, 7), stop=True)


def test_sample_from_datasets_frequencies_follow_the_weights():
    # as TensorFlow's directed_interleave tests: counts within a few percent
    ds = D.sample_from_datasets([D.from_tensors(0).repeat(), D.from_tensors(1).repeat()],
                                weights=[0.25, 0.75], seed=3).take(20000)
    share = np.mean(L(ds))
    assert abs(share - 0.75) < 0.02


def test_sample_from_datasets_passes_and_arguments():
    fixed = D.sample_from_datasets([D.range(0, 5), D.range(100, 105)], seed=3)
    assert L(fixed) == L(fixed)  # FixedSeedGenerator: the same draws every pass
    again = D.sample_from_datasets([D.range(0, 20), D.range(100, 120)], seed=3,
                                   rerandomize_each_iteration=True)
    assert L(again) != L(again)
    # a list of weights drops weight-0 datasets; one left is returned as it is
    only = D.range(100, 103)
    assert D.sample_from_datasets([D.range(3), only], weights=[0.0, 1.0]) is only
    assert L(D.sample_from_datasets([D.range(3), D.range(5)], weights=[0.0, 0.0])) == []
    assert card(D.sample_from_datasets([D.range(3), D.range(2)])) == UNKNOWN_CARDINALITY
    assert card(D.sample_from_datasets([D.range(3).repeat(), D.range(2)])) == \
        INFINITE_CARDINALITY
    with pytest.raises(ValueError, match=r"`len\(weights\)=1` vs. `len\(datasets\)=2`"):
        D.sample_from_datasets([D.range(3), D.range(3)], weights=[1.0])
    with pytest.raises(TypeError, match="is <dtype: 'int32'>"):
        D.sample_from_datasets([D.range(3), D.range(3)], weights=[1, 2])
    with pytest.raises(ValueError, match="should not be empty"):
        D.sample_from_datasets([])


# ------------------------------------------------------------------ ignore_errors


def _failing(values):
    def check(x):
        if not np.isfinite(x):
            raise InvalidArgumentError(f"bad value {x}")
        return x
    return D.from_tensor_slices(np.array(values, np.float32)).map(check)


def test_ignore_errors_skips_failed_elements():
    data = [1.0, np.inf, 2.0, 3.0, np.inf, 4.0]
    assert L(_failing(data).ignore_errors()) == [1.0, 2.0, 3.0, 4.0]
    assert L(_failing(data).apply(E.ignore_errors())) == [1.0, 2.0, 3.0, 4.0]
    assert L(_failing(data).prefetch(2).ignore_errors()) == [1.0, 2.0, 3.0, 4.0]
    assert card(_failing(data).ignore_errors()) == UNKNOWN_CARDINALITY
    # map then batch is fused (map_and_batch_fusion): batches (1, inf), (2, 3), (inf, 4)
    # and the two with an error are dropped whole
    assert L(_failing(data).batch(2).ignore_errors()) == [[2.0, 3.0]]
    # not fused (a filter between): BatchDataset loses the elements gathered before an
    # error: 1 then inf fails; 2 3; inf fails; 4 ends the input
    assert L(_failing(data).filter(lambda x: x > 0).batch(2).ignore_errors()) == [
        [2.0, 3.0], [4.0]]


def test_ignore_errors_with_decode_csv():
    lines = D.from_tensor_slices(["1,2", "3,x", "5,6", "7"])
    parsed = lines.map(lambda line: tf.io.decode_csv(line, [[0], [0]])).ignore_errors()
    assert L(parsed) == [(1, 2), (5, 6)]


# ------------------------------------------------------------------ assert_cardinality etc.


def test_experimental_functional_forms():
    ds = D.range(3).filter(lambda x: x >= 0).apply(E.assert_cardinality(3))
    assert L(ds) == [0, 1, 2] and card(ds) == 3
    with pytest.raises(FailedPreconditionError, match="expected to contain 5 elements but "
                                                      "contained only 3 elements"):
        list(D.range(3).apply(E.assert_cardinality(5)))
    with pytest.raises(FailedPreconditionError, match="expected to contain 1 element but "
                                                      "contained at least 2 elements"):
        list(D.range(3).apply(E.assert_cardinality(1)))
    with pytest.raises(FailedPreconditionError, match="an infinite number of elements but "
                                                      "contained only 3 elements"):
        list(D.range(3).apply(E.assert_cardinality(E.INFINITE_CARDINALITY)))
    mab = D.range(5).apply(E.map_and_batch(lambda x: x * 2, 2))
    assert L(mab) == [[0, 2], [4, 6], [8]]
    with pytest.raises(ValueError, match="allows only one of `num_parallel_batches`"):
        E.map_and_batch(lambda x: x, 2, num_parallel_batches=1, num_parallel_calls=2)
    # shuffle_and_repeat is shuffle(buffer, seed).repeat(count) in TensorFlow 2.15
    assert L(D.range(5).apply(E.shuffle_and_repeat(5, 2, seed=3))) == \
        L(D.range(5).shuffle(5, seed=3).repeat(2))
    assert L(D.range(3).apply(E.enumerate_dataset(2))) == [(2, 0), (3, 1), (4, 2)]
    assert L(D.range(4).apply(E.scan(np.int64(0), lambda s, x: (s + x, s)))) == [0, 0, 1, 3]
    assert L(D.range(5).apply(E.take_while(lambda x: x < 2))) == [0, 1]
    assert L(D.from_tensor_slices([1, 1, 2]).apply(E.unique())) == [1, 2]
    assert L(D.range(4).batch(2).apply(E.unbatch())) == [0, 1, 2, 3]


def test_experimental_reexports_the_tfrecord_readers_lazily():
    from cannery.data import _tfrecord

    assert E.make_batched_features_dataset is _tfrecord.make_batched_features_dataset
    assert E.parse_example_dataset is _tfrecord.parse_example_dataset
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        E.nothing_here  # noqa: B018


# ------------------------------------------------------------------ options


def test_options_merge_and_propagate():
    assert D.range(3).options() == Options()
    assert D.range(3).options().deterministic is None
    o = Options()
    o.deterministic = False
    o.experimental_distribute.auto_shard_policy = E.AutoShardPolicy.OFF
    ds = D.range(3).with_options(o)
    assert L(ds) == [0, 1, 2]
    assert ds.options().deterministic is False
    assert ds.options().experimental_deterministic is False  # TensorFlow's alias
    assert ds.map(lambda x: x).batch(2).options().experimental_distribute.auto_shard_policy \
        == E.AutoShardPolicy.OFF
    assert D.zip((ds, D.range(2))).options().deterministic is False
    later = Options()
    later.deterministic = True
    assert ds.with_options(later).options().deterministic is True  # the later one wins
    assert ds.with_options(later).options().experimental_distribute.auto_shard_policy == \
        E.AutoShardPolicy.OFF  # merged, not replaced
    assert D.range(5).with_options(o)._columnar  # the fast path goes through
    assert L(D.range(5).with_options(o).batch(2)) == [[0, 1], [2, 3], [4]]


def test_options_errors():
    with pytest.raises(AttributeError, match="Cannot set the property foo on Options."):
        Options().foo = 1
    with pytest.raises(TypeError, match='Property "deterministic" must be of type'):
        Options().deterministic = 3
    with pytest.raises(ValueError, match="Mutating `tf.data.Options()"):
        D.range(2).options().deterministic = True
    with pytest.raises(TypeError, match="must be a tf.data.Options"):
        D.range(2).with_options({"deterministic": True})


# ------------------------------------------------------------------ an input_fn of files


def test_csv_files_through_list_files_and_interleave_train_an_estimator(tmp_path):
    rows = {"f0.csv": ["a0", "a1", "a2"], "f1.csv": ["b0", "b1", "b2", "b3"],
            "f2.csv": ["c0", "c1", "c2", "c3", "c4"]}
    for name, keys in rows.items():
        (tmp_path / name).write_text("key,x,label\n" + "".join(
            f"{k},{i * 0.5},{i % 2}\n" for i, k in enumerate(keys)))

    def dataset():
        files = D.list_files(str(tmp_path / "*.csv"), shuffle=False)
        lines = files.interleave(lambda f: tf.data.TextLineDataset(f).skip(1),
                                 cycle_length=2, block_length=3)
        return lines.map(lambda line: tf.io.decode_csv(line, [[""], [0.0], [0]]))

    # cycle 2, block 3: f0 gives a0-a2; f1 b0-b2; f0 has ended, so f1 goes on with b3
    # and ends; f2 takes slot 0: c0-c2; slot 1 finds no input left; c3, c4
    keys = [k for k, _, _ in L(dataset())]  # L gives strings as text
    assert keys == ["a0", "a1", "a2", "b0", "b1", "b2", "b3", "c0", "c1", "c2", "c3", "c4"]

    def input_fn():
        return dataset().map(lambda k, x, label: ({"x": x}, label)).batch(4)

    est = tf.estimator.LinearClassifier([tf.feature_column.numeric_column("x")],
                                        model_dir=str(tmp_path / "model"))
    est.train(input_fn)
    # 12 rows in batches of 4: three steps
    assert est.get_variable_value("global_step") == 3
    assert est.evaluate(input_fn)["global_step"] == 3


def test_map_packs_a_returned_list_into_a_tuple():
    # structured_function._should_pack: decode_csv's list of columns becomes a tuple,
    # so the columns batch separately and a following map gets them as arguments
    ds = D.from_tensor_slices(["1,2", "3,4"]).map(lambda line: tf.io.decode_csv(line, [[0], [0]]))
    assert ds.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.int32))
    assert L(ds.batch(2)) == [([1, 3], [2, 4])]
    assert L(ds.map(lambda a, b: a * 10 + b)) == [12, 34]


def test_unique_of_vectors_compares_whole_elements():
    # UniqueDataset hashes a whole tensor: [1, 2] twice is one element
    assert L(D.from_tensor_slices(np.array([[1, 2], [1, 2], [2, 1]])).unique()) == [[1, 2],
                                                                                    [2, 1]]
    words = np.array([["a", "b"], ["a", "b"], ["b", "a"]], dtype=object)
    assert L(D.from_tensor_slices(words).unique()) == [["a", "b"], ["b", "a"]]
