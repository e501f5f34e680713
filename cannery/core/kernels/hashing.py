"""Hash kernels: FarmHash Fingerprint64, FingerprintCat64, hash buckets and hashed crosses.

Strings travel as a byte buffer plus offsets (``data: uint8[nbytes]``,
``offsets: int64[n + 1]``; string ``i`` is ``data[offsets[i]:offsets[i + 1]]``), see
:class:`cannery.core.strings.StringBatch`.

Every integer in the hash arithmetic is uint64: numba turns a mix of signed and
unsigned integers into float64 without a word, which would silently corrupt the hash.
So constants are module-level ``np.uint64`` globals (frozen into the compiled code as
uint64), shift amounts are uint64 too, and lengths are cast before they meet a hash.

The algorithm is REFERENCE.md §4.11 (farmhashna ``Hash64``, which is what
``farmhash::Fingerprint64`` and TensorFlow's ``Fingerprint64`` are).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from cannery.core.kernels.strings import encode_ucs4_row, fixed_row_length, write_int64_decimal

# Not done on purpose: compiling these loops with ``parallel=`` (every transformation
# off) made them 3-4x faster on one core, but the result no longer ran concurrently
# with other threads (it behaved as if holding the GIL), which would stall the
# training thread while a background thread hashes input. Plain nogil kernels split
# across Python threads instead (bench/results/hashing.md).
_K0 = np.uint64(0xC3A5C85C97CB3127)
_K1 = np.uint64(0xB492B66FBE98F273)
_K2 = np.uint64(0x9AE16A3B2F90404F)
_KMUL = np.uint64(0xC6A4A7935BD1E995)
_U0 = np.uint64(0)
_U1 = np.uint64(1)
_U2 = np.uint64(2)
_U3 = np.uint64(3)
_U8 = np.uint64(8)
_U9 = np.uint64(9)
_U47 = np.uint64(47)
_U81 = np.uint64(81)
_U113 = np.uint64(113)
_UFF = np.uint64(0xFF)
_INT64_MAX = np.uint64(0x7FFFFFFFFFFFFFFF)

#: TensorFlow's default ``hash_key`` for crossed columns (``0xDECAFCAFFE``).
DEFAULT_HASH_KEY = 0xDECAFCAFFE


# --- primitives ----------------------------------------------------------------------


@njit(cache=True, nogil=True, inline="always")
def _f64(d, p):
    # Unsigned indices spare numba's negative-index wraparound, so LLVM can fold the
    # eight byte loads into one unaligned 64-bit load.
    q = np.uint64(p)
    return (
        np.uint64(d[q])
        | (np.uint64(d[q + np.uint64(1)]) << np.uint64(8))
        | (np.uint64(d[q + np.uint64(2)]) << np.uint64(16))
        | (np.uint64(d[q + np.uint64(3)]) << np.uint64(24))
        | (np.uint64(d[q + np.uint64(4)]) << np.uint64(32))
        | (np.uint64(d[q + np.uint64(5)]) << np.uint64(40))
        | (np.uint64(d[q + np.uint64(6)]) << np.uint64(48))
        | (np.uint64(d[q + np.uint64(7)]) << np.uint64(56))
    )


@njit(cache=True, nogil=True, inline="always")
def _f32(d, p):
    q = np.uint64(p)
    return (
        np.uint64(d[q])
        | (np.uint64(d[q + np.uint64(1)]) << np.uint64(8))
        | (np.uint64(d[q + np.uint64(2)]) << np.uint64(16))
        | (np.uint64(d[q + np.uint64(3)]) << np.uint64(24))
    )


@njit(cache=True, nogil=True, inline="always")
def _rot(v, r):
    # Every call site passes a constant 0 < r < 64, so the r == 0 case never arises.
    return (v >> np.uint64(r)) | (v << np.uint64(64 - r))


@njit(cache=True, nogil=True, inline="always")
def _smix(v):
    return v ^ (v >> _U47)


@njit(cache=True, nogil=True, inline="always")
def _h16(u, v, m):
    a = (u ^ v) * m
    a ^= a >> _U47
    b = (v ^ a) * m
    b ^= b >> _U47
    return b * m


@njit(cache=True, nogil=True, inline="always")
def _weak32(d, p, a, b):
    # farmhash WeakHashLen32WithSeeds over the 32 bytes at p; returns (a + z, b + c).
    w = _f64(d, p)
    x = _f64(d, p + 8)
    y = _f64(d, p + 16)
    z = _f64(d, p + 24)
    a += w
    b = _rot(b + a + z, 21)
    c = a
    a += x
    a += y
    b += _rot(a, 44)
    return a + z, b + c


@njit(cache=True, nogil=True, inline="always")
def _fp_0_to_16(d, s, n):
    un = np.uint64(n)
    if n >= 8:
        m = _K2 + un * _U2
        a = _f64(d, s) + _K2
        b = _f64(d, s + n - 8)
        c = _rot(b, 37) * m + a
        e = (_rot(a, 25) + b) * m
        return _h16(c, e, m)
    if n >= 4:
        m = _K2 + un * _U2
        a = _f32(d, s)
        return _h16(un + (a << _U3), _f32(d, s + n - 4), m)
    if n > 0:
        q = np.uint64(s)
        a = np.uint64(d[q])
        b = np.uint64(d[q + un // _U2])
        c = np.uint64(d[q + un - _U1])
        y = a + (b << _U8)
        z = un + (c << _U2)
        return _smix(y * _K2 ^ z * _K0) * _K2
    return _K2


@njit(cache=True, nogil=True, inline="always")
def _fp_17_to_32(d, s, n):
    m = _K2 + np.uint64(n) * _U2
    a = _f64(d, s) * _K1
    b = _f64(d, s + 8)
    c = _f64(d, s + n - 8) * m
    e = _f64(d, s + n - 16) * _K2
    return _h16(_rot(a + b, 43) + _rot(c, 30) + e, a + _rot(b + _K2, 18) + c, m)


@njit(cache=True, nogil=True, inline="always")
def _fp_33_to_64(d, s, n):
    m = _K2 + np.uint64(n) * _U2
    a = _f64(d, s) * _K2
    b = _f64(d, s + 8)
    c = _f64(d, s + n - 8) * m
    e = _f64(d, s + n - 16) * _K2
    y = _rot(a + b, 43) + _rot(c, 30) + e
    z = _h16(y, a + _rot(b + _K2, 18) + c, m)
    e2 = _f64(d, s + 16) * m
    f = _f64(d, s + 24)
    g = (y + _f64(d, s + n - 32)) * m
    h = (z + _f64(d, s + n - 24)) * m
    return _h16(_rot(e2 + f, 43) + _rot(g, 30) + h, e2 + _rot(f + a, 18) + g, m)


@njit(cache=True, nogil=True)
def _fp_long(d, s, n):
    x = _U81
    y = _U81 * _K1 + _U113
    z = _smix(y * _K2 + _U113) * _K2
    v0 = _U0
    v1 = _U0
    w0 = _U0
    w1 = _U0
    x = x * _K2 + _f64(d, s)
    end = s + ((n - 1) // 64) * 64
    last64 = s + n - 64
    p = s
    while True:
        x = _rot(x + y + v0 + _f64(d, p + 8), 37) * _K1
        y = _rot(y + v1 + _f64(d, p + 48), 42) * _K1
        x ^= w1
        y += v0 + _f64(d, p + 40)
        z = _rot(z + w0, 33) * _K1
        v0, v1 = _weak32(d, p, v1 * _K1, x + w0)
        w0, w1 = _weak32(d, p + 32, z + w1, y + _f64(d, p + 16))
        x, z = z, x
        p += 64
        if p == end:
            break
    m = _K1 + ((z & _UFF) << _U1)
    p = last64
    w0 += np.uint64((n - 1) & 63)
    v0 += w0
    w0 += v0
    x = _rot(x + y + v0 + _f64(d, p + 8), 37) * m
    y = _rot(y + v1 + _f64(d, p + 48), 42) * m
    x ^= w1 * _U9
    y += v0 * _U9 + _f64(d, p + 40)
    z = _rot(z + w0, 33) * m
    v0, v1 = _weak32(d, p, v1 * m, x + w0)
    w0, w1 = _weak32(d, p + 32, z + w1, y + _f64(d, p + 16))
    x, z = z, x
    return _h16(_h16(v0, w0, m) + _smix(y) * _K0 + z, _h16(v1, w1, m) + x, m)


@njit(cache=True, nogil=True, inline="always")
def fingerprint64_bytes(data, start, length):
    """Fingerprint64 of ``data[start:start + length]`` (uint8 array), as uint64."""
    if length <= 16:
        return _fp_0_to_16(data, start, length)
    if length <= 32:
        return _fp_17_to_32(data, start, length)
    if length <= 64:
        return _fp_33_to_64(data, start, length)
    return _fp_long(data, start, length)


@njit(cache=True, nogil=True)
def fingerprint_cat64(a, b):
    """TensorFlow's ``FingerprintCat64(a, b)`` on two uint64 values (REFERENCE §4.10)."""
    a = np.uint64(a)
    b = np.uint64(b)
    r = a ^ _KMUL
    r ^= _smix(b * _KMUL) * _KMUL
    r *= _KMUL
    r = _smix(r) * _KMUL
    return _smix(r)


# --- batch kernels -------------------------------------------------------------------


@njit(cache=True, nogil=True)
def fingerprint64_batch(data, offsets):
    """Fingerprint64 of every string of a batch, single-threaded.

    Args:
        data: uint8 byte buffer.
        offsets: int64 ``[n + 1]``; string ``i`` is ``data[offsets[i]:offsets[i + 1]]``.

    Returns:
        uint64 ``[n]``.
    """
    n = offsets.shape[0] - 1
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        out[i] = fingerprint64_bytes(data, offsets[i], offsets[i + 1] - offsets[i])
    return out


@njit(cache=True, nogil=True, parallel=True)
def fingerprint64_batch_parallel(data, offsets):
    """:func:`fingerprint64_batch` with the rows split across numba's thread pool."""
    n = offsets.shape[0] - 1
    out = np.empty(n, dtype=np.uint64)
    for i in prange(n):
        out[i] = fingerprint64_bytes(data, offsets[i], offsets[i + 1] - offsets[i])
    return out


@njit(cache=True, nogil=True)
def hash_buckets_range(data, offsets, num_buckets, begin, end, out):
    """``Fingerprint64(s) mod num_buckets`` (unsigned) for strings ``begin..end-1`` into ``out``."""
    nb = np.uint64(num_buckets)
    for i in range(begin, end):
        out[i] = np.int64(fingerprint64_bytes(data, offsets[i], offsets[i + 1] - offsets[i]) % nb)


@njit(cache=True, nogil=True)
def hash_buckets(data, offsets, num_buckets):
    """TensorFlow's ``string_to_hash_bucket_fast``: ``Fingerprint64(s) mod num_buckets``.

    Args:
        data: uint8 byte buffer.
        offsets: int64 ``[n + 1]``.
        num_buckets: a positive integer.

    Returns:
        int64 ``[n]`` in ``[0, num_buckets)``.
    """
    n = offsets.shape[0] - 1
    out = np.empty(n, dtype=np.int64)
    hash_buckets_range(data, offsets, num_buckets, 0, n, out)
    return out


@njit(cache=True, nogil=True, parallel=True)
def hash_buckets_parallel(data, offsets, num_buckets):
    """:func:`hash_buckets` with the rows split across numba's thread pool."""
    n = offsets.shape[0] - 1
    out = np.empty(n, dtype=np.int64)
    nb = np.uint64(num_buckets)
    for i in prange(n):
        out[i] = np.int64(fingerprint64_bytes(data, offsets[i], offsets[i + 1] - offsets[i]) % nb)
    return out


@njit(cache=True, nogil=True, inline="always")
def _finish(fp, modulus):
    # modulus 0: the fingerprint itself; otherwise the bucket (< 2**63, so it reads
    # the same through an int64 view of the output).
    if modulus == _U0:
        return fp
    return fp % modulus


#: Below this modulus :func:`finish_by_reciprocal` is exact (see there).
_RECIPROCAL_LIMIT = np.uint64(1 << 21)
_U32 = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)


@njit(cache=True, nogil=True, inline="always")
def bucket_reciprocal(modulus):
    """``1 / modulus`` for :func:`finish_by_reciprocal`, or 0.0 where it must divide."""
    if modulus == _U0 or modulus >= _RECIPROCAL_LIMIT:
        return 0.0
    return 1.0 / np.float64(modulus)


@njit(cache=True, nogil=True, inline="always")
def _reduce_below_2_53(x, modulus, reciprocal):
    # x < 2**53 is exact as a float64 and x * reciprocal is within 2**-20 of x / modulus
    # (x / modulus < 2**32), so the truncated quotient is off by at most one.
    q = np.uint64(np.float64(x) * reciprocal)
    r = np.int64(x - q * modulus)
    if r < 0:
        r += np.int64(modulus)
    elif r >= np.int64(modulus):
        r -= np.int64(modulus)
    return np.uint64(r)


@njit(cache=True, nogil=True, inline="always")
def finish_by_reciprocal(fp, modulus, reciprocal):
    """:func:`_finish` without a 64-bit division (a few times its throughput).

    ``fp % m`` as ``((fp >> 32) % m * 2**32 + (fp & 0xFFFFFFFF)) % m``, each step a
    float64 quotient estimate and one correction; exact while ``m < 2**21``, since the
    second step's dividend then stays below 2**53.
    """
    if reciprocal == 0.0:
        return _finish(fp, modulus)
    high = _reduce_below_2_53(fp >> _U32, modulus, reciprocal)
    return _reduce_below_2_53((high << _U32) | (fp & _LOW32), modulus, reciprocal)


@njit(cache=True, nogil=True)
def ucs4_hash_range(codes, modulus, begin, end, out):
    """Fingerprint64 (``modulus == 0``) or bucket of numpy ``U`` rows ``begin..end-1``.

    Fuses UTF-8 encoding and hashing through a per-call scratch buffer, so no byte
    buffer for the whole batch is ever built.

    Args:
        codes: uint32 ``[n, width]`` (a ``<U{width}`` array viewed as uint32).
        modulus: uint64; 0 for raw fingerprints.
        begin, end: the rows to hash.
        out: uint64 ``[n]`` output.

    Returns:
        -1, or the first row holding a code point UTF-8 cannot encode.
    """
    scratch = np.empty(codes.shape[1] * 4 + 8, dtype=np.uint8)
    for i in range(begin, end):
        n = encode_ucs4_row(codes, i, scratch)
        if n < 0:
            return i
        out[i] = _finish(fingerprint64_bytes(scratch, 0, n), modulus)
    return -1


@njit(cache=True, nogil=True)
def fixed_hash_range(flat, width, modulus, begin, end, out):
    """Fingerprint64 or bucket of numpy ``S{width}`` rows ``begin..end-1``, read in place."""
    for i in range(begin, end):
        n = fixed_row_length(flat, width, i)
        out[i] = _finish(fingerprint64_bytes(flat, i * width, n), modulus)


@njit(cache=True, nogil=True)
def int64_hash_range(values, modulus, begin, end, out):
    """Fingerprint64 or bucket of the decimal strings of ``values[begin:end]``."""
    scratch = np.empty(24, dtype=np.uint8)
    for i in range(begin, end):
        n = write_int64_decimal(values[i], scratch)
        out[i] = _finish(fingerprint64_bytes(scratch, 0, n), modulus)


@njit(cache=True, nogil=True)
def batch_hash_range(data, offsets, modulus, begin, end, out):
    """Fingerprint64 or bucket of strings ``begin..end-1`` of a ``(data, offsets)`` batch."""
    for i in range(begin, end):
        out[i] = _finish(fingerprint64_bytes(data, offsets[i], offsets[i + 1] - offsets[i]), modulus)


# --- crosses -------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _cross_counts(splits):
    n_inputs = splits.shape[0]
    batch = splits.shape[1] - 1
    row_splits = np.empty(batch + 1, dtype=np.int64)
    row_splits[0] = 0
    for r in range(batch):
        count = 1
        for k in range(n_inputs):
            count *= splits[k, r + 1] - splits[k, r]
        row_splits[r + 1] = row_splits[r] + count
    return row_splits


@njit(cache=True, nogil=True)
def cross_hash_flat(splits, values, hash_key, num_buckets):
    """The hashed cross over a concatenation of every input's values.

    Args:
        splits: int64 ``[n_inputs, B + 1]``; row ``r`` of input ``k`` holds
            ``values[splits[k, r]:splits[k, r + 1]]`` (indices into the concatenation).
        values: uint64 ``[total]``.
        hash_key: the crossing seed (uint64-representable integer).
        num_buckets: ids are ``h mod num_buckets``; ``<= 0`` means ``h mod (2**63 - 1)``
            as TensorFlow does.

    Returns:
        ``(row_splits int64[B + 1], ids int64[nnz])``.
    """
    n_inputs = splits.shape[0]
    batch = splits.shape[1] - 1
    row_splits = _cross_counts(splits)
    ids = np.empty(row_splits[batch], dtype=np.int64)
    modulus = np.uint64(num_buckets) if num_buckets > 0 else _INT64_MAX
    seed = np.uint64(hash_key)
    pos = np.zeros(n_inputs, dtype=np.int64)
    for r in range(batch):
        if row_splits[r + 1] == row_splits[r]:
            continue
        # Odometer over the inputs with the LAST input turning fastest, exactly as
        # TensorFlow's ProductIterator::Next (tensorflow/core/kernels/sparse_cross_op.cc)
        # increments next_permutation_ from index size()-1 down to 0 with a carry.
        pos[:] = 0
        for out in range(row_splits[r], row_splits[r + 1]):
            h = seed
            for k in range(n_inputs):
                h = fingerprint_cat64(h, values[splits[k, r] + pos[k]])
            ids[out] = np.int64(h % modulus)
            k = n_inputs - 1
            while k >= 0:
                pos[k] += 1
                if pos[k] < splits[k, r + 1] - splits[k, r]:
                    break
                pos[k] = 0
                k -= 1
    return row_splits, ids


def cross_hash(splits, values, hash_key, num_buckets):
    """Hashed crossed-column ids, TensorFlow's ``sparse_cross_hashed`` (REFERENCE §4.10).

    For each row, every combination of one value per input (Cartesian product, last
    input varying fastest, as TensorFlow's ``ProductIterator``) yields
    ``h = hash_key; for each input: h = FingerprintCat64(h, v); id = h mod num_buckets``.
    A row where any input is empty yields nothing.

    Args:
        splits: int64 ``[n_inputs, B + 1]``, one CSR row-splits vector per input, in
            TensorFlow's ORDER (sparse inputs first, then dense, each in key order).
        values: uint64, either ``[n_inputs, max_nnz]`` (input ``k``'s values in row
            ``k``, ``splits[k]`` indexing into it) or 1-D: a concatenation of every
            input's values, ``splits[k]`` then being absolute indices into it. Each
            value is Fingerprint64 of a string or an int64 reinterpreted as uint64
            (see :func:`cannery.core.hashing.fingerprint_values_for_cross`).
        hash_key: the seed, TensorFlow's default is :data:`DEFAULT_HASH_KEY`.
        num_buckets: the bucket count (``<= 0``: modulo ``2**63 - 1``, as TensorFlow).

    Returns:
        ``(row_splits int64[B + 1], ids int64[nnz])``.

    Raises:
        ValueError: shapes that do not fit together.
    """
    splits = np.ascontiguousarray(splits, dtype=np.int64)
    values = np.asarray(values)
    if values.dtype != np.uint64:
        if values.dtype.kind not in "iu":
            raise TypeError(f"cross_hash: expected uint64 values, received dtype {values.dtype}")
        values = values.astype(np.int64, copy=False).view(np.uint64)
    if splits.ndim != 2 or splits.shape[1] < 1:
        raise ValueError(f"cross_hash: expected splits of shape [n_inputs, B + 1], received {splits.shape}")
    if values.ndim == 2:
        if values.shape[0] != splits.shape[0]:
            raise ValueError(
                f"cross_hash: values has {values.shape[0]} rows but splits has {splits.shape[0]} inputs"
            )
        width = values.shape[1]
        if splits.size and (splits.min() < 0 or splits.max() > width):
            raise ValueError(f"cross_hash: splits index outside values of width {width}")
        splits = splits + (np.arange(splits.shape[0], dtype=np.int64) * width)[:, None]
        values = np.ascontiguousarray(values).reshape(-1)
    elif values.ndim == 1:
        if splits.size and (splits.min() < 0 or splits.max() > len(values)):
            raise ValueError(f"cross_hash: splits index outside values of length {len(values)}")
    else:
        raise ValueError(f"cross_hash: expected 1-D or 2-D values, received shape {values.shape}")
    if splits.shape[1] > 1 and np.any(np.diff(splits, axis=1) < 0):
        raise ValueError("cross_hash: every row of splits must be non-decreasing")
    hash_key = int(hash_key) & 0xFFFFFFFFFFFFFFFF
    return cross_hash_flat(splits, np.ascontiguousarray(values), np.uint64(hash_key), int(num_buckets))


# --- vocabulary tables ---------------------------------------------------------------
#
# Open addressing with linear probing over ``slots: uint64[capacity, 2]``: column 0 is
# the probe key (a string key's Fingerprint64, or an integer key's two's complement
# bits), column 1 is ``key index + 1`` (0 = empty). A probe reads one cache line and
# rejects a different key there without touching the key store; a fingerprint match
# is confirmed by comparing the bytes, so a 64-bit collision cannot return a wrong id.
#
# The probe loop is written out in each kernel on purpose: moved into a helper
# (inlined or called), every call paid reference-count updates on the three arrays it
# received, which made a lookup 3-4 times slower than hashing the string.


@njit(cache=True, nogil=True, inline="always")
def _mix_int(v):
    # The low bits of small consecutive integers would cluster; mix before masking.
    return _smix(v * _KMUL)


@njit(cache=True, nogil=True)
def vocab_build_strings(key_data, key_offsets, key_fps, capacity):
    """Slots of a string vocabulary table.

    Args:
        key_data, key_offsets: the keys as a string batch.
        key_fps: uint64 Fingerprint64 of every key.
        capacity: a power of two larger than the number of keys.

    Returns:
        ``(slots uint64[capacity, 2], dup_index, dup_first)``: ``dup_index >= 0`` names
        a key equal to the earlier key ``dup_first`` (then ``slots`` is incomplete).
    """
    slots = np.zeros((capacity, 2), dtype=np.uint64)
    mask = capacity - 1
    for i in range(key_fps.shape[0]):
        fp = key_fps[i]
        start = key_offsets[i]
        length = key_offsets[i + 1] - start
        s = np.int64(fp & np.uint64(mask))
        while slots[s, 1] != _U0:
            if slots[s, 0] == fp:
                k = np.int64(slots[s, 1]) - 1
                k_start = key_offsets[k]
                if key_offsets[k + 1] - k_start == length:
                    equal = True
                    for j in range(length):
                        if key_data[k_start + j] != key_data[start + j]:
                            equal = False
                            break
                    if equal:
                        return slots, i, k
            s = (s + 1) & mask
        slots[s, 0] = fp
        slots[s, 1] = np.uint64(i + 1)
    return slots, -1, -1


@njit(cache=True, nogil=True)
def vocab_build_ints(keys, capacity):
    """Slots of an integer vocabulary table (``keys`` int64); see :func:`vocab_build_strings`."""
    slots = np.zeros((capacity, 2), dtype=np.uint64)
    mask = capacity - 1
    for i in range(keys.shape[0]):
        v = np.uint64(keys[i])
        s = np.int64(_mix_int(v) & np.uint64(mask))
        while slots[s, 1] != _U0:
            if slots[s, 0] == v:
                return slots, i, np.int64(slots[s, 1]) - 1
            s = (s + 1) & mask
        slots[s, 0] = v
        slots[s, 1] = np.uint64(i + 1)
    return slots, -1, -1


@njit(cache=True, nogil=True)
def vocab_lookup_strings_range(
    slots, key_data, key_offsets, size, data, offsets, num_oov, default, begin, end, out
):
    """Ids of strings ``begin..end-1`` into ``out`` (int64).

    A string not in the table gets ``size + Fingerprint64(s) mod num_oov`` when
    ``num_oov > 0``, else ``default``.
    """
    mask = slots.shape[0] - 1
    for i in range(begin, end):
        start = offsets[i]
        length = offsets[i + 1] - start
        fp = fingerprint64_bytes(data, start, length)
        found = -1
        s = np.int64(fp & np.uint64(mask))
        while slots[s, 1] != _U0:
            if slots[s, 0] == fp:
                k = np.int64(slots[s, 1]) - 1
                k_start = key_offsets[k]
                if key_offsets[k + 1] - k_start == length:
                    equal = True
                    for j in range(length):
                        if key_data[k_start + j] != data[start + j]:
                            equal = False
                            break
                    if equal:
                        found = k
                        break
            s = (s + 1) & mask
        if found < 0:
            if num_oov > 0:
                found = size + np.int64(fp % np.uint64(num_oov))
            else:
                found = default
        out[i] = found


@njit(cache=True, nogil=True)
def vocab_lookup_ucs4_range(
    slots, key_data, key_offsets, size, codes, num_oov, default, begin, end, out
):
    """:func:`vocab_lookup_strings_range` straight from numpy ``U`` rows (uint32 ``[n, width]``).

    Returns:
        -1, or the first row holding a code point UTF-8 cannot encode.
    """
    mask = slots.shape[0] - 1
    scratch = np.empty(codes.shape[1] * 4 + 8, dtype=np.uint8)
    for i in range(begin, end):
        length = encode_ucs4_row(codes, i, scratch)
        if length < 0:
            return i
        fp = fingerprint64_bytes(scratch, 0, length)
        found = -1
        s = np.int64(fp & np.uint64(mask))
        while slots[s, 1] != _U0:
            if slots[s, 0] == fp:
                k = np.int64(slots[s, 1]) - 1
                k_start = key_offsets[k]
                if key_offsets[k + 1] - k_start == length:
                    equal = True
                    for j in range(length):
                        if key_data[k_start + j] != scratch[j]:
                            equal = False
                            break
                    if equal:
                        found = k
                        break
            s = (s + 1) & mask
        if found < 0:
            if num_oov > 0:
                found = size + np.int64(fp % np.uint64(num_oov))
            else:
                found = default
        out[i] = found
    return -1


@njit(cache=True, nogil=True)
def vocab_lookup_ints_range(slots, values, begin, end, out):
    """Ids of integers ``values[begin:end]`` (int64) into ``out`` (-1 when missing)."""
    mask = slots.shape[0] - 1
    for i in range(begin, end):
        v = np.uint64(values[i])
        found = -1
        s = np.int64(_mix_int(v) & np.uint64(mask))
        while slots[s, 1] != _U0:
            if slots[s, 0] == v:
                found = np.int64(slots[s, 1]) - 1
                break
            s = (s + 1) & mask
        out[i] = found
