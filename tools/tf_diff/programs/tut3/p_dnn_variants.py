"""DNNClassifier / DNNRegressor variants started from TF's initial weights: one hidden
layer, n_classes=5 with a label_vocabulary, batch_norm, dropout, activation functions from
tf.nn and tf.keras.activations. Evaluation and prediction read TF's checkpoint through
`checkpoint_path=` (deterministic even with dropout); models without dropout then train
(warm-started) and are compared variable by variable."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, init_dir, md, meta, sgd0, shapes, err  # noqa: E402

VOCAB = ["v", "w", "x", "y", "z"]


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(7)
    n = 40
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "v": rng.normal(size=(n, 3)).astype(np.float32),
             "c": rng.choice(["a", "b", "c", "q"], n)}
    lab5 = rng.choice(VOCAB, n)
    lab5i = rng.integers(0, 5, n)
    lab2 = rng.integers(0, 2, n)
    reg2 = rng.normal(size=(n, 2)).astype(np.float32)
    cols = [fc.numeric_column("x"), fc.numeric_column("v", shape=[3]),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"]))]

    def inp(labels, bs=10):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(bs)

    def pinp():
        return tf.data.Dataset.from_tensor_slices(feats).batch(10)

    C, R = tf.estimator.DNNClassifier, tf.estimator.DNNRegressor
    cases = {
        "c5_voc_elu_bn_drop": (C, dict(hidden_units=[6], n_classes=5, label_vocabulary=VOCAB,
                                       activation_fn=tf.nn.elu, batch_norm=True, dropout=0.25), lab5),
        "c5_tanh_drop": (C, dict(hidden_units=[5, 4], n_classes=5, activation_fn=tf.nn.tanh,
                                 dropout=0.5), lab5i),
        "c5_voc_selu": (C, dict(hidden_units=[4], n_classes=5, label_vocabulary=VOCAB,
                                activation_fn=tf.keras.activations.selu), lab5),
        "c2_leaky_bn": (C, dict(hidden_units=[4, 3], activation_fn=tf.nn.leaky_relu,
                                batch_norm=True), lab2),
        "c2_swish": (C, dict(hidden_units=[3], activation_fn=tf.keras.activations.swish), lab2),
        "r2_relu6_bn": (R, dict(hidden_units=[5, 3], label_dimension=2, activation_fn=tf.nn.relu6,
                                batch_norm=True), reg2),
        "r2_sigmoid_drop": (R, dict(hidden_units=[4], label_dimension=2,
                                    activation_fn=tf.nn.sigmoid, dropout=0.1), reg2),
        "r2_softplus": (R, dict(hidden_units=[3], label_dimension=2,
                                activation_fn=tf.nn.softplus), reg2),
        "r1_str_elu": (R, dict(hidden_units=[3], activation_fn="elu"), reg2[:, :1]),
        "c2_gelu_silu": (C, dict(hidden_units=[4], activation_fn=tf.keras.activations.gelu), lab2),
        "c5_nn_silu_bn": (C, dict(hidden_units=[4, 2], n_classes=5, activation_fn=tf.nn.silu,
                                  batch_norm=True), lab5i),
    }
    out = {}
    for name, (cls, kw, labels) in cases.items():
        seed = tf.estimator.RunConfig(tf_random_seed=11)
        init = init_dir(tf, "dnnvar_" + name, lambda d: cls(feature_columns=cols, model_dir=d,
                        optimizer=sgd0(tf), config=seed, **kw), inp(labels))
        ckpt = tf.train.latest_checkpoint(init)
        est = cls(feature_columns=cols, model_dir=md(name), config=seed,
                  optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.05), warm_start_from=init, **kw)
        r = {"eval": est.evaluate(inp(labels), checkpoint_path=ckpt)}
        r["eval_meta"] = meta(r["eval"])
        preds = list(est.predict(pinp, checkpoint_path=ckpt))
        r["pred"] = preds[:4]
        r["pred_meta"] = meta(preds[0])
        r["n_pred"] = len(preds)
        est.train(inp(labels), steps=3)
        r["shapes"] = shapes(est)
        r["step"] = est.get_variable_value("global_step")
        if "drop" not in name:
            r["vars"] = all_vars(est)
            r["eval_trained"] = est.evaluate(inp(labels))
        out[name] = r
    # errors of the new arguments
    out["errors"] = {
        "vocab_len": err(lambda: C([4], cols, n_classes=4, label_vocabulary=VOCAB)),
        "vocab_dup": err(lambda: C([4], cols, n_classes=2, label_vocabulary=["a", "a"])),
        # TF accepts the list and fails at the first step; cannery at construction
        "vocab_ints": err(lambda: C([4], cols, n_classes=2, label_vocabulary=[0, 1],
                                    model_dir=md("int_vocab")).train(inp(lab2), steps=1)),
        "n_classes_1": err(lambda: C([4], cols, n_classes=1)),
        "label_not_in_vocab": err(lambda: C([4], cols, n_classes=5, label_vocabulary=VOCAB,
                                            model_dir=md("bad_vocab")).train(inp(lab5i.astype(str)), steps=1)),
        "int_label_5_oob": err(lambda: C([4], cols, n_classes=3,
                                         model_dir=md("bad_oob")).train(inp(lab5i), steps=1)),
    }
    return out
