"""make_batched_features_dataset and parse_example_dataset: order, structure, options."""
from common_tfr import (attempt, make_batched, norm, parse_example_dataset, plain, tmpdir,
                        write_examples)


def main(tf):
    d = tmpdir()
    mbfd = make_batched(tf)
    ped = parse_example_dataset(tf)
    pattern = write_examples(tf, d)
    gz = write_examples(tf, d, compression="GZIP", prefix="gz")
    spec = {"x": tf.io.FixedLenFeature([], tf.float32),
            "i": tf.io.FixedLenFeature([1], tf.int64),
            "s": tf.io.FixedLenFeature([], tf.string, default_value=b""),
            "v": tf.io.VarLenFeature(tf.int64),
            "label": tf.io.FixedLenFeature([], tf.int64)}
    out = {}

    def batches(ds, n=None):
        got = []
        for i, b in enumerate(ds):
            if n is not None and i == n:
                break
            got.append(plain(b))
        return got

    ds = mbfd(pattern, 4, spec, label_key="label", num_epochs=1, shuffle=False)
    out["basic"] = batches(ds)
    first = next(iter(ds))
    out["keys"] = list(first[0].keys())
    out["spec"] = repr(ds.element_spec)
    out["card"] = int(ds.cardinality())
    out["nolabel"] = batches(mbfd(pattern, 5, spec, num_epochs=1, shuffle=False))
    out["threads2"] = batches(mbfd(pattern, 3, spec, label_key="label", num_epochs=2,
                                   shuffle=False, reader_num_threads=2))
    out["threads_auto"] = batches(mbfd(pattern, 3, spec, num_epochs=1, shuffle=False,
                                       reader_num_threads=tf.data.AUTOTUNE))
    out["drop"] = batches(mbfd(pattern, 4, spec, num_epochs=1, shuffle=False,
                               drop_final_batch=True))
    forever = mbfd(pattern, 4, spec, label_key="label", shuffle=False)
    out["forever"] = batches(forever, 6)
    out["forever_spec"] = repr(forever.element_spec)
    out["forever_card"] = int(forever.cardinality())
    out["epochs2_card"] = int(mbfd(pattern, 4, spec, num_epochs=2, shuffle=False).cardinality())
    out["gzip"] = batches(mbfd(gz, 6, spec, num_epochs=1, shuffle=False, reader_args=["GZIP"]))
    out["list_pattern"] = batches(mbfd([pattern.replace("*", "02"), pattern.replace("*", "00"),
                                        pattern.replace("*", "0[02]")], 6,
                                       {"x": spec["x"]}, num_epochs=1, shuffle=False))
    out["custom_reader"] = batches(mbfd(gz, 6, {"x": spec["x"]}, num_epochs=1, shuffle=False,
                                        reader=lambda f: tf.data.TFRecordDataset(f, "GZIP")))
    out["seeded"] = batches(mbfd(pattern, 4, {"x": spec["x"]}, num_epochs=2,
                                 shuffle_seed=7, shuffle_buffer_size=5))
    tf.random.set_seed(3)
    out["global_seed"] = batches(mbfd(pattern, 4, {"x": spec["x"]}, num_epochs=2,
                                      shuffle_buffer_size=100))
    out["errors"] = [
        attempt(lambda: mbfd(d + "/zz*", 4, spec), d),
        attempt(lambda: mbfd([d + "/zz*", d + "/yy*"], 4, spec), d),
        attempt(lambda: mbfd(pattern, 4, spec, label_key="nope"), d),
        attempt(lambda: mbfd(pattern, 4, None), d),
        attempt(lambda: mbfd(pattern, 4, {"x": tf.io.FixedLenFeature([None], tf.float32)}), d),
        attempt(lambda: batches(mbfd(pattern, 4, {"zz": tf.io.FixedLenFeature([], tf.float32)},
                                     num_epochs=1, shuffle=False)), d),
    ]
    names = sorted(tf.io.gfile.glob(pattern))
    rec = tf.data.TFRecordDataset(names)
    parsed = rec.batch(5).apply(ped(spec))
    out["ped"] = batches(parsed)
    out["ped_spec"] = repr(parsed.element_spec)
    out["ped_drop_spec"] = repr(rec.batch(5, drop_remainder=True).apply(ped(spec)).element_spec)
    out["ped_card"] = int(parsed.cardinality())
    out["ped_errors"] = [attempt(lambda: rec.apply(ped(spec)), d),
                         attempt(lambda: ped(None), d),
                         attempt(lambda: tf.data.Dataset.range(3).batch(2).apply(ped(spec)), d)]
    out["ped_map"] = batches(rec.batch(6).map(lambda s: tf.io.parse_example(s, spec)))
    return out
