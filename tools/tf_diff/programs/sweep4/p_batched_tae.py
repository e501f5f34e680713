"""make_batched_features_dataset(label_key=...) into train_and_evaluate (Linear + DNN warm-started),
plus window + flat_map feature sequences."""
import os, sys, json, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from common4 import *

def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    write_examples(tf, tmp, n_files=2, per_file=24, seed=1)
    pattern = os.path.join(tmp, "part-*.tfrecord")
    spec = {"x": tf.io.FixedLenFeature([], tf.float32),
            "c": tf.io.FixedLenFeature([], tf.string),
            "ids": tf.io.VarLenFeature(tf.int64),
            "label": tf.io.FixedLenFeature([], tf.int64)}
    out = {}

    def train_fn():
        return tf.data.experimental.make_batched_features_dataset(
            pattern, 8, spec, label_key="label", num_epochs=None, shuffle=True, shuffle_seed=7,
            reader_num_threads=1, parser_num_threads=1, sloppy_ordering=False)

    def eval_fn():
        return tf.data.experimental.make_batched_features_dataset(
            pattern, 8, spec, label_key="label", num_epochs=1, shuffle=False)

    ds = eval_fn()
    out["spec"] = spec_str(ds.element_spec)
    f, l = next(iter(ds))
    out["first"] = {"x": f["x"].numpy(), "c": f["c"].numpy(), "ids_v": f["ids"].values.numpy(),
                    "ids_i": f["ids"].indices.numpy(), "label": l.numpy()}
    out["first_types"] = str_types(f)
    out["train_labels"] = np.concatenate([l.numpy() for _, l in train_fn().take(4)])
    out["eval_batches"] = sum(1 for _ in eval_fn())

    cols = [fc.numeric_column("x"),
            fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"], num_oov_buckets=1),
            fc.categorical_column_with_identity("ids", 6)]
    cfg = tf.estimator.RunConfig(model_dir=os.path.join(tmp, "lin"), save_checkpoints_steps=5,
                                 save_summary_steps=100, log_step_count_steps=100)
    lin = tf.estimator.LinearClassifier(cols, n_classes=3, config=cfg)
    ts = tf.estimator.TrainSpec(train_fn, max_steps=12)
    es = tf.estimator.EvalSpec(eval_fn, steps=None, name="v", throttle_secs=0, start_delay_secs=0)
    res = tf.estimator.train_and_evaluate(lin, ts, es)
    out["tae_metrics"] = res[0] if res else None
    out["tae_export"] = res[1] if res else None
    out["lin_vars"] = all_vars(lin)
    # cannery's checkpoints are stored differently (see README): compare names that are not files of one
    out["lin_dir"] = sorted(n for n in os.listdir(os.path.join(tmp, "lin"))
                            if not n.startswith(("model.ckpt", "events.", "graph.pbtxt")))
    out["lin_eval_v"] = sorted(n[:20] for n in os.listdir(os.path.join(tmp, "lin", "eval_v")))
    out["lin_state"] = tf.train.get_checkpoint_state(os.path.join(tmp, "lin")).all_model_checkpoint_paths[:]
    out["lin_state"] = [os.path.basename(p) for p in out["lin_state"]]

    dcols = [fc.numeric_column("x"),
             fc.embedding_column(fc.categorical_column_with_identity("ids", 6), 3, combiner="mean"),
             fc.indicator_column(fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"], num_oov_buckets=1))]
    init = os.path.join(INIT_ROOT, "tae_dnn")
    if is_tf(tf) and not os.path.exists(os.path.join(init, "checkpoint")):
        tf.estimator.DNNClassifier([5, 3], dcols, n_classes=3, model_dir=init,
            optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.0),
            config=tf.estimator.RunConfig(tf_random_seed=11)).train(eval_fn, steps=1)
    dnn = tf.estimator.DNNClassifier([5, 3], dcols, n_classes=3, warm_start_from=init,
            optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.01),
            config=tf.estimator.RunConfig(model_dir=os.path.join(tmp, "dnn"), save_checkpoints_steps=4))
    res = tf.estimator.train_and_evaluate(dnn, tf.estimator.TrainSpec(train_fn, max_steps=9),
                                          tf.estimator.EvalSpec(eval_fn, steps=3, throttle_secs=0))
    out["dnn_metrics"] = res[0] if res else None
    out["dnn_vars"] = all_vars(dnn)

    # window + flat_map: sequences of 3 consecutive x values, shift 2
    xs = tf.data.Dataset.from_tensor_slices(np.arange(10, dtype=np.float32))
    w = xs.window(3, shift=2, drop_remainder=True).flat_map(lambda d: d.batch(3))
    out["window"] = [v.numpy() for v in w]
    out["window_spec"] = spec_str(w.element_spec)
    w2 = xs.window(4, shift=3, stride=2).flat_map(lambda d: d.batch(4))
    out["window2"] = [v.numpy() for v in w2]
    wd = tf.data.Dataset.from_tensor_slices({"a": np.arange(5), "b": np.arange(5) * 10}).window(2)
    out["window_dict"] = [{k: [int(x) for x in v] for k, v in d.items()} for d in wd]
    wz = wd.flat_map(lambda d: tf.data.Dataset.zip((d["a"].batch(2), d["b"].batch(2))))
    out["window_zip"] = [[a.numpy(), b.numpy()] for a, b in wz]
    return out
