"""Packed variables and gradients: one dedup + kernel call for many variables equals one
update per variable (every built-in optimizer), and the hashed dedup kernel."""

import attrs
import numpy as np
import pytest

from cannery.core.optimizer import (
    PackedDense,
    PackedRowSparse,
    VariablePack,
    dedup_rows_reference,
    supports_packed_gradients,
    unpack_gradients,
)
from cannery.core.tensors import RowSparse
from cannery.optimizers import SGD, Adagrad, Adam, Ftrl, ProximalAdagrad, RMSprop

SHAPES = {"a": (5, 2), "b": (3, 2), "c": (4, 2)}


def fresh(rng):
    return {n: rng.normal(size=s).astype(np.float32) for n, s in SHAPES.items()}


# ------------------------------------------------------------------- VariablePack
def test_pack_maps_names_to_views_and_find_recognises_them():
    rng = np.random.default_rng(0)
    variables = fresh(rng)
    before = {k: v.copy() for k, v in variables.items()}
    pack = VariablePack.pack(variables, ["a", "b", "c"])
    assert pack.row_offsets.tolist() == [0, 5, 8, 12]
    assert pack.buffer.shape == (12, 2)
    for name in SHAPES:
        np.testing.assert_array_equal(variables[name], before[name])
        assert variables[name].base is pack.buffer and variables[name].flags.c_contiguous
    pack.buffer[5] = 42  # the first row of b
    assert variables["b"][0].tolist() == [42, 42]
    found = VariablePack.find(variables, ["a", "b", "c"], pack.row_offsets)
    assert found is not None and found.buffer is pack.buffer
    variables["b"] = variables["b"].copy()  # a restore replaces an array
    assert VariablePack.find(variables, ["a", "b", "c"], pack.row_offsets) is None
    assert not pack.is_current(variables)


def test_pack_refuses_mixed_shapes():
    with pytest.raises(ValueError, match="variable 'b' has dtype float32 and shape \\(3, 1\\)"):
        VariablePack.pack({"a": np.zeros((2, 2), np.float32), "b": np.zeros((3, 1), np.float32)},
                          ["a", "b"])
    with pytest.raises(ValueError, match="at least one"):
        VariablePack.pack({}, [])


# ------------------------------------------------ packed apply == per-variable apply
OPTIMIZERS = [
    Ftrl(0.1), Ftrl(0.1, l1_regularization_strength=0.05, l2_shrinkage_regularization_strength=0.1,
                    beta=0.2, learning_rate_power=-0.7),
    Adagrad(0.1), Adam(0.05), Adam(0.05, amsgrad=True), RMSprop(0.01),
    RMSprop(0.01, momentum=0.5, centered=True), SGD(0.1), SGD(0.1, momentum=0.9, nesterov=True),
    ProximalAdagrad(0.1, l1_regularization_strength=0.01),
    Adagrad(0.1, clipnorm=0.3),        # per-variable norms: apply unpacks (and sums repeats)
    Adagrad(0.1, global_clipnorm=0.3),  # joint norm: also unpacked (same result either way)
]


def summed(per_var):
    """Each variable's gradient with its repeated ids summed (first-occurrence order)."""
    out = {}
    for name, g in per_var.items():
        ids, rows = dedup_rows_reference(g.ids, g.rows)
        out[name] = RowSparse(ids=ids, rows=rows, dense_shape=g.dense_shape)
    return out


def sparse_grads(rng, n_steps=3):
    steps = []
    for _ in range(n_steps):
        per_var = {}
        for name, shape in SHAPES.items():
            ids = rng.integers(0, shape[0], size=6)
            ids[1] = ids[0]  # a repeated id (summed before the update)
            per_var[name] = RowSparse(ids=ids, rows=rng.normal(size=(6, 2)).astype(np.float32),
                                      dense_shape=shape)
        steps.append(per_var)
    return steps


def as_packed(pack, per_var):
    ids = np.concatenate([per_var[n].ids + pack.row_offsets[i] for i, n in enumerate(pack.names)])
    rows = np.concatenate([per_var[n].rows for n in pack.names])
    splits = np.cumsum([0] + [len(per_var[n].ids) for n in pack.names])
    return PackedRowSparse(pack=pack, ids=ids, rows=rows, column_splits=splits)


def v1_optimizers():
    from cannery.compat.v1 import train

    return [train.AdamOptimizer(0.05), train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
            train.MomentumOptimizer(0.1, 0.9), train.FtrlOptimizer(0.1),
            train.AdagradOptimizer(0.1)]


@pytest.mark.parametrize("interleave", [False, True], ids=["packed", "interleaved"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS + v1_optimizers(), ids=repr)
def test_packed_sparse_apply_equals_per_variable(optimizer, interleave):
    """Also with a pack whose owner lets the optimizer move it, with its slots, into one
    buffer (each row's value and slots side by side): the same updates, bit for bit."""
    rng = np.random.default_rng(1)
    start = fresh(rng)
    steps = sparse_grads(rng)
    plain = {k: v.copy() for k, v in start.items()}
    plain_state = optimizer.init(plain)
    packed = {k: v.copy() for k, v in start.items()}
    packed_state = optimizer.init(packed)
    pack = VariablePack.pack(packed, ["a", "b", "c"])
    pack.interleave = interleave
    assert supports_packed_gradients(optimizer)
    clips = optimizer.clipnorm is not None or optimizer.global_clipnorm is not None
    for step, per_var in enumerate(steps):
        # A packed gradient is a model's: one embedding lookup per variable, whose
        # TensorFlow gradient has its repeated ids summed, so with clipping it equals
        # the per-variable apply of the summed rows (without, summing first is the
        # optimizer's own rule anyway).
        optimizer.apply(plain, summed(per_var) if clips else per_var, plain_state, step)
        optimizer.apply(packed, {"a": as_packed(pack, per_var)}, packed_state, step)
    for name in SHAPES:
        np.testing.assert_array_equal(packed[name], plain[name], err_msg=name)
        for slot, value in plain_state.slots[name].items():
            np.testing.assert_array_equal(packed_state.slots[name][slot], value,
                                          err_msg=f"{name}/{slot}")
    assert packed_state.iterations == plain_state.iterations == len(steps)
    # the state still saves per-variable slots under TensorFlow's names
    saved = packed_state.to_dict()["slots"]
    assert set(saved) == set(SHAPES)
    slots = optimizer.slot_names()
    if not interleave or clips or not slots:  # unpacked (clipping), or nothing to interleave
        assert all(packed[n].flags.c_contiguous for n in SHAPES)
        return
    storage = packed["a"].base
    assert storage.shape == (12, 2 * (1 + len(slots)))
    assert all(packed[n].base is storage for n in SHAPES)
    assert all(packed_state.slots[n][s].base is storage for n in SHAPES for s in slots)
    # not mistaken for a plain pack of the wider buffer: packing again copies
    assert VariablePack.find(packed, ["a", "b", "c"], pack.row_offsets) is None
    with pytest.raises(ValueError, match="interleaved"):
        optimizer.apply(packed, {"a": PackedDense(pack=pack, grad=np.zeros((12, 2), np.float32))},
                        packed_state, len(steps))


@pytest.mark.parametrize("optimizer", [Ftrl(0.1), Adagrad(0.1), Adam(0.05), SGD(0.1)], ids=repr)
def test_packed_dense_apply_equals_per_variable(optimizer):
    rng = np.random.default_rng(2)
    start = fresh(rng)
    plain = {k: v.copy() for k, v in start.items()}
    packed = {k: v.copy() for k, v in start.items()}
    plain_state, packed_state = optimizer.init(plain), optimizer.init(packed)
    pack = VariablePack.pack(packed, ["a", "b", "c"])
    for step in range(3):
        grad = rng.normal(size=pack.buffer.shape).astype(np.float32)
        g = PackedDense(pack=pack, grad=grad)
        optimizer.apply(plain, g.unpack(), plain_state, step)
        optimizer.apply(packed, {"a": g}, packed_state, step)
    for name in SHAPES:
        np.testing.assert_array_equal(packed[name], plain[name])


def test_deduplicated_flag_skips_the_dedup():
    # Ftrl by hand (REFERENCE §3.4, lr 0.1, n0 0.1, z0 0, theta0 0) on row 1 of b with the
    # duplicates already summed to g = 2: n = 0.1 + 4 = 4.1; sigma = (sqrt(4.1) -
    # sqrt(0.1)) / 0.1; z = 2 - sigma * 0 = 2; theta = -z / (sqrt(4.1) / 0.1) = -0.0987730
    optimizer = Ftrl(0.1)
    variables = {n: np.zeros(s, np.float32) for n, s in SHAPES.items()}
    state = optimizer.init(variables)
    pack = VariablePack.pack(variables, ["a", "b", "c"])
    g = PackedRowSparse(pack=pack, ids=np.array([6]), rows=np.float32([[2, 0]]),
                        column_splits=np.array([0, 0, 1, 1]), deduplicated=True)
    optimizer.apply(variables, {"a": g}, state, 0)
    np.testing.assert_allclose(variables["b"][1], [-2 / (np.sqrt(4.1) / 0.1), 0], rtol=1e-6)
    np.testing.assert_allclose(state.slots["b"]["accumulator"][1], [4.1, 0.1], rtol=1e-6)
    assert not variables["a"].any() and not variables["c"].any()


def test_stale_pack_is_refused():
    optimizer = Adagrad(0.1)
    variables = fresh(np.random.default_rng(0))
    state = optimizer.init(variables)
    pack = VariablePack.pack(variables, ["a", "b", "c"])
    variables["a"] = variables["a"].copy()
    g = PackedDense(pack=pack, grad=np.zeros_like(pack.buffer))
    with pytest.raises(ValueError, match="no longer views"):
        optimizer.apply(variables, {"a": g}, state, 0)


def test_slots_are_repacked_when_a_restore_replaces_them():
    optimizer = Adagrad(0.1)
    variables = fresh(np.random.default_rng(0))
    state = optimizer.init(variables)
    pack = VariablePack.pack(variables, ["a", "b", "c"])
    g = PackedDense(pack=pack, grad=np.ones_like(pack.buffer))
    optimizer.apply(variables, {"a": g}, state, 0)
    state.slots["b"]["accumulator"] = np.full((3, 2), 9.0, np.float32)
    optimizer.apply(variables, {"a": g}, state, 1)
    # the replaced slot was packed again and updated from 9: 9 + 1 = 10
    np.testing.assert_allclose(state.slots["b"]["accumulator"], 10.0)
    np.testing.assert_allclose(state.slots["a"]["accumulator"], 0.1 + 2.0)


def test_optimizers_overriding_apply_get_unpacked_gradients():
    @attrs.frozen
    class Custom(SGD):
        def apply(self, variables, grads, state, step):
            return super().apply(variables, grads, state, step)

    assert not supports_packed_gradients(Custom(0.1))
    assert not supports_packed_gradients(object())


def test_reference_apply_takes_packed_gradients():
    optimizer = Ftrl(0.1)
    rng = np.random.default_rng(4)
    variables = fresh(rng)
    reference = {k: v.copy() for k, v in variables.items()}
    state, ref_state = optimizer.init(variables), optimizer.init(reference)
    pack = VariablePack.pack(variables, ["a", "b", "c"])
    (per_var,) = sparse_grads(rng, 1)
    g = as_packed(pack, per_var)
    optimizer.apply(variables, {"a": g}, state, 0)
    optimizer.reference_apply(reference, unpack_gradients({"a": g}), ref_state, 0)
    for name in SHAPES:
        np.testing.assert_allclose(variables[name], reference[name], rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------- hashed dedup
@pytest.mark.parametrize("ids", [
    [], [3], [7, 7, 7, 7], [5, 1, 5, 2, 1, 9, 0], list(range(40)) * 2,
    [2**40, 3, 2**40, 2**33],  # large row ids (big packed tables)
])
def test_dedup_rows_hashed_matches_numpy(ids):
    from cannery.core.kernels.optimizers import dedup_rows_hashed

    ids = np.array(ids, np.int64)
    rows = np.random.default_rng(len(ids)).normal(size=(len(ids), 3)).astype(np.float32)
    uniq, summed = dedup_rows_hashed(ids, rows)
    want_uniq, want_summed = dedup_rows_reference(ids, rows)
    assert uniq.tolist() == want_uniq.tolist()  # first-occurrence order
    np.testing.assert_array_equal(summed, want_summed)  # summed in occurrence order


def summed_backward(row_splits, ids, row_offsets, d_logits, batch):
    """The unweighted sum combiner's summed gradient as the linear model makes it: the
    dedup plan (on the input thread), then the step's scatter."""
    from cannery.core.kernels.sparse import linear_dedup_plan, linear_scatter_dedup

    scratch = np.full(int(ids.max(initial=0)) + 1, -1, np.int32)
    uniq, inverse, entry_rows, empty, column_splits = linear_dedup_plan(
        row_splits, ids, row_offsets, batch, scratch)
    rows = linear_scatter_dedup(inverse, entry_rows, empty, len(uniq), d_logits)
    return uniq, rows, column_splits


def _group_ids(layout, rng, batch, k, rows_per_column):
    """A group CSR of k columns: ragged (0-3 ids per example, -1 ignored), one id per
    example (-1 where missing, as a dense input gives), or the latter's cells with the
    missing ones removed."""
    if layout == "ragged":
        lengths = rng.integers(0, 4, size=k * batch)
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return splits, rng.integers(-1, rows_per_column, size=splits[-1]).astype(np.int64)
    ids = rng.integers(-1, rows_per_column, size=k * batch).astype(np.int64)
    if layout == "one_id_per_example":
        return np.arange(k * batch + 1, dtype=np.int64), ids
    keep = ids >= 0
    return np.concatenate([[0], np.cumsum(keep)]).astype(np.int64), ids[keep]


@pytest.mark.parametrize("layout,units", [("ragged", 2), ("one_id_per_example", 1),
                                          ("missing_removed", 1)])
def test_sum_backward_dedup_equals_dedup_of_the_raw_gradient(layout, units):
    """The plan + scatter (the kernels' fast path for one id per example, and the general
    CSR path) give what deduplicating the raw per-entry gradient gives."""
    from cannery.core.kernels.optimizers import dedup_rows_hashed
    from cannery.core.kernels.sparse import linear_categorical_backward

    rng = np.random.default_rng(9)
    batch, k, rows_per_column = 30, 3, 6
    splits, ids = _group_ids(layout, rng, batch, k, rows_per_column)
    offsets = np.arange(k, dtype=np.int64) * rows_per_column
    d = rng.normal(size=(batch, units)).astype(np.float32)
    raw_ids, raw_rows, raw_splits = linear_categorical_backward(
        splits, ids, np.empty(0, np.float32), False, offsets, 0, d, batch)
    uniq, summed, col_splits = summed_backward(splits, ids, offsets, d, batch)
    want_uniq, want_rows = dedup_rows_hashed(raw_ids, raw_rows)
    assert uniq.tolist() == want_uniq.tolist()  # first-occurrence order
    np.testing.assert_array_equal(summed, want_rows)  # summed in occurrence order
    # each column's entries stay together, in column order
    assert col_splits[-1] == len(uniq)
    for c in range(k):
        part = uniq[col_splits[c]:col_splits[c + 1]]
        assert ((part >= offsets[c]) & (part < offsets[c] + rows_per_column)).all()
    assert raw_splits[-1] == len(raw_ids)


def test_dedup_plan_by_hand():
    """Batch 3, two columns (packed rows 0-9 and 10-19), sum combiner.

    Column 0 ids [4, missing, 4]: row 4 first, then the empty example's entry (TF's
    id 0, a zero gradient), then row 4 again. Column 1 ids [2, 3, 2] are rows 12, 13, 12.
    With d_logits [1, 2, 4]: row 4 gets 1 + 4 = 5, row 0 gets 0, row 12 gets 1 + 4 = 5,
    row 13 gets 2.
    """
    from cannery.core.kernels.sparse import linear_dedup_plan, linear_scatter_dedup

    offsets = np.array([0, 10], np.int64)
    d = np.array([[1], [2], [4]], np.float32)
    dense = (np.arange(7, dtype=np.int64), np.array([4, -1, 4, 2, 3, 2], np.int64))
    ragged = (np.array([0, 1, 1, 2, 3, 4, 5], np.int64), np.array([4, 4, 2, 3, 2], np.int64))
    for splits, ids in (dense, ragged):
        scratch = np.full(10, -1, np.int32)
        uniq, inverse, entry_rows, empty, col_splits = linear_dedup_plan(splits, ids, offsets, 3,
                                                                         scratch)
        assert (scratch == -1).all()  # left as found, for the next batch
        assert uniq.tolist() == [4, 0, 12, 13]
        assert empty.tolist() == [1]
        assert col_splits.tolist() == [0, 2, 4]
        rows = linear_scatter_dedup(inverse, entry_rows, empty, len(uniq), d)
        assert rows[:, 0].tolist() == [5, 0, 5, 2]


def test_linear_forward_one_id_per_example_equals_general_path():
    """Logits of the same cells given as one id per example (-1 missing) and as a ragged
    CSR without the missing cells; by hand for the first example."""
    from cannery.core.kernels.sparse import linear_forward

    table = np.array([[0.5], [-1.0], [2.0], [0.25], [4.0], [8.0]], np.float32)
    offsets = np.array([0, 3], np.int64)
    plan = np.array([[0, 0, 0], [0, 1, 0]], np.int64)
    dense_ids = np.array([2, -1, 0, 1, 2, -1], np.int64)  # column 0 then column 1, batch 3
    ragged_splits = np.array([0, 1, 1, 2, 3, 4, 4], np.int64)
    ragged_ids = np.array([2, 0, 1, 2], np.int64)
    args = (np.empty(0, np.float32), False, offsets, table, 0, np.zeros((3, 0), np.float32),
            np.zeros((0, 1), np.float32), np.zeros((0, 3, 1), np.float32),
            np.array([0.125], np.float32), 3)
    one = linear_forward(plan, np.arange(7, dtype=np.int64), dense_ids, *args)
    ragged = linear_forward(plan, ragged_splits, ragged_ids, *args)
    np.testing.assert_array_equal(one, ragged)
    # example 0: table[2] + table[3 + 1] + bias = 2 + 4 + 0.125; example 1: column 1 only
    # (table[3 + 2] = 8); example 2: table[0] + 0.125 (column 1 missing)
    assert one[:, 0].tolist() == [6.125, 8.125, 0.625]


def test_optimizers_that_need_contiguous_arrays_never_get_an_interleaved_pack():
    """A third-party optimizer keeps contiguous variables and slots unless it declares
    that its sparse kernels take strided arrays (every built-in does)."""
    import attrs as _attrs

    @_attrs.define(eq=False)
    class ContiguousAdagrad(Adagrad):
        strided_sparse = False

    assert all(cls.strided_sparse for cls in (Adagrad, Adam, Ftrl, ProximalAdagrad, RMSprop, SGD))
    rng = np.random.default_rng(4)
    variables = fresh(rng)
    optimizer = ContiguousAdagrad(0.1)
    state = optimizer.init(variables)
    pack = VariablePack.pack(variables, ["a", "b", "c"])
    pack.interleave = True
    optimizer.apply(variables, {"a": as_packed(pack, sparse_grads(rng, 1)[0])}, state, 0)
    assert all(variables[n].flags.c_contiguous for n in SHAPES)
    assert all(state.slots[n]["accumulator"].flags.c_contiguous for n in SHAPES)
