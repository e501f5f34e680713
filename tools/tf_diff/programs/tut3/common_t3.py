"""Helpers shared by the tut3 programs (third sweep of end-to-end programs)."""
import os
import re

import numpy as np

CACHE = os.environ.get("TF_DIFF_CACHE", "/tmp/tf_diff_cache")
INIT_ROOT = os.path.join(CACHE, "tut3")


def is_tf(tf):
    return tf.__name__ == "tensorflow"


def md(name):
    return os.path.join(os.environ["TMPDIR_PROG"], name)


def init_dir(tf, key, make_estimator, input_fn, steps=1):
    """A TF checkpoint made by `steps` steps at learning rate 0 (created by the TF run)."""
    d = os.path.join(INIT_ROOT, key)
    if is_tf(tf) and not os.path.exists(os.path.join(d, "checkpoint")):
        make_estimator(d).train(input_fn, steps=steps)
    return d


def sgd0(tf):
    return tf.keras.optimizers.legacy.SGD(learning_rate=0.0)


def all_vars(est, skip=()):
    return {n: est.get_variable_value(n) for n in est.get_variable_names()
            if not any(s in n for s in skip)}


def shapes(est):
    return {n: list(np.shape(est.get_variable_value(n))) for n in est.get_variable_names()}


def meta(d):
    """dtype and shape of every value of a dict (metrics, a prediction)."""
    return {k: [str(np.asarray(v).dtype), list(np.asarray(v).shape)] for k, v in d.items()}


def err(fn):
    try:
        fn()
        return {"ok": True}
    except Exception as e:  # noqa: BLE001 - comparing error behaviour
        msg = re.sub(r"\{\{function_node [^}]*\}\}", "", str(e))
        if msg.startswith("in user code:"):  # TF's autograph traceback: keep the error
            msg = re.sub(r"^\w+Error: ", "", msg.strip().splitlines()[-1].strip())
        return {"err": type(e).__name__, "msg": msg[:400]}
