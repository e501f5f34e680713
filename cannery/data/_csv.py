"""``make_csv_dataset``: CSV files streamed block by block with pyarrow.

Follows TensorFlow 2.15's ``tf.data.experimental.make_csv_dataset``
(tensorflow/python/data/experimental/ops/readers.py): column names from the header,
types inferred from the first ``num_rows_for_inference`` rows (int32, int64, float32,
float64, string; inferred columns are optional with default 0 / ``''``), a column
given as a dtype or an empty default is required (``Field <i> is required but missing
in record!``, csv_dataset_op.cc), ``''`` and ``na_value`` are missing values, the files
are shuffled, their rows interleaved over ``num_parallel_reads`` files, shuffled
(``shuffle_buffer_size``) then repeated (``num_epochs``; None = forever), batched with
``drop_remainder = num_epochs is None`` and prefetched.

Files are read with ``pyarrow.csv.open_csv``: one record batch of ``block_size`` bytes
at a time, so a large file is never held in memory whole.
"""

from __future__ import annotations

import csv
import glob
import gzip
import os

import numpy as np

from cannery.core.dtypes import DType, as_dtype
from cannery.data import _structure as st
from cannery.data.dataset import AUTOTUNE, Dataset
from cannery.errors import InvalidArgumentError

_CSV_TYPES = ("float32", "float64", "int32", "int64", "string")
DEFAULT_BLOCK_SIZE = 1 << 20  # pyarrow's default; measured no slower than 4 MiB (bench_csv.py)


class CsvError(ValueError, InvalidArgumentError):
    """A CSV record that cannot be read: TensorFlow's ``InvalidArgumentError``, and a
    ``ValueError``."""


def _get_file_names(file_pattern) -> list[str]:
    if isinstance(file_pattern, (str, os.PathLike)):
        patterns = [os.fspath(file_pattern)]
    else:
        patterns = [os.fspath(p) for p in file_pattern]
        if not patterns:
            raise ValueError("Argument `file_pattern` should not be empty.")
    names: list[str] = []
    for pattern in patterns:
        matches = glob.glob(pattern)
        names.extend(matches if matches or glob.has_magic(pattern) else [])
    if not names:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    return sorted(names)  # deterministic before any shuffling, as TensorFlow


def _open_text(path: str, compression: str, encoding: str):
    if compression == "GZIP":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by caller


def _reader(handle, field_delim: str, use_quote_delim: bool):
    return csv.reader(handle, delimiter=field_delim,
                      quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)


def _infer_column_names(filenames, field_delim, use_quote_delim, compression, encoding):
    names = None
    for path in filenames:
        with _open_text(path, compression, encoding) as handle:
            try:
                header = next(_reader(handle, field_delim, use_quote_delim))
            except StopIteration:
                raise ValueError(f"Failed when reading the header line of {path}. Is it an "
                                 f"empty file?") from None
        if names is None:
            names = header
        elif header != names:
            raise ValueError(f"All input CSV files should have the same column names in the "
                             f"header row. File {path} has different column names.")
    return names


def _get_sorted_col_indices(select_columns, column_names) -> list[int]:
    index_of = {name: i for i, name in enumerate(column_names)}
    indices = []
    for value in select_columns:
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            if value < 0 or value >= len(column_names):
                raise ValueError(f"Column index {value} specified in select_columns out of "
                                 f"valid range.")
            indices.append(int(value))
        elif value in index_of:
            indices.append(index_of[value])
        else:
            raise ValueError(f"Value '{value}' specified in select_columns not a valid column "
                             f"index or name.")
    result = sorted(set(indices))
    if len(result) != len(indices):
        raise ValueError("select_columns contains duplicate columns")
    return result


# -- type inference (TensorFlow's _infer_type, readers.py) ---------------------------

_INT32 = np.iinfo(np.int32)
_INT64 = np.iinfo(np.int64)


def _valid_int(text: str, info) -> bool:
    try:
        value = int(text)
    except ValueError:
        return False
    return info.min <= value <= info.max


def _valid_float(text: str, dtype) -> bool:
    try:
        with np.errstate(over="ignore"):
            return bool(dtype(text) < np.inf)
    except (ValueError, OverflowError):
        return False


_INFER_ORDER = (
    ("int32", lambda s: _valid_int(s, _INT32)),
    ("int64", lambda s: _valid_int(s, _INT64)),
    ("float32", lambda s: _valid_float(s, np.float32)),
    ("float64", lambda s: _valid_float(s, np.float64)),
    ("string", lambda s: True),
)


def _infer_type(text: str, na_value: str, previous: str | None) -> str | None:
    if text in ("", na_value):
        return previous  # a missing field says nothing about the type
    allowed = [name for name, _ in _INFER_ORDER]
    for i, (name, valid) in enumerate(_INFER_ORDER):
        if valid(text) and (previous is None or previous in allowed[: i + 1]):
            return name
    return "string"


def _infer_column_types(filenames, num_cols, field_delim, use_quote_delim, na_value, header,
                        num_rows_for_inference, select_indices, compression, encoding):
    """TensorFlow's ``_infer_column_defaults``: the first ``num_rows_for_inference`` rows.

    Every row read, blank lines included, must have ``num_cols`` fields (TensorFlow's
    ``_next_csv_row`` checks a row before the count stops the reading).
    """
    inferred: list[str | None] = [None] * len(select_indices)
    seen = 0
    for path in filenames:
        with _open_text(path, compression, encoding) as handle:
            rows = _reader(handle, field_delim, use_quote_delim)
            row_num = 1
            if header:
                next(rows, None)
                row_num += 1
            for record in rows:
                if len(record) != num_cols:
                    raise ValueError(f"Problem inferring types: CSV row {row_num} has "
                                     f"{len(record)} number of fields, a different number of "
                                     f"fields than expected: {num_cols} (file {path}).")
                row_num += 1
                if num_rows_for_inference is not None and seen >= num_rows_for_inference:
                    break
                for j, col in enumerate(select_indices):
                    inferred[j] = _infer_type(record[col], na_value, inferred[j])
                seen += 1
        if num_rows_for_inference is not None and seen >= num_rows_for_inference:
            break
    return [t or "string" for t in inferred]


# -- column defaults ------------------------------------------------------------------


class _ColumnSpec:
    __slots__ = ("name", "dtype", "default", "required")

    def __init__(self, name: str, dtype: str, default, required: bool):
        self.name, self.dtype, self.default, self.required = name, dtype, default, required


# TensorFlow tests ``x in (float32, float64, int32, int64, string)``, and a DType equals
# whatever ``as_dtype`` maps to it: type-enum numbers (DT_FLOAT = 1, DT_DOUBLE = 2,
# DT_INT32 = 3, DT_STRING = 7, DT_INT64 = 9 -- so a default of 1, 2.0 or True is a
# required column), dtype names, numpy dtypes and scalar types, float and object.
# Numpy scalars are left out of the numbers (see _csv_dtype_of).
_ENUM_DTYPES = {1: "float32", 2: "float64", 3: "int32", 7: "string", 9: "int64"}
_NAME_DTYPES = {"float32": "float32", "float": "float32", "float64": "float64",
                "double": "float64", "int32": "int32", "int64": "int64", "string": "string"}


def _csv_dtype_of(value) -> str | None:
    """The CSV type ``value`` names as a ``column_defaults`` entry, else None."""
    if isinstance(value, DType):
        return value.name
    if isinstance(value, str):
        return _NAME_DTYPES.get(value)
    if value is float:
        return "float32"
    if value is object or isinstance(value, np.dtype) or (
            isinstance(value, type) and issubclass(value, np.generic)):
        try:
            kind = np.dtype(value)
        except TypeError:
            return None
        return "string" if kind.kind in "USO" else kind.name
    if any(value is t for t in (str, bytes, int, bool)):
        return None
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        # (TensorFlow does the same for numpy scalars; cannery keeps np.float32(1) a
        # default value, which its own CLI relies on)
        return next((name for number, name in _ENUM_DTYPES.items() if value == number), None)
    return None


def _parse_default(value, name: str) -> tuple[str, object, bool]:
    """(dtype name, default value, required) from one ``column_defaults`` entry."""
    named = _csv_dtype_of(value)
    if named is not None:
        dtype, default, required = named, None, True
    elif any(value is t for t in (str, bytes, int)):  # cannery extension: Python types as dtypes
        dtype, default, required = as_dtype(value).name, None, True
    else:
        array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        if array.size == 0:
            # tf.constant([]) is float32: an empty default marks a required float32 column
            dtype = "float32" if array.dtype.kind in "fO" else as_dtype(array.dtype).name
            return _check_csv_type(dtype, name), None, True
        if array.size != 1:
            raise ValueError(f"column_defaults for column '{name}': expected a scalar or a "
                             f"one-element list, received {value!r}")
        scalar = array.reshape(()).item() if array.dtype != object else array.reshape(())[()]
        if isinstance(scalar, (str, bytes)):
            dtype, default = "string", scalar.decode() if isinstance(scalar, bytes) else scalar
        elif isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "numpy"):
            dtype, default = as_dtype(array.dtype).name, scalar
        elif isinstance(scalar, bool):
            raise TypeError(f"column_defaults for column '{name}': bool is not a CSV type")
        elif isinstance(scalar, int):
            dtype, default = "int32", scalar  # tf.constant(0) is int32
        else:
            dtype, default = "float32", scalar
        required = False
    return _check_csv_type(dtype, name), default, required


def _check_csv_type(dtype: str, name: str) -> str:
    if dtype not in _CSV_TYPES:
        raise TypeError(f"column_defaults for column '{name}': expected one of "
                        f"{list(_CSV_TYPES)}, received {dtype}")
    return dtype


# -- reading --------------------------------------------------------------------------


class _CsvRows(Dataset):
    """Rows of CSV files as columnar chunks, one pyarrow record batch at a time."""

    _columnar = True

    def __init__(self, filenames, column_names, select_indices, columns, spec, *,
                 header, field_delim, use_quote_delim, na_value, file_shuffle, cycle_length,
                 ignore_errors, compression, encoding, block_size, order):
        self._filenames = filenames
        self._column_names = column_names
        self._select = select_indices
        self._columns = columns  # _ColumnSpec per selected column, file order
        self._spec = spec
        self._order = order  # leaf i of the spec is selected column order[i]
        self._header = header
        self._field_delim = field_delim
        self._use_quote_delim = use_quote_delim
        self._na_value = na_value
        self._file_shuffle = file_shuffle  # Dataset of the file names, shuffled, or None
        self._cycle_length = cycle_length
        self._ignore_errors = ignore_errors
        self._compression = compression
        self._encoding = encoding
        self._block_size = block_size

    def _element_spec(self):
        # One scalar per selected column, from the column specs: reading the first row
        # would open a file and draw a file-shuffle order TensorFlow never draws here.
        from cannery.core.eager_tensor import TensorSpec

        return st.unflatten(self._spec, [TensorSpec((), self._columns[i].dtype)
                                         for i in self._order])

    def _file_order(self) -> list[str]:
        """This pass's files: TensorFlow shuffles the file names with their own
        ``Dataset.shuffle(len(filenames), shuffle_seed)``, a new order each pass."""
        if self._file_shuffle is None:
            return list(self._filenames)
        return [str(name) for _, (names,) in self._file_shuffle._chunks() for name in names]

    def _options(self):
        import pyarrow as pa
        from pyarrow import csv as pacsv

        arrow_types = {"float32": pa.float32(), "float64": pa.float64(), "int32": pa.int32(),
                       "int64": pa.int64(), "string": pa.string()}
        read = pacsv.ReadOptions(column_names=list(self._column_names),
                                 skip_rows=1 if self._header else 0,
                                 block_size=self._block_size, encoding=self._encoding,
                                 use_threads=True)
        parse = pacsv.ParseOptions(
            delimiter=self._field_delim,
            quote_char='"' if self._use_quote_delim else False,
            # a blank line is a record of one empty field to TensorFlow: a missing value
            # in a one-column file (an error otherwise; pyarrow skips it there)
            ignore_empty_lines=len(self._column_names) > 1,
            invalid_row_handler=(lambda row: "skip") if self._ignore_errors else None,
        )
        # Under ignore_errors every column arrives as text so one bad value drops its
        # row instead of failing the whole block.
        types = {c.name: pa.string() if self._ignore_errors else arrow_types[c.dtype]
                 for c in self._columns}
        convert = pacsv.ConvertOptions(
            include_columns=[c.name for c in self._columns], column_types=types,
            null_values=sorted({"", self._na_value}), strings_can_be_null=True,
            quoted_strings_can_be_null=True)
        return read, parse, convert

    def _open(self, path: str):
        if self._compression == "GZIP":
            import pyarrow as pa

            return pa.input_stream(path, compression="gzip")
        return path

    def _chunks(self):
        files = self._file_order()
        if self._cycle_length <= 1:
            for path in files:
                yield from self._file_chunks(path)
        else:
            yield from self._interleaved(files)

    def _file_chunks(self, path: str):
        """One file's rows as ``(spec, leaves)`` chunks, one per pyarrow record batch."""
        from pyarrow import csv as pacsv
        import pyarrow as pa

        read, parse, convert = self._options()
        record = 0  # records of this file read so far (for error messages)
        try:
            reader = pacsv.open_csv(self._open(path), read_options=read,
                                    parse_options=parse, convert_options=convert)
        except StopIteration:  # empty file
            return
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return
            raise self._error(exc, path) from None
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise self._error(exc, path) from None
            if batch.num_rows == 0:
                continue
            columns = self._convert(batch, record, path)
            record += batch.num_rows
            if columns and st.chunk_rows(columns):
                yield self._spec, [columns[i] for i in self._order]

    def _error(self, exc, path: str) -> CsvError:
        """pyarrow's error as TensorFlow's CsvDataset words it (csv_dataset_op.cc)."""
        import re

        text = str(exc)
        match = re.search(r"column #(\d+): CSV conversion error to (\w+): invalid value "
                          r"'(.*)'", text, re.S)
        if match and int(match.group(1)) in self._select:
            field = self._select.index(int(match.group(1)))
            return CsvError(f"Field {field} in record is not a valid {match.group(2)}: "
                            f"{match.group(3)} (file {path})")
        match = re.search(r"Expected (\d+) columns, got (\d+)", text)
        if match:
            got = int(match.group(2))
            if got > int(match.group(1)):
                return CsvError(f"Expect {len(self._select)} fields but have more in record "
                                f"(file {path})")
            have = sum(1 for i in self._select if i < got)
            return CsvError(f"Expect {len(self._select)} fields but have {have} in record "
                            f"(file {path})")
        return CsvError(f"{path}: {text}")

    def _interleaved(self, files: list[str]):
        """TensorFlow's deterministic interleave of the files' rows (``cycle_length``
        files open, one row from each in turn; a finished file's slot takes the next
        file when the cycle comes back to it), in columnar runs where possible."""
        cycle = self._cycle_length
        pending = iter(files)
        end_of_input = False
        # a slot: None (empty), [leaves, pos, chunk generator] (rows left at pos),
        # or "done" (file finished, closed on its next turn)
        slots: list = [None] * cycle
        num_open = 0
        index = 0

        def refill(slot):
            for _, leaves in slot[2]:
                slot[0], slot[1] = leaves, 0
                return slot
            return "done"

        while not end_of_input or num_open:
            if all(isinstance(slot, list) or (slot is None and end_of_input)
                   for slot in slots):
                # every open slot has rows (and no file waits for an empty one):
                # k whole rounds starting at `index`
                turn = [j for j in ((index + i) % cycle for i in range(cycle))
                        if slots[j] is not None]
                k = min(st.chunk_rows(slots[j][0]) - slots[j][1] for j in turn)
                width = len(turn)
                parts = [[st.rows_slice(leaf, slots[j][1], slots[j][1] + k)
                          for leaf in slots[j][0]] for j in turn]
                order = np.arange(k * width).reshape(width, k).T.reshape(-1)
                yield self._spec, [st.rows_take(st.rows_concat(list(column)), order)
                                   for column in zip(*parts)]
                for j in turn:
                    slots[j][1] += k
                    if slots[j][1] == st.chunk_rows(slots[j][0]):
                        slots[j] = refill(slots[j])
                continue
            slot = slots[index]
            if isinstance(slot, list):
                yield self._spec, [st.rows_slice(leaf, slot[1], slot[1] + 1)
                                   for leaf in slot[0]]
                slot[1] += 1
                if slot[1] == st.chunk_rows(slot[0]):
                    slots[index] = refill(slot)
                index = (index + 1) % cycle
            elif slot == "done":
                slots[index] = None
                num_open -= 1
                index = (index + 1) % cycle
            elif not end_of_input:
                path = next(pending, None)
                if path is None:
                    end_of_input = True
                else:
                    slots[index] = refill([None, 0, self._file_chunks(path)])
                    num_open += 1
            else:
                index = (index + 1) % cycle

    def _convert(self, batch, first_record: int, path: str) -> list[np.ndarray]:
        import pyarrow.compute as pc

        arrays = [batch.column(c.name) for c in self._columns]
        if self._ignore_errors:
            arrays, keep = _coerce_columns(arrays, self._columns)
            if keep is not None:
                arrays = [a.filter(keep) for a in arrays]
        out = []
        for j, (column, array) in enumerate(zip(self._columns, arrays)):
            if array.null_count:
                if column.required:
                    if self._ignore_errors:
                        return _drop_missing_required(arrays, self._columns)
                    raise CsvError(f"Field {j} is required but missing in record! "
                                   f"(file {path}, record {first_record + _first_null(array)})")
                array = pc.fill_null(array, column.default)
            out.append(_to_numpy(array, column.dtype))
        return out


def _first_null(array) -> int:
    return int(np.flatnonzero(array.is_null().to_numpy(zero_copy_only=False))[0])


def _drop_missing_required(arrays, columns):
    import pyarrow.compute as pc

    keep = None
    for column, array in zip(columns, arrays):
        if column.required and array.null_count:
            valid = pc.is_valid(array)
            keep = valid if keep is None else pc.and_(keep, valid)
    arrays = [a.filter(keep) for a in arrays]
    out = []
    for column, array in zip(columns, arrays):
        if array.null_count:
            array = pc.fill_null(array, column.default)
        out.append(_to_numpy(array, column.dtype))
    return out


def _to_numpy(array, dtype: str) -> np.ndarray:
    values = array.to_numpy(zero_copy_only=False)
    if dtype == "string":
        return values.astype(object, copy=False)
    return values.astype(dtype, copy=False)


def _coerce_columns(arrays, columns):
    """Cast text columns to their types; rows with an unparsable value are dropped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow_types = {"float32": pa.float32(), "float64": pa.float64(), "int32": pa.int32(),
                   "int64": pa.int64()}
    keep = None
    out = []
    for column, array in zip(columns, arrays):
        if column.dtype == "string":
            out.append(array)
            continue
        try:
            out.append(pc.cast(array, arrow_types[column.dtype]))
            continue
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        # Slow path only for a block that holds a bad value: parse value by value.
        parsed, ok = [], []
        caster = int if column.dtype.startswith("int") else float
        info = np.iinfo(column.dtype) if column.dtype.startswith("int") else None
        for text in array.to_pylist():
            if text is None:
                parsed.append(None)
                ok.append(True)
                continue
            try:
                value = caster(text.strip())
                good = info is None or info.min <= value <= info.max
            except ValueError:
                value, good = None, False
            parsed.append(value if good else None)
            ok.append(good)
        out.append(pa.array(parsed, type=arrow_types[column.dtype]))
        mask = pa.array(ok)
        keep = mask if keep is None else pc.and_(keep, mask)
    return out, keep


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",",
                     use_quote_delim=True, na_value="", header=True, num_epochs=None,
                     shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False,
                     encoding="utf-8", *, block_size=None) -> Dataset:
    """Read CSV files into a dataset of ``(features, labels)`` batches.

    Args:
        file_pattern: a path, a glob pattern, or a list of them.
        batch_size: rows per batch.
        column_names: names of all CSV columns in order (default: the header line).
        column_defaults: one entry per selected column: a dtype (required column), an empty
            list (required float32), or a default value / one-element list (optional
            column of that value's type). Default: inferred, all optional (0 or ``''``).
        label_name: column returned separately as the labels.
        select_columns: column names or indices to read (others are skipped).
        field_delim: field separator.
        use_quote_delim: treat ``"`` as a quote character.
        na_value: an extra string that means "missing" (besides ``''``).
        header: whether the first line of each file is a header.
        num_epochs: passes over the data; None repeats forever (and drops a final
            partial batch, as TensorFlow).
        shuffle: shuffle files (``Dataset.shuffle`` of the sorted names, a new order each
            epoch) and rows, in TensorFlow's reproducible orders for a known seed.
        shuffle_buffer_size: rows in the shuffle buffer.
        shuffle_seed: seed of both shuffles.
        prefetch_buffer_size: batches prepared ahead on a background thread (None:
            auto, 0: no thread).
        num_parallel_reads: files read at once, their rows interleaved one at a time in
            TensorFlow's deterministic order (None: 1; AUTOTUNE: one per core).
        sloppy: accepted for compatibility (the order is always the deterministic one).
        num_rows_for_inference: rows read for type inference (None: all).
        compression_type: None, ``''`` or ``'GZIP'``.
        ignore_errors: skip malformed rows and rows with unparsable values.
        encoding: text encoding of the files.
        block_size: cannery extension: bytes per pyarrow read block (default 1 MiB).

    Returns:
        A :class:`~cannery.data.Dataset` of ``(features_dict, labels)`` batches, or of
        feature dicts when ``label_name`` is None.

    Raises:
        ValueError: for malformed arguments, with TensorFlow's messages.
    """
    del sloppy  # the order is always TensorFlow's deterministic one
    if num_parallel_reads is None:
        num_parallel_reads = 1
    elif num_parallel_reads == AUTOTUNE:
        # TensorFlow's interleave with cycle_length=AUTOTUNE opens one file per core
        num_parallel_reads = len(os.sched_getaffinity(0)) if hasattr(
            os, "sched_getaffinity") else (os.cpu_count() or 1)
    elif isinstance(num_parallel_reads, bool) or not isinstance(
            num_parallel_reads, (int, np.integer)) or num_parallel_reads <= 0:
        raise ValueError(f"`num_parallel_reads` must be a positive integer, None or "
                         f"AUTOTUNE; received {num_parallel_reads!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive integer; received {batch_size!r}")
    compression = (compression_type or "").upper()
    if compression == "ZLIB":
        raise ValueError(f"`compression_type` {compression_type} is not supported for "
                         f"probing columns.")
    if compression not in ("", "GZIP"):
        raise ValueError(f"Received unknown `compression_type` {compression_type}. Expected: "
                         f"GZIP, ZLIB or  (empty string).")
    filenames = _get_file_names(file_pattern)
    # TensorFlow shuffles the file names first (taking an implicit op seed before the
    # rows' shuffle does, under a global seed), with the same shuffle_seed.
    file_shuffle = (Dataset.from_tensor_slices(np.array(filenames)).shuffle(
        len(filenames), shuffle_seed) if shuffle else None)
    if column_names is None:
        if not header:
            raise ValueError("Cannot infer column names without a header line.")
        column_names = _infer_column_names(filenames, field_delim, use_quote_delim,
                                           compression, encoding)
    column_names = list(column_names)
    if len(column_names) != len(set(column_names)):
        raise ValueError("Cannot have duplicate column names.")
    select = (_get_sorted_col_indices(list(select_columns), column_names)
              if select_columns is not None else list(range(len(column_names))))
    if column_defaults is not None:
        column_defaults = list(column_defaults)
        if select_columns is not None and len(column_defaults) != len(select):
            raise ValueError("If specified, column_defaults and select_columns must have same "
                             "length.")
        if select_columns is None and len(column_defaults) != len(column_names):
            # TensorFlow finds out when it reads the first record; so it is also an
            # InvalidArgumentError here, with CsvDataset's message
            have = "more" if len(column_defaults) < len(column_names) else len(column_names)
            raise CsvError(f"Expect {len(column_defaults)} fields but have {have} in record: "
                           f"column_defaults has {len(column_defaults)} entries but the CSV "
                           f"has {len(column_names)} columns {column_names}")
        columns = [_ColumnSpec(column_names[i], *_parse_default(d, column_names[i]))
                   for i, d in zip(select, column_defaults)]
    else:
        types = _infer_column_types(filenames, len(column_names), field_delim, use_quote_delim,
                                    na_value, header, num_rows_for_inference, select,
                                    compression, encoding)
        columns = [_ColumnSpec(column_names[i], t, "" if t == "string" else 0, False)
                   for i, t in zip(select, types)]
    selected_names = [c.name for c in columns]
    if label_name is not None and label_name not in selected_names:
        raise ValueError(f"`label_name` provided must be one of the columns: "
                         f"{selected_names}. Received: {label_name}.")
    feature_names = [n for n in selected_names if n != label_name]
    # TensorFlow's make_csv_dataset yields its features as an OrderedDict.
    feature_spec = ("ordered_dict", feature_names, [None] * len(feature_names))
    spec = feature_spec if label_name is None else ("tuple", tuple, [feature_spec, None])
    rows = _CsvRows(filenames, column_names, select, columns, spec, header=header,
                    field_delim=field_delim, use_quote_delim=use_quote_delim,
                    na_value=na_value, file_shuffle=file_shuffle,
                    cycle_length=int(num_parallel_reads),
                    ignore_errors=ignore_errors, compression=compression, encoding=encoding,
                    block_size=int(block_size or DEFAULT_BLOCK_SIZE),
                    order=[selected_names.index(n) for n in feature_names]
                    + ([] if label_name is None else [selected_names.index(label_name)]))
    dataset: Dataset = rows
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)


__all__ = ["make_csv_dataset", "CsvError"]
