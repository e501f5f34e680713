"""parse_example edge cases inside input_fns: defaults, FixedLenSequenceFeature(allow_missing),
SparseFeature, missing/mistyped features (errors at iteration), list_files shuffle seeds,
interleave(num_parallel_calls, deterministic), filter/cache/zip, and predict from
make_batched_features_dataset without a label."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from common4 import *

def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    paths = write_examples(tf, tmp, n_files=4, per_file=6, seed=2)
    out = {}
    pattern = os.path.join(tmp, "part-*.tfrecord")
    out["files_noshuffle"] = [os.path.basename(f.numpy().decode()) for f in tf.data.Dataset.list_files(pattern, shuffle=False)]
    out["files_seed"] = [os.path.basename(f.numpy().decode()) for f in tf.data.Dataset.list_files(pattern, seed=4)]
    out["files_spec"] = spec_str(tf.data.Dataset.list_files(pattern).element_spec)

    spec = {"x": tf.io.FixedLenFeature([], tf.float32),
            "missing": tf.io.FixedLenFeature([2], tf.float32, default_value=[0.5, -0.5]),
            "c": tf.io.FixedLenFeature([], tf.string),
            "label": tf.io.FixedLenFeature([], tf.int64)}
    ds = tf.data.TFRecordDataset(paths[:1]).batch(4).map(lambda r: tf.io.parse_example(r, spec))
    out["spec"] = spec_str(ds.element_spec)
    b = next(iter(ds))
    out["batch"] = {k: v.numpy() for k, v in b.items()}
    out["batch_types"] = str_types(b)

    try:  # a sequence feature: [batch, longest list] padded with 0
        sq = {"ids": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True)}
        d = tf.data.TFRecordDataset(paths[:1]).batch(4).map(lambda r: tf.io.parse_example(r, sq))
        out["seq"] = next(iter(d))["ids"].numpy()
        out["seq_spec"] = spec_str(d.element_spec)
    except Exception as e:
        out["seq"] = err(e)

    try:  # SparseFeature: index and value lists -> one SparseTensor [batch, size]
        sspec = {"sp": tf.io.SparseFeature(index_key="ids", value_key="ids_val", dtype=tf.float32, size=6)}
        # build records that have both ids and ids_val of equal length
        sp_path = os.path.join(tmp, "sp.tfrecord")
        with tf.io.TFRecordWriter(sp_path) as w:
            for ids, vals in [([0, 3], [1.0, 2.0]), ([], []), ([5], [0.5])]:
                w.write(tf.train.Example(features=tf.train.Features(feature={
                    "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=ids)),
                    "ids_val": tf.train.Feature(float_list=tf.train.FloatList(value=vals))})).SerializeToString())
        sp = next(iter(tf.data.TFRecordDataset(sp_path).batch(3).map(lambda r: tf.io.parse_example(r, sspec))))["sp"]
        out["sparse_feature"] = {"i": sp.indices.numpy(), "v": sp.values.numpy(), "s": sp.dense_shape.numpy()}
    except Exception as e:
        out["sparse_feature"] = err(e)

    errs = {}
    bad_specs = {
        "required_missing": {"nope": tf.io.FixedLenFeature([], tf.float32)},
        "wrong_dtype": {"c": tf.io.FixedLenFeature([], tf.int64)},
        "wrong_len": {"x": tf.io.FixedLenFeature([2], tf.float32)},
    }
    for k, bs in bad_specs.items():
        try:
            d = tf.data.TFRecordDataset(paths[:1]).batch(2).map(lambda r, bs=bs: tf.io.parse_example(r, bs))
            next(iter(d))
            errs[k] = "ok"
        except Exception as e:
            errs[k] = type(e).__name__
    out["errors"] = errs

    # interleave with parallel calls (deterministic), filter, cache, zip with weights
    full = {"x": tf.io.FixedLenFeature([], tf.float32), "c": tf.io.FixedLenFeature([], tf.string),
            "ids": tf.io.VarLenFeature(tf.int64), "label": tf.io.FixedLenFeature([], tf.int64)}
    def inp():
        files = tf.data.Dataset.from_tensor_slices(paths)
        recs = files.interleave(tf.data.TFRecordDataset, cycle_length=3, block_length=2,
                                num_parallel_calls=2, deterministic=True)
        recs = recs.filter(lambda r: tf.strings.length(r) > 0).cache()
        parsed = recs.map(lambda r: tf.io.parse_single_example(r, full))
        w = tf.data.Dataset.range(100).map(lambda i: tf.cast(i % 3 + 1, tf.float32))
        z = tf.data.Dataset.zip((parsed, w)).map(lambda f, wt: (dict(f, w=wt), tf.cast(f["label"] > 0, tf.int64)))
        return z.map(lambda f, y: ({k: v for k, v in f.items() if k != "label"}, y)).batch(5)
    out["inp_labels"] = np.concatenate([y.numpy() for _, y in inp()])
    out["inp_x"] = np.concatenate([f["x"].numpy() for f, _ in inp()])
    cols = [fc.numeric_column("x"), fc.categorical_column_with_hash_bucket("c", 5),
            fc.categorical_column_with_identity("ids", 6)]
    est = tf.estimator.LinearClassifier(cols, weight_column="w", model_dir=os.path.join(tmp, "m"))
    est.train(inp, steps=4)
    out["eval"] = est.evaluate(inp)
    out["vars"] = all_vars(est)

    pspec = {"x": tf.io.FixedLenFeature([], tf.float32), "c": tf.io.FixedLenFeature([], tf.string),
             "ids": tf.io.VarLenFeature(tf.int64)}
    def pinp():
        return tf.data.experimental.make_batched_features_dataset(
            paths[:2], 4, pspec, num_epochs=1, shuffle=False).map(lambda f: dict(f, w=tf.ones_like(f["x"])))
    out["pinp_spec"] = spec_str(pinp().element_spec)
    preds = list(est.predict(pinp, predict_keys=["probabilities", "class_ids"]))
    out["n_pred"] = len(preds)
    out["pred"] = preds[:3]
    out["pred_types"] = str_types(list(est.predict(pinp, predict_keys="classes"))[:2])
    return out
