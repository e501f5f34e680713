"""tf.estimator.add_metrics (tensorflow_estimator 2.15 ``extenders.py``) end to end.

The model is a LinearClassifier written with chosen weights (x weight 1, bias 0), so
the logit of an example is its ``x``. Five examples in batches of 3 and 2:

    x (= logit)   2     -1     3      1     -2
    label         1      1     0      1      0
    w             3      1     1      1      3
    class_id      1      0     1      1      0
    logistic    .881   .269   .953   .731   .119

Every added metric is checked against its value over ALL five examples, worked out
by hand, and chosen to differ from the mean of the two per-batch values.
"""

import numpy as np
import pytest

import cannery as tf
from cannery import checkpoint as ckpt

fc = tf.feature_column

X = np.float32([[2], [-1], [3], [1], [-2]])
W = np.float32([3, 1, 1, 1, 3])
LABELS = np.float32([[1], [1], [0], [1], [0]])


def input_fn():
    return tf.data.Dataset.from_tensor_slices(({"x": X, "w": W}, LABELS)).batch(3)


@pytest.fixture
def estimator(tmp_path):
    ckpt.write(str(tmp_path / "model"), {"linear/linear_model/x/weights": np.float32([[1.0]]),
                                         "linear/linear_model/bias_weights": np.float32([0.0])},
               7)
    return tf.estimator.LinearClassifier([fc.numeric_column("x")],
                                         model_dir=str(tmp_path / "model"))


def test_labels_and_predictions_over_all_batches_and_an_overridden_key(estimator):
    def metric_fn(labels, predictions):
        accuracy = tf.keras.metrics.Accuracy()
        accuracy.update_state(labels, predictions["class_ids"])
        precision = tf.keras.metrics.Precision(thresholds=[0.3, 0.9])
        precision.update_state(labels, predictions["logistic"])
        strict = tf.keras.metrics.BinaryAccuracy(threshold=0.9)
        strict.update_state(labels, predictions["logistic"])
        return {"my_accuracy": accuracy, "precision_at": precision, "accuracy": strict}

    extended = tf.estimator.add_metrics(estimator, metric_fn)
    result = extended.evaluate(input_fn)
    base = estimator.evaluate(input_fn)
    # class_ids [1, 0, 1, 1, 0] vs labels [1, 1, 0, 1, 0]: matches [1, 0, 0, 1, 1] -> 3/5
    # (the per-batch values 1/3 and 1 average to 2/3).
    assert result["my_accuracy"] == np.float32(0.6)
    assert base["accuracy"] == np.float32(0.6)
    # "accuracy" is replaced: logistic > 0.9 only for x = 3, so predicted [0, 0, 1, 0, 0]
    # vs labels [1, 1, 0, 1, 0] matches only the last example -> 1/5.
    assert result["accuracy"] == np.float32(0.2)
    # Precision at 0.3: positives x = 2, 3, 1 (logistic .881, .953, .731) with labels
    # 1, 0, 1 -> 2/3; at 0.9: only x = 3, label 0 -> 0. A vector result, as in TF.
    np.testing.assert_array_equal(result["precision_at"], np.float32([2 / 3, 0]))
    assert result["precision_at"].dtype == np.float32
    # Everything else is the head's, unchanged.
    for key, value in base.items():
        if key != "accuracy":
            assert result[key] == value, key
    assert set(result) == set(base) | {"my_accuracy", "precision_at"}
    assert isinstance(result["my_accuracy"], np.float32)


def test_metric_fn_with_features(estimator):
    def metric_fn(labels, predictions, features):
        mean = tf.keras.metrics.Mean()
        mean.update_state(predictions["logits"], sample_weight=features["w"])
        auc = tf.keras.metrics.AUC()
        auc.update_state(labels, predictions["logistic"], sample_weight=features["w"])
        return {"weighted_logit_mean": mean, "weighted_auc": auc}

    result = tf.estimator.add_metrics(estimator, metric_fn).evaluate(input_fn)
    # sum w x = 6 - 1 + 3 + 1 - 6 = 3 over sum w = 9 -> 1/3
    # (per batch: 8/5 and -5/4, whose mean is 0.175).
    assert result["weighted_logit_mean"] == np.float32(1 / 3)
    # Weighted ROC AUC: the five logistic values fall in distinct buckets of 200, so the
    # AUC is the weighted fraction of (positive, negative) pairs ranked right.
    # positives (x, w): (2, 3), (-1, 1), (1, 1); negatives: (3, 1), (-2, 3).
    # Right pairs: every positive above x = -2 (weight 3): (3 + 1 + 1) * 3 = 15; none above
    # x = 3. Total pair weight (3 + 1 + 1) * (1 + 3) = 20 -> 15/20 (per batch: 0 and 1).
    assert result["weighted_auc"] == pytest.approx(0.75, abs=1e-7)


def test_metric_fn_with_all_four_arguments(estimator):
    seen = []

    def metric_fn(features, labels, predictions, config):
        seen.append((config.model_dir, sorted(features), sorted(predictions)))
        total = tf.keras.metrics.Sum()
        total.update_state(labels)
        return {"label_sum": total}

    result = tf.estimator.add_metrics(estimator, metric_fn).evaluate(input_fn)
    assert result["label_sum"] == 3.0  # 1 + 1 + 0 + 1 + 0
    assert len(seen) == 2  # once per batch
    assert seen[0] == (estimator.model_dir, ["w", "x"],
                       ["all_class_ids", "all_classes", "class_ids", "classes", "logistic",
                        "logits", "probabilities"])


def test_a_metric_created_outside_and_a_second_update_state_count_like_tf(estimator):
    shared = tf.keras.metrics.Sum(name="shared")

    def metric_fn(labels):
        shared.update_state(labels)
        shared.update_state(labels * 100)  # TF runs only metric.updates[0] per batch
        return {"shared_sum": shared}

    result = tf.estimator.add_metrics(estimator, metric_fn).evaluate(input_fn)
    assert result["shared_sum"] == 3.0  # the labels once each, not 303 nor doubled


def test_chained_add_metrics_later_overrides_earlier(estimator):
    def first(labels):
        m = tf.keras.metrics.Sum()
        m.update_state(labels)
        return {"s": m, "first_only": m}

    def second(labels):
        m = tf.keras.metrics.Mean()
        m.update_state(labels)
        return {"s": m}

    result = tf.estimator.add_metrics(tf.estimator.add_metrics(estimator, first),
                                      second).evaluate(input_fn)
    assert result["s"] == np.float32(0.6)  # Mean of the labels: 3/5
    assert result["first_only"] == 3.0


def test_bad_argument_name_raises_tfs_message(estimator):
    def metric_fn(labels, logits):
        raise AssertionError("never called")

    with pytest.raises(ValueError) as error:
        tf.estimator.add_metrics(estimator, metric_fn)
    assert str(error.value) == (
        f"metric_fn ({metric_fn}) has following not expected args: ['logits']")


def test_reserved_keys_and_metrics_without_update(estimator):
    def loss_fn(labels):
        m = tf.keras.metrics.Mean()
        m.update_state(labels)
        return {"loss": m}

    with pytest.raises(ValueError, match='Metric with name "loss" is not allowed, because '
                                         'Estimator already defines a default metric'):
        tf.estimator.add_metrics(estimator, loss_fn).evaluate(input_fn)

    def idle_fn():
        return {"idle": tf.keras.metrics.Mean(name="idle_mean")}

    with pytest.raises(ValueError,
                       match=r'Please call update_state\(\.\.\.\) on the "idle_mean" metric'):
        tf.estimator.add_metrics(estimator, idle_fn).evaluate(input_fn)

    with pytest.raises(TypeError, match="Values of eval_metric_ops must be"):
        tf.estimator.add_metrics(estimator, lambda: {"x": 1.0}).evaluate(input_fn)


def test_the_original_estimator_is_unchanged(estimator):
    def metric_fn(labels):
        m = tf.keras.metrics.Sum()
        m.update_state(labels)
        return {"label_sum": m}

    before = estimator.evaluate(input_fn)
    extended = tf.estimator.add_metrics(estimator, metric_fn)
    assert extended is not estimator
    assert extended.model_dir == estimator.model_dir
    assert extended.config.model_dir == estimator.config.model_dir
    assert extended.params == estimator.params
    after = estimator.evaluate(input_fn)
    assert "label_sum" not in after
    assert {k: v for k, v in after.items()} == before
    # The extended estimator predicts exactly as the original.
    first = next(extended.predict(input_fn, yield_single_examples=False))
    np.testing.assert_array_equal(first["logits"], X[:3])
