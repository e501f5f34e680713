"""Keras optimizers given as strings, legacy instances and callables, with learning-rate
schedules and clipnorm/clipvalue/global_clipnorm, to every estimator kind (Linear
classifier/regressor, Baseline, DNN and wide & deep started from TF's initial weights);
two train() calls (the second resumes the optimizer state from the checkpoint), then the
variables (slots included), `tf.train.list_variables` of the model_dir and evaluate()."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t3 import all_vars, init_dir, md, sgd0, err  # noqa: E402


def main(tf):
    fc = tf.feature_column
    L = tf.keras.optimizers.legacy
    S = tf.keras.optimizers.schedules
    rng = np.random.default_rng(3)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32),
             "z": rng.normal(size=n).astype(np.float32),
             "c": rng.choice(["a", "b", "c", "d"], n)}
    lab3 = rng.integers(0, 3, n)
    yreg = rng.normal(size=n).astype(np.float32)
    voc = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    lin_cols = [fc.numeric_column("x"), fc.numeric_column("z"), voc]
    dnn_cols = [fc.numeric_column("x"), fc.embedding_column(voc, 2)]

    def inp(labels):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)

    def const_inp():
        return {"x": tf.constant(feats["x"])}, tf.constant(lab3)

    opts = {
        "str_adam": lambda: "Adam",
        "str_rmsprop": lambda: "RMSProp",
        "str_sgd": lambda: "SGD",
        "inst_adam_exp_cn": lambda: L.Adam(S.ExponentialDecay(0.1, 2, 0.5, staircase=True), clipnorm=0.5),
        "call_rms_poly_cv": lambda: (lambda: L.RMSprop(S.PolynomialDecay(0.05, 4, 0.001, power=0.5),
                                                       momentum=0.5, clipvalue=0.1)),
        "call_sgd_cos_gcn": lambda: (lambda: L.SGD(S.CosineDecay(0.2, 6, alpha=0.05), momentum=0.9,
                                                   nesterov=True, global_clipnorm=0.3)),
        "call_adagrad_pw": lambda: (lambda: L.Adagrad(S.PiecewiseConstantDecay([2, 4], [0.3, 0.1, 0.03]),
                                                      initial_accumulator_value=0.2, epsilon=1e-5)),
        "call_ftrl_cn": lambda: (lambda: L.Ftrl(0.3, l1_regularization_strength=0.01, clipnorm=0.2)),
    }
    init_cls = init_dir(tf, "optk_dnn", lambda d: tf.estimator.DNNClassifier(
        [4], dnn_cols, n_classes=3, model_dir=d, optimizer=sgd0(tf),
        config=tf.estimator.RunConfig(tf_random_seed=5)), inp(lab3))
    init_dlc = init_dir(tf, "optk_dlc", lambda d: tf.estimator.DNNLinearCombinedRegressor(
        model_dir=d, linear_feature_columns=lin_cols, dnn_feature_columns=dnn_cols,
        dnn_hidden_units=[3], linear_optimizer=sgd0(tf), dnn_optimizer=sgd0(tf),
        config=tf.estimator.RunConfig(tf_random_seed=5)), inp(yreg))
    kinds = {
        "lin_cls": (lambda o, d: tf.estimator.LinearClassifier(lin_cols, n_classes=3, optimizer=o, model_dir=d),
                    inp(lab3)),
        "lin_reg": (lambda o, d: tf.estimator.LinearRegressor(lin_cols, optimizer=o, model_dir=d), inp(yreg)),
        "base_cls": (lambda o, d: tf.estimator.BaselineClassifier(n_classes=3, optimizer=o, model_dir=d),
                     const_inp),
        "dnn_cls": (lambda o, d: tf.estimator.DNNClassifier([4], dnn_cols, n_classes=3, optimizer=o,
                                                            model_dir=d, warm_start_from=init_cls), inp(lab3)),
        "dlc_reg": (lambda o, d: tf.estimator.DNNLinearCombinedRegressor(
            model_dir=d, linear_feature_columns=lin_cols, dnn_feature_columns=dnn_cols,
            dnn_hidden_units=[3], linear_optimizer=o, dnn_optimizer=opts["str_adam"](),
            warm_start_from=init_dlc), inp(yreg)),
    }
    out = {}
    for kname, (make, input_fn) in kinds.items():
        for oname, opt in opts.items():
            d = md(kname + "_" + oname)
            est = make(opt(), d)
            est.train(input_fn, steps=2)
            if oname.startswith("inst"):  # a TF optimizer instance serves one train() only
                est = make(opt(), d)
            est.train(input_fn, steps=2)
            r = {"vars": all_vars(est),
                 "listed": [[name, list(shape)] for name, shape in tf.train.list_variables(d)]}
            r["eval"] = est.evaluate(input_fn, steps=1 if kname == "base_cls" else None)
            out[kname + "/" + oname] = r
    # the same optimizer instance for a second train(): TF fails (its variables belong to
    # the first graph); the new Keras optimizers: TF refuses them inside model_fn
    est = tf.estimator.LinearRegressor(lin_cols, optimizer=L.Adam(0.1), model_dir=md("twice"))
    est.train(inp(yreg), steps=1)
    out["instance_twice"] = err(lambda: est.train(inp(yreg), steps=1))
    out["new_keras"] = err(lambda: tf.estimator.LinearRegressor(
        lin_cols, optimizer=tf.keras.optimizers.Adam(0.1), model_dir=md("newk")).train(inp(yreg), steps=1))
    out["bad_str"] = err(lambda: tf.estimator.LinearRegressor(
        lin_cols, optimizer="Adadelta", model_dir=md("bads")).train(inp(yreg), steps=1))
    return out
