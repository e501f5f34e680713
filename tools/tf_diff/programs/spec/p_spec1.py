"""element_spec of common pipelines: repr, shape, dtype."""
import os
import numpy as np


def _desc(spec):
    if isinstance(spec, dict):
        return {k: _desc(v) for k, v in spec.items()}
    if isinstance(spec, tuple):
        return [_desc(v) for v in spec]
    return {"repr": repr(spec), "shape": str(spec.shape), "shape_list": str(spec.shape.as_list()),
            "dtype": repr(spec.dtype), "type": type(spec).__name__}


def main(tf):
    D = tf.data.Dataset
    feats = {"a": np.arange(10, dtype=np.float32).reshape(5, 2),
             "b": np.array(["x", "y", "z", "w", "v"]),
             "c": [1, 2, 3, 4, 5]}
    labels = np.arange(5)
    out = {}
    base = D.from_tensor_slices((feats, labels))
    out["slices"] = _desc(base.element_spec)
    out["batch"] = _desc(base.batch(2).element_spec)
    out["batch_drop"] = _desc(base.batch(2, drop_remainder=True).element_spec)
    out["shuffle_repeat_batch"] = _desc(base.shuffle(5, seed=1).repeat().batch(3).element_spec)
    out["take_skip"] = _desc(base.take(3).skip(1).prefetch(1).cache().element_spec)
    out["batch_unbatch"] = _desc(base.batch(2).unbatch().element_spec)
    out["batch_batch"] = _desc(base.batch(2).batch(3, drop_remainder=True).element_spec)
    out["tensors"] = _desc(D.from_tensors(feats).element_spec)
    out["tensors_batch"] = _desc(D.from_tensors(feats).batch(4).element_spec)
    out["range"] = _desc(D.range(4).element_spec)
    out["range32"] = _desc(D.range(4, dtype=tf.int32).element_spec)
    out["zip"] = _desc(D.zip((D.range(3), D.from_tensor_slices(labels))).element_spec)
    out["zip_dict"] = _desc(D.zip({"r": D.range(3), "l": D.from_tensor_slices(feats["a"])}).element_spec)
    out["map_pop"] = _desc(base.map(lambda f, l: (f["a"], l)).element_spec)
    out["map_batched"] = _desc(base.batch(2).map(lambda f, l: (f["a"], l)).element_spec)
    out["filter"] = _desc(base.filter(lambda f, l: l > 1).element_spec)
    out["list_float"] = _desc(D.from_tensor_slices([[1.0, 2.0], [3.0, 4.0]]).element_spec)
    out["bool"] = _desc(D.from_tensor_slices(np.array([True, False])).element_spec)
    out["f64"] = _desc(D.from_tensor_slices(np.array([1.0, 2.0])).element_spec)
    sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    ds = D.from_tensor_slices({"s": sp})
    out["sparse"] = {"repr": repr(ds.element_spec), "b": repr(ds.batch(2).element_spec),
                     "bd": repr(ds.batch(2, drop_remainder=True).element_spec)}
    path = os.path.join(os.environ["TMPDIR_PROG"], "t.txt")
    with open(path, "w") as fh:
        fh.write("h1\nl1\nl2\n")
    out["text"] = _desc(tf.data.TextLineDataset(path).element_spec)
    out["text_batch"] = _desc(tf.data.TextLineDataset(path).batch(2).element_spec)
    csv = os.path.join(os.environ["TMPDIR_PROG"], "t.csv")
    with open(csv, "w") as fh:
        fh.write("x,y,s,label\n1.5,2,a,0\n2.5,3,b,1\n")
    ds = tf.data.experimental.make_csv_dataset(csv, batch_size=2, label_name="label",
                                              num_epochs=1, shuffle=False)
    out["csv"] = _desc(ds.element_spec)
    ds = tf.data.experimental.make_csv_dataset(csv, batch_size=2, num_epochs=1, shuffle=False)
    out["csv_nolabel"] = _desc(ds.element_spec)
    out["spec_eq"] = str(base.element_spec[1] == base.batch(2).element_spec[1])
    return out
