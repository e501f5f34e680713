"""``tf.compat.v1``: the v1 optimizers (``train``), estimators and their input functions,
v1's initializer functions, ``saved_model`` (``load_v2`` and the constants), ``io``'s
parsing functions (v1's argument order), ``gfile`` (v1's names), ``python_io`` (the
TFRecord writer and iterator) and ``constant`` / ``convert_to_tensor``."""

import importlib

_SUBMODULES = {"train": "cannery.compat.v1.train", "estimator": "cannery.compat.v1.estimator",
               "feature_column": "cannery.compat.v1.feature_column",
               "losses": "cannery.compat.v1.losses", "logging": "cannery.compat.v1.logging",
               "saved_model": "cannery.compat.v1.saved_model", "io": "cannery.compat.v1.io",
               "strings": "cannery.strings", "data": "cannery.data"}

# v1 top-level names that live elsewhere in cannery: "module:attribute"
_FORWARDED = {
    "decode_csv": "cannery.compat.v1.io:decode_csv",
    "parse_example": "cannery.compat.v1.io:parse_example",
    "parse_single_example": "cannery.compat.v1.io:parse_single_example",
    "gfile": "cannery._gfile:v1",
    "python_io": "cannery.compat.v1.io:python_io",
    "FixedLenFeature": "cannery.io:FixedLenFeature",
    "VarLenFeature": "cannery.io:VarLenFeature",
    "constant": "cannery.compat.v1._tensors:constant",
    "convert_to_tensor": "cannery.compat.v1._tensors:convert_to_tensor",
    "SparseTensor": "cannery.core.tensors:SparseTensor",
    "DType": "cannery.core.dtypes:DType",
    "as_dtype": "cannery.core.dtypes:as_dtype",
    "string": "cannery.core.dtypes:string",
    "bool": "cannery.core.dtypes:bool_",
    "float16": "cannery.core.dtypes:float16",
    "float32": "cannery.core.dtypes:float32",
    "float64": "cannery.core.dtypes:float64",
    "int8": "cannery.core.dtypes:int8",
    "int16": "cannery.core.dtypes:int16",
    "int32": "cannery.core.dtypes:int32",
    "int64": "cannery.core.dtypes:int64",
    "uint8": "cannery.core.dtypes:uint8",
}


# v1's initializer functions, with v1's defaults where they differ from TF 2's.
_INITIALIZERS = {
    "constant_initializer": "constant_initializer", "zeros_initializer": "zeros_initializer",
    "ones_initializer": "ones_initializer",
    "random_normal_initializer": "v1_random_normal_initializer",
    "random_uniform_initializer": "v1_random_uniform_initializer",
    "truncated_normal_initializer": "v1_truncated_normal_initializer",
    "glorot_uniform_initializer": "v1_glorot_uniform_initializer",
    "glorot_normal_initializer": "v1_glorot_normal_initializer",
}


def __getattr__(name):
    if name in _INITIALIZERS:
        from cannery.keras import initializers

        return getattr(initializers, _INITIALIZERS[name])
    if name == "placeholder":
        from cannery.estimator.export import placeholder

        return placeholder
    if name in _FORWARDED:
        module_name, _, attribute = _FORWARDED[name].partition(":")
        value = getattr(importlib.import_module(module_name), attribute)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(_SUBMODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"cannery.compat.v1 has no attribute {name!r} (not provided by cannery)")
