"""End to end: Examples written to TFRecord files, a LinearClassifier trained and
evaluated from make_batched_features_dataset, and one from TFRecordDataset +
parse_example; trained variables, eval metrics and predictions compared."""
import os

from common_tfr import make_batched, tmpdir, write_examples


def main(tf):
    d = tmpdir()
    fc = tf.feature_column
    mbfd = make_batched(tf)
    pattern = write_examples(tf, d, sizes=(40, 25, 31))
    cols = [fc.numeric_column("x"),
            fc.categorical_column_with_identity("i", 5),
            fc.categorical_column_with_vocabulary_list("s", ["s0", "s1", "s2"]),
            fc.categorical_column_with_identity("v", 4)]
    spec = tf.estimator.classifier_parse_example_spec(cols, label_key="label")
    out = {"spec_keys": sorted(spec)}

    def train_fn():
        return mbfd(pattern, 8, spec, label_key="label", shuffle=False, reader_num_threads=2)

    def eval_fn():
        return mbfd(pattern, 10, spec, label_key="label", num_epochs=1, shuffle=False)

    est = tf.estimator.LinearClassifier(cols, model_dir=os.path.join(d, "m1"))
    est.train(train_fn, steps=15)
    out["batched_eval"] = est.evaluate(eval_fn)
    out["batched_vars"] = {n: est.get_variable_value(n) for n in est.get_variable_names()}

    names = sorted(tf.io.gfile.glob(pattern))
    label_spec = dict(spec)

    def parse(serialized):
        feats = tf.io.parse_example(serialized, label_spec)
        label = feats.pop("label")
        return feats, label

    def records_fn():
        return tf.data.TFRecordDataset(names).repeat().batch(12).map(parse)

    est2 = tf.estimator.LinearClassifier(cols, model_dir=os.path.join(d, "m2"),
                                         optimizer="Adagrad")
    est2.train(records_fn, steps=12)
    out["records_eval"] = est2.evaluate(
        lambda: tf.data.TFRecordDataset(names).batch(16).map(parse))
    out["records_vars"] = {n: est2.get_variable_value(n) for n in est2.get_variable_names()}
    preds = est2.predict(lambda: tf.data.TFRecordDataset(names[:1]).batch(7).map(
        lambda s: tf.io.parse_example(s, {k: v for k, v in spec.items() if k != "label"})))
    out["preds"] = [p["probabilities"] for p in list(preds)[:5]]
    return out
