"""tf.saved_model.load of cannery exports: TensorFlow's signatures over serialized
tf.train.Examples (parsing receiver) and raw feature tensors (raw receiver).

The models are linear with weights written by hand, so each output is derived below.
"""

import os

import numpy as np
import pytest

import cannery as tf
from cannery import checkpoint as ckpt
from cannery.core.eager_tensor import EagerTensor, TensorSpec
from cannery.errors import InvalidArgumentError

fc = tf.feature_column

# logit = 2 x + 0.5 d + [1, -1][c] + [0, .5, 0, .25, 0][k] + 0.25   (sum over a row's ids;
# d defaults to 3.0, x has no default; an out-of-vocabulary c adds nothing)
COLUMNS = [fc.numeric_column("x"), fc.numeric_column("d", default_value=3.0),
           fc.categorical_column_with_vocabulary_list("c", ["a", "b"]),
           fc.categorical_column_with_identity("k", 5)]
WEIGHTS = {
    "linear/linear_model/x/weights": np.float32([[2.0]]),
    "linear/linear_model/d/weights": np.float32([[0.5]]),
    "linear/linear_model/c/weights": np.float32([[1.0], [-1.0]]),
    "linear/linear_model/k/weights": np.float32([[0.0], [0.5], [0.0], [0.25], [0.0]]),
    "linear/linear_model/bias_weights": np.float32([0.25]),
}


def _example(x=None, d=None, c=None, k=None):
    e = tf.train.Example()
    if x is not None:
        e.features.feature["x"].float_list.value.append(x)
    if d is not None:
        e.features.feature["d"].float_list.value.append(d)
    if c is not None:
        e.features.feature["c"].bytes_list.value.extend(c)
    if k is not None:
        e.features.feature["k"].int64_list.value.extend(k)
    return e.SerializeToString()


RECORDS = [
    _example(x=1.5, c=[b"a"], k=[3]),  # 3 + 0.5*3 (default) + 1 + 0.25 + 0.25 = 6.0
    _example(x=-1.0, d=1.0, c=[b"b", b"a"], k=[1]),  # -2 + 0.5 - 1 + 1 + 0.5 + 0.25 = -0.75
    _example(x=-0.5, k=[4]),  # -1 + 1.5 + 0 + 0 + 0.25 = 0.75
    _example(x=-3.0, d=-2.0, c=[b"q"], k=[1, 3]),  # -6 - 1 + 0 + 0.75 + 0.25 = -6.0
]
LOGITS = np.float32([[6.0], [-0.75], [0.75], [-6.0]])
LOGISTIC = 1 / (1 + np.exp(-LOGITS.astype(np.float64)))


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("saved_model")
    model_dir = str(base / "model")
    ckpt.write(model_dir, WEIGHTS, 5)
    classifier = tf.estimator.LinearClassifier(COLUMNS, model_dir=model_dir)
    parsing = classifier.export_saved_model(
        str(base / "parsing"), tf.estimator.export.build_parsing_serving_input_receiver_fn(
            fc.make_parse_example_spec(COLUMNS)))
    raw = classifier.export_saved_model(
        str(base / "raw"), tf.estimator.export.build_raw_serving_input_receiver_fn(
            {"x": np.float32([1.0]), "d": np.float32([1.0]), "c": np.array([["a"]]),
             "k": np.int64([[1]])}))
    regressor = tf.estimator.LinearRegressor(COLUMNS, model_dir=model_dir)
    regression = regressor.export_saved_model(
        str(base / "regression"), tf.estimator.export.build_parsing_serving_input_receiver_fn(
            fc.make_parse_example_spec(COLUMNS), default_batch_size=4))
    return {"parsing": parsing, "raw": raw, "regression": regression, "base": str(base)}


def test_classifier_signatures(exports):
    imported = tf.saved_model.load(exports["parsing"])
    assert set(imported.signatures) == {"predict", "serving_default", "classification",
                                        "regression"}
    predict = imported.signatures["predict"]
    assert predict.structured_input_signature == (
        (), {"examples": TensorSpec((None,), tf.string, name="examples")})
    for name in ("serving_default", "classification", "regression"):
        assert imported.signatures[name].structured_input_signature == (
            (), {"inputs": TensorSpec((None,), tf.string, name="inputs")})
    assert {k: (v.shape, v.dtype.name) for k, v in predict.structured_outputs.items()} == {
        "logits": ((None, 1), "float32"), "logistic": ((None, 1), "float32"),
        "probabilities": ((None, 2), "float32"), "class_ids": ((None, 1), "int64"),
        "classes": ((None, 1), "string"), "all_class_ids": ((None, 2), "int32"),
        "all_classes": ((None, 2), "string")}


def test_signature_order_is_tensorflows(exports):
    from cannery.core.example_proto import _upb_hash  # checked against upb's code elsewhere

    slots = {k: _upb_hash(k.encode()) & 7 for k in
             ("serving_default", "classification", "regression", "predict")}
    assert slots == {"serving_default": 1, "classification": 2, "regression": 0, "predict": 0}
    # Filled in sorted order into an 8-slot table: classification 2, predict 0, regression
    # collides with predict (at home) -> next free slot 1; serving_default's home 1 holds
    # regression, away from its home 0 -> regression moves to the next free slot, 3.
    # Slot order is the order TF 2.15 lists them in.
    imported = tf.saved_model.load(exports["parsing"])
    assert list(imported.signatures) == ["predict", "serving_default", "classification",
                                         "regression"]


def test_predict_outputs_by_hand(exports):
    imported = tf.saved_model.load(exports["parsing"])
    out = imported.signatures["predict"](examples=tf.constant(RECORDS))
    assert all(isinstance(v, EagerTensor) for v in out.values())
    np.testing.assert_allclose(out["logits"].numpy(), LOGITS, rtol=1e-6)
    np.testing.assert_allclose(out["logistic"].numpy(), LOGISTIC, rtol=1e-6)
    np.testing.assert_allclose(out["probabilities"].numpy(),
                               np.hstack([1 - LOGISTIC, LOGISTIC]), rtol=1e-6, atol=1e-7)
    assert out["class_ids"].numpy().tolist() == [[1], [0], [1], [0]]  # logit > 0
    assert out["class_ids"].dtype == np.int64 and out["all_class_ids"].dtype == np.int32
    assert out["classes"].numpy().tolist() == [[b"1"], [b"0"], [b"1"], [b"0"]]
    assert out["all_classes"].numpy().tolist() == [[b"0", b"1"]] * 4
    assert out["logits"].shape == (4, 1) and type(out["logits"].numpy()) is np.ndarray


def test_classification_and_regression_outputs(exports):
    imported = tf.saved_model.load(exports["parsing"])
    for name in ("serving_default", "classification"):
        out = imported.signatures[name](inputs=tf.constant(RECORDS))
        assert set(out) == {"classes", "scores"}
        assert out["classes"].numpy().tolist() == [[b"0", b"1"]] * 4  # all_classes
        np.testing.assert_allclose(out["scores"].numpy()[:, 1], LOGISTIC[:, 0], rtol=1e-6)
    out = imported.signatures["regression"](inputs=tf.constant(RECORDS))
    assert set(out) == {"outputs"}
    np.testing.assert_allclose(out["outputs"].numpy(), LOGISTIC, rtol=1e-6)  # the logistic


def test_regressor_export(exports):
    imported = tf.saved_model.load(exports["regression"])
    assert set(imported.signatures) == {"predict", "serving_default", "regression"}
    fn = imported.signatures["serving_default"]
    # default_batch_size=4 fixes the batch dimension of the inputs and outputs
    assert fn.structured_input_signature[1]["inputs"].shape == (4,)
    assert fn.structured_outputs["outputs"].shape == (4, 1)
    np.testing.assert_allclose(fn(inputs=tf.constant(RECORDS))["outputs"].numpy(), LOGITS,
                               rtol=1e-6)
    assert list(imported.signatures["predict"](examples=tf.constant(RECORDS))) == ["predictions"]


def test_raw_receiver(exports):
    imported = tf.saved_model.load(exports["raw"])
    assert list(imported.signatures) == ["predict"]  # no single string tensor to classify
    fn = imported.signatures["predict"]
    assert fn.structured_input_signature[1] == {
        "c": TensorSpec((None, 1), tf.string, name="c"),
        "d": TensorSpec((None,), tf.float32, name="d"),
        "k": TensorSpec((None, 1), tf.int64, name="k"),
        "x": TensorSpec((None,), tf.float32, name="x")}
    out = fn(x=tf.constant([1.5, -0.5]), d=tf.constant([3.0, 0.0]),
             c=tf.constant([["a"], ["z"]]), k=np.int64([[3], [1]]))
    # row 0: 3 + 1.5 + 1 + 0.25 + 0.25 = 6.0; row 1: -1 + 0 + 0 + 0.5 + 0.25 = -0.25
    np.testing.assert_allclose(out["logits"].numpy(), [[6.0], [-0.25]], rtol=1e-6)
    with pytest.raises(InvalidArgumentError, match=r"was expected to be a float tensor but is "
                                                   r"a double tensor .*\(input 'x'\)"):
        fn(x=np.float64([1.0]), d=np.float32([1.0]), c=np.array([["a"]]), k=np.int64([[1]]))


def test_positional_call_and_binding_errors(exports):
    fn = tf.saved_model.load(exports["parsing"]).signatures["serving_default"]
    records = tf.constant(RECORDS)
    np.testing.assert_array_equal(fn(records)["scores"], fn(inputs=records)["scores"])
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'examples'") as info:
        fn(examples=records)
    assert "missing required arguments: inputs." in str(info.value)
    with pytest.raises(TypeError, match="got unexpected keyword arguments: foo."):
        fn(inputs=records, foo=records)
    with pytest.raises(TypeError, match="too many positional arguments"):
        fn(records, records)
    with pytest.raises(ValueError, match="Signature specifies 1 arguments, got: 0"):
        fn()
    with pytest.raises(InvalidArgumentError, match="expected to be a string tensor but is a "
                                                   "float tensor"):
        fn(inputs=tf.constant([1.0]))


def test_parse_errors_name_the_feature(exports):
    fn = tf.saved_model.load(exports["parsing"]).signatures["predict"]
    with pytest.raises(InvalidArgumentError) as info:
        fn(examples=tf.constant([_example(d=1.0, c=[b"a"], k=[1])]))
    message = str(info.value)
    assert message.startswith("Graph execution error:")
    assert "Name: <unknown>, Feature: x (data type: float) is required but could not be " \
           "found." in message
    with pytest.raises(InvalidArgumentError, match="Expected serialized to be a scalar or "
                                                   r"vector, got shape: \[1,1\]"):
        fn(examples=np.array([[RECORDS[0]]], dtype=object))


def test_records_ending_in_nul_bytes_survive_a_list(exports):
    # float 0.0 (00 00 00 00) and int64 0 (00): whichever entry comes last, the record
    # ends in 00, which numpy's bytes dtype would drop
    record = _example(x=0.0, k=[0])
    assert record.endswith(b"\x00")
    fn = tf.saved_model.load(exports["parsing"]).signatures["predict"]
    # 0 + 0.5 * 3 (default d) + 0 + 0 + 0.25 = 1.75
    np.testing.assert_allclose(fn(examples=[record])["logits"].numpy(), [[1.75]], rtol=1e-6)


def test_load_errors(exports, tmp_path):
    with pytest.raises(OSError, match="SavedModel file does not exist at: .*nope/"
                                      r"\{saved_model.pbtxt\|saved_model.pb\}"):
        tf.saved_model.load(os.path.join(exports["base"], "nope"))
    (tmp_path / "saved_model.pb").write_bytes(b"")
    with pytest.raises(ValueError, match="SavedModel written by TensorFlow"):
        tf.saved_model.load(str(tmp_path))
    with pytest.raises(RuntimeError, match="MetaGraphDef associated with tags 'train' could "
                                           r"not be found .* available tags '\[\{'serve'\}\]'"):
        tf.saved_model.load(exports["parsing"], tags=["train"])
    assert list(tf.saved_model.load(exports["parsing"], tags="serve").signatures) == \
        list(tf.saved_model.load(exports["parsing"], tags={tf.saved_model.SERVING}).signatures)
    with pytest.raises(KeyError):
        tf.saved_model.load(exports["parsing"]).signatures["nope"]
    assert tf.saved_model.contains_saved_model(exports["parsing"].decode())
    assert not tf.saved_model.contains_saved_model(exports["base"])


def test_multi_mode_export_needs_tags(tmp_path):
    model_dir = str(tmp_path / "model")
    ckpt.write(model_dir, WEIGHTS, 5)
    est = tf.estimator.LinearClassifier(COLUMNS, model_dir=model_dir)
    sup = tf.estimator.experimental.build_raw_supervised_input_receiver_fn(
        {"x": np.float32([1.0])}, np.int64([1]))
    path = est.experimental_export_all_saved_models(str(tmp_path / "all"), {
        tf.estimator.ModeKeys.PREDICT: tf.estimator.export.build_parsing_serving_input_receiver_fn(
            fc.make_parse_example_spec(COLUMNS)),
        tf.estimator.ModeKeys.EVAL: sup})
    with pytest.raises(ValueError, match=r"there are 2 MetaGraphs in the SavedModel with tag "
                                         r"sets: \[\['eval'\], \['serve'\]\]"):
        tf.saved_model.load(path)
    assert "predict" in tf.saved_model.load(path, tags=["serve"]).signatures
    with pytest.raises(NotImplementedError, match="serves the 'serve' MetaGraph"):
        tf.saved_model.load(path, tags="eval")


def test_constants_and_tensor_repr():
    assert (tf.saved_model.SERVING, tf.saved_model.tag_constants.SERVING) == ("serve", "serve")
    assert tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY == \
        tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY == "serving_default"
    assert tf.saved_model.CLASSIFY_INPUTS == "inputs"
    assert tf.saved_model.PREDICT_METHOD_NAME == "tensorflow/serving/predict"
    t = np.float32([[0.25, 0.75]]).view(EagerTensor)
    assert repr(t) == ("<tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[0.25, 0.75]], "
                       "dtype=float32)>")
    assert str(t) == "tf.Tensor([[0.25 0.75]], shape=(1, 2), dtype=float32)"
    assert repr(TensorSpec((None,), "string", name="examples")) == \
        "TensorSpec(shape=(None,), dtype=tf.string, name='examples')"


def test_multi_head_signatures(tmp_path):
    # logits = x [2, -1] + [0.5, 1.0]: the first column is h1's (binary), the second h2's
    model_dir = str(tmp_path / "model")
    ckpt.write(model_dir, {"linear/linear_model/x/weights": np.float32([[2.0, -1.0]]),
                           "linear/linear_model/bias_weights": np.float32([0.5, 1.0])}, 1)
    head = tf.estimator.MultiHead([tf.estimator.BinaryClassHead(name="h1"),
                                   tf.estimator.RegressionHead(name="h2")])
    est = tf.estimator.LinearEstimator(head, [fc.numeric_column("x")], model_dir=model_dir)
    path = est.export_saved_model(str(tmp_path / "export"),
                                  tf.estimator.export.build_parsing_serving_input_receiver_fn(
                                      fc.make_parse_example_spec([fc.numeric_column("x")])))
    signatures = tf.saved_model.load(path).signatures
    # TF's MultiHead: the first head's default as serving_default, per head <name> (its
    # default), <name>/<classification|regression|predict>, and a merged predict
    assert set(signatures) == {"serving_default", "predict", "h1", "h1/classification",
                               "h1/regression", "h1/predict", "h2", "h2/regression",
                               "h2/predict"}
    records = tf.constant([_example(x=1.0), _example(x=-1.0)])
    # x = 1: h1 logit 2.5, h2 0.0; x = -1: h1 -1.5, h2 2.0
    merged = signatures["predict"](examples=records)
    assert set(merged) == {f"h1/{k}" for k in ("logits", "logistic", "probabilities",
                                               "class_ids", "classes", "all_class_ids",
                                               "all_classes")} | {"h2/predictions"}
    np.testing.assert_allclose(merged["h1/logits"].numpy(), [[2.5], [-1.5]], rtol=1e-6)
    np.testing.assert_allclose(merged["h2/predictions"].numpy(), [[0.0], [2.0]], atol=1e-6)
    assert merged["h1/class_ids"].numpy().tolist() == [[1], [0]]
    np.testing.assert_allclose(signatures["h2"](inputs=records)["outputs"].numpy(),
                               [[0.0], [2.0]], atol=1e-6)
    scores = signatures["serving_default"](inputs=records)["scores"].numpy()
    np.testing.assert_allclose(scores[:, 1], 1 / (1 + np.exp([-2.5, 1.5])), rtol=1e-6)
    assert signatures["h1/predict"].structured_input_signature[1].keys() == {"examples"}
