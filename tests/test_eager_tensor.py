"""``tf.constant`` & co. give TensorFlow-like eager tensors; bytes are kept whole.

Expected values were read off TensorFlow 2.15.1 for the same calls (the programs in
tools/tf_diff/programs/eager/ run each against it) and are derived in the comments.
"""

import numpy as np
import pytest

import cannery as tf
from cannery import checkpoint as ckpt
from cannery.core.eager_tensor import EagerTensor

fc = tf.feature_column


def _record(**floats) -> bytes:
    example = tf.train.Example()
    for key, value in floats.items():
        example.features.feature[key].float_list.value.append(value)
    return example.SerializeToString()


# -- bytes kept whole --------------------------------------------------------------------
def test_serialized_records_ending_in_nul_survive_tf_constant():
    # A float 0.0 is the last 4 bytes of the record's wire form: 00 00 00 00. numpy's
    # fixed-width bytes dtype would drop them; TF keeps every byte.
    record = _record(x=0.0)
    assert record.endswith(b"\x00\x00\x00\x00")
    tensor = tf.constant([record])
    assert isinstance(tensor, EagerTensor) and tensor.dtype == object
    assert tensor.numpy()[0] == record
    parsed = tf.io.parse_example(tensor, {"x": tf.io.FixedLenFeature([], tf.float32)})
    assert parsed["x"].numpy().tolist() == [0.0]
    nested = tf.constant([[b"a\x00", b""], [b"c", b"\x00"]])
    assert nested.shape == (2, 2) and nested.numpy().tolist() == [[b"a\x00", b""],
                                                                   [b"c", b"\x00"]]
    assert tf.convert_to_tensor([b"a\x00"]).numpy().tolist() == [b"a\x00"]
    assert tf.constant(b"x\x00").numpy() == b"x\x00"  # 0-d: the bytes themselves
    # what the shape functions and where/equal do with such bytes
    assert tf.reshape([b"a\x00", b"b"], [2, 1]).numpy().tolist() == [[b"a\x00"], [b"b"]]
    assert tf.concat([[b"a\x00"], [b"b"]], 0).numpy().tolist() == [b"a\x00", b"b"]
    assert tf.stack([b"a\x00", b"b"]).numpy().tolist() == [b"a\x00", b"b"]
    assert tf.where([True, False], [b"a\x00", b"b"], [b"c", b"d\x00"]).numpy().tolist() == \
        [b"a\x00", b"d\x00"]
    # b"a\x00" != b"a": the NUL is part of the value
    assert tf.equal([b"a\x00", b"b"], [b"a", b"b"]).numpy().tolist() == [False, True]
    assert tf.constant(b"a\x00", shape=[2]).numpy().tolist() == [b"a\x00", b"a\x00"]


def test_text_is_utf8_bytes_and_bad_lists_raise_tensorflows_errors():
    # "é" is U+00E9, UTF-8 C3 A9; str and bytes mix into one string tensor.
    assert tf.constant(["\u00e9", b"b\x00"]).numpy().tolist() == [b"\xc3\xa9", b"b\x00"]
    assert tf.constant(np.array(["a", "bc"])).numpy().tolist() == [b"a", b"bc"]
    assert tf.constant(np.array([b"a", "b"], dtype=object)).numpy().tolist() == [b"a", b"b"]
    with pytest.raises(ValueError, match="Can't convert Python sequence with mixed types"):
        tf.constant(["a", 1])
    with pytest.raises(ValueError, match="Can't convert non-rectangular Python sequence"):
        tf.constant([[b"a"], [b"b", b"c"]])
    with pytest.raises(ValueError, match=r"Attempt to convert a value \(None\)"):
        tf.constant(None)
    with pytest.raises(TypeError, match=r"Cannot convert \['a'\] to EagerTensor of dtype int64"):
        tf.constant(["a"], dtype=tf.int64)
    with pytest.raises(TypeError, match=r"Cannot convert \[1\] to EagerTensor of dtype string"):
        tf.constant([1], dtype=tf.string)
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype bool"):
        tf.constant(1, dtype=tf.bool)


def test_empty_lists_take_the_dtype_they_are_given():
    empty = tf.constant([], dtype=tf.string)
    assert empty.shape == (0,) and empty.dtype == object and empty.dtype == tf.string
    assert tf.constant([[]], dtype=tf.string).shape == (1, 0)
    assert tf.constant([], dtype=tf.int64).dtype == np.int64
    assert tf.constant([]).dtype == np.float32  # no dtype: float32, as for any float list
    assert tf.constant([], shape=[0, 3]).shape == (0, 3)


# -- EagerTensor results -------------------------------------------------------------------
def test_results_are_eager_tensors_with_tensorflows_numpy_repr_and_str():
    results = [tf.constant([1.0]), tf.convert_to_tensor([1]), tf.math.log1p([0.0]),
               tf.abs([-1]), tf.add(1, 2), tf.maximum([1.0], 2.0), tf.truediv(1, 2),
               tf.math.divide_no_nan(1.0, 0.0), tf.reduce_sum([1.0, 2.0]),
               tf.reduce_mean([1, 2]), tf.clip_by_value([5.0], 0.0, 1.0),
               tf.cast([1.5], tf.int32), tf.reshape([1, 2], [2, 1]), tf.expand_dims([1], 0),
               tf.squeeze([[1]]), tf.concat([[1], [2]], 0), tf.stack([1, 2]),
               tf.ones_like([1]), tf.zeros_like([1]), tf.where([True]),
               tf.where([True], [1], [2]), tf.math.is_nan([1.0]), tf.sigmoid(0.0)]
    assert all(type(r) is EagerTensor for r in results)
    # reductions give 0-d tensors; .numpy() of one is the numpy scalar (1 + 2 = 3)
    total = tf.reduce_sum([1.0, 2.0])
    assert total.shape == () and type(total.numpy()) is np.float32 and total.numpy() == 3.0
    # .numpy() is a copy, as TensorFlow's
    t = tf.constant([1.0, 2.0])
    copy = t.numpy()
    copy[0] = 9.0
    assert type(copy) is np.ndarray and t.numpy().tolist() == [1.0, 2.0]
    # one element out is a 0-d tensor (iteration too), a string one's .numpy() its bytes
    assert type(t[1]) is EagerTensor and t[1].shape == () and t[1].numpy() == 2.0
    assert [v.numpy().tolist() for v in tf.constant([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
    assert tf.constant([b"a\x00"])[0].numpy() == b"a\x00"
    assert float(t[0]) == 1.0 and len(t) == 2
    # TensorFlow 2.15's repr and str (numpy 1.x scalar text; a multi-line array on a new line)
    assert repr(tf.constant(1.5)) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.5>"
    assert str(tf.constant(1.5)) == "tf.Tensor(1.5, shape=(), dtype=float32)"
    assert repr(tf.constant(b"a")) == "<tf.Tensor: shape=(), dtype=string, numpy=b'a'>"
    assert str(tf.constant([b"a"])) == "tf.Tensor([b'a'], shape=(1,), dtype=string)"
    assert repr(tf.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        "<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\n"
        "array([[1., 2.],\n       [3., 4.]], dtype=float32)>")
    assert str(tf.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)")
    assert repr(tf.constant([], dtype=tf.string)) == (
        "<tf.Tensor: shape=(0,), dtype=string, numpy=array([], dtype=object)>")


def test_constant_and_convert_to_tensor_keep_a_tensors_dtype():
    ints = tf.constant([1, 2])  # int32
    assert tf.constant(ints, dtype=tf.int32).dtype == np.int32
    with pytest.raises(TypeError, match=r"Expected tensor \[1 2\] with dtype tf.int64, but "
                                        r"got dtype tf.int32."):
        tf.constant(ints, dtype=tf.int64)
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for "
                                         "Tensor with dtype int32"):
        tf.convert_to_tensor(ints, dtype=tf.float32)
    # a hint never changes a tensor; a numpy array is cast to it (1.5, 2.5 truncate)
    assert tf.convert_to_tensor(ints, dtype_hint=tf.float32).dtype == np.int32
    assert tf.convert_to_tensor(np.float32([1.5, 2.5]), dtype_hint=tf.int32).tolist() == [1, 2]
    assert tf.convert_to_tensor([1.5], dtype_hint=tf.int32).dtype == np.float32
    with pytest.raises(TypeError, match=r"Tensor \[1 2 3\] \(converted from \[1, 2, 3\]\) has 3 "
                                        r"elements, but got `shape` \(2,\) with 2 elements"):
        tf.constant([1, 2, 3], shape=[2])


def test_binary_functions_take_the_first_tensors_dtype():
    i64, f32 = np.array([1, 2]), np.float32([1.5, 2.5])
    ti64, tf32 = tf.constant(i64), tf.constant(f32)
    # Generated ops (maximum, subtract, ...) take the first EagerTensor's dtype and convert
    # the rest: a numpy int64 array beside a float32 tensor becomes float32.
    assert tf.maximum(i64, tf32).dtype == np.float32
    assert tf.maximum(i64, tf32).tolist() == [1.5, 2.5]
    # Without a tensor, the first value's dtype: f32 cast to int64 truncates to [1, 2].
    assert tf.maximum(i64, f32).tolist() == [1, 2] and tf.maximum(i64, f32).dtype == np.int64
    # Two tensors of different dtypes: the kernel refuses input #1.
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute Maximum as input #1\(zero-based\) was expected to "
                             r"be a int64 tensor but is a float tensor \[Op:Maximum\]"):
        tf.maximum(ti64, tf32)
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int64"):
        tf.maximum(1.5, ti64)
    # tf.add converts x first and gives y x's dtype as a hint only.
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute AddV2 as input #1\(zero-based\) was expected to "
                             r"be a float tensor but is a int64 tensor"):
        tf.add(f32, ti64)
    # concat counts the inputs: the float32 tensor is #2 after f32 (cast) and ti64.
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute ConcatV2 as input #2\(zero-based\) .* "
                             r"\[Op:ConcatV2\] name: concat"):
        tf.concat([f32, ti64, tf32], 0)
    assert tf.concat([f32, ti64], 0).tolist() == [1, 2, 1, 2]  # f32 cast to int64
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"SelectV2 as input #2"):
        tf.where([True, False], tf32, ti64)
    with pytest.raises(TypeError, match=r"Cannot convert \[1, 0\] to EagerTensor of dtype bool"):
        tf.where([1, 0], f32, f32)
    # clip_by_value is minimum(t, high) then maximum(., low): the Minimum refuses first.
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Minimum\]"):
        tf.clip_by_value(f32, 0, ti64)


def test_divisions_follow_tensorflows_table():
    ti64 = tf.constant([2, 4], dtype=tf.int64)
    # divide gives a Python x the tensor's dtype: 3 / [2, 4] in float64 = [1.5, 0.75]
    quotient = tf.math.divide(3, ti64)
    assert quotient.dtype == np.float64 and quotient.tolist() == [1.5, 0.75]
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int64"):
        tf.math.divide(1.5, ti64)
    # truediv does not: 3 is int32, and the dtypes differ
    with pytest.raises(TypeError, match="`x` and `y` must have the same dtype, got tf.int32 "
                                        "!= tf.int64."):
        tf.math.truediv(3, ti64)
    # divide_no_nan takes integers in TF 2.15 (int64 divides as float64): [1, 0] / [2, 0]
    assert tf.math.divide_no_nan(np.array([1, 5]), np.array([2, 0])).tolist() == [0.5, 0.0]
    with pytest.raises(TypeError, match="Invalid dtype tf.bool in tf.math.divide_no_nan"):
        tf.math.divide_no_nan([True], [True])
    # a Python float is float32 before the cast: float32(0.1) = 0.100000001490116...
    assert tf.cast([0.1], tf.float64).tolist() == [float(np.float32(0.1))]


def test_strings_in_zeros_like_ones_like_and_reductions():
    assert tf.zeros_like([b"a"]).numpy().tolist() == [b""]
    assert tf.zeros_like([1.5], dtype=tf.string).numpy().tolist() == [b""]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:OnesLike\]"):
        tf.ones_like([b"a"])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"of string .* \[Op:Sum\]"):
        tf.reduce_sum(["a"])
    assert tf.add(["a"], [b"b\x00"]).numpy().tolist() == [b"ab\x00"]  # strings concatenate


# -- DType equality ----------------------------------------------------------------------
def test_dtype_equals_what_tensorflows_as_dtype_maps_to_it():
    f32 = tf.constant([1.0])
    assert f32.dtype == tf.float32 and not f32.dtype != tf.float32
    assert np.dtype("float32") == tf.float32 and tf.float32 == np.float32
    assert np.float32 == tf.float32 and not np.dtype("float32") != tf.float32
    assert tf.float32 == "float32" and tf.float32 == "float" and tf.float64 == "double"
    # types.proto enum numbers: DT_FLOAT 1, DT_STRING 7, DT_INT64 9
    assert tf.float32 == 1 and tf.string == 7 and tf.int64 == 9
    assert tf.string == object and tf.string == np.dtype("U3") and tf.string == np.dtype("S3")
    assert tf.constant([b"a"]).dtype == tf.string
    assert tf.float32 == np.zeros(2, np.float32)  # anything with a dtype
    # not TensorFlow's: Python int and str, cannery's own names, unrelated values
    assert tf.int64 != int and tf.string != str and tf.float32 != "tf.float32"
    assert tf.float32 != None and tf.float32 != [1.0] and tf.int64 != tf.int32  # noqa: E711
    assert np.dtype("int64") in (tf.int32, tf.int64)
    # equal DTypes hash alike, so they stay usable as dict keys and in sets
    assert hash(tf.float32) == hash(tf.as_dtype("float32"))
    assert {tf.float32: "f", tf.int64: "i"}[tf.as_dtype(np.float32)] == "f"
    assert len({tf.float32, tf.as_dtype("float32"), tf.as_dtype(np.float32), tf.int64}) == 2


# -- SparseTensor parts ----------------------------------------------------------------
def test_sparse_tensor_parts_are_eager_tensors():
    sparse = tf.SparseTensor([[0, 0], [1, 1]], [1, 2], [2, 2])
    assert all(type(p) is EagerTensor for p in (sparse.indices, sparse.values,
                                                sparse.dense_shape))
    # as tf.convert_to_tensor makes them: Python ints int32, indices and shape int64
    assert sparse.values.numpy().dtype == np.int32
    assert sparse.indices.numpy().dtype == np.int64
    assert sparse.dense_shape.numpy().tolist() == [2, 2]
    assert tf.SparseTensor([[0, 0]], [1.5], [1, 1]).values.dtype == np.float32
    assert tf.SparseTensor([[0, 0]], ["a\x00"], [1, 1]).values.numpy().tolist() == [b"a\x00"]
    assert tf.SparseTensor(np.array([[0]]), np.array([7]), [1]).values.dtype == np.int64
    assert repr(sparse) == (
        "SparseTensor(indices=tf.Tensor(\n[[0 0]\n [1 1]], shape=(2, 2), dtype=int64), "
        "values=tf.Tensor([1 2], shape=(2,), dtype=int32), "
        "dense_shape=tf.Tensor([2 2], shape=(2,), dtype=int64))")
    cast = tf.cast(tf.SparseTensor([[0, 0]], [1.5], [1, 1]), tf.int64)
    assert cast.values.numpy().tolist() == [1] and cast.values.dtype == np.int64
    parsed = tf.io.parse_example(
        [_record(x=0.0)], {"x": tf.io.VarLenFeature(tf.float32)})["x"]
    assert parsed.values.numpy().tolist() == [0.0]
    assert parsed.indices.numpy().tolist() == [[0, 0]]
    assert parsed.dense_shape.numpy().tolist() == [1, 1]


# -- tf.compat.v1 ---------------------------------------------------------------------
def test_compat_v1_saved_model_io_train_and_constant():
    v1 = tf.compat.v1
    assert v1.saved_model.load_v2 is tf.saved_model.load
    assert v1.saved_model.tag_constants.SERVING == v1.saved_model.SERVING == "serve"
    assert v1.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY == \
        "serving_default"
    with pytest.raises(NotImplementedError, match="load_v2"):
        v1.saved_model.load(None, ["serve"], "/nowhere")
    assert v1.train.Example is tf.train.Example and v1.train.Int64List is tf.train.Int64List
    assert v1.train.AdamOptimizer is not None  # the optimizers are still there
    assert v1.FixedLenFeature is tf.io.FixedLenFeature and v1.io.VarLenFeature is \
        tf.io.VarLenFeature
    spec = {"x": v1.FixedLenFeature([], v1.float32)}
    # v1's order: (serialized, features, name, example_names); the name is in the error
    bad = tf.train.Example()
    bad.features.feature["x"].int64_list.value.append(1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Name: the_bad_one, Key: x"):
        v1.io.parse_example([bad.SerializeToString()], spec, "parse", ["the_bad_one"])
    assert v1.parse_example([_record(x=0.0)], spec)["x"].numpy().tolist() == [0.0]
    assert v1.parse_single_example(_record(x=2.0), spec, "one")["x"].numpy() == 2.0
    assert v1.constant([1, 2], shape=[2, 1]).shape == (2, 1)
    with pytest.raises(TypeError, match=r"with shape \(2, 1\), but got shape \(2,\)"):
        v1.constant([1, 2], shape=[2, 1], verify_shape=True)
    assert v1.convert_to_tensor([1], preferred_dtype=v1.float32).dtype == np.float32
    with pytest.raises(ValueError, match="Cannot specify both 'preferred_dtype' and "
                                         "'dtype_hint'"):
        v1.convert_to_tensor([1], preferred_dtype=v1.float32, dtype_hint=v1.int64)


# -- estimators and exports take EagerTensors ----------------------------------------------
def test_estimators_take_eager_tensor_inputs_as_they_take_arrays(tmp_path):
    x = np.float32([0.5, -1.0, 2.0, 0.0])
    words = ["a", "b", "", "a"]
    y = np.float32([1.0, -1.0, 3.0, 0.5])
    columns = [fc.numeric_column("x"),
               fc.categorical_column_with_vocabulary_list("w", ["a", "b"])]

    def train(model_dir, input_fn):
        estimator = tf.estimator.LinearRegressor(columns, model_dir=str(model_dir))
        estimator.train(input_fn, steps=2)
        return {n: estimator.get_variable_value(n) for n in estimator.get_variable_names()}

    plain = train(tmp_path / "plain", lambda: ({"x": x, "w": np.array(words, object)}, y))
    eager = train(tmp_path / "eager", lambda: ({"x": tf.constant(x), "w": tf.constant(words)},
                                               tf.constant(y)))
    sliced = train(tmp_path / "dataset", lambda: tf.data.Dataset.from_tensor_slices(
        ({"x": tf.constant(x), "w": tf.constant(words)}, tf.constant(y))).batch(4).repeat())
    assert plain.keys() == eager.keys() == sliced.keys()
    for name in plain:
        np.testing.assert_array_equal(eager[name], plain[name], err_msg=name)
        np.testing.assert_array_equal(sliced[name], plain[name], err_msg=name)
    element = next(iter(tf.data.Dataset.from_tensor_slices({"w": tf.constant(words)})))
    assert element["w"].numpy() == b"a"


def test_a_parsing_export_serves_records_ending_in_nul(tmp_path):
    # logits = 2 x + 0.25: x = 0.0 (a record ending in four NUL bytes) gives 0.25,
    # x = 1.5 gives 3.25
    model_dir = str(tmp_path / "model")
    ckpt.write(model_dir, {"linear/linear_model/x/weights": np.float32([[2.0]]),
                           "linear/linear_model/bias_weights": np.float32([0.25])}, 1)
    columns = [fc.numeric_column("x")]
    regressor = tf.estimator.LinearRegressor(columns, model_dir=model_dir)
    export = regressor.export_saved_model(
        str(tmp_path / "export"),
        tf.estimator.export.build_parsing_serving_input_receiver_fn(
            fc.make_parse_example_spec(columns)))
    serve = tf.saved_model.load(export).signatures["serving_default"]
    records = tf.constant([_record(x=0.0), _record(x=1.5)])
    outputs = serve(inputs=records)["outputs"]
    assert isinstance(outputs, EagerTensor)
    assert outputs.numpy().tolist() == [[0.25], [3.25]]


def test_batched_text_from_a_dataset_reads_back_as_utf8_bytes():
    # TensorFlow's string tensors hold bytes: a batch sliced from a numpy U column gives
    # array([b'x', b'yy', b'z\xc3\xa9'], dtype=object) from .numpy() (UTF-8 of 'zé').
    dataset = tf.data.Dataset.from_tensor_slices({"a": np.array(["x", "yy", "zé"])}).batch(3)
    batch = next(iter(dataset))["a"]
    values = batch.numpy()
    assert values.dtype == object
    assert values.tolist() == [b"x", b"yy", b"z\xc3\xa9"]
    assert batch[2].numpy() == b"z\xc3\xa9"
    assert "numpy=array([b'x', b'yy', b'z\\xc3\\xa9'], dtype=object)" in repr(batch)


def test_dtype_properties_as_tensorflows():
    # TF 2.15: size in bytes (0 for string), the types.proto enum, numpy's limits
    assert (tf.float32.size, tf.int64.size, tf.string.size) == (4, 8, 0)
    assert (tf.float32.as_datatype_enum, tf.int64.as_datatype_enum,
            tf.string.as_datatype_enum) == (1, 9, 7)
    assert tf.uint8.is_unsigned and not tf.int8.is_unsigned
    assert tf.float32.base_dtype is tf.float32 and tf.int32.real_dtype is tf.int32
    assert tf.float32.max == np.float32(3.4028235e38) and tf.uint8.min == 0
    assert tf.int64.min == -2**63 and tf.int64.max == 2**63 - 1
    with pytest.raises(TypeError, match="Cannot find minimum value"):
        tf.bool.min


def test_a_string_tensors_dtype_is_tf_string_and_still_numpys_underneath():
    # TF: tf.constant(["a"]).dtype prints <dtype: 'string'>, name "string"; a batch of a
    # Dataset's U column too. numpy code still reads kind / np.dtype() through it.
    text = tf.constant(["a", "b"])
    assert str(text.dtype) == "<dtype: 'string'>" and text.dtype.name == "string"
    assert text.dtype == tf.string and text.dtype == object and text.dtype.kind == "O"
    assert np.dtype(text.dtype) == np.dtype(object)
    batch = next(iter(tf.data.Dataset.from_tensor_slices(np.array(["x", "y"])).batch(2)))
    assert batch.dtype.name == "string" and batch.dtype.kind == "U"
    assert tf.strings.upper(batch).numpy().tolist() == [b"X", b"Y"]
    # numeric tensors keep numpy's dtype
    assert tf.constant(1.0).dtype is np.dtype(np.float32)
