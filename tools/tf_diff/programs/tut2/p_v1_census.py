"""The TF 1.x official wide_deep census model run under tf.compat.v1: a
tf.compat.v1.estimator.DNNLinearCombinedClassifier with FtrlOptimizer (L1) and
ProximalAdagradOptimizer, fed by tf.compat.v1.estimator.inputs.pandas_input_fn; the DNN
part started from TF's own checkpoint; train/evaluate in a loop of epochs as the official
script does, predict, estimator properties (model_dir, config, latest_checkpoint()),
v1 metrics, then export_saved_model with a v1 parsing receiver and the loaded model."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, census, files, init_dir, meta  # noqa: E402


def main(tf):
    fc = tf.feature_column
    V1 = tf.compat.v1
    df, y = census(150, seed=7)
    train_df, train_y, test_df, test_y = df.iloc[:110], y.iloc[:110], df.iloc[110:], y.iloc[110:]

    age = fc.numeric_column("age")
    education = fc.categorical_column_with_vocabulary_list(
        "education", ["Bachelors", "HS-grad", "Masters", "Doctorate", "Some-college"])
    occupation = fc.categorical_column_with_hash_bucket("occupation", hash_bucket_size=30)
    gender = fc.categorical_column_with_vocabulary_list("gender", ["Female", "Male"])
    age_buckets = fc.bucketized_column(age, boundaries=[18, 25, 30, 35, 40, 45, 50, 55, 60])
    wide = [education, occupation, gender, age_buckets,
            fc.crossed_column(["education", "occupation"], hash_bucket_size=40),
            fc.crossed_column([age_buckets, "education", "occupation"], hash_bucket_size=40)]
    deep = [age, fc.numeric_column("hours_per_week"), fc.numeric_column("capital_gain"),
            fc.indicator_column(education), fc.indicator_column(gender),
            fc.embedding_column(occupation, dimension=4)]

    def make(md, linear_opt, dnn_opt, **kw):
        return V1.estimator.DNNLinearCombinedClassifier(
            model_dir=md, linear_feature_columns=wide, linear_optimizer=linear_opt,
            dnn_feature_columns=deep, dnn_hidden_units=[10, 5], dnn_optimizer=dnn_opt,
            config=tf.estimator.RunConfig(tf_random_seed=17, save_checkpoints_steps=None,
                                          save_checkpoints_secs=3600), **kw)

    def input_fn(data, labels, num_epochs, shuffle, batch_size):
        return V1.estimator.inputs.pandas_input_fn(
            x=data, y=labels, batch_size=batch_size, num_epochs=num_epochs, shuffle=shuffle)

    init = init_dir(tf, "v1_census", lambda d: make(
        d, V1.train.GradientDescentOptimizer(0.0), V1.train.GradientDescentOptimizer(0.0)),
        input_fn(train_df, train_y, 1, False, 40))
    tmp = os.environ["TMPDIR_PROG"]
    md = os.path.join(tmp, "census")
    ws = tf.estimator.WarmStartSettings(init, vars_to_warm_start=".*dnn.*")
    model = make(md, lambda: V1.train.FtrlOptimizer(0.1, l1_regularization_strength=0.5),
                 lambda: V1.train.ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.001),
                 warm_start_from=ws)
    out = {"model_dir_ok": model.model_dir == md,
           "config": [model.config.tf_random_seed, model.config.save_checkpoints_steps,
                      model.config.save_checkpoints_secs, model.config.keep_checkpoint_max,
                      model.config.log_step_count_steps, model.config.save_summary_steps]}
    evals = []
    for n in range(2):  # train_epochs // epochs_between_evals
        model.train(input_fn=input_fn(train_df, train_y, 2, False, 32))
        results = model.evaluate(input_fn=input_fn(test_df, test_y, 1, False, 16))
        evals.append(results)
    out["evals"] = evals
    out["eval_meta"] = meta(evals[-1])
    out["latest"] = os.path.basename(model.latest_checkpoint())
    out["files"] = files(md)
    out["vars"] = all_vars(model)
    preds = list(model.predict(input_fn=input_fn(test_df, None, 1, False, 16)))
    out["n_preds"] = len(preds)
    out["pred_meta"] = meta(preds[0])
    out["preds"] = preds[:3]

    spec = fc.make_parse_example_spec(wide + deep)
    export = model.export_saved_model(
        os.path.join(tmp, "export"),
        V1.estimator.export.build_parsing_serving_input_receiver_fn(spec))
    loaded = tf.saved_model.load(export)
    out["signatures"] = sorted(loaded.signatures.keys())
    records = []
    for i in range(3):
        row = test_df.iloc[i]
        ex = tf.train.Example()
        f = ex.features.feature
        f["age"].float_list.value.append(float(row["age"]))
        f["hours_per_week"].float_list.value.append(float(row["hours_per_week"]))
        f["capital_gain"].float_list.value.append(float(row["capital_gain"]))
        for key in ("education", "occupation", "gender"):
            f[key].bytes_list.value.append(row[key].encode())
        records.append(ex.SerializeToString())
    cls = loaded.signatures["classification"](inputs=tf.constant(records))
    out["served_classification"] = {k: v.numpy() for k, v in cls.items()}
    return out
