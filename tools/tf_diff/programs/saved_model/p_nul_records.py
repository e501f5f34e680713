"""Known difference (cannery/math.py, not this area): tf.constant over a list of bytes goes
through numpy's fixed-width bytes dtype, which drops trailing NUL bytes, so a serialized
Example ending in b"\\x00" (an int64 0, a float 0.0, an empty list last) no longer parses.
tf.io.parse_example given the list itself is not affected."""
import numpy as np


def main(tf):
    e = tf.train.Example()
    e.features.feature["n"].int64_list.value.append(0)
    s = e.SerializeToString()
    spec = {"n": tf.io.FixedLenFeature([], tf.int64)}
    out = {"ends_with_nul": s.endswith(b"\x00"), "len": len(s),
           "list": tf.io.parse_example([s], spec)["n"].numpy()}
    try:
        out["constant_len"] = len(np.asarray(tf.constant([s]))[0])
        out["constant"] = tf.io.parse_example(tf.constant([s]), spec)["n"].numpy()
    except Exception as error:  # noqa: BLE001
        out["constant"] = f"{type(error).__name__}: {str(error)[:60]}"
    try:
        out["empty_constant"] = list(tf.constant([], dtype=tf.string).shape)
    except Exception as error:  # noqa: BLE001
        out["empty_constant"] = f"{type(error).__name__}: {error}"
    return out
