"""``tf.keras`` shapes that estimator code touches: ``optimizers``, ``layers.DenseFeatures``,
the ``metrics`` an ``add_metrics`` metric_fn builds, the ``initializers`` an embedding
column takes, ``losses.Reduction`` for ``loss_reduction`` and ``activations`` for
``activation_fn``."""

import importlib

_SUBMODULES = {"optimizers": "cannery.keras.optimizers", "layers": "cannery.keras.layers",
               "metrics": "cannery.keras.metrics",
               "initializers": "cannery.keras.initializers",
               "activations": "cannery.keras.activations",
               # tf.keras.losses.Reduction is how TF's docs spell estimators' loss_reduction
               "losses": "cannery.losses"}


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(_SUBMODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"cannery.keras has no attribute {name!r} (not provided by cannery)")
