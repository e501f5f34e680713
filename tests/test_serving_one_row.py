"""Single-example serving: the fast input check and one-row predictions keep exact outputs."""

import numpy as np
import pytest

import cannery
from cannery import checkpoint as ckpt
from cannery import serving

fc = cannery.feature_column


@pytest.fixture(scope="module")
def predictor(tmp_path_factory):
    base = tmp_path_factory.mktemp("one_row")
    # logit = 2 a - b + [1, -1][hash(c) % 2] + [0.5, 0.25][hash(d) % 2] + 0.25
    columns = [fc.numeric_column("a"), fc.numeric_column("b"),
               fc.categorical_column_with_hash_bucket("c", 2),
               fc.categorical_column_with_hash_bucket("d", 2)]
    ckpt.write(str(base / "model"), {
        "linear/linear_model/a/weights": np.float32([[2.0]]),
        "linear/linear_model/b/weights": np.float32([[-1.0]]),
        "linear/linear_model/c/weights": np.float32([[1.0], [-1.0]]),
        "linear/linear_model/d/weights": np.float32([[0.5], [0.25]]),
        "linear/linear_model/bias_weights": np.float32([0.25]),
    }, 3)
    est = cannery.estimator.LinearClassifier(columns, model_dir=str(base / "model"))
    return serving.load(est.export_saved_model(str(base / "export")))


def _row(a=1.0, b=0.5, c="a", d="b"):
    return {"a": np.float32([a]), "b": np.float64([b]), "c": np.array([c]), "d": np.array([d])}


def test_one_row_by_hand(predictor):
    out = predictor.predict(_row())
    # REFERENCE.md §4.4: Fingerprint64(b'a') = 12917804110809363939, odd -> bucket 1 of 2,
    # weight -1; Fingerprint64(b'b') = 11795596070477164822, even -> bucket 0, weight 0.5:
    # logit = 2*1 - 0.5 - 1 + 0.5 + 0.25 = 1.25.
    np.testing.assert_allclose(out["logits"], [[1.25]], rtol=1e-6)
    assert out["logits"].dtype == np.float32
    assert out["class_ids"].tolist() == [[1]] and out["class_ids"].dtype == np.int64
    assert out["classes"].tolist() == [[b"1"]]
    assert out["all_classes"].tolist() == [[b"0", b"1"]]
    assert out["all_class_ids"].tolist() == [[0, 1]] and out["all_class_ids"].dtype == np.int32
    expected_p = 1 / (1 + np.exp(-1.25))
    np.testing.assert_allclose(out["probabilities"], [[1 - expected_p, expected_p]], rtol=1e-6)


def test_one_row_equals_its_row_in_a_batch(predictor):
    batch = {"a": np.float32([3.0, 1.0, 0.0]), "b": np.float64([0.0, 0.5, -2.0]),
             "c": np.array(["x", "a", ""]), "d": np.array(["", "b", "zz"])}
    together = predictor.predict(batch)
    for i in range(3):
        alone = predictor.predict({k: v[i:i + 1] for k, v in batch.items()})
        assert alone.keys() == together.keys()
        for key, value in alone.items():
            assert value.dtype == together[key].dtype
            np.testing.assert_array_equal(value, together[key][i:i + 1])


@pytest.mark.parametrize("features, message", [
    (dict(_row(), c=np.float32([1.0])), "'c': the export expects strings"),
    (dict(_row(), a=np.array(["1"])), "'a': the export expects float32 values"),
    (dict(_row(), e=np.float32([1.0])), "'e' is not in the export's signature"),
    ({k: v for k, v in _row().items() if k != "d"}, "Feature d is not in features dictionary"),
])
def test_the_fast_check_still_rejects(predictor, features, message):
    with pytest.raises(ValueError, match=message):
        predictor.predict(features)


def test_non_array_inputs_still_accepted(predictor):
    # A list, a bytes array and an object array take the general checks and still predict.
    features = dict(_row(), a=[1.0], c=np.array([b"a"]), d=np.array(["b"], dtype=object))
    np.testing.assert_allclose(predictor.predict(features)["logits"], [[1.25]], rtol=1e-6)


@pytest.mark.parametrize("c_dtype, d_dtype", [("U1", "U1"), ("U1", "U7"), ("U4", "U4")])
@pytest.mark.parametrize("a_dtype, b_dtype", [(np.float32, np.float32),
                                              (np.float32, np.float64), (np.int64, np.float32)])
def test_one_row_inputs_of_any_width_and_number_type(predictor, c_dtype, d_dtype,
                                                     a_dtype, b_dtype):
    # As in test_one_row_by_hand, with a = 3: logit = 2*3 - 0.5 - 1 + 0.5 + 0.25 = 5.25,
    # whatever the inputs' widths and types (same-width strings and all-float32 numbers
    # take the joined-buffer paths, the others numpy's concatenate).
    row = {"a": np.array([3], a_dtype), "b": np.array([0.5], b_dtype),
           "c": np.array(["a"], c_dtype), "d": np.array(["b"], d_dtype)}
    assert predictor.predict(row)["logits"].tolist() == [[5.25]]
