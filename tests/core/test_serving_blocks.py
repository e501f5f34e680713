"""Served DNN layers split over threads, and the one-row input fast paths behind serving.

The split kernel must be bit for bit the serial few-row kernel (each output the same
sum in the same order), whatever the block widths; a served export must give exactly
what the estimator gives for the same row.
"""

import os

import numpy as np
import pytest

import cannery
from cannery import checkpoint as ckpt
from cannery import serving
from cannery.core import dnn
from cannery.core.features import FeatureCache
from cannery.core.kernels.dnn import few_rows_dense, few_rows_dense_split, split_columns
from cannery.core.model import FrozenVariables
from tests.helpers.serving import logits_in_forked_child, mismatches_from_threads

fc = cannery.feature_column


@pytest.mark.parametrize("rows", [1, 2, 4])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("widths", [[5, 5], [3, 7], [4, 3, 3], [10]])
def test_split_kernel_is_the_serial_kernel_bit_for_bit(rows, relu, widths):
    rng = np.random.default_rng(rows * 10 + len(widths))
    x = rng.normal(size=(rows, 13)).astype(np.float32)
    x[0, [2, 5, 6]] = 0.0  # skipped weight rows, as after a relu
    w = rng.normal(size=(13, 10)).astype(np.float32)
    b = rng.normal(size=10).astype(np.float32)
    blocks = split_columns(w, b, widths)
    np.testing.assert_array_equal(few_rows_dense_split(x, *blocks, relu),
                                  few_rows_dense(x, w, b, relu))


def test_split_columns_layout():
    w = np.arange(12, dtype=np.float32).reshape(2, 6)
    b = np.arange(6, dtype=np.float32)
    w_parts, b_parts, starts, widths = split_columns(w, b, [4, 2])
    assert w_parts.shape == (2, 2, 4) and w_parts.flags.c_contiguous
    assert starts.tolist() == [0, 4] and widths.tolist() == [4, 2]
    np.testing.assert_array_equal(w_parts[1], [[4, 5, 0, 0], [10, 11, 0, 0]])  # zero padded
    np.testing.assert_array_equal(b_parts, [[0, 1, 2, 3], [4, 5, 0, 0]])


@pytest.mark.parametrize("widths", [[4, 1], [6, 0], [7]])
def test_split_columns_rejects_blocks_not_covering_the_layer(widths):
    with pytest.raises(ValueError, match="do not cover 6 units"):
        split_columns(np.zeros((2, 6), np.float32), np.zeros(6, np.float32), widths)


@pytest.mark.parametrize("units, threads, expected", [
    (1024, 2, [512, 512]), (300, 2, [150, 150]), (257, 2, [129, 128]),
    (255, 2, [255]), (1024, 1, [1024]), (1024, 3, [342, 341, 341])])
def test_block_widths(units, threads, expected):
    assert dnn._block_widths(units, threads) == expected


@pytest.fixture(scope="module")
def dnn_export(tmp_path_factory):
    base = tmp_path_factory.mktemp("blocks")
    rng = np.random.default_rng(7)
    columns = [fc.numeric_column("n", shape=(3,)),
               fc.embedding_column(fc.categorical_column_with_hash_bucket("c", 50), 4)]
    # Input 3 + 4 = 7 wide (sorted names: c_embedding, then n); two layers wide enough
    # to be split (>= 2 x 128 units).
    variables = {
        "dnn/input_from_feature_columns/input_layer/c_embedding/embedding_weights":
            rng.normal(size=(50, 4)).astype(np.float32),
        "dnn/hiddenlayer_0/kernel": rng.normal(0, 0.3, size=(7, 300)).astype(np.float32),
        "dnn/hiddenlayer_0/bias": rng.normal(0, 0.1, size=300).astype(np.float32),
        "dnn/hiddenlayer_1/kernel": rng.normal(0, 0.1, size=(300, 257)).astype(np.float32),
        "dnn/hiddenlayer_1/bias": rng.normal(0, 0.1, size=257).astype(np.float32),
        "dnn/logits/kernel": rng.normal(0, 0.1, size=(257, 1)).astype(np.float32),
        "dnn/logits/bias": np.float32([0.1]),
    }
    ckpt.write(str(base / "model"), variables, 5)
    est = cannery.estimator.DNNClassifier([300, 257], columns, model_dir=str(base / "model"))
    return est, est.export_saved_model(str(base / "export")), variables


def _rows(count):
    rng = np.random.default_rng(11)
    return [{"n": rng.normal(size=(1, 3)).astype(np.float32),
             "c": np.array([f"k{rng.integers(1000)}"])} for _ in range(count)]


def test_served_layers_are_split_and_exact(dnn_export, monkeypatch):
    est, export_dir, variables = dnn_export
    monkeypatch.setattr(dnn, "_serving_threads", lambda: 2)
    predictor = serving.load(export_dir)
    network = predictor._estimator._get_definition().parts[0].network
    for row in _rows(6):
        served = predictor.predict(row)
        (expected,) = est.predict(lambda row=row: row, yield_single_examples=False)
        assert served.keys() == expected.keys()
        for key in served:
            np.testing.assert_array_equal(served[key], expected[key])
        # And against float64 arithmetic, written out: relu(relu(x W0 + b0) W1 + b1) W2 + b2.
        table = variables["dnn/input_from_feature_columns/input_layer/c_embedding/"
                          "embedding_weights"].astype(np.float64)
        bucket = int(cannery.feature_column.categorical_column_with_hash_bucket(
            "c", 50).transform_ids(FeatureCache(row)).ids[0])
        x = np.concatenate([table[bucket], row["n"][0]])
        h = np.maximum(x @ variables["dnn/hiddenlayer_0/kernel"] +
                       variables["dnn/hiddenlayer_0/bias"], 0)
        h = np.maximum(h @ variables["dnn/hiddenlayer_1/kernel"] +
                       variables["dnn/hiddenlayer_1/bias"], 0)
        logit = h @ variables["dnn/logits/kernel"][:, 0] + 0.1
        np.testing.assert_allclose(served["logits"][0, 0], logit, rtol=1e-5, atol=1e-6)
    blocks = predictor._state.variables.derived[(network.logits_kernel, "column_blocks")]
    assert [None if b is None else b[3].tolist() for b in blocks] == [[150, 150], [129, 128]]


def test_single_thread_serving_keeps_the_serial_kernel(dnn_export, monkeypatch):
    _, export_dir, _ = dnn_export
    monkeypatch.setattr(dnn, "_serving_threads", lambda: 1)
    predictor = serving.load(export_dir)
    predictor.predict(_rows(1)[0])
    network = predictor._estimator._get_definition().parts[0].network
    assert predictor._state.variables.derived[(network.logits_kernel, "column_blocks")] == \
        [None, None]


def test_training_variables_never_get_blocks(dnn_export):
    est, _, _ = dnn_export
    network = est._get_definition().parts[0].network
    assert network._layer_blocks({}) == [None, None]
    frozen = FrozenVariables({"a": np.zeros(1)})
    assert frozen.derived == {} and dict(frozen) == {"a": np.zeros(1)}


# --- the batch size the signature check hands over ------------------------------------
def test_feature_cache_batch_size_hint_is_still_checked():
    cache = FeatureCache({"x": np.zeros(2), "y": np.zeros(3)}, batch_size=2)
    assert cache.batch_size == 2
    cache.raw("x")
    with pytest.raises(ValueError, match="Feature y: expected batch size 2"):
        cache.raw("y")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_process_forked_after_serving_still_serves(dnn_export):
    # GNU OpenMP cannot run in a child forked after the parent started numba's threads
    # (numba terminates the child): a pre-forking server that loaded the model first
    # must still answer, with the same numbers, on one thread.
    _, export_dir, _ = dnn_export
    predictor = serving.load(export_dir)
    row = _rows(1)[0]
    expected = predictor.predict(row)["logits"]
    status, received = logits_in_forked_child(predictor, row)
    assert status == 0
    np.testing.assert_array_equal(np.frombuffer(received, np.float32).reshape(1, 1), expected)


def test_concurrent_predictions_from_threads_are_exact(dnn_export):
    # Server threads share one Predictor; the split kernel runs in numba's thread pool
    # (thread-safe layers only) and must give every thread its own exact answer.
    _, export_dir, _ = dnn_export
    assert mismatches_from_threads(serving.load(export_dir), _rows(20)) == []
