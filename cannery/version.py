"""``tf.version``: the TensorFlow API version cannery implements.

``VERSION`` is ``"2.15.1"``, the TensorFlow release whose behaviour cannery reproduces,
so programs that branch on it (``tf.version.VERSION.startswith("2.")``) take their
TensorFlow 2 path. ``GIT_VERSION`` and ``COMPILER_VERSION`` name cannery itself, and
``tf.__version__`` stays cannery's own version (``cannery.__version__``). The GraphDef
numbers are TensorFlow 2.15.1's (cannery writes no GraphDefs).
"""

from cannery._version import __version__ as _cannery_version

VERSION = "2.15.1"
GIT_VERSION = f"cannery-v{_cannery_version}"
COMPILER_VERSION = f"cannery {_cannery_version} (numpy and numba, no TensorFlow)"
GRAPH_DEF_VERSION = 1645
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

__all__ = ["COMPILER_VERSION", "GIT_VERSION", "GRAPH_DEF_VERSION",
           "GRAPH_DEF_VERSION_MIN_CONSUMER", "GRAPH_DEF_VERSION_MIN_PRODUCER", "VERSION"]
