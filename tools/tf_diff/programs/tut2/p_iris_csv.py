"""Iris-style multi-class from a CSV file (the TF "premade estimators" tutorial fed through
tf.data.experimental.make_csv_dataset): string labels with label_vocabulary, a string
feature through a vocabulary file, n_classes=3; LinearClassifier (zero start) and a
DNNClassifier started from TF's initial checkpoint; evaluate, predict with predict_keys and
yield_single_examples=False, then export with a raw serving receiver and call the loaded
SavedModel."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, init_dir, is_tf, meta, sgd0  # noqa: E402

SPECIES = ["setosa", "versicolor", "virginica"]


def write_csv(path, n, seed):
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write("sepal_length,sepal_width,petal_length,petal_width,colour,species\n")
        for i in range(n):
            k = int(rng.integers(3))
            sl, sw = 5.0 + k * 0.8 + rng.normal(0, 0.3), 3.4 - k * 0.3 + rng.normal(0, 0.2)
            pl, pw = 1.5 + k * 2.0 + rng.normal(0, 0.3), 0.2 + k * 0.9 + rng.normal(0, 0.1)
            colour = ["blue", "purple", "white", "pink"][int(rng.integers(4))]
            f.write(f"{sl:.1f},{sw:.1f},{pl:.1f},{pw:.1f},{colour},{SPECIES[k]}\n")


def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    train_csv, test_csv = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
    write_csv(train_csv, 60, 0)
    write_csv(test_csv, 21, 1)
    vocab = os.path.join(tmp, "colours.txt")
    with open(vocab, "w") as f:
        f.write("blue\npurple\nwhite\n")

    def input_fn(path, epochs, batch_size=10):
        return tf.data.experimental.make_csv_dataset(
            path, batch_size=batch_size, label_name="species", num_epochs=epochs, shuffle=False)

    out = {}
    ds = input_fn(train_csv, 1)
    feats, labels = next(iter(ds))
    out["csv_batch"] = {"keys": list(feats.keys()), "types": type(feats).__name__,
                        "dtypes": {k: v.dtype.name for k, v in feats.items()},
                        "labels": labels.numpy(), "colour": feats["colour"].numpy()}

    numeric = [fc.numeric_column(k) for k in
               ["sepal_length", "sepal_width", "petal_length", "petal_width"]]
    colour = fc.categorical_column_with_vocabulary_file("colour", vocab, num_oov_buckets=1)
    lin = tf.estimator.LinearClassifier(
        numeric + [colour], n_classes=3, label_vocabulary=SPECIES,
        model_dir=os.path.join(tmp, "lin"),
        optimizer=tf.keras.optimizers.legacy.Adagrad(learning_rate=0.5))
    lin.train(lambda: input_fn(train_csv, 3))
    out["lin_gs"] = lin.get_variable_value("global_step")
    out["lin_eval"] = lin.evaluate(lambda: input_fn(test_csv, 1))
    out["lin_eval_meta"] = meta(out["lin_eval"])
    out["lin_vars"] = all_vars(lin)
    preds = list(lin.predict(lambda: input_fn(test_csv, 1), predict_keys=["classes", "probabilities"]))
    out["lin_pred_meta"] = meta(preds[0])
    out["lin_pred"] = preds[:3]
    out["lin_classes"] = [p["classes"][0] for p in preds]
    batches = list(lin.predict(lambda: input_fn(test_csv, 1), yield_single_examples=False))
    out["lin_batches"] = [len(batches), meta(batches[0]), batches[-1]]

    emb = fc.embedding_column(colour, dimension=2)
    dnn_cols = numeric + [emb]

    def make(md, **kw):
        return tf.estimator.DNNClassifier(
            hidden_units=[10, 10], feature_columns=dnn_cols, n_classes=3,
            label_vocabulary=SPECIES, model_dir=md, **kw)

    init = init_dir(tf, "iris_dnn", lambda d: make(d, optimizer=sgd0(tf),
                                                    config=tf.estimator.RunConfig(tf_random_seed=1)),
                    lambda: input_fn(train_csv, 1))
    dnn = make(os.path.join(tmp, "dnn"), warm_start_from=init,
               optimizer=tf.keras.optimizers.legacy.Adam(learning_rate=0.01))
    dnn.train(lambda: input_fn(train_csv, None), steps=12)
    out["dnn_eval"] = dnn.evaluate(lambda: input_fn(test_csv, 1), steps=2)
    out["dnn_vars"] = all_vars(dnn)
    dp = list(dnn.predict(lambda: input_fn(test_csv, 1)))
    out["dnn_pred_meta"] = meta(dp[0])
    out["dnn_pred"] = dp[:2]

    # export with a raw receiver over the CSV's feature dtypes, then load and call
    raw = {"sepal_length": tf.constant([5.1, 6.7], dtype=tf.float32),
           "sepal_width": tf.constant([3.5, 3.0], dtype=tf.float32),
           "petal_length": tf.constant([1.4, 5.2], dtype=tf.float32),
           "petal_width": tf.constant([0.2, 2.3], dtype=tf.float32),
           "colour": tf.constant(["blue", "orange"])}
    export = dnn.export_saved_model(os.path.join(tmp, "export"),
                                    tf.estimator.export.build_raw_serving_input_receiver_fn(raw))
    loaded = tf.saved_model.load(export)
    out["signatures"] = sorted(loaded.signatures.keys())
    sig = loaded.signatures["predict"]  # a raw receiver of several tensors: no classify API
    out["sig_inputs"] = sorted(sig.structured_input_signature[1].keys())
    out["sig_outputs"] = sorted(sig.structured_outputs.keys())
    res = sig(**raw)
    out["served"] = {k: v.numpy() for k, v in res.items()}
    return out
