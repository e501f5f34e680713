import os, numpy as np

CACHE = os.environ.get("TF_DIFF_CACHE", "/tmp/tf_diff_cache")
INIT_ROOT = os.path.join(CACHE, "sweep4_init")

def is_tf(tf):
    return tf.__name__ == "tensorflow"

def write_examples(tf, d, n_files=3, per_file=20, seed=0):
    """TFRecord files of tf.train.Example with x (float), c (string), ids (var-len int), label."""
    rng = np.random.default_rng(seed)
    paths = []
    for f in range(n_files):
        p = os.path.join(d, f"part-{f:02d}.tfrecord")
        with tf.io.TFRecordWriter(p) as w:
            for i in range(per_file):
                x = float(rng.normal())
                c = rng.choice([b"a", b"b", b"c", b"dd"])
                ids = rng.integers(0, 6, size=rng.integers(0, 4)).tolist()
                label = int(rng.integers(0, 3))
                ex = tf.train.Example(features=tf.train.Features(feature={
                    "x": tf.train.Feature(float_list=tf.train.FloatList(value=[x])),
                    "c": tf.train.Feature(bytes_list=tf.train.BytesList(value=[c])),
                    "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=ids)),
                    "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
                }))
                w.write(ex.SerializeToString())
        paths.append(p)
    return paths

def all_vars(est):
    return {n: est.get_variable_value(n) for n in est.get_variable_names()}

def arr(t):
    return t.numpy() if hasattr(t, "numpy") else t

def spec_str(spec):
    import json
    def f(s):
        if isinstance(s, dict):
            return {k: f(v) for k, v in sorted(s.items())}
        if isinstance(s, (tuple, list)):
            return [f(v) for v in s]
        return f"{type(s).__name__}(shape={list(s.shape) if s.shape.rank is not None else None}, dtype={s.dtype.name})"
    return f(spec)

def err(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"

def str_types(obj):
    """The Python types of the string values anywhere in obj (the harness shows bytes and
    str alike)."""
    found = set()
    def walk(x):
        if isinstance(x, dict):
            for v in x.values(): walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x: walk(v)
        elif hasattr(x, "numpy") and not isinstance(x, np.ndarray):
            walk(x.numpy())
        elif isinstance(x, np.ndarray):
            if x.dtype.kind in "OSU":
                found.update(f"{x.dtype.kind}:{type(v).__name__}" for v in x.ravel().tolist())
        elif isinstance(x, (str, bytes)):
            found.add(type(x).__name__)
    walk(obj)
    return sorted(found)
