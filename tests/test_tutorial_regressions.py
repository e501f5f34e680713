"""Regressions found by running tutorial-shaped programs under TensorFlow 2.15.1 and cannery
(tools/tf_diff/programs/tut2/, see its README). Each expected number is derived by hand in
the test, from TensorFlow's source where the behaviour is TensorFlow's choice."""

import numpy as np
import pytest

import cannery as tf

f32 = np.float32


# --- BaselineRegressor / BaselineEstimator count the weight column as a feature ---------
# tensorflow_estimator/python/estimator/canned/baseline.py: BaselineClassifierV2's model_fn
# passes weight_column to _baseline_model_fn_v2, which skips that key when it takes the
# batch size from the features; BaselineRegressorV2 and BaselineEstimatorV2 do not pass it,
# so a regressor fed only its weight feature trains (tut2/p_housing.py).

W = np.array([1.0, 2.0, 0.5, 1.0], f32)
Y = np.array([1.0, 2.0, 3.0, 4.0], f32)


def _weight_only_input():
    return {"weight": W}, Y


def test_baseline_regressor_trains_on_the_weight_feature_alone(tmp_path):
    est = tf.estimator.BaselineRegressor(
        model_dir=str(tmp_path), weight_column="weight",
        optimizer=tf.keras.optimizers.legacy.SGD(learning_rate=0.1))
    est.train(_weight_only_input, steps=1)
    # loss = sum(w * (b - y)^2) / 4 (SUM_OVER_BATCH_SIZE); at b = 0,
    # d loss / d b = 2 * sum(w * (0 - y)) / 4 = -2 * (1 + 4 + 1.5 + 4) / 4 = -5.25,
    # so b = 0 - 0.1 * -5.25 = 0.525.
    assert est.get_variable_value("baseline/bias") == pytest.approx([0.525], rel=1e-6)
    preds = list(est.predict(lambda: {"weight": W}))
    assert len(preds) == 4 and preds[0]["predictions"] == pytest.approx([0.525], rel=1e-6)


def test_baseline_estimator_trains_on_the_weight_feature_alone(tmp_path):
    head = tf.estimator.RegressionHead(weight_column="weight")
    est = tf.estimator.BaselineEstimator(
        head, model_dir=str(tmp_path), optimizer=tf.keras.optimizers.legacy.SGD(0.1))
    est.train(_weight_only_input, steps=1)
    # the same loss as above: b = 0.525
    assert est.get_variable_value("baseline/bias") == pytest.approx([0.525], rel=1e-6)


def test_baseline_classifier_still_skips_the_weight_column(tmp_path):
    est = tf.estimator.BaselineClassifier(model_dir=str(tmp_path), weight_column="weight")
    # TensorFlow: tf.ones([None, 1]) -> TypeError "Expected int32, but got None ..."
    with pytest.raises((TypeError, ValueError), match="weight"):
        est.train(lambda: ({"weight": W}, np.array([0, 1, 1, 0])), steps=1)


def test_keras_losses_reduction_is_the_loss_reduction_names(tmp_path):
    # TF's docs spell loss_reduction=tf.keras.losses.Reduction.SUM (tut2/p_housing.py)
    assert tf.keras.losses.Reduction.SUM == "sum"
    assert tf.keras.losses.Reduction.SUM_OVER_BATCH_SIZE == "sum_over_batch_size"
    est = tf.estimator.LinearRegressor([tf.feature_column.numeric_column("x")],
                                       model_dir=str(tmp_path),
                                       loss_reduction=tf.keras.losses.Reduction.SUM)
    x, y = np.array([1.0, 2.0, 3.0, 4.0], f32), Y

    # untrained (zero weights): predictions 0, losses y^2 = 1, 4, 9, 16;
    # SUM: loss = 30 (one batch), average_loss = 30 / 4 = 7.5
    metrics = est.evaluate(lambda: ({"x": x}, y), steps=1)
    assert metrics["loss"] == pytest.approx(30.0)
    assert metrics["average_loss"] == pytest.approx(7.5)


# --- iterating a Dataset gives tensors with .numpy() -------------------------------------
# TF 2 eager iteration yields EagerTensors; the feature-columns tutorial does
# `for feature_batch, label_batch in train_ds.take(1): feature_batch['Age'].numpy()`
# and prints them (tut2/p_fc_demo.py, p_iris_csv.py).


def test_dataset_iteration_yields_tensors_with_numpy():
    ds = tf.data.Dataset.from_tensor_slices(
        ({"age": np.array([3, 5, 7], np.int64), "w": np.array([0.5, 1.5, 2.5], f32)},
         np.array([1, 0, 1]))).batch(2)
    for features, labels in ds.take(1):
        age = features["age"].numpy()
        assert type(age) is np.ndarray and age.tolist() == [3, 5] and age.dtype == np.int64
        assert features["w"].numpy().tolist() == [0.5, 1.5]
        assert labels.numpy().tolist() == [1, 0]
        # TF: print(tensor) -> tf.Tensor([3 5], shape=(2,), dtype=int64)
        assert str(features["age"]) == "tf.Tensor([3 5], shape=(2,), dtype=int64)"
    element = next(iter(tf.data.Dataset.range(3)))
    assert element.numpy() == 0 and isinstance(element.numpy(), np.int64)
    # as_numpy_iterator stays plain numpy
    first = next(ds.as_numpy_iterator())
    assert type(first[1]) is np.ndarray


def test_dataset_iteration_closes_its_source():
    ds = tf.data.Dataset.range(5).cache()
    it = iter(ds)
    assert int(next(it)) == 0
    it.close()  # a closed partial pass keeps nothing in the cache: the next pass is whole
    assert [int(v) for v in ds] == [0, 1, 2, 3, 4]


def test_estimator_reads_plain_arrays_from_a_dataset(tmp_path):
    # string features through a vocabulary column: the estimator iterates the Dataset's
    # own elements, not the EagerTensor views
    fc = tf.feature_column
    col = fc.indicator_column(fc.categorical_column_with_vocabulary_list("s", ["a", "b"]))
    est = tf.estimator.DNNRegressor([2], [col], model_dir=str(tmp_path))
    ds = lambda: tf.data.Dataset.from_tensor_slices(  # noqa: E731
        ({"s": np.array(["a", "b", "c"])}, np.array([1.0, 2.0, 3.0], f32))).batch(3)
    est.train(ds, steps=1)
    assert est.get_variable_value("global_step") == 1


# --- tf.keras.layers.DenseFeatures(one column) ---------------------------------------------
# feature_column_v2._normalize_feature_columns wraps a single FeatureColumn in a list; the
# tutorial's demo(feature_column) passes one column (tut2/p_fc_demo.py).


def test_dense_features_takes_one_column():
    fc = tf.feature_column
    batch = {"age": np.array([1, 4, 30], np.int64)}
    buckets = fc.bucketized_column(fc.numeric_column("age"), boundaries=[1, 3, 5])
    out = tf.keras.layers.DenseFeatures(buckets)(batch).numpy()
    # boundaries [1, 3, 5] -> buckets (-inf,1) [1,3) [3,5) [5,inf): 1 -> 1, 4 -> 2, 30 -> 3
    assert out.tolist() == [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    with pytest.raises(ValueError, match="Expected feature_columns to be iterable, found dict"):
        tf.keras.layers.DenseFeatures({"age": buckets})


# --- tf.train.get_checkpoint_state ---------------------------------------------------------
# checkpoint_management.get_checkpoint_state: the `checkpoint` file parsed, relative paths
# joined to the directory (tut2/p_tae_wd.py evaluates all_model_checkpoint_paths[0]).


def test_get_checkpoint_state(tmp_path):
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    est = tf.estimator.LinearRegressor([tf.feature_column.numeric_column("x")],
                                       model_dir=str(tmp_path),
                                       config=tf.estimator.RunConfig(save_checkpoints_steps=2))
    est.train(lambda: ({"x": np.array([1.0], f32)}, np.array([1.0], f32)), steps=3)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    # saves at session creation (0), every 2 steps (2) and at the end (3)
    base = str(tmp_path)
    assert state.model_checkpoint_path == f"{base}/model.ckpt-3"
    assert state.all_model_checkpoint_paths == [f"{base}/model.ckpt-{s}" for s in (0, 2, 3)]
    assert str(state).startswith(f'model_checkpoint_path: "{base}/model.ckpt-3"\n')
    assert tf.compat.v1.train.get_checkpoint_state(base) == state
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "model.ckpt-0"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
        tf.train.get_checkpoint_state(base)


# --- Ftrl needs a positive learning rate when it steps -------------------------------------
# training_ops.cc ApplyFtrlOp / SparseApplyFtrlOp: "lr is not a positive scalar (or zero
# if multiply_linear_by_lr is set)" as InvalidArgumentError at the first step
# (tut2/p_ftrl0.py, p_warm_vocab.py).


@pytest.mark.parametrize("learning_rate", [0.0, -0.1])
def test_ftrl_with_a_learning_rate_not_positive_fails_at_the_step(tmp_path, learning_rate):
    fc = tf.feature_column
    est = tf.estimator.LinearClassifier(
        [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_list("c", ["a"])],
        model_dir=str(tmp_path),
        optimizer=lambda: tf.keras.optimizers.legacy.Ftrl(learning_rate))
    with pytest.raises(tf.errors.InvalidArgumentError, match="lr is not a positive scalar"):
        est.train(lambda: ({"x": np.array([1.0], f32), "c": np.array(["a"])},
                           np.array([1])), steps=1)
    assert est.get_variable_value("global_step") == 0  # checkpoint of session creation


# --- tf.data.TextLineDataset and tf.io.decode_csv ------------------------------------------
# The official census input_fn (models/official/r1/wide_deep/census_dataset.py, shape of
# tut2/p_census_csv.py): TextLineDataset(file).map(parse_csv) with
# tf.io.decode_csv(value, record_defaults=...), features.pop(label), tf.equal(label, '>50K').
# Expected values follow TensorFlow's kernels: TextLineDatasetOp (lines split at \n, a \r
# before it dropped, empty lines kept) and DecodeCSVOp (decode_csv_op.cc, ExtractFields).


def test_text_line_dataset_lines(tmp_path):
    import gzip

    a = tmp_path / "a.txt"
    a.write_bytes(b'a,1\r\nb,2\n\n"c,d",3\nlast')
    b = tmp_path / "b.txt"
    b.write_bytes(b"x\ny\n")
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    ds = tf.data.TextLineDataset(str(a))
    assert [line.numpy() for line in ds] == [b"a,1", b"b,2", b"", b'"c,d",3', b"last"]
    assert int(ds.cardinality().numpy()) == tf.data.UNKNOWN_CARDINALITY
    # interleaved one line at a time over 2 files; the empty file's slot takes b.txt when
    # the cycle comes back to it: a1 (a), [e ends], b2 (a), x (b), '' (a), y (b), ...
    both = tf.data.TextLineDataset([str(a), str(empty), str(b)], num_parallel_reads=2)
    # as_numpy_iterator gives bytes, as TensorFlow's
    assert list(both.as_numpy_iterator()) == [b"a,1", b"b,2", b"x", b"", b"y", b'"c,d",3',
                                              b"last"]
    # a Dataset of file names is read when iterated (Dataset.list_files, sorted)
    listed = tf.data.TextLineDataset(tf.data.Dataset.list_files(
        [str(b), str(a)], shuffle=False))
    assert list(listed.as_numpy_iterator())[:2] == [b"a,1", b"b,2"]
    # AUTOTUNE reads ceil(cores / 3) files at a time, as TensorFlow's readers: one on a
    # 2-core machine (the files in turn), two on 4 to 6 cores (the order above)
    from cannery.data import _tfrecord

    for cycle, expected in ((1, [b"a,1", b"b,2", b"", b'"c,d",3', b"last", b"x", b"y"]),
                            (2, [b"a,1", b"b,2", b"x", b"", b"y", b'"c,d",3', b"last"])):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_tfrecord, "_autotune_cycle_length", lambda cycle=cycle: cycle)
            auto = tf.data.TextLineDataset([str(a), str(empty), str(b)],
                                           num_parallel_reads=tf.data.AUTOTUNE)
            assert list(auto.as_numpy_iterator()) == expected
    gz = tmp_path / "a.txt.gz"
    with gzip.open(gz, "wb") as f:
        f.write(a.read_bytes())
    assert list(tf.data.TextLineDataset(str(gz), compression_type="GZIP")
                .as_numpy_iterator()) == list(ds.as_numpy_iterator())
    with pytest.raises(ValueError, match="compression_type"):
        tf.data.TextLineDataset(str(a), compression_type="BZ2")


def test_decode_csv_fields_and_types():
    strings, ints = tf.io.decode_csv(['a,1', ' b , 2 ', '"c,d",3', ',', '"""x""",4'],
                                     record_defaults=[[""], [0]])
    # spaces kept in strings, allowed around numbers; "" inside quotes is one quote;
    # "," is two empty fields, which take the defaults
    assert strings.numpy().tolist() == [b"a", b" b ", b"c,d", b"", b'"x"']
    assert ints.dtype == np.int32 and ints.numpy().tolist() == [1, 2, 3, 0, 4]
    s, x = tf.io.decode_csv("q,1.5", record_defaults=[[""], [0.0]])
    assert s.shape == () and s.numpy() == b"q" and x.dtype == np.float32 and x.numpy() == 1.5
    (wide,) = tf.io.decode_csv(["5"], record_defaults=[tf.constant([0], dtype=tf.int64)])
    assert wide.dtype == np.int64
    (na,) = tf.io.decode_csv(["NA"], record_defaults=[[7.0]], na_value="NA")
    assert na.numpy().tolist() == [7.0]
    kept = tf.io.decode_csv(["a,b,3,4"], record_defaults=[[""], [0]], select_cols=[0, 2])
    assert [v.numpy().tolist() for v in kept] == [[b"a"], [3]]


@pytest.mark.parametrize("records, defaults, message", [
    (["a"], [[""], [0]], "Expect 2 fields but have 1 in record 0"),
    (["a,1,2"], [[""], [0]], "Expect 2 fields but have 3 in record 0"),
    ([""], [["z"]], "Expect 1 fields but have 0 in record 0"),
    (["a,x"], [[""], [0]], "Field 1 in record 0 is not a valid int32: x"),
    (["+5"], [[0]], "Field 0 in record 0 is not a valid int32: \\+5"),
    (["2147483648"], [[0]], "not a valid int32: 2147483648"),
    (["a,"], [[""], []], "Field 1 is required but missing in record 0!"),
    (['a"b,1'], [[""], [0]], "Unquoted fields cannot have quotes/CRLFs inside"),
    (['"a"b",1'], [[""], [0]], "Quote inside a string has to be escaped by another quote"),
    (['"ab'], [[""]], "Quoted field has to end with quote followed by delim or end"),
])
def test_decode_csv_errors(records, defaults, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.io.decode_csv(records, record_defaults=defaults)


def test_census_input_fn_trains(tmp_path):
    path = tmp_path / "adult.data"
    path.write_text("39,Bachelors,>50K\n50,HS-grad,<=50K\n38,Bachelors,>50K\n")
    columns, defaults = ["age", "education", "income_bracket"], [[0], [""], [""]]

    def input_fn():
        def parse_csv(value):
            features = dict(zip(columns, tf.io.decode_csv(value, record_defaults=defaults)))
            labels = features.pop("income_bracket")
            return features, tf.equal(labels, ">50K")
        return tf.data.TextLineDataset(str(path)).map(parse_csv).batch(3)

    features, labels = next(iter(input_fn()))
    # 0-d tensors from the map stack into flat columns (decode_csv's strings are bytes)
    assert features["education"].numpy().tolist() == [b"Bachelors", b"HS-grad", b"Bachelors"]
    assert features["age"].numpy().tolist() == [39, 50, 38]
    assert labels.numpy().tolist() == [True, False, True]
    fc = tf.feature_column
    est = tf.estimator.LinearClassifier(
        [fc.categorical_column_with_vocabulary_list("education", ["Bachelors", "HS-grad"])],
        model_dir=str(tmp_path / "m"), optimizer=tf.keras.optimizers.legacy.SGD(1.0))
    est.train(input_fn, steps=1)
    # logits 0, sigmoid 0.5; SUM_OVER_BATCH_SIZE: d loss / d w_e = sum over rows of e of
    # (0.5 - y) / 3: Bachelors rows have y = 1, 1 -> -1/3; HS-grad y = 0 -> 1/6.
    # SGD(1.0): w = -grad.
    weights = est.get_variable_value("linear/linear_model/education/weights").ravel()
    assert weights == pytest.approx([1 / 3, -1 / 6], rel=1e-6)


# --- Adam's input-free moment decay runs once more when train() ends with the input ------
# keras/optimizers/legacy/adam.py _resource_apply_sparse (and TF v1 adam.py
# _apply_sparse_shared) start with m.assign(m * beta_1), v.assign(v * beta_2); only the
# scatter-add and the variable update wait for the gradient. A train() that ends because
# the input ended ends with a session.run(train_op) failing at IteratorGetNext, after
# those assigns ran: row-sparse variables' moments decay once more (checked against TF
# 2.15.1 in tut2/p_adam_epochs.py).

B1, B2 = f32(0.9), f32(0.999)


def _oov_then_end(tmp_path, repeat=False, steps=None):
    fc = tf.feature_column
    est = tf.estimator.LinearRegressor(
        [fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])],
        model_dir=str(tmp_path), optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.5))

    def input_fn():
        ds = tf.data.Dataset.from_tensor_slices(
            ({"c": np.array(["a", "b", "z", "z"])}, np.arange(4, dtype=f32))).batch(2)
        return ds.repeat() if repeat else ds
    est.train(input_fn, steps=steps)
    return (est.get_variable_value("training/Adam/linear/linear_model/c/weights/m").ravel(),
            est.get_variable_value("training/Adam/linear/linear_model/c/weights/v").ravel())


def test_adam_sparse_moments_decay_once_more_at_the_end_of_input(tmp_path):
    m, v = _oov_then_end(tmp_path)
    # step 1, batch (a, b), labels (0, 1), predictions 0, SUM_OVER_BATCH_SIZE:
    # d loss / d w = sum over the rows of (pred - y) * 2 / 2: w_a 0, w_b -1, so
    # m_b = (1 - b1) * -1, v_b = (1 - b2) * 1. Step 2, batch (z, z): no id, the moments
    # decay (m * b1, v * b2). The failing run at the end: one more decay.
    assert m[1] == pytest.approx((f32(1) - B1) * -1 * B1 * B1, rel=1e-6)
    assert v[1] == pytest.approx((f32(1) - B2) * B2 * B2, rel=1e-6)
    assert m[0] == 0 and v[0] == 0 and m[2] == 0


def test_adam_no_extra_decay_when_steps_stop_training(tmp_path):
    m, v = _oov_then_end(tmp_path, repeat=True, steps=2)
    # the same two steps, stopped by StopAtStepHook: no failing run, one decay only
    assert m[1] == pytest.approx((f32(1) - B1) * -1 * B1, rel=1e-6)
    assert v[1] == pytest.approx((f32(1) - B2) * B2, rel=1e-6)


def test_lazy_adam_has_no_input_free_part():
    from cannery.plugins.optimizers.adam import Adam

    slots = {"w": {"m": np.ones(2, f32), "v": np.ones(2, f32)}}
    Adam(0.1, lazy=True).end_of_input(slots, ["w"])
    assert slots["w"]["m"].tolist() == [1.0, 1.0]
    Adam(0.1).end_of_input(slots, ["w"])
    assert slots["w"]["m"].tolist() == [B1, B1] and slots["w"]["v"].tolist() == [B2, B2]


# --- tf.strings in map functions ------------------------------------------------------------
# tut2/p_data_pipeline.py lowers a city name inside Dataset.map; p_strings.py checks each op
# against TF 2.15.1. Expected values: TF's kernels (StringLower lowers ASCII only without an
# encoding, StringStrip strips ASCII whitespace, StringToNumber uses safe_strtof/strto32,
# AsString formats floats with "%f").


def test_tf_strings():
    S = tf.strings
    assert S.lower(["Paris", "LYON"]).numpy().tolist() == [b"paris", b"lyon"]
    assert S.lower("ÉLAN").numpy() == "ÉLAN".encode()[:2] + b"lan"  # É untouched
    assert S.lower("ÉLAN", encoding="utf-8").numpy() == "élan".encode()
    assert S.strip(["  a b \t", "\nx\n"]).numpy().tolist() == [b"a b", b"x"]
    assert S.length(["abc", "é"]).numpy().tolist() == [3, 2]
    assert S.length(["abc", "é"], unit="UTF8_CHAR").numpy().tolist() == [3, 1]
    assert S.regex_replace(["a1b22"], r"\d+", "#").numpy().tolist() == [b"a#b#"]
    assert S.regex_full_match(["abc", "ab1"], "[a-z]+").numpy().tolist() == [True, False]
    assert S.join([["a", "b"], "z"], separator="-").numpy().tolist() == [b"a-z", b"b-z"]
    numbers = S.to_number(["1.5", " 2 "])
    assert numbers.dtype == np.float32 and numbers.numpy().tolist() == [1.5, 2.0]
    assert S.to_number(["7"], out_type=tf.int64).numpy().tolist() == [7]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="StringToNumberOp could not correctly convert string: abc"):
        S.to_number(["abc"])
    assert S.as_string([3.5, 3]).numpy().tolist() == [b"3.500000", b"3.000000"]
    assert S.as_string([3, -12]).numpy().tolist() == [b"3", b"-12"]
    assert S.as_string([True]).numpy().tolist() == [b"true"]
    assert S.as_string([3], width=4, fill="0").numpy().tolist() == [b"0003"]
    with pytest.raises(TypeError, match="Cannot convert \\[1, 2\\] to EagerTensor of dtype string"):
        S.lower([1, 2])


def test_decode_csv_argument_orders():
    # TF 2.15: tf.io.decode_csv(records, record_defaults, field_delim, use_quote_delim,
    # na_value, select_cols, name); tf.compat.v1.io.decode_csv puts name before na_value
    (v2,) = tf.io.decode_csv(["NA"], [[5]], ",", True, "NA")
    (v1,) = tf.compat.v1.io.decode_csv(["NA"], [[5]], ",", True, None, "NA")
    assert v2.numpy().tolist() == v1.numpy().tolist() == [5]
