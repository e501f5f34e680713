"""``import cannery as tf``: attribute look-ups are exact, as in TensorFlow."""

import pytest

import cannery as tf


def test_estimator_attributes_are_case_sensitive():
    assert tf.estimator.DNNClassifier.__name__ == "DNNClassifier"
    assert tf.estimator.LinearRegressor.__name__ == "LinearRegressor"
    for wrong in ("Dnnclassifier", "linearRegressor", "DNNCLASSIFIER"):
        with pytest.raises(AttributeError, match="not provided by cannery"):
            getattr(tf.estimator, wrong)
