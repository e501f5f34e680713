"""The "classify structured data with feature columns" tutorial (petfinder shape):
df_to_dataset with dataframe.pop('target'), `for feature_batch, label_batch in
train_ds.take(1)` printing tensors and calling .numpy(), the demo() of each column type
through tf.keras.layers.DenseFeatures on one example batch (numeric, bucketized,
indicator of a vocabulary list, embedding with a constant initializer, hashed, crossed),
then the same columns in a LinearClassifier trained from zero and evaluated."""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, meta  # noqa: E402


def petfinder(n=60, seed=9):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "Type": rng.choice(["Cat", "Dog"], n),
        "Age": rng.integers(1, 40, n).astype(np.int64),
        "Breed1": rng.choice(["Tabby", "Mixed Breed", "Domestic Short Hair", "Poodle",
                              "Terrier"], n),
        "Fee": rng.choice([0, 0, 0, 50, 100, 150], n).astype(np.int64),
        "PhotoAmt": rng.integers(0, 10, n).astype(np.float64),
        "target": rng.integers(0, 2, n).astype(np.int64),
    })
    for k in ("Type", "Breed1"):
        df[k] = df[k].astype(object)
    return df


def main(tf):
    fc = tf.feature_column
    dataframe = petfinder()
    train, test = dataframe.iloc[:48], dataframe.iloc[48:]

    def df_to_dataset(dataframe, shuffle=True, batch_size=32):
        dataframe = dataframe.copy()
        labels = dataframe.pop("target")
        ds = tf.data.Dataset.from_tensor_slices((dict(dataframe), labels))
        if shuffle:
            ds = ds.shuffle(buffer_size=len(dataframe), seed=1)
        ds = ds.batch(batch_size)
        return ds

    batch_size = 5
    train_ds = df_to_dataset(train, batch_size=batch_size)
    out = {}
    for feature_batch, label_batch in train_ds.take(1):
        out["every_feature"] = list(feature_batch.keys())
        out["ages_str"] = str(feature_batch["Age"])
        out["targets_str"] = str(label_batch)
        out["ages_numpy"] = feature_batch["Age"].numpy()
        out["types_numpy"] = [t.decode() if isinstance(t, bytes) else t
                              for t in feature_batch["Type"].numpy().tolist()]
        out["photo_dtype"] = feature_batch["PhotoAmt"].dtype.name
        out["label_shape"] = list(label_batch.shape)
    example_batch = next(iter(train_ds))[0]

    def demo(feature_column):
        feature_layer = tf.keras.layers.DenseFeatures(feature_column)
        return feature_layer(example_batch).numpy()

    photo_count = fc.numeric_column("PhotoAmt")
    out["numeric"] = demo(photo_count)
    age = fc.numeric_column("Age")
    age_buckets = fc.bucketized_column(age, boundaries=[1, 3, 5, 10, 20])
    out["bucketized"] = demo(age_buckets)
    animal_type = fc.categorical_column_with_vocabulary_list("Type", ["Cat", "Dog"])
    out["indicator"] = demo(fc.indicator_column(animal_type))
    breed1 = fc.categorical_column_with_vocabulary_list(
        "Breed1", sorted(dataframe.Breed1.unique()))
    out["embedding"] = demo(fc.embedding_column(
        breed1, dimension=3, initializer=tf.constant_initializer(0.5)))
    breed1_hashed = fc.categorical_column_with_hash_bucket("Breed1", hash_bucket_size=10)
    out["hashed"] = demo(fc.indicator_column(breed1_hashed))
    crossed = fc.crossed_column([age_buckets, animal_type], hash_bucket_size=10)
    out["crossed"] = demo(fc.indicator_column(crossed))
    out["all"] = demo([photo_count, age_buckets, fc.indicator_column(animal_type),
                       fc.indicator_column(crossed)])

    def duplicate():
        tf.estimator.LinearClassifier([breed1, breed1_hashed]).train(
            lambda: df_to_dataset(train), steps=1)
    try:
        duplicate()
    except Exception as e:  # noqa: BLE001
        out["duplicate_name"] = f"{type(e).__name__}: {e}"

    feature_columns = [photo_count, age_buckets, animal_type, breed1, crossed,
                       fc.numeric_column("Fee")]
    est = tf.estimator.LinearClassifier(
        feature_columns, model_dir=os.path.join(os.environ["TMPDIR_PROG"], "pets"),
        optimizer=tf.keras.optimizers.legacy.Ftrl(0.1, l1_regularization_strength=0.01))
    est.train(lambda: df_to_dataset(train, batch_size=8).repeat(3))
    out["gs"] = est.get_variable_value("global_step")
    ev = est.evaluate(lambda: df_to_dataset(test, shuffle=False, batch_size=8))
    out["eval"], out["eval_meta"] = ev, meta(ev)
    out["vars"] = all_vars(est)
    return out
