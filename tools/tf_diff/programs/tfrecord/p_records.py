"""TFRecord writing (bytes of plain, ZLIB and GZIP files) and reading: orders,
interleaving, element structure, tf_record_iterator and the errors."""
import os
import zlib

import numpy as np
from common_tfr import attempt, tmpdir


def main(tf):
    d = tmpdir()
    out = {}
    # -- writing: the files' bytes
    recs = [b"", b"a", b"hello" * 40, bytes(range(256)), "text \u00e9"]
    for kind in ["", "ZLIB", "GZIP"]:
        p = os.path.join(d, f"w{kind}.tfr")
        with tf.io.TFRecordWriter(p, kind) as w:
            for r in recs:
                w.write(r)
        out[f"bytes_{kind}"] = open(p, "rb").read().hex()
    p = os.path.join(d, "flush.tfr")
    w = tf.io.TFRecordWriter(p, tf.io.TFRecordOptions("GZIP"))
    w.write(b"a" * 10)
    w.flush()
    out["after_flush"] = open(p, "rb").read().hex()
    w.write(b"b" * 10)
    w.close()
    w.close()
    out["flushed"] = open(p, "rb").read().hex()
    out["write_closed"] = attempt(lambda: w.write(b"x"), d)
    out["flush_closed"] = attempt(lambda: w.flush(), d)
    opts = tf.io.TFRecordOptions("ZLIB", compression_level=9, mem_level=8,
                                 flush_mode=zlib.Z_SYNC_FLUSH, input_buffer_size=20)
    p = os.path.join(d, "opts.tfr")
    with tf.io.TFRecordWriter(p, opts) as w:
        for i in range(4):
            w.write(b"abc%d" % i * (3 + 5 * i))
    out["opts_bytes"] = open(p, "rb").read().hex()
    out["opts_read"] = [r.decode() for r in tf.compat.v1.io.tf_record_iterator(p, opts)]
    out["opts_vars"] = {k: str(v) for k, v in sorted(vars(tf.io.TFRecordOptions("GZIP")).items())}
    out["type_string"] = [tf.io.TFRecordOptions.get_compression_type_string(x)
                          for x in [None, "", 0, 1, 2, True, "ZLIB", "GZIP",
                                    tf.io.TFRecordOptions("GZIP")]]
    out["bad_opts"] = [attempt(lambda: tf.io.TFRecordOptions(x), d) for x in ["gzip", "BZ2", 3]]
    out["bad_writer"] = [attempt(lambda: tf.io.TFRecordWriter(os.path.join(d, "x"), "bz2"), d),
                         attempt(lambda: tf.io.TFRecordWriter(os.path.join(d, "no", "x")), d),
                         attempt(lambda: tf.io.TFRecordWriter(d), d)]
    out["ctype"] = [tf.compat.v1.io.TFRecordCompressionType.NONE,
                    tf.compat.v1.python_io.TFRecordCompressionType.ZLIB,
                    tf.compat.v1.io.TFRecordCompressionType.GZIP]

    # -- reading
    sizes = [1, 5, 3, 0, 4, 2]
    names = []
    for i, n in enumerate(sizes):
        p = os.path.join(d, f"f{i}.tfr")
        names.append(p)
        with tf.compat.v1.python_io.TFRecordWriter(p) as w:
            for j in range(n):
                w.write(b"%d-%d" % (i, j))
    def read(ds):
        return [x.numpy().decode() for x in ds]
    out["seq"] = read(tf.data.TFRecordDataset(names))
    for c in [1, 2, 3, 4, 7]:
        out[f"par{c}"] = read(tf.data.TFRecordDataset(names, num_parallel_reads=c))
    out["autotune"] = read(tf.data.TFRecordDataset(names, num_parallel_reads=tf.data.AUTOTUNE))
    out["from_ds"] = read(tf.data.TFRecordDataset(tf.data.Dataset.from_tensor_slices(names[::-1])))
    out["from_ds_par"] = read(tf.data.TFRecordDataset(
        tf.data.Dataset.from_tensor_slices(names), num_parallel_reads=2))
    out["np_2d"] = read(tf.data.TFRecordDataset(np.array(names).reshape(2, 3)))
    out["bytes_names"] = read(tf.data.TFRecordDataset([n.encode() for n in names[:2]]))
    out["empty_list"] = read(tf.data.TFRecordDataset([]))
    ds = tf.data.TFRecordDataset(names)
    out["spec"] = repr(ds.element_spec)
    out["card"] = int(ds.cardinality())
    out["card_par"] = int(tf.data.TFRecordDataset(names, num_parallel_reads=2).cardinality())
    out["card_rep"] = int(ds.repeat(2).cardinality())
    first = next(iter(ds))
    out["elem"] = [first.numpy(), str(first.dtype), list(first.shape)]
    b = next(iter(ds.batch(4)))
    out["batch"] = [b.numpy(), str(b.dtype), list(b.shape)]
    out["batch_spec"] = repr(ds.batch(4).element_spec)
    out["v1"] = read(tf.compat.v1.data.TFRecordDataset(names[:2]))
    out["iter"] = [r.decode() for r in tf.compat.v1.io.tf_record_iterator(names[1])]
    # compressed reading, concatenated gzip members
    g = os.path.join(d, "wGZIP.tfr")
    out["gzip_read"] = [x.numpy().hex() for x in tf.data.TFRecordDataset(g, "GZIP")]
    out["zlib_read"] = [x.numpy().hex() for x in
                        tf.data.TFRecordDataset(os.path.join(d, "wZLIB.tfr"), "ZLIB")]
    m = os.path.join(d, "multi.gz")
    open(m, "wb").write(open(g, "rb").read() * 2)
    out["gzip_multi"] = len(list(tf.data.TFRecordDataset(m, compression_type="GZIP")))
    out["unknown_ctype"] = read(tf.data.TFRecordDataset(names[1], compression_type="BZ2"))
    out["lower_ctype"] = attempt(lambda: read(tf.data.TFRecordDataset(g, "gzip")), d)
    return out
