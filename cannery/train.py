"""``tf.train``: the checkpoint readers estimator code calls, and ``tf.train.Example``.

``tf.train.latest_checkpoint(model_dir)``, ``get_checkpoint_state``, ``load_variable``,
``list_variables`` and ``load_checkpoint`` read cannery checkpoints (and the TensorFlow
ones cannery can import) the way TensorFlow's do. ``Example``, ``Features``, ``Feature``,
``BytesList``, ``FloatList`` and ``Int64List`` build and read serialized records as
TensorFlow's protocol buffer classes do (see :mod:`cannery.core.example_proto`).
"""

from __future__ import annotations

import logging
import os
import re
import time

from cannery.core import checkpoint as _checkpoint
from cannery.core.example_proto import (
    BytesList,
    Example,
    Feature,
    Features,
    FloatList,
    Int64List,
)

__all__ = ["BytesList", "CheckpointState", "Example", "Feature", "Features", "FloatList",
           "Int64List", "checkpoints_iterator", "get_checkpoint_state", "latest_checkpoint",
           "list_variables", "load_checkpoint", "load_variable"]

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


class CheckpointState:
    """``tf.train.CheckpointState``: what a model_dir's ``checkpoint`` file says.

    Attributes:
        model_checkpoint_path: the newest checkpoint's path.
        all_model_checkpoint_paths: the kept checkpoints' paths, oldest first.
        all_model_checkpoint_timestamps: their save times where the file has them.
        last_preserved_timestamp: the file's ``last_preserved_timestamp`` (0.0 if absent).
    """

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=(),
                 all_model_checkpoint_timestamps=(), last_preserved_timestamp=0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = float(last_preserved_timestamp)

    def __eq__(self, other):
        if not isinstance(other, CheckpointState):
            return NotImplemented
        return vars(self) == vars(other)

    def __str__(self):
        # the protocol buffer's text format, as printing TensorFlow's message gives it
        lines = []
        if self.model_checkpoint_path:
            path = _checkpoint._escape(self.model_checkpoint_path)
            lines.append(f'model_checkpoint_path: "{path}"')
        lines += [f'all_model_checkpoint_paths: "{_checkpoint._escape(p)}"'
                  for p in self.all_model_checkpoint_paths]
        lines += [f"all_model_checkpoint_timestamps: {t!r}"
                  for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp:
            lines.append(f"last_preserved_timestamp: {self.last_preserved_timestamp!r}")
        return "".join(line + "\n" for line in lines)

    __repr__ = __str__


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """``tf.train.get_checkpoint_state``: the ``checkpoint`` file of a directory, parsed.

    As TensorFlow's (``checkpoint_management.py``): relative paths in the file are joined
    to ``checkpoint_dir``; a missing file gives None, and so does an unparsable one
    (logged as a warning).

    Args:
        checkpoint_dir: the directory holding the state file (a model_dir).
        latest_filename: the state file's name; default ``checkpoint``.

    Returns:
        A :class:`CheckpointState`, or None.

    Raises:
        ValueError: the file names no ``model_checkpoint_path`` (TensorFlow's
            "Invalid checkpoint state loaded from <dir>").
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    filename = os.path.join(checkpoint_dir, latest_filename or _checkpoint.STATE_FILENAME)
    try:
        with open(filename, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    state = CheckpointState()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        quoted = re.fullmatch(r'(\w+)\s*:\s*"((?:[^"\\]|\\.)*)"', line)
        number = re.fullmatch(r"(\w+)\s*:\s*([-+0-9.eE]+|inf|nan)", line)
        if quoted and quoted.group(1) == "model_checkpoint_path":
            state.model_checkpoint_path = _checkpoint._unescape(quoted.group(2))
        elif quoted and quoted.group(1) == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_checkpoint._unescape(quoted.group(2)))
        elif number and number.group(1) == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(number.group(2)))
        elif number and number.group(1) == "last_preserved_timestamp":
            state.last_preserved_timestamp = float(number.group(2))
        else:
            logging.getLogger(__name__).warning(
                "%s: unparsable line %r: Checkpoint ignored", filename, line)
            return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [
        p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
        for p in state.all_model_checkpoint_paths]
    return state


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1,
                            timeout=None):
    """The newest checkpoint of ``checkpoint_dir`` once it is not ``last_checkpoint``, or
    None when ``timeout`` seconds pass first (TensorFlow's ``checkpoint_utils``: it polls
    every ``seconds_to_sleep`` and gives up before a sleep that would pass the deadline).
    """
    log = logging.getLogger(__name__)
    log.info("Waiting for new checkpoint at %s", checkpoint_dir)
    stop_time = None if timeout is None else time.time() + timeout
    while True:
        path = latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            log.info("Found new checkpoint at %s", path)
            return path
        if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """``tf.train.checkpoints_iterator``: each new checkpoint's path as it appears.

    As TensorFlow's: it waits up to ``timeout`` seconds (forever when None) for a
    checkpoint newer than the one it last yielded; on a timeout it stops, unless
    ``timeout_fn`` is given and returns false, in which case it waits again. Two
    yields are at least ``min_interval_secs`` apart, so checkpoints written meanwhile
    are skipped (only the newest is ever seen).
    """
    path = None
    while True:
        new_path = wait_for_new_checkpoint(checkpoint_dir, path, timeout=timeout)
        if new_path is None:
            if not timeout_fn:
                logging.getLogger(__name__).info("Timed-out waiting for a checkpoint.")
                return
            if timeout_fn():
                return
            continue
        start = time.time()
        path = new_path
        yield path
        remaining = start + min_interval_secs - time.time()
        if remaining > 0:
            time.sleep(remaining)
