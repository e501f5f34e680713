"""TFRecord reading errors: truncated and corrupted records (plain and compressed),
missing files, bad arguments."""
import os

from common_tfr import attempt, tmpdir


def main(tf):
    d = tmpdir()
    out = {}
    p = os.path.join(d, "a.tfr")
    with tf.io.TFRecordWriter(p) as w:
        w.write(b"hello")
        w.write(b"")
        w.write(b"x" * 300)
    raw = open(p, "rb").read()

    def both(name, data, ctype=""):
        q = os.path.join(d, name)
        open(q, "wb").write(data)
        got = []
        def ds_read():
            for x in tf.data.TFRecordDataset(q, compression_type=ctype):
                got.append(x.numpy()[:8].hex())
            return len(got)
        r1 = attempt(ds_read, d)
        r2 = attempt(lambda: len(list(tf.compat.v1.io.tf_record_iterator(q, ctype))), d)
        return {"dataset": r1, "read_before_error": list(got), "iterator": r2}

    for cut in [len(raw) - 1, len(raw) - 3, len(raw) - 4, 37 + 5, 37 + 12, 37 + 13, 14, 12, 11, 5, 0]:
        out[f"cut{cut}"] = both(f"cut{cut}", raw[:cut])
    for pos in [0, 3, 8, 9, 11, 12, 14, 16, 17, 30, 45, 60]:
        bad = bytearray(raw)
        bad[pos] ^= 1
        out[f"flip{pos}"] = both(f"flip{pos}", bytes(bad))
    out["garbage"] = both("garbage", b"this is not a tfrecord file at all")
    for kind in ["ZLIB", "GZIP"]:
        q = os.path.join(d, kind)
        with tf.io.TFRecordWriter(q, kind) as w:
            for i in range(50):
                w.write(b"r%03d" % i * 30)
        zraw = open(q, "rb").read()
        for cut in [len(zraw) - 1, len(zraw) - 4, len(zraw) - 10, len(zraw) // 2, 5, 2, 0]:
            out[f"{kind}_cut{cut}"] = both(f"{kind}_cut{cut}", zraw[:cut], kind)
        bad = bytearray(zraw)
        bad[len(zraw) // 2] ^= 0xFF
        out[f"{kind}_bad"] = both(f"{kind}_bad", bytes(bad), kind)
        out[f"{kind}_as_plain"] = both(f"{kind}_plain", zraw, "")
        out[f"plain_as_{kind}"] = both(f"plain_{kind}", raw, kind)
    missing = os.path.join(d, "nope.tfr")
    out["missing_ds"] = attempt(lambda: list(tf.data.TFRecordDataset([p, missing])), d)
    out["missing_iter"] = attempt(lambda: tf.compat.v1.io.tf_record_iterator(missing), d)
    out["dir_ds"] = attempt(lambda: list(tf.data.TFRecordDataset(d)), d)
    out["int_names"] = attempt(lambda: tf.data.TFRecordDataset([1, 2]), d)
    out["float_names"] = attempt(lambda: tf.data.TFRecordDataset([1.5]), d)
    out["ds_int_names"] = attempt(lambda: tf.data.TFRecordDataset(tf.data.Dataset.range(3)), d)
    out["ds_vec_names"] = attempt(
        lambda: tf.data.TFRecordDataset(tf.data.Dataset.from_tensors([p, p])), d)
    out["npr0"] = attempt(lambda: tf.data.TFRecordDataset(p, num_parallel_reads=0), d)
    out["npr_neg"] = attempt(lambda: tf.data.TFRecordDataset(p, num_parallel_reads=-3), d)
    out["iter_bad_opts"] = attempt(lambda: tf.compat.v1.io.tf_record_iterator(p, "gzip"), d)
    out["write_int"] = attempt(lambda: tf.io.TFRecordWriter(os.path.join(d, "i")).write(5), d)
    return out
