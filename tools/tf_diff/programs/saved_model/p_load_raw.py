"""tf.saved_model.load of raw-receiver exports, a DNN with an embedding behind a parsing
receiver (started from TensorFlow's initial weights), and multi-mode exports' tags."""
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "dnn"))
from common import init_dir, input_fn_of, sgd0  # noqa: E402


def _spec(spec):
    return {"shape": list(spec.shape), "dtype": spec.dtype.name, "name": spec.name}


def _err(fn):
    try:
        fn()
        return "no error"
    except Exception as e:  # noqa: BLE001 - comparing error behaviour
        msg = re.sub(r"__inference_pruned_\d+", "__inference_pruned_N", str(e))
        msg = re.sub(r"Received args: .*? for signature: ", "Received ARGS for signature: ", msg, flags=re.S)
        msg = re.sub(r" \(input '\w+'\)$", "", msg)  # cannery names the input too
        return f"{type(e).__name__}: {msg}"


def _call(fn, **kwargs):
    result = fn(**kwargs)
    return {"order": list(result),
            "values": {k: {"value": v.numpy(), "shape": list(v.shape)} for k, v in result.items()}}


def _describe(imported):
    return {name: {"inputs": {k: _spec(v) for k, v in fn.structured_input_signature[1].items()},
                   "outputs": {k: dict(_spec(v), name=None) for k, v in fn.structured_outputs.items()}}
            for name, fn in imported.signatures.items()}


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(1)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "z"], size=n)}
    y = rng.integers(0, 2, n)
    base = os.environ["TMPDIR_PROG"]
    out = {}
    cols = [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_list("c", ["a", "b"])]
    est = tf.estimator.LinearClassifier(cols, model_dir=os.path.join(base, "lin"))
    est.train(lambda: tf.data.Dataset.from_tensor_slices((feats, y)).batch(8), steps=3)
    # raw receiver, two features (c given as [batch, 1])
    path = est.export_saved_model(os.path.join(base, "raw2"), tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.constant([1.0, 2.0]), "c": tf.constant([["a"], ["b"]])}))
    imported = tf.saved_model.load(path)
    fn = imported.signatures["predict"]
    x, c = tf.constant([0.5, -1.0, 2.0]), tf.constant([["a"], ["z"], ["b"]])
    out["raw2"] = {
        "keys": list(imported.signatures.keys()), "describe": _describe(imported),
        "call": _call(fn, x=x, c=c),
        "errors": {"missing": _err(lambda: fn(x=x)), "extra": _err(lambda: fn(x=x, c=c, d=x)),
                   "positional": _err(lambda: fn(x, c)),
                   "float64": _err(lambda: fn(x=tf.constant([1.0, 2.0, 3.0], dtype=tf.float64), c=c)),
                   "int_for_string": _err(lambda: fn(x=x, c=tf.constant([[1], [2], [3]]))),
                   "no_serving_default": _err(lambda: imported.signatures["serving_default"])},
    }
    # raw receiver of one string feature: classification and regression take it as "inputs"
    est_c = tf.estimator.LinearClassifier([fc.categorical_column_with_vocabulary_list("c", ["a", "b"])],
                                          model_dir=os.path.join(base, "linc"))
    est_c.train(lambda: tf.data.Dataset.from_tensor_slices(({"c": feats["c"]}, y)).batch(8), steps=3)
    path = est_c.export_saved_model(os.path.join(base, "raw1"), tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"c": tf.constant(["a", "b"])}))
    imported = tf.saved_model.load(path)
    cs = tf.constant(["a", "z", "b"])
    out["raw_string"] = {"keys": list(imported.signatures.keys()), "describe": _describe(imported),
                         "calls": {name: _call(fn, **{next(iter(fn.structured_input_signature[1])): cs})
                                   for name, fn in imported.signatures.items()}}
    # raw receiver with a default batch size
    path = est.export_saved_model(os.path.join(base, "rawb"), tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.constant([1.0, 2.0]), "c": tf.constant([["a"], ["b"]])}, default_batch_size=3))
    out["raw_batch"] = _describe(tf.saved_model.load(path))
    # a parsing receiver with a default batch size
    path = est.export_saved_model(os.path.join(base, "parseb"), tf.estimator.export.build_parsing_serving_input_receiver_fn(
        fc.make_parse_example_spec(cols), default_batch_size=3))
    out["parse_batch"] = _describe(tf.saved_model.load(path))
    # several modes: TF needs tags
    sup = tf.estimator.experimental.build_raw_supervised_input_receiver_fn(
        {"x": tf.constant([1.0]), "c": tf.constant(["a"])}, tf.constant([1]))
    path = est.experimental_export_all_saved_models(os.path.join(base, "all"), {
        tf.estimator.ModeKeys.PREDICT: tf.estimator.export.build_parsing_serving_input_receiver_fn(fc.make_parse_example_spec(cols)),
        tf.estimator.ModeKeys.EVAL: sup, tf.estimator.ModeKeys.TRAIN: sup})
    out["all_modes"] = {"no_tags": _err(lambda: tf.saved_model.load(path)),
                        "serve": list(tf.saved_model.load(path, tags="serve").signatures.keys()),
                        "gpu": _err(lambda: tf.saved_model.load(path, tags=["serve", "gpu"]))}
    # DNN with an embedding, from TensorFlow's initial weights, parsing receiver
    dfeats = {"x": rng.normal(size=48).astype(np.float32), "c": rng.choice(["a", "b", "c", "d"], size=48)}
    dlab = rng.integers(0, 3, 48)
    dcols = [fc.numeric_column("x"),
             fc.embedding_column(fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"]), 3)]
    inp = input_fn_of(tf, dfeats, dlab)
    init = init_dir(tf, "saved_model_dnn3", lambda d: tf.estimator.DNNClassifier(
        [4], dcols, model_dir=d, n_classes=3, optimizer=sgd0(tf),
        config=tf.estimator.RunConfig(tf_random_seed=3)), inp)
    dnn = tf.estimator.DNNClassifier([4], dcols, model_dir=os.path.join(base, "dnn"), n_classes=3,
                                     warm_start_from=init)
    dnn.train(inp, steps=2)
    path = dnn.export_saved_model(os.path.join(base, "dnn_export"),
                                  tf.estimator.export.build_parsing_serving_input_receiver_fn(fc.make_parse_example_spec(dcols)))
    imported = tf.saved_model.load(path)
    records = []
    for i in range(5):
        e = tf.train.Example()
        e.features.feature["x"].float_list.value.append(float(dfeats["x"][i]))
        e.features.feature["c"].bytes_list.value.extend([dfeats["c"][i].encode()] * (i % 3))
        records.append(e.SerializeToString())
    records = [r for r in records if not r.endswith(b"\x00")]  # see README: tf.constant
    out["dnn"] = {"describe": _describe(imported),
                  "predict": _call(imported.signatures["predict"], examples=tf.constant(records)),
                  "classify": _call(imported.signatures["classification"], inputs=tf.constant(records)),
                  "estimator_predict": next(iter(dnn.predict(input_fn_of(tf, {k: v[:5] for k, v in dfeats.items()}, None),
                                                             yield_single_examples=False)))["probabilities"]}
    return out
