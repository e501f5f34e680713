"""Regressions found by the third sweep of end-to-end programs run under TensorFlow 2.15.1
and cannery (tools/tf_diff/programs/tut3/, see its README). Expected numbers are derived
by hand in each test; TensorFlow's behaviour is cited from its source."""

import os

import numpy as np
import pytest

import cannery as tf

f32 = np.float32
fc = tf.feature_column


# --- a dense feature whose size does not fit its numeric column (tut3/p_numeric_parse.py)
# TF's numeric column reshapes the feature to [batch, prod(shape)]: for a Dataset's batch
# (shape [None, 3]) the reshape fails as the step runs, InvalidArgumentError; for numpy
# or constant inputs (static shapes) as the graph is built, ValueError.

def test_numeric_feature_of_the_wrong_size_is_invalid_argument_and_value_error():
    layer = tf.keras.layers.DenseFeatures([fc.numeric_column("m", shape=(2, 2))])
    bad = {"m": np.zeros((2, 3), f32)}  # 6 values where [2, 4] needs 8
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        layer(bad)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == ("Cannot reshape a tensor with 6 elements to shape [2,4] "
                               "(8 elements) for feature m of shape (2, 2)")


def test_estimator_fed_a_wrongly_shaped_numeric_feature_from_a_dataset(tmp_path):
    est = tf.estimator.LinearRegressor([fc.numeric_column("m", shape=(2, 2))],
                                       model_dir=str(tmp_path))

    def input_fn():
        return tf.data.Dataset.from_tensor_slices(
            ({"m": np.zeros((4, 3), f32)}, np.zeros(4, f32))).batch(4)

    with pytest.raises(tf.errors.InvalidArgumentError, match=r"12 elements to shape \[4,4\]"):
        est.train(input_fn, steps=1)


# --- a custom loss_fn made of TF ops that insist on one dtype (tut3/p_heads_estimators.py)
# cannery differentiates a loss_fn numerically; its float64 calls gave float64 logits with
# float32 labels, which tf.nn.sigmoid_cross_entropy_with_logits refuses (Mul of double and
# float). TF calls loss_fn with float32 labels and logits.

def test_loss_fn_with_sigmoid_cross_entropy_trains_a_binary_head():
    def loss_fn(labels, logits):
        return 2.0 * tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)

    head = tf.estimator.BinaryClassHead(loss_fn=loss_fn, loss_reduction=tf.losses.Reduction.SUM)
    logits = np.array([[0.0], [np.log(3.0)]], f32)
    out = head.loss(logits, head.prepare_labels(np.array([[1], [0]])))
    # per example 2 * (log(1 + e^x) - x z): x = 0, z = 1 -> 2 log 2; x = log 3, z = 0 ->
    # 2 log 4; SUM: 2 log 8. d/dx = 2 (sigmoid(x) - z): 2 (0.5 - 1) = -1, 2 (0.75 - 0) = 1.5
    assert out.training_loss == pytest.approx(2.0 * np.log(8.0), rel=1e-6)
    np.testing.assert_allclose(out.d_logits, [[-1.0], [1.5]], rtol=1e-6)


def test_loss_fn_mixing_a_float32_constant_falls_back_to_float32_differences():
    calls = []

    def loss_fn(labels, logits):
        # tf.math.multiply of tensors insists on one dtype: a float32 constant with the
        # float64 logits of the finite differences fails (TF's logits are float32)
        calls.append(np.asarray(logits).dtype)
        return tf.math.multiply(tf.math.square(tf.convert_to_tensor(logits) - labels),
                                tf.constant(0.5))

    head = tf.estimator.RegressionHead(loss_fn=loss_fn, loss_reduction=tf.losses.Reduction.SUM)
    logits = np.array([[2.0], [-1.0], [0.25]], f32)
    labels = np.array([[0.5], [1.0], [0.25]], f32)
    out = head.loss(logits, head.prepare_labels(labels))
    # 0.5 (x - y)^2: 0.5 * 2.25 + 0.5 * 4 + 0 = 3.125; d/dx = x - y = 1.5, -2, 0 (the
    # five-point stencil is exact for this quadratic up to float32 rounding of the calls)
    assert out.training_loss == pytest.approx(3.125, rel=1e-6)
    np.testing.assert_allclose(out.d_logits, [[1.5], [-2.0], [0.0]], rtol=1e-5, atol=1e-5)
    # the value call, one float64 call that failed, then 4 float32 calls (five points)
    assert calls == [np.float32, np.float64] + [np.float32] * 4


# --- an export is self-contained: vocabulary files are copied to assets/ --------------
# TF's SavedModel copies a vocabulary file into <export>/assets/ and the loaded model reads
# it there, so serving works after the original file is gone (tut3/p_export_all.py).

def _vocabulary_regressor(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\nb\n")
    est = tf.estimator.LinearRegressor(
        [fc.categorical_column_with_vocabulary_file("c", str(vocab))],
        model_dir=str(tmp_path / "model"), optimizer=tf.keras.optimizers.legacy.SGD(1.0))
    est.train(lambda: ({"c": np.array([["a"], ["b"]])}, np.array([[2.0], [4.0]], f32)), steps=1)
    return est, vocab


def test_export_copies_the_vocabulary_file_and_serves_without_it(tmp_path):
    est, vocab = _vocabulary_regressor(tmp_path)
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"c": tf.constant(["a"])})
    path = os.fsdecode(est.export_saved_model(str(tmp_path / "export"), receiver))
    assert open(os.path.join(path, "assets", "vocab.txt")).read() == "a\nb\n"
    os.remove(vocab)
    # one SGD step (lr 1) from zeros on mean squared error over the batch of 2:
    # d/dw_a = (0 - 2) -> w_a = 2; d/dw_b = (0 - 4) -> w_b = 4; d/dbias = -6 -> bias = 6.
    # Predictions: a -> 8, b -> 10, z (not in the vocabulary, no OOV bucket) -> 6.
    out = tf.saved_model.load(path).signatures["predict"](c=tf.constant(["a", "b", "z"]))
    np.testing.assert_allclose(out["predictions"].numpy(), [[8.0], [10.0], [6.0]], rtol=1e-6)


def test_export_of_two_vocabulary_files_of_one_name(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "v.txt").write_text("a\n")
    (tmp_path / "two" / "v.txt").write_text("x\ny\n")
    cols = [fc.categorical_column_with_vocabulary_file("c", str(tmp_path / "one" / "v.txt")),
            fc.categorical_column_with_vocabulary_file("d", str(tmp_path / "two" / "v.txt"))]
    est = tf.estimator.LinearRegressor(cols, model_dir=str(tmp_path / "m"),
                                       optimizer=tf.keras.optimizers.legacy.SGD(1.0))
    est.train(lambda: ({"c": np.array([["a"]]), "d": np.array([["y"]])},
                       np.array([[3.0]], f32)), steps=1)
    path = os.fsdecode(est.export_saved_model(str(tmp_path / "export"), None))
    assert sorted(os.listdir(os.path.join(path, "assets"))) == ["v.txt", "v.txt_1"]
    os.remove(tmp_path / "one" / "v.txt")
    os.remove(tmp_path / "two" / "v.txt")
    # one step of SGD(1) on (p - 3)^2 from zeros: gradient 2 * (0 - 3) = -6 for w_c[a],
    # w_d[y] and the bias, each 6 -> a row with c=a, d=y predicts 18, with d=x 12.
    from cannery.serving import load
    preds = load(path).predict({"c": np.array([["a"], ["a"]]), "d": np.array([["y"], ["x"]])})
    np.testing.assert_allclose(preds["predictions"], [[18.0], [12.0]], rtol=1e-6)


def test_export_fails_when_a_vocabulary_file_is_gone(tmp_path):
    est, vocab = _vocabulary_regressor(tmp_path)
    os.remove(vocab)
    with pytest.raises(ValueError, match=r"column 'c': vocabulary_file .*vocab.txt does not exist"):
        est.export_saved_model(str(tmp_path / "export"), None)


# --- experimental_export_all_saved_models with no valid mode --------------------------
# tensorflow_estimator/python/estimator/estimator.py, _export_all_saved_models: with no
# mode of ModeKeys in the map, ValueError('No valid modes for exporting found. Got {}.'
# .format(input_receiver_fn_map.keys())). (cannery also exports a mode mapped to None,
# with the feature columns' signature, where TF skips it.)

def test_export_all_without_a_valid_mode_has_tensorflows_message(tmp_path):
    est, _ = _vocabulary_regressor(tmp_path)
    with pytest.raises(ValueError) as info:
        est.experimental_export_all_saved_models(str(tmp_path / "e"), {"bogus": None})
    assert str(info.value) == "No valid modes for exporting found. Got dict_keys(['bogus'])."
    with pytest.raises(ValueError) as info:
        est.experimental_export_all_saved_models(str(tmp_path / "e"), {})
    assert str(info.value) == "No valid modes for exporting found. Got dict_keys([])."


# --- a label_vocabulary that is not strings -------------------------------------------
# TF builds the vocabulary's lookup table at the first step and fails with TypeError
# "Expected string, but got 0 of type 'int'." (tut3/p_dnn_variants.py); cannery checks at
# construction, with an error that is a TypeError and (as before) a ValueError.

@pytest.mark.parametrize("make", [
    lambda: tf.estimator.BinaryClassHead(label_vocabulary=[0, 1]),
    lambda: tf.estimator.DNNClassifier([2], [fc.numeric_column("x")], label_vocabulary=[0, 1]),
    lambda: tf.estimator.MultiLabelHead(2, label_vocabulary=[0, 1]),
])
def test_label_vocabulary_of_ints_is_a_type_error(make):
    with pytest.raises(TypeError) as info:
        make()
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "label_vocabulary: Expected string, but got 0 of type 'int'."


def test_a_plugin_column_declares_its_file_fields_for_exports():
    # the built-in vocabulary-file column is found through the same field metadata a
    # plugin's column uses; a type that is not a registered column names no files
    from cannery.core.export import _asset_fields

    assert _asset_fields("categorical_column_with_vocabulary_file") == ("vocabulary_file",)
    assert _asset_fields("numeric_column") == ()
    assert _asset_fields("no_such_column") == ()
