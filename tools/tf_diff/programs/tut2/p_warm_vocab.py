"""Warm starting as a "retrain with a grown vocabulary" tutorial does it: a DNNClassifier
with an embedding over a vocabulary file (started from TF's initial checkpoint) trains a
few steps; a second DNNClassifier whose vocabulary file grew (new words, reordered)
warm-starts from its model_dir with WarmStartSettings(vars_to_warm_start=[...]) and a
VocabInfo for the embedding (new rows from a backup initializer); a LinearClassifier does
the same for its vocabulary weights (and the axis=1 output layer of a label vocabulary);
then warm_start_from=<model_dir string>. Variables not warm-started are reported as
"fresh" (their random values cannot be compared)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, init_dir, sgd0  # noqa: E402

OLD = ["apple", "banana", "cherry", "date"]
NEW = ["banana", "fig", "apple", "cherry", "grape", "date"]


def data(n=40, seed=2, words=OLD + ["kiwi"]):
    rng = np.random.default_rng(seed)
    feats = {"word": rng.choice(words, n).astype(object),
             "x": rng.normal(size=n).astype(np.float32)}
    labels = rng.integers(0, 2, n)
    return feats, labels


def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    old_vocab, new_vocab = os.path.join(tmp, "old.txt"), os.path.join(tmp, "new.txt")
    open(old_vocab, "w").write("\n".join(OLD) + "\n")
    open(new_vocab, "w").write("\n".join(NEW) + "\n")
    feats, labels = data()
    feats2, labels2 = data(seed=3, words=NEW + ["kiwi"])

    def input_fn(f, l):
        return lambda: tf.data.Dataset.from_tensor_slices((f, l)).batch(10)

    def cols(vocab_file, size):
        word = fc.categorical_column_with_vocabulary_file("word", vocab_file, vocabulary_size=size,
                                                          num_oov_buckets=1)
        return [fc.numeric_column("x"), fc.embedding_column(word, dimension=3)], word

    old_cols, old_word = cols(old_vocab, 4)
    new_cols, new_word = cols(new_vocab, 6)

    def dnn(md, columns, **kw):
        return tf.estimator.DNNClassifier(hidden_units=[5], feature_columns=columns, model_dir=md,
                                          **kw)

    init = init_dir(tf, "warm_vocab", lambda d: dnn(d, old_cols, optimizer=sgd0(tf),
                                                     config=tf.estimator.RunConfig(tf_random_seed=3)),
                    input_fn(feats, labels))
    src = os.path.join(tmp, "src")
    first = dnn(src, old_cols, warm_start_from=init)
    first.train(input_fn(feats, labels), steps=4)
    out = {"src_vars": all_vars(first)}

    emb = "dnn/input_from_feature_columns/input_layer/word_embedding/embedding_weights"
    reader = tf.train.load_checkpoint(src)
    src_shapes = reader.get_variable_to_shape_map()

    def report(est):
        r = {}
        for k, v in all_vars(est).items():
            if k == emb or k == "global_step" or k.startswith("training/"):
                r[k] = v
            elif k in src_shapes and np.array_equal(reader.get_tensor(k), v):
                r[k] = "from src"
            else:
                r[k] = "fresh"
        return r

    cases = {
        "list": dict(vars_to_warm_start=["dnn/input_from_feature_columns/", "dnn/hiddenlayer_0/.*"]),
        "list_slots_too": dict(vars_to_warm_start=[".*input_layer.*", "dnn/hiddenlayer_0/.*"]),
        "regex_all": dict(vars_to_warm_start=".*"),
        "vocab_only": dict(vars_to_warm_start=None),
        "list_with_slots": dict(vars_to_warm_start=[".*"]),
    }
    for name, kw in cases.items():
        info = tf.estimator.VocabInfo(new_vocab=new_vocab, new_vocab_size=6, num_oov_buckets=1,
                                      old_vocab=old_vocab, old_vocab_size=4,
                                      backup_initializer=tf.ones_initializer())  # TF: constant_initializer fails here
        ws = tf.estimator.WarmStartSettings(ckpt_to_initialize_from=src,
                                            var_name_to_vocab_info={emb: info}, **kw)
        try:
            est = dnn(os.path.join(tmp, name), new_cols, warm_start_from=ws,
                      optimizer=lambda: tf.keras.optimizers.legacy.Adagrad(0.0),
                      config=tf.estimator.RunConfig(tf_random_seed=11))
            est.train(input_fn(feats2, labels2), steps=1)
            out[name] = report(est)
        except Exception as e:  # noqa: BLE001
            out[name] = f"{type(e).__name__}: {str(e)[:300]}"

    # linear: vocabulary weights remapped (axis 0) and a label vocabulary grown (axis 1)
    lsrc = os.path.join(tmp, "lsrc")
    lin = tf.estimator.LinearClassifier([old_word, fc.numeric_column("x")], n_classes=3,
                                        label_vocabulary=["lo", "mid", "hi"], model_dir=lsrc)
    lab3 = np.array(["lo", "mid", "hi"])[np.arange(40) % 3]
    lin.train(input_fn(feats, lab3), steps=3)
    out["lin_src"] = all_vars(lin)
    word_w = "linear/linear_model/word/weights"
    ws = tf.estimator.WarmStartSettings(
        ckpt_to_initialize_from=lsrc,
        vars_to_warm_start=["linear/linear_model/word", "linear/linear_model/bias_weights",
                            "linear/linear_model/x"],  # a ".*word.*" would take the slots too
        var_name_to_vocab_info={word_w: tf.estimator.VocabInfo(
            new_vocab=new_vocab, new_vocab_size=6, num_oov_buckets=1, old_vocab=old_vocab)})
    lin2 = tf.estimator.LinearClassifier([new_word, fc.numeric_column("x")], n_classes=3,
                                         label_vocabulary=["lo", "mid", "hi"],
                                         model_dir=os.path.join(tmp, "lin2"), warm_start_from=ws,
                                         optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.0))  # TF: Ftrl needs lr > 0
    lin2.train(input_fn(feats2, lab3), steps=1)
    out["lin2"] = all_vars(lin2)

    # warm_start_from a model_dir string: every trainable variable (same vocabulary)
    lin3 = tf.estimator.LinearClassifier([old_word, fc.numeric_column("x")], n_classes=3,
                                         label_vocabulary=["lo", "mid", "hi"],
                                         model_dir=os.path.join(tmp, "lin3"), warm_start_from=lsrc)
    lin3.train(input_fn(feats, lab3), steps=2)
    out["lin3"] = all_vars(lin3)
    out["lin3_eval"] = lin3.evaluate(input_fn(feats, lab3))
    return out
