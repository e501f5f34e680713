"""A served DNN's one-row program: single-example requests skip the batch machinery
(FeatureCache memos, GroupIds, backward contexts) but must give exactly what the
general path gives, and hand every input it was not made for back to that path."""

import os

import numpy as np
import pytest

import cannery
from cannery import checkpoint as ckpt
from cannery import serving
from cannery.core.features import FeatureCache
from tests.helpers.serving import logits_in_forked_child, mismatches_from_threads

fc = cannery.feature_column
EMBEDDINGS = "dnn/input_from_feature_columns/input_layer"


def _columns():
    return [fc.numeric_column("a"), fc.numeric_column("b"),
            fc.embedding_column(fc.categorical_column_with_hash_bucket("c", 4), 2),
            fc.embedding_column(fc.categorical_column_with_hash_bucket("d", 4), 2)]


@pytest.fixture(scope="module")
def predictor(tmp_path_factory):
    base = tmp_path_factory.mktemp("program")
    # The input row is [a, b, c_embedding (2), d_embedding (2)] (columns sorted by name).
    ckpt.write(str(base / "model"), {
        f"{EMBEDDINGS}/c_embedding/embedding_weights":
            np.float32([[0, 0], [0, 0], [1, 2], [3, 4]]),
        f"{EMBEDDINGS}/d_embedding/embedding_weights":
            np.float32([[0.5, 0], [0, 0], [0, -1], [2, 0]]),
        "dnn/hiddenlayer_0/kernel": np.float32([[1, 0], [0, -1], [1, 0], [0, 0], [0, 1],
                                                [1, 0]]),
        "dnn/hiddenlayer_0/bias": np.float32([0.5, 0.5]),
        "dnn/logits/kernel": np.float32([[2], [5]]),
        "dnn/logits/bias": np.float32([-1]),
    }, 7)
    est = cannery.estimator.DNNClassifier([2], _columns(), model_dir=str(base / "model"))
    return serving.load(est.export_saved_model(str(base / "export")))


def _row(a=1.0, b=2.0, c="a", d="b"):
    return {"a": np.float32([a]), "b": np.float32([b]), "c": np.array([c]), "d": np.array([d])}


def _general(predictor, features):
    """The predictions of the batch path (FeatureCache, input layer, few-row forward)."""
    est = predictor._estimator
    _, logits, _ = est._forward(predictor._state, FeatureCache(features), training=False)
    return est.head.predictions(logits)


def _assert_same(out, expected):
    assert out.keys() == expected.keys()
    for key, value in out.items():
        assert value.dtype == expected[key].dtype, key
        np.testing.assert_array_equal(value, expected[key], err_msg=key)


def test_one_row_program_by_hand(predictor):
    out = predictor.predict(_row())
    assert callable(predictor._one_row_program)
    # Fingerprint64(b'a') = 12917804110809363939 = 3 mod 4 -> c row [3, 4];
    # Fingerprint64(b'b') = 11795596070477164822 = 2 mod 4 -> d row [0, -1] (one id:
    # the 'mean' combiner divides by 1). Input [1, 2, 3, 4, 0, -1]:
    # hidden = relu([1 + 3 - 1 + 0.5, -2 + 0 + 0.5]) = [3.5, 0]; logit = 2 * 3.5 - 1 = 6.
    assert out["logits"].tolist() == [[6.0]]
    assert out["class_ids"].tolist() == [[1]]
    _assert_same(out, _general(predictor, _row()))


def test_a_missing_string_is_a_zero_embedding(predictor):
    # d = '' is missing: no id, a zero d_embedding. Input [1, 2, 3, 4, 0, 0]:
    # hidden = relu([1 + 3 + 0.5, -2 + 0.5]) = [4.5, 0]; logit = 2 * 4.5 - 1 = 8.
    out = predictor.predict(_row(d=""))
    assert out["logits"].tolist() == [[8.0]]
    _assert_same(out, _general(predictor, _row(d="")))


@pytest.mark.parametrize("row", [
    dict(_row(), c=np.array([b"a"]), d=np.array([b"b"])),   # bytes: not the program's input
    dict(_row(), a=np.float64([1.0]), b=np.int64([2])),      # other number types
    {k: v.reshape(1, 1) for k, v in _row().items()},         # [1, 1] inputs
    dict(_row(), c=np.array(["a"], dtype="U9")),             # mixed string widths
])
def test_other_single_rows_give_the_same_predictions(predictor, row):
    out = predictor.predict(row)
    assert out["logits"].tolist() == [[6.0]]


def test_declined_input_reaches_the_general_paths_error(predictor):
    with pytest.raises(ValueError, match="UTF-8|surrogate|encode"):
        predictor.predict(_row(c="\ud800"))  # a lone surrogate UTF-8 cannot encode


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """A trained 3-class DNN wide enough (256 units) for per-thread column blocks where
    numba has them, and 64 rows of its input."""
    base = tmp_path_factory.mktemp("wide")
    rng = np.random.default_rng(3)
    columns = [fc.numeric_column("a"), fc.numeric_column("b"),
               fc.embedding_column(fc.categorical_column_with_hash_bucket("c", 50), 8),
               fc.embedding_column(fc.categorical_column_with_hash_bucket("d", 50), 8)]
    est = cannery.estimator.DNNClassifier([256, 256], columns, n_classes=3,
                                          model_dir=str(base / "m"))
    n = 64
    features = {"a": rng.normal(size=n).astype(np.float32),
                "b": rng.normal(size=n).astype(np.float32),
                "c": rng.choice(["x", "yy", "", "zzz", "é"], size=n),
                "d": rng.choice(["p", "", "qq"], size=n)}
    labels = rng.integers(0, 3, n)
    est.train(lambda: cannery.data.Dataset.from_tensor_slices((features, labels)).batch(16))
    rows = [{k: v[i:i + 1] for k, v in features.items()} for i in range(20)]
    return est.export_saved_model(str(base / "export")), rows


def test_random_rows_equal_the_general_path_bit_for_bit(wide):
    export_dir, rows = wide
    predictor = serving.load(export_dir)
    for row in rows:
        _assert_same(predictor.predict(row), _general(predictor, row))
    assert callable(predictor._one_row_program)


def test_concurrent_requests_through_the_program_are_exact(wide):
    export_dir, rows = wide
    assert mismatches_from_threads(serving.load(export_dir), rows) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_after_serving_runs_the_program_on_one_thread(wide):
    # The program was built (and the layers split) before the fork; GNU OpenMP cannot
    # run in the child, which must still answer, with the same numbers.
    export_dir, rows = wide
    predictor = serving.load(export_dir)
    expected = predictor.predict(rows[0])["logits"]
    status, received = logits_in_forked_child(predictor, rows[0])
    assert status == 0
    np.testing.assert_array_equal(np.frombuffer(received, np.float32).reshape(1, 3), expected)


def test_models_without_a_program_serve_as_before(tmp_path):
    # An indicator column is computed on its own (no group program): no one-row
    # program, the general path answers.
    columns = [fc.numeric_column("a"),
               fc.indicator_column(fc.categorical_column_with_vocabulary_list("v", ["x", "y"]))]
    ckpt.write(str(tmp_path / "m"), {
        "dnn/hiddenlayer_0/kernel": np.float32([[1], [2], [3]]),
        "dnn/hiddenlayer_0/bias": np.float32([0]),
        "dnn/logits/kernel": np.float32([[1]]),
        "dnn/logits/bias": np.float32([0]),
    }, 1)
    est = cannery.estimator.DNNRegressor([1], columns, model_dir=str(tmp_path / "m"))
    predictor = serving.load(est.export_saved_model(str(tmp_path / "export")))
    # input [a, one-hot(v)] = [1, 0, 1] for v = 'y': relu(1 + 3) = 4
    out = predictor.predict({"a": np.float32([1.0]), "v": np.array(["y"])})
    assert out["predictions"].tolist() == [[4.0]]
    assert predictor._one_row_program is None


def test_one_json_row_equals_the_array_row(predictor):
    # A list holding one per-example dict of Python scalars (a JSON request) becomes
    # the arrays np.asarray makes of one-element lists: float64 numbers, U strings.
    json_row = [{"a": 1.0, "b": 2, "c": "a", "d": "b"}]
    _assert_same(predictor.predict(json_row), predictor.predict(_row()))
    multi = [{"a": 1.0, "b": 2.0, "c": ["a"], "d": "b"}]  # a list value: the general path
    assert predictor.predict(multi)["logits"].tolist() == [[6.0]]


def test_one_example_as_lists_takes_the_program(predictor):
    # Flat lists become what np.asarray makes of them (as the batch path's
    # normalize_feature does), so they are checked and served like arrays.
    as_lists = {"a": [1.0], "b": [2], "c": ["a"], "d": ["b"]}
    _assert_same(predictor.predict(as_lists), predictor.predict(_row()))
    nested = {"a": [[1.0]], "b": [[2.0]], "c": [["a"]], "d": [["b"]]}  # [1, 1] lists
    assert predictor.predict(nested)["logits"].tolist() == [[6.0]]
    two = {"a": [1.0, 1.0], "b": [2.0, 2.0], "c": ["a", "a"], "d": ["b", ""]}
    assert predictor.predict(two)["logits"].tolist() == [[6.0], [8.0]]
    with pytest.raises(ValueError, match="'a': the export expects float32 values"):
        predictor.predict(dict(as_lists, a=["x"]))


def test_one_example_as_a_dataframe(predictor):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.float32([1.0]), "b": np.int64([2]), "c": ["a"], "d": ["b"]})
    _assert_same(predictor.predict(frame), predictor.predict(_row()))
    # a missing string (NaN in pandas) is TensorFlow's missing value '' (general path)
    frame = pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0], "c": ["a", "a"], "d": ["b", None]})
    assert predictor.predict(frame)["logits"].tolist() == [[6.0], [8.0]]


def test_wide_and_deep_serves_one_row_through_the_general_path(tmp_path):
    # The linear part offers no program, so the model has none; the general path sums
    # the parts' logits: linear w_a * a + bias (1 * 2 + 0.5) plus the DNN's
    # relu(1 * a) * 2 + 0 = 4, so 6.5 for a = 2 (c = '' has no id: zero embedding).
    ckpt.write(str(tmp_path / "m"), {
        "linear/linear_model/a/weights": np.float32([[1.0]]),
        "linear/linear_model/bias_weights": np.float32([0.5]),
        f"{EMBEDDINGS}/c_embedding/embedding_weights": np.zeros((4, 2), np.float32),
        "dnn/hiddenlayer_0/kernel": np.float32([[1], [0], [0]]),
        "dnn/hiddenlayer_0/bias": np.float32([0]),
        "dnn/logits/kernel": np.float32([[2]]),
        "dnn/logits/bias": np.float32([0]),
    }, 1)
    a = fc.numeric_column("a")
    c = fc.embedding_column(fc.categorical_column_with_hash_bucket("c", 4), 2)
    est = cannery.estimator.DNNLinearCombinedRegressor(
        model_dir=str(tmp_path / "m"), linear_feature_columns=[a],
        dnn_feature_columns=[a, c], dnn_hidden_units=[1])
    predictor = serving.load(est.export_saved_model(str(tmp_path / "export")))
    out = predictor.predict({"a": np.float32([2.0]), "c": np.array([""])})
    assert out["predictions"].tolist() == [[6.5]]
    assert predictor._one_row_program is None
