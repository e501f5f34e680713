"""TFRecord files: CRC-32C, the writer's bytes, TFRecordDataset (order, structure,
errors), tf_record_iterator, parse_example_dataset and make_batched_features_dataset.

Where a number comes from TensorFlow it is derived from its source (named) or quoted
as "observed in TF 2.15.1" with the program that printed it (tensorflow-cpu 2.15.1,
the programs in tools/tf_diff/programs/tfrecord/ run through tools/tf_diff/harness.py).
"""

import gzip
import logging
import struct
import zlib

import numpy as np
import pytest

import cannery as tf
from cannery import errors
from cannery.data import Dataset
from cannery.data._tfrecord import (TFRecordDataset, TFRecordOptions, TFRecordWriter,
                                    crc32c, make_batched_features_dataset, masked_crc32c,
                                    parse_example_dataset, tf_record_iterator)


@pytest.fixture(autouse=True)
def no_global_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def bitwise_crc32c(data: bytes) -> int:
    """CRC-32C one bit at a time (reflected polynomial 0x82F63B78): the definition, no
    tables, to check the slicing-by-8 kernel against."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def mask(crc: int) -> int:
    # TFRecord's mask (tsl/lib/hash/crc32c.h Mask): rotate right by 15, add a constant
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def framed(record: bytes) -> bytes:
    """One record as record_writer.cc lays it out, built from the definition."""
    header = struct.pack("<Q", len(record))
    return (header + struct.pack("<I", mask(bitwise_crc32c(header))) + record
            + struct.pack("<I", mask(bitwise_crc32c(record))))


# -------------------------------------------------------------------------- CRC-32C


@pytest.mark.parametrize("data, expected", [
    # RFC 3720 (iSCSI) appendix B.4 test vectors
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
    (bytes.fromhex("01c00000000000000000000000000000"  # an iSCSI read command
                   "14000000000004000000001400000018"
                   "28000000000000000200000000000000"), 0xD9963A56),
    # the CRC catalogue's check value of CRC-32/ISCSI
    (b"123456789", 0xE3069283),
    (b"", 0),
])
def test_crc32c_known_vectors(data, expected):
    assert crc32c(data) == expected


def test_crc32c_matches_the_bitwise_definition_for_every_tail_length():
    rng = np.random.default_rng(0)
    for n in range(0, 70):  # every remainder of the 8-byte slices, several times over
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert crc32c(data) == bitwise_crc32c(data)


def test_masked_crc_is_the_rotation_plus_delta():
    data = b"123456789"
    # crc 0xE3069283 rotated right by 15: 0xE3069283 >> 15 = 0x1C60D, its low 15 bits
    # 0x1283 << 17 = 0x25060000, together 0x2507C60D; + 0xA282EAD8 = 0xC78AB0E5
    assert masked_crc32c(data) == 0xC78AB0E5


# -------------------------------------------------------------------------- writing


RECORDS = [b"hello", b"", b"x" * 300]


def test_writer_lays_records_out_as_tensorflow(tmp_path):
    path = tmp_path / "a.tfr"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in RECORDS:
            writer.write(record)
    data = path.read_bytes()
    assert data == b"".join(framed(r) for r in RECORDS)
    # the first 12 bytes: length 5 little-endian, then the masked CRC of those 8 bytes
    assert data[:8] == b"\x05" + bytes(7)
    assert len(data) == (12 + 5 + 4) + (12 + 0 + 4) + (12 + 300 + 4)


def test_writer_writes_text_as_utf8_and_refuses_other_types(tmp_path):
    path = tmp_path / "t.tfr"
    with TFRecordWriter(str(path)) as writer:
        writer.write("caf\u00e9")
        writer.write(bytearray(b"ab"))
        with pytest.raises(TypeError, match="must be bytes or str; received int 5"):
            writer.write(5)
    assert path.read_bytes() == framed("caf\u00e9".encode()) + framed(b"ab")


def test_writer_closed_errors_and_double_close(tmp_path):
    writer = TFRecordWriter(str(tmp_path / "c.tfr"))
    writer.close()
    writer.close()  # a second close does nothing, as TensorFlow's
    with pytest.raises(errors.FailedPreconditionError, match="^Writer is closed.$"):
        writer.write(b"x")
    with pytest.raises(errors.FailedPreconditionError, match="^Writer is closed.$"):
        writer.flush()


def test_writer_open_errors(tmp_path):
    missing = tmp_path / "no" / "x.tfr"
    with pytest.raises(errors.NotFoundError) as caught:
        TFRecordWriter(str(missing))
    assert str(caught.value) == f"{missing}; No such file or directory"
    with pytest.raises(errors.FailedPreconditionError, match="; Is a directory$"):
        TFRecordWriter(str(tmp_path))
    with pytest.raises(errors.UnimplementedError, match="scheme 'gs' not implemented"):
        TFRecordWriter("gs://bucket/x.tfr")


@pytest.mark.parametrize("kind, wbits", [("ZLIB", 15), ("GZIP", 31)])
def test_compressed_writer_uses_tensorflows_zlib_settings(tmp_path, kind, wbits):
    # ZlibCompressionOptions::DEFAULT()/GZIP() (tsl/lib/io/zlib_compression_options.h):
    # level Z_DEFAULT_COMPRESSION, Z_DEFLATED, window 15 (+16 for gzip), memLevel 9,
    # Z_DEFAULT_STRATEGY, no flush until close (Z_FINISH)
    path = tmp_path / "c.tfr"
    with TFRecordWriter(str(path), kind) as writer:
        for record in RECORDS:
            writer.write(record)
    z = zlib.compressobj(-1, zlib.DEFLATED, wbits, 9, zlib.Z_DEFAULT_STRATEGY)
    expected = z.compress(b"".join(framed(r) for r in RECORDS)) + z.flush(zlib.Z_FINISH)
    assert path.read_bytes() == expected
    plain = b"".join(framed(r) for r in RECORDS)
    assert (gzip.decompress(expected) if kind == "GZIP" else zlib.decompress(expected)) == plain


def test_flush_is_a_partial_flush(tmp_path):
    # ZlibOutputBuffer::Flush() deflates what is buffered with Z_PARTIAL_FLUSH
    path = tmp_path / "f.tfr"
    writer = TFRecordWriter(str(path), TFRecordOptions("GZIP"))
    writer.write(b"a" * 10)
    writer.flush()
    z = zlib.compressobj(-1, zlib.DEFLATED, 31, 9, 0)
    first = z.compress(framed(b"a" * 10)) + z.flush(zlib.Z_PARTIAL_FLUSH)
    assert path.read_bytes() == first
    writer.write(b"b" * 10)
    writer.close()
    assert path.read_bytes() == first + z.compress(framed(b"b" * 10)) + z.flush(zlib.Z_FINISH)


def test_options_flush_mode_applies_when_the_input_buffer_overflows(tmp_path):
    # ZlibOutputBuffer::Append: a piece (header, data or footer: RecordWriter appends
    # three) that does not fit the input buffer first deflates what is buffered with
    # flush_mode; a piece larger than the buffer is deflated at once
    options = TFRecordOptions("ZLIB", compression_level=9, mem_level=8,
                              flush_mode=zlib.Z_SYNC_FLUSH, input_buffer_size=20)
    path = tmp_path / "o.tfr"
    records = [b"abc%d" % i * (3 + 5 * i) for i in range(3)]  # 12, 32, 52 bytes
    with TFRecordWriter(str(path), options) as writer:
        for record in records:
            writer.write(record)
    z = zlib.compressobj(9, zlib.DEFLATED, 15, 8, 0)
    sync = zlib.Z_SYNC_FLUSH
    h = [framed(r)[:12] for r in records]
    f = [framed(r)[-4:] for r in records]
    expected = (
        # record 0: header (12) fits; data (12) does not fit the 8 left
        z.compress(h[0]) + z.flush(sync)
        # data 0 buffered (12), footer 0 (4) fits (16); header 1 (12) does not
        + z.compress(records[0] + f[0]) + z.flush(sync)
        # header 1 buffered; data 1 (32) does not fit: flush, then it is larger than 20
        + z.compress(h[1]) + z.flush(sync) + z.compress(records[1]) + z.flush(sync)
        # footer 1 (4) + header 2 (12) buffered; data 2 (52): flush, then at once
        + z.compress(f[1] + h[2]) + z.flush(sync) + z.compress(records[2]) + z.flush(sync)
        # footer 2 buffered until close
        + z.compress(f[2]) + z.flush(zlib.Z_FINISH))
    assert path.read_bytes() == expected
    assert list(tf_record_iterator(str(path), options)) == records


def test_compression_type_strings():
    # TFRecordOptions.get_compression_type_string (python/lib/io/tf_record.py)
    get = TFRecordOptions.get_compression_type_string
    assert [get(x) for x in (None, "", 0, 1, 2, True, "ZLIB", "GZIP")] == \
        ["", "", "", "ZLIB", "GZIP", "ZLIB", "ZLIB", "GZIP"]
    assert get(TFRecordOptions("GZIP")) == "GZIP"
    for bad in ("gzip", "BZ2", 3):
        with pytest.raises(ValueError, match=f'^Not a valid compression_type: "{bad}"$'):
            TFRecordOptions(bad)
    assert tf.compat.v1.io.TFRecordCompressionType.GZIP == 2
    assert tf.compat.v1.python_io.TFRecordCompressionType.ZLIB == 1


# -------------------------------------------------------------------------- reading


@pytest.fixture
def record_file(tmp_path):
    """hello (record at 0, 21 bytes), '' (at 21, 16 bytes), 'x'*300 (at 37, 316 bytes)."""
    path = tmp_path / "a.tfr"
    path.write_bytes(b"".join(framed(r) for r in RECORDS))
    return path


def test_dataset_elements_are_scalar_strings(record_file):
    ds = tf.data.TFRecordDataset(str(record_file))
    elements = list(ds)
    assert [e.numpy() for e in elements] == RECORDS
    assert elements[0] == b"hello" and elements[0].dtype == tf.string
    assert tuple(elements[0].shape) == ()
    assert repr(ds.element_spec) == "TensorSpec(shape=(), dtype=tf.string, name=None)"
    assert int(ds.cardinality()) == -2  # flat_map of a file reader: unknown
    assert int(ds.repeat().cardinality()) == -1
    batch = next(iter(ds.batch(2)))
    assert batch.numpy().tolist() == [b"hello", b""]
    assert repr(ds.batch(2).element_spec) == \
        "TensorSpec(shape=(None,), dtype=tf.string, name=None)"


def test_dataset_filenames_forms(record_file, tmp_path):
    other = tmp_path / "b.tfr"
    other.write_bytes(framed(b"b0") + framed(b"b1"))
    names = [str(record_file), str(other)]
    expected = RECORDS + [b"b0", b"b1"]
    read = lambda ds: [bytes(e.numpy()) for e in ds]  # noqa: E731
    assert read(TFRecordDataset(names)) == expected
    assert read(TFRecordDataset(np.array(names))) == expected
    assert read(TFRecordDataset(np.array(names * 2).reshape(2, 2))) == expected * 2
    assert read(TFRecordDataset([n.encode() for n in names])) == expected
    assert read(TFRecordDataset(Dataset.from_tensor_slices(names[::-1]))) == \
        [b"b0", b"b1"] + RECORDS
    assert read(TFRecordDataset([])) == []
    assert read(tf.compat.v1.data.TFRecordDataset(names)) == expected


def test_dataset_filename_type_errors(record_file):
    # _create_or_validate_filenames_dataset (python/data/ops/readers.py)
    with pytest.raises(TypeError, match="must contain `tf.string` elements. Got `tf.int32`"):
        TFRecordDataset([1, 2])
    with pytest.raises(TypeError, match="Got a dataset of `tf.int64` elements"):
        TFRecordDataset(Dataset.range(3))
    with pytest.raises(TypeError, match=r"of shape \[\] \(i.e. scalars\). Got a dataset of "
                                        r"element shape TensorShape\(\[2\]\)"):
        TFRecordDataset(Dataset.from_tensors([str(record_file)] * 2))
    with pytest.raises(errors.InvalidArgumentError, match="^`cycle_length` must be > 0$"):
        TFRecordDataset(str(record_file), num_parallel_reads=0)


def write_sized(tmp_path, sizes):
    names = []
    for i, n in enumerate(sizes):
        path = tmp_path / f"f{i}.tfr"
        path.write_bytes(b"".join(framed(b"%d-%d" % (i, j)) for j in range(n)))
        names.append(str(path))
    return names


def test_parallel_reads_interleave_in_tensorflows_order(tmp_path):
    # files f0..f5 of 1, 5, 3, 0, 4, 2 records "file-record". The deterministic
    # interleave (cycle_length c, block_length 1) takes one record from each open file
    # in turn; a file found finished on its turn gives up its slot without producing,
    # and the next file opens in that slot when the cycle comes back to it (an empty one
    # is passed over at once). Cycle 2, slots A and B:
    # A=f0 B=f1: 0-0 1-0 | A: f0 done | 1-1 | A=f2: 2-0 1-2 2-1 1-3 2-2 1-4 | A: f2 done
    # | B: f1 done | A=f3 empty, A=f4: 4-0 | B=f5: 5-0 | 4-1 5-1 4-2 | B: f5 done | 4-3
    names = write_sized(tmp_path, [1, 5, 3, 0, 4, 2])
    read = lambda ds: [e.numpy().decode() for e in ds]  # noqa: E731
    assert read(TFRecordDataset(names, num_parallel_reads=2)) == [
        "0-0", "1-0", "1-1", "2-0", "1-2", "2-1", "1-3", "2-2", "1-4", "4-0", "5-0", "4-1",
        "5-1", "4-2", "4-3"]
    # observed in TF 2.15.1 (tools/tf_diff/programs/tfrecord/p_records.py, par3)
    assert read(TFRecordDataset(names, num_parallel_reads=3)) == [
        "0-0", "1-0", "2-0", "1-1", "2-1", "1-2", "2-2", "4-0", "1-3", "4-1", "1-4", "5-0",
        "4-2", "5-1", "4-3"]
    sequential = read(TFRecordDataset(names))
    assert sequential == read(TFRecordDataset(names, num_parallel_reads=1))
    assert sorted(read(TFRecordDataset(names, num_parallel_reads=7))) == sorted(sequential)


def test_autotune_reads_ceil_of_a_third_of_the_cores(tmp_path, monkeypatch):
    # ParallelInterleaveDatasetOp with cycle_length and num_parallel_calls AUTOTUNE:
    # CeilDiv(MaxParallelism, kDefaultCyclePrefetchFactor + 1) = ceil(cores / 3)
    import cannery.data._tfrecord as tfr

    names = write_sized(tmp_path, [2, 2])
    read = lambda ds: [e.numpy().decode() for e in ds]  # noqa: E731
    monkeypatch.setattr(tfr.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert read(TFRecordDataset(names, num_parallel_reads=tf.data.AUTOTUNE)) == \
        ["0-0", "0-1", "1-0", "1-1"]  # 2 cores: one file at a time
    monkeypatch.setattr(tfr.os, "sched_getaffinity", lambda pid: set(range(4)), raising=False)
    assert read(TFRecordDataset(names, num_parallel_reads=tf.data.AUTOTUNE)) == \
        ["0-0", "1-0", "0-1", "1-1"]  # 4 cores: two files


# Offsets: record 0 at 0 (12 + 5 + 4 bytes), record 1 at 21 (16), record 2 at 37.
# record_reader.cc: fewer than 12 header bytes at the end is the end of the file; a bad
# header CRC is "corrupted record at <record offset>" (+ the format hint at 0); data cut
# short is "truncated record at <record offset>' failed with <the read's message>"; a
# bad data CRC is "corrupted record at <record offset + 12>".
@pytest.mark.parametrize("edit, expected", [
    (lambda raw: raw[:-1], "truncated record at 37' failed with Read less bytes than requested"),
    (lambda raw: raw[:37 + 12], "truncated record at 37' failed with Read less bytes than "
                                "requested"),
    (lambda raw: raw[:14], "truncated record at 0' failed with Read less bytes than requested"),
    (lambda raw: flip(raw, 0), "corrupted record at 0 (Is this even a TFRecord file?)"),
    (lambda raw: flip(raw, 9), "corrupted record at 0 (Is this even a TFRecord file?)"),
    (lambda raw: flip(raw, 12), "corrupted record at 12"),
    (lambda raw: flip(raw, 17), "corrupted record at 12"),
    (lambda raw: flip(raw, 21 + 3), "corrupted record at 21"),
    (lambda raw: flip(raw, 37 + 12 + 5), "corrupted record at 49"),
])
def test_damaged_files_raise_data_loss_naming_the_file(tmp_path, edit, expected):
    raw = b"".join(framed(r) for r in RECORDS)
    path = tmp_path / "bad.tfr"
    path.write_bytes(edit(raw))
    for reader in (lambda: [e.numpy() for e in TFRecordDataset(str(path))],
                   lambda: list(tf_record_iterator(str(path)))):
        with pytest.raises(errors.DataLossError) as caught:
            reader()
        assert str(caught.value) == f"{expected} (file {path})"


def flip(raw: bytes, position: int) -> bytes:
    data = bytearray(raw)
    data[position] ^= 1
    return bytes(data)


def test_records_before_the_damage_are_produced(tmp_path):
    raw = b"".join(framed(r) for r in RECORDS)
    path = tmp_path / "bad.tfr"
    path.write_bytes(raw[:-1])
    got = []
    with pytest.raises(errors.DataLossError):
        for element in TFRecordDataset(str(path)):
            got.append(element.numpy())
    assert got == RECORDS[:2]


@pytest.mark.parametrize("cut", [37 + 11, 37 + 5, 37, 11, 0])
def test_a_partial_header_at_the_end_is_the_end(tmp_path, cut):
    raw = b"".join(framed(r) for r in RECORDS)
    path = tmp_path / "p.tfr"
    path.write_bytes(raw[:cut])
    expected = RECORDS[:2] if cut >= 37 else []
    assert [e.numpy() for e in TFRecordDataset(str(path))] == expected
    assert list(tf_record_iterator(str(path))) == expected


def test_missing_file_and_directory(tmp_path, record_file):
    missing = tmp_path / "nope.tfr"
    with pytest.raises(errors.NotFoundError) as caught:
        list(TFRecordDataset([str(record_file), str(missing)]))
    assert str(caught.value) == f"{missing}; No such file or directory"
    with pytest.raises(errors.NotFoundError):  # when the iterator is made, as TF's
        tf_record_iterator(str(missing))
    with pytest.raises(errors.FailedPreconditionError, match="; Is a directory$"):
        list(TFRecordDataset(str(tmp_path)))


@pytest.mark.parametrize("kind", ["ZLIB", "GZIP"])
def test_compressed_reading(tmp_path, kind):
    records = [b"r%03d" % i * 30 for i in range(50)]
    path = tmp_path / "c.tfr"
    with TFRecordWriter(str(path), kind) as writer:
        for record in records:
            writer.write(record)
    raw = path.read_bytes()
    assert [e.numpy() for e in TFRecordDataset(str(path), compression_type=kind)] == records
    # concatenated members (ZlibInputStream restarts after a stream end)
    path.write_bytes(raw + raw)
    assert len(list(tf_record_iterator(str(path), kind))) == 100
    # a stream cut short: the framing sees the end of the data ("EOF reached" is
    # ZlibInputStream's message); a cut inside the 4- or 8-byte trailer loses nothing
    path.write_bytes(raw[:-4])
    assert len(list(TFRecordDataset(str(path), kind))) == 50
    path.write_bytes(raw[:len(raw) // 2])
    with pytest.raises(errors.DataLossError, match=r"^truncated record at \d+' failed with "
                                                   r"EOF reached \(file "):
        list(TFRecordDataset(str(path), kind))
    path.write_bytes(b"")
    assert list(TFRecordDataset(str(path), kind)) == []
    # damaged compressed data: inflate()'s error, as ZlibInputStream reports it
    damaged = bytearray(raw)
    damaged[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(errors.DataLossError, match=r"^inflate\(\) failed with error -3: "):
        list(TFRecordDataset(str(path), kind))


def test_unknown_compression_type_reads_plain(record_file, caplog):
    # record_reader.cc: "Unsupported compression_type:<t>. No compression will be used."
    with caplog.at_level(logging.ERROR, logger="cannery.data._tfrecord"):
        ds = TFRecordDataset(str(record_file), compression_type="gzip")
    assert "Unsupported compression_type:gzip. No compression will be used." in caplog.text
    assert [e.numpy() for e in ds] == RECORDS


def test_large_records_span_read_blocks(tmp_path, monkeypatch):
    import cannery.data._tfrecord as tfr

    monkeypatch.setattr(tfr, "_BLOCK", 7)
    monkeypatch.setattr(tfr, "_MAX_RECORDS", 2)
    records = [bytes([i]) * (i * 13) for i in range(9)]
    path = tmp_path / "l.tfr"
    path.write_bytes(b"".join(framed(r) for r in records))
    assert [e.numpy() for e in TFRecordDataset(str(path))] == records
    for kind in ("GZIP", "ZLIB"):
        with TFRecordWriter(str(path), kind) as writer:
            for record in records:
                writer.write(record)
        assert list(tf_record_iterator(str(path), kind)) == records


# ------------------------------------------------------------------- parsing datasets


def example(**features) -> bytes:
    feats = {}
    for key, values in features.items():
        if values and all(isinstance(v, float) for v in values):
            feats[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        elif all(isinstance(v, int) for v in values):
            feats[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        else:
            feats[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()


def write_examples(tmp_path, sizes=(7, 4, 6), compression=None, prefix="part"):
    """Example k (counting across the files in order): x = k / 2 - 2, i = [k % 5],
    s = 's<k % 3>', v = [0 .. k % 4 - 1], label = k % 2."""
    k = 0
    for f, size in enumerate(sizes):
        with TFRecordWriter(str(tmp_path / f"{prefix}-{f:02d}.tfr"), compression) as writer:
            for _ in range(size):
                writer.write(example(x=[k * 0.5 - 2.0], i=[k % 5], s=[b"s%d" % (k % 3)],
                                     v=list(range(k % 4)), label=[k % 2]))
                k += 1
    return str(tmp_path / f"{prefix}-*.tfr")


SPEC = {"x": tf.io.FixedLenFeature([], tf.float32),
        "i": tf.io.FixedLenFeature([1], tf.int64),
        "s": tf.io.FixedLenFeature([], tf.string, default_value=b""),
        "v": tf.io.VarLenFeature(tf.int64),
        "label": tf.io.FixedLenFeature([], tf.int64)}


def test_make_batched_features_dataset_without_shuffle(tmp_path):
    pattern = write_examples(tmp_path)
    ds = make_batched_features_dataset(pattern, 4, SPEC, label_key="label", num_epochs=1,
                                       shuffle=False)
    batches = list(ds)
    # 17 examples in file order, batches of 4 and a last one of 1
    assert [len(labels) for _, labels in batches] == [4, 4, 4, 4, 1]
    features, labels = batches[0]
    # TensorFlow's element order: VarLenFeature keys, then FixedLenFeature keys, sorted
    assert list(features) == ["v", "i", "s", "x"]
    assert features["x"].numpy().tolist() == [-2.0, -1.5, -1.0, -0.5]
    assert features["x"].dtype == np.float32
    assert features["i"].numpy().tolist() == [[0], [1], [2], [3]]
    assert features["s"].numpy().tolist() == [b"s0", b"s1", b"s2", b"s0"]
    assert labels.numpy().tolist() == [0, 1, 0, 1]
    # v of examples 0..3: [], [0], [0, 1], [0, 1, 2]
    assert features["v"].indices.tolist() == [[1, 0], [2, 0], [2, 1], [3, 0], [3, 1], [3, 2]]
    assert features["v"].values.tolist() == [0, 0, 1, 0, 1, 2]
    assert features["v"].dense_shape.tolist() == [4, 3]
    assert np.concatenate([f["x"] for f, _ in batches]).tolist() == \
        [k * 0.5 - 2.0 for k in range(17)]
    assert repr(ds.element_spec) == (
        "({'v': SparseTensorSpec(TensorShape([None, None]), tf.int64), "
        "'i': TensorSpec(shape=(None, 1), dtype=tf.int64, name=None), "
        "'s': TensorSpec(shape=(None,), dtype=tf.string, name=None), "
        "'x': TensorSpec(shape=(None,), dtype=tf.float32, name=None)}, "
        "TensorSpec(shape=(None,), dtype=tf.int64, name=None))")
    assert int(ds.cardinality()) == -2


def test_make_batched_features_dataset_forever_drops_the_partial_batch(tmp_path):
    pattern = write_examples(tmp_path)
    ds = make_batched_features_dataset(pattern, 5, {"x": SPEC["x"]}, shuffle=False)
    # num_epochs=None: repeat forever, drop_remainder=True so the batch size is static
    assert int(ds.cardinality()) == -1
    assert repr(ds.element_spec) == \
        "{'x': TensorSpec(shape=(5,), dtype=tf.float32, name=None)}"
    firsts = [b["x"].numpy().tolist() for b in ds.take(4)]
    xs = [k * 0.5 - 2.0 for k in range(17)]
    assert firsts == [xs[0:5], xs[5:10], xs[10:15], xs[15:17] + xs[0:3]]
    dropped = make_batched_features_dataset(pattern, 5, {"x": SPEC["x"]}, num_epochs=1,
                                            shuffle=False, drop_final_batch=True)
    assert [len(b["x"]) for b in dropped] == [5, 5, 5]


def test_make_batched_features_dataset_reader_threads_and_args(tmp_path):
    pattern = write_examples(tmp_path, sizes=(3, 1, 2), compression="GZIP")
    ds = make_batched_features_dataset(pattern, 6, {"x": SPEC["x"]}, num_epochs=1,
                                       shuffle=False, reader_args=["GZIP"],
                                       reader_num_threads=2)
    # files hold examples 0-2, 3, 4-5; two at a time, as in the interleave test above:
    # 0 (f0) 3 (f1) 1 (f0) | f1 done on its turn | 2 (f0) 4 (f2 opens in f1's slot)
    # | f0 done | 5 (f2)
    xs = [k * 0.5 - 2.0 for k in (0, 3, 1, 2, 4, 5)]
    assert [b["x"].numpy().tolist() for b in ds] == [xs]
    custom = make_batched_features_dataset(
        pattern, 6, {"x": SPEC["x"]}, num_epochs=1, shuffle=False,
        reader=lambda name: TFRecordDataset(name, "GZIP"))
    assert [b["x"].numpy().tolist() for b in custom] == [[k * 0.5 - 2.0 for k in range(6)]]


def test_make_batched_features_dataset_shuffles_files_then_records_with_the_seed(tmp_path):
    pattern = write_examples(tmp_path)
    ds = make_batched_features_dataset(pattern, 17, {"x": SPEC["x"]}, num_epochs=1,
                                       shuffle_seed=7, shuffle_buffer_size=5)
    got = [b["x"].numpy().tolist() for b in ds]
    # TensorFlow: list_files(shuffle=True, seed=7) shuffles the sorted names with
    # buffer len(names), then the records are shuffled with buffer 5 and seed 7: two
    # shuffles, each of op seed 7 (seeds (87654321, 7) with no global seed)
    names = sorted(tf.io.gfile.glob(pattern))
    order = [n.decode() for n in Dataset.from_tensor_slices(np.array(names)).shuffle(
        len(names), seed=7).as_numpy_iterator()]
    sizes = {names[0]: (0, 7), names[1]: (7, 11), names[2]: (11, 17)}
    records = [k * 0.5 - 2.0 for name in order for k in range(*sizes[name])]
    expected = [float(v) for v in Dataset.from_tensor_slices(np.array(records, np.float32))
                .shuffle(5, seed=7).as_numpy_iterator()]
    assert got == [expected]


def test_make_batched_features_dataset_errors(tmp_path):
    pattern = write_examples(tmp_path)
    # Dataset.list_files' assertion, as eager TensorFlow raises it
    with pytest.raises(errors.InvalidArgumentError) as caught:
        make_batched_features_dataset([str(tmp_path / "zz*"), str(tmp_path / "yy*")], 4, SPEC)
    assert str(caught.value) == (
        "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
        f"b'No files matched pattern: {tmp_path / 'zz*'}, {tmp_path / 'yy*'}'")
    with pytest.raises(ValueError, match=r"^The `label_key` provided \(nope\) must be one of "
                                         r"the `features` keys: dict_keys\(\['x'"):
        make_batched_features_dataset(pattern, 4, SPEC, label_key="nope")
    with pytest.raises(ValueError, match="^Argument `features` is required"):
        make_batched_features_dataset(pattern, 4, None)
    missing = make_batched_features_dataset(pattern, 4, {"zz": SPEC["x"]}, num_epochs=1,
                                            shuffle=False)
    with pytest.raises(errors.InvalidArgumentError, match="Feature: zz .* is required"):
        list(missing)


def test_parse_example_dataset(tmp_path):
    names = sorted(tf.io.gfile.glob(write_examples(tmp_path)))
    records = TFRecordDataset(names)
    parsed = records.batch(5).apply(parse_example_dataset(SPEC))
    batches = list(parsed)
    assert [len(b["x"]) for b in batches] == [5, 5, 5, 2]
    assert list(batches[0]) == ["v", "i", "label", "s", "x"]
    assert batches[3]["label"].numpy().tolist() == [15 % 2, 16 % 2]
    assert repr(parsed.element_spec["v"]) == "SparseTensorSpec(TensorShape([None, None]), " \
                                             "tf.int64)"
    fixed = records.batch(5, drop_remainder=True).apply(parse_example_dataset(SPEC))
    assert repr(fixed.element_spec["i"]) == \
        "TensorSpec(shape=(5, 1), dtype=tf.int64, name=None)"
    assert int(parsed.cardinality()) == -2
    with pytest.raises(TypeError, match=r"^Input dataset should be a dataset of vectors of "
                                        r"strings. Instead it is `TensorSpec\(shape=\(\), "):
        records.apply(parse_example_dataset(SPEC))
    with pytest.raises(ValueError, match="^Argument `features` is required"):
        parse_example_dataset(None)


def test_estimator_trains_the_same_from_tfrecords_as_from_memory(tmp_path):
    # the reading path must hand the model exactly the batches an in-memory dataset of
    # the same examples in the same order gives: then training is identical
    pattern = write_examples(tmp_path, sizes=(10, 6, 8))
    fc = tf.feature_column
    cols = [fc.numeric_column("x"), fc.categorical_column_with_identity("i", 5),
            fc.categorical_column_with_vocabulary_list("s", ["s0", "s1", "s2"]),
            fc.categorical_column_with_identity("v", 4)]
    spec = tf.estimator.classifier_parse_example_spec(cols, label_key="label")

    def from_files():
        return make_batched_features_dataset(pattern, 8, spec, label_key="label",
                                             shuffle=False)

    ks = np.arange(24)
    v_rows = [list(range(k % 4)) for k in ks]
    v = tf.SparseTensor([[r, c] for r, row in enumerate(v_rows) for c in range(len(row))],
                        np.array([c for row in v_rows for c in row], np.int64), [24, 3])

    def from_memory():
        features = {"x": (ks * 0.5 - 2.0).astype(np.float32),
                    "i": (ks % 5).reshape(-1, 1).astype(np.int64),
                    "s": np.array([b"s%d" % (k % 3) for k in ks], dtype=object), "v": v}
        return Dataset.from_tensor_slices((features, (ks % 2).astype(np.int64))).repeat() \
            .batch(8, drop_remainder=True)

    weights = []
    for i, input_fn in enumerate((from_files, from_memory)):
        est = tf.estimator.LinearClassifier(cols, model_dir=str(tmp_path / f"m{i}"))
        est.train(input_fn, steps=6)
        weights.append({n: est.get_variable_value(n) for n in est.get_variable_names()})
    assert weights[0].keys() == weights[1].keys()
    for name in weights[0]:
        np.testing.assert_array_equal(weights[0][name], weights[1][name], err_msg=name)
    assert np.any(weights[0]["linear/linear_model/x/weights"] != 0)


def test_parse_example_order_and_scalar_strings():
    # parsing_ops._parse_example_raw returns dict(zip(sparse_keys + dense_keys, ...)),
    # each list sorted by key; a scalar string keeps its trailing NUL byte
    serialized = example(b=[1], a=[b"ab\x00"])
    spec = {"b": tf.io.FixedLenFeature([], tf.int64), "a": tf.io.FixedLenFeature([], tf.string),
            "z": tf.io.VarLenFeature(tf.int64), "c": tf.io.VarLenFeature(tf.string)}
    single = tf.io.parse_single_example(serialized, spec)
    assert list(single) == ["c", "z", "a", "b"]
    assert single["a"].numpy() == b"ab\x00" and single["a"].shape == ()
    assert list(tf.io.parse_example([serialized], spec)) == ["c", "z", "a", "b"]
