"""The "train for an epoch, evaluate, repeat" loop most tutorials write, with Adam on
row-sparse variables (linear categorical weights, a DNN embedding) and a finite Dataset
per train() call: each call ends because the input ended. TF's last session.run then
fails at IteratorGetNext but has already run the input-free part of Keras' sparse Adam
(the moments' decay), so the slots, and the following epochs' weights, depend on it.
Also tf.compat.v1.train.AdamOptimizer in a v1 wide & deep model, lazy-free, and a call
stopped by steps= (no extra decay)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, init_dir, sgd0  # noqa: E402


def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(31)
    n = 48
    feats = {"c": rng.choice(["a", "b", "c", "d", "zz"], n).astype(object),
             "x": rng.normal(size=n).astype(np.float32)}
    labels = rng.integers(0, 2, n)
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c", "d"])
    lin_cols = [cat, fc.numeric_column("x")]
    dnn_cols = [fc.embedding_column(cat, 3), fc.numeric_column("x")]
    tmp = os.environ["TMPDIR_PROG"]

    def input_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels)).shuffle(48, seed=2).batch(16)

    def make(md, **kw):
        return tf.estimator.DNNLinearCombinedClassifier(
            model_dir=md, linear_feature_columns=lin_cols, dnn_feature_columns=dnn_cols,
            dnn_hidden_units=[4], **kw)

    init = init_dir(tf, "adam_epochs", lambda d: make(d, linear_optimizer=sgd0(tf),
                                                       dnn_optimizer=sgd0(tf),
                                                       config=tf.estimator.RunConfig(tf_random_seed=6)),
                    input_fn)
    est = make(os.path.join(tmp, "wd"), warm_start_from=init,
               linear_optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.05),
               dnn_optimizer=lambda: tf.keras.optimizers.legacy.Adam(0.05, amsgrad=True))
    out = {}
    for epoch in range(3):
        est.train(input_fn)
        out[f"epoch{epoch}"] = est.evaluate(input_fn)
    out["vars"] = all_vars(est)
    est.train(lambda: input_fn().repeat(), steps=2)  # stopped by steps: no extra decay
    out["vars_steps"] = all_vars(est)

    v1 = tf.compat.v1.estimator.DNNLinearCombinedClassifier(
        model_dir=os.path.join(tmp, "v1"), linear_feature_columns=lin_cols,
        dnn_feature_columns=dnn_cols, dnn_hidden_units=[4],
        linear_optimizer=lambda: tf.compat.v1.train.AdamOptimizer(0.05),
        dnn_optimizer=lambda: tf.compat.v1.train.AdamOptimizer(0.05),
        warm_start_from=tf.estimator.WarmStartSettings(init, vars_to_warm_start=".*dnn.*"))
    for epoch in range(2):
        v1.train(input_fn)
    out["v1_vars"] = all_vars(v1)
    out["v1_eval"] = v1.evaluate(input_fn)
    return out
