"""Common TFRecord idioms: parse_single_example in a map, Example.FromString on a record,
a vocabulary file written with GFile, seeded shuffle/repeat/batch of interleaved records
into a LinearClassifier."""
import os

from common_tfr import plain, tmpdir, write_examples


def main(tf):
    d = tmpdir()
    pattern = write_examples(tf, d, sizes=(9, 7, 5))
    names = sorted(tf.io.gfile.glob(pattern))
    spec = {"x": tf.io.FixedLenFeature([], tf.float32),
            "s": tf.io.FixedLenFeature([], tf.string),
            "v": tf.io.VarLenFeature(tf.int64),
            "label": tf.io.FixedLenFeature([], tf.int64)}
    out = {}
    single = tf.data.TFRecordDataset(names).map(lambda r: tf.io.parse_single_example(r, spec))
    out["single"] = [plain(e) for e in single.take(3)]
    out["single_spec"] = repr(single.element_spec)
    rec = next(iter(tf.data.TFRecordDataset(names[1])))
    ex = tf.train.Example.FromString(rec.numpy())
    out["from_string"] = [list(ex.features.feature["x"].float_list.value),
                          list(ex.features.feature["v"].int64_list.value),
                          sorted(ex.features.feature.keys())]
    vocab = os.path.join(d, "vocab.txt")
    with tf.io.gfile.GFile(vocab, "w") as f:
        for word in ["s0", "s1", "s2"]:
            f.write(word + "\n")
    fc = tf.feature_column
    cols = [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_file("s", vocab),
            fc.categorical_column_with_identity("v", 4)]

    def parse(r):
        feats = tf.io.parse_single_example(r, spec)
        return feats, feats.pop("label")

    def input_fn():
        return (tf.data.TFRecordDataset(names, num_parallel_reads=2).map(parse)
                .shuffle(8, seed=5).repeat().batch(6))

    est = tf.estimator.LinearClassifier(cols, model_dir=os.path.join(d, "m"),
                                        config=tf.estimator.RunConfig(tf_random_seed=1))
    est.train(input_fn, steps=5)
    out["vars"] = {n: est.get_variable_value(n) for n in est.get_variable_names()}
    out["eval"] = est.evaluate(lambda: tf.data.TFRecordDataset(names).map(parse).batch(8))
    return out
