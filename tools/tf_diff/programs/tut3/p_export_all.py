"""experimental_export_all_saved_models with train / eval / predict receivers (raw
supervised, parsing serving), tf.saved_model.load of each tag set and its signatures
called, the assets of a vocabulary-file column, and the checkpoint read back through
tf.train.list_variables / load_variable / load_checkpoint and get_variable_value."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import init_dir, md, sgd0, err  # noqa: E402


def _spec(spec):
    return [list(spec.shape), spec.dtype.name]


def _describe(imported):
    return {name: {"inputs": {k: _spec(v) for k, v in sorted(fn.structured_input_signature[1].items())},
                   "outputs": {k: _spec(v) for k, v in sorted(fn.structured_outputs.items())}}
            for name, fn in sorted(imported.signatures.items())}


def _call(fn, **kwargs):
    return {k: v.numpy() for k, v in sorted(fn(**kwargs).items())}


def main(tf):
    fc = tf.feature_column
    M = tf.estimator.ModeKeys
    rng = np.random.default_rng(17)
    n = 24
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "c": rng.choice(["a", "b", "c", "d"], n),
             "w": rng.uniform(0.5, 2.0, n).astype(np.float32)}
    y = rng.normal(size=n).astype(np.float32)
    lab = rng.integers(0, 3, n)
    vocab = md("vocab.txt")
    with open(vocab, "w") as f:
        f.write("a\nb\nc\n")
    ccol = fc.categorical_column_with_vocabulary_file("c", vocab, num_oov_buckets=1)
    cols = [fc.numeric_column("x"), ccol]
    out = {}

    def inp(labels):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)

    est = tf.estimator.LinearRegressor(cols, weight_column="w", model_dir=md("lin"),
                                       optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.1))
    est.train(inp(y), steps=3)
    spec = fc.make_parse_example_spec(cols + [fc.numeric_column("w")])
    sup = tf.estimator.experimental.build_raw_supervised_input_receiver_fn(
        {"x": tf.constant([1.0]), "c": tf.constant(["a"]), "w": tf.constant([1.0])}, tf.constant([0.5]))
    receivers = {M.TRAIN: sup, M.EVAL: sup,
                 M.PREDICT: tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)}
    path = est.experimental_export_all_saved_models(md("export_all"), receivers)
    path = path.decode() if isinstance(path, bytes) else path
    out["export"] = {"parent": os.path.basename(os.path.dirname(path)) == "export_all",
                     "n_exports": len(os.listdir(md("export_all")))}
    x, c, w = tf.constant([0.5, -1.0, 2.0]), tf.constant(["a", "z", "c"]), tf.constant([1.0, 2.0, 0.5])
    # the same estimator evaluated on the inputs given to the eval signature below
    out["evaluate"] = est.evaluate(lambda: ({"x": tf.constant([0.5, -1.0, 2.0]), "c": tf.constant(["a", "z", "c"]),
                                             "w": tf.constant([1.0, 2.0, 0.5])},
                                            tf.constant([0.0, 1.0, -1.0])), steps=1)
    os.remove(vocab)  # an export is self-contained (TF copies the file to assets/)
    for tags in ["serve", "train", "eval"]:
        try:
            imported = tf.saved_model.load(path, tags=tags)
        except Exception as e:  # noqa: BLE001
            out[tags] = {"err": type(e).__name__}
            continue
        r = {"describe": _describe(imported)}
        for name, fn in sorted(imported.signatures.items()):
            inputs = fn.structured_input_signature[1]
            if "examples" in inputs or "inputs" in inputs:
                records = []
                for i in range(3):
                    ex = tf.train.Example()
                    ex.features.feature["x"].float_list.value.append([0.5, -1.0, 2.0][i])
                    ex.features.feature["c"].bytes_list.value.append([b"a", b"z", b"c"][i])
                    ex.features.feature["w"].float_list.value.append(1.0)
                    records.append(ex.SerializeToString())
                key = "examples" if "examples" in inputs else "inputs"
                r[name] = _call(fn, **{key: tf.constant(records)})
            else:
                # TF's signatures of the train and eval graphs take the receiver's tensors
                # by name (a raw supervised receiver's labels are `label`)
                kwargs = {"x": x, "c": c, "w": w}
                if tags != "serve":
                    kwargs["label"] = tf.constant([0.0, 1.0, -1.0])
                r[name] = err(lambda: fn(**kwargs)) if tags == "train" else _call(fn, **kwargs)
        out[tags] = r
    # the checkpoint read back by name
    listed = tf.train.list_variables(md("lin"))
    reader = tf.train.load_checkpoint(md("lin"))
    out["listed"] = [[name, list(shape)] for name, shape in listed]
    out["values"] = {name: est.get_variable_value(name) for name, _ in listed}
    out["load_variable"] = {name: tf.train.load_variable(md("lin"), name) for name, _ in listed}
    out["reader_shapes"] = {k: list(v) for k, v in sorted(reader.get_variable_to_shape_map().items())}
    out["reader_dtypes"] = {k: v.name for k, v in sorted(reader.get_variable_to_dtype_map().items())}
    out["has"] = [reader.has_tensor("linear/linear_model/x/weights"), reader.has_tensor("nope")]
    out["missing"] = err(lambda: est.get_variable_value("linear/nope"))
    out["latest"] = os.path.basename(tf.train.latest_checkpoint(md("lin")))
    # a 3-class DNN from TF's initial weights: every mode exported, predict served
    with open(vocab, "w") as f:
        f.write("a\nb\nc\n")
    init = init_dir(tf, "export_all_dnn", lambda d: tf.estimator.DNNClassifier(
        [4], [fc.numeric_column("x"), fc.indicator_column(ccol)], n_classes=3, model_dir=d,
        optimizer=sgd0(tf), config=tf.estimator.RunConfig(tf_random_seed=9)), inp(lab))
    dnn = tf.estimator.DNNClassifier([4], [fc.numeric_column("x"), fc.indicator_column(ccol)], n_classes=3,
                                     model_dir=md("dnn"), warm_start_from=init)
    dnn.train(inp(lab), steps=2)
    sup3 = tf.estimator.experimental.build_raw_supervised_input_receiver_fn(
        {"x": tf.constant([1.0]), "c": tf.constant(["a"])}, tf.constant([1]))
    raw = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": tf.constant([1.0]), "c": tf.constant(["a"])})
    dpath = dnn.experimental_export_all_saved_models(md("dnn_export"), {M.EVAL: sup3, M.PREDICT: raw})
    served = tf.saved_model.load(dpath, tags="serve")
    out["dnn"] = {"describe": _describe(served), "predict": _call(served.signatures["predict"], x=x, c=c),
                  "eval": err(lambda: _describe(tf.saved_model.load(dpath, tags="eval")))["err"]
                  if "err" in err(lambda: tf.saved_model.load(dpath, tags="eval")) else
                  [_describe(tf.saved_model.load(dpath, tags="eval")),
                   _call(tf.saved_model.load(dpath, tags="eval").signatures["eval"],
                         x=x, c=c, label=tf.constant([0, 2, 1]))],
                  "listed": [[name, list(shape)] for name, shape in tf.train.list_variables(md("dnn"))]}
    out["errors"] = {
        "no_receivers": err(lambda: dnn.experimental_export_all_saved_models(md("e0"), {})),
        "bad_mode": err(lambda: dnn.experimental_export_all_saved_models(md("e1"), {"bogus": raw})),
    }
    return out
