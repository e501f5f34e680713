"""A three-class tutorial with string labels and example weights: DNNClassifier
(label_vocabulary, weight_column, dropout, batch_norm off, Adagrad) started from TF's own
checkpoint, a BaselineClassifier and a LinearClassifier for comparison, evaluate with
steps= and name=, predict with predict_keys (one key, several keys, a key not produced),
yield_single_examples=False, and the class strings and ids decoded as users do."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common_t2 import all_vars, init_dir, meta, sgd0  # noqa: E402

LABELS = ["low", "medium", "high"]


def data(n=45, seed=12):
    rng = np.random.default_rng(seed)
    f = {"x1": rng.normal(size=n).astype(np.float32),
         "x2": rng.normal(size=(n, 2)).astype(np.float32),
         "colour": rng.choice(["red", "green", "blue"], n).astype(object),
         "w": rng.choice([0.5, 1.0, 2.0], n).astype(np.float32)}
    labels = np.array(LABELS, dtype=object)[rng.integers(0, 3, n)]
    return f, labels


def attempt(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {str(e)[:240]}"


def main(tf):
    fc = tf.feature_column
    feats, labels = data()
    tmp = os.environ["TMPDIR_PROG"]
    colour = fc.categorical_column_with_vocabulary_list("colour", ["red", "green", "blue"])
    cols = [fc.numeric_column("x1"), fc.numeric_column("x2", shape=(2,)),
            fc.indicator_column(colour)]

    def input_fn(batch=9, repeat=1):
        return lambda: tf.data.Dataset.from_tensor_slices((feats, labels)).repeat(repeat).batch(batch)

    def pred_fn():
        return tf.data.Dataset.from_tensor_slices({k: v[:6] for k, v in feats.items()}).batch(4)

    def make(md, **kw):
        return tf.estimator.DNNClassifier(hidden_units=[6, 4], feature_columns=cols, n_classes=3,
                                          label_vocabulary=LABELS, weight_column="w",
                                          model_dir=md, **kw)

    init = init_dir(tf, "multiclass", lambda d: make(d, optimizer=sgd0(tf),
                                                      config=tf.estimator.RunConfig(tf_random_seed=2)),
                    input_fn())
    dnn = make(os.path.join(tmp, "dnn"), warm_start_from=init, dropout=0.0,
               optimizer=lambda: tf.keras.optimizers.legacy.Adagrad(0.3))
    dnn.train(input_fn(repeat=2))
    out = {"gs": dnn.get_variable_value("global_step"), "vars": all_vars(dnn)}
    out["eval_steps1"] = dnn.evaluate(input_fn(), steps=1)
    ev = dnn.evaluate(input_fn(batch=20), name="full")
    out["eval_full"], out["eval_meta"] = ev, meta(ev)
    out["eval_dir"] = sorted(os.listdir(os.path.join(tmp, "dnn")))
    out["eval_dir"] = [d for d in out["eval_dir"] if d.startswith("eval")]

    preds = list(dnn.predict(pred_fn))
    out["pred_keys"] = sorted(preds[0])
    out["pred_meta"] = meta(preds[0])
    out["preds"] = preds[:2]
    out["decoded"] = [p["classes"][0].decode() for p in preds]
    out["ids"] = [int(p["class_ids"][0]) for p in preds]
    out["one_key"] = list(dnn.predict(pred_fn, predict_keys="probabilities"))[:2]
    out["two_keys"] = list(dnn.predict(pred_fn, predict_keys=["classes", "logits"]))[:2]
    out["bad_key"] = attempt(lambda: list(dnn.predict(pred_fn, predict_keys=["nope"])))
    batches = list(dnn.predict(pred_fn, yield_single_examples=False))
    out["batches"] = [len(batches), meta(batches[0]), meta(batches[1])]
    out["batch_classes"] = batches[1]["classes"]

    base = tf.estimator.BaselineClassifier(n_classes=3, label_vocabulary=LABELS, weight_column="w",
                                           model_dir=os.path.join(tmp, "base"))
    # TF: the weight alone leaves no batch size (TypeError from tf.ones([None, 3]));
    # a second non-weight feature adds assert ops that break Dataset input (see p_housing)
    base.train(lambda: tf.data.Dataset.from_tensor_slices(
        ({"w": feats["w"], "x1": feats["x1"]}, labels)).batch(9), steps=5)
    out["base_vars"] = all_vars(base)
    out["base_eval"] = base.evaluate(lambda: tf.data.Dataset.from_tensor_slices(
        ({"w": feats["w"], "x1": feats["x1"]}, labels)).batch(9))
    out["base_pred"] = next(iter(base.predict(lambda: tf.data.Dataset.from_tensor_slices(
        {"x1": feats["x1"][:2]}).batch(2))))

    lin = tf.estimator.LinearClassifier(cols[:2] + [colour], n_classes=3, label_vocabulary=LABELS,
                                        weight_column="w", model_dir=os.path.join(tmp, "lin"))
    lin.train(input_fn(), steps=4)
    out["lin_vars"] = all_vars(lin)
    out["lin_eval"] = lin.evaluate(input_fn())
    out["bad_label"] = attempt(lambda: lin.train(lambda: tf.data.Dataset.from_tensor_slices(
        (feats, np.array(["low", "huge"] * 22 + ["low"], dtype=object))).batch(9), steps=1))
    out["int_labels"] = attempt(lambda: lin.train(lambda: tf.data.Dataset.from_tensor_slices(
        (feats, np.arange(45) % 3)).batch(9), steps=1))
    return out
