"""Helpers shared by the dataset_ops programs: element lists and errors in one form."""
import re

import numpy as np

_OP_ERRORS = ("InvalidArgumentError", "DataLossError", "FailedPreconditionError",
              "OutOfRangeError", "NotFoundError", "UnimplementedError")


def err(tf, fn):
    """fn()'s result, or "<error class>: <message>" (TensorFlow's op-name decorations
    removed; an OpError is named by its tf.errors class)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        name = type(e).__name__
        for candidate in _OP_ERRORS:
            if isinstance(e, getattr(tf.errors, candidate)):
                name = candidate
                break
        msg = getattr(e, "message", None) or str(e)
        msg = re.sub(r"\{\{function_node [^}]*\}\} ", "", msg)
        msg = re.sub(r"\s*\[\[\{\{node.*$", "", msg, flags=re.S)
        msg = re.sub(r" \[Op:.*$", "", msg, flags=re.S)
        return f"{name}: {msg.strip()}"


def values(ds):
    """The elements as nested lists (bytes decoded)."""
    def conv(x):
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, tuple):
            return [conv(v) for v in x]
        raw = x.numpy() if hasattr(x, "numpy") else x
        if isinstance(raw, bytes):
            return raw.decode()
        a = np.asarray(raw)
        if a.dtype == object:
            return [v.decode() if isinstance(v, bytes) else v for v in a.reshape(-1)] \
                if a.ndim else (a.item().decode() if isinstance(a.item(), bytes) else a.item())
        return a.tolist()
    return [conv(e) for e in ds]


def card(ds):
    return int(ds.cardinality().numpy())
