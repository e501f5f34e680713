"""tf.saved_model.load of a parsing-receiver export: signatures, specs, outputs, errors.

Linear models from zero weights train identically in both; the outputs are compared
after a few Ftrl steps.
"""
import os
import re

import numpy as np


def _spec(spec):
    return {"shape": list(spec.shape), "dtype": spec.dtype.name, "name": spec.name}


def _err(fn):
    """The error's type and message, without what cannot agree: TF's traceback lines,
    its tensor reprs (cannery's inputs are numpy arrays) and its graph's argument count
    (which includes the model's variables)."""
    try:
        fn()
        return "no error"
    except Exception as e:  # noqa: BLE001 - comparing error behaviour
        msg = re.sub(r"__inference_pruned_\d+", "__inference_pruned_N", str(e))
        msg = re.sub(r" defined at \(most recent call last\):\n(  File [^\n]*\n\n)*", "\n\n", msg)
        msg = re.sub(r"Received args: .*? for signature: ", "Received ARGS for signature: ", msg,
                     flags=re.S)
        msg = re.sub(r"Signature specifies \d+ arguments, got: \d+\..*", "Signature specifies N",
                     msg, flags=re.S)
        msg = msg.replace(" (input 'inputs')", "")  # cannery names the input too
        return f"{type(e).__name__}: {msg}"


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(0)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "c": rng.choice(["a", "b", "z"], size=n),
             "k": rng.integers(0, 5, size=n)}
    cols = [fc.numeric_column("x", default_value=-1.0),
            fc.categorical_column_with_vocabulary_list("c", ["a", "b"]),
            fc.categorical_column_with_identity("k", 5)]
    base = os.environ["TMPDIR_PROG"]
    out = {}

    def example(x=None, c=None, k=None):
        e = tf.train.Example()
        if x is not None:
            e.features.feature["x"].float_list.value.append(x)
        if c is not None:
            e.features.feature["c"].bytes_list.value.extend(c)
        if k is not None:
            e.features.feature["k"].int64_list.value.extend(k)
        return e.SerializeToString()

    # (no record ends in a NUL byte: cannery's tf.constant drops those, see README)
    records = tf.constant([example(1.5, [b"a"], [3]), example(None, [b"b", b"a"], [1, 2]),
                           example(-0.5, None, [4]), example(2.0, [b"q"], [1])])
    for label, make, y in [
            ("binary", lambda md: tf.estimator.LinearClassifier(cols, model_dir=md), rng.integers(0, 2, n)),
            ("multi", lambda md: tf.estimator.LinearClassifier(cols, n_classes=3, model_dir=md,
                                                               label_vocabulary=["p", "q", "r"]),
             rng.choice(["p", "q", "r"], size=n)),
            ("regressor", lambda md: tf.estimator.LinearRegressor(cols, model_dir=md),
             rng.normal(size=n).astype(np.float32)),
            ("regressor2", lambda md: tf.estimator.LinearRegressor(cols, label_dimension=2, model_dir=md),
             rng.normal(size=(n, 2)).astype(np.float32))]:
        est = make(os.path.join(base, label))
        est.train(lambda: tf.data.Dataset.from_tensor_slices((feats, y)).batch(8), steps=4)
        serving_input_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
            fc.make_parse_example_spec(cols))
        path = est.export_saved_model(os.path.join(base, "export_" + label), serving_input_fn)
        imported = tf.saved_model.load(path)
        res = {"keys": list(imported.signatures.keys()), "len": len(imported.signatures),
               "contains": "predict" in imported.signatures}
        for name in imported.signatures.keys():
            fn = imported.signatures[name]
            args, kwargs = fn.structured_input_signature
            arg = next(iter(kwargs))
            result = fn(**{arg: records})
            res[name] = {
                "inputs": {k: _spec(v) for k, v in kwargs.items()}, "args": list(args),
                # (TF's outputs are graph tensors, named after graph nodes)
                "outputs": {k: dict(_spec(v), name=None) for k, v in fn.structured_outputs.items()},
                "output_order": list(fn.structured_outputs),
                "result_order": list(result),
                "result": {k: {"value": v.numpy(), "shape": list(v.shape), "np": str(v.numpy().dtype)}
                           for k, v in result.items()},
            }
        fn = imported.signatures["serving_default"]
        res["errors"] = {
            "wrong_kw": _err(lambda: fn(examples=records)),
            "extra_kw": _err(lambda: fn(inputs=records, foo=records)),
            "no_args": _err(lambda: fn()),
            "two_positional": _err(lambda: fn(records, records)),
            "float_input": _err(lambda: fn(inputs=tf.constant([1.0]))),
            "missing_required": _err(lambda: imported.signatures["predict"](
                examples=tf.constant([example(1.0, [b"a"], None)]))),
            "bad_record": _err(lambda: fn(inputs=tf.constant([b"\x01"]))),
            "rank2": _err(lambda: fn(inputs=tf.constant([[example(1.0, [b"a"], [1])]]))),
            "unknown_signature": _err(lambda: imported.signatures["nope"]),
        }
        res["positional"] = fn(records)[list(fn.structured_outputs)[0]].numpy()
        out[label] = res
    # the SavedModel guide's program
    est = tf.estimator.LinearClassifier([fc.numeric_column("x")], model_dir=os.path.join(base, "guide"))
    est.train(lambda: tf.data.Dataset.from_tensor_slices(({"x": feats["x"]}, (feats["x"] > 0).astype(int))).batch(8), steps=3)
    serving_input_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        tf.feature_column.make_parse_example_spec([tf.feature_column.numeric_column("x")]))
    path = est.export_saved_model(os.path.join(base, "guide_export"), serving_input_fn)
    imported = tf.saved_model.load(path)

    def predict(x):
        example = tf.train.Example()
        example.features.feature["x"].float_list.value.extend([x])
        return imported.signatures["predict"](examples=tf.constant([example.SerializeToString()]))

    out["guide"] = {"p1.5": predict(1.5)["probabilities"].numpy(), "p3.5": predict(3.5)["probabilities"].numpy(),
                    "pm2": predict(-2.0)["classes"].numpy()}
    out["load_errors"] = {
        "train_tags": _err(lambda: tf.saved_model.load(path, tags=["train"])),
        "two_tags": _err(lambda: tf.saved_model.load(path, tags=["serve", "gpu"])),
        "missing_dir": _err(lambda: tf.saved_model.load(os.path.join(base, "nope"))).replace(base, "BASE"),
        "str_tags": list(tf.saved_model.load(path, tags="serve").signatures.keys()),
        "set_tags": list(tf.saved_model.load(path, tags={"serve"}).signatures.keys()),
    }
    out["constants"] = [tf.saved_model.SERVING, tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY,
                        tf.saved_model.CLASSIFY_INPUTS, tf.saved_model.PREDICT_METHOD_NAME,
                        tf.saved_model.REGRESS_OUTPUTS, tf.saved_model.TRAINING,
                        tf.saved_model.contains_saved_model(path.decode()),
                        _err(lambda: tf.saved_model.contains_saved_model(path)),
                        tf.saved_model.contains_saved_model(base)]
    return out
