"""The functions as programs use them: in Dataset.map functions (one_hot, cast, reshape,
shape, gather, py_function, numpy_function, sequence_mask, tf.print is not captured
here), and on a LinearClassifier's predictions (argmax, confusion_matrix, top_k,
softmax, reduce_*)."""
import os

import numpy as np

from _common import attempt, val


def main(tf):
    out = {}
    labels = np.array([0, 2, 1, 2, 0, 1, 1, 2], np.int64)
    x = np.array([[0.5, 1.0], [2.0, -1.0], [1.0, 0.0], [3.0, -2.0],
                  [0.0, 1.5], [1.5, 0.5], [1.0, 0.2], [2.5, -1.5]], np.float32)
    words = np.array(["a", "bb", "", "ccc", "a", "bb", "d", "e"])

    def to_model(features, label):
        onehot = tf.one_hot(label, 3)
        length = tf.cast(tf.strings.length(features["w"]), tf.float32) if hasattr(tf, "strings") else 0.0
        shaped = tf.reshape(features["x"], [-1])
        doubled = tf.py_function(lambda v: v * 2.0, [shaped], tf.float32)
        squared = tf.numpy_function(lambda v: (v ** 2).astype(np.float32), [shaped], tf.float32)
        n = tf.shape(shaped)[0]
        first = tf.gather(shaped, [0])
        mask = tf.sequence_mask(tf.cast(label, tf.int32) + 1, 3)
        return {"x": shaped, "doubled": doubled, "squared": squared, "n": n, "first": first,
                "onehot": onehot, "mask": mask, "len": length, "w": features["w"]}, label

    ds = tf.data.Dataset.from_tensor_slices(({"x": x, "w": words}, labels)).map(to_model)
    out["map_elements"] = attempt(lambda: [val(e) for e in list(ds.take(2))])

    def batched(features, label):
        return {"x": features["x"], "total": tf.reduce_sum(features["x"], axis=1),
                "argmax": tf.argmax(features["x"], axis=1),
                "top": tf.math.top_k(features["x"], k=1).values,
                "labels_hot": tf.one_hot(label, 3, on_value=2.0, off_value=-1.0)}, label

    ds2 = tf.data.Dataset.from_tensor_slices(({"x": x}, labels)).batch(4).map(batched)
    out["batched"] = attempt(lambda: [val(e) for e in list(ds2)])

    md = os.path.join(os.environ["TMPDIR_PROG"], "m")
    est = tf.estimator.LinearClassifier([tf.feature_column.numeric_column("x", shape=(2,))],
                                        n_classes=3, model_dir=md)

    def input_fn():
        return tf.data.Dataset.from_tensor_slices(({"x": x}, labels)).batch(4)

    est.train(input_fn, steps=6)
    preds = list(est.predict(lambda: tf.data.Dataset.from_tensor_slices({"x": x}).batch(4)))
    probabilities = tf.stack([p["probabilities"] for p in preds])
    logits = tf.stack([p["logits"] for p in preds])
    predicted = tf.argmax(probabilities, axis=1)
    out["predicted"] = val(predicted)
    out["confusion"] = val(tf.math.confusion_matrix(labels, predicted, num_classes=3))
    out["confusion_w"] = val(tf.math.confusion_matrix(labels, predicted, num_classes=3,
                                                      weights=np.arange(8, dtype=np.float32),
                                                      dtype=tf.float32))
    out["softmax_of_logits"] = val(tf.nn.softmax(logits))
    out["top2"] = val(tf.math.top_k(probabilities, k=2))
    out["in_top2"] = val(tf.math.in_top_k(tf.constant(labels, tf.int32), probabilities, 2))
    out["accuracy"] = val(tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32)))
    out["xent"] = val(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    out["mean_xent"] = val(tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)))
    out["logsumexp"] = val(tf.reduce_logsumexp(logits, axis=1))
    out["classes"] = val(tf.unique(tf.reshape(tf.stack([p["class_ids"] for p in preds]), [-1])))
    return out
