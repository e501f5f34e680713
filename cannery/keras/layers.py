"""``tf.keras.layers.DenseFeatures``: what a DNN's input layer makes of a features dict.

TensorFlow tutorials call it to look at a column's output
(``tf.keras.layers.DenseFeatures([column])(batch).numpy()``); cannery returns the same
numbers as a numpy array (with a ``.numpy()`` method, so that code keeps working).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DenseFeatures"]


class EagerArray(np.ndarray):
    """A numpy array that also answers ``.numpy()``, like an eager tensor."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


class DenseFeatures:
    """The dense outputs of ``feature_columns`` in sorted name order, concatenated.

    Args:
        feature_columns: dense columns (numeric, bucketized, indicator, embedding, ...),
            or one such column.
        trainable: accepted for Keras compatibility.
        name: accepted for Keras compatibility.

    Embedding tables are created on the first call from their initializers (seeded with
    ``seed``), and kept for later calls, as the Keras layer keeps its weights.
    """

    def __init__(self, feature_columns, trainable=True, name=None, seed=None, **kwargs):
        from cannery.core.columns import DenseColumn, FeatureColumn
        from cannery.core.model import check_columns

        # TensorFlow's _normalize_feature_columns: one column is a list of one
        if isinstance(feature_columns, FeatureColumn):
            feature_columns = [feature_columns]
        elif isinstance(feature_columns, dict):
            raise ValueError("Expected feature_columns to be iterable, found dict.")
        self._columns = check_columns(
            feature_columns, accepted=(DenseColumn,),
            what="Items of feature_columns must be a DenseColumn (wrap categorical columns "
                 "in indicator_column or embedding_column).")
        self._rng = np.random.default_rng(seed)
        self._variables: dict[str, dict[str, np.ndarray]] = {}
        self.name = name

    def __call__(self, features, training=None) -> EagerArray:
        from cannery.core.features import FeatureCache

        cache = FeatureCache(features)
        outputs = []
        for column in self._columns:
            variables = self._column_variables(column)
            dense, _ = column.dense_forward(cache, variables, bool(training))
            outputs.append(np.asarray(dense, dtype=np.float32).reshape(cache.batch_size, -1))
        return np.concatenate(outputs, axis=1).view(EagerArray)

    def _column_variables(self, column):
        if column.name not in self._variables:
            self._variables[column.name] = {
                spec.name: np.asarray(spec.initializer(self._rng, tuple(spec.shape)),
                                      dtype=np.float32)
                for spec in column.variable_specs()}
        return self._variables[column.name]


def input_layer(features, feature_columns, weight_collections=None, trainable=True,
                cols_to_vars=None, cols_to_output_tensors=None):
    """``tf.compat.v1.feature_column.input_layer``: :class:`DenseFeatures` in one call."""
    return DenseFeatures(feature_columns)(features)
