"""``cannery.data``: the part of ``tf.data`` that estimator input functions use.

``Dataset`` (``from_tensor_slices``, ``from_tensors``, ``from_generator``, ``range``,
``list_files``, ``batch``, ``padded_batch``, ``shuffle``, ``repeat``, ``map``,
``filter``, ``interleave``, ``flat_map``, ``shard``, ``take``, ``skip``, ``prefetch``,
``cache``, ``unbatch`` and more), ``Options``, ``DatasetSpec``, ``TextLineDataset``,
``TFRecordDataset`` and ``experimental`` (``make_csv_dataset``,
``make_batched_features_dataset``, ...).
"""

from __future__ import annotations

import importlib

from cannery.data.dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    DatasetSpec,
    Options,
    ThreadingOptions,
)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "DatasetSpec",
           "Options", "TFRecordDataset", "TextLineDataset", "ThreadingOptions", "experimental"]


def __getattr__(name: str):
    # experimental pulls in the CSV reader; keep `import cannery.data` light.
    if name == "experimental":
        module = importlib.import_module("cannery.data.experimental")
        globals()[name] = module
        return module
    if name == "TextLineDataset":
        from cannery.data._text import TextLineDataset

        globals()[name] = TextLineDataset
        return TextLineDataset
    if name == "TFRecordDataset":
        from cannery.data._tfrecord import TFRecordDataset

        globals()[name] = TFRecordDataset
        return TFRecordDataset
    raise AttributeError(f"module 'cannery.data' has no attribute {name!r}")
