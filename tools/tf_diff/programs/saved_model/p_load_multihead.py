"""tf.saved_model.load of a MultiHead export (binary + 3-class + regression heads): the
per-head signatures, the merged predict signature, and a raw receiver's."""
import os

import numpy as np


def _spec(spec):
    return {"shape": list(spec.shape), "dtype": spec.dtype.name, "name": spec.name}


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(2)
    n = 24
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "z"], size=n)}
    labels = {"h1": rng.integers(0, 2, (n, 1)), "h3": rng.integers(0, 3, (n, 1)),
              "h2": rng.normal(size=(n, 1)).astype(np.float32)}
    cols = [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_list("c", ["a", "b"])]
    head = tf.estimator.MultiHead([tf.estimator.BinaryClassHead(name="h1"),
                                   tf.estimator.MultiClassHead(3, name="h3"),
                                   tf.estimator.RegressionHead(name="h2")])
    base = os.environ["TMPDIR_PROG"]
    est = tf.estimator.LinearEstimator(head, cols, model_dir=os.path.join(base, "m"))
    est.train(lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8), steps=3)
    out = {}
    records = []
    for i in range(3):
        e = tf.train.Example()
        e.features.feature["x"].float_list.value.append(float(feats["x"][i]))
        e.features.feature["c"].bytes_list.value.append(feats["c"][i].encode())
        records.append(e.SerializeToString())
    records = tf.constant([r for r in records if not r.endswith(b"\x00")])
    for label, receiver, call in [
            ("parsing", tf.estimator.export.build_parsing_serving_input_receiver_fn(fc.make_parse_example_spec(cols)),
             lambda name, fn: fn(**{next(iter(fn.structured_input_signature[1])): records})),
            ("raw", tf.estimator.export.build_raw_serving_input_receiver_fn(
                {"x": tf.constant([1.0]), "c": tf.constant(["a"])}),
             lambda name, fn: fn(x=tf.constant(feats["x"][:3]), c=tf.constant(feats["c"][:3])))]:
        path = est.export_saved_model(os.path.join(base, label), receiver)
        imported = tf.saved_model.load(path)
        res = {"keys": list(imported.signatures.keys())}
        for name, fn in imported.signatures.items():
            result = call(name, fn)
            res[name] = {"inputs": {k: _spec(v) for k, v in fn.structured_input_signature[1].items()},
                         "outputs": {k: dict(_spec(v), name=None) for k, v in fn.structured_outputs.items()},
                         "output_order": list(fn.structured_outputs), "result_order": list(result),
                         "result": {k: v.numpy() for k, v in result.items()}}
        out[label] = res
    return out
