"""Dataset.element_spec and EagerTensor.shape (a TensorShape).

Expected specs follow TensorFlow 2.15's static shape rules (dataset_ops.py / batch_op.py):
``from_tensor_slices`` drops the first dimension of every component, ``from_tensors``
keeps the whole shape, ``batch`` prepends ``batch_size`` when ``drop_remainder=True``
and None otherwise, ``unbatch`` drops the first dimension, and shuffle / repeat /
take / skip / cache / prefetch / filter keep their input's spec. Python lists convert
with ``tf.constant``'s dtypes (ints int32, floats float32). The reprs are TensorFlow's
``TensorSpec.__repr__`` / ``SparseTensorSpec.__repr__`` / ``TensorShape.__repr__``
formats (checked against TF 2.15.1 with tools/tf_diff/programs/spec/).
"""

import collections

import numpy as np
import pytest

import cannery as tf
from cannery.core.eager_tensor import SparseTensorSpec, TensorShape, TensorSpec

D = tf.data.Dataset


def _features():
    return {"a": np.arange(10, dtype=np.float32).reshape(5, 2),
            "b": np.array(["x", "y", "z", "w", "v"]),
            "c": [1, 2, 3, 4, 5]}


def test_from_tensor_slices_drops_the_row_dimension():
    spec = D.from_tensor_slices((_features(), np.arange(5))).element_spec
    features, label = spec
    assert features == {"a": TensorSpec((2,), tf.float32), "b": TensorSpec((), tf.string),
                         "c": TensorSpec((), tf.int32)}  # a Python int list is int32
    assert label == TensorSpec((), tf.int64)
    assert repr(features["a"]) == "TensorSpec(shape=(2,), dtype=tf.float32, name=None)"
    assert features["a"].shape.as_list() == [2]
    assert isinstance(features["a"].shape, TensorShape)


def test_batch_dimension_is_none_unless_drop_remainder():
    base = D.from_tensor_slices((_features(), np.arange(5)))
    features, label = base.batch(2).element_spec
    assert features["a"].shape == (None, 2) and label.shape == (None,)
    assert repr(label) == "TensorSpec(shape=(None,), dtype=tf.int64, name=None)"
    features, label = base.batch(2, drop_remainder=True).element_spec
    assert features["a"].shape == (2, 2) and label.shape == (2,)
    # batch of batch: outer 3 (dropped remainder), inner unknown
    _, label = base.batch(2).batch(3, drop_remainder=True).element_spec
    assert label.shape == (3, None)
    # unbatch drops the (unknown) batch dimension again
    features, _ = base.batch(2).unbatch().element_spec
    assert features["a"].shape == (2,) and features["b"].shape == ()


def test_order_transformations_keep_the_spec():
    base = D.from_tensor_slices((_features(), np.arange(5)))
    expected = base.element_spec
    for ds in (base.shuffle(5, seed=1), base.repeat(), base.take(0), base.skip(10),
               base.cache(), base.prefetch(1), base.filter(lambda f, label: label > 10)):
        assert ds.element_spec == expected


def test_from_tensors_range_and_zip():
    spec = D.from_tensors(_features()).element_spec
    assert spec["a"].shape == (5, 2) and spec["c"] == TensorSpec((5,), tf.int32)
    assert D.from_tensors(_features()).batch(4).element_spec["a"].shape == (None, 5, 2)
    assert D.range(4).element_spec == TensorSpec((), tf.int64)
    assert D.range(4, output_type=tf.int32).element_spec == TensorSpec((), tf.int32)
    # TensorFlow 2.15's range ignores keyword arguments other than output_type and name
    assert D.range(4, dtype=tf.int32).element_spec == TensorSpec((), tf.int64)
    zipped = D.zip({"r": D.range(3), "l": D.from_tensor_slices(np.ones((3, 2), np.float32))})
    assert zipped.element_spec == {"r": TensorSpec((), tf.int64),
                                   "l": TensorSpec((2,), tf.float32)}


def test_sparse_components():
    sparse = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    ds = D.from_tensor_slices({"s": sparse})
    assert repr(ds.element_spec) == "{'s': SparseTensorSpec(TensorShape([4]), tf.float32)}"
    assert ds.batch(2).element_spec["s"] == SparseTensorSpec((None, 4), tf.float32)
    assert ds.batch(2, drop_remainder=True).element_spec["s"].shape == (2, 4)


def test_map_spec_has_unknown_batch_dimension():
    base = D.from_tensor_slices({"a": np.arange(12, dtype=np.float32).reshape(6, 2),
                                 "n": np.arange(6)})
    assert base.map(lambda d: d["n"] * 2).element_spec == TensorSpec((), tf.int64)
    assert base.map(lambda d: tf.cast(d["n"], tf.float32)).element_spec == \
        TensorSpec((), tf.float32)
    # batch(4) of 6 rows: the first batch has 4 rows, but TensorFlow's static size is None
    assert base.batch(4).map(lambda d: {"s": d["a"]}).element_spec == \
        {"s": TensorSpec((None, 2), tf.float32)}
    assert base.batch(4).map(lambda d: tf.reduce_sum(d["a"], axis=1)).element_spec == \
        TensorSpec((None,), tf.float32)
    assert base.batch(4, drop_remainder=True).map(lambda d: d["a"]).element_spec == \
        TensorSpec((4, 2), tf.float32)
    # filter/take do not hide the structure: the peeked element is their input's
    assert base.filter(lambda d: False).take(0).map(lambda d: d["n"]).element_spec == \
        TensorSpec((), tf.int64)
    # deviation: with no element to run the function on, cannery cannot tell
    with pytest.raises(ValueError, match="empty"):
        D.from_tensor_slices(np.zeros((0, 2))).map(lambda x: x).element_spec  # noqa: B018


def test_element_spec_draws_no_shuffle_seeds():
    def passes(read_spec):
        ds = D.range(8).shuffle(8, seed=5).map(lambda x: x * 1)
        if read_spec:
            assert ds.batch(3).element_spec == TensorSpec((None,), tf.int64)
        return [[int(v) for v in ds] for _ in range(3)]

    orders = passes(False)
    assert sorted(orders[0]) == list(range(8)) and orders[0] != orders[1]
    assert passes(True) == orders


def test_from_generator_declared_structure():
    def gen():
        yield np.zeros(2, np.float32), 1

    ds = D.from_generator(gen, output_types=(tf.float32, tf.int64), output_shapes=((None,), ()))
    assert ds.element_spec == (TensorSpec((None,), tf.float32), TensorSpec((), tf.int64))
    signature = {"x": TensorSpec((2,), tf.float32)}
    ds = D.from_generator(lambda: iter([{"x": np.zeros(2, np.float32)}]),
                          output_signature=signature)
    assert ds.batch(5).element_spec == {"x": TensorSpec((None, 2), tf.float32)}
    with pytest.raises(ValueError, match="output_shapes"):
        D.from_generator(gen, output_types=(tf.float32, tf.int64), output_shapes=((2,),))


def test_unbatching_a_scalar_spec_is_an_error():
    with pytest.raises(ValueError, match="rank >= 1"):
        D.from_tensors(np.float32(1.0)).unbatch().element_spec  # noqa: B018


def test_file_sources(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("h1\nl1\n")
    assert tf.data.TextLineDataset(str(text)).batch(2).element_spec == \
        TensorSpec((None,), tf.string)
    csv = tmp_path / "t.csv"
    csv.write_text("x,y,s,label\n1.5,2,a,0\n2.5,3,b,1\n")
    features, label = tf.data.experimental.make_csv_dataset(
        str(csv), batch_size=2, label_name="label", num_epochs=1, shuffle=False).element_spec
    # inferred column types: 1.5 -> float32, 2 -> int32, a -> string
    assert isinstance(features, collections.OrderedDict)
    assert dict(features) == {"x": TensorSpec((None,), tf.float32),
                              "y": TensorSpec((None,), tf.int32),
                              "s": TensorSpec((None,), tf.string)}
    assert label == TensorSpec((None,), tf.int32)


def test_tensor_shape_methods():
    shape = TensorShape([4, 2])
    assert repr(shape) == "TensorShape([4, 2])" and str(shape) == "(4, 2)"
    assert shape.as_list() == [4, 2] and shape.rank == 2 and shape.ndims == 2
    assert shape.num_elements() == 8 and shape.is_fully_defined()
    assert shape == (4, 2) and shape[0] == 4 and repr(shape[1:]) == "TensorShape([2])"
    unknown = TensorShape([None, 3])
    assert unknown.num_elements() is None and not unknown.is_fully_defined()
    assert repr(TensorShape([])) == "TensorShape([])" and TensorShape([]).num_elements() == 1


def test_eager_tensor_shape_is_a_tensor_shape():
    batch = next(iter(D.from_tensor_slices({"a": np.zeros((5, 2), np.float32),
                                            "n": np.arange(5)}).batch(4)))
    shape = batch["a"].shape
    assert isinstance(shape, TensorShape) and isinstance(shape, tuple)
    assert shape.as_list() == [4, 2] and shape.rank == 2 and shape.num_elements() == 8
    assert np.zeros(shape).shape == (4, 2)
    # the tensor's text is unchanged: TensorFlow prints str(shape)
    assert repr(batch["n"]) == "<tf.Tensor: shape=(4,), dtype=int64, numpy=array([0, 1, 2, 3])>"
    assert str(batch["n"]) == "tf.Tensor([0 1 2 3], shape=(4,), dtype=int64)"
    tensor = batch["a"].copy()
    tensor.shape = (2, 4)
    assert tensor.shape == (2, 4) and tensor.shape.as_list() == [2, 4]
    line = next(iter(D.from_tensor_slices(["ab", "c"])))
    assert line.shape.rank == 0 and repr(line.shape) == "TensorShape([])"


def test_file_sources_know_their_spec_without_reading(tmp_path):
    """A TextLineDataset's element is a scalar string and a CSV dataset's one scalar per
    column (make_csv_dataset infers int32 for whole numbers, as TF does): known from the
    arguments, so an empty file and a CSV file removed after the dataset was made still
    give them."""
    import os

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert repr(tf.data.TextLineDataset(str(empty)).element_spec) == \
        "TensorSpec(shape=(), dtype=tf.string, name=None)"
    path = tmp_path / "a.csv"
    path.write_text("x,y,s\n1,2.5,a\n3,4.5,b\n")
    ds = tf.data.experimental.make_csv_dataset(str(path), batch_size=2, label_name="y",
                                               num_epochs=1, shuffle=False)
    os.remove(path)  # the column types were inferred when the dataset was made
    features, label = ds.element_spec
    assert list(features) == ["x", "s"]
    assert (features["x"].shape.as_list(), features["x"].dtype) == ([None], tf.int32)
    assert (features["s"].shape.as_list(), features["s"].dtype) == ([None], tf.string)
    assert (label.shape.as_list(), label.dtype) == ([None], tf.float32)


def test_sparse_output_of_a_map_has_unknown_sizes():
    # TensorFlow traces parse_single_example: a VarLenFeature's dense shape is [None]
    # ([None, None] batched), whatever the first record holds (two values here)
    example = tf.train.Example(features=tf.train.Features(feature={
        "v": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2]))}))
    records = tf.data.Dataset.from_tensor_slices(
        np.array([example.SerializeToString()], dtype=object))
    spec = {"v": tf.io.VarLenFeature(tf.int64)}
    single = records.map(lambda r: tf.io.parse_single_example(r, spec)).element_spec["v"]
    batched = records.batch(1).map(lambda r: tf.io.parse_example(r, spec)).element_spec["v"]
    assert single == tf.SparseTensorSpec([None], tf.int64)
    assert batched == tf.SparseTensorSpec([None, None], tf.int64)
