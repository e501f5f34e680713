"""Checkpoints in a model_dir: one versioned, checksummed file per save.

A checkpoint ``<model_dir>/model.ckpt-<step>`` holds every variable under its
TensorFlow name (model weights, optimizer slots, optimizer hyper-parameters and
``global_step``), the model spec as a plain dict and a header naming the format,
the cannery version and the plugins that produced it. Beside them a ``checkpoint``
text file lists the retained checkpoints exactly as TensorFlow's ``CheckpointState``
does, so tools that read that file keep working.

File layout (all integers little-endian unless said otherwise)::

    MAGIC                      16 bytes
    format version             uint32
    metadata length            uint64
    metadata CRC-32            uint32
    metadata                   msgpack map: header, global_step, spec, variable table
    one msgpack bin32 per variable, in table order (0xc6, big-endian uint32 length, bytes)

Everything after the fixed preamble is a valid msgpack stream, so any msgpack reader
can decode a checkpoint; arrays travel as dtype, shape and little-endian C-order
bytes, never pickled. Each variable carries its own CRC-32 so one variable can be
read and verified without reading the others, and a truncated or bit-damaged file
is reported naming the file and what is wrong.

Writes are atomic: a temporary file in the same directory is written, flushed and
fsynced, renamed over the target, and the directory is fsynced, so a crash leaves
either the old state or the new one, never half a checkpoint.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import struct
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import msgpack
import numpy as np

from cannery._version import __version__
from cannery.errors import NotFoundError

logger = logging.getLogger(__name__)

MAGIC = b"\x89CANNERY-CKPT\r\n\x1a"  # PNG-style: catches text-mode mangling and foreign files
FORMAT_VERSION = 1
CHECKPOINT_BASENAME = "model.ckpt"
STATE_FILENAME = "checkpoint"
GLOBAL_STEP = "global_step"
#: Optimizer state lives under ``training/`` (``training_<n>/`` for a MultiHead model, as
#: TensorFlow names its scopes).
OPTIMIZER_SCOPE = re.compile(r"training(_\d+)?/")

_PREAMBLE = struct.Struct("<16sIQI")
_BIN32 = struct.Struct(">BI")
_BIN32_TAG = 0xC6
_MAX_TENSOR_BYTES = 2**32 - 1
_STEP_FILE = re.compile(r"^model\.ckpt-(\d+)$")
_TF_STEP_FILE = re.compile(r"^model\.ckpt-(\d+)\.index$")
_STORABLE_KINDS = "biuf"


class CheckpointError(ValueError):
    """A checkpoint that is missing, foreign, from a newer cannery, or damaged."""


class VariableNotFoundError(CheckpointError, NotFoundError):
    """A variable the model needs (or a caller asked for) is not in the checkpoint.

    Also a ``tf.errors.NotFoundError``, what TensorFlow's checkpoint reader raises.
    """


@attrs.define(eq=False)
class Checkpoint:
    """One checkpoint read into memory.

    Attributes:
        path: the checkpoint file (``<model_dir>/model.ckpt-<step>``).
        global_step: the step it was saved at.
        variables: TensorFlow variable name -> numpy array (writable, C order).
        spec: the model spec (plain dict) or None.
        header: format version, cannery version, contributing plugins, creation time.
    """

    path: str
    global_step: int
    variables: dict[str, np.ndarray]
    spec: dict | None = None
    header: dict = attrs.Factory(dict)

    def package_providing(self, name: str) -> str | None:
        """The package of the plugin that registered component ``name`` when this was saved.

        Lets a loader whose registry lacks a component say which package to install.
        """
        for plugin in self.header.get("plugins", ()):
            if str(plugin.get("name", "")).lower() == name.lower():
                return plugin.get("package") or plugin.get("plugin")
        return None


# -- public API ---------------------------------------------------------------------------


def write(
    model_dir: str | os.PathLike,
    variables: Mapping[str, Any],
    global_step: int,
    spec: dict | None = None,
    plugins: Iterable[Any] | None = None,
    keep_checkpoint_max: int | None = None,
) -> str:
    """Write ``<model_dir>/model.ckpt-<global_step>`` atomically and update the ``checkpoint`` file.

    Args:
        model_dir: directory to write into (created if missing).
        variables: TensorFlow variable name -> array-like (numeric dtypes only).
            ``global_step`` may be included but must then equal ``global_step``.
        global_step: the step; also stored as the int64 scalar variable ``global_step``.
        spec: the model spec as a plain dict (columns, head, optimizer, ...).
        plugins: the plugins whose components the model uses: registry ``Entry``
            objects, dicts such as ``{"name": ..., "package": ..., "version": ...}``,
            or plain names.
        keep_checkpoint_max: keep only this many newest checkpoints listed in the
            ``checkpoint`` file, deleting older files. ``None`` or ``0`` keeps all.

    Returns:
        The checkpoint path, ``<model_dir>/model.ckpt-<global_step>``.

    Raises:
        CheckpointError: a variable has a dtype that cannot be stored, is larger than
            4 GiB, or ``global_step`` disagrees with the ``global_step`` variable.
    """
    model_dir = os.fspath(model_dir)
    tracked = [(p, t) for p, t in _recover_tracked(model_dir)]
    keep_all = not keep_checkpoint_max
    path = _write_checkpoint_file(model_dir, variables, global_step, spec, plugins)
    tracked = [(p, t) for p, t in tracked if p != path]
    tracked.append((path, time.time()))
    doomed = []
    if not keep_all:
        while len(tracked) > keep_checkpoint_max:
            doomed.append(tracked.pop(0))
    write_checkpoint_state(model_dir, path, [p for p, _ in tracked])
    for old_path, _ in doomed:
        _delete_checkpoint(old_path)
    return path


def write_file(
    path: str | os.PathLike,
    variables: Mapping[str, Any],
    global_step: int,
    spec: dict | None = None,
    plugins: Iterable[Any] | None = None,
) -> str:
    """Write one checkpoint file at ``path`` atomically, outside any model_dir bookkeeping.

    For exports (``<export_dir>/variables/variables``, which warm starting detects)
    and tools; no ``checkpoint`` state file is touched and nothing is retired.

    Args, Raises: as :func:`write`.

    Returns:
        ``path`` as a string.
    """
    return _write_to(os.fspath(path), variables, global_step, spec, plugins)


def read(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint, verifying its checksums.

    Args:
        path: a checkpoint file, a model_dir (its latest checkpoint is read) or a
            TensorFlow tensor-bundle prefix (``model.ckpt-N`` with a ``.index`` file).

    Returns:
        The :class:`Checkpoint`.

    Raises:
        CheckpointError: no checkpoint there, a foreign or newer file, or damage
            (truncation, bad checksum), naming the file and the problem.
    """
    path = _resolve(path)
    if _is_tf_bundle(path):
        return _read_tf_bundle(path)
    with _open(path) as f:
        meta, data_start = _read_meta(f, path)
        variables = {}
        offset = data_start
        for name, dtype, shape, nbytes, crc in _table(meta, path):
            variables[name] = _read_tensor(f, path, offset, name, dtype, shape, nbytes, crc)
            offset += _BIN32.size + nbytes
    return Checkpoint(
        path=path,
        global_step=int(meta["global_step"]),
        variables=variables,
        spec=meta.get("spec"),
        header=meta.get("header", {}),
    )


def latest_checkpoint(model_dir: str | os.PathLike) -> str | None:
    """Path of the newest checkpoint in ``model_dir``, or None.

    Follows ``model_checkpoint_path`` of the ``checkpoint`` file, as TensorFlow does;
    if that file is missing, unreadable or names a file that does not exist, falls
    back to the ``model.ckpt-<step>`` file with the highest step.
    """
    model_dir = os.fspath(model_dir)
    state = read_checkpoint_state(model_dir)
    if state is not None and state[0] and _exists(state[0]):
        return state[0]
    candidates = _scan(model_dir)
    return candidates[-1] if candidates else None


def latest_intact_checkpoint(model_dir: str | os.PathLike) -> Checkpoint | None:
    """The newest checkpoint in ``model_dir`` that reads cleanly, or None.

    Damaged checkpoints are skipped with a logged warning naming the file and the
    problem, so training resumes from the newest good one.
    """
    for path in _candidates_newest_first(os.fspath(model_dir)):
        try:
            return read(path)
        except CheckpointError as error:
            logger.warning("Skipping damaged checkpoint %s: %s", path, error)
    return None


def list_variables(path: str | os.PathLike) -> list[tuple[str, list[int]]]:
    """``[(name, shape), ...]`` sorted by name, like ``tf.train.list_variables``.

    Only the metadata is read. ``path`` may be a checkpoint file or a model_dir.
    """
    return sorted(CheckpointReader(path).get_variable_to_shape_map().items())


def load_variable(path: str | os.PathLike, name: str) -> np.ndarray:
    """One variable's value, reading (and verifying) only that variable.

    Raises:
        VariableNotFoundError: no variable ``name``; the message lists close names.
    """
    return CheckpointReader(path).get_tensor(name)


def describe(path: str | os.PathLike) -> dict:
    """A plain summary for ``cannery inspect``: step, spec, header and each variable.

    Only the metadata is read (checksummed); tensor bytes are not.
    """
    path = _resolve(path)
    if _is_tf_bundle(path):
        ckpt = _read_tf_bundle(path)
        rows = [(n, a.dtype.name, list(a.shape), a.nbytes) for n, a in ckpt.variables.items()]
        meta = {"global_step": ckpt.global_step, "spec": None, "header": ckpt.header}
    else:
        with _open(path) as f:
            meta, _ = _read_meta(f, path)
        rows = [(n, d.name, list(s), nb) for n, d, s, nb, _ in _table(meta, path)]
    return {
        "path": path,
        "global_step": int(meta["global_step"]),
        "header": meta.get("header", {}),
        "spec": meta.get("spec"),
        "variables": [
            {"name": n, "shape": s, "dtype": d, "nbytes": nb} for n, d, s, nb in sorted(rows)
        ],
    }


class CheckpointReader:
    """Reads one checkpoint's variables on demand, like ``tf.train.load_checkpoint``.

    The metadata is read (and verified) once; each :meth:`get_tensor` reads and
    verifies only that variable, so warm-starting a few variables from a large
    checkpoint does not load the whole file.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = _resolve(path)
        self._bundle = None
        if _is_tf_bundle(self.path):
            self._bundle = _read_tf_bundle(self.path)
            self.global_step = self._bundle.global_step
            self._entries = {n: (a.dtype, a.shape) for n, a in self._bundle.variables.items()}
            return
        with _open(self.path) as f:
            meta, offset = _read_meta(f, self.path)
        self.global_step = int(meta["global_step"])
        self.spec = meta.get("spec")
        self.header = meta.get("header", {})
        self._entries, self._locations = {}, {}
        for name, dtype, shape, nbytes, crc in _table(meta, self.path):
            self._entries[name] = (dtype, shape)
            self._locations[name] = (offset, nbytes, crc)
            offset += _BIN32.size + nbytes

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        """Name -> shape (a list), for every stored variable."""
        return {n: list(shape) for n, (_, shape) in self._entries.items()}

    def get_variable_to_dtype_map(self) -> dict[str, np.dtype]:
        return {n: dtype for n, (dtype, _) in self._entries.items()}

    def has_tensor(self, name: str) -> bool:
        return name in self._entries

    def get_tensor(self, name: str) -> np.ndarray:
        """The value of ``name`` (a fresh writable array).

        Raises:
            VariableNotFoundError: no such variable; the message lists close names.
        """
        if name not in self._entries:
            raise _not_found(name, self.path, list(self._entries))
        if self._bundle is not None:
            return self._bundle.variables[name].copy()
        dtype, shape = self._entries[name]
        offset, nbytes, crc = self._locations[name]
        with _open(self.path) as f:
            return _read_tensor(f, self.path, offset, name, dtype, shape, nbytes, crc)


def load_checkpoint(path: str | os.PathLike) -> CheckpointReader:
    """A :class:`CheckpointReader` for a checkpoint file or a model_dir's latest checkpoint."""
    return CheckpointReader(path)


def restore(variables: dict[str, Any], source: str | os.PathLike | Checkpoint) -> Checkpoint:
    """Overwrite ``variables`` in place with the checkpoint's values.

    Every variable must be in the checkpoint (TensorFlow's rule), with one
    exception: a checkpoint holding no optimizer state at all (no ``training/...``
    entry, as :func:`write` makes from model variables alone) leaves the optimizer's
    slots and hyper-parameters as initialised, so training resumes with fresh slots.

    Args:
        variables: the model's variables, name -> array (arrays are updated in place).
        source: a checkpoint path, a model_dir, or a :class:`Checkpoint`.

    Returns:
        The checkpoint restored from.

    Raises:
        VariableNotFoundError: ``Key <name> not found in checkpoint`` — e.g. the
            optimizer was switched on an existing model_dir.
        CheckpointError: a shape or dtype that does not fit.
    """
    ckpt = source if isinstance(source, Checkpoint) else read(source)
    stored = ckpt.variables
    has_optimizer_state = any(OPTIMIZER_SCOPE.match(n) for n in stored)
    for name in variables:
        if name in stored:
            continue
        if OPTIMIZER_SCOPE.match(name) and not has_optimizer_state:
            continue
        hint = ""
        if OPTIMIZER_SCOPE.match(name):
            scopes = sorted({"/".join(n.split("/")[:2]) for n in stored
                             if OPTIMIZER_SCOPE.match(n)})
            hint = (f" (the checkpoint holds optimizer state under {', '.join(scopes)}; "
                    f"was the optimizer changed on an existing model_dir?)")
        raise VariableNotFoundError(f"Key {name} not found in checkpoint {ckpt.path}{hint}")
    # Check everything before changing anything: a failed restore leaves the model as it was.
    source_label = f"checkpoint {ckpt.path}"
    names = [n for n in variables if n in stored]
    for name in names:
        check_assignable(variables, name, stored[name], source_label)
    for name in names:
        assign(variables, name, stored[name], source_label)
    return ckpt


def assign(variables: dict[str, Any], name: str, value: np.ndarray, source: str) -> None:
    """Copy ``value`` into ``variables[name]`` in place (shape must match; same-kind casts only).

    Raises:
        CheckpointError: naming the variable, the expected and the received shape or dtype.
    """
    check_assignable(variables, name, value, source)
    current = variables[name]
    if isinstance(current, np.ndarray) and current.flags.writeable:
        np.copyto(current, value, casting="same_kind")
    else:
        variables[name] = value.astype(np.asarray(current).dtype, copy=True)


def check_assignable(variables: Mapping[str, Any], name: str, value: np.ndarray,
                     source: str) -> None:
    """Raise unless :func:`assign` of ``value`` to ``variables[name]`` would succeed."""
    target = np.asarray(variables[name])
    if target.shape != value.shape:
        raise CheckpointError(
            f"variable {name}: expected shape {list(target.shape)}, received shape "
            f"{list(value.shape)} from {source}"
        )
    if not np.can_cast(value.dtype, target.dtype, casting="same_kind"):
        raise CheckpointError(
            f"variable {name}: expected dtype {target.dtype.name}, received dtype "
            f"{value.dtype.name} from {source}"
        )


# -- retention ----------------------------------------------------------------------------


@attrs.define(eq=False)
class CheckpointManager:
    """Saves checkpoints into one model_dir with TensorFlow's ``Saver`` retention.

    The newest ``keep_checkpoint_max`` checkpoints are listed in the ``checkpoint``
    file and kept; each older one is deleted when it falls off the list, unless it
    was saved more than ``keep_checkpoint_every_n_hours`` after the last one so
    exempted (the first exemption is measured from the manager's creation), in
    which case its file stays (unlisted). ``keep_checkpoint_max`` of 0 or None keeps
    every file and lists only the newest, as TensorFlow does.

    Reopening a model_dir recovers the list from its ``checkpoint`` file (entries
    whose files exist, timed by their modification times), as TensorFlow's
    ``Saver.recover_last_checkpoints`` does when a session restores.

    Args:
        model_dir: the directory.
        keep_checkpoint_max: how many newest checkpoints to keep (>= 0 or None).
        keep_checkpoint_every_n_hours: exempt one checkpoint per this many hours.
        clock: seconds since the epoch; injectable for tests.
    """

    model_dir: str = attrs.field(converter=os.fspath)
    keep_checkpoint_max: int | None = attrs.field(default=5)
    keep_checkpoint_every_n_hours: float = attrs.field(default=10000)
    clock: Callable[[], float] = attrs.field(default=time.time, repr=False)
    _tracked: list[tuple[str, float]] = attrs.field(init=False, factory=list)
    _next_exempt_time: float = attrs.field(init=False, default=0.0)

    @keep_checkpoint_max.validator
    def _check_max(self, attribute, value):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):
            raise ValueError(
                f"keep_checkpoint_max: expected None or an integer >= 0, received {value!r}"
            )

    @keep_checkpoint_every_n_hours.validator
    def _check_hours(self, attribute, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(
                f"keep_checkpoint_every_n_hours: expected a number > 0, received {value!r}"
            )

    def __attrs_post_init__(self):
        self._next_exempt_time = self.clock() + self.keep_checkpoint_every_n_hours * 3600
        if self.keep_checkpoint_max:
            self._tracked = _recover_tracked(self.model_dir)

    @property
    def checkpoints(self) -> list[str]:
        """Paths of the retained checkpoints, oldest first."""
        return [p for p, _ in self._tracked]

    def save(self, variables: Mapping[str, Any], global_step: int, spec: dict | None = None,
             plugins: Iterable[Any] | None = None) -> str:
        """Write ``model.ckpt-<global_step>``, update the ``checkpoint`` file, apply retention.

        Args, Raises: as :func:`write`.

        Returns:
            The checkpoint path.
        """
        path = _write_checkpoint_file(self.model_dir, variables, global_step, spec, plugins)
        doomed = []
        if self.keep_checkpoint_max:
            # Re-saving one step (each train() call saves at its restored step) moves it
            # to the newest position instead of listing it twice, as Saver does.
            self._tracked = [(p, t) for p, t in self._tracked if p != path]
            self._tracked.append((path, self.clock()))
            while len(self._tracked) > self.keep_checkpoint_max:
                doomed.append(self._tracked.pop(0))
            listed = self.checkpoints
        else:
            listed = [path]
        write_checkpoint_state(self.model_dir, path, listed)
        for old_path, saved_at in doomed:
            if saved_at > self._next_exempt_time:
                self._next_exempt_time += self.keep_checkpoint_every_n_hours * 3600
                continue
            _delete_checkpoint(old_path)
        return path


# -- the `checkpoint` text file ------------------------------------------------------------


def write_checkpoint_state(model_dir: str, latest: str, all_paths: list[str]) -> None:
    """Atomically rewrite ``<model_dir>/checkpoint`` in TensorFlow's text format.

    Paths inside ``model_dir`` are written relative, others absolute, as TF does.
    ``all_paths`` is oldest first; ``latest`` is appended if it is not last.
    """
    all_paths = list(all_paths)
    if not all_paths or all_paths[-1] != latest:
        all_paths.append(latest)
    lines = [f'model_checkpoint_path: "{_escape(_relative(model_dir, latest))}"']
    lines += [f'all_model_checkpoint_paths: "{_escape(_relative(model_dir, p))}"'
              for p in all_paths]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    _atomic_write(os.path.join(model_dir, STATE_FILENAME), [data])


def read_checkpoint_state(model_dir: str) -> tuple[str | None, list[str]] | None:
    """``(latest path, [all paths oldest first])`` from the ``checkpoint`` file, or None.

    Relative paths are joined to ``model_dir``. A missing or unparsable file gives None.
    """
    state_path = os.path.join(model_dir, STATE_FILENAME)
    try:
        with open(state_path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    latest, all_paths = None, []
    for line_no, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = re.fullmatch(r'(\w+)\s*:\s*"((?:[^"\\]|\\.)*)"', line)
        if match is None:
            if re.fullmatch(r"\w+\s*:\s*[-+0-9.eE]+", line):
                continue  # TF2's timestamp fields; not needed here
            logger.warning("Ignoring unparsable line %d of %s: %r", line_no, state_path, line)
            return None
        key, value = match.group(1), os.path.join(model_dir, _unescape(match.group(2)))
        if key == "model_checkpoint_path":
            latest = value
        elif key == "all_model_checkpoint_paths":
            all_paths.append(value)
    return latest, all_paths


# -- internals: writing --------------------------------------------------------------------


def checkpoint_path(model_dir: str, global_step: int) -> str:
    return os.path.join(model_dir, f"{CHECKPOINT_BASENAME}-{int(global_step)}")


def _write_checkpoint_file(model_dir, variables, global_step, spec, plugins) -> str:
    return _write_to(checkpoint_path(model_dir, _step(global_step)), variables, global_step,
                     spec, plugins)


def _step(global_step) -> int:
    if isinstance(global_step, bool) or not isinstance(global_step, (int, np.integer)) \
            or global_step < 0:
        raise CheckpointError(
            f"global_step: expected an integer >= 0, received {global_step!r}"
        )
    return int(global_step)


def _write_to(path, variables, global_step, spec, plugins) -> str:
    global_step = _step(global_step)
    if not isinstance(variables, Mapping):
        raise CheckpointError(
            f"variables: expected a dict of name -> array, received {type(variables).__name__}"
        )
    arrays = {}
    for name, value in variables.items():
        if not isinstance(name, str) or not name:
            raise CheckpointError(f"variable names must be non-empty strings, received {name!r}")
        arrays[name] = _storable(name, value)
    if GLOBAL_STEP in arrays:
        stored = arrays[GLOBAL_STEP]
        if stored.size != 1 or int(stored.reshape(-1)[0]) != global_step:
            raise CheckpointError(
                f"variable global_step: expected {global_step} (the global_step argument), "
                f"received {stored.tolist()!r}"
            )
    arrays[GLOBAL_STEP] = np.array(global_step, dtype="<i8")

    table, chunks = [], []
    for name in sorted(arrays):
        array = arrays[name]
        flat = array.reshape(-1).view(np.uint8)
        if flat.nbytes > _MAX_TENSOR_BYTES:
            raise CheckpointError(
                f"variable {name}: {flat.nbytes} bytes; a checkpoint entry holds at most "
                f"{_MAX_TENSOR_BYTES} bytes (4 GiB)"
            )
        table.append([name, array.dtype.name, list(array.shape), flat.nbytes,
                      zlib.crc32(flat)])
        chunks.append(_BIN32.pack(_BIN32_TAG, flat.nbytes))
        chunks.append(flat)
    meta = {
        "header": {
            "format_version": FORMAT_VERSION,
            "cannery_version": __version__,
            "plugins": _plain_plugins(plugins),
            "created": time.time(),
        },
        "global_step": global_step,
        "spec": spec,
        "variables": table,
    }
    try:
        meta_bytes = msgpack.packb(meta, use_bin_type=True)
    except (TypeError, ValueError) as error:
        raise CheckpointError(
            f"spec: expected plain data (dicts, lists, strings, numbers), cannot store it: {error}"
        ) from None
    preamble = _PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(meta_bytes), zlib.crc32(meta_bytes))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    _atomic_write(path, [preamble, meta_bytes, *chunks])
    return path


def _storable(name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in _STORABLE_KINDS:
        raise CheckpointError(
            f"variable {name}: expected a numeric or bool array, received dtype {array.dtype}"
        )
    little = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    # not ascontiguousarray: it turns 0-d scalars such as global_step into shape [1]
    return np.asarray(array, dtype=little, order="C")


def _plain_plugins(plugins) -> list[dict]:
    out = []
    for plugin in plugins or ():
        if isinstance(plugin, str):
            out.append({"name": plugin})
        elif isinstance(plugin, Mapping):
            out.append({str(k): (v if v is None or isinstance(v, (str, int, float, bool))
                                 else str(v)) for k, v in plugin.items()})
        elif callable(getattr(plugin, "as_dict", None)):
            entry = plugin.as_dict()
            out.append({k: entry.get(k) for k in ("kind", "name", "plugin", "package", "version")})
        else:
            raise CheckpointError(
                f"plugins: expected registry entries, dicts or names, received {plugin!r}"
            )
    return out


def _atomic_write(path: str, chunks: list) -> None:
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(error, OSError) and error.errno is not None and error.filename is None:
            error.filename = path  # a full disk names the file it could not write
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _delete_checkpoint(path: str) -> None:
    for candidate in (path, path + ".index", path + ".meta"):
        try:
            os.remove(candidate)
        except FileNotFoundError:
            pass
    directory, base = os.path.split(path)
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    for name in names:
        if name.startswith(base + ".data-"):
            try:
                os.remove(os.path.join(directory, name))
            except FileNotFoundError:
                pass


def _recover_tracked(model_dir: str) -> list[tuple[str, float]]:
    state = read_checkpoint_state(model_dir)
    if state is None:
        return []
    tracked = []
    for path in state[1]:
        if any(p == path for p, _ in tracked):
            continue
        # a TensorFlow-written entry is a prefix: time it by its .index file
        for candidate in (path, path + ".index"):
            try:
                tracked.append((path, os.path.getmtime(candidate)))
                break
            except OSError:
                continue  # listed but gone: nothing to retain or delete
    return tracked


# -- internals: reading --------------------------------------------------------------------


def _resolve(path) -> str:
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    path = os.fspath(path)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise CheckpointError(
                f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}"
            )
        return latest
    return path


def _exists(path: str) -> bool:
    return os.path.isfile(path) or os.path.isfile(path + ".index")


def _is_tf_bundle(path: str) -> bool:
    return not os.path.exists(path) and os.path.isfile(path + ".index")


def _read_tf_bundle(path: str) -> Checkpoint:
    from cannery.core.tf_bundle import read_tf_checkpoint

    variables = read_tf_checkpoint(path)
    step = variables.get(GLOBAL_STEP)
    return Checkpoint(
        path=path,
        global_step=int(step) if step is not None and step.size == 1 else 0,
        variables=variables,
        spec=None,
        header={"format": "tensorflow tensor bundle"},
    )


def _scan(model_dir: str) -> list[str]:
    """Checkpoint paths in ``model_dir`` sorted by step, oldest first."""
    try:
        names = os.listdir(model_dir)
    except OSError:
        return []
    steps = {}
    for name in names:
        match = _STEP_FILE.match(name) or _TF_STEP_FILE.match(name)
        if match:
            steps[int(match.group(1))] = checkpoint_path(model_dir, int(match.group(1)))
    return [steps[s] for s in sorted(steps)]


def _candidates_newest_first(model_dir: str) -> list[str]:
    ordered = []
    state = read_checkpoint_state(model_dir)
    if state is not None:
        if state[0]:
            ordered.append(state[0])
        ordered.extend(reversed(state[1]))
    ordered.extend(reversed(_scan(model_dir)))
    seen, out = set(), []
    for path in ordered:
        if path not in seen and _exists(path):
            seen.add(path)
            out.append(path)
    return out


def _open(path: str):
    """``open(path, 'rb')`` that reports a missing file as a CheckpointError."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path} does not exist") from None
    except IsADirectoryError:
        raise CheckpointError(f"checkpoint {path} is a directory, not a file") from None


def _read_meta(f, path: str) -> tuple[dict, int]:
    raw = f.read(_PREAMBLE.size)
    if len(raw) < len(MAGIC) or not raw.startswith(MAGIC):
        raise CheckpointError(
            f"{path} is not a cannery checkpoint (it does not start with cannery's "
            f"checkpoint signature; first bytes: {raw[:16]!r})"
        )
    if len(raw) < _PREAMBLE.size:
        raise CheckpointError(f"{path} is truncated: the file ends inside its header")
    _, version, meta_len, meta_crc = _PREAMBLE.unpack(raw)
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format version {version}, newer than this cannery "
            f"({__version__}) reads (up to {FORMAT_VERSION}); upgrade cannery to read it"
        )
    size = os.fstat(f.fileno()).st_size
    if _PREAMBLE.size + meta_len > size:
        raise CheckpointError(
            f"{path} is truncated: {size} bytes, but its metadata alone needs "
            f"{_PREAMBLE.size + meta_len}"
        )
    meta_bytes = f.read(meta_len)
    if zlib.crc32(meta_bytes) != meta_crc:
        raise CheckpointError(f"{path} is damaged: the metadata checksum does not match")
    try:
        meta = msgpack.unpackb(meta_bytes, raw=False, strict_map_key=False)
    except Exception as error:  # checksum passed, so this is a writer bug or a crafted file
        raise CheckpointError(f"{path} is damaged: unreadable metadata ({error})") from None
    if not isinstance(meta, dict) or "variables" not in meta or "global_step" not in meta:
        raise CheckpointError(f"{path} is damaged: metadata lacks the variable table")
    data_start = _PREAMBLE.size + meta_len
    expected = data_start + sum(_BIN32.size + int(e[3]) for e in meta["variables"])
    if size < expected:
        raise CheckpointError(f"{path} is truncated: {size} bytes, expected {expected}")
    if size > expected:
        raise CheckpointError(
            f"{path} is damaged: {size} bytes, expected {expected} (trailing data)"
        )
    return meta, data_start


def _table(meta: dict, path: str) -> list[tuple[str, np.dtype, tuple, int, int]]:
    out = []
    for entry in meta["variables"]:
        try:
            name, dtype, shape, nbytes, crc = entry
            dtype = np.dtype(dtype).newbyteorder("<")
            shape = tuple(int(d) for d in shape)
        except (TypeError, ValueError) as error:
            raise CheckpointError(f"{path} is damaged: bad variable entry {entry!r} ({error})") \
                from None
        if dtype.kind not in _STORABLE_KINDS or \
                int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != nbytes:
            raise CheckpointError(
                f"{path} is damaged: variable {name} claims dtype {dtype.name}, shape "
                f"{list(shape)} and {nbytes} bytes, which do not agree"
            )
        out.append((name, dtype, shape, int(nbytes), int(crc)))
    return out


def _read_tensor(f, path, offset, name, dtype, shape, nbytes, crc) -> np.ndarray:
    f.seek(offset)
    tag, length = _BIN32.unpack(f.read(_BIN32.size))
    if tag != _BIN32_TAG or length != nbytes:
        raise CheckpointError(f"{path} is damaged: variable {name} has a corrupt length prefix")
    array = np.empty(shape, dtype=dtype)
    buffer = array.reshape(-1).view(np.uint8)
    if f.readinto(buffer) != nbytes:
        raise CheckpointError(f"{path} is truncated inside variable {name}")
    if zlib.crc32(buffer) != crc:
        raise CheckpointError(f"{path} is damaged: checksum mismatch in variable {name}")
    return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


def _not_found(name: str, path: str, names: list[str]) -> VariableNotFoundError:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return VariableNotFoundError(f"Key {name} not found in checkpoint {path}.{hint}")


def _relative(model_dir: str, path: str) -> str:
    directory = os.path.abspath(model_dir)
    absolute = os.path.abspath(path)
    if os.path.dirname(absolute) == directory:
        return os.path.basename(absolute)
    return absolute


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "'": "'"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)
