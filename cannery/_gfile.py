"""``tf.io.gfile``: TensorFlow's file API over local files.

As TensorFlow 2.15's ``tensorflow/python/lib/io/file_io.py`` on its POSIX file system:
the same functions, the same :mod:`cannery.errors` classes and messages (an OS error is
``"<path>; <strerror>"`` with TensorFlow's errno-to-class table), and :class:`GFile`'s
habits -- a file opened for writing is created at the first ``write``, reading and
writing use separate handles, ``read(n)`` counts bytes, ``readline`` drops every
``\\r``, and a ``seek`` past the end raises ``OutOfRangeError``.

Paths are ``str``, ``bytes`` or ``os.PathLike``; ``file://`` URIs are local paths. Any
other scheme (``gs://``, ``s3://``, ``hdfs://`` ...) raises ``UnimplementedError``
naming it: cannery reads and writes local files only.

The v1 names (``tf.compat.v1.gfile.Exists`` ...) are the module :data:`v1`.
"""

from __future__ import annotations

import errno as _errno
import glob as _glob
import os
import posixpath
import re
import shutil
import stat as _stat
import types

from cannery import errors

__all__ = ["GFile", "copy", "exists", "get_registered_schemes", "glob", "isdir", "join",
           "listdir", "makedirs", "mkdir", "remove", "rename", "rmtree", "stat", "walk"]

# TensorFlow's ErrnoToCode (tsl/platform/errors.cc) for the errors a file system raises.
_ERRNO_CLASSES = {
    **dict.fromkeys((_errno.EINVAL, _errno.ENAMETOOLONG, _errno.E2BIG, _errno.EFAULT,
                     _errno.EILSEQ, _errno.ENOTTY, _errno.ESPIPE), errors.InvalidArgumentError),
    **dict.fromkeys((_errno.ETIMEDOUT,), errors.DeadlineExceededError),
    **dict.fromkeys((_errno.ENODEV, _errno.ENOENT, _errno.ENXIO, _errno.ESRCH),
                    errors.NotFoundError),
    **dict.fromkeys((_errno.EEXIST,), errors.AlreadyExistsError),
    **dict.fromkeys((_errno.EPERM, _errno.EACCES, _errno.EROFS), errors.PermissionDeniedError),
    **dict.fromkeys((_errno.ENOTEMPTY, _errno.EISDIR, _errno.ENOTDIR, _errno.EBADF,
                     _errno.EBUSY, _errno.ETXTBSY, _errno.EPIPE),
                    errors.FailedPreconditionError),
    **dict.fromkeys((_errno.ENOSPC, _errno.EDQUOT, _errno.EMFILE, _errno.EMLINK,
                     _errno.ENFILE, _errno.ENOBUFS, _errno.ENOMEM),
                    errors.ResourceExhaustedError),
    **dict.fromkeys((_errno.EFBIG, _errno.EOVERFLOW, _errno.ERANGE), errors.OutOfRangeError),
    **dict.fromkeys((_errno.ENOSYS, _errno.ENOTSUP, _errno.EXDEV), errors.UnimplementedError),
    **dict.fromkeys((_errno.EAGAIN, _errno.EINTR), errors.UnavailableError),
    **dict.fromkeys((_errno.EDEADLK, _errno.ESTALE), errors.AbortedError),
}

# TensorFlow's ParseURI: a scheme is [a-zA-Z][0-9a-zA-Z.]* followed by "://".
_SCHEME = re.compile(r"^([a-zA-Z][0-9a-zA-Z.]*)://")


def io_error(context: str, error: OSError) -> errors.OpError:
    """TensorFlow's ``IOError(context, errno)``: ``"<context>; <strerror>"`` as the
    class its errno maps to (``UnknownError`` for the rest)."""
    code = error.errno or 0
    cls = _ERRNO_CLASSES.get(code, errors.UnknownError)
    return cls(None, None, f"{context}; {os.strerror(code) if code else error}")


def _text(path) -> str:
    """A path argument as ``str`` (``bytes`` as UTF-8, ``os.PathLike`` through fspath)."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if isinstance(path, bytes):
        return path.decode("utf-8")
    if isinstance(path, str):
        return path
    raise TypeError(f"Expected binary or unicode string, got {path!r}")


def local_path(path) -> str:
    """The local file path ``path`` names: itself, or the path of a ``file://`` URI.

    Raises:
        cannery.errors.UnimplementedError: any other URI scheme (TensorFlow's message for
            a file system it has not registered; cannery registers only local files).
    """
    text = _text(path)
    match = _SCHEME.match(text)
    if match is None:
        return text
    if match.group(1) == "file":
        rest = text[match.end():]
        slash = rest.find("/")  # file://host/path: the host is ignored, as TensorFlow does
        return rest[slash:] if slash >= 0 else ""
    raise errors.UnimplementedError(
        None, None, f"File system scheme '{match.group(1)}' not implemented (file: '{text}')")


def _scheme_prefix(path: str) -> str:
    match = _SCHEME.match(path)
    if match is None:
        return ""
    rest = path[match.end():]
    slash = rest.find("/")
    return path[:match.end() + (slash if slash >= 0 else len(rest))]


# ----------------------------------------------------------------------------- functions


def exists(path) -> bool:
    """``tf.io.gfile.exists``: whether ``path`` names an existing file or directory.

    Raises:
        cannery.errors.UnimplementedError: a non-local URI scheme.
    """
    return os.access(local_path(path), os.F_OK)


def remove(path) -> None:
    """``tf.io.gfile.remove``: delete the file ``path``.

    Raises:
        cannery.errors.NotFoundError: no such file (``"<path>; No such file or
            directory"``); ``FailedPreconditionError`` for a directory.
    """
    name = local_path(path)
    try:
        os.unlink(name)
    except OSError as error:
        raise io_error(name, error) from None


def glob(pattern) -> list[str]:
    """``tf.io.gfile.glob``: the paths matching ``pattern`` (a string or a list of them;
    results of a list are concatenated in its order).

    ``*``, ``?`` and ``[...]`` match within one path component and, as TensorFlow's
    matcher, ``*`` matches names starting with a dot. Matches come in directory order,
    unsorted, as TensorFlow's.

    Raises:
        TypeError: a pattern that is not a string.
    """
    if isinstance(pattern, str):
        return _glob_one(pattern)
    out: list[str] = []
    for single in pattern:
        out.extend(_glob_one(_text(single)))
    return out


def _glob_one(pattern: str) -> list[str]:
    prefix = _scheme_prefix(pattern)
    matches = _glob.glob(local_path(pattern), include_hidden=True)
    return [prefix + match for match in matches] if prefix else matches


def mkdir(path) -> None:
    """``tf.io.gfile.mkdir``: create the directory ``path`` (its parent must exist; an
    existing ``path`` is no error, as in TensorFlow).

    Raises:
        cannery.errors.NotFoundError: the parent does not exist.
    """
    name = local_path(path)
    try:
        os.mkdir(name)
    except FileExistsError:
        pass
    except OSError as error:
        raise io_error(name, error) from None


def makedirs(path) -> None:
    """``tf.io.gfile.makedirs``: create ``path`` and its missing parents.

    Raises:
        cannery.errors.FailedPreconditionError: a component of the path is a file
            (``"<component> is not a directory"``).
    """
    name = local_path(path)
    if not name:
        return
    # TensorFlow walks up to the first existing component; one that is a file fails
    parts = []
    current = name.rstrip("/") or "/"
    while current and not os.path.exists(current):
        parts.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    if current and os.path.exists(current) and not os.path.isdir(current):
        raise errors.FailedPreconditionError(None, None, f"{current} is not a directory")
    for part in reversed(parts):
        try:
            os.mkdir(part)
        except FileExistsError:
            if not os.path.isdir(part):
                raise errors.FailedPreconditionError(
                    None, None, f"{part} is not a directory") from None
        except OSError as error:
            raise io_error(part, error) from None


def copy(src, dst, overwrite=False) -> None:
    """``tf.io.gfile.copy``: copy the file ``src`` to ``dst``.

    Raises:
        cannery.errors.AlreadyExistsError: ``dst`` exists and not ``overwrite``
            (``"file already exists"``).
        cannery.errors.NotFoundError: ``src`` does not exist.
    """
    source, target = local_path(src), local_path(dst)
    if not overwrite and exists(target):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        info = os.stat(source)
    except OSError as error:
        raise io_error(source, error) from None
    if _stat.S_ISDIR(info.st_mode):
        # TensorFlow opens the directory, creates the target, and its sendfile() fails
        try:
            open(target, "wb").close()
        except OSError as error:
            raise io_error(target, error) from None
        raise errors.InvalidArgumentError(None, None, f"{target}; Invalid argument")
    try:
        with open(source, "rb") as reader:
            try:
                writer = open(target, "wb")  # noqa: SIM115 - closed below
            except OSError as error:
                raise io_error(target, error) from None
            with writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
    except OSError as error:
        raise io_error(source, error) from None


def rename(src, dst, overwrite=False) -> None:
    """``tf.io.gfile.rename``: rename ``src`` (a file or directory) to ``dst``.

    Raises:
        cannery.errors.AlreadyExistsError: ``dst`` exists and not ``overwrite``.
        cannery.errors.NotFoundError: ``src`` does not exist.
    """
    source, target = local_path(src), local_path(dst)
    if not overwrite and exists(target):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        os.rename(source, target)
    except OSError as error:
        raise io_error(source, error) from None


def rmtree(path) -> None:
    """``tf.io.gfile.rmtree``: delete ``path`` and everything under it (a file too).

    Raises:
        cannery.errors.NotFoundError: ``path`` does not exist (``"<path> not found"``).
    """
    name = local_path(path)
    if not os.path.lexists(name):
        raise errors.NotFoundError(None, None, f"{name} not found")
    if not os.path.isdir(name) or os.path.islink(name):
        remove(name)
        return
    failed = []
    shutil.rmtree(name, onerror=lambda *args: failed.append(args))
    if failed:
        raise errors.PermissionDeniedError(None, None, "could not fully delete dir")


def isdir(path) -> bool:
    """``tf.io.gfile.isdir``: whether ``path`` is a directory (False for any error)."""
    try:
        return os.path.isdir(local_path(path))
    except errors.OpError:
        return False


def listdir(path) -> list[str]:
    """``tf.io.gfile.listdir``: the names in directory ``path`` (not ``.``/``..``), in
    directory order.

    Raises:
        cannery.errors.NotFoundError: ``path`` is not a directory
            (``"Could not find directory <path>"``).
    """
    if not isdir(path):
        raise errors.NotFoundError(None, None, f"Could not find directory {_text(path)}")
    name = local_path(path)
    try:
        return os.listdir(name)
    except OSError as error:
        raise io_error(name, error) from None


def join(path, *paths):
    """``tf.io.gfile.join``: ``os.path.join``, or ``posixpath.join`` for a URI."""
    text = _text(path)
    if "://" in text[1:]:
        return posixpath.join(path, *paths)
    return os.path.join(path, *paths)


def walk(top, topdown=True, onerror=None):
    """``tf.io.gfile.walk``: ``(dirname, subdirs, files)`` for ``top`` and every directory
    under it, parents first unless ``topdown=False``.

    A ``top`` that is not a directory yields nothing; ``onerror`` is called with its
    ``NotFoundError``. (TensorFlow then fails with an ``UnboundLocalError``, its bug;
    cannery returns.)
    """
    top = _text(top)
    try:
        listing = listdir(top)
    except errors.NotFoundError as error:
        if onerror:
            onerror(error)
        return
    files, subdirs = [], []
    for item in listing:
        full = _full_path(top, item)
        (subdirs if isdir(full) else files).append(item)
    here = (top, subdirs, files)
    if topdown:
        yield here
    for subdir in subdirs:
        yield from walk(_full_path(top, subdir), topdown, onerror=onerror)
    if not topdown:
        yield here


def _full_path(parent: str, item: str) -> str:
    if item[0] == os.sep:
        return "".join([join(parent, ""), item])
    return join(parent, item)


class FileStatistics:
    """``tf.io.gfile.stat``'s result: ``length`` (bytes), ``mtime_nsec`` (the
    modification time in whole seconds, times 10**9, as TensorFlow's POSIX file system
    reports it) and ``is_directory``."""

    __slots__ = ("length", "mtime_nsec", "is_directory")

    def __init__(self, length: int = 0, mtime_nsec: int = 0, is_directory: bool = False):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self) -> str:
        return (f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, "
                f"is_directory={self.is_directory})")


def stat(path) -> FileStatistics:
    """``tf.io.gfile.stat``: the :class:`FileStatistics` of ``path``.

    Raises:
        cannery.errors.NotFoundError: ``path`` does not exist.
    """
    name = local_path(path)
    try:
        info = os.stat(name)
    except OSError as error:
        raise io_error(name, error) from None
    return FileStatistics(int(info.st_size), int(info.st_mtime) * 10**9,
                          _stat.S_ISDIR(info.st_mode))


def get_registered_schemes() -> list[str]:
    """``tf.io.gfile.get_registered_schemes``: the URI schemes cannery reads: ``file``
    and ``''`` (a plain path). TensorFlow also lists ``ram`` and ``gs``."""
    return ["file", ""]


# ----------------------------------------------------------------------------- GFile


def _as_bytes(value, encoding: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {value!r}")


class GFile:
    """``tf.io.gfile.GFile(name, mode='r')``: a file object over a local path.

    Modes ``r``, ``w``, ``a``, ``r+``, ``w+``, ``a+`` with an optional ``b``: text modes
    return ``str`` (UTF-8), binary modes ``bytes``; ``write`` takes either. As
    TensorFlow's ``FileIO``: the file is opened for writing at the first ``write``
    (``w``, ``r+`` and ``w+`` truncate it then, ``a`` appends), reading opens its own
    handle at the first read, ``close`` ends both (a later call opens them again),
    ``read(n)`` reads ``n`` bytes, ``readline`` keeps the ``\\n`` and drops every
    ``\\r``, and iteration gives the lines.

    Raises:
        cannery.errors.InvalidArgumentError: an unknown ``mode``.
        cannery.errors.PermissionDeniedError: reading a file not open for reading, or
            writing one not open for writing.
        cannery.errors.NotFoundError: (at the first read) no such file.
    """

    def __init__(self, name, mode="r"):
        self._name = name
        self._mode = mode
        self._encoding = "utf-8"
        self._reader = None
        self._writer = None
        self._binary = "b" in mode
        bare = mode.replace("b", "")
        if bare not in ("r", "w", "a", "r+", "w+", "a+"):
            raise errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self._can_read = bare in ("r", "r+", "a+", "w+")
        self._can_write = bare in ("a", "w", "r+", "a+", "w+")

    @property
    def name(self):
        """The file name, as given."""
        return self._name

    @property
    def mode(self) -> str:
        """The mode, as given."""
        return self._mode

    def _reading(self):
        if self._reader is None:
            if not self._can_read:
                raise errors.PermissionDeniedError(None, None, "File isn't open for reading")
            path = local_path(self._name)
            try:
                self._reader = open(path, "rb")  # noqa: SIM115 - closed in close()
            except OSError as error:
                raise io_error(path, error) from None
        return self._reader

    def _writing(self):
        if self._writer is None:
            if not self._can_write:
                raise errors.PermissionDeniedError(None, None, "File isn't open for writing")
            path = local_path(self._name)
            try:
                self._writer = open(path, "ab" if "a" in self._mode else "wb")  # noqa: SIM115
            except OSError as error:
                raise io_error(path, error) from None
        return self._writer

    def _value(self, data: bytes):
        return data if self._binary else data.decode(self._encoding)

    def _read(self, handle, n: int) -> bytes:
        try:
            return handle.read(n)
        except OSError as error:
            raise io_error(local_path(self._name), error) from None

    def size(self) -> int:
        """The file's size in bytes."""
        return stat(self._name).length

    def write(self, file_content) -> None:
        """Append ``file_content`` (``str``, encoded as UTF-8, or ``bytes``)."""
        handle = self._writing()
        data = _as_bytes(file_content, self._encoding)
        try:
            handle.write(data)
        except OSError as error:
            raise io_error(local_path(self._name), error) from None

    def read(self, n=-1):
        """``n`` bytes (all that is left for -1), decoded in text mode."""
        handle = self._reading()
        length = self.size() - handle.tell() if n == -1 else n
        return self._value(self._read(handle, max(length, 0)))

    def seek(self, offset=None, whence=0, position=None) -> None:
        """Move the read position: ``whence`` 0 from the start, 1 from the current
        position, 2 from the end (``position`` is the deprecated name of ``offset``).

        Raises:
            TypeError: neither or both of ``offset`` and ``position``.
            cannery.errors.InvalidArgumentError: another ``whence``, a negative position.
            cannery.errors.OutOfRangeError: a position past the end of the file.
        """
        handle = self._reading()
        if offset is None and position is None:
            raise TypeError("seek(): offset argument required")
        if offset is not None and position is not None:
            raise TypeError("seek(): offset and position may not be set simultaneously.")
        if position is not None:
            offset = position
        if whence == 1:
            offset += handle.tell()
        elif whence == 2:
            offset += self.size()
        elif whence != 0:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid whence argument: {whence}. Valid values are 0, 1, or 2.")
        if offset < 0:
            raise errors.InvalidArgumentError(
                None, None, f"Seeking to a negative position: {offset}")
        if offset > self.size():
            handle.seek(0, 2)
            raise errors.OutOfRangeError(None, None, "reached end of file")
        handle.seek(offset)

    def readline(self):
        """The next line with its ``\\n`` (every ``\\r`` dropped, as TensorFlow's
        ``BufferedInputStream``); empty at the end of the file."""
        line = self._reading().readline()
        if b"\r" in line:
            line = line.replace(b"\r", b"")
        return self._value(line)

    def readlines(self) -> list:
        """All lines left, as :meth:`readline` returns them."""
        self._reading()
        lines = []
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)

    def tell(self) -> int:
        """The read position (the write position in a write-only mode)."""
        if self._can_read:
            return self._reading().tell()
        return self._writing().tell()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def next(self):
        """The next line (Python 2's iterator name, kept by TensorFlow)."""
        return self.__next__()

    def flush(self) -> None:
        """Write what is buffered to the file."""
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        """Close the file (a later read or write opens it again)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def seekable(self) -> bool:
        """True."""
        return True


class FastGFile(GFile):
    """``tf.compat.v1.gfile.FastGFile``: :class:`GFile` (deprecated in TensorFlow)."""


def _module(name: str, doc: str, members: dict) -> types.ModuleType:
    module = types.ModuleType(name, doc)
    module.__dict__.update(members)
    module.__all__ = sorted(members)
    return module


def _walk_v1(top, in_order=True):
    """``tf.compat.v1.gfile.Walk(top, in_order=True)``: :func:`walk`."""
    return walk(top, in_order)


#: ``tf.compat.v1.gfile``: the v1 names of the same functions.
v1 = _module("cannery.compat.v1.gfile", "``tf.compat.v1.gfile``: v1's names of tf.io.gfile.", {
    "Copy": copy, "DeleteRecursively": rmtree, "Exists": exists, "FastGFile": FastGFile,
    "GFile": GFile, "Glob": glob, "IsDirectory": isdir, "ListDirectory": listdir,
    "MakeDirs": makedirs, "MkDir": mkdir, "Open": GFile, "Remove": remove, "Rename": rename,
    "Stat": stat, "Walk": _walk_v1,
})
