"""element_spec of generator / map pipelines, and Tensor.shape methods of iterated elements."""
import numpy as np


def main(tf):
    D = tf.data.Dataset
    out = {}

    def gen():
        for i in range(3):
            yield np.full((2,), i, np.float32), i

    ds = D.from_generator(gen, output_types=(tf.float32, tf.int64), output_shapes=((2,), ()))
    out["gen_types_shapes"] = repr(ds.element_spec)
    out["gen_types_shapes_batch"] = repr(ds.batch(2).element_spec)
    ds = D.from_generator(gen, output_types=(tf.float32, tf.int64),
                          output_shapes=((None,), ()))
    out["gen_none"] = repr(ds.element_spec)
    feats = {"a": np.arange(12, dtype=np.float32).reshape(6, 2), "n": np.arange(6)}
    base = D.from_tensor_slices(feats)
    out["map_scalar"] = repr(base.map(lambda d: d["n"] * 2).element_spec)
    out["map_batched_dict"] = repr(base.batch(4).map(lambda d: {"s": d["a"], "n": d["n"]}).element_spec)
    out["map_batched_reduce"] = repr(base.batch(4).map(lambda d: tf.reduce_sum(d["a"], axis=1)).element_spec)
    out["map_drop"] = repr(base.batch(4, drop_remainder=True).map(lambda d: d["a"]).element_spec)
    out["map_cast"] = repr(base.map(lambda d: tf.cast(d["n"], tf.float32)).element_spec)
    out["map_tuple"] = repr(base.map(lambda d: (d, d["n"])).element_spec)
    out["shuffle_map_batch"] = repr(base.shuffle(6, seed=3).map(lambda d: d["a"]).batch(5).element_spec)
    # iterated tensors' shape
    first = next(iter(base.batch(4)))
    sh = first["a"].shape
    out["shape"] = {"str": str(sh), "repr": repr(sh), "list": sh.as_list(), "rank": sh.rank,
                    "ndims": sh.ndims, "n": sh.num_elements(), "eq": sh == (4, 2),
                    "idx": sh[0], "slice": repr(sh[1:]), "len": len(sh),
                    "tensor_repr": repr(first["n"]), "tensor_str": str(first["n"])}
    t = next(iter(D.from_tensor_slices(["ab", "c"])))
    out["str_shape"] = {"repr": repr(t.shape), "rank": t.shape.rank}
    # reading element_spec (cannery runs the map function on a peeked element) must not
    # draw shuffle seeds: the passes keep TensorFlow's orders
    shuffled = base.shuffle(6, seed=3).map(lambda d: d["n"])
    spec = shuffled.batch(6).element_spec
    out["shuffled_order"] = [repr(spec)] + [[int(v) for v in shuffled] for _ in range(3)]
    try:
        D.from_tensors(np.float32(1.0)).unbatch().element_spec
        out["unbatch_scalar"] = "no error"
    except Exception as e:
        out["unbatch_scalar"] = type(e).__name__
    return out
