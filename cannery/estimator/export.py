"""``tf.estimator.export``: serving input receivers, which define an export's signature.

cannery serves raw feature dicts, so a receiver only describes the inputs: each key's
dtype and trailing shape. Without a receiver, ``export_saved_model`` derives the
signature from the feature columns.
"""

from __future__ import annotations

import collections
from typing import NamedTuple

import numpy as np

from cannery.core.dtypes import as_dtype


class ServingInputReceiver(NamedTuple):
    """The features a served model receives (``receiver_tensors`` kept for compatibility)."""

    features: dict
    receiver_tensors: dict | None = None
    receiver_tensors_alternatives: dict | None = None


def _describe(key, value, default_batch_size=None) -> dict:
    if isinstance(value, Placeholder):
        shape = list(value.shape[1:]) if value.shape is not None else []
        return {"key": key, "dtype": as_dtype(value.dtype).name,
                "shape": [int(d) for d in shape if d is not None], "fixed_length": True,
                "default_value": None, "batch_size": default_batch_size}
    if hasattr(value, "dense_shape") and hasattr(value, "values"):  # SparseTensor
        return {"key": key, "dtype": as_dtype(np.asarray(value.values).dtype).name,
                "shape": [], "fixed_length": False, "default_value": None}
    array = np.asarray(value)
    if array.dtype == object and array.size:
        first = array.reshape(-1)[0]
        dtype = "string" if isinstance(first, (str, bytes)) else as_dtype(type(first)).name
    else:
        dtype = as_dtype(array.dtype).name
    shape = list(array.shape[1:]) if array.ndim >= 1 else []
    return {"key": key, "dtype": dtype, "shape": shape, "fixed_length": True,
            "default_value": None, "batch_size": default_batch_size}


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A receiver whose signature is the dtypes and trailing shapes of example ``features``.

    Args:
        features: ``{key: example array}`` (numpy arrays, lists, or a Dataset element).
        default_batch_size: recorded in the signature; None means any batch size.
    """
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dict, got {type(features)}")
    described = {key: _describe(key, value, default_batch_size)
                 for key, value in features.items()}

    def serving_input_receiver_fn():
        return ServingInputReceiver(features=described, receiver_tensors=described)

    return serving_input_receiver_fn


def receiver_signature(receiver) -> dict:
    """The signature inputs of a ``ServingInputReceiver`` (placeholders or example arrays)."""
    features = getattr(receiver, "features", receiver)
    return {key: value if isinstance(value, dict) else _describe(key, value)
            for key, value in features.items()}


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A receiver whose signature is ``make_parse_example_spec``'s description of the inputs."""
    if not isinstance(feature_spec, dict):
        raise ValueError(f"feature_spec should be a dict, got {type(feature_spec)}")
    described = {}
    for key, spec in feature_spec.items():
        plain = spec.as_dict() if hasattr(spec, "as_dict") else dict(spec)
        plain = dict(plain, key=key)
        if not isinstance(plain.get("dtype"), str):
            plain["dtype"] = as_dtype(plain["dtype"]).name
        plain["shape"] = list(plain.get("shape") or [])
        plain["batch_size"] = default_batch_size
        # parsed out of the serialized tf.Examples of receiver tensor "examples" (what
        # tf.saved_model.load's signatures take)
        plain["receiver_tensor"] = "examples"
        described[key] = plain

    # TensorFlow's receiver takes one string tensor of serialized tf.Examples, so its
    # export also has the classification / regression signatures (cannery's Predictor
    # serves the parsed features, described above; tf.saved_model.load parses them).
    examples = {"key": "examples", "dtype": "string", "shape": [], "fixed_length": True,
                "default_value": None, "batch_size": default_batch_size}

    def serving_input_receiver_fn():
        return ServingInputReceiver(features=described, receiver_tensors={"examples": examples})

    return serving_input_receiver_fn


def single_string_receiver(receiver) -> bool:
    """Whether TensorFlow would give this receiver's export the classification and
    regression signatures: its ``receiver_tensors`` are one string tensor (TF's
    ``ClassificationOutput.as_signature_def`` check)."""
    tensors = getattr(receiver, "receiver_tensors", None)
    if tensors is None:
        tensors = getattr(receiver, "features", receiver)
    if not isinstance(tensors, dict) or len(tensors) != 1:
        return False
    (value,) = tensors.values()
    if isinstance(value, dict):
        return value.get("dtype") == "string"
    return _describe("", value)["dtype"] == "string"


#: TensorFlow's names for a single (non-dict) feature, receiver tensor or label.
SINGLE_FEATURE_DEFAULT_NAME = "feature"
SINGLE_RECEIVER_DEFAULT_NAME = "input"
SINGLE_LABEL_DEFAULT_NAME = "label"


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """A receiver whose model takes one feature array rather than a dict (TF's
    ``tf.estimator.export.TensorServingInputReceiver``).

    The canned estimators read a dict of features, so their exports take a
    :class:`ServingInputReceiver`; this one is for models written against a single
    input. A single receiver tensor is named ``'input'``, as TensorFlow names it.

    Raises:
        ValueError: no features, or a dict of them.
    """

    __slots__ = ()

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        if isinstance(features, dict):
            raise ValueError("TensorServingInputReceiver takes one feature, not a dict; use "
                             "ServingInputReceiver for a dict of features")
        if not isinstance(receiver_tensors, dict):
            receiver_tensors = {SINGLE_RECEIVER_DEFAULT_NAME: receiver_tensors}
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


class SupervisedInputReceiver(NamedTuple):
    """Features, labels and the receiver tensors of a TRAIN or EVAL export's input."""

    features: object
    labels: object
    receiver_tensors: dict


def build_raw_supervised_input_receiver_fn(features, labels, default_batch_size=None):
    """A receiver function for the TRAIN and EVAL modes of
    ``experimental_export_all_saved_models``: features and labels described by example
    arrays (or dicts of them), as they reach the model.

    Raises:
        ValueError: features and labels share a key (TensorFlow's message); a single
            array counts as key ``'input'`` for features and ``'label'`` for labels.
    """
    feature_keys = features.keys() if isinstance(features, dict) else \
        [SINGLE_RECEIVER_DEFAULT_NAME]
    label_keys = labels.keys() if isinstance(labels, dict) else [SINGLE_LABEL_DEFAULT_NAME]
    overlap = set(feature_keys) & set(label_keys)
    if overlap:
        raise ValueError("Features and labels must have distinct keys. Found overlapping "
                         f"keys: {overlap}")

    def described(values, single_name):
        if isinstance(values, dict):
            return {key: _describe(key, value, default_batch_size)
                    for key, value in values.items()}
        return {single_name: _describe(single_name, values, default_batch_size)}

    def supervised_input_receiver_fn():
        receiver_features = described(features, SINGLE_RECEIVER_DEFAULT_NAME)
        receiver_labels = described(labels, SINGLE_LABEL_DEFAULT_NAME)
        return SupervisedInputReceiver(
            features=receiver_features if isinstance(features, dict)
            else receiver_features[SINGLE_RECEIVER_DEFAULT_NAME],
            labels=receiver_labels if isinstance(labels, dict)
            else receiver_labels[SINGLE_LABEL_DEFAULT_NAME],
            receiver_tensors={**receiver_features, **receiver_labels})

    return supervised_input_receiver_fn


__all__ = ["ServingInputReceiver", "SupervisedInputReceiver", "TensorServingInputReceiver",
           "build_parsing_serving_input_receiver_fn", "build_raw_serving_input_receiver_fn",
           "build_raw_supervised_input_receiver_fn"]


class Placeholder(NamedTuple):
    """What ``tf.compat.v1.placeholder`` returns here: a dtype and shape, no tensor."""

    dtype: object
    shape: object = None
    name: str | None = None


def placeholder(dtype, shape=None, name=None) -> Placeholder:
    """``tf.compat.v1.placeholder`` for serving receivers: describes one input."""
    return Placeholder(as_dtype(dtype), shape, name)
