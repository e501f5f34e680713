"""concatenate, enumerate, flat_map, interleave, shard, take_while, unique, scan, reduce,
get_single_element, counter, len: elements, element_spec and cardinality."""
import numpy as np
from _common import card, err, values


def main(tf):
    D = tf.data.Dataset
    out = {}
    a = D.range(3)
    b = D.from_tensor_slices(np.array([10, 11], np.int64))
    c = a.concatenate(b)
    out["concat"] = [values(c), str(c.element_spec), card(c)]
    m1 = D.from_tensor_slices(np.arange(6).reshape(3, 2))
    m2 = D.from_tensor_slices(np.arange(3).reshape(1, 3))
    out["concat_shape"] = [str(m1.concatenate(m2).element_spec),
                           values(m1.concatenate(m2).batch(1))]
    out["concat_rank"] = str(D.range(2).concatenate(D.range(2).batch(2)).element_spec)
    out["concat_dict"] = values(D.from_tensor_slices({"x": [1, 2]}).concatenate(
        D.from_tensor_slices({"x": [3]})).batch(2))
    out["concat_card"] = [card(D.range(3).repeat().concatenate(D.range(2))),
                          card(D.range(3).concatenate(D.range(2).repeat())),
                          card(D.range(3).filter(lambda x: x > 0).concatenate(D.range(2).repeat()))]
    out["concat_batch"] = values(D.range(5).concatenate(D.range(100, 104)).batch(3))
    e = D.from_tensor_slices({"k": np.array([5.0, 6.0, 7.0], np.float32)}).enumerate(4)
    out["enumerate"] = [values(e), str(e.element_spec), card(e),
                        card(D.range(3).repeat().enumerate()), card(D.range(3).repeat().enumerate(7))]
    out["enumerate_batch"] = values(D.range(5).enumerate().batch(2))
    fm = D.range(4).flat_map(lambda x: D.range(x))
    out["flat_map"] = [values(fm), card(fm), str(fm.element_spec)]
    out["flat_map_tuple"] = values(D.zip((D.range(3), D.range(3))).flat_map(
        lambda x, y: D.from_tensors((x, y * 2))))
    rep = lambda x: D.from_tensors(x).repeat(x)
    for cyc, blk in [(1, 1), (2, 1), (2, 2), (3, 2), (4, 3), (6, 1)]:
        out[f"interleave_{cyc}_{blk}"] = values(D.range(1, 7).interleave(rep, cycle_length=cyc,
                                                                         block_length=blk))
    out["interleave_auto"] = values(D.range(1, 6).interleave(lambda x: D.from_tensors(x).repeat(3)))
    out["interleave_par"] = values(D.range(1, 7).interleave(rep, cycle_length=3, block_length=2,
                                                            num_parallel_calls=2))
    out["interleave_par_auto"] = values(D.range(1, 6).interleave(
        lambda x: D.from_tensors(x).repeat(3), num_parallel_calls=tf.data.AUTOTUNE))
    out["interleave_par_1"] = values(D.range(1, 6).interleave(
        lambda x: D.from_tensors(x).repeat(3), num_parallel_calls=1))
    out["interleave_empty_inner"] = values(D.range(0, 9).interleave(
        lambda x: D.from_tensors(x).repeat(x % 3), cycle_length=2))
    il = D.range(1, 4).interleave(lambda x: D.from_tensor_slices({"v": tf.fill([x], x)}),
                                  cycle_length=2)
    out["interleave_spec"] = [str(il.element_spec), card(il), values(il)]
    s = D.range(10).shard(3, 1)
    out["shard"] = [values(s), card(s), card(D.range(10).shard(3, 0)), card(D.range(10).shard(3, 2)),
                    card(D.range(3).repeat().shard(2, 0))]
    out["shard_batch"] = values(D.from_tensor_slices(np.arange(20)).shard(4, 3).batch(2))
    out["shard_map"] = values(D.range(11).map(lambda x: x * 2).shard(4, 2))
    tw = D.range(10).take_while(lambda x: x < 4)
    out["take_while"] = [values(tw), card(tw)]
    u = D.from_tensor_slices(np.array([3, 1, 3, 2, 1, 5], np.int64)).unique()
    out["unique"] = [values(u), card(u)]
    out["unique_str"] = values(D.from_tensor_slices(["a", "b", "a", "c"]).unique())
    sc = D.range(5).scan(np.int64(0), lambda st, x: (st + x, st * 10))
    out["scan"] = [values(sc), card(sc), str(sc.element_spec)]
    sc2 = D.range(4).scan((np.int64(1), 0.5), lambda st, x: ((st[0] * 2, st[1] + 1.0),
                                                           {"p": st[0] + x, "h": st[1]}))
    out["scan_nested"] = [values(sc2), str(sc2.element_spec)]
    out["reduce"] = [int(D.range(5).reduce(np.int64(0), lambda s, x: s + x).numpy())]
    r = D.range(4).map(lambda x: (x, x * 2)).reduce((np.int64(0), np.int64(1)),
                                                   lambda s, x: (s[0] + x[0], s[1] + x[1]))
    out["reduce_tuple"] = [int(v.numpy()) for v in r]
    out["reduce_float"] = float(D.from_tensor_slices(np.array([0.5, 1.25], np.float32)).reduce(
        0.0, lambda s, x: s + x).numpy())
    out["single"] = values([D.from_tensors({"a": np.int64(3)}).get_single_element()])
    cnt = D.counter(3, 2)
    out["counter"] = [values(cnt.take(4)), str(cnt.element_spec), card(cnt),
                      values(D.counter(dtype=tf.int32).take(3)), str(D.counter(dtype=tf.int32).element_spec),
                      values(D.counter(0.5, 0.1, dtype=tf.float32).take(12))]
    out["exp_counter"] = values(tf.data.experimental.Counter(1, 3).take(3))
    out["len"] = [len(D.range(5)), len(D.range(10).batch(3)), err(tf, lambda: len(D.range(2).repeat())),
                  err(tf, lambda: len(D.range(5).filter(lambda x: x > 1))), bool(D.range(0))]
    return out
