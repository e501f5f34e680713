"""``tf.compat.v1.saved_model``: the constants, ``tag_constants``, ``signature_constants``
and ``load_v2`` (TF 2's ``tf.saved_model.load``) for cannery's exports.

v1's own ``load(sess, tags, export_dir)`` restores a MetaGraph into a
``tf.compat.v1.Session``; cannery has no sessions, so it raises and names ``load_v2``.
"""

from __future__ import annotations

from cannery import saved_model as _v2
from cannery.saved_model import load as load_v2  # noqa: F401 - re-exported (__all__)

# v2's constants and helpers under the same names (v2's load and LoadOptions are not v1's)
_SHARED = [name for name in _v2.__all__ if name not in ("LoadOptions", "load")]
globals().update({name: getattr(_v2, name) for name in _SHARED})

__all__ = sorted([*_SHARED, "load", "load_v2"])


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
