"""Fingerprint64, hash buckets and hashed crosses against TensorFlow's numbers.

Expected values are REFERENCE.md §4.4/§4.10 test vectors (verified against TF 2.15),
or come from the pure-Python Fingerprint64 below, written from the text of
REFERENCE.md §4.11 (Python ints masked to 64 bits), never from the kernels under test.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cannery.core import hashing
from cannery.core.strings import to_string_batch

M64 = (1 << 64) - 1
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F
KMUL = 0xC6A4A7935BD1E995


# --- reference implementation of REFERENCE.md §4.11 ----------------------------------


def _f64(s, p):
    return int.from_bytes(s[p:p + 8], "little")


def _f32(s, p):
    return int.from_bytes(s[p:p + 4], "little")


def _rot(v, r):
    return v if r == 0 else ((v >> r) | (v << (64 - r))) & M64


def _smix(v):
    return v ^ (v >> 47)


def _h16(u, v, m):
    a = ((u ^ v) * m) & M64
    a ^= a >> 47
    b = ((v ^ a) * m) & M64
    b ^= b >> 47
    return (b * m) & M64


def _weak(s, p, a, b):
    w, x, y, z = _f64(s, p), _f64(s, p + 8), _f64(s, p + 16), _f64(s, p + 24)
    a = (a + w) & M64
    b = _rot((b + a + z) & M64, 21)
    c = a
    a = (a + x) & M64
    a = (a + y) & M64
    b = (b + _rot(a, 44)) & M64
    return (a + z) & M64, (b + c) & M64


def ref_fingerprint64(s: bytes) -> int:
    n = len(s)
    if n == 0:
        return K2
    if n <= 3:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_smix(((y * K2) ^ (z * K0)) & M64) * K2) & M64
    if n <= 7:
        m = (K2 + 2 * n) & M64
        return _h16((n + (_f32(s, 0) << 3)) & M64, _f32(s, n - 4), m)
    if n <= 16:
        m = (K2 + 2 * n) & M64
        a = (_f64(s, 0) + K2) & M64
        b = _f64(s, n - 8)
        c = (_rot(b, 37) * m + a) & M64
        d = ((_rot(a, 25) + b) * m) & M64
        return _h16(c, d, m)
    if n <= 32:
        m = (K2 + 2 * n) & M64
        a = (_f64(s, 0) * K1) & M64
        b = _f64(s, 8)
        c = (_f64(s, n - 8) * m) & M64
        d = (_f64(s, n - 16) * K2) & M64
        return _h16(
            (_rot((a + b) & M64, 43) + _rot(c, 30) + d) & M64,
            (a + _rot((b + K2) & M64, 18) + c) & M64,
            m,
        )
    if n <= 64:
        m = (K2 + 2 * n) & M64
        a = (_f64(s, 0) * K2) & M64
        b = _f64(s, 8)
        c = (_f64(s, n - 8) * m) & M64
        d = (_f64(s, n - 16) * K2) & M64
        y = (_rot((a + b) & M64, 43) + _rot(c, 30) + d) & M64
        z = _h16(y, (a + _rot((b + K2) & M64, 18) + c) & M64, m)
        e = (_f64(s, 16) * m) & M64
        f = _f64(s, 24)
        g = ((y + _f64(s, n - 32)) * m) & M64
        h = ((z + _f64(s, n - 24)) * m) & M64
        return _h16(
            (_rot((e + f) & M64, 43) + _rot(g, 30) + h) & M64,
            (e + _rot((f + a) & M64, 18) + g) & M64,
            m,
        )
    x = 81
    y = (81 * K1 + 113) & M64
    z = (_smix((y * K2 + 113) & M64) * K2) & M64
    v = (0, 0)
    w = (0, 0)
    x = (x * K2 + _f64(s, 0)) & M64
    end = ((n - 1) // 64) * 64
    p = 0
    while True:
        x = (_rot((x + y + v[0] + _f64(s, p + 8)) & M64, 37) * K1) & M64
        y = (_rot((y + v[1] + _f64(s, p + 48)) & M64, 42) * K1) & M64
        x ^= w[1]
        y = (y + v[0] + _f64(s, p + 40)) & M64
        z = (_rot((z + w[0]) & M64, 33) * K1) & M64
        v = _weak(s, p, (v[1] * K1) & M64, (x + w[0]) & M64)
        w = _weak(s, p + 32, (z + w[1]) & M64, (y + _f64(s, p + 16)) & M64)
        z, x = x, z
        p += 64
        if p == end:
            break
    m = (K1 + ((z & 0xFF) << 1)) & M64
    p = n - 64
    w0 = (w[0] + ((n - 1) & 63)) & M64
    v0 = (v[0] + w0) & M64
    w0 = (w0 + v0) & M64
    v1, w1 = v[1], w[1]
    x = (_rot((x + y + v0 + _f64(s, p + 8)) & M64, 37) * m) & M64
    y = (_rot((y + v1 + _f64(s, p + 48)) & M64, 42) * m) & M64
    x ^= (w1 * 9) & M64
    y = (y + v0 * 9 + _f64(s, p + 40)) & M64
    z = (_rot((z + w0) & M64, 33) * m) & M64
    v0, v1 = _weak(s, p, (v1 * m) & M64, (x + w0) & M64)
    w0, w1 = _weak(s, p + 32, (z + w1) & M64, (y + _f64(s, p + 16)) & M64)
    z, x = x, z
    return _h16(
        (_h16(v0, w0, m) + _smix(y) * K0 + z) & M64,
        (_h16(v1, w1, m) + x) & M64,
        m,
    )


def ref_cat64(a: int, b: int) -> int:
    # FingerprintCat64 as written in REFERENCE.md §4.10.
    r = a ^ KMUL
    r ^= (_smix((b * KMUL) & M64) * KMUL) & M64
    r = (r * KMUL) & M64
    r = (_smix(r) * KMUL) & M64
    return _smix(r)


# --- REFERENCE.md §4.4 vectors -------------------------------------------------------

FP64_VECTORS = [
    (b"", 11160318154034397263),
    (b"a", 12917804110809363939),
    (b"b", 11795596070477164822),
    (b"hello", 13009744463427800296),
    (b"Palo Alto", 12578555402401952790),
    (b"Mountain View", 13985910606450953593),
    (b"doctor", 2984018114499475017),
    (b"engineer", 6765170323990763405),
    (b"0", 15198969275252572735),
    (b"1", 9304157803607034849),
    (b"-1", 7333874265151076430),
    (b"12345", 16550883754376084728),
    (b"x" * 17, 11306081951414300581),
    (b"The quick brown fox jumps over the lazy dog", 12375473906752639284),
]


def test_empty_string_is_k2():
    # REFERENCE §4.4: Fingerprint64(b'') = 0x9ae16a3b2f90404f.
    assert int(hashing.fingerprint64([b""])[0]) == 0x9AE16A3B2F90404F


@pytest.mark.parametrize("raw, expected", FP64_VECTORS)
def test_fingerprint64_reference_vectors(raw, expected):
    assert int(hashing.fingerprint64([raw])[0]) == expected
    assert int(hashing.fingerprint64(np.array([raw], dtype="S"))[0]) == expected
    assert int(hashing.fingerprint64([raw.decode()])[0]) == expected
    assert int(hashing.fingerprint64(np.array([raw.decode()]))[0]) == expected


@pytest.mark.parametrize("raw, expected", FP64_VECTORS)
def test_python_reference_matches_vectors(raw, expected):
    # The reference must itself be right before it judges the kernel.
    assert ref_fingerprint64(raw) == expected


def test_fingerprint64_all_vectors_in_one_batch():
    raws = [r for r, _ in FP64_VECTORS]
    expected = np.array([e for _, e in FP64_VECTORS], dtype=np.uint64)
    np.testing.assert_array_equal(hashing.fingerprint64(raws), expected)
    np.testing.assert_array_equal(hashing.fingerprint64(raws, threads=2), expected)


def test_hash_bucket_vectors_from_tf_tests():
    # REFERENCE §4.4: TF's own string_to_hash_bucket_fast test, 4 buckets.
    got = hashing.string_to_hash_bucket_fast(["omar", "stringer", "marlo", "skywalker"], 4)
    assert got.dtype == np.int64
    assert got.tolist() == [2, 0, 3, 2]


def test_hash_bucket_is_unsigned_modulo():
    # Fingerprint64(b'hello') = 13009744463427800296 > 2**63: a signed modulo would differ.
    fp = 13009744463427800296
    for buckets in (1, 2, 3, 7, 1000, 2**31 - 1, 2**62 + 1):
        assert hashing.string_to_hash_bucket_fast(["hello"], buckets)[0] == fp % buckets


def test_integers_hash_as_decimal_strings():
    # REFERENCE §4.4: ints are hashed via their decimal string; vectors b'0', b'1', b'-1', b'12345'.
    values = np.array([0, 1, -1, 12345], dtype=np.int64)
    expected = [15198969275252572735, 9304157803607034849, 7333874265151076430, 16550883754376084728]
    assert hashing.fingerprint64(values).tolist() == expected
    assert hashing.fingerprint64(values.astype(np.int32)).tolist() == expected
    assert hashing.fingerprint64([0, 1, -1, 12345]).tolist() == expected
    # bucket ids: the same fingerprints mod 10.
    assert hashing.string_to_hash_bucket_fast(values, 10).tolist() == [e % 10 for e in expected]


def test_integer_hashing_equals_decimal_string_hashing_wide_range():
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            rng.integers(-(2**63), 2**63 - 1, size=200, dtype=np.int64),
            np.array([0, -5, 9, 10, -10, 2**63 - 1, -(2**63), 123456789012], dtype=np.int64),
        ]
    )
    expected = [ref_fingerprint64(str(int(v)).encode()) for v in values]
    assert hashing.fingerprint64(values).tolist() == expected


def test_uint64_integers_hash_as_decimal():
    values = np.array([0, 2**64 - 1, 2**63], dtype=np.uint64)
    expected = [ref_fingerprint64(str(int(v)).encode()) for v in values]
    assert hashing.fingerprint64(values).tolist() == expected


@pytest.mark.parametrize("length", list(range(0, 201)) + [255, 256, 257, 1000, 5000])
def test_kernel_matches_reference_every_length(length):
    # Every branch of §4.11 (0, 1-3, 4-7, 8-16, 17-32, 33-64, >64 with 1..many blocks);
    # high bytes (>= 0x80) make any signed/float64 slip in the uint64 arithmetic visible.
    rng = random.Random(length)
    raws = [bytes(rng.randrange(256) for _ in range(length)) for _ in range(3)]
    raws.append(b"\xff" * length)
    expected = [ref_fingerprint64(r) for r in raws]
    assert hashing.fingerprint64(raws).tolist() == expected


def test_fused_numpy_paths_match_reference_every_length():
    # numpy S arrays are hashed in place and U arrays through a per-row UTF-8 scratch;
    # both must agree with the reference for every length class. S drops trailing NULs,
    # so the random bytes end in a non-NUL byte.
    rng = random.Random(99)
    raws = []
    for length in list(range(0, 201)) + [1000, 5000]:
        raw = bytearray(rng.randrange(256) for _ in range(length))
        if raw and raw[-1] == 0:
            raw[-1] = 1
        raws.append(bytes(raw))
    expected = [ref_fingerprint64(r) for r in raws]
    assert hashing.fingerprint64(np.array(raws, dtype="S5000")).tolist() == expected
    texts = ["".join(chr(rng.choice([rng.randrange(1, 0x80), rng.randrange(0x80, 0x800),
                                     rng.randrange(0x800, 0xD800), rng.randrange(0x10000, 0x110000)]))
                     for _ in range(length)) for length in range(0, 120)]
    expected = [ref_fingerprint64(t.encode("utf-8")) for t in texts]
    assert hashing.fingerprint64(np.array(texts)).tolist() == expected
    assert hashing.fingerprint64(np.array(texts, dtype=">U200")).tolist() == expected
    assert hashing.fingerprint64(np.array(texts), threads=2).tolist() == expected


def test_fused_paths_on_2d_slices_and_errors():
    values = np.array([["omar", "x"], ["stringer", "y"], ["marlo", "z"], ["skywalker", "w"]])
    # A non-contiguous column: TF's size-4 vectors 2, 0, 3, 2 (REFERENCE §4.4).
    assert hashing.string_to_hash_bucket_fast(values[:, 0], 4).tolist() == [2, 0, 3, 2]
    assert hashing.string_to_hash_bucket_fast(values.T, 4)[0].tolist() == [2, 0, 3, 2]
    as_bytes = np.array([[v.encode() for v in row] for row in values.tolist()], dtype="S9")
    assert hashing.string_to_hash_bucket_fast(as_bytes[:, 0], 4).tolist() == [2, 0, 3, 2]
    with pytest.raises(ValueError, match="string 1 cannot be UTF-8 encoded"):
        hashing.fingerprint64(np.array(["ok", "\ud800"]))
    # S arrays keep inner NULs: b'a\x00b' is 3 bytes.
    assert hashing.fingerprint64(np.array([b"a\x00b"]))[0] == ref_fingerprint64(b"a\x00b")


def test_kernel_matches_reference_at_unaligned_offsets():
    # Strings packed back to back start at every possible alignment of the buffer.
    rng = random.Random(11)
    raws = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 150))) for _ in range(300)]
    expected = [ref_fingerprint64(r) for r in raws]
    assert hashing.fingerprint64(raws).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_kernel_matches_reference_random_bytes(raws):
    expected = [ref_fingerprint64(r) for r in raws]
    assert hashing.fingerprint64(raws).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=8))
def test_str_is_hashed_as_utf8(texts):
    texts = [t for t in texts if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    expected = [ref_fingerprint64(t.encode("utf-8")) for t in texts]
    assert hashing.fingerprint64(texts).tolist() == expected
    # numpy U drops trailing NULs, so only compare those forms without them.
    kept = [t for t in texts if not t.endswith("\x00")]
    if kept:
        assert hashing.fingerprint64(np.array(kept)).tolist() == [
            ref_fingerprint64(t.encode()) for t in kept
        ]


def test_non_ascii_same_hash_in_every_input_form():
    import pandas as pd
    import pyarrow as pa

    texts = ["café", "中文", "😀x", "", "naïve résumé", "a" * 70 + "é"]
    expected = [ref_fingerprint64(t.encode("utf-8")) for t in texts]
    forms = {
        "list": texts,
        "tuple": tuple(texts),
        "U": np.array(texts),
        "object": np.array(texts, dtype=object),
        "object bytes": np.array([t.encode() for t in texts], dtype=object),
        "S": np.array([t.encode() for t in texts], dtype="S"),
        "arrow string": pa.array(texts, pa.string()),
        "arrow large_string": pa.array(texts, pa.large_string()),
        "arrow binary": pa.array([t.encode() for t in texts], pa.binary()),
        "arrow chunked": pa.chunked_array([texts[:2], texts[2:]], pa.string()),
        "pandas str": pd.Series(texts, dtype="str"),
        "pandas object": pd.Series(texts, dtype=object),
        "pandas index": pd.Index(texts),
    }
    for name, form in forms.items():
        assert hashing.fingerprint64(form).tolist() == expected, name


def test_shape_is_kept_for_2d_inputs():
    values = np.array([["omar", "stringer"], ["marlo", "skywalker"], ["", "a"]])
    buckets = hashing.string_to_hash_bucket_fast(values, 4)
    assert buckets.shape == (3, 2)
    # first two rows: TF's vectors; '' -> K2 % 4 = 0x...4f % 4 = 3; 'a' -> 12917804110809363939 % 4 = 3.
    assert buckets.tolist() == [[2, 0], [3, 2], [3, 3]]
    ints = np.array([[0, 1], [-1, 12345]])
    assert hashing.fingerprint64(ints).shape == (2, 2)


def test_empty_inputs():
    assert hashing.fingerprint64(np.array([], dtype="U3")).shape == (0,)
    assert hashing.fingerprint64([]).shape == (0,)
    assert hashing.string_to_hash_bucket_fast(np.empty((0, 3), dtype="U2"), 5).shape == (0, 3)
    assert hashing.fingerprint64(np.array([], dtype=np.int64)).dtype == np.uint64


def test_threads_give_the_same_result():
    rng = np.random.default_rng(0)
    values = rng.integers(0, 10**9, size=5001).astype(str)
    single = hashing.string_to_hash_bucket_fast(values, 1000, threads=1)
    for threads in (2, 3, 7):
        np.testing.assert_array_equal(
            hashing.string_to_hash_bucket_fast(values, 1000, threads=threads), single
        )
    np.testing.assert_array_equal(
        hashing.fingerprint64(values, threads=2), hashing.fingerprint64(values, threads=1)
    )


def test_parallel_kernels_equal_serial_kernels():
    from cannery.core.kernels import hashing as kernels

    rng = random.Random(5)
    batch = to_string_batch([bytes(rng.randrange(256) for _ in range(rng.randrange(90))) for _ in range(500)])
    serial = kernels.fingerprint64_batch(batch.data, batch.offsets)
    assert serial.tolist() == [ref_fingerprint64(b) for b in batch.to_list()]
    np.testing.assert_array_equal(kernels.fingerprint64_batch_parallel(batch.data, batch.offsets), serial)
    np.testing.assert_array_equal(
        kernels.hash_buckets(batch.data, batch.offsets, 97), (serial % np.uint64(97)).astype(np.int64)
    )
    np.testing.assert_array_equal(
        kernels.hash_buckets_parallel(batch.data, batch.offsets, 97),
        kernels.hash_buckets(batch.data, batch.offsets, 97),
    )


def _typing_problems(fn, sig):
    # Recompile without the cache (cached code cannot be inspected) and list every value
    # typed as a float, and every right shift not done on uint64 (an arithmetic shift of
    # an int64 would silently change the hash).
    import numba
    from numba import types

    dispatcher = numba.njit(fn.py_func)
    dispatcher.compile(sig)
    typemap = dispatcher.overloads[sig].type_annotation.typemap
    return sorted(
        f"{name}: {t}"
        for name, t in typemap.items()
        if isinstance(t, types.Float) or ("rshift" in name and t != types.uint64)
    )


def test_hash_arithmetic_stays_uint64():
    from numba import types

    from cannery.core.kernels import hashing as kernels

    bytes_sig = (types.Array(types.uint8, 1, "C"), types.int64, types.int64)
    for fn in (kernels._fp_0_to_16, kernels._fp_17_to_32, kernels._fp_33_to_64, kernels._fp_long):
        assert _typing_problems(fn, bytes_sig) == [], fn.__name__
    assert _typing_problems(kernels.fingerprint_cat64, (types.uint64, types.uint64)) == []


def test_typing_check_catches_signed_shift_and_floats():
    # The check above must be able to fail: a signed shift and a float slip are both seen.
    import numba
    from numba import types

    from cannery.core.kernels import hashing as kernels

    def signed_shift(d, s, n):
        return (kernels._f64(d, s) + n) >> np.uint64(3)

    def float_slip(d, s, n):
        return kernels._f64(d, s) * 1.5

    sig = (types.Array(types.uint8, 1, "C"), types.int64, types.int64)
    assert _typing_problems(numba.njit(signed_shift), sig)
    assert _typing_problems(numba.njit(float_slip), sig)


def test_rejects_non_string_non_integer():
    with pytest.raises(TypeError, match="float64"):
        hashing.fingerprint64(np.array([1.5, 2.0]))
    with pytest.raises(TypeError, match="bool"):
        hashing.string_to_hash_bucket_fast(np.array([True]), 3)
    with pytest.raises(ValueError, match="num_buckets must be at least 1, received 0"):
        hashing.string_to_hash_bucket_fast(["a"], 0)
    with pytest.raises(TypeError, match="num_buckets must be an integer"):
        hashing.string_to_hash_bucket_fast(["a"], 2.0)


# --- FingerprintCat64 and crosses ----------------------------------------------------


def test_fingerprint_cat64_matches_reference():
    from cannery.core.kernels import hashing as kernels

    rng = random.Random(2)
    pairs = [(0, 0), (M64, M64), (hashing.DEFAULT_HASH_KEY, 5)] + [
        (rng.getrandbits(64), rng.getrandbits(64)) for _ in range(200)
    ]
    for a, b in pairs:
        assert int(kernels.fingerprint_cat64(np.uint64(a), np.uint64(b))) == ref_cat64(a, b)


def _cross(values_per_input, hash_key=hashing.DEFAULT_HASH_KEY, num_buckets=1000):
    """Cross one row per input list (each input: a list of rows, each row a list of values)."""
    from cannery.core.kernels import hashing as kernels

    batch = len(values_per_input[0])
    splits, flat = [], []
    for rows in values_per_input:
        counts = [len(r) for r in rows]
        base = len(flat)
        splits.append([base] + [base + c for c in np.cumsum(counts).tolist()])
        for row in rows:
            flat.extend(row)
    fps = [hashing.fingerprint_values_for_cross([v])[0] for v in flat]
    assert all(len(s) == batch + 1 for s in splits)
    return kernels.cross_hash(np.array(splits), np.array(fps, dtype=np.uint64), hash_key, num_buckets)


@pytest.mark.parametrize(
    "a, b, expected",
    # REFERENCE §4.10 [V]: dense string features, default hash_key, 1000 buckets.
    [("x", "p", 452), ("y", "p", 734), ("z", "q", 751), ("x", "q", 216)],
)
def test_cross_string_vectors(a, b, expected):
    row_splits, ids = _cross([[[a]], [[b]]])
    assert row_splits.tolist() == [0, 1]
    assert ids.tolist() == [expected]


@pytest.mark.parametrize("a, expected", [(3, 86), (-2, 29)])
def test_cross_int_vectors(a, expected):
    # REFERENCE §4.10 [V]: (int, 'p') mod 97; ints enter the cross raw, not fingerprinted.
    row_splits, ids = _cross([[[a]], [["p"]]], num_buckets=97)
    assert ids.tolist() == [expected]


@pytest.mark.parametrize(
    "bucket_id, word, expected",
    # REFERENCE §4.10: linear_model_test.CrossedColumnTest, hash_key=5, 5 buckets.
    [(0, "cA", 1), (4, "cA", 0), (1, "cB", 1), (1, "cC", 3), (5, "cB", 4), (5, "cC", 2)],
)
def test_cross_tf_test_vectors_hash_key_5(bucket_id, word, expected):
    row_splits, ids = _cross([[[bucket_id]], [[word]]], hash_key=5, num_buckets=5)
    assert ids.tolist() == [expected]


def test_cross_vectors_in_one_batch():
    # Same six TF vectors as one 6-row batch: rows are independent.
    firsts = [[0], [4], [1], [1], [5], [5]]
    words = [["cA"], ["cA"], ["cB"], ["cC"], ["cB"], ["cC"]]
    row_splits, ids = _cross([firsts, words], hash_key=5, num_buckets=5)
    assert row_splits.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert ids.tolist() == [1, 0, 1, 3, 4, 2]


def _ref_cross(splits, values, hash_key, num_buckets):
    # itertools.product varies the last input fastest, like TF's ProductIterator.
    n_inputs, b1 = splits.shape
    row_splits, ids = [0], []
    for r in range(b1 - 1):
        pools = [values[splits[k, r]:splits[k, r + 1]].tolist() for k in range(n_inputs)]
        for combo in itertools.product(*pools):
            h = hash_key
            for v in combo:
                h = ref_cat64(h, int(v))
            ids.append(h % num_buckets if num_buckets > 0 else h % (2**63 - 1))
        row_splits.append(len(ids))
    return row_splits, ids


def test_cross_product_order_and_empty_rows_against_reference():
    from cannery.core.kernels import hashing as kernels

    rng = np.random.default_rng(7)
    batch, n_inputs = 40, 3
    splits = np.zeros((n_inputs, batch + 1), dtype=np.int64)
    chunks, base = [], 0
    for k in range(n_inputs):
        counts = rng.integers(0, 4, size=batch)  # 0 = empty row for this input
        counts[k] = 0  # at least one empty row per input
        splits[k] = base + np.concatenate([[0], np.cumsum(counts)])
        vals = rng.integers(0, 2**64 - 1, size=int(counts.sum()), dtype=np.uint64)
        vals[: min(2, len(vals))] = 7  # repeated values
        chunks.append(vals)
        base += len(vals)
    values = np.concatenate(chunks)
    for num_buckets in (1, 13, 0):
        row_splits, ids = kernels.cross_hash(splits, values, 123, num_buckets)
        ref_splits, ref_ids = _ref_cross(splits, values, 123, num_buckets)
        assert row_splits.tolist() == ref_splits
        assert ids.tolist() == ref_ids
        assert (ids >= 0).all()
    # Rows where one input is empty produce nothing.
    for k in range(n_inputs):
        assert row_splits[k + 1] == row_splits[k]


def test_cross_order_is_last_input_fastest():
    # Row with a=[1, 2], b=[10, 20]: TF emits (1,10), (1,20), (2,10), (2,20).
    from cannery.core.kernels import hashing as kernels

    splits = np.array([[0, 2], [2, 4]])
    values = np.array([1, 2, 10, 20], dtype=np.uint64)
    _, ids = kernels.cross_hash(splits, values, 0, 0)
    expected = [ref_cat64(ref_cat64(0, a), b) % (2**63 - 1) for a, b in [(1, 10), (1, 20), (2, 10), (2, 20)]]
    assert ids.tolist() == expected


def test_cross_2d_values_layout_equals_flat_layout():
    from cannery.core.kernels import hashing as kernels

    # Input 0 rows: [5], [6, 7]; input 1 rows: [8, 9], [].
    splits = np.array([[0, 1, 3], [0, 2, 2]])
    padded = np.array([[5, 6, 7], [8, 9, 0]], dtype=np.uint64)
    flat_splits = np.array([[0, 1, 3], [3, 5, 5]])
    flat = np.array([5, 6, 7, 8, 9], dtype=np.uint64)
    a = kernels.cross_hash(splits, padded, 5, 100)
    b = kernels.cross_hash(flat_splits, flat, 5, 100)
    assert a[0].tolist() == b[0].tolist() == [0, 2, 2]
    assert a[1].tolist() == b[1].tolist()
    assert a[1].tolist() == [ref_cat64(ref_cat64(5, 5), v) % 100 for v in (8, 9)]


def test_cross_rejects_bad_shapes():
    from cannery.core.kernels import hashing as kernels

    with pytest.raises(ValueError, match="splits index outside values"):
        kernels.cross_hash(np.array([[0, 3]]), np.array([1, 2], dtype=np.uint64), 0, 5)
    with pytest.raises(ValueError, match="non-decreasing"):
        kernels.cross_hash(np.array([[2, 0]]), np.array([1, 2], dtype=np.uint64), 0, 5)
    with pytest.raises(TypeError, match="float64"):
        kernels.cross_hash(np.array([[0, 1]]), np.array([1.0]), 0, 5)


def test_fingerprint_values_for_cross():
    # strings -> Fingerprint64 (REFERENCE §4.4 vectors); ints -> raw two's complement.
    got = hashing.fingerprint_values_for_cross(np.array(["a", "hello"]))
    assert got.tolist() == [12917804110809363939, 13009744463427800296]
    ints = hashing.fingerprint_values_for_cross(np.array([[3, -2]]))
    assert ints.dtype == np.uint64 and ints.shape == (1, 2)
    assert ints.tolist() == [[3, 2**64 - 2]]


def test_no_numba_at_import_time():
    import subprocess
    import sys

    code = (
        "import sys; import cannery.core.strings, cannery.core.hashing, cannery.core.vocabulary; "
        "assert 'numba' not in sys.modules, 'numba imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("modulus", [1, 2, 3, 7, 99_991, 100_000, 1_000_003, 2**21 - 1,
                                     2**21, 2**32 + 15, 2**63 + 1])
def test_bucket_by_reciprocal_equals_the_remainder(modulus):
    """The division-free bucket equals fp % modulus exactly: random fingerprints, the
    extremes, and values beside multiples of the modulus (where a float quotient
    estimate is off by one and needs its correction). 2**21 and above divide."""
    from numba import njit

    from cannery.core.kernels.hashing import bucket_reciprocal, finish_by_reciprocal

    @njit
    def buckets(fps, m):
        out = np.empty_like(fps)
        reciprocal = bucket_reciprocal(m)
        for i in range(fps.shape[0]):
            out[i] = finish_by_reciprocal(fps[i], m, reciprocal)
        return out

    rng = np.random.default_rng(modulus % 1000)
    near = [k * modulus + d for k in (1, 2**10, (2**64 - 1) // modulus) for d in (-1, 0, 1)]
    fps = np.concatenate([
        rng.integers(0, 2**64, 200_000, dtype=np.uint64),
        np.array([0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1], np.uint64),
        np.array([v for v in near if 0 <= v < 2**64], np.uint64)])
    m = np.uint64(modulus)
    assert (buckets(fps, m) == fps % m).all()
