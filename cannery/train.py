"""``tf.train``: the checkpoint readers estimator code calls, and ``tf.train.Example``.

``tf.train.latest_checkpoint(model_dir)``, ``load_variable``, ``list_variables`` and
``load_checkpoint`` read cannery checkpoints (and the TensorFlow ones cannery can
import) the way TensorFlow's do. ``Example``, ``Features``, ``Feature``, ``BytesList``,
``FloatList`` and ``Int64List`` build and read serialized records as TensorFlow's
protocol buffer classes do (see :mod:`cannery.core.example_proto`).
"""

from __future__ import annotations

import os

from cannery.core import checkpoint as _checkpoint
from cannery.core.example_proto import (
    BytesList,
    Example,
    Feature,
    Features,
    FloatList,
    Int64List,
)

__all__ = ["BytesList", "Example", "Feature", "Features", "FloatList", "Int64List",
           "latest_checkpoint", "list_variables", "load_checkpoint", "load_variable"]

list_variables = _checkpoint.list_variables
load_variable = _checkpoint.load_variable
load_checkpoint = _checkpoint.load_checkpoint


def latest_checkpoint(checkpoint_dir: str | os.PathLike, latest_filename: str | None = None):
    """``tf.train.latest_checkpoint``: the newest checkpoint's path in a directory, or None.

    Args:
        checkpoint_dir: a model_dir.
        latest_filename: accepted for TensorFlow's signature; only the default
            ``checkpoint`` state file is read.

    Returns:
        ``<checkpoint_dir>/model.ckpt-<step>`` or None when there is no checkpoint.
    """
    return _checkpoint.latest_checkpoint(checkpoint_dir)
