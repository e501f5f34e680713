"""list_files (sorted; shuffled with TensorFlow's order), ignore_errors, rebatch,
options, the tf.data.experimental functional forms."""
import os

import numpy as np
from _common import card, values


def main(tf):
    D = tf.data.Dataset
    E = tf.data.experimental
    root = os.path.join(os.environ["TMPDIR_PROG"], "files")
    os.makedirs(os.path.join(root, "sub"))
    for name in ["b.csv", "a.csv", "c.txt", ".h.csv", "sub/d.csv", "x1.csv", "x10.csv", "x2.csv"]:
        with open(os.path.join(root, name), "w") as f:
            f.write(name + "\n")
    rel = lambda ds: [os.path.relpath(v, root) for v in values(ds)]
    out = {}
    out["sorted"] = rel(D.list_files(os.path.join(root, "*.csv"), shuffle=False))
    out["two_patterns"] = rel(D.list_files([os.path.join(root, "*.txt"), os.path.join(root, "a*")],
                                           shuffle=False))
    out["overlap"] = rel(D.list_files([os.path.join(root, "a*"), os.path.join(root, "*.csv")],
                                      shuffle=False))
    out["star"] = rel(D.list_files(os.path.join(root, "*"), shuffle=False))
    out["question"] = rel(D.list_files(os.path.join(root, "?.csv"), shuffle=False))
    out["class"] = rel(D.list_files(os.path.join(root, "x[12]*"), shuffle=False))
    out["dir_glob"] = rel(D.list_files(os.path.join(os.environ["TMPDIR_PROG"], "*", "*.txt"), shuffle=False))
    out["spec_card"] = [str(D.list_files(os.path.join(root, "*.csv")).element_spec),
                        card(D.list_files(os.path.join(root, "*.csv")))]
    seeded = D.list_files(os.path.join(root, "*"), seed=5)
    out["seeded"] = [rel(seeded), rel(seeded)]
    out["seeded_repeat"] = rel(D.list_files(os.path.join(root, "*.csv"), seed=1).repeat(3))
    tf.random.set_seed(3)
    out["global_seed"] = rel(D.list_files(os.path.join(root, "*")))

    def check(x):
        tf.debugging.check_numerics(x, "bad value")
        return x

    bad = D.from_tensor_slices(np.array([1.0, np.inf, 2.0, 3.0, np.inf, 4.0, 5.0], np.float32))
    out["ignore_map"] = values(bad.map(check).ignore_errors())
    out["ignore_card"] = card(bad.map(check).ignore_errors())
    out["ignore_batch_fused"] = values(bad.map(check).batch(2).ignore_errors())
    out["ignore_filter"] = values(bad.map(check).filter(lambda x: x > 1.5).ignore_errors())
    out["ignore_apply"] = values(bad.map(check).apply(E.ignore_errors()))
    out["ignore_prefetch"] = values(bad.map(check).prefetch(2).ignore_errors())
    lines = D.from_tensor_slices(["1,2", "3,x", "5,6", "7"])
    out["ignore_csv"] = values(lines.map(lambda l: tf.io.decode_csv(l, [[0], [0]])).ignore_errors())
    out["rebatch"] = [values(D.range(8).batch(4).rebatch([2, 1, 1])),
                      values(D.range(7).batch(3).rebatch(2)),
                      values(D.range(7).batch(3).rebatch(2, drop_remainder=True)),
                      values(D.range(7).batch(3).rebatch(5)),
                      card(D.range(8).batch(4).rebatch(2))]
    out["rebatch_spec"] = [str(D.range(8).batch(4).rebatch(2).element_spec),
                           str(D.range(8).batch(4, drop_remainder=True).rebatch(2).element_spec),
                           str(D.range(8).batch(4, drop_remainder=True).rebatch(3).element_spec),
                           str(D.range(8).batch(4).rebatch(3, drop_remainder=True).element_spec),
                           str(D.range(8).batch(4).rebatch([2, 2]).element_spec)]
    out["rebatch_dict"] = values(D.from_tensor_slices({"a": np.arange(6), "b": np.arange(6) * 2.0})
                                 .batch(4).rebatch(3))
    out["assert_card"] = [values(D.range(3).filter(lambda x: x >= 0).apply(E.assert_cardinality(3))),
                          card(D.range(3).filter(lambda x: x >= 0).apply(E.assert_cardinality(3)))]
    mab = D.range(5).apply(E.map_and_batch(lambda x: x * 2, 2))
    out["map_and_batch"] = [values(mab), str(mab.element_spec),
                            str(D.range(5).apply(E.map_and_batch(lambda x: x, 2, drop_remainder=True)).element_spec)]
    out["shuffle_and_repeat"] = values(D.range(5).apply(E.shuffle_and_repeat(5, 2, seed=3)))
    out["enumerate_dataset"] = values(D.range(3).apply(E.enumerate_dataset(2)))
    out["scan"] = values(D.range(4).apply(E.scan(np.int64(0), lambda s, x: (s + x, s))))
    out["take_while"] = values(D.range(5).apply(E.take_while(lambda x: x < 2)))
    out["unique"] = values(D.from_tensor_slices([1, 1, 2]).apply(E.unique()))
    out["unbatch"] = values(D.range(4).batch(2).apply(E.unbatch()))
    out["single"] = int(E.get_single_element(D.range(1)).numpy())
    out["cardinality"] = int(E.cardinality(D.range(4)).numpy())

    # cannery.data does not export Options yet (cannery/data/__init__.py): take it from
    # cannery.data.dataset meanwhile
    Options = getattr(tf.data, "Options", None) or __import__(
        "cannery.data.dataset", fromlist=["Options"]).Options
    o = Options()
    out["options_default"] = [D.range(3).options().deterministic, D.range(3).options() == Options(),
                              str(o.experimental_distribute.auto_shard_policy)]
    o.deterministic = False
    o.experimental_distribute.auto_shard_policy = E.AutoShardPolicy.OFF
    o.threading.private_threadpool_size = 4
    ds = D.range(3).with_options(o)
    o2 = Options()
    o2.deterministic = True
    o2.experimental_optimization.map_parallelization = True
    out["options"] = [ds.options().deterministic, str(ds.options().experimental_distribute.auto_shard_policy),
                      ds.map(lambda x: x).batch(2).options().deterministic,
                      ds.options().threading.private_threadpool_size,
                      ds.with_options(o2).options().deterministic,
                      ds.with_options(o2).options().experimental_optimization.map_parallelization,
                      ds.with_options(o2).options().threading.private_threadpool_size,
                      D.zip((ds, D.range(2))).options().deterministic,
                      D.range(2).concatenate(ds).options().deterministic,
                      ds.options().experimental_deterministic,
                      values(ds)]
    return out
