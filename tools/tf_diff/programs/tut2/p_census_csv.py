"""The official TF census wide_deep input pipeline (models/official/r1/wide_deep,
census_dataset.py): tf.data.TextLineDataset over CSV files without a header,
.map(parse_csv) with tf.io.decode_csv(value, record_defaults=_CSV_COLUMN_DEFAULTS),
features.pop('income_bracket') and tf.equal(labels, '>50K') as the label, shuffle,
repeat, batch; a wide LinearClassifier from zero and a wide & deep model started from
TF's own checkpoint; train_and_evaluate-free loop of train/evaluate as the script does,
and a look at one parsed batch. Also a gzip copy with compression_type and two files
interleaved with num_parallel_reads, and a header line dropped with .skip(1)."""
import gzip
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, init_dir, meta, sgd0  # noqa: E402

_CSV_COLUMNS = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
                "occupation", "relationship", "race", "gender", "capital_gain", "capital_loss",
                "hours_per_week", "native_country", "income_bracket"]
_CSV_COLUMN_DEFAULTS = [[0], [""], [0], [""], [0], [""], [""], [""], [""], [""],
                        [0], [0], [0], [""], [""]]


def write_adult(path, n, seed, header=False, opener=open):
    rng = np.random.default_rng(seed)
    edu = ["Bachelors", "HS-grad", "11th", "Masters", "9th", "Some-college", "Doctorate"]
    with opener(path, "wt") as f:
        if header:
            f.write(",".join(_CSV_COLUMNS) + "\n")
        for _ in range(n):
            e = int(rng.integers(len(edu)))
            row = [int(rng.integers(17, 80)), rng.choice(["Private", "Self-emp-not-inc", "State-gov", ""]),
                   int(rng.integers(20000, 400000)), edu[e], e + 5,
                   rng.choice(["Married-civ-spouse", "Never-married", "Divorced"]),
                   rng.choice(["Tech-support", "Sales", "Exec-managerial", "Craft-repair"]),
                   rng.choice(["Husband", "Not-in-family", "Own-child"]),
                   rng.choice(["White", "Black", "Asian-Pac-Islander"]),
                   rng.choice(["Male", "Female"]),
                   int(rng.choice([0, 0, 0, 2174, 14084])), int(rng.choice([0, 0, 1902])),
                   int(rng.integers(10, 70)), rng.choice(["United-States", "Mexico", "India"]),
                   ">50K" if rng.uniform() < 0.25 + 0.05 * e else "<=50K"]
            f.write(",".join(str(v) for v in row) + "\n")


def build_columns(fc):
    age = fc.numeric_column("age")
    education_num = fc.numeric_column("education_num")
    capital_gain = fc.numeric_column("capital_gain")
    capital_loss = fc.numeric_column("capital_loss")
    hours_per_week = fc.numeric_column("hours_per_week")
    education = fc.categorical_column_with_vocabulary_list(
        "education", ["Bachelors", "HS-grad", "11th", "Masters", "9th", "Some-college",
                      "Assoc-acdm", "Assoc-voc", "7th-8th", "Doctorate"])
    marital_status = fc.categorical_column_with_vocabulary_list(
        "marital_status", ["Married-civ-spouse", "Divorced", "Married-spouse-absent",
                           "Never-married", "Separated", "Married-AF-spouse", "Widowed"])
    relationship = fc.categorical_column_with_vocabulary_list(
        "relationship", ["Husband", "Not-in-family", "Wife", "Own-child", "Unmarried",
                         "Other-relative"])
    workclass = fc.categorical_column_with_vocabulary_list(
        "workclass", ["Self-emp-not-inc", "Private", "State-gov", "Federal-gov",
                      "Local-gov", "?", "Self-emp-inc", "Without-pay", "Never-worked"])
    occupation = fc.categorical_column_with_hash_bucket("occupation", hash_bucket_size=50)
    age_buckets = fc.bucketized_column(age, boundaries=[18, 25, 30, 35, 40, 45, 50, 55, 60, 65])
    base_columns = [education, marital_status, relationship, workclass, occupation, age_buckets]
    crossed_columns = [
        fc.crossed_column(["education", "occupation"], hash_bucket_size=100),
        fc.crossed_column([age_buckets, "education", "occupation"], hash_bucket_size=100)]
    wide_columns = base_columns + crossed_columns
    deep_columns = [age, education_num, capital_gain, capital_loss, hours_per_week,
                    fc.indicator_column(workclass), fc.indicator_column(education),
                    fc.indicator_column(marital_status), fc.indicator_column(relationship),
                    fc.embedding_column(occupation, dimension=4)]
    return wide_columns, deep_columns


def main(tf):
    fc = tf.feature_column
    tmp = os.environ["TMPDIR_PROG"]
    train_file, test_file = os.path.join(tmp, "adult.data"), os.path.join(tmp, "adult.test")
    write_adult(train_file, 120, 0)
    write_adult(test_file, 30, 1)

    def input_fn(data_file, num_epochs, shuffle, batch_size, **reader):
        def parse_csv(value):
            columns = tf.io.decode_csv(value, record_defaults=_CSV_COLUMN_DEFAULTS)
            features = dict(zip(_CSV_COLUMNS, columns))
            labels = features.pop("income_bracket")
            classes = tf.equal(labels, ">50K")  # binary classification
            return features, classes

        dataset = tf.data.TextLineDataset(data_file, **reader)
        if shuffle:
            dataset = dataset.shuffle(buffer_size=100, seed=4)
        dataset = dataset.map(parse_csv, num_parallel_calls=5)
        dataset = dataset.repeat(num_epochs)
        dataset = dataset.batch(batch_size)
        return dataset

    out = {}
    features, labels = next(iter(input_fn(train_file, 1, False, 5)))
    out["batch"] = {k: v.numpy() for k, v in features.items()}
    out["batch_labels"] = [labels.numpy(), labels.dtype.name]

    wide_columns, deep_columns = build_columns(fc)
    wide = tf.estimator.LinearClassifier(model_dir=os.path.join(tmp, "wide"),
                                         feature_columns=wide_columns)
    results = []
    for _ in range(2):
        wide.train(input_fn=lambda: input_fn(train_file, 2, True, 40))
        results.append(wide.evaluate(input_fn=lambda: input_fn(test_file, 1, False, 40)))
    out["wide_results"] = results
    out["wide_meta"] = meta(results[-1])
    out["wide_vars"] = all_vars(wide)

    def make(md, **kw):
        return tf.estimator.DNNLinearCombinedClassifier(
            model_dir=md, linear_feature_columns=wide_columns, dnn_feature_columns=deep_columns,
            dnn_hidden_units=[16, 8], **kw)

    init = init_dir(tf, "census_csv", lambda d: make(
        d, linear_optimizer=sgd0(tf), dnn_optimizer=sgd0(tf),
        config=tf.estimator.RunConfig(tf_random_seed=5)),
        lambda: input_fn(train_file, 1, False, 40))
    wd = make(os.path.join(tmp, "wide_deep"), warm_start_from=init)
    wd.train(input_fn=lambda: input_fn(train_file, 1, True, 40))
    out["wd_eval"] = wd.evaluate(input_fn=lambda: input_fn(test_file, 1, False, 40))
    out["wd_vars"] = all_vars(wd)
    preds = list(wd.predict(input_fn=lambda: input_fn(test_file, 1, False, 40)))
    out["wd_preds"] = [len(preds), meta(preds[0]), preds[:2]]

    # the same data gzip-compressed, a second file interleaved, a header skipped
    gz_file = os.path.join(tmp, "adult.data.gz")
    write_adult(gz_file, 120, 0, opener=gzip.open)
    hdr_file = os.path.join(tmp, "adult_header.csv")
    write_adult(hdr_file, 12, 3, header=True)
    gz = next(iter(input_fn(gz_file, 1, False, 5, compression_type="GZIP")))[0]["age"]
    out["gzip_same"] = bool(np.array_equal(gz.numpy(), features["age"].numpy()))
    lines = tf.data.TextLineDataset([test_file, hdr_file], num_parallel_reads=2)
    out["interleaved"] = [line.numpy() for line in lines.take(6)]
    skipped = tf.data.TextLineDataset(hdr_file).skip(1).map(
        lambda v: tf.io.decode_csv(v, record_defaults=_CSV_COLUMN_DEFAULTS)[0]).batch(12)
    out["skipped_ages"] = next(iter(skipped)).numpy()
    return out
