"""TFRecord files: ``tf.io.TFRecordWriter``, ``tf.data.TFRecordDataset``,
``tf.data.experimental.make_batched_features_dataset`` and ``parse_example_dataset``.

The format is TensorFlow 2.15's (tsl/lib/io/record_writer.cc, record_reader.cc): each
record is ``uint64 length``, ``uint32 masked_crc32c(length)``, the data and
``uint32 masked_crc32c(data)``, little-endian, where ``masked(c) = ((c >> 15) |
(c << 17)) + 0xa282ead8 (mod 2**32)`` over the CRC-32C (Castagnoli). Files are
optionally ``ZLIB`` or ``GZIP`` compressed with TensorFlow's zlib settings (memLevel 9,
the default level, ``Z_PARTIAL_FLUSH`` on ``flush()``), so a written file is
byte-identical to TensorFlow's.

Reading frames whole blocks of a file in one numba kernel (header and data CRCs
checked there) and slices the records out as ``bytes``: the columnar chunks the rest of
:mod:`cannery.data` moves. Errors are TensorFlow's: ``DataLossError`` for a corrupted
or truncated record (``corrupted record at <offset>``, ``truncated record at
<offset>' failed with ...``, with the file named after it), a partial header at the end
of a file ends it silently, ``NotFoundError`` for a missing file.
"""

from __future__ import annotations

import logging
import math
import os
import struct
import zlib

import numba
import numpy as np

from cannery import _gfile, errors
from cannery.data import _structure as st
from cannery.data.dataset import AUTOTUNE, UNKNOWN_CARDINALITY, Dataset

logger = logging.getLogger(__name__)

__all__ = ["TFRecordCompressionType", "TFRecordDataset", "TFRecordOptions", "TFRecordWriter",
           "crc32c", "make_batched_features_dataset", "masked_crc32c",
           "parse_example_dataset", "tf_record_iterator"]

_HEADER = 12  # uint64 length + uint32 masked crc
_FOOTER = 4
_BLOCK = 1 << 20  # bytes read from a file at a time
_MAX_RECORDS = 1 << 16  # records framed per kernel call
_MASK_DELTA = 0xA282EAD8


# ----------------------------------------------------------------------------- CRC-32C


def _crc32c_tables() -> np.ndarray:
    """The 8 slicing-by-8 tables of the reflected CRC-32C polynomial 0x82F63B78."""
    base = np.arange(256, dtype=np.int64)
    for _ in range(8):
        base = np.where(base & 1, (base >> 1) ^ 0x82F63B78, base >> 1)
    tables = np.empty((8, 256), dtype=np.int64)
    tables[0] = base
    for k in range(1, 8):
        tables[k] = (tables[k - 1] >> 8) ^ base[tables[k - 1] & 0xFF]
    return tables


_TABLES = _crc32c_tables()


@numba.njit(cache=True, nogil=True)
def _crc32c_kernel(tables, buf, start, stop):
    """CRC-32C of ``buf[start:stop]`` (uint8), slicing by 8 bytes."""
    crc = np.int64(0xFFFFFFFF)
    i = start
    while stop - i >= 8:
        one = crc ^ (np.int64(buf[i]) | (np.int64(buf[i + 1]) << 8)
                     | (np.int64(buf[i + 2]) << 16) | (np.int64(buf[i + 3]) << 24))
        crc = (tables[7, one & 0xFF] ^ tables[6, (one >> 8) & 0xFF]
               ^ tables[5, (one >> 16) & 0xFF] ^ tables[4, (one >> 24) & 0xFF]
               ^ tables[3, buf[i + 4]] ^ tables[2, buf[i + 5]]
               ^ tables[1, buf[i + 6]] ^ tables[0, buf[i + 7]])
        i += 8
    while i < stop:
        crc = tables[0, (crc ^ buf[i]) & 0xFF] ^ (crc >> 8)
        i += 1
    return crc ^ 0xFFFFFFFF


@numba.njit(cache=True, nogil=True)
def _unmask(masked):
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


@numba.njit(cache=True, nogil=True)
def _le(buf, pos, width):
    value = np.int64(0)
    for k in range(width):
        value |= np.int64(buf[pos + k]) << (8 * k)
    return value


@numba.njit(cache=True, nogil=True)
def _frame_records(tables, buf, pos, end, starts, lengths):
    """Frame the whole records of ``buf[pos:end]``, checking both CRCs.

    Fills ``starts``/``lengths`` (the data of each record) and returns ``(count, pos,
    status, need)``: ``pos`` is where framing stopped; ``status`` 0 means the next record
    needs ``need`` bytes from ``pos`` (or ``starts`` is full), 1 a corrupted header, 2
    corrupted data (both at ``pos``).
    """
    n = 0
    while n < len(starts):
        if end - pos < 12:
            return n, pos, 0, 12
        if buf[pos + 7] >= 0x40:  # a length beyond any file: read as truncated
            return n, pos, 0, np.int64(1) << 62
        length = _le(buf, pos, 8)
        if _crc32c_kernel(tables, buf, pos, pos + 8) != _unmask(_le(buf, pos + 8, 4)):
            return n, pos, 1, 0
        total = 16 + length
        if end - pos < total:
            return n, pos, 0, total
        stop = pos + 12 + length
        if _crc32c_kernel(tables, buf, pos + 12, stop) != _unmask(_le(buf, stop, 4)):
            return n, pos, 2, 0
        starts[n] = pos + 12
        lengths[n] = length
        n += 1
        pos += total
    return n, pos, 0, 0


def crc32c(data) -> int:
    """The CRC-32C (Castagnoli) of ``data`` (bytes-like)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    return int(_crc32c_kernel(_TABLES, buf, 0, len(buf)))


def masked_crc32c(data) -> int:
    """TFRecord's masked CRC-32C of ``data``: ``((c >> 15) | (c << 17)) + 0xa282ead8``
    mod 2**32."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


# ----------------------------------------------------------------------------- options


class TFRecordCompressionType:
    """``tf.compat.v1.io.TFRecordCompressionType``: ``NONE``, ``ZLIB``, ``GZIP``."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """``tf.io.TFRecordOptions``: the compression of a TFRecord file and zlib's settings.

    Args:
        compression_type: ``None``/``""``, ``"ZLIB"``, ``"GZIP"`` (exactly so) or a
            :class:`TFRecordCompressionType`.
        flush_mode: zlib's flush mode when the input buffer fills (default
            ``Z_NO_FLUSH``).
        input_buffer_size: bytes buffered before they are compressed (256 KiB).
        output_buffer_size: accepted (only sizes zlib's output buffer in TensorFlow).
        window_bits: zlib's window bits (15; 31 for GZIP, which writes a gzip header).
        compression_level: 0-9 or -1 for zlib's default (6).
        compression_method: ``Z_DEFLATED``.
        mem_level: zlib's memLevel (TensorFlow's default 9).
        compression_strategy: zlib's strategy (``Z_DEFAULT_STRATEGY``).

    Raises:
        ValueError: another ``compression_type``
            (``Not a valid compression_type: "<value>"``).
    """

    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.get_compression_type_string(compression_type)
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        """``""``, ``"ZLIB"`` or ``"GZIP"`` for options, a compression type or a string.

        Raises:
            ValueError: anything else.
        """
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if isinstance(options, TFRecordCompressionType):
            return cls.compression_type_map[options]
        try:
            if options in cls.compression_type_map:
                return cls.compression_type_map[options]
            if options in cls.compression_type_map.values():
                return options
        except TypeError:  # unhashable
            pass
        raise ValueError(f'Not a valid compression_type: "{options}"')

    def _zlib_settings(self) -> dict:
        """zlib's settings (ZlibCompressionOptions::DEFAULT / GZIP, then the overrides)."""
        kind = self.get_compression_type_string(self.compression_type)
        settings = {"flush_mode": zlib.Z_NO_FLUSH, "input_buffer_size": 256 << 10,
                    "window_bits": zlib.MAX_WBITS + (16 if kind == "GZIP" else 0),
                    "compression_level": zlib.Z_DEFAULT_COMPRESSION,
                    "compression_method": zlib.DEFLATED, "mem_level": 9,
                    "compression_strategy": zlib.Z_DEFAULT_STRATEGY}
        for key in settings:
            if getattr(self, key) is not None:
                settings[key] = int(getattr(self, key))
        return settings


# ----------------------------------------------------------------------------- writing


def _frame(record: bytes) -> tuple[bytes, bytes, bytes]:
    header = struct.pack("<Q", len(record))
    return (header + struct.pack("<I", masked_crc32c(header)), record,
            struct.pack("<I", masked_crc32c(record)))


class _Deflater:
    """TensorFlow's ZlibOutputBuffer: appends buffered up to ``input_buffer_size`` and
    deflated with ``flush_mode`` when it overflows (so a sync flush mode marks the same
    places); ``flush`` is a ``Z_PARTIAL_FLUSH``, ``close`` a ``Z_FINISH``."""

    def __init__(self, settings: dict):
        self._zlib = zlib.compressobj(settings["compression_level"],
                                      settings["compression_method"],
                                      settings["window_bits"], settings["mem_level"],
                                      settings["compression_strategy"])
        self._capacity = settings["input_buffer_size"]
        self._mode = settings["flush_mode"]
        self._pending: list[bytes] = []
        self._pending_size = 0

    def _deflate(self, data: bytes) -> bytes:
        out = self._zlib.compress(data)
        return out + self._zlib.flush(self._mode) if self._mode != zlib.Z_NO_FLUSH else out

    def append(self, data: bytes) -> bytes:
        if len(data) <= self._capacity - self._pending_size:
            self._pending.append(data)
            self._pending_size += len(data)
            return b""
        out = self._deflate(b"".join(self._pending))
        self._pending, self._pending_size = [], 0
        if len(data) <= self._capacity:
            self._pending.append(data)
            self._pending_size = len(data)
            return out
        return out + self._deflate(data)

    def _drain(self, mode: int) -> bytes:
        out = self._zlib.compress(b"".join(self._pending)) + self._zlib.flush(mode)
        self._pending, self._pending_size = [], 0
        return out

    def flush(self) -> bytes:
        return self._drain(zlib.Z_PARTIAL_FLUSH)

    def close(self) -> bytes:
        return self._drain(zlib.Z_FINISH)


class TFRecordWriter:
    """``tf.io.TFRecordWriter(path, options=None)``: write records to a TFRecord file.

    The file is created (truncated) at once. ``options`` is a :class:`TFRecordOptions`
    or a compression type (``"GZIP"``, ``"ZLIB"``, ``""``/None or a
    :class:`TFRecordCompressionType`). A context manager: ``close`` on exit.

    Raises:
        ValueError: an invalid compression type.
        cannery.errors.NotFoundError: the directory does not exist
            (``"<path>; No such file or directory"``); other OS errors as
            :mod:`cannery.errors` classes.
    """

    def __init__(self, path, options=None):
        if not isinstance(options, TFRecordOptions):
            options = TFRecordOptions(compression_type=options)
        self._path = _gfile.local_path(path)
        kind = options.get_compression_type_string(options)
        self._deflater = _Deflater(options._zlib_settings()) if kind else None
        try:
            self._file = open(self._path, "wb")  # noqa: SIM115 - closed in close()
        except OSError as error:
            raise _gfile.io_error(self._path, error) from None

    def _check_open(self):
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")

    def write(self, record) -> None:
        """Append one record (``bytes``; ``str`` is written as UTF-8).

        Raises:
            TypeError: a record that is not bytes or str.
            cannery.errors.FailedPreconditionError: the writer is closed.
        """
        self._check_open()
        if isinstance(record, str):
            record = record.encode("utf-8")
        elif isinstance(record, (bytearray, memoryview)):
            record = bytes(record)
        elif not isinstance(record, bytes):
            raise TypeError(f"TFRecordWriter.write: a record must be bytes or str; received "
                            f"{type(record).__name__} {record!r}")
        parts = _frame(record)
        if self._deflater is None:
            self._file.write(b"".join(parts))
        else:
            self._file.write(b"".join(self._deflater.append(part) for part in parts))

    def flush(self) -> None:
        """Write what is buffered to the file.

        Raises:
            cannery.errors.FailedPreconditionError: the writer is closed.
        """
        self._check_open()
        if self._deflater is not None:
            self._file.write(self._deflater.flush())
        self._file.flush()

    def close(self) -> None:
        """Finish the file (a second ``close`` does nothing)."""
        if self._file is None:
            return
        if self._deflater is not None:
            self._file.write(self._deflater.close())
        self._file.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        file = getattr(self, "_file", None)
        if file is not None:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - never raise from a finalizer
                pass


# ----------------------------------------------------------------------------- reading


class _Inflater:
    """A compressed file's decompressed bytes (concatenated zlib/gzip members too),
    with TensorFlow's message for a damaged stream. A stream cut short just ends (the
    framing then reports a truncated record), as TensorFlow's ZlibInputStream does."""

    def __init__(self, handle, wbits: int):
        self._file = handle
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits)
        self._input = b""  # compressed bytes not yet given to zlib
        self._done = False

    def read(self, size: int) -> bytes:
        """At most ``size`` bytes, at least one unless the stream has ended."""
        while not self._done:
            if self._zlib.eof:  # a member ended; what follows may be another one
                self._input = self._zlib.unused_data + self._input
                self._zlib = zlib.decompressobj(self._wbits)
            if self._zlib.unconsumed_tail:  # input zlib held back for the size limit
                data = self._zlib.unconsumed_tail
            elif self._input:
                data, self._input = self._input, b""
            else:
                data = self._file.read(_BLOCK)
            if not data:
                self._done = True
                return self._zlib.flush()
            try:
                chunk = self._zlib.decompress(data, size)
            except zlib.error as error:
                text = str(error)
                reason = text.split("data: ", 1)[1] if "data: " in text else text
                code = text.split()[1] if text.startswith("Error ") else "-3"
                raise _DataLoss(f"inflate() failed with error {code}: {reason}") from None
            if chunk:
                return chunk
        return b""

    def close(self):
        self._file.close()


class _DataLoss(Exception):
    """A framing error, named with its file by the caller."""


def _open_records(path: str, compression: str):
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as error:
        raise _gfile.io_error(path, error) from None
    if compression == "GZIP":
        return _Inflater(handle, zlib.MAX_WBITS + 16)
    if compression == "ZLIB":
        return _Inflater(handle, zlib.MAX_WBITS)
    return handle


def _record_blocks(path: str, compression: str):
    """A file's records, a list of ``bytes`` per block read.

    Raises:
        cannery.errors.DataLossError: a corrupted or truncated record (the file named).
        cannery.errors.NotFoundError: no such file.
    """
    eof_message = "EOF reached" if compression else "Read less bytes than requested"
    stream = _open_records(path, compression)
    starts = np.empty(_MAX_RECORDS, dtype=np.int64)
    lengths = np.empty(_MAX_RECORDS, dtype=np.int64)
    buf = b""
    offset = 0  # position of buf[0] in the (decompressed) file
    eof = False
    try:
        while True:
            view = np.frombuffer(buf, dtype=np.uint8)
            n, pos, status, need = _frame_records(_TABLES, view, 0, len(view), starts,
                                                  lengths)
            if n:
                yield [buf[s:s + k] for s, k in zip(starts[:n].tolist(),
                                                     lengths[:n].tolist())]
            if status == 1:
                at = offset + pos
                raise _DataLoss(f"corrupted record at {at}"
                                + (" (Is this even a TFRecord file?)" if at == 0 else ""))
            if status == 2:
                raise _DataLoss(f"corrupted record at {offset + pos + _HEADER}")
            buf, offset = buf[pos:], offset + pos
            if n == len(starts):
                continue
            if eof:
                if len(buf) >= _HEADER:  # a whole header and too little data
                    raise _DataLoss(f"truncated record at {offset}' failed with "
                                    f"{eof_message}")
                return  # a partial header ends the file, as in TensorFlow
            # read until the next record is whole (a large one in one join, not by
            # growing the buffer block by block), at least a block
            pieces, have = [buf], len(buf)
            want = max(need, have + _BLOCK)
            while have < want:
                try:
                    data = stream.read(min(want - have, 64 << 20))
                except OSError as error:
                    raise _gfile.io_error(path, error) from None
                if not data:
                    eof = True
                    break
                pieces.append(data)
                have += len(data)
                if have >= need:
                    break
            buf = b"".join(pieces)
    except _DataLoss as error:
        raise errors.DataLossError(None, None, f"{error} (file {path})") from None
    finally:
        stream.close()


class _RecordIterator:
    """``tf_record_iterator``'s iterator: the records of one file as ``bytes``."""

    def __init__(self, path: str, compression: str):
        # TensorFlow opens the file when the iterator is made: a missing one fails here
        _open_records(path, compression).close()
        self._blocks = _record_blocks(path, compression)
        self._records = iter(())

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        while True:
            for record in self._records:
                return record
            block = next(self._blocks, None)
            if block is None:
                raise StopIteration
            self._records = iter(block)


def tf_record_iterator(path, options=None):
    """``tf.compat.v1.io.tf_record_iterator(path, options=None)``: an iterator of the
    records (``bytes``) of the TFRecord file ``path``.

    Raises:
        ValueError: an invalid compression type in ``options``.
        cannery.errors.NotFoundError: no such file (when the iterator is made).
        cannery.errors.DataLossError: a corrupted or truncated record (when reached).
    """
    compression = TFRecordOptions.get_compression_type_string(options)
    return _RecordIterator(_gfile.local_path(path), compression)


def _filename_list(filenames) -> list[str]:
    """TFRecordDataset's ``filenames`` (not a Dataset) flattened to strings."""
    numeric = None
    if isinstance(filenames, (str, bytes, os.PathLike)):
        items = [filenames]
    else:
        if hasattr(filenames, "numpy") and not isinstance(filenames, np.ndarray):
            filenames = filenames.numpy()
        array = np.asarray(filenames, dtype=object) if not isinstance(
            filenames, np.ndarray) else filenames
        items = list(array.reshape(-1))
        if array.dtype.kind in "biuf":
            numeric = f"tf.{'bool' if array.dtype.kind == 'b' else array.dtype.name}"
    out = []
    for item in items:
        if isinstance(item, os.PathLike):
            item = os.fspath(item)
        if isinstance(item, (bytes, np.bytes_)):
            item = bytes(item).decode("utf-8")
        if not isinstance(item, str):
            if numeric is not None:
                kind = numeric
            elif isinstance(item, bool):
                kind = "tf.bool"
            elif isinstance(item, int):
                kind = "tf.int32"
            elif isinstance(item, float):
                kind = "tf.float32"
            else:
                kind = type(item).__name__
            raise TypeError(f"The `filenames` argument must contain `tf.string` elements. "
                            f"Got `{kind}` elements.")
        out.append(str(item))
    return out


def _check_filename_dataset(dataset: Dataset) -> None:
    spec = dataset.element_spec
    if not hasattr(spec, "dtype") or spec.dtype.name != "string":
        kind = f"tf.{spec.dtype.name}" if hasattr(spec, "dtype") else repr(spec)
        raise TypeError(f"The `filenames` argument must contain `tf.string` elements. Got a "
                        f"dataset of `{kind}` elements.")
    if len(spec.shape) != 0:
        raise TypeError(f"The `filenames` argument must contain `tf.string` elements of shape "
                        f"[] (i.e. scalars). Got a dataset of element shape "
                        f"TensorShape({list(spec.shape)}).")


def _dataset_names(dataset: Dataset, peek: bool = False) -> list[str]:
    names = []
    for element in (dataset._peek_elements() if peek else dataset._elements()):
        value = element.numpy() if hasattr(element, "numpy") else element
        if isinstance(value, np.ndarray):
            value = value.item()
        names.append(value.decode("utf-8") if isinstance(value, bytes) else str(value))
    return names


def _autotune_cycle_length() -> int:
    """TensorFlow's cycle length when both it and the parallelism are AUTOTUNE:
    ceil(schedulable cores / 3) (ParallelInterleaveDatasetOp, kDefaultCyclePrefetchFactor
    2 plus the current element)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    return max(1, math.ceil(cores / 3))


def _cycle_length(num_parallel_reads) -> int:
    if num_parallel_reads is None:
        return 1
    if isinstance(num_parallel_reads, bool) or not isinstance(
            num_parallel_reads, (int, np.integer)):
        raise TypeError(f"`num_parallel_reads` must be an integer or None; received "
                        f"{num_parallel_reads!r}")
    if num_parallel_reads == AUTOTUNE:
        return _autotune_cycle_length()
    if num_parallel_reads <= 0:
        raise errors.InvalidArgumentError(None, None, "`cycle_length` must be > 0")
    return int(num_parallel_reads)


def _as_column(values: list) -> np.ndarray:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


class TFRecordDataset(Dataset):
    """``tf.data.TFRecordDataset(filenames, compression_type=None, buffer_size=None,
    num_parallel_reads=None, name=None)``: the records of TFRecord files.

    Each element is one record, a scalar string (``bytes``; ``.numpy()`` too), as
    TensorFlow's. Files are read one after the other, or with ``num_parallel_reads`` > 1
    that many at a time, one record from each in turn (TensorFlow's deterministic
    interleave; a finished file's place goes to the next file). ``AUTOTUNE`` reads
    ceil(cores / 3) files at a time, as TensorFlow does.

    Args:
        filenames: a file name, a list or array of them (any shape, flattened; empty is
            allowed), or a Dataset of scalar strings (read afresh on every pass).
        compression_type: None or ``""``, ``"ZLIB"`` or ``"GZIP"`` (exactly; another
            value is logged and read uncompressed, as TensorFlow does).
        buffer_size: accepted for TensorFlow's signature.
        num_parallel_reads: None (one file at a time), a positive count or ``AUTOTUNE``.
        name: accepted for TensorFlow's signature.

    Raises:
        TypeError: file names that are not strings (or a Dataset of non-scalar strings).
        cannery.errors.InvalidArgumentError: ``num_parallel_reads`` <= 0 (not AUTOTUNE).
        cannery.errors.NotFoundError: (when read) a missing file.
        cannery.errors.DataLossError: (when read) a corrupted or truncated record.
    """

    _columnar = True

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        del buffer_size, name
        if isinstance(filenames, Dataset):
            _check_filename_dataset(filenames)
            self._filenames = filenames
        else:
            self._filenames = _filename_list(filenames)
        if compression_type is None:
            compression_type = ""
        if isinstance(compression_type, bytes):
            compression_type = compression_type.decode("utf-8")
        if not isinstance(compression_type, str):
            raise TypeError(f"`compression_type` must be a string: '', 'ZLIB' or 'GZIP'; "
                            f"received {compression_type!r}")
        if compression_type not in ("", "ZLIB", "GZIP"):
            logger.error("Unsupported compression_type:%s. No compression will be used.",
                         compression_type)
            compression_type = ""
        self._compression = compression_type
        self._cycle_length = _cycle_length(num_parallel_reads)
        self._spec = None  # one leaf per chunk

    def _element_spec(self):
        from cannery.core.eager_tensor import TensorSpec

        return TensorSpec((), "string")

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _names(self) -> list[str]:
        if isinstance(self._filenames, Dataset):
            return _dataset_names(self._filenames)
        return list(self._filenames)

    def _file_chunks(self, path: str):
        for records in _record_blocks(_gfile.local_path(path), self._compression):
            yield None, [_as_column(records)]

    def _chunks(self):
        names = self._names()
        if self._cycle_length <= 1:
            for path in names:
                yield from self._file_chunks(path)
        else:
            yield from _interleave(self, names)


def _interleave(reader, files: list[str]):
    """TensorFlow's deterministic interleave, one element at a time, of
    ``reader._file_chunks(path)`` over ``reader._cycle_length`` files (the same order
    as TextLineDataset's and make_csv_dataset's)."""
    from cannery.data._csv import _CsvRows

    return _CsvRows._interleaved(reader, files)


# ------------------------------------------------------------------- parse_example_dataset


class _ParsedExamples(Dataset):
    """``ParseExampleDataset``: every element (a vector of serialized Examples) parsed
    with the spec; with ``label_key`` the label is split off as
    make_batched_features_dataset's ``(features, label)``."""

    def __init__(self, upstream: Dataset, features: dict, label_key=None):
        from cannery.io import _parse_specs

        self._input = upstream
        self._features = features
        self._specs = _parse_specs(features)
        self._label_key = label_key

    def _cardinality(self):
        return self._input._cardinality()

    def _element_spec(self):
        from cannery.core.eager_tensor import SparseTensorSpec, TensorSpec

        batch = tuple(self._input._element_spec().shape)
        spec = {}
        for key, kind, dtype, shape, _ in self._specs:
            if kind == "sparse":
                spec[key] = SparseTensorSpec((*batch, None), dtype)
        for key, kind, dtype, shape, _ in self._specs:
            if kind == "dense":
                spec[key] = TensorSpec((*batch, *shape), dtype)
            elif kind == "seq":  # FixedLenSequenceFeature: [batch, None] + shape
                spec[key] = TensorSpec((*batch, None, *shape), dtype)
        return self._split(spec)

    def _split(self, parsed: dict):
        if self._label_key is None:
            return parsed
        label = parsed.pop(self._label_key)
        return parsed, label

    def _parse(self, serialized):
        from cannery.io import _as_eager, _parse

        # in TensorFlow's order: VarLenFeature keys, then FixedLenFeature keys
        return self._split(_as_eager(_parse(serialized, None, raw=self._specs)))

    def _peek_elements(self):
        for element in self._input._peek_elements():
            yield self._parse(element)

    def _elements(self):
        for element in self._input._elements():
            yield self._parse(element)


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """``tf.data.experimental.parse_example_dataset(features, num_parallel_calls=1,
    deterministic=None)``: a transformation for ``Dataset.apply`` that parses each
    element, a vector of serialized ``tf.train.Example`` records, into a dict of
    features (as :func:`cannery.io.parse_example`).

    Elements keep TensorFlow's order (VarLenFeature keys, then FixedLenFeature keys,
    each sorted); ``element_spec`` is known without reading: ``SparseTensorSpec([batch,
    None])`` and ``TensorSpec([batch] + shape)``.

    Raises:
        ValueError: ``features`` is None, or a spec is invalid (when applied).
        TypeError: (when applied) the dataset's elements are not vectors of strings.
    """
    del num_parallel_calls, deterministic
    if features is None:
        raise ValueError("Argument `features` is required, but not specified.")

    def _apply_fn(dataset: Dataset) -> Dataset:
        spec = dataset.element_spec
        if not (hasattr(spec, "dtype") and not hasattr(spec, "indices")
                and type(spec).__name__ == "TensorSpec" and spec.dtype.name == "string"
                and len(spec.shape) == 1):
            raise TypeError(f"Input dataset should be a dataset of vectors of strings. "
                            f"Instead it is `{spec}`.")
        return _ParsedExamples(dataset, features)

    return _apply_fn


# ------------------------------------------------------------- make_batched_features_dataset


def _list_files(file_pattern, shuffle: bool, seed) -> Dataset:
    """``Dataset.list_files``: the files matching the patterns, sorted (TensorFlow's
    MatchingFiles sorts the whole list), then shuffled with ``seed`` if ``shuffle``.

    Raises:
        cannery.errors.InvalidArgumentError: nothing matches (TensorFlow's assertion).
    """
    if isinstance(file_pattern, (str, bytes, os.PathLike)):
        patterns = [_gfile._text(file_pattern)]
    else:
        patterns = [_gfile._text(p) for p in np.asarray(file_pattern, dtype=object).reshape(-1)]
    names = sorted(name for pattern in patterns for name in _gfile.glob(pattern))
    if not names:
        raise errors.InvalidArgumentError(
            None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
            f"Summarized data: b'No files matched pattern: {', '.join(patterns)}'")
    dataset = Dataset.from_tensor_slices(_as_column(names))
    if shuffle:
        dataset = dataset.shuffle(max(len(names), 1), seed=seed)
    return dataset


class _ReaderInterleave(Dataset):
    """``reader(filename, *reader_args)`` for each file of a Dataset of names,
    interleaved ``cycle_length`` at a time (TensorFlow's legacy ParallelInterleaveDataset,
    deterministic)."""

    _columnar = True

    def __init__(self, files: Dataset, reader, reader_args: list, cycle_length: int):
        self._files = files
        self._reader = reader
        self._reader_args = list(reader_args)
        self._cycle_length = cycle_length
        self._spec = None

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _element_spec(self):
        from cannery.core.eager_tensor import TensorSpec

        if self._reader is TFRecordDataset:
            return TensorSpec((), "string")
        return super()._element_spec()

    def _open(self, path: str) -> Dataset:
        dataset = self._reader(path, *self._reader_args)
        if not isinstance(dataset, Dataset):
            raise TypeError(f"The `map_func` argument must return a `Dataset` object. Got "
                            f"{type(dataset).__name__!r}.")
        return dataset

    def _peek_elements(self):
        # the file names without drawing the file shuffle's seeds
        names = _dataset_names(self._files, peek=True)
        for spec, leaves in (chunk for path in names for chunk in self._file_chunks(path)):
            for i in range(st.chunk_rows(leaves)):
                yield st.unflatten(spec, [st.row(leaf, i) for leaf in leaves])

    def _file_chunks(self, path: str):
        dataset = self._open(path)
        if dataset._columnar:
            for spec, leaves in dataset._chunks():
                self._spec = spec
                yield spec, leaves
            return
        for element in dataset._elements():
            spec, leaves = st.flatten(element)
            self._spec = spec
            yield spec, [np.expand_dims(st.to_array(leaf), 0) if not isinstance(
                leaf, (bytes, str)) else _as_column([leaf]) for leaf in leaves]

    def _chunks(self):
        names = _dataset_names(self._files)
        if self._cycle_length <= 1:
            for path in names:
                yield from self._file_chunks(path)
        else:
            yield from _interleave(self, names)


def make_batched_features_dataset(file_pattern, batch_size, features, reader=None,
                                  label_key=None, reader_args=None, num_epochs=None,
                                  shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                                  prefetch_buffer_size=None, reader_num_threads=None,
                                  parser_num_threads=None, sloppy_ordering=False,
                                  drop_final_batch=False) -> Dataset:
    """``tf.data.experimental.make_batched_features_dataset``: batches of features parsed
    from ``tf.train.Example`` records in files.

    As TensorFlow 2.15 (data/experimental/ops/readers.py): the files matching
    ``file_pattern`` (sorted; shuffled with ``shuffle_seed`` each epoch if ``shuffle``)
    are read by ``reader`` (TFRecordDataset), ``reader_num_threads`` at a time in
    TensorFlow's interleaved order, the records are shuffled
    (``shuffle_buffer_size``, ``shuffle_seed``), repeated ``num_epochs`` times (None:
    forever), batched (the final partial batch dropped if ``drop_final_batch`` or
    ``num_epochs`` is None), parsed with ``features`` and prefetched. With
    ``shuffle=False`` the order is TensorFlow's exactly; with a seed (``shuffle_seed``,
    or a global seed) so are the shuffled orders.

    Args:
        file_pattern: a glob pattern or a list of them.
        batch_size: records per batch.
        features: ``{key: FixedLenFeature | VarLenFeature}``.
        reader: called as ``reader(filename, *reader_args)``, returns a Dataset of
            serialized records; default :class:`TFRecordDataset`.
        label_key: a key of ``features`` returned apart: elements are ``(features,
            label)``.
        reader_args: extra arguments of ``reader`` (e.g. ``["GZIP"]``).
        num_epochs: passes over the data (None: forever).
        shuffle: shuffle file names and records.
        shuffle_buffer_size: records in the shuffle buffer.
        shuffle_seed: the seed of both shuffles.
        prefetch_buffer_size: batches prepared ahead (None: AUTOTUNE).
        reader_num_threads: files read at a time (None: 1; AUTOTUNE: ceil(cores / 3)).
        parser_num_threads: accepted (parsing is vectorised per batch).
        sloppy_ordering: accepted; the order is always the deterministic one.
        drop_final_batch: drop a final batch smaller than ``batch_size``.

    Returns:
        A Dataset of feature dicts, or of ``(features, label)`` with ``label_key``.

    Raises:
        cannery.errors.InvalidArgumentError: no file matches ``file_pattern``.
        ValueError: ``label_key`` is not a key of ``features``; an invalid spec.
    """
    del parser_num_threads, sloppy_ordering
    if reader is None:
        reader = TFRecordDataset
    if reader_num_threads is None:
        reader_num_threads = 1
    if prefetch_buffer_size is None:
        prefetch_buffer_size = AUTOTUNE
    files = _list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    cycle = _autotune_cycle_length() if reader_num_threads == AUTOTUNE else \
        _cycle_length(reader_num_threads)
    dataset: Dataset = _ReaderInterleave(files, reader, reader_args or [], cycle)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=bool(drop_final_batch)
                            or num_epochs is None)
    parse_example_dataset(features)  # features=None fails here, as in TensorFlow
    parsed = _ParsedExamples(dataset, features)
    if label_key:
        if label_key not in features:
            raise ValueError(f"The `label_key` provided ({label_key}) must be one of the "
                             f"`features` keys: {features.keys()}.")
        parsed._label_key = label_key
    return parsed.prefetch(prefetch_buffer_size)
