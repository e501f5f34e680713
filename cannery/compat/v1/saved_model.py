"""``tf.compat.v1.saved_model``: the constants, ``tag_constants``, ``signature_constants``
and ``load_v2`` (TF 2's ``tf.saved_model.load``) for cannery's exports.

v1's own ``load(sess, tags, export_dir)`` restores a MetaGraph into a
``tf.compat.v1.Session``; cannery has no sessions, so it raises and names ``load_v2``.
"""

from __future__ import annotations

from cannery.saved_model import (  # noqa: F401 - re-exported
    ASSETS_DIRECTORY,
    ASSETS_KEY,
    CLASSIFY_INPUTS,
    CLASSIFY_METHOD_NAME,
    CLASSIFY_OUTPUT_CLASSES,
    CLASSIFY_OUTPUT_SCORES,
    DEBUG_DIRECTORY,
    DEBUG_INFO_FILENAME_PB,
    DEFAULT_SERVING_SIGNATURE_DEF_KEY,
    GPU,
    PREDICT_INPUTS,
    PREDICT_METHOD_NAME,
    PREDICT_OUTPUTS,
    REGRESS_INPUTS,
    REGRESS_METHOD_NAME,
    REGRESS_OUTPUTS,
    SAVED_MODEL_FILENAME_PB,
    SAVED_MODEL_FILENAME_PBTXT,
    SAVED_MODEL_SCHEMA_VERSION,
    SERVING,
    TPU,
    TRAINING,
    VARIABLES_DIRECTORY,
    VARIABLES_FILENAME,
    contains_saved_model,
    signature_constants,
    tag_constants,
)
from cannery.saved_model import load as load_v2

__all__ = [
    "ASSETS_DIRECTORY", "ASSETS_KEY", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
    "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "DEBUG_DIRECTORY",
    "DEBUG_INFO_FILENAME_PB", "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "GPU", "PREDICT_INPUTS",
    "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME",
    "REGRESS_OUTPUTS", "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT",
    "SAVED_MODEL_SCHEMA_VERSION", "SERVING", "TPU", "TRAINING", "VARIABLES_DIRECTORY",
    "VARIABLES_FILENAME", "contains_saved_model", "load", "load_v2", "signature_constants",
    "tag_constants",
]


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """``tf.compat.v1.saved_model.load``: not available (it needs a v1 Session).

    Raises:
        NotImplementedError: always, naming ``load_v2`` / ``tf.saved_model.load``, which
            load ``export_dir`` and serve its signatures.
    """
    raise NotImplementedError(
        f"tf.compat.v1.saved_model.load restores the MetaGraph tagged {tags!r} of "
        f"{export_dir!r} into a tf.compat.v1.Session, which cannery does not provide; "
        "load the export with tf.compat.v1.saved_model.load_v2(export_dir) (TF 2's "
        "tf.saved_model.load) and call its signatures instead")
