"""TFRecord Examples -> list_files.interleave -> shuffle -> batch -> parse_example -> pop label,
cast / one_hot / where / strings ops in map -> LinearClassifier and warm-started DNNClassifier."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from common4 import *

def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    write_examples(tf, tmp)
    spec = {"x": tf.io.FixedLenFeature([1], tf.float32),
            "c": tf.io.FixedLenFeature([], tf.string, default_value=""),
            "ids": tf.io.VarLenFeature(tf.int64),
            "label": tf.io.FixedLenFeature([1], tf.int64)}

    def prep(feats):
        label = feats.pop("label")
        feats["x2"] = tf.where(feats["x"] > 0.0, feats["x"] * 2.0, tf.zeros_like(feats["x"]))
        feats["c_up"] = tf.strings.upper(feats["c"])
        feats["c_len"] = tf.cast(tf.strings.length(feats["c"]), tf.float32)
        feats["oh"] = tf.one_hot(tf.cast(tf.squeeze(label, -1), tf.int32), 3)
        return feats, tf.cast(label, tf.int32)

    def input_fn(shuffle=True, epochs=1):
        def fn():
            files = tf.data.Dataset.list_files(os.path.join(tmp, "part-*.tfrecord"), shuffle=False)
            ds = files.interleave(tf.data.TFRecordDataset, cycle_length=2)
            if shuffle:
                ds = ds.shuffle(16, seed=3)
            ds = ds.repeat(epochs).batch(8)
            ds = ds.map(lambda x: tf.io.parse_example(x, spec))
            return ds.map(prep)
        return fn

    out = {}
    ds = input_fn(shuffle=False)()
    out["spec"] = spec_str(ds.element_spec)
    first = next(iter(ds))
    out["first"] = {k: (arr(v) if not isinstance(v, tf.sparse.SparseTensor) else
                        {"i": v.indices.numpy(), "v": v.values.numpy(), "s": v.dense_shape.numpy()})
                    for k, v in first[0].items()}
    out["first_label"] = first[1].numpy()
    out["first_types"] = str_types(first[0])
    out["n_batches"] = sum(1 for _ in ds)
    out["shuffled_labels"] = np.concatenate([l.numpy()[:, 0] for _, l in input_fn()()])

    cols = [fc.numeric_column("x"), fc.numeric_column("x2"), fc.numeric_column("c_len"),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("c_up", ["A", "B", "C"])),
            fc.categorical_column_with_identity("ids", 6)]
    lin = tf.estimator.LinearClassifier(cols, n_classes=3, model_dir=os.path.join(tmp, "lin"))
    lin.train(input_fn(epochs=2), steps=12)
    out["lin_eval"] = lin.evaluate(input_fn(shuffle=False))
    out["lin_vars"] = all_vars(lin)
    out["lin_pred_types"] = str_types(list(lin.predict(lambda: input_fn(shuffle=False)().map(lambda f, l: f)))[:2])
    out["lin_pred"] = list(lin.predict(lambda: input_fn(shuffle=False)().map(lambda f, l: f)))[:4]

    dcols = [fc.numeric_column("x"), fc.numeric_column("c_len"),
             fc.embedding_column(fc.categorical_column_with_identity("ids", 6), 2, combiner="sqrtn"),
             fc.indicator_column(fc.categorical_column_with_vocabulary_list("c_up", ["A", "B", "C"]))]
    init = os.path.join(INIT_ROOT, "tfr_dnn")
    if is_tf(tf) and not os.path.exists(os.path.join(init, "checkpoint")):
        tf.estimator.DNNClassifier([4], dcols, n_classes=3, model_dir=init,
            optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.0),
            config=tf.estimator.RunConfig(tf_random_seed=1)).train(input_fn(shuffle=False), steps=1)
    dnn = tf.estimator.DNNClassifier([4], dcols, n_classes=3, model_dir=os.path.join(tmp, "dnn"),
                                     optimizer="Adagrad",
                                     warm_start_from=tf.estimator.WarmStartSettings(init, vars_to_warm_start=".*"))
    dnn.train(input_fn(epochs=2), steps=10)
    out["dnn_eval"] = dnn.evaluate(input_fn(shuffle=False))
    out["dnn_vars"] = all_vars(dnn)
    out["dnn_pred"] = list(dnn.predict(lambda: input_fn(shuffle=False)().map(lambda f, l: f)))[:4]
    return out
