"""tf.compat.v1 names a TF 1 style serving program uses: saved_model constants,
tag_constants / signature_constants, load_v2 on an export (v1's session-based load is not
available in cannery: compared as "raises"), io.parse_example / parse_single_example with
v1's argument order (name before example_names), the top-level parse functions and feature
specs, train.Example & co, constant(verify_shape=...) and convert_to_tensor(preferred_dtype).
"""
import os
import re

import numpy as np


def attempt(function):
    try:
        return function()
    except Exception as error:  # noqa: BLE001
        # TensorFlow's kernel messages start with the function node: left out
        message = re.sub(r"\{\{function_node [^}]*\}\} ", "", str(error))
        return f"{type(error).__name__}: {message}"


def main(tf):
    v1 = tf.compat.v1
    out = {}
    sm = v1.saved_model
    out["constants"] = [sm.SERVING, sm.TRAINING, sm.GPU, sm.TPU,
                        sm.DEFAULT_SERVING_SIGNATURE_DEF_KEY, sm.CLASSIFY_INPUTS,
                        sm.CLASSIFY_METHOD_NAME, sm.CLASSIFY_OUTPUT_CLASSES,
                        sm.CLASSIFY_OUTPUT_SCORES, sm.PREDICT_INPUTS, sm.PREDICT_METHOD_NAME,
                        sm.PREDICT_OUTPUTS, sm.REGRESS_INPUTS, sm.REGRESS_METHOD_NAME,
                        sm.REGRESS_OUTPUTS, sm.SAVED_MODEL_FILENAME_PB, sm.VARIABLES_DIRECTORY,
                        sm.ASSETS_DIRECTORY]
    out["tag_constants"] = [sm.tag_constants.SERVING, sm.tag_constants.TRAINING,
                            sm.tag_constants.GPU, sm.tag_constants.TPU]
    sc = sm.signature_constants
    out["signature_constants"] = [sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY, sc.CLASSIFY_INPUTS,
                                  sc.PREDICT_METHOD_NAME, sc.REGRESS_OUTPUTS]
    out["load_v2_is_load"] = sm.load_v2 is tf.saved_model.load

    # train.Example & co are tf.train's
    out["train_protos"] = [getattr(v1.train, n) is getattr(tf.train, n)
                           for n in ("Example", "Features", "Feature", "BytesList",
                                     "FloatList", "Int64List")]
    example = v1.train.Example(features=v1.train.Features(feature={
        "x": v1.train.Feature(float_list=v1.train.FloatList(value=[0.0])),
        "s": v1.train.Feature(bytes_list=v1.train.BytesList(value=[b"a\x00"])),
        "n": v1.train.Feature(int64_list=v1.train.Int64List(value=[3, 0]))}))
    record = example.SerializeToString()
    spec = {"x": v1.FixedLenFeature([], v1.float32), "s": v1.io.VarLenFeature(v1.string),
            "n": v1.io.FixedLenFeature([2], v1.int64)}
    # v1's order: parse_example(serialized, features, name=None, example_names=None)
    parsed = v1.io.parse_example(v1.constant([record]), spec, "parse", ["first"])
    out["parse_example"] = {"x": parsed["x"].numpy(), "n": parsed["n"].numpy(),
                            "s": parsed["s"].values.numpy()}
    out["parse_example_top"] = v1.parse_example([record], spec)["n"].numpy()
    single = v1.io.parse_single_example(record, spec, "single")
    out["parse_single_example"] = {"x": single["x"].numpy(), "n": single["n"].numpy()}
    out["parse_single_example_top"] = v1.parse_single_example(record, spec)["x"].numpy()
    bad = v1.train.Example()
    bad.features.feature["x"].int64_list.value.append(1)
    bad.features.feature["n"].int64_list.value.extend([1, 2])
    out["example_names_in_error"] = attempt(
        lambda: v1.io.parse_example([bad.SerializeToString()], spec, None, ["the_bad_one"]))

    # constant / convert_to_tensor
    out["constant_reshape"] = v1.constant([1, 2], shape=[2, 1]).numpy()
    out["constant_verify_ok"] = v1.constant([[1], [2]], shape=[2, 1], verify_shape=True).numpy()
    out["constant_verify_bad"] = attempt(lambda: v1.constant([1, 2], shape=[2, 1],
                                                             verify_shape=True))
    out["constant_verify_scalar"] = attempt(lambda: v1.constant(1, shape=[2],
                                                                verify_shape=True))
    out["ctt_preferred"] = v1.convert_to_tensor([1], preferred_dtype=v1.float32).numpy()
    out["ctt_preferred_float_int"] = v1.convert_to_tensor([1.5],
                                                          preferred_dtype=v1.int32).numpy()
    out["ctt_both"] = attempt(lambda: v1.convert_to_tensor([1], preferred_dtype=v1.float32,
                                                           dtype_hint=v1.int64))
    out["dtypes"] = [v1.string == tf.string, v1.float32 == np.float32, v1.int64 == "int64",
                     v1.bool == bool]

    # load_v2 on a parsing export, called with v1.constant records
    fc = tf.feature_column
    model_dir = os.path.join(os.environ["TMPDIR_PROG"], "model")
    est = tf.estimator.LinearRegressor([fc.numeric_column("x")], model_dir=model_dir)
    est.train(lambda: ({"x": tf.constant([[1.0], [2.0]])}, tf.constant([[2.0], [4.0]])),
              steps=2)
    export = est.export_saved_model(
        os.path.join(os.environ["TMPDIR_PROG"], "export"),
        tf.estimator.export.build_parsing_serving_input_receiver_fn(
            fc.make_parse_example_spec([fc.numeric_column("x")])))
    loaded = sm.load_v2(export, tags=[sm.tag_constants.SERVING])
    function = loaded.signatures[sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
    result = function(**{sc.REGRESS_INPUTS: v1.constant([record])})
    out["served"] = {k: v.numpy() for k, v in result.items()}
    out["contains_saved_model"] = sm.contains_saved_model(export.decode())
    out["v1_load"] = "raises" if isinstance(attempt(lambda: sm.load(
        None, [sm.tag_constants.SERVING], export)), str) else "loads"
    return out
