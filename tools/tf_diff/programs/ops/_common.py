"""Helpers of the ops programs: describe results and errors alike under both libraries.

Errors are compared by type and TensorFlow's message without what only the graph
runtime adds: the ``{{function_node ...}}`` prefix, the ``NodeDef`` details of a dtype
error, the `` name: ...`` suffix, and the ``tf.<function>: `` prefix cannery puts on the
kernel messages it raises (``_MklMatMul`` / ``_MklEinsum`` are TensorFlow's oneDNN kernel
names for MatMul / Einsum).
"""
import re

import numpy as np


def norm(message: str) -> str:
    message = re.sub(r"^\{\{function_node [^}]*\}\} ", "", message)
    message = re.sub(r"\n\t; NodeDef: .*?(?= \[Op:)", "", message, flags=re.S)
    message = re.sub(r"\nAll kernels registered for op .*?(?= \[Op:)", "", message, flags=re.S)
    message = re.sub(r"\nTraceback \(most recent call last\):.*?\n\n(?= \[Op:)", "", message,
                     flags=re.S)
    message = re.sub(r" name: \S*$", "", message)
    message = re.sub(r"^tf\.[\w.]+: ", "", message)
    message = message.replace("_MklMatMul", "MatMul").replace("_MklEinsum", "Einsum")
    return message


def val(x):
    if hasattr(x, "_fields") and isinstance(x, tuple):
        return {"namedtuple": type(x).__name__, **{f: val(getattr(x, f)) for f in x._fields}}
    if isinstance(x, dict):
        return {str(k): val(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [val(v) for v in x]
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray) or type(x).__name__ == "EagerTensor":
        return {"type": type(x).__name__, "v": np.asarray(x.numpy())}
    if isinstance(x, np.ndarray):
        return {"type": "ndarray", "v": x}
    return x


def attempt(function):
    try:
        return val(function())
    except Exception as error:  # noqa: BLE001 - compared
        return f"ERR {type(error).__name__}: {norm(str(error))}"
