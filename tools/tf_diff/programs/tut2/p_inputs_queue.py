"""tf.compat.v1.estimator.inputs.numpy_input_fn / pandas_input_fn as TF 1.x-era tutorials
use them with the v2 canned estimators: shuffle=False streams, num_epochs with a batch
spanning the epoch boundary and a short last batch (the step count and the weights depend
on it), num_epochs=None with steps=, label_dimension=2 from a 2-D y, evaluate over a
ragged last batch (streaming metrics), predict through both, and the errors both
functions raise (argument checks at construction, length and index mismatches)."""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, meta  # noqa: E402


def attempt(fn):
    try:
        fn()
        return "ok"
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {str(e)[:240]}"


def main(tf):
    fc = tf.feature_column
    inputs = tf.compat.v1.estimator.inputs
    tmp = os.environ["TMPDIR_PROG"]
    rng = np.random.default_rng(5)
    n = 10
    x = {"a": rng.normal(size=n).astype(np.float32), "b": rng.integers(0, 5, n),
         "s": np.array(["p", "q", "r", "p", "q", "r", "p", "q", "r", "z"])}
    y = (2 * x["a"] + 0.5 * x["b"]).astype(np.float32)
    cols = [fc.numeric_column("a"), fc.numeric_column("b"),
            fc.categorical_column_with_vocabulary_list("s", ["p", "q", "r"])]
    out = {}

    # 3 epochs of 10 rows in batches of 4: 30 rows -> 7 full batches and one of 2
    est = tf.estimator.LinearRegressor(cols, model_dir=os.path.join(tmp, "np"),
                                       optimizer=lambda: tf.keras.optimizers.legacy.SGD(0.05))  # an instance: one train() only in TF
    est.train(inputs.numpy_input_fn(x, y, batch_size=4, num_epochs=3, shuffle=False))
    out["np_gs"] = est.get_variable_value("global_step")
    out["np_vars"] = all_vars(est)
    # forever, bounded by steps
    est.train(inputs.numpy_input_fn(x, y, batch_size=3, num_epochs=None, shuffle=False), steps=5)
    out["np_gs2"] = est.get_variable_value("global_step")
    out["np_vars2"] = all_vars(est)
    ev = est.evaluate(inputs.numpy_input_fn(x, y, batch_size=3, num_epochs=1, shuffle=False))
    out["np_eval"] = ev
    out["np_eval_meta"] = meta(ev)
    preds = list(est.predict(inputs.numpy_input_fn(x, batch_size=4, num_epochs=1, shuffle=False)))
    out["np_preds"] = [len(preds), meta(preds[0]), [p["predictions"][0] for p in preds]]

    # pandas: DataFrame with a target Series, label_dimension=2 through numpy 2-D y
    df = pd.DataFrame({"a": x["a"], "b": x["b"], "s": x["s"].astype(object)},
                      index=np.arange(100, 100 + n))
    df["s"] = df["s"].astype(object)  # pandas 3 infers StringDtype, which TF's feeding refuses
    target = pd.Series(y, index=df.index)
    est2 = tf.estimator.LinearRegressor(cols, model_dir=os.path.join(tmp, "pd"),
                                        optimizer=tf.keras.optimizers.legacy.Adagrad(0.2))
    est2.train(inputs.pandas_input_fn(df, target, batch_size=6, num_epochs=2, shuffle=False))
    out["pd_gs"] = est2.get_variable_value("global_step")
    out["pd_vars"] = all_vars(est2)
    out["pd_eval"] = est2.evaluate(inputs.pandas_input_fn(df, target, batch_size=4,
                                                          shuffle=False), name="pandas")
    pp = list(est2.predict(inputs.pandas_input_fn(df, batch_size=7, shuffle=False)))
    out["pd_preds"] = [len(pp), [p["predictions"][0] for p in pp]]

    y2 = np.stack([y, -y], axis=1)
    est3 = tf.estimator.LinearRegressor(cols, label_dimension=2, model_dir=os.path.join(tmp, "np2"),
                                        optimizer=tf.keras.optimizers.legacy.SGD(0.02))
    est3.train(inputs.numpy_input_fn(x, y2, batch_size=5, num_epochs=2, shuffle=False))
    out["np2_vars"] = all_vars(est3)
    out["np2_eval"] = est3.evaluate(inputs.numpy_input_fn(x, y2, batch_size=5, shuffle=False))

    # errors
    errs = {}
    errs["np_shuffle_none"] = attempt(lambda: inputs.numpy_input_fn(x, y))
    errs["np_shuffle_int"] = attempt(lambda: inputs.numpy_input_fn(x, y, shuffle=1))
    errs["pd_shuffle_none"] = attempt(lambda: inputs.pandas_input_fn(df, target))
    errs["pd_index"] = attempt(lambda: inputs.pandas_input_fn(
        df, pd.Series(y), shuffle=False))
    errs["pd_target_col"] = attempt(lambda: inputs.pandas_input_fn(
        df.assign(target=1.0), target, shuffle=False))
    errs["pd_not_df"] = attempt(lambda: inputs.pandas_input_fn(x, target, shuffle=False))
    est4 = tf.estimator.LinearRegressor(cols, model_dir=os.path.join(tmp, "err"))
    errs["np_len"] = attempt(lambda: est4.train(inputs.numpy_input_fn(
        x, y[:7], batch_size=4, shuffle=False)))
    errs["np_dup_key"] = attempt(lambda: est4.train(inputs.numpy_input_fn(
        x, {"a": y}, batch_size=4, shuffle=False)))
    errs["np_empty_y"] = attempt(lambda: est4.train(inputs.numpy_input_fn(
        x, {}, batch_size=4, shuffle=False)))
    errs["np_x_array"] = attempt(lambda: est4.train(inputs.numpy_input_fn(
        x["a"], y, batch_size=4, shuffle=False)))
    errs["np_epochs0"] = attempt(lambda: est4.train(inputs.numpy_input_fn(
        x, y, batch_size=4, num_epochs=0, shuffle=False)))
    out["errors"] = errs
    return out
