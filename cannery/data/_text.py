"""``tf.data.TextLineDataset``: the lines of text files, one string element per line.

As TensorFlow 2.15's TextLineDatasetOp: lines end at ``\\n`` (a ``\\r`` before it is
dropped), empty lines are elements, a last line without a newline is one too; files are
read in the given order, or interleaved one line at a time over ``num_parallel_reads``
files (TensorFlow's deterministic interleave); ``GZIP`` and ``ZLIB`` files are read
through their decompressors. Elements are ``str`` (cannery's strings), lines decoded as
UTF-8 with undecodable bytes kept (``surrogateescape``).
"""

from __future__ import annotations

import gzip
import io
import os
import zlib

import numpy as np

from cannery.data.dataset import UNKNOWN_CARDINALITY, Dataset

_LINES_PER_CHUNK = 1 << 16


def _file_names(filenames) -> list[str]:
    if isinstance(filenames, (str, bytes, os.PathLike)):
        names = [filenames]
    else:
        if hasattr(filenames, "numpy"):
            filenames = filenames.numpy()
        names = list(np.asarray(filenames, dtype=object).reshape(-1))
    out = []
    for name in names:
        if isinstance(name, bytes):
            name = name.decode("utf-8")
        if not isinstance(name, (str, os.PathLike)):
            raise TypeError(f"TextLineDataset: filenames must be strings; received {name!r}")
        out.append(os.fspath(name))
    if not out:
        raise ValueError("TextLineDataset: `filenames` must not be empty")
    return out


class _ZlibReader(io.RawIOBase):
    """A raw stream of a zlib-compressed file's decompressed bytes."""

    def __init__(self, path: str):
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._inflate = zlib.decompressobj()
        self._pending = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._pending:
            data = self._file.read(1 << 16)
            if not data:
                self._pending = self._inflate.flush()
                if not self._pending:
                    return 0
                break
            self._pending = self._inflate.decompress(data)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self):
        self._file.close()
        super().close()


class TextLineDataset(Dataset):
    """``tf.data.TextLineDataset(filenames, compression_type=None, buffer_size=None,
    num_parallel_reads=None)``.

    Args:
        filenames: a file name, a list (or string tensor) of them, or a Dataset of
            them (read when iterated).
        compression_type: ``None`` or ``""`` (plain), ``"ZLIB"`` or ``"GZIP"``.
        buffer_size: accepted for TensorFlow's signature (read buffer size).
        num_parallel_reads: files read at once, their lines interleaved one by one;
            None (or 1) reads the files one after the other. ``AUTOTUNE`` reads
            ceil(cores / 3) at a time, as TensorFlow does.
        name: accepted for TensorFlow's signature.

    Raises:
        ValueError: an unknown ``compression_type``, no file names.
        TypeError: a file name that is not a string.
    """

    _columnar = True

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        del buffer_size, name
        # A Dataset of names (``Dataset.list_files(...)``) is read when iterated, as
        # TensorFlow's readers read theirs.
        self._filenames = filenames if isinstance(filenames, Dataset) else \
            _file_names(filenames)
        compression = (compression_type or "").upper() if isinstance(
            compression_type, (str, type(None))) else compression_type
        if compression not in ("", "ZLIB", "GZIP"):
            raise ValueError(f"TextLineDataset: compression_type must be '', 'ZLIB' or "
                             f"'GZIP'; received {compression_type!r}")
        self._compression = compression
        if num_parallel_reads is None:
            cycle = 1
        else:
            cycle = int(num_parallel_reads)
            if cycle == -1:  # AUTOTUNE: TensorFlow's readers share one rule
                from cannery.data._tfrecord import _autotune_cycle_length

                cycle = _autotune_cycle_length()
            elif cycle <= 0:
                raise ValueError(f"num_parallel_reads must be positive or AUTOTUNE; received "
                                 f"{num_parallel_reads!r}")
        self._cycle_length = cycle
        self._spec = None

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _element_spec(self):
        # A scalar string per line, known without opening a file (an empty one too).
        from cannery.core.eager_tensor import TensorSpec

        return TensorSpec((), "string")

    def _names(self) -> list[str]:
        if isinstance(self._filenames, Dataset):
            from cannery.data._tfrecord import _dataset_names

            return _file_names(_dataset_names(self._filenames))
        return self._filenames

    def _open(self, path: str):
        if self._compression == "GZIP":
            return gzip.open(path, "rb")
        if self._compression == "ZLIB":
            return io.BufferedReader(_ZlibReader(path))
        return open(path, "rb")  # noqa: SIM115 - closed by the caller

    def _file_chunks(self, path: str):
        """One file's lines as ``(spec, [lines])`` chunks."""
        with self._open(path) as handle:
            lines: list[str] = []
            for raw in handle:
                if raw.endswith(b"\n"):
                    raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
                lines.append(raw.decode("utf-8", "surrogateescape"))
                if len(lines) == _LINES_PER_CHUNK:
                    yield self._spec, [_as_column(lines)]
                    lines = []
            if lines:
                yield self._spec, [_as_column(lines)]

    def _chunks(self):
        if self._cycle_length <= 1:
            for path in self._names():
                yield from self._file_chunks(path)
        else:
            yield from self._interleaved(list(self._names()))

    def _interleaved(self, files):
        from cannery.data._csv import _CsvRows

        return _CsvRows._interleaved(self, files)


def _as_column(lines: list[str]) -> np.ndarray:
    column = np.empty(len(lines), dtype=object)
    column[:] = lines
    return column


__all__ = ["TextLineDataset"]
