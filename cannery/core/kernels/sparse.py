"""Combiner kernels: TensorFlow's ``safe_embedding_lookup_sparse`` fused over CSR ids.

The semantics are REFERENCE.md §4.6. For each row of ``(row_splits, ids, weights)``:
entries with a negative id are dropped; unless the combiner is ``sum``, entries with a
weight ``<= 0`` are dropped too; with ``max_norm > 0`` every looked-up table row is
first rescaled to L2 norm at most ``max_norm`` (``t * max_norm / max(|t|, max_norm)``,
TensorFlow's ``clip_by_norm``); then ``sum`` / ``mean`` / ``sqrtn`` combine the
weighted rows. A row with nothing left gives zeros.

Arithmetic is float32 in TensorFlow's order (gather, optional clip, multiply by the
weight, sequential segment sum, divide), so results agree to the last bit or two.

Combiner codes: 0 = sum, 1 = mean, 2 = sqrtn (see :data:`COMBINER_CODES`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cannery.core.kernels.optimizers import dedup_slot, dedup_table_bits

COMBINER_CODES = {"sum": 0, "mean": 1, "sqrtn": 2}

_F0 = np.float32(0.0)
_F1 = np.float32(1.0)


@njit(cache=True, nogil=True)
def first_out_of_range(ids, num_rows):
    """Position of the first id ``>= num_rows``, or -1 (negative ids are "ignore", not errors)."""
    for k in range(len(ids)):
        if ids[k] >= num_rows:
            return k
    return -1


@njit(cache=True, nogil=True, inline="always")
def _keep(ids, weights, has_weights, combiner, k):
    if ids[k] < 0:
        return False
    if has_weights and combiner != 0 and not (weights[k] > _F0):
        return False
    return True


@njit(cache=True, nogil=True, inline="always")
def _clip_scale(table, i, max_norm):
    """The factor ``clip_by_norm`` multiplies row ``i`` by (1 when there is no clipping)."""
    if max_norm <= _F0:
        return _F1
    l2sum = _F0
    for j in range(table.shape[1]):
        l2sum += table[i, j] * table[i, j]
    norm = np.float32(np.sqrt(l2sum))
    if norm > max_norm:
        return max_norm / norm
    return _F1


@njit(cache=True, nogil=True)
def _row_scales(row_splits, ids, weights, has_weights, combiner):
    """Per row: the factor the weighted sum is multiplied by, and whether it is empty."""
    batch = len(row_splits) - 1
    scales = np.ones(batch, dtype=np.float32)
    empty = np.zeros(batch, dtype=np.bool_)
    for r in range(batch):
        total = _F0
        count = 0
        for k in range(row_splits[r], row_splits[r + 1]):
            if not _keep(ids, weights, has_weights, combiner, k):
                continue
            count += 1
            w = weights[k] if has_weights else _F1
            if combiner == 2:
                total += w * w
            else:
                total += w
        if count == 0:
            empty[r] = True
            scales[r] = _F0
        elif combiner == 1:
            scales[r] = _F1 / total if total != _F0 else _F0
        elif combiner == 2:
            root = np.float32(np.sqrt(total))
            scales[r] = _F1 / root if root != _F0 else _F0
    return scales, empty


@njit(cache=True, nogil=True)
def combine_forward(row_splits, ids, weights, has_weights, table, combiner, max_norm):
    """Combined rows ``[B, d]`` (float32) of ``table [num_rows, d]`` for CSR ids.

    Args:
        row_splits: int64 ``[B + 1]``.
        ids: int64 ``[nnz]``; negative ids are ignored. Every id must be
            ``< num_rows`` (check with :func:`first_out_of_range` first).
        weights: float32 ``[nnz]`` (ignored unless ``has_weights``).
        has_weights: whether ``weights`` holds per-id weights (else all weights are 1).
        table: float32 ``[num_rows, d]``.
        combiner: 0 sum, 1 mean, 2 sqrtn.
        max_norm: float32; ``<= 0`` means no clipping.
    """
    batch = len(row_splits) - 1
    dim = table.shape[1]
    out = np.zeros((batch, dim), dtype=np.float32)
    for r in range(batch):
        total = _F0
        count = 0
        for k in range(row_splits[r], row_splits[r + 1]):
            if not _keep(ids, weights, has_weights, combiner, k):
                continue
            i = ids[k]
            w = weights[k] if has_weights else _F1
            count += 1
            total += w * w if combiner == 2 else w
            if max_norm > _F0:
                clip = _clip_scale(table, i, max_norm)
                for j in range(dim):
                    out[r, j] += (table[i, j] * clip) * w
            else:
                for j in range(dim):
                    out[r, j] += table[i, j] * w
        if count == 0 or combiner == 0:
            continue
        # TensorFlow divides (div_no_nan) rather than multiplying by a reciprocal.
        denom = total if combiner == 1 else np.float32(np.sqrt(total))
        if denom == _F0:
            for j in range(dim):
                out[r, j] = _F0
        else:
            for j in range(dim):
                out[r, j] = out[r, j] / denom
    return out


@njit(cache=True, nogil=True)
def combine_backward(row_splits, ids, weights, has_weights, table, combiner, max_norm, d_out):
    """Row-sparse gradient of :func:`combine_forward` with respect to ``table``.

    Returns ``(grad_ids int64[m], grad_rows float32[m, d])``: one entry per kept id, in
    CSR order (duplicates stay separate: optimizers sum them), plus, as TensorFlow's
    ``safe_embedding_lookup_sparse`` does by filling empty rows with id 0, a zero row
    for id 0 per row that had no kept entry (it makes row 0 "touched" for momentum
    optimizers, REFERENCE.md §3.1).
    """
    batch = len(row_splits) - 1
    dim = table.shape[1]
    scales, empty = _row_scales(row_splits, ids, weights, has_weights, combiner)
    count = 0
    for r in range(batch):
        if empty[r]:
            count += 1
            continue
        for k in range(row_splits[r], row_splits[r + 1]):
            if _keep(ids, weights, has_weights, combiner, k):
                count += 1
    grad_ids = np.empty(count, dtype=np.int64)
    grad_rows = np.zeros((count, dim), dtype=np.float32)
    pos = 0
    for r in range(batch):
        if empty[r]:
            grad_ids[pos] = 0
            pos += 1
            continue
        for k in range(row_splits[r], row_splits[r + 1]):
            if not _keep(ids, weights, has_weights, combiner, k):
                continue
            i = ids[k]
            w = weights[k] if has_weights else _F1
            factor = w * scales[r]
            grad_ids[pos] = i
            if max_norm > _F0:
                l2sum = _F0
                dot = _F0
                for j in range(dim):
                    l2sum += table[i, j] * table[i, j]
                    dot += table[i, j] * d_out[r, j]
                norm = np.float32(np.sqrt(l2sum))
                if norm > max_norm:
                    # d/dt of t * c / |t| is (c / |t|) (I - t t^T / |t|^2).
                    c = max_norm / norm
                    proj = dot / l2sum
                    for j in range(dim):
                        grad_rows[pos, j] = factor * c * (d_out[r, j] - table[i, j] * proj)
                    pos += 1
                    continue
            for j in range(dim):
                grad_rows[pos, j] = factor * d_out[r, j]
            pos += 1
    return grad_ids, grad_rows


# --- the linear model over all of its columns at once ---------------------------------------
# ``LinearNetwork`` runs its whole forward pass as one kernel over a *plan*: one line per
# column in TensorFlow's (sorted) column order, so logits are accumulated in exactly the
# order the per-column path adds them. Plan kinds:
#   0  categorical: column a of a group CSR (``k * B`` segments, see GroupIds), whose
#      weights are rows ``row_offsets[a]...`` of the packed categorical weights;
#   1  dense: inputs ``dense[:, a:b]`` times rows a..b of the packed dense weights;
#   2  precomputed: ``external[a]`` (a column with variables of its own).

PLAN_CATEGORICAL = 0
PLAN_DENSE = 1
PLAN_EXTERNAL = 2


@njit(cache=True, nogil=True, inline="always")
def _one_id_per_example(row_splits, first, batch):
    """Whether segments ``first .. first + batch - 1`` hold one entry each."""
    for r in range(first, first + batch):
        if row_splits[r + 1] - row_splits[r] != 1:
            return False
    return True


@njit(cache=True, nogil=True)
def linear_forward(plan, row_splits, ids, weights, has_weights, row_offsets, table, combiner,
                   dense, dense_table, external, bias, batch):
    """Logits ``[batch, units]`` of a linear model (see the plan kinds above).

    Columns run in the outer loop: every logit still receives the columns' outputs in
    plan order, one addition per column, exactly as the per-column path adds them.

    Args:
        plan: int64 ``[S, 3]`` rows ``(kind, a, b)`` in column order.
        row_splits, ids, weights, has_weights: the categorical columns' group CSR;
            every id must be below its column's number of rows.
        row_offsets: int64 ``[k]``, the first packed row of each categorical column.
        table: float32 ``[rows, units]``, the packed categorical weights.
        combiner: 0 sum, 1 mean, 2 sqrtn.
        dense: float32 ``[batch, width]``, the dense columns side by side.
        dense_table: float32 ``[width, units]``, their packed weights.
        external: float32 ``[n, batch, units]``, precomputed column outputs.
        bias: float32 ``[units]``, added last.
        batch: the number of examples.
    """
    units = bias.shape[0]
    logits = np.zeros((batch, units), dtype=np.float32)
    part = np.zeros(units, dtype=np.float32)
    plain = combiner == 0 and not has_weights
    for s in range(plan.shape[0]):
        kind = plan[s, 0]
        a = plan[s, 1]
        if kind == PLAN_CATEGORICAL:
            offset = row_offsets[a]
            first = a * batch
            if plain and units == 1:
                # The common case (sum of unweighted ids, one logit), kept branch-light.
                if _one_id_per_example(row_splits, first, batch):
                    # A dense input (-1 where missing): no segment loop, which costs
                    # more than the gathers. 0 + t keeps the sum's signed zeros as below.
                    lo = row_splits[first]
                    for r in range(batch):
                        i = ids[lo + r]
                        v = _F0
                        if i >= 0:
                            v = _F0 + table[i + offset, 0]
                        logits[r, 0] += v
                    continue
                for r in range(batch):
                    acc = _F0
                    for k in range(row_splits[first + r], row_splits[first + r + 1]):
                        i = ids[k]
                        if i >= 0:
                            acc += table[i + offset, 0]
                    logits[r, 0] += acc
                continue
            for r in range(batch):
                seg = first + r
                for u in range(units):
                    part[u] = _F0
                total = _F0
                count = 0
                for k in range(row_splits[seg], row_splits[seg + 1]):
                    if not _keep(ids, weights, has_weights, combiner, k):
                        continue
                    i = ids[k] + offset
                    w = weights[k] if has_weights else _F1
                    count += 1
                    total += w * w if combiner == 2 else w
                    for u in range(units):
                        part[u] += table[i, u] * w
                if count > 0 and combiner != 0:
                    # TensorFlow divides (div_no_nan) rather than multiplying by a reciprocal.
                    denom = total if combiner == 1 else np.float32(np.sqrt(total))
                    for u in range(units):
                        part[u] = _F0 if denom == _F0 else part[u] / denom
                for u in range(units):
                    logits[r, u] += part[u]
        elif kind == PLAN_DENSE:
            b = plan[s, 2]
            for r in range(batch):
                for u in range(units):
                    acc = _F0
                    for j in range(a, b):
                        acc += dense[r, j] * dense_table[j, u]
                    logits[r, u] += acc
        else:
            for r in range(batch):
                for u in range(units):
                    logits[r, u] += external[a, r, u]
    for r in range(batch):
        for u in range(units):
            logits[r, u] += bias[u]
    return logits


@njit(cache=True, nogil=True)
def linear_categorical_backward(row_splits, ids, weights, has_weights, row_offsets, combiner,
                                d_logits, batch):
    """Row-sparse gradient of the packed categorical weights of :func:`linear_forward`.

    Column by column, the same entries :func:`combine_backward` gives for each column
    (one per kept id, and a zero row for id 0 per example with no kept id), with ids
    shifted to packed rows.

    Returns:
        ``(grad_ids int64 [m], grad_rows float32 [m, units], column_splits int64 [k + 1])``;
        column c's entries are ``column_splits[c]:column_splits[c + 1]``.
    """
    k_cols = row_offsets.shape[0]
    units = d_logits.shape[1]
    column_splits = np.empty(k_cols + 1, dtype=np.int64)
    column_splits[0] = 0
    if combiner == 0 and not has_weights:
        # Sum of unweighted ids: every kept entry's gradient is the example's d_logits
        # (TensorFlow's factor is 1 * 1), so one pass with an upper-bound allocation.
        n_seg = k_cols * batch
        bound = row_splits[n_seg] - row_splits[0] + n_seg
        grad_ids = np.empty(bound, dtype=np.int64)
        grad_rows = np.empty((bound, units), dtype=np.float32)
        pos = 0
        for c in range(k_cols):
            offset = row_offsets[c]
            for r in range(batch):
                seg = c * batch + r
                start = pos
                for k in range(row_splits[seg], row_splits[seg + 1]):
                    i = ids[k]
                    if i >= 0:
                        grad_ids[pos] = i + offset
                        for u in range(units):
                            grad_rows[pos, u] = d_logits[r, u]
                        pos += 1
                if pos == start:
                    grad_ids[pos] = offset
                    for u in range(units):
                        grad_rows[pos, u] = _F0
                    pos += 1
            column_splits[c + 1] = pos
        return grad_ids[:pos], grad_rows[:pos], column_splits
    n_seg = k_cols * batch
    scales, empty = _row_scales(row_splits, ids, weights, has_weights, combiner)
    count = 0
    for seg in range(n_seg):
        if empty[seg]:
            count += 1
            continue
        for k in range(row_splits[seg], row_splits[seg + 1]):
            if _keep(ids, weights, has_weights, combiner, k):
                count += 1
    grad_ids = np.empty(count, dtype=np.int64)
    grad_rows = np.empty((count, units), dtype=np.float32)
    pos = 0
    for c in range(k_cols):
        offset = row_offsets[c]
        for r in range(batch):
            seg = c * batch + r
            if empty[seg]:
                grad_ids[pos] = offset
                for u in range(units):
                    grad_rows[pos, u] = _F0
                pos += 1
                continue
            for k in range(row_splits[seg], row_splits[seg + 1]):
                if not _keep(ids, weights, has_weights, combiner, k):
                    continue
                w = weights[k] if has_weights else _F1
                factor = w * scales[seg]
                grad_ids[pos] = ids[k] + offset
                for u in range(units):
                    grad_rows[pos, u] = factor * d_logits[r, u]
                pos += 1
        column_splits[c + 1] = pos
    return grad_ids, grad_rows, column_splits


@njit(cache=True, nogil=True, inline="always")
def _plan_slot(slot_of, key, offset, uniq, m):
    """The unique position of column row ``key`` (inserting it as number ``m``), and m."""
    p = slot_of[key]
    new = p < 0
    p = m if new else p
    slot_of[key] = p
    # Written every time (branch-free); only a new key keeps it, as m moves past it.
    uniq[m] = key + offset
    return p, m + 1 if new else m


@njit(cache=True, nogil=True)
def linear_dedup_plan(row_splits, ids, row_offsets, batch, slot_of):
    """Where each id of an unweighted ``sum`` group lands in the summed row-sparse gradient.

    Depends on the ids only, so the runtime computes it with the batch's transforms (on
    the input thread); :func:`linear_scatter_dedup` then sums a step's ``d_logits``
    through it. Unique packed rows come in order of first occurrence, column by column,
    with TensorFlow's empty-row entry (row 0 of the column, a zero gradient) for an
    example with no kept id.

    Args:
        row_splits, ids: the group CSR (every id below its column's number of rows).
        row_offsets: int64 ``[k]``, each column's first packed row.
        batch: the number of examples.
        slot_of: int32 scratch, at least as long as the widest column, all -1; left
            all -1. A direct map from a column's row to its position: one load per id
            where a hash table costs a probe loop that mispredicts.

    Returns:
        ``(unique_ids int64 [m], inverse int32 [nnz], entry_rows int32 [nnz],
        empty int32 [e], column_splits int64 [k + 1])``: entry ``k`` adds example
        ``entry_rows[k]``'s gradient to unique row ``inverse[k]`` (-1: an ignored id);
        ``empty`` holds the unique row of each empty example's entry.
    """
    k_cols = row_offsets.shape[0]
    n_seg = k_cols * batch
    # One id per example and column (a dense input, -1 where missing) is the usual
    # case; looping over segments of varying length costs more than the lookups.
    regular = _one_id_per_example(row_splits, 0, n_seg)
    uniq = np.empty(row_splits[n_seg] - row_splits[0] + n_seg, np.int64)
    inverse = np.full(ids.shape[0], -1, np.int32)
    entry_rows = np.zeros(ids.shape[0], np.int32)
    empty = np.empty(n_seg, np.int32)
    n_empty = 0
    column_splits = np.empty(k_cols + 1, dtype=np.int64)
    column_splits[0] = 0
    m = 0
    for c in range(k_cols):
        offset = row_offsets[c]
        if regular:
            first = row_splits[c * batch]
            for r in range(batch):
                k = first + r
                i = ids[k]
                p, m = _plan_slot(slot_of, i if i >= 0 else 0, offset, uniq, m)
                if i >= 0:
                    inverse[k] = p
                    entry_rows[k] = r
                else:
                    empty[n_empty] = p
                    n_empty += 1
        else:
            for r in range(batch):
                seg = c * batch + r
                kept = False
                for k in range(row_splits[seg], row_splits[seg + 1]):
                    i = ids[k]
                    if i >= 0:
                        p, m = _plan_slot(slot_of, i, offset, uniq, m)
                        inverse[k] = p
                        entry_rows[k] = r
                        kept = True
                if not kept:
                    p, m = _plan_slot(slot_of, 0, offset, uniq, m)
                    empty[n_empty] = p
                    n_empty += 1
        column_splits[c + 1] = m
        for j in range(column_splits[c], m):
            slot_of[uniq[j] - offset] = -1
    return uniq[:m], inverse, entry_rows, empty[:n_empty], column_splits


@njit(cache=True, nogil=True)
def linear_scatter_dedup(inverse, entry_rows, empty, num_unique, d_logits):
    """The summed row-sparse gradient of a :func:`linear_dedup_plan`: row ``p`` is the sum
    of its entries' ``d_logits`` rows in occurrence order, starting from zero (what
    deduplicating :func:`linear_categorical_backward`'s output gives, bit for bit).

    The empty examples' entries add zeros; where among the other entries a ``+0.0`` is
    added cannot change a sum, so they come last.
    """
    units = d_logits.shape[1]
    out = np.zeros((num_unique, units), np.float32)
    for k in range(inverse.shape[0]):
        p = inverse[k]
        if p >= 0:
            r = entry_rows[k]
            for u in range(units):
                out[p, u] += d_logits[r, u]
    for e in range(empty.shape[0]):
        p = empty[e]
        for u in range(units):
            out[p, u] += _F0
    return out


@njit(cache=True, nogil=True)
def first_out_of_range_group(row_splits, ids, num_rows, batch):
    """``(column, position)`` of the first id ``>= num_rows[column]`` of a group CSR.

    ``(-1, -1)`` when every id is in range.
    """
    for c in range(num_rows.shape[0]):
        limit = num_rows[c]
        for k in range(row_splits[c * batch], row_splits[(c + 1) * batch]):
            if ids[k] >= limit:
                return c, k
    return -1, -1


# --- embedding columns over packed tables (the DNN input layer's table groups) ----------------
# k columns of one batch as a group CSR (``k * B`` segments, see GroupIds) over their tables
# packed back to back (column c's rows start at ``row_offsets[c]``). Each column's result
# is what combine_forward / combine_backward give for it alone, bit for bit.


@njit(cache=True, nogil=True)
def group_combine_forward(row_splits, ids, weights, has_weights, table, row_offsets, combiner,
                          max_norm, batch, out, out_offsets):
    """Write column c's combined rows into ``out[:, out_offsets[c]:out_offsets[c] + d]``.

    Args:
        row_splits, ids, weights, has_weights: the group CSR; every id must be below
            its column's number of rows (:func:`first_out_of_range_group`).
        table: float32 ``[rows, d]``, the packed tables.
        row_offsets: int64 ``[k]``, the first packed row of each column.
        combiner: 0 sum, 1 mean, 2 sqrtn.
        max_norm: float32; ``<= 0`` means no clipping.
        batch: the number of examples.
        out: ``[batch, D]`` (float32, or float64 for gradient checks: values are
            computed in float32 and stored).
        out_offsets: int64 ``[k]``.
    """
    k_cols = row_offsets.shape[0]
    dim = table.shape[1]
    acc = np.empty(dim, dtype=np.float32)
    if not has_weights and max_norm <= _F0:
        _group_forward_unweighted(row_splits, ids, table, row_offsets, combiner, batch, out,
                                  out_offsets, acc)
        return
    for r in range(batch):  # row-outer: each example's output row is written in one place
        for c in range(k_cols):
            seg = c * batch + r
            offset = row_offsets[c]
            o = out_offsets[c]
            for j in range(dim):
                acc[j] = _F0
            total = _F0
            count = 0
            for k in range(row_splits[seg], row_splits[seg + 1]):
                if not _keep(ids, weights, has_weights, combiner, k):
                    continue
                i = ids[k] + offset
                w = weights[k] if has_weights else _F1
                count += 1
                total += w * w if combiner == 2 else w
                if max_norm > _F0:
                    clip = _clip_scale(table, i, max_norm)
                    for j in range(dim):
                        acc[j] += (table[i, j] * clip) * w
                else:
                    for j in range(dim):
                        acc[j] += table[i, j] * w
            if count > 0 and combiner != 0:
                # TensorFlow divides (div_no_nan) rather than multiplying by a reciprocal.
                denom = total if combiner == 1 else np.float32(np.sqrt(total))
                for j in range(dim):
                    acc[j] = _F0 if denom == _F0 else acc[j] / denom
            for j in range(dim):
                out[r, o + j] = acc[j]


@njit(cache=True, nogil=True)
def _group_forward_unweighted(row_splits, ids, table, row_offsets, combiner, batch, out,
                              out_offsets, acc):
    """:func:`group_combine_forward` without weights or max_norm (the common case).

    Every weight is 1, so the products and the weight total of the general loop are
    the rows themselves and the number of kept ids: the same float32 values.
    """
    k_cols = row_offsets.shape[0]
    dim = table.shape[1]
    for r in range(batch):
        for c in range(k_cols):
            seg = c * batch + r
            offset = row_offsets[c]
            o = out_offsets[c]
            for j in range(dim):
                acc[j] = _F0
            count = 0
            for k in range(row_splits[seg], row_splits[seg + 1]):
                i = ids[k]
                if i < 0:
                    continue
                i += offset
                count += 1
                for j in range(dim):
                    acc[j] += table[i, j]
            if count > 0 and combiner != 0:
                denom = _count_denominator(count, combiner)
                for j in range(dim):
                    acc[j] = acc[j] / denom
            for j in range(dim):
                out[r, o + j] = acc[j]


@njit(cache=True, nogil=True, inline="always")
def _count_denominator(count, combiner):
    """The mean / sqrtn divisor of ``count`` unit weights, as :func:`_row_scales` sums it."""
    total = np.float32(count)  # exact below 2**24 ids per example
    return total if combiner == 1 else np.float32(np.sqrt(total))


@njit(cache=True, nogil=True)
def _group_backward_unweighted_dedup(row_splits, ids, table, row_offsets, combiner, batch,
                                     d_out, out_offsets):
    """:func:`group_combine_backward` with ``dedup`` and no weights or max_norm.

    Each kept entry's row is ``scale * d_out`` (``scale = 1 / denominator``, as
    :func:`_row_scales` gives it) added straight into its unique row: the same float32
    operations as the general loop, without the per-entry temporary and branches.
    """
    k_cols = row_offsets.shape[0]
    dim = table.shape[1]
    n_seg = k_cols * batch
    bound = 0
    for seg in range(n_seg):
        n = 0
        for k in range(row_splits[seg], row_splits[seg + 1]):
            if ids[k] >= 0:
                n += 1
        bound += max(n, 1)
    bits = dedup_table_bits(bound)
    keys = np.full(1 << bits, -1, np.int64)
    positions = np.empty(1 << bits, np.int32)
    grad_ids = np.empty(bound, dtype=np.int64)
    grad_rows = np.zeros((bound, dim), dtype=np.float32)
    column_splits = np.empty(k_cols + 1, dtype=np.int64)
    column_splits[0] = 0
    m = 0
    for c in range(k_cols):
        offset = row_offsets[c]
        o = out_offsets[c]
        for r in range(batch):
            seg = c * batch + r
            count = 0
            for k in range(row_splits[seg], row_splits[seg + 1]):
                if ids[k] >= 0:
                    count += 1
            if count == 0:
                # TensorFlow's empty-row entry: id 0 with a zero gradient, added like any
                # other (so a -0.0 sum becomes +0.0 exactly as in the general loop).
                p, m = dedup_slot(keys, positions, bits, offset, m)
                grad_ids[p] = offset
                for j in range(dim):
                    grad_rows[p, j] += _F0
                continue
            scale = _F1 if combiner == 0 else _F1 / _count_denominator(count, combiner)
            for k in range(row_splits[seg], row_splits[seg + 1]):
                i = ids[k]
                if i < 0:
                    continue
                i += offset
                p, m = dedup_slot(keys, positions, bits, i, m)
                grad_ids[p] = i
                for j in range(dim):
                    grad_rows[p, j] += scale * np.float32(d_out[r, o + j])
        column_splits[c + 1] = m
    return grad_ids[:m], grad_rows[:m], column_splits


@njit(cache=True, nogil=True, inline="always")
def _entry_gradient(table, i, factor, d_out, r, o, max_norm, g):
    """``g <-`` one kept entry's gradient row, as :func:`combine_backward` computes it."""
    dim = table.shape[1]
    if max_norm > _F0:
        l2sum = _F0
        dot = _F0
        for j in range(dim):
            l2sum += table[i, j] * table[i, j]
            dot += table[i, j] * np.float32(d_out[r, o + j])
        norm = np.float32(np.sqrt(l2sum))
        if norm > max_norm:
            # d/dt of t * c / |t| is (c / |t|) (I - t t^T / |t|^2).
            c = max_norm / norm
            proj = dot / l2sum
            for j in range(dim):
                g[j] = factor * c * (np.float32(d_out[r, o + j]) - table[i, j] * proj)
            return
    for j in range(dim):
        g[j] = factor * np.float32(d_out[r, o + j])


@njit(cache=True, nogil=True, inline="always")
def _emit(dedup, keys, positions, bits, grad_ids, grad_rows, g, i, m):
    """Append entry ``(i, g)``, or add it to row ``i``'s sum; returns the new count."""
    if dedup:
        p, m = dedup_slot(keys, positions, bits, i, m)
        grad_ids[p] = i
        for j in range(g.shape[0]):
            grad_rows[p, j] += g[j]
        return m
    grad_ids[m] = i
    for j in range(g.shape[0]):
        grad_rows[m, j] = g[j]
    return m + 1


@njit(cache=True, nogil=True)
def group_combine_backward(row_splits, ids, weights, has_weights, table, row_offsets, combiner,
                           max_norm, batch, d_out, out_offsets, dedup):
    """Row-sparse gradient of :func:`group_combine_forward` with respect to the packed table.

    Column by column, the entries :func:`combine_backward` gives for each column (one per
    kept id and a zero row for id 0 per example with no kept id), ids shifted to packed
    rows. With ``dedup``, duplicate rows are summed through a batch-sized hash table as
    the optimizers' de-duplication sums them: unique rows in order of first
    occurrence, each accumulated from zero in occurrence order.

    Args:
        row_splits, ids, weights, has_weights, table, row_offsets, combiner, max_norm,
            batch: as given to :func:`group_combine_forward`.
        d_out: ``[batch, D]``, the gradient of the forward's ``out`` (read as float32).
        out_offsets: as given to :func:`group_combine_forward`.
        dedup: sum duplicate rows.

    Returns:
        ``(grad_ids int64 [m], grad_rows float32 [m, d], column_splits int64 [k + 1])``.
    """
    if dedup and not has_weights and max_norm <= _F0:
        return _group_backward_unweighted_dedup(row_splits, ids, table, row_offsets, combiner,
                                                batch, d_out, out_offsets)
    k_cols = row_offsets.shape[0]
    dim = table.shape[1]
    n_seg = k_cols * batch
    scales, empty = _row_scales(row_splits, ids, weights, has_weights, combiner)
    bound = 0
    for seg in range(n_seg):
        if empty[seg]:
            bound += 1
            continue
        for k in range(row_splits[seg], row_splits[seg + 1]):
            if _keep(ids, weights, has_weights, combiner, k):
                bound += 1
    # The hash table is sized by the batch's entries, so it stays in cache.
    bits = dedup_table_bits(bound)
    size = (1 << bits) if dedup else 0
    keys = np.full(size, -1, np.int64)
    positions = np.empty(size, np.int32)
    grad_ids = np.empty(bound, dtype=np.int64)
    grad_rows = np.zeros((bound, dim), dtype=np.float32)
    g = np.empty(dim, dtype=np.float32)
    column_splits = np.empty(k_cols + 1, dtype=np.int64)
    column_splits[0] = 0
    m = 0
    for c in range(k_cols):
        offset = row_offsets[c]
        o = out_offsets[c]
        for r in range(batch):
            seg = c * batch + r
            if empty[seg]:
                # TensorFlow's empty-row entry: id 0 with a zero gradient.
                for j in range(dim):
                    g[j] = _F0
                m = _emit(dedup, keys, positions, bits, grad_ids, grad_rows, g, offset, m)
                continue
            for k in range(row_splits[seg], row_splits[seg + 1]):
                if not _keep(ids, weights, has_weights, combiner, k):
                    continue
                w = weights[k] if has_weights else _F1
                i = ids[k] + offset
                _entry_gradient(table, i, w * scales[seg], d_out, r, o, max_norm, g)
                m = _emit(dedup, keys, positions, bits, grad_ids, grad_rows, g, i, m)
        column_splits[c + 1] = m
    return grad_ids[:m], grad_rows[:m], column_splits
