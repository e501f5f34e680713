"""Corners: unique over vectors, maps over windows, interleave over list_files and
TextLineDataset eagerly, enumerate/shard of dict columns, Dataset.random passes."""
import os

import numpy as np
from _common import card, values


def main(tf):
    D = tf.data.Dataset
    out = {}
    out["unique_vectors"] = values(D.from_tensor_slices(np.array([[1, 2], [1, 2], [2, 1]])).unique())
    w = D.range(6).window(2).map(lambda x: x)
    out["window_map_spec"] = str(w.element_spec)
    out["window_map"] = [values(x) for x in w]
    root = os.path.join(os.environ["TMPDIR_PROG"], "t")
    os.makedirs(root)
    for k in range(4):
        with open(os.path.join(root, f"f{k}.txt"), "w") as f:
            f.write("".join(f"{k}-{i}\n" for i in range(k + 2)))
    files = D.list_files(os.path.join(root, "*.txt"), seed=11)
    lines = files.interleave(tf.data.TextLineDataset, cycle_length=3, block_length=2)
    out["lines"] = values(lines)
    out["lines_spec"] = [str(lines.element_spec), card(lines)]
    out["lines_batch"] = values(files.interleave(lambda f: tf.data.TextLineDataset(f).skip(1),
                                                 cycle_length=2).batch(3))
    d = D.from_tensor_slices({"a": np.arange(7), "b": np.arange(7) * 1.5}).enumerate(2).shard(3, 2)
    out["enum_shard"] = [values(d), card(d), str(d.element_spec)]
    r = D.random(seed=3, rerandomize_each_iteration=True).take(3)
    out["random_passes"] = [values(r), values(r)]
    r2 = D.random(seed=3).take(3)
    out["random_fixed"] = [values(r2), values(r2)]
    out["random_repeat"] = values(D.random(seed=4, rerandomize_each_iteration=True).take(2).repeat(2))
    tf.random.set_seed(8)
    out["random_global"] = values(D.random().take(2))
    out["nested_interleave"] = values(D.range(3).interleave(
        lambda x: D.range(2).interleave(lambda y: D.from_tensors(x * 10 + y).repeat(2), cycle_length=2),
        cycle_length=2, block_length=3))
    parsed = D.from_tensor_slices(["1,2", "3,4"]).map(lambda l: tf.io.decode_csv(l, [[0], [0.0]]))
    out["map_list_is_tuple"] = [str(parsed.element_spec), type(next(iter(parsed))).__name__,
                                values(parsed.batch(2)), values(parsed.map(lambda a, b: a))]
    return out
