"""Estimators fed tf.constant values: features dicts, labels and weights as EagerTensors
(numeric, string vocabulary, hashed, identity, bucketized, crossed columns, a SparseTensor
built from tf.constant parts), an input_fn returning them directly and through
Dataset.from_tensor_slices, a normalizer_fn written with tf.math; then a parsing export
called with tf.constant([record]) where records end in NUL bytes, and a raw export called
with tf.constant features. Linear and Baseline models start from zeros, so both sides
train alike."""
import os

import numpy as np


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(3)
    n = 24
    x = rng.normal(size=n).astype(np.float32)
    words = rng.choice(["a", "b", "c", ""], size=n).tolist()
    ids = rng.integers(0, 4, size=n)
    labels = rng.integers(0, 2, size=n)
    weights = rng.uniform(0.5, 2.0, size=n).astype(np.float32)

    def features():
        return {"x": tf.constant(x), "w": tf.constant(words), "i": tf.constant(ids),
                "h": tf.constant([w.encode() + b"\x00" for w in words]),
                "wt": tf.constant(weights)}

    x_col = fc.numeric_column("x", normalizer_fn=lambda v: tf.math.maximum(v, -1.0))
    w_col = fc.categorical_column_with_vocabulary_list("w", ["a", "b", "c"])
    columns = [x_col, w_col, fc.categorical_column_with_hash_bucket("h", 5),
               fc.categorical_column_with_identity("i", 4),
               fc.bucketized_column(fc.numeric_column("x"), [-0.5, 0.0, 0.5]),
               fc.crossed_column([w_col, "i"], 7)]
    base = os.environ["TMPDIR_PROG"]
    out = {}

    # features and labels returned as tf.constant values
    est = tf.estimator.LinearClassifier(columns, model_dir=os.path.join(base, "direct"),
                                        weight_column="wt")
    est.train(lambda: (features(), tf.constant(labels)), steps=3)
    out["direct_eval"] = est.evaluate(lambda: (features(), tf.constant(labels)), steps=1)
    out["direct_vars"] = {v: est.get_variable_value(v) for v in est.get_variable_names()}
    # (a predict input_fn returning tensors would never end in TF: it needs a dataset)
    preds = list(est.predict(lambda: tf.data.Dataset.from_tensor_slices(features()).batch(8)))
    out["direct_pred"] = [{k: p[k] for k in ("logits", "probabilities", "class_ids",
                                               "classes")} for p in preds[:4]]

    # the same through Dataset.from_tensor_slices of tf.constant values
    def dataset_fn():
        return tf.data.Dataset.from_tensor_slices((features(), tf.constant(labels))).batch(8)

    est2 = tf.estimator.LinearClassifier(columns, model_dir=os.path.join(base, "dataset"),
                                         weight_column="wt")
    est2.train(dataset_fn, steps=3)
    out["dataset_eval"] = est2.evaluate(dataset_fn)
    out["dataset_vars"] = {v: est2.get_variable_value(v) for v in est2.get_variable_names()}
    element = next(iter(tf.data.Dataset.from_tensor_slices(
        (features(), tf.constant(labels)))))
    out["element"] = {"x": element[0]["x"].numpy(), "w": element[0]["w"].numpy(),
                      "label": element[1].numpy(), "x_shape": list(element[0]["x"].shape)}

    # a regressor with float labels, and a SparseTensor feature built from tf.constant parts
    def sparse_fn():
        sparse = tf.SparseTensor(indices=tf.constant([[0, 0], [1, 0], [1, 1], [3, 0]],
                                                     dtype=tf.int64),
                                 values=tf.constant(["a", "b", "c", "a"]),
                                 dense_shape=tf.constant([4, 2], dtype=tf.int64))
        return ({"s": sparse, "x": tf.constant(x[:4])},
                tf.constant(x[:4] * 2.0 + 1.0))

    reg = tf.estimator.LinearRegressor(
        [fc.categorical_column_with_vocabulary_list("s", ["a", "b", "c"]),
         fc.numeric_column("x")], model_dir=os.path.join(base, "sparse"))
    reg.train(sparse_fn, steps=2)
    out["sparse_eval"] = reg.evaluate(sparse_fn, steps=1)
    out["sparse_vars"] = {v: reg.get_variable_value(v) for v in reg.get_variable_names()}

    base_est = tf.estimator.BaselineClassifier(n_classes=3,
                                               model_dir=os.path.join(base, "baseline"))
    base_est.train(lambda: ({"x": tf.constant(x)}, tf.constant(ids % 3)), steps=2)
    out["baseline_eval"] = base_est.evaluate(
        lambda: ({"x": tf.constant(x)}, tf.constant(ids % 3)), steps=1)

    # a parsing export, called with tf.constant([record, ...]); records ending in NUL
    spec = fc.make_parse_example_spec([fc.numeric_column("x"), w_col,
                                       fc.categorical_column_with_hash_bucket("h", 5),
                                       fc.categorical_column_with_identity("i", 4)])
    # (cannery cannot export a lambda normalizer_fn: a model without one is exported)
    plain = [fc.numeric_column("x")] + columns[1:]
    est_export = tf.estimator.LinearClassifier(plain, model_dir=os.path.join(base, "plain"),
                                               weight_column="wt")
    est_export.train(lambda: (features(), tf.constant(labels)), steps=3)
    export = est_export.export_saved_model(
        os.path.join(base, "export"),
        tf.estimator.export.build_parsing_serving_input_receiver_fn(spec))
    loaded = tf.saved_model.load(export)
    records = []
    for value, word, index in ((0.0, "a", 0), (1.5, "", 2), (-0.25, "c", 0)):
        example = tf.train.Example()
        example.features.feature["x"].float_list.value.append(value)
        if word:
            example.features.feature["w"].bytes_list.value.append(word.encode())
        example.features.feature["i"].int64_list.value.append(index)
        example.features.feature["h"].bytes_list.value.append(word.encode() + b"\x00")
        records.append(example.SerializeToString())
    out["records_end_in_nul"] = [r.endswith(b"\x00") for r in records]
    result = loaded.signatures["serving_default"](inputs=tf.constant(records))
    out["export_result"] = {k: v.numpy() for k, v in result.items()}
    out["export_types"] = sorted(type(v).__name__ for v in result.values())
    predict = loaded.signatures["predict"](examples=tf.constant(records))
    out["export_predict"] = {k: v.numpy() for k, v in predict.items()}

    return out
