"""Buffer-shuffle kernels behind ``Dataset.shuffle``.

``Dataset.shuffle`` reproduces TensorFlow 2.15's element order
(tensorflow/core/kernels/data/shuffle_dataset_op.cc, ``ShuffleDatasetBase::Iterator``):
the buffer is a ring that is filled to ``buffer_size``; each output takes
``offset = Random() % n`` over the ``n`` live elements in insertion order, emits the
element at ``start + offset``, moves the element at ``start`` into its slot and
advances ``start``; the next input element is appended at the end. ``Random()`` is
``SingleSampleAdapter<PhiloxRandom>``: the four uint32 words of each Philox4x32-10
block, one at a time (tensorflow/core/lib/random/philox_random.h,
random_distributions.h). :func:`shuffle_push` and :func:`shuffle_drain_ring` run that
loop over int64 row positions; the caller gathers the rows with one vectorised
``take`` per column.

A Philox generator lives in a ``uint64[11]`` state array (:func:`philox_state`):
``[key0, key1, counter0..3, block0..3, used]`` where ``block`` holds the last four
outputs and ``used`` how many of them were handed out (4: none left).
"""

from __future__ import annotations

import numpy as np
from numba import njit

STATE_SIZE = 11
_U32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_W32A = np.uint64(0x9E3779B9)  # kPhiloxW32A: key schedule increments
_W32B = np.uint64(0xBB67AE85)  # kPhiloxW32B
_M4x32A = np.uint64(0xD2511F53)  # kPhiloxM4x32A: round multipliers
_M4x32B = np.uint64(0xCD9E8D57)  # kPhiloxM4x32B


def philox_state(seed: int, seed2: int) -> np.ndarray:
    """The state of ``PhiloxRandom(seed, seed2)`` wrapped in a ``SingleSampleAdapter``.

    The key is the low and high words of ``seed``, the counter starts at
    ``[0, 0, low(seed2), high(seed2)]`` (``PhiloxRandom(uint64 seed_lo, uint64 seed_hi)``);
    seeds are taken modulo 2**64 like the C++ casts.
    """
    seed &= (1 << 64) - 1
    seed2 &= (1 << 64) - 1
    state = np.zeros(STATE_SIZE, dtype=np.uint64)
    state[0], state[1] = seed & 0xFFFFFFFF, seed >> 32
    state[4], state[5] = seed2 & 0xFFFFFFFF, seed2 >> 32
    state[10] = 4
    return state


@njit(cache=True, nogil=True)
def philox_rounds(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10's ten rounds on counter words ``c0..c3`` under key words ``k0, k1``
    (32-bit values held in uint64): scalars, or arrays for many blocks at once."""
    for r in range(10):
        if r:
            k0 = (k0 + _W32A) & _U32
            k1 = (k1 + _W32B) & _U32
        p0 = _M4x32A * c0
        p1 = _M4x32B * c2
        c0, c1, c2, c3 = (((p1 >> _SHIFT) ^ c1 ^ k0) & _U32, p1 & _U32,
                          ((p0 >> _SHIFT) ^ c3 ^ k1) & _U32, p0 & _U32)
    return c0, c1, c2, c3


@njit(cache=True, nogil=True)
def philox4x32_10(counter, key, out):
    """One Philox4x32-10 block: ten rounds on ``counter`` (4 words) under ``key`` (2 words).

    Args:
        counter: uint64 ``[4]``, each a 32-bit word.
        key: uint64 ``[2]``.
        out: uint64 ``[4]`` receives the block.
    """
    out[0], out[1], out[2], out[3] = philox_rounds(counter[0], counter[1], counter[2],
                                                   counter[3], key[0], key[1])


@njit(cache=True, nogil=True)
def philox_sample(state):
    """The next uint32 of the stream (``SingleSampleAdapter<PhiloxRandom>::operator()``).

    A new block is computed from the counter when the last one is used up, and the
    128-bit counter is then incremented (``PhiloxRandom::SkipOne``).
    """
    if state[10] >= 4:
        philox4x32_10(state[2:6], state[0:2], state[6:10])
        for i in range(2, 6):
            state[i] = (state[i] + _ONE) & _U32
            if state[i] != _ZERO:
                break
        state[10] = 0
    i = np.int64(state[10])
    state[10] += _ONE
    return state[6 + i]


@njit(cache=True, nogil=True)
def _emit(ring, start, end, state):
    offset = np.int64(philox_sample(state) % np.uint64(end - start))
    index = start + offset
    value = ring[index]
    ring[index] = ring[start]
    return value


@njit(cache=True, nogil=True)
def shuffle_push(ring, start, end, capacity, incoming, state, out):
    """Push ``incoming`` through TensorFlow's shuffle buffer.

    Each element is appended to the ring; whenever the ring then holds ``capacity``
    elements one is emitted (``GetNextInternal`` after ``FillBuffer``).

    Args:
        ring: int64 ``[>= end + len(incoming)]``; ``ring[start:end]`` are the live
            elements in insertion order (modified).
        start, end: the live range.
        capacity: ``buffer_size``.
        incoming: int64 ``[m]`` positions arriving in stream order.
        state: Philox state (:func:`philox_state`), advanced in place.
        out: int64 ``[m]`` receives the emitted positions.

    Returns:
        ``(start, end, n_out)``: the new live range and how many of ``out`` were written.
    """
    n_out = 0
    for k in range(incoming.shape[0]):
        ring[end] = incoming[k]
        end += 1
        if end - start >= capacity:
            out[n_out] = _emit(ring, start, end, state)
            start += 1
            n_out += 1
    return start, end, n_out


@njit(cache=True, nogil=True)
def shuffle_drain_ring(ring, start, end, state, out):
    """Emit the live elements ``ring[start:end]`` once the input is exhausted.

    Args:
        ring: int64 array (modified).
        start, end: the live range.
        state: Philox state, advanced in place.
        out: int64 ``[end - start]`` receives the emitted positions.
    """
    n_out = 0
    while start < end:
        out[n_out] = _emit(ring, start, end, state)
        start += 1
        n_out += 1
