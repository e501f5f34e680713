"""Census-style wide & deep (the TF 1.x wide_deep tutorial shape): a pandas DataFrame fed
through tf.compat.v1.estimator.inputs.pandas_input_fn (shuffle=False, num_epochs, a
partial last batch), bucketized + crossed + vocabulary-list + hash-bucket columns on the
linear side, indicator + embedding + numeric columns on the DNN side,
DNNLinearCombinedClassifier started from TF's own initial checkpoint, train until the input
ends, evaluate, predict through numpy_input_fn (all keys), then export with a parsing
receiver and call the loaded SavedModel's signatures."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, census, files, init_dir, is_tf, meta, sgd0  # noqa: E402


def main(tf):
    fc = tf.feature_column
    df, y = census(120, seed=0)
    train_df, train_y = df.iloc[:90], y.iloc[:90]
    test_df, test_y = df.iloc[90:], y.iloc[90:]

    age = fc.numeric_column("age")
    hours = fc.numeric_column("hours_per_week")
    gain = fc.numeric_column("capital_gain")
    education = fc.categorical_column_with_vocabulary_list(
        "education", ["Bachelors", "HS-grad", "Masters", "Doctorate"])
    occupation = fc.categorical_column_with_hash_bucket("occupation", hash_bucket_size=20)
    gender = fc.categorical_column_with_vocabulary_list("gender", ["Female", "Male"])
    age_buckets = fc.bucketized_column(age, boundaries=[18, 25, 30, 35, 40, 45, 50, 55, 60, 65])
    base_columns = [education, occupation, gender, age_buckets]
    crossed_columns = [
        fc.crossed_column(["education", "occupation"], hash_bucket_size=50),
        fc.crossed_column([age_buckets, "education", "occupation"], hash_bucket_size=100),
    ]
    deep_columns = [age, hours, gain, fc.indicator_column(education), fc.indicator_column(gender),
                    fc.embedding_column(occupation, dimension=4)]

    def make(md, **kw):
        return tf.estimator.DNNLinearCombinedClassifier(
            model_dir=md, linear_feature_columns=base_columns + crossed_columns,
            dnn_feature_columns=deep_columns, dnn_hidden_units=[8, 4],
            config=tf.estimator.RunConfig(tf_random_seed=42, save_checkpoints_steps=5), **kw)

    def train_input(num_epochs=2, batch_size=40):
        return tf.compat.v1.estimator.inputs.pandas_input_fn(
            x=train_df, y=train_y, batch_size=batch_size, num_epochs=num_epochs, shuffle=False)

    init = init_dir(tf, "census_wd", lambda d: make(d, linear_optimizer=sgd0(tf),
                                                     dnn_optimizer=sgd0(tf)), train_input(1))
    tmp = os.environ["TMPDIR_PROG"]
    md = os.path.join(tmp, "census")
    model = make(md, warm_start_from=init)
    out = {}
    # 2 epochs of 90 rows in batches of 40: 40, 40, 40, 40, 20 -> 5 steps
    model.train(input_fn=train_input(2))
    out["gs_after_train"] = model.get_variable_value("global_step")
    model.train(input_fn=train_input(1, 32), steps=2)
    out["gs_after_steps"] = model.get_variable_value("global_step")
    eval_fn = tf.compat.v1.estimator.inputs.pandas_input_fn(
        x=test_df, y=test_y, batch_size=7, num_epochs=1, shuffle=False)
    results = model.evaluate(input_fn=eval_fn)
    out["eval"] = results
    out["eval_meta"] = meta(results)
    out["vars"] = all_vars(model)
    out["files"] = files(md)

    pred_fn = tf.compat.v1.estimator.inputs.numpy_input_fn(
        x={k: test_df[k].values for k in test_df.columns}, batch_size=8, num_epochs=1, shuffle=False)
    preds = list(model.predict(input_fn=pred_fn))
    out["n_preds"] = len(preds)
    out["pred_meta"] = meta(preds[0])
    out["preds"] = preds[:4]
    out["pred_cls"] = [int(p["class_ids"][0]) for p in preds]

    spec = fc.make_parse_example_spec(base_columns + crossed_columns + deep_columns)
    out["spec"] = {k: [type(v).__name__, str(v.dtype)] for k, v in sorted(spec.items())}
    export_dir = model.export_saved_model(
        os.path.join(tmp, "export"),
        tf.estimator.export.build_parsing_serving_input_receiver_fn(spec))
    out["export_type"] = type(export_dir).__name__
    loaded = tf.saved_model.load(export_dir)
    out["signatures"] = sorted(loaded.signatures.keys())
    records = []
    for i in range(3):
        row = test_df.iloc[i]
        ex = tf.train.Example()
        ex.features.feature["age"].float_list.value.append(float(row["age"]))
        ex.features.feature["hours_per_week"].float_list.value.append(float(row["hours_per_week"]))
        ex.features.feature["capital_gain"].float_list.value.append(float(row["capital_gain"]))
        for key in ("education", "occupation", "gender"):
            ex.features.feature[key].bytes_list.value.append(row[key].encode())
        records.append(ex.SerializeToString())
    for sig in ("serving_default", "classification", "predict"):
        f = loaded.signatures[sig]
        kwargs = {"examples": tf.constant(records)} if sig == "predict" else \
            {"inputs": tf.constant(records)}
        try:
            res = f(**kwargs)
            out["sig_" + sig] = {k: v.numpy() for k, v in res.items()}
        except Exception as e:  # noqa: BLE001
            out["sig_" + sig] = f"{type(e).__name__}: {str(e)[:200]}"
    return out
