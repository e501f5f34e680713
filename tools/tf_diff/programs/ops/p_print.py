"""tf.print's text (captured from the stderr / stdout file descriptors, where
TensorFlow's C++ kernel writes it)."""
import collections
import os
import sys
import tempfile

import numpy as np

from _common import attempt


def captured(function, fd=2):
    stream = sys.stderr if fd == 2 else sys.stdout
    stream.flush()
    with tempfile.TemporaryFile() as handle:
        saved = os.dup(fd)
        os.dup2(handle.fileno(), fd)
        try:
            result = function()
        finally:
            stream.flush()
            os.dup2(saved, fd)
            os.close(saved)
        handle.seek(0)
        return {"text": handle.read().decode("utf-8", "replace"), "returned": repr(result)}


def main(tf):
    cases = {
        "ints": lambda: tf.print(tf.constant([1, 2])),
        "mixed": lambda: tf.print("x:", tf.constant([[1.5, 2.0], [3.25, -4.0]]), 7, [1, 2],
                                  {"a": tf.constant(1)}),
        "summarized": lambda: tf.print(tf.range(10)),
        "all": lambda: tf.print(tf.range(10), summarize=-1),
        "summarize_1": lambda: tf.print(tf.reshape(tf.range(12), [3, 4]), summarize=1),
        "kinds": lambda: tf.print(tf.constant(["a", "b"]), tf.constant(True), tf.constant(0.1),
                                  tf.constant(1e10), tf.constant(1e-7),
                                  tf.constant(2.0, tf.float64), sep="|", end="$\n"),
        "3d": lambda: tf.print(tf.reshape(tf.range(24), [2, 3, 4])),
        "3d_big": lambda: tf.print(tf.reshape(tf.range(5 * 7 * 2), [5, 7, 2])),
        "floats": lambda: tf.print(tf.constant(1.0 / 3), tf.constant(1.0 / 3, tf.float64),
                                   tf.constant(float("nan")), tf.constant(-float("inf")),
                                   tf.constant(100.0), tf.constant(-0.0)),
        "python": lambda: tf.print(np.array([1, 2]), 1.5, None, True, "s", b"b"),
        "empty": lambda: tf.print(tf.zeros([0]), tf.zeros([2, 0])),
        "big_floats": lambda: tf.print(tf.constant(123456789.0), tf.constant(1234567.0),
                                       tf.constant(0.0001), tf.constant(1e-5),
                                       tf.constant([1e20, 12345.678], tf.float64)),
        "bools": lambda: tf.print(tf.constant([[True, False]])),
        "escapes": lambda: tf.print(tf.constant(["a\"b", "c\nd", "é", "t\\"])),
        "scalar_string": lambda: tf.print(tf.constant("just text")),
        "nested": lambda: tf.print([tf.constant(1), (2, tf.constant([3.5]))], {"b": 1, "a": "x"}),
        "ordered": lambda: tf.print(collections.OrderedDict([("b", tf.constant(2)), ("a", 1)])),
        "sparse": lambda: tf.print(tf.SparseTensor([[0, 1]], [5], [2, 3])),
        "variable": lambda: tf.print(tf.Variable([1.5, 2.0])),
        "int64": lambda: tf.print(tf.constant([2**40], tf.int64), tf.constant([255], tf.uint8)),
        "nothing": lambda: tf.print(),
    }
    out = {name: attempt(lambda f=function: captured(f)) for name, function in cases.items()}
    out["stdout"] = attempt(lambda: captured(lambda: tf.print("to stdout", tf.constant([1]),
                                                              output_stream=sys.stdout), fd=1))
    out["bad_stream"] = attempt(lambda: tf.print("x", output_stream="nowhere"))
    path = os.path.join(os.environ["TMPDIR_PROG"], "printed.txt")
    tf.print("to a file", tf.constant([1, 2]), output_stream="file://" + path)
    with open(path) as handle:
        out["file"] = handle.read()
    return out
