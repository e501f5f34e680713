"""Batched column transforms: GroupIds, the hash-bucket group kernel, the numeric group.

Every group result is checked against the per-column path (``transform_ids`` /
``dense_forward``) and against hand-derived TensorFlow values, on tiny inputs with
the corner cases: '' missing, repeated values, non-ASCII and long strings, strided
and multi-valent inputs, a string UTF-8 cannot encode.
"""

import numpy as np
import pytest

from cannery import feature_column as fc
from cannery.core.columns import GroupIds
from cannery.core.features import FeatureCache
from cannery.core.hashing import string_to_hash_bucket_fast
from cannery.core.tensors import SparseIds


def hashed(key, size=4):
    return fc.categorical_column_with_hash_bucket(key, size)


def dense_ids(group: GroupIds, c: int) -> list:
    """Column c's ids per example, negative (ignored) ids removed, as lists."""
    col = group.column(c)
    return [[int(i) for i in col.ids[a:b] if i >= 0]
            for a, b in zip(col.row_splits[:-1], col.row_splits[1:])]


def per_column(ids: SparseIds) -> list:
    return [ids.ids[a:b].tolist() for a, b in zip(ids.row_splits[:-1], ids.row_splits[1:])]


# --------------------------------------------------------------------------- GroupIds
def test_group_ids_concat_and_column_round_trip():
    a = SparseIds(row_splits=np.array([0, 2, 2, 3]), ids=np.array([5, 5, 1]))
    b = SparseIds(row_splits=np.array([0, 0, 1, 1]), ids=np.array([7]),
                  weights=np.array([0.5], np.float32))
    group = GroupIds.from_sparse_ids([a, b], 3)
    # segments: column 0 rows 0..2 then column 1 rows 0..2
    assert group.row_splits.tolist() == [0, 2, 2, 3, 3, 4, 4]
    assert group.ids.tolist() == [5, 5, 1, 7]
    # the unweighted column gets weight 1 (the same arithmetic as no weights)
    assert group.weights.tolist() == [1.0, 1.0, 1.0, 0.5]
    assert per_column(group.column(0)) == [[5, 5], [], [1]]
    assert per_column(group.column(1)) == [[], [7], []]
    assert group.column(1).weights.tolist() == [0.5]
    with pytest.raises(IndexError):
        group.column(2)


def test_group_ids_concat_refuses_mixed_batch_sizes():
    one = GroupIds.from_sparse_ids([SparseIds(row_splits=np.array([0, 1]), ids=np.array([0]))], 1)
    two = GroupIds.from_sparse_ids([SparseIds(row_splits=np.array([0, 0, 0]),
                                              ids=np.array([], np.int64))], 2)
    with pytest.raises(ValueError, match="batch size 1"):
        GroupIds.concat([one, two])


# ------------------------------------------------------------------ hash-bucket group
def test_tensorflow_bucket_vectors_through_the_group():
    # REFERENCE.md §4.4, TF's own test (size 4): omar->2, stringer->0, marlo->3,
    # skywalker->2; '' in a dense input is missing (no id).
    columns = [hashed("a"), hashed("b")]
    features = {"a": np.array(["omar", "stringer", ""]),
                "b": np.array(["marlo", "", "skywalker"])}
    group = columns[0].transform_ids_group(columns, FeatureCache(features))
    assert dense_ids(group, 0) == [[2], [0], []]
    assert dense_ids(group, 1) == [[3], [], [2]]
    # the missing cells stay as id -1 (ignored), so every segment has one cell
    assert group.row_splits.tolist() == [0, 1, 2, 3, 4, 5, 6]


RNG = np.random.default_rng(7)
ALPHABET = list("abcXYZ019 -_") + ["é", "ß", "中", "😀", "\x7f", "\x80"]


def random_strings(n, max_len=40):
    lengths = RNG.integers(0, max_len, n)
    return ["".join(RNG.choice(ALPHABET, k)) for k in lengths]


@pytest.mark.parametrize("size", [1, 7, 100_000, 2**40 + 3])
def test_group_equals_per_column_on_random_strings(size):
    # Lengths 0..39 cover the inlined 1-8 ASCII path, 9-16 ASCII, longer strings and
    # non-ASCII (UTF-8 encoded) ones; '' cells are missing.
    n = 300
    base = np.array(random_strings(n * 3)).reshape(n, 3)
    features = {"a": base[:, 0], "b": base[:, 1], "c": np.ascontiguousarray(base[:, 2])}
    columns = [hashed(k, size) for k in "abc"]
    cache = FeatureCache(features)
    group = columns[0].transform_ids_group(columns, cache)
    for c, column in enumerate(columns):
        assert dense_ids(group, c) == per_column(FeatureCache(features).get(column))
        flat = string_to_hash_bucket_fast(features[column.key], size)
        expected = [[] if s == "" else [int(i)] for s, i in zip(features[column.key], flat)]
        assert dense_ids(group, c) == expected


def test_group_multivalent_and_repeated_values():
    # [batch, 3] inputs: several values per example, repeats kept (TF counts duplicates).
    features = {"a": np.array([["x", "x", ""], ["", "", ""], ["long string here", "é", "x"]]),
                "b": np.array(["q", "", "q"])}
    columns = [hashed("a", 1000), hashed("b", 1000)]
    group = columns[0].transform_ids_group(columns, FeatureCache(features))
    for c, column in enumerate(columns):
        assert dense_ids(group, c) == per_column(FeatureCache(features).get(column))
    x = int(string_to_hash_bucket_fast(["x"], 1000)[0])
    assert dense_ids(group, 0)[0] == [x, x]
    assert dense_ids(group, 0)[1] == []


def test_group_falls_back_for_other_inputs():
    # A list, an object array and a SparseTensor are not numpy U arrays: per-column path.
    from cannery.core.tensors import SparseTensor

    features = {"a": ["omar", ""], "b": np.array(["marlo", "skywalker"], dtype=object),
                "c": SparseTensor(indices=[[1, 0]], values=np.array([""]), dense_shape=[2, 1])}
    columns = [hashed("a"), hashed("b"), hashed("c")]
    group = columns[0].transform_ids_group(columns, FeatureCache(features))
    assert dense_ids(group, 0) == [[2], []]
    assert dense_ids(group, 1) == [[3], [2]]
    # A SparseTensor's '' is hashed, not dropped (REFERENCE §4.1).
    assert dense_ids(group, 2) == [[], [int(string_to_hash_bucket_fast([""], 4)[0])]]


def test_group_string_utf8_cannot_encode_raises_like_per_column():
    bad = np.array(["ok", "\ud800"])  # a lone surrogate
    columns = [hashed("a"), hashed("b")]
    features = {"a": np.array(["x", "y"]), "b": bad}
    with pytest.raises(ValueError) as group_error:
        columns[0].transform_ids_group(columns, FeatureCache(features))
    with pytest.raises(ValueError) as column_error:
        FeatureCache(features).get(columns[1])
    assert str(group_error.value) == str(column_error.value)


def test_group_batch_mismatch_goes_to_the_per_column_error():
    columns = [hashed("a"), hashed("b")]
    features = {"a": np.array(["x", "y"]), "b": np.array(["x"])}
    with pytest.raises(ValueError, match="batch size"):
        columns[0].transform_ids_group(columns, FeatureCache(features))


def test_group_with_no_features_names_the_missing_key():
    columns = [hashed("a"), hashed("b")]
    with pytest.raises(ValueError, match="^Feature a is not in features dictionary"):
        columns[0].transform_ids_group(columns, FeatureCache({}))


def test_integer_hash_columns_do_not_group():
    assert fc.categorical_column_with_hash_bucket("a", 5, dtype="int64").ids_group_key() is None
    assert hashed("a").ids_group_key() == hashed("b").ids_group_key()


def test_kernel_on_strided_views_and_drop_flags():
    from cannery.core.kernels.columns import hash_bucket_group_ucs4

    block = np.array([["ab", ""], ["", "cd"], ["ef", "gh"]])  # columns are strided views
    codes = tuple(block[:, j].reshape(3, 1, 1).view(np.uint32) for j in range(2))
    splits, ids, bad = hash_bucket_group_ucs4(codes, np.array([10, 10], np.uint64),
                                              np.array([True, False]), 3)
    assert bad == -1
    assert splits.tolist() == [0, 1, 2, 3, 4, 5, 6]
    h = {s: int(string_to_hash_bucket_fast([s], 10)[0]) for s in ["ab", "", "cd", "ef", "gh"]}
    # column 0 drops '', column 1 hashes it (a drop flag of False)
    assert ids.tolist() == [h["ab"], -1, h["ef"], h[""], h["cd"], h["gh"]]


# --------------------------------------------------------------------- numeric group
def test_numeric_group_equals_per_column_values():
    columns = [fc.numeric_column("a"), fc.numeric_column("b", shape=(2,)),
               fc.numeric_column("c", dtype="int64"), fc.numeric_column("d")]
    features = {"a": np.array([1.5, -2.0, 0.1]),                     # float64 -> float32
                "b": np.array([[1, 2], [3, 4], [5, 6]], np.float32)[::1],
                "c": np.array([[7], [8], [9]]),                       # ints
                "d": [0.25, 0.5, 0.75]}                               # a list: fallback path
    cache = FeatureCache(features)
    out = columns[0].dense_forward_group(columns, cache)
    expected = np.concatenate([c.dense_forward(FeatureCache(features), {}, False)[0]
                               for c in columns], axis=1)
    assert out.dtype == np.float32 and out.shape == (3, 5)
    np.testing.assert_array_equal(out, expected)
    # by hand: row 0 = [1.5, 1, 2, 7, 0.25]
    np.testing.assert_array_equal(out[0], np.float32([1.5, 1, 2, 7, 0.25]))


def test_numeric_group_of_plain_arrays_casts_each_like_the_per_column_path():
    # Every column scalar and fed a 1-D numpy array: the one-call stacking path. Each
    # input is cast straight to float32: 0.1 (float64) -> 0.1f, 2**24 + 1 (int64) ->
    # 2**24 (float32 has 24 significant bits, ties to even), True -> 1.
    columns = [fc.numeric_column(k) for k in "abcd"]
    features = {"a": np.array([0.1, -2.5]), "b": np.array([2**24 + 1, 3], np.int64),
                "c": np.array([True, False]), "d": np.array([1e-3, 7], np.float32)}
    out = columns[0].dense_forward_group(columns, FeatureCache(features))
    expected = np.concatenate([c.dense_forward(FeatureCache(features), {}, False)[0]
                               for c in columns], axis=1)
    assert out.dtype == np.float32 and out.flags.c_contiguous and out.shape == (2, 4)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out, np.float32([[0.1, 2**24, 1, 1e-3], [-2.5, 3, 0, 7]]))


def test_numeric_group_key_excludes_normalizer_fn():
    assert fc.numeric_column("a", normalizer_fn=lambda x: x * 2).dense_group_key() is None
    assert fc.numeric_column("a").dense_group_key() == fc.numeric_column("b").dense_group_key()


def test_numeric_group_reports_tensorflow_errors():
    columns = [fc.numeric_column("a", shape=(2,)), fc.numeric_column("b")]
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 3 elements"):
        columns[0].dense_forward_group(columns, FeatureCache({"a": np.ones(3), "b": np.ones(3)}))
