"""Column kernels: bucketizing, multi-hot (indicator) output, identity defaults."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def bucketize_ids(values, boundaries):
    """Bucketized-column ids of float32 ``values [B, d]``, flattened row-major.

    The bucket of a value is the number of boundaries ``<= value`` (TensorFlow's
    ``Bucketize``, an ``upper_bound``), so a value equal to a boundary goes up and NaN,
    which compares false with everything, lands in the last bucket. Element ``j`` of a
    row is offset by ``j * (len(boundaries) + 1)``.
    """
    batch, dim = values.shape
    n = len(boundaries)
    ids = np.empty(batch * dim, dtype=np.int64)
    for r in range(batch):
        for j in range(dim):
            v = values[r, j]
            lo = 0
            hi = n
            while lo < hi:  # first boundary with v < boundary
                mid = (lo + hi) // 2
                if v < boundaries[mid]:
                    hi = mid
                else:
                    lo = mid + 1
            if v != v:
                lo = n
            ids[r * dim + j] = lo + j * (n + 1)
    return ids


@njit(cache=True, nogil=True)
def multi_hot(row_splits, ids, weights, has_weights, width):
    """Dense float32 ``[B, width]``: per row, the count (or weight sum) of every id.

    Ids outside ``[0, width)`` contribute nothing (TensorFlow's indicator column).
    """
    batch = len(row_splits) - 1
    out = np.zeros((batch, width), dtype=np.float32)
    for r in range(batch):
        for k in range(row_splits[r], row_splits[r + 1]):
            i = ids[k]
            if i < 0 or i >= width:
                continue
            if has_weights:
                out[r, i] += weights[k]
            else:
                out[r, i] += np.float32(1.0)
    return out


@njit(cache=True, nogil=True)
def drop_missing(row_splits, ids, missing):
    """CSR ``(row_splits, ids)`` without the entries flagged ``missing``, in one pass."""
    batch = len(row_splits) - 1
    out_splits = np.empty(batch + 1, dtype=np.int64)
    out_ids = np.empty(len(ids), dtype=np.int64)
    out_splits[0] = 0
    pos = 0
    for r in range(batch):
        for k in range(row_splits[r], row_splits[r + 1]):
            if not missing[k]:
                out_ids[pos] = ids[k]
                pos += 1
        out_splits[r + 1] = pos
    return out_splits, out_ids[:pos]


# --- hash-bucket ids of several columns at once ------------------------------------------
# A batch of k hash-bucket columns fed as numpy ``U`` arrays is hashed in one call:
# each column arrives as a uint32 view ``[B, w, width]`` of its own (possibly strided)
# memory, so nothing is copied or encoded into an intermediate buffer. Rows run in the
# outer loop because the columns of one batch usually are column views of one
# ``[N, k]`` array: row-major order then reads memory front to back.

from cannery.core.kernels.hashing import (  # noqa: E402  (kept beside their only user)
    _K0,
    _K2,
    _U0,
    _U1,
    _U2,
    _U3,
    _U8,
    _finish,
    bucket_reciprocal,
    finish_by_reciprocal,
    _h16,
    _rot,
    _smix,
    fingerprint64_bytes,
)
from cannery.core.kernels.strings import encode_ucs4_row  # noqa: E402

_ASCII_LIMIT = np.uint32(0x80)
_OTHER = np.int64(-2)  # a cell the fast loop leaves to the general one


@njit(cache=True, nogil=True, inline="always")
def _word_at(lo, hi, p):
    # Bytes p..p+7 of the 16-byte little-endian string lo|hi (0 <= p <= 8).
    if p == 0:
        return lo
    if p == 8:
        return hi
    s = np.uint64(8 * p)
    return (lo >> s) | (hi << (np.uint64(64) - s))


@njit(cache=True, nogil=True, inline="always")
def _fingerprint_ascii16(lo, hi, n):
    """Fingerprint64 of an n-byte string (1 <= n <= 16) held in two little-endian words.

    The same arithmetic as farmhashna ``HashLen0to16`` (REFERENCE.md §4.11) with the
    byte loads replaced by shifts of the two words.
    """
    un = np.uint64(n)
    if n >= 8:
        m = _K2 + un * _U2
        a = lo + _K2
        b = _word_at(lo, hi, n - 8)
        c = _rot(b, 37) * m + a
        e = (_rot(a, 25) + b) * m
        return _h16(c, e, m)
    mask32 = np.uint64(0xFFFFFFFF)
    if n >= 4:
        m = _K2 + un * _U2
        a = lo & mask32
        last = (lo >> np.uint64(8 * (n - 4))) & mask32
        return _h16(un + (a << _U3), last, m)
    byte = np.uint64(0xFF)
    a = lo & byte
    b = (lo >> (_U8 * (un // _U2))) & byte
    c = (lo >> (_U8 * (un - _U1))) & byte
    y = a + (b << _U8)
    z = un + (c << _U2)
    return _smix(y * _K2 ^ z * _K0) * _K2


@njit(cache=True, nogil=True, inline="always")
def _cell_length(codes, r, j):
    n = codes.shape[2]
    while n > 0 and codes[r, j, n - 1] == 0:
        n -= 1
    return n


@njit(cache=True, nogil=True)
def _hash_cell_other(codes, r, j, n, modulus, scratch):
    """Bucket of cell (r, j) holding n characters when it is not 1-8 ASCII characters.

    Returns -1 if UTF-8 cannot encode the string.
    """
    if 8 < n <= 16:
        lo = np.uint64(0)
        hi = np.uint64(0)
        seen = np.uint32(0)
        for t in range(8):
            ch = codes[r, j, t]
            seen |= ch
            lo |= np.uint64(ch) << np.uint64(8 * t)
        for t in range(8, n):
            ch = codes[r, j, t]
            seen |= ch
            hi |= np.uint64(ch) << np.uint64(8 * (t - 8))
        if seen < _ASCII_LIMIT:
            return np.int64(_finish(_fingerprint_ascii16(lo, hi, n), modulus))
    length = encode_ucs4_row(codes[r], j, scratch)
    if length < 0:
        return np.int64(-1)
    return np.int64(_finish(fingerprint64_bytes(scratch, 0, length), modulus))


@njit(cache=True, nogil=True)
def hash_bucket_group_ucs4(codes, moduli, drop_empty, batch):
    """Hash-bucket ids of k string columns of one batch, as one CSR of ``k * batch`` segments.

    Args:
        codes: a tuple of k uint32 arrays ``[batch, w_c, width_c]`` (numpy ``U`` arrays
            viewed as code points; trailing NULs are padding).
        moduli: uint64 ``[k]``, each column's ``hash_bucket_size``.
        drop_empty: bool ``[k]``; true where ``''`` is a missing cell (a dense input),
            which gets id -1 ("ignore") instead of the hash of ``''``.
        batch: the number of examples.

    Returns:
        ``(row_splits int64 [k * batch + 1], ids int64 [sum_c batch * w_c], bad)``:
        segment ``c * batch + r`` holds column c's ids of example r; ``bad`` is -1, or
        ``c * batch + r`` of the first cell holding a code point UTF-8 cannot encode.
    """
    k = len(codes)
    base = np.empty(k + 1, np.int64)
    base[0] = 0
    widest = 1
    for c in range(k):
        base[c + 1] = base[c] + batch * codes[c].shape[1]
        widest = max(widest, codes[c].shape[2])
    row_splits = np.empty(k * batch + 1, np.int64)
    row_splits[0] = 0
    for c in range(k):
        w = codes[c].shape[1]
        for r in range(batch):
            row_splits[c * batch + r + 1] = base[c] + (r + 1) * w
    ids = np.empty(base[k], np.int64)
    # Rows outer: the columns of a batch are usually column views of one [N, k] array,
    # so this reads memory front to back (measured 1.5x faster than columns outer on
    # fresh batches). The loop only takes short ASCII strings (the usual categorical
    # token), read straight from the code points into one little-endian word; every
    # other cell is marked and hashed by a second loop: a call in this loop, or the
    # same code in an inlined helper, measured 3x slower.
    others = 0
    single = True
    reciprocals = np.empty(k, np.float64)
    for c in range(k):
        single = single and codes[c].shape[1] == 1
        reciprocals[c] = bucket_reciprocal(moduli[c])
    if single:
        # One value per example and column (the usual dense input): no cell loop.
        for r in range(batch):
            for c in range(k):
                arr = codes[c]
                n = _cell_length(arr, r, 0)
                if n == 0 and drop_empty[c]:
                    ids[c * batch + r] = -1
                    continue
                lo = np.uint64(0)
                seen = np.uint32(0)
                for t in range(min(n, 8)):
                    ch = arr[r, 0, t]
                    seen |= ch
                    lo |= np.uint64(ch) << np.uint64(8 * t)
                if n == 0 or n > 8 or seen >= _ASCII_LIMIT:
                    ids[c * batch + r] = _OTHER
                    others += 1
                else:
                    ids[c * batch + r] = np.int64(finish_by_reciprocal(
                        _fingerprint_ascii16(lo, _U0, n), moduli[c], reciprocals[c]))
    for r in range(batch if not single else 0):
        for c in range(k):
            arr = codes[c]
            w = arr.shape[1]
            pos = base[c] + r * w
            for j in range(w):
                n = _cell_length(arr, r, j)
                lo = np.uint64(0)
                seen = np.uint32(0)
                for t in range(min(n, 8)):
                    ch = arr[r, j, t]
                    seen |= ch
                    lo |= np.uint64(ch) << np.uint64(8 * t)
                if n == 0 and drop_empty[c]:
                    ids[pos + j] = -1
                elif n == 0 or n > 8 or seen >= _ASCII_LIMIT:
                    ids[pos + j] = _OTHER
                    others += 1
                else:
                    ids[pos + j] = np.int64(finish_by_reciprocal(
                        _fingerprint_ascii16(lo, _U0, n), moduli[c], reciprocals[c]))
    bad = np.int64(-1)
    if others == 0:
        return row_splits, ids, bad
    scratch = np.empty(widest * 4 + 8, np.uint8)
    for c in range(k):
        arr = codes[c]
        w = arr.shape[1]
        for r in range(batch):
            pos = base[c] + r * w
            for j in range(w):
                if ids[pos + j] != _OTHER:
                    continue
                n = _cell_length(arr, r, j)
                bucket = _hash_cell_other(arr, r, j, n, moduli[c], scratch)
                if bucket < 0 and bad < 0:
                    bad = c * batch + r
                ids[pos + j] = bucket
    return row_splits, ids, bad
