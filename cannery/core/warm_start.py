"""Warm starting: initialise a new model's variables from an earlier checkpoint.

Mirrors ``tf.estimator.WarmStartSettings`` / ``tf.compat.v1.train.warm_start``:

* ``vars_to_warm_start`` a single regex string (default ``'.*'``) selects TRAINABLE
  variables whose TensorFlow name (with the ``:0`` output suffix TensorFlow matches
  against) ``re.match``-es it; a list of strings selects GLOBAL variables (optimizer
  slots, ``global_step`` ...) matching any of them; ``None`` (or ``''``) warm-starts
  only the variables given a :class:`VocabInfo`.
* ``var_name_to_prev_var_name`` renames; ``var_name_to_vocab_info`` remaps rows (or,
  with ``axis=1``, columns) of a table whose vocabulary changed.

All values are computed and checked first and assigned only when everything
succeeded, so a failed warm start leaves the variables untouched.
"""

from __future__ import annotations

import collections
import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from cannery.core import checkpoint as _ckpt

logger = logging.getLogger(__name__)


class WarmStartSettings(
    collections.namedtuple(
        "WarmStartSettings",
        ["ckpt_to_initialize_from", "vars_to_warm_start", "var_name_to_vocab_info",
         "var_name_to_prev_var_name"],
    )
):
    """Which variables to warm-start, from where, with which renames and vocabulary remaps.

    Args:
        ckpt_to_initialize_from: a checkpoint path, a model_dir (its latest
            checkpoint) or an export directory (its ``variables/variables``).
        vars_to_warm_start: a regex string matched (``re.match``) against TRAINABLE
            variable names; a list of regex strings matched against ALL variables;
            or None to warm-start only the variables in ``var_name_to_vocab_info``.
        var_name_to_vocab_info: variable name -> :class:`VocabInfo`.
        var_name_to_prev_var_name: variable name -> its name in the checkpoint.

    Raises:
        ValueError: ``ckpt_to_initialize_from`` is empty, or ``vars_to_warm_start``
            has an unsupported type.
    """

    __slots__ = ()

    def __new__(cls, ckpt_to_initialize_from, vars_to_warm_start=".*",
                var_name_to_vocab_info=None, var_name_to_prev_var_name=None):
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        _check_vars_to_warm_start(vars_to_warm_start)
        for arg, value in (("var_name_to_vocab_info", var_name_to_vocab_info),
                           ("var_name_to_prev_var_name", var_name_to_prev_var_name)):
            if value is not None and not isinstance(value, Mapping):
                raise TypeError(
                    f"{arg}: expected a dict keyed by variable name, received "
                    f"{type(value).__name__}"
                )
        for name, info in (var_name_to_vocab_info or {}).items():
            if not isinstance(info, VocabInfo):
                raise TypeError(
                    f"var_name_to_vocab_info[{name!r}]: expected a VocabInfo, received "
                    f"{type(info).__name__}"
                )
        return super().__new__(cls, ckpt_to_initialize_from, vars_to_warm_start,
                               var_name_to_vocab_info, var_name_to_prev_var_name)


class VocabInfo(
    collections.namedtuple(
        "VocabInfo",
        ["new_vocab", "new_vocab_size", "num_oov_buckets", "old_vocab", "old_vocab_size",
         "backup_initializer", "axis"],
    )
):
    """How a vocabulary-backed variable's rows (or columns) map onto the old checkpoint's.

    Entry ``i`` of the new vocabulary takes the old row of the same string; strings
    absent from the old vocabulary and the ``num_oov_buckets`` OOV rows are filled by
    ``backup_initializer`` (zeros if None).

    Args:
        new_vocab: the new vocabulary: a file path (one entry per line, as in
            TensorFlow) or a list of strings.
        new_vocab_size: how many entries of ``new_vocab`` the model uses.
        num_oov_buckets: OOV rows after the vocabulary rows.
        old_vocab: the vocabulary the checkpoint was trained with (path or list).
        old_vocab_size: how many entries of ``old_vocab`` were used; -1 for all.
        backup_initializer: None (zeros), a number, or a callable of a shape list
            returning values (a Keras-style initializer).
        axis: 0 remaps rows (embeddings, linear weights); 1 remaps columns (an
            output layer over a label vocabulary).

    Raises:
        ValueError: ``axis`` is neither 0 nor 1.
    """

    __slots__ = ()

    def __new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                old_vocab_size=-1, backup_initializer=None, axis=0):
        if axis != 0 and axis != 1:
            raise ValueError(
                "The only supported values for the axis argument are 0 and 1.  "
                f"Provided axis: {axis}"
            )
        return super().__new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                               old_vocab_size, backup_initializer, axis)


def resolve_warm_start_path(path: str | bytes | os.PathLike) -> str:
    """Where to warm-start from, given what a user passed as ``warm_start_from``.

    An export directory (``<dir>/variables/variables``, cannery's or a TensorFlow
    SavedModel's ``variables/variables.index``) resolves to its variables
    checkpoint; anything else (a checkpoint path or a model_dir) is returned as is.
    ``bytes`` (what ``export_saved_model`` returns) are decoded.
    """
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    path = os.fspath(path)
    variables = os.path.join(path, "variables", "variables")
    if os.path.isdir(path) and (os.path.isfile(variables) or
                                os.path.isfile(variables + ".index")):
        return variables
    return path


def as_warm_start_settings(value) -> WarmStartSettings:
    """``warm_start_from`` (a path, bytes or :class:`WarmStartSettings`) as settings."""
    if isinstance(value, WarmStartSettings):
        source = value.ckpt_to_initialize_from
        if isinstance(source, (str, bytes, os.PathLike)):
            return value._replace(ckpt_to_initialize_from=resolve_warm_start_path(source))
        return value
    if isinstance(value, (str, bytes, os.PathLike)):
        return WarmStartSettings(resolve_warm_start_path(value))
    raise ValueError(
        f"warm_start_from: expected a checkpoint path or a WarmStartSettings, received "
        f"{type(value).__name__}"
    )


def warm_start(variables: dict[str, Any], trainable: set[str] | Any,
               settings_or_path, graph_names: Mapping[str, str] | None = None) -> list[str]:
    """Overwrite the selected entries of ``variables`` in place from a checkpoint.

    Args:
        variables: every variable of the new model (TensorFlow name -> array),
            including optimizer slots and ``global_step`` (only a list-of-strings
            ``vars_to_warm_start`` reaches those).
        trainable: names of the TRAINABLE variables.
        settings_or_path: a :class:`WarmStartSettings`, or a path (checkpoint,
            model_dir or export directory) meaning ``WarmStartSettings(path)``.
        graph_names: checkpoint name -> the variable's name in TensorFlow's graph,
            where they differ (a ``tf.compat.v1`` model's ``<var>/part_0``):
            ``vars_to_warm_start`` is matched against the graph's names, as
            TensorFlow does; renames, vocabularies and lookups use checkpoint names.

    Returns:
        The names warm-started, sorted.

    Raises:
        ValueError: with TensorFlow's messages — a selected variable missing from the
            checkpoint (``Tensor X is not found in <ckpt> checkpoint {...}``), a shape
            mismatch, unused ``var_name_to_prev_var_name`` or ``var_name_to_vocab_info``
            entries, or an invalid ``vars_to_warm_start``.
        cannery.checkpoint.CheckpointError: the checkpoint is missing or damaged.
    """
    settings = as_warm_start_settings(settings_or_path)
    source = settings.ckpt_to_initialize_from
    logger.info("Warm-starting from: %s", source)
    graph_names = dict(graph_names or {})
    selected = _select(variables, set(trainable), settings.vars_to_warm_start, graph_names)
    vocab_infos = dict(settings.var_name_to_vocab_info or {})
    prev_names = dict(settings.var_name_to_prev_var_name or {})
    reader = _ckpt.load_checkpoint(source)
    shapes = reader.get_variable_to_shape_map()

    new_values: dict[str, np.ndarray] = {}
    prev_used, vocab_used = set(), set()
    for name in selected:
        prev_name = prev_names.get(name)
        if prev_name:
            prev_used.add(name)
        tensor_name = prev_name or name
        info = vocab_infos.get(name)
        if info:
            vocab_used.add(name)
            old = _get(reader, tensor_name, source, shapes)
            new_values[name] = _remap(np.asarray(variables[name]), old, info, name,
                                      tensor_name)
        elif settings.vars_to_warm_start:
            old = _get(reader, tensor_name, source, shapes)
            target_shape = np.shape(variables[name])
            if tuple(old.shape) != tuple(target_shape):
                raise ValueError(
                    f"Shape of variable {graph_names.get(name, name)}:0 "
                    f"({tuple(target_shape)}) doesn't match with "
                    f"shape of tensor {tensor_name} ({list(old.shape)}) from checkpoint reader."
                )
            new_values[name] = old

    viable = dict.fromkeys(selected).keys()  # TF prints these as dict_keys([...])
    unused_prev = set(prev_names) - prev_used
    if unused_prev:
        raise ValueError(
            "You provided the following variables in var_name_to_prev_var_name that were "
            f"not used: {unused_prev}.  Perhaps you misspelled them?  Here is the list of "
            f"viable variable names: {viable}"
        )
    unused_vocab = set(vocab_infos) - vocab_used
    if unused_vocab:
        raise ValueError(
            "You provided the following variables in var_name_to_vocab_info that were not "
            f"used: {unused_vocab}.  Perhaps you misspelled them?  Here is the list of "
            f"viable variable names: {viable}"
        )
    source_label = f"warm-start checkpoint {reader.path}"
    for name, value in new_values.items():
        _ckpt.check_assignable(variables, name, value, source_label)
    for name, value in new_values.items():
        _ckpt.assign(variables, name, value, source_label)
    logger.info("Warm-started %d variables.", len(new_values))
    return sorted(new_values)


# -- selection ------------------------------------------------------------------------------


def _check_vars_to_warm_start(value) -> None:
    if value is None or isinstance(value, str):
        return
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value) or all(isinstance(v, np.ndarray)
                                                         for v in value):
            return
        raise ValueError(
            "If `vars_to_warm_start` is a list, it must be all `Variable` or all `str`.  "
            f"Given types are {[type(v) for v in value]}"
        )
    raise ValueError(
        f"`vars_to_warm_start must be a `list` or `str`.  Given type is {type(value)}"
    )


def _select(variables: Mapping[str, Any], trainable: set[str], pattern,
            graph_names: Mapping[str, str] | None = None) -> list[str]:
    """Names of the variables ``pattern`` selects, in sorted order, without duplicates.

    ``pattern`` is matched against each variable's name in TensorFlow's graph
    (``graph_names``, else its checkpoint name).
    """
    _check_vars_to_warm_start(pattern)
    names = sorted(variables)
    graph_names = graph_names or {}
    # TensorFlow matches collection scopes against tensor names ("<var>:0").
    tensor = {n: graph_names.get(n, n) + ":0" for n in names}
    if pattern is None or isinstance(pattern, str):
        chosen = [n for n in names if n in trainable and
                  (pattern is None or re.match(pattern, tensor[n]))]
        if pattern and not chosen:
            logger.warning("vars_to_warm_start=%r matches no trainable variable", pattern)
        return chosen
    if all(isinstance(v, np.ndarray) for v in pattern) and pattern:
        # The cannery counterpart of TF's list of Variable objects: the arrays themselves.
        ids = {id(v) for v in pattern}
        return [n for n in names if id(variables[n]) in ids]
    chosen = []
    for regex in pattern:
        matched = [n for n in names if re.match(regex, tensor[n])]
        if not matched:
            logger.warning("vars_to_warm_start entry %r matches no variable", regex)
        chosen.extend(n for n in matched if n not in chosen)
    return sorted(chosen)


def _get(reader, tensor_name: str, source, shapes: dict) -> np.ndarray:
    if not reader.has_tensor(tensor_name):
        raise ValueError(
            f"Tensor {tensor_name} is not found in {source} checkpoint "
            f"{dict(sorted(shapes.items()))}"
        )
    return reader.get_tensor(tensor_name)


# -- vocabulary remapping ----------------------------------------------------------------------


def _remap(current: np.ndarray, old: np.ndarray, info: VocabInfo, name: str,
           tensor_name: str) -> np.ndarray:
    """The new value of ``name``: old rows (or columns) moved to their new vocabulary slots.

    Follows TensorFlow's ``_load_and_remap_matrix``: missing cells are filled, in
    row-major order, from one ``backup_initializer([n_missing, 1])`` call, then the
    OOV rows (or columns) from ``backup_initializer([rows, cols])``.
    """
    if not (info.new_vocab is not None and info.new_vocab_size and info.old_vocab is not None):
        raise ValueError(
            "Invalid args: Must provide all of [current_vocab_path, current_vocab_size, "
            "prev_ckpt, prev_vocab_path}."
        )
    new_size = int(info.new_vocab_size)
    oov = int(info.num_oov_buckets)
    if oov < 0:
        raise ValueError(f"num_oov_buckets must be >= 0, but received {oov}")
    one_d = current.ndim == 1 and info.axis == 0  # cannery extension: biases over a vocabulary
    shape = (current.shape[0], 1) if one_d else current.shape
    if len(shape) != 2:
        raise ValueError(
            f"variable {name}: vocabulary remapping needs a 2-D variable; "
            f"Expected 2-dim shape, but received: {list(current.shape)}"
        )
    dtype = current.dtype if current.dtype.kind == "f" else np.dtype(np.float32)
    old = old.reshape(-1, 1) if (one_d and old.ndim == 1) else old
    if old.ndim != 2:
        raise ValueError(
            f"variable {name}: checkpoint tensor {tensor_name} has shape {list(old.shape)}; "
            f"expected a 2-D tensor to remap"
        )
    new_vocab = _vocabulary(info.new_vocab, "new_vocab", name)
    if len(new_vocab) < new_size:
        raise ValueError(
            f"variable {name}: new_vocab_size is {new_size} but new_vocab has only "
            f"{len(new_vocab)} entries"
        )
    old_vocab = _vocabulary(info.old_vocab, "old_vocab", name)
    if info.old_vocab_size is not None and info.old_vocab_size >= 0:
        if info.old_vocab_size > len(old_vocab):
            raise ValueError(
                f"variable {name}: old_vocab_size is {info.old_vocab_size} but old_vocab "
                f"has only {len(old_vocab)} entries"
            )
        old_vocab = old_vocab[: info.old_vocab_size]
    position = {}
    for i, token in enumerate(old_vocab):
        position.setdefault(token, i)
    init = _initializer(info.backup_initializer, dtype)
    rows, cols = shape

    if info.axis == 0:
        if rows > new_size + oov:
            raise ValueError(
                f"Trying to initialize {rows} additional rows after 0 rows have already been "
                f"initialized, which would exceed expected total row count of "
                f"new_row_vocab_size ({new_size}) + num_row_oov_buckets ({oov}) = "
                f"{new_size + oov}."
            )
        if old.shape[1] != cols:
            raise ValueError(
                f"variable {name}: shape {list(current.shape)} has {cols} columns but "
                f"checkpoint tensor {tensor_name} has shape {list(old.shape)}"
            )
        n_load = rows - min(rows, max(0, rows - new_size))
        mapping = _mapping(new_vocab[:n_load], position, old.shape[0], 0, name, tensor_name)
        out = np.empty(shape, dtype=dtype)
        present = mapping >= 0
        out[:n_load][present] = old[mapping[present]]
        n_missing = int((~present).sum()) * cols
        if n_missing:
            out[:n_load][~present] = init([n_missing, 1]).reshape(-1, cols)
        if rows > n_load:
            out[n_load:] = init([rows - n_load, cols])
        return out.reshape(current.shape)

    if cols != new_size + oov:
        raise ValueError(
            f"Expected 2nd dim of shape to be new_col_vocab_size ({new_size}) + "
            f"num_col_oov_buckets ({oov}) = {new_size + oov}, but received shape: "
            f"{list(shape)}"
        )
    if old.shape[0] < rows:
        raise ValueError(
            f"variable {name}: shape {list(current.shape)} has {rows} rows but checkpoint "
            f"tensor {tensor_name} has shape {list(old.shape)}"
        )
    mapping = _mapping(new_vocab[:new_size], position, old.shape[1], 1, name, tensor_name)
    present = mapping >= 0
    out = np.empty(shape, dtype=dtype)
    block = np.empty((rows, new_size), dtype=dtype)
    block[:, present] = old[:rows, mapping[present]]
    n_missing = rows * int((~present).sum())
    if n_missing:
        block[:, ~present] = init([n_missing, 1]).reshape(rows, -1)
    out[:, :new_size] = block
    if oov:
        out[:, new_size:] = init([rows, oov])
    return out


def _mapping(tokens, position, old_len, axis, name, tensor_name) -> np.ndarray:
    mapping = np.array([position.get(t, -1) for t in tokens], dtype=np.int64)
    if mapping.size and mapping.max() >= old_len:
        raise ValueError(
            f"variable {name}: the old vocabulary has entry {int(mapping.max())} but checkpoint "
            f"tensor {tensor_name} has only {old_len} {'rows' if axis == 0 else 'columns'}"
        )
    return mapping


def _vocabulary(vocab, arg: str, name: str) -> list[str]:
    if isinstance(vocab, (list, tuple)):
        return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in vocab]
    if isinstance(vocab, np.ndarray):
        return _vocabulary(vocab.tolist(), arg, name)
    if isinstance(vocab, bytes):
        vocab = vocab.decode("utf-8")
    try:
        with open(os.fspath(vocab), encoding="utf-8") as f:
            text = f.read()
    except (OSError, TypeError) as error:
        raise ValueError(
            f"variable {name}: {arg}: expected a vocabulary file path or a list of strings, "
            f"received {vocab!r} ({error})"
        ) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last entry; it does not start another
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _initializer(backup, dtype) -> Callable[[list[int]], np.ndarray]:
    if backup is None:
        return lambda shape: np.zeros(shape, dtype=dtype)
    if isinstance(backup, (int, float, np.number)) and not isinstance(backup, bool):
        return lambda shape: np.full(shape, backup, dtype=dtype)
    if callable(backup):
        def call(shape):
            values = np.asarray(backup(list(shape)), dtype=dtype)
            return np.broadcast_to(values, tuple(shape))
        return call
    raise TypeError(
        f"backup_initializer: expected None, a number or a callable of a shape, received "
        f"{type(backup).__name__}"
    )
