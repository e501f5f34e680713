"""window (elements are datasets) and padded_batch: elements, specs, cardinality."""
import numpy as np
from _common import card, err, values


def windows(ds):
    out = []
    for w in ds:
        if isinstance(w, tuple):
            out.append([values(x) for x in w])
        elif isinstance(w, dict):
            out.append({k: values(v) for k, v in w.items()})
        else:
            out.append(values(w))
    return out


def main(tf):
    D = tf.data.Dataset
    out = {}
    for args in [(3, 2), (3, 2, 1, True), (3, 2, 2), (2, 4), (4, 1, 1, True), (3,), (3, None, 3)]:
        w = D.range(10).window(*args)
        out[f"window{args}"] = [windows(w), card(w)]
    out["window_card_small"] = card(D.range(2).window(3, 1, 1, True))
    out["window_spec"] = [str(D.range(7).window(3).element_spec),
                          str(D.range(7).batch(2).window(3).element_spec),
                          str(D.zip((D.range(3), D.range(3))).window(2).element_spec),
                          str(D.from_tensor_slices({"a": [1, 2, 3]}).window(2).element_spec)]
    out["window_tuple"] = windows(D.zip((D.range(5), D.range(5).map(lambda x: x * 10))).window(2))
    out["window_dict"] = windows(D.from_tensor_slices({"a": [1, 2, 3]}).window(2))
    out["window_flat"] = values(D.range(7).window(3, 1, 1, True).flat_map(lambda w: w.batch(3)))
    out["window_sub_card"] = card(next(iter(D.range(7).window(3))))
    out["window_zip"] = values(D.zip((D.range(6), D.range(6))).window(4, 2).flat_map(
        lambda a, b: D.zip((a.batch(4), b.batch(4)))))
    # from_generator with a signature: both sides know the sizes vary (a map's
    # element_spec is traced by TensorFlow but guessed from the first element by cannery)
    ragged = D.from_generator(lambda: (np.full(i, i, np.int64) for i in range(5)),
                              output_signature=tf.TensorSpec([None], tf.int64))
    pb = ragged.padded_batch(2)
    out["padded"] = [values(pb), str(pb.element_spec), card(pb)]
    pb2 = ragged.take(4).padded_batch(
        2, padded_shapes=[5], padding_values=np.int64(-1), drop_remainder=True)
    out["padded_shapes"] = [values(pb2), str(pb2.element_spec)]
    out["padded_scalars"] = [values(D.range(3).padded_batch(2)), str(D.range(3).padded_batch(2).element_spec)]
    pt = D.zip((ragged.take(3), D.from_tensor_slices(["a", "bb", "c"]))).padded_batch(2)
    out["padded_tuple"] = [values(pt), str(pt.element_spec)]
    out["padded_broadcast"] = values(D.zip((ragged.take(3), ragged.take(3))).padded_batch(
        2, padding_values=np.int64(7)))
    out["padded_per_component"] = values(D.zip((ragged.take(3), ragged.take(3))).padded_batch(
        2, padded_shapes=([3], [None]), padding_values=(None, np.int64(9))))
    two_d = D.from_generator(lambda: (np.full((i, 3 - i), i, np.int64) for i in range(1, 3)),
                             output_signature=tf.TensorSpec([None, None], tf.int64))
    out["padded_2d"] = [values(two_d.padded_batch(2)),
                        values(two_d.padded_batch(2, padded_shapes=[None, 4])),
                        str(two_d.padded_batch(2, padded_shapes=[None, 4]).element_spec)]
    out["padded_float"] = values(D.from_tensor_slices(np.ones((2, 2), np.float32)).padded_batch(
        2, padded_shapes=[3]))
    out["padded_dict"] = values(D.from_tensor_slices({"s": ["x", "y", "z"]}).map(
        lambda d: {"s": tf.stack([d["s"], d["s"]])}).padded_batch(2, padded_shapes={"s": [3]}))
    out["padded_str"] = values(D.from_tensor_slices(["p", "q", "r"]).map(
        lambda s: tf.stack([s])).padded_batch(3, padded_shapes=[2], padding_values="-"))
    mapped = D.range(5).map(lambda x: tf.fill([x], x))
    out["padded_after_map_values"] = values(mapped.padded_batch(2))
    mapped = D.range(5).map(lambda x: tf.fill([x], x))
    out["padded_after_map_values"] = values(mapped.padded_batch(2))
    return out
