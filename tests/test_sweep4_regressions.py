"""Regressions found by the fourth sweep of input-pipeline programs run under TensorFlow
2.15.1 and cannery (tools/tf_diff/programs/sweep4/, see its README). Expected values are
derived by hand in each test; TensorFlow's behaviour is cited from its source."""

import numpy as np
import pytest

import cannery as tf


# --- Tensor.set_shape / get_shape on an eager tensor (sweep4/p_gen_padded.py: a
# numpy_function's result is given its shape with set_shape inside Dataset.map).
# tensorflow/python/framework/ops.py, _EagerTensorBase.set_shape: the shape is known, so
# it only checks `self.shape.is_compatible_with(shape)` and raises
# ValueError("Tensor's shape %s is not compatible with supplied shape %s.").

def test_eager_set_shape_accepts_compatible_shapes_and_changes_nothing():
    t = tf.constant([[1.0, 2.0]])
    for shape in (None, [1, 2], [None, None], (1, None), tf.TensorShape([None, 2])):
        assert t.set_shape(shape) is None
        assert t.shape == (1, 2)
    assert t.get_shape() == (1, 2) and t.get_shape().as_list() == [1, 2]


def test_eager_set_shape_refuses_other_rank_or_size():
    t = tf.constant([1.0, 2.0])
    with pytest.raises(ValueError) as info:
        t.set_shape([3])  # size 2 is not 3
    assert str(info.value) == "Tensor's shape (2,) is not compatible with supplied shape [3]."
    with pytest.raises(ValueError, match=r"shape \(2,\) is not compatible with supplied "
                                         r"shape \[2, 1\]"):
        t.set_shape([2, 1])  # rank 1 is not 2


def test_set_shape_in_a_dataset_map_over_numpy_function():
    ds = tf.data.Dataset.from_tensor_slices(np.array([1.0, 2.0], np.float32))

    def triple(x):
        y = tf.numpy_function(lambda v: (v * 3).astype(np.float32), [x], tf.float32)
        y.set_shape([])
        return y

    assert [float(v) for v in ds.map(triple)] == [3.0, 6.0]  # 1*3, 2*3


# --- tf.math.confusion_matrix with labels and predictions of different shapes
# (sweep4/p_postproc.py). tensorflow/python/ops/confusion_matrix.py: after the
# non-negative / bound assertions, `predictions.get_shape().assert_is_compatible_with(
# weights.get_shape())` (ValueError "Shapes (2,) and (3,) are incompatible"), then
# `array_ops_stack.stack([labels, predictions], axis=1)`, whose Pack kernel refuses
# different shapes (InvalidArgumentError "Shapes of all inputs must match: ...").

def test_confusion_matrix_of_different_lengths_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.math.confusion_matrix([0, 1, 2], [0, 1])
    assert "Shapes of all inputs must match: values[0].shape = [3] != " \
           "values[1].shape = [2]" in str(info.value)
    # with num_classes: the bound checks pass element by element, the stack still fails
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.math.confusion_matrix([0, 1, 2], [0, 1], num_classes=3)
    # [1, 2] against [2]: nothing to squeeze (ranks differ by one but the last size is 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[1,2\] != values\[1\]"):
        tf.math.confusion_matrix([[0, 1]], [0, 1])


def test_confusion_matrix_weights_of_another_shape_is_value_error():
    with pytest.raises(ValueError) as info:
        tf.math.confusion_matrix([0, 1], [0, 1], weights=[1.0, 2.0, 3.0])
    assert str(info.value) == "Shapes (2,) and (3,) are incompatible"


def test_confusion_matrix_of_matching_2d_inputs_still_counts_pairs():
    # pairs (label, prediction) = (0, 1) weight 2 and (1, 1) weight 3:
    # row 0 = [0, 2], row 1 = [0, 3]
    cm = tf.math.confusion_matrix([[0, 1]], [[1, 1]], weights=[[2, 3]])
    np.testing.assert_array_equal(cm.numpy(), [[0, 2], [0, 3]])
    assert cm.dtype == np.int32


# --- tf.strings.split of one string (sweep4/p_text_mix.py: words of a parsed Example in
# Dataset.map). tensorflow/python/ops/ragged/ragged_string_ops.py string_split_v2: a
# rank-0 input gives the dense row `string_split_v2(stack([input]))[0]`; sep None/""
# splits on whitespace runs without empty tokens, another sep keeps empty tokens.

def test_strings_split_of_a_scalar():
    t = tf.strings.split(" good  movie\t x ")
    assert t.shape == (3,) and t.numpy().tolist() == [b"good", b"movie", b"x"]
    assert tf.strings.split("a,,b", ",").numpy().tolist() == [b"a", b"", b"b"]
    assert tf.strings.split("a,,b", "").numpy().tolist() == [b"a,,b"]  # no whitespace
    # one split: the rest stays as it is (TF gives [b'a', b'b  c '] too)
    assert tf.strings.split("a  b  c ", maxsplit=1).numpy().tolist() == [b"a", b"b  c "]
    assert tf.strings.split("").shape == (0,)


def test_strings_split_of_a_batch_needs_ragged_tensors():
    with pytest.raises(tf.errors.UnimplementedError, match=r"shape \[2\].*RaggedTensor"):
        tf.strings.split(["a b", "c"])


def test_strings_split_in_map_then_padded_batch_feeds_a_vocabulary_column():
    ds = tf.data.Dataset.from_tensor_slices(np.array([b"good film", b"bad"], object))
    ds = ds.map(lambda s: {"w": tf.strings.split(s)}).padded_batch(2, padding_values={"w": ""})
    batch = next(iter(ds))
    assert batch["w"].numpy().tolist() == [[b"good", b"film"], [b"bad", b""]]


# --- Dataset.from_generator with a declared signature (sweep4/p_text_mix.py).
# tensorflow/python/data/ops/from_generator_op.py generator_py_func: each yielded value is
# converted with `np.asarray(value, dtype=<declared dtype>)` (FuncRegistry._convert), then
# its shape is checked against the declared one; a mismatch raises TypeError inside the
# PyFunc, which the iterator reports as InvalidArgumentError.

def test_from_generator_converts_to_the_declared_dtype():
    def gen():
        yield np.array([1.5], np.float32)  # np.asarray([1.5], int64) truncates to [1]
        yield [2, 3]
    ds = tf.data.Dataset.from_generator(gen, output_signature=tf.TensorSpec([None], tf.int64))
    got = list(ds)
    assert [g.numpy().tolist() for g in got] == [[1], [2, 3]]
    assert all(g.dtype == np.int64 for g in got)
    ints = tf.data.Dataset.from_generator(lambda: iter([[1, 2]]),
                                          output_signature=tf.TensorSpec([2], tf.float32))
    assert next(iter(ints)).dtype == np.float32


def test_from_generator_refuses_an_element_of_another_shape():
    ds = tf.data.Dataset.from_generator(lambda: iter([np.array([1, 2], np.int64)]),
                                        output_signature=tf.TensorSpec([3], tf.int64))
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        list(ds)
    assert "`generator` yielded an element of shape (2,) where an element of shape (3,) " \
           "was expected." in str(info.value)
    scalar = tf.data.Dataset.from_generator(lambda: iter(["x"]),
                                            output_signature=tf.TensorSpec([], tf.int64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not be converted"):
        list(scalar)  # np.asarray("x", int64) raises ValueError


# --- padded_batch of strings gave '' (str) padding beside bytes elements, and text (str)
# values for numpy text input, where TensorFlow's string tensors always give bytes
# (sweep4/p_text_mix.py, found by the test above).

def test_padded_batch_of_strings_gives_bytes_everywhere():
    texts = tf.data.Dataset.from_tensor_slices(np.array([["good", "film"], ["bad", ""]]))
    out = next(iter(texts.padded_batch(2, padded_shapes=[3]))).numpy()
    # default string padding is b"", each row padded from 2 to 3 values
    assert out.tolist() == [[b"good", b"film", b""], [b"bad", b"", b""]]
    raw = tf.data.Dataset.from_tensor_slices(np.array([[b"a"], [b"b"]], object))
    out = next(iter(raw.padded_batch(2, padded_shapes=[2], padding_values="zz"))).numpy()
    assert out.tolist() == [[b"a", b"zz"], [b"b", b"zz"]]


# --- tf.io.FixedLenSequenceFeature (sweep4/p_parse_edge.py: AttributeError before).
# tensorflow/python/ops/parsing_config.py: a dense key of shape [None] + shape, padded with
# the scalar default_value (0 / b"" when None) to the longest example in the batch; for
# Examples, allow_missing=False is refused: ValueError("Unsupported:
# FixedLenSequenceFeature requires allow_missing to be True.") (parsing_ops.py).

def _example(**lists):
    features = {}
    for key, values in lists.items():
        if values and isinstance(values[0], bytes):
            features[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        else:
            features[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()


RECORDS = [_example(a=[1, 2, 3, 4], s=[b"x"]), _example(a=[5, 6]), _example(s=[b"y", b"z"])]


def test_fixed_len_sequence_feature_pads_to_the_longest_example():
    seq = tf.io.FixedLenSequenceFeature
    out = tf.io.parse_example(RECORDS, {
        "a": seq([2], tf.int64, allow_missing=True, default_value=-1),
        "s": seq([], tf.string, allow_missing=True)})
    # a: 4 values = 2 items of [2]; 2 values = 1 item; missing = 0 items -> [3, 2, 2]
    np.testing.assert_array_equal(out["a"].numpy(), [[[1, 2], [3, 4]], [[5, 6], [-1, -1]],
                                                     [[-1, -1], [-1, -1]]])
    assert out["a"].dtype == np.int64
    assert out["s"].numpy().tolist() == [[b"x", b""], [b"", b""], [b"y", b"z"]]
    single = tf.io.parse_single_example(RECORDS[2], {"a": seq([2], tf.int64, allow_missing=True)})
    assert single["a"].shape == (0, 2)


def test_fixed_len_sequence_feature_errors():
    seq = tf.io.FixedLenSequenceFeature
    with pytest.raises(ValueError, match="requires allow_missing to be True"):
        tf.io.parse_example(RECORDS, {"a": seq([], tf.int64)})
    # 4 int64 values are not whole items of [3]; the first record is index 0
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.io.parse_example(RECORDS, {"a": seq([3], tf.int64, allow_missing=True)})
    assert "Key: a, Index: 0.  Number of int64 values is not a multiple of stride length. " \
           "Saw 4 values but output shape is: [?,3]" in str(info.value)
    with pytest.raises(tf.errors.InvalidArgumentError, match="requested shape has 1"):
        tf.io.parse_example(RECORDS, {"a": seq([], tf.int64, allow_missing=True,
                                               default_value=[1, 2])})


def test_fixed_len_sequence_feature_in_make_batched_features_dataset(tmp_path):
    path = str(tmp_path / "seq.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for record in RECORDS:
            writer.write(record)
    ds = tf.data.experimental.make_batched_features_dataset(
        path, 3, {"a": tf.io.FixedLenSequenceFeature([2], tf.int64, allow_missing=True)},
        num_epochs=1, shuffle=False)
    spec = ds.element_spec["a"]
    assert list(spec.shape) == [None, None, 2] and spec.dtype == tf.int64
    np.testing.assert_array_equal(next(iter(ds))["a"].numpy(),
                                  [[[1, 2], [3, 4]], [[5, 6], [0, 0]], [[0, 0], [0, 0]]])
