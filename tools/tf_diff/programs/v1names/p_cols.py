"""v1 variable names with embedding, shared-embedding, crossed and weighted columns,
batch norm, and both parts of a wide & deep model on Adam."""
import numpy as np, os
def md(n): return os.path.join(os.environ["TMPDIR_PROG"], n)
def main(tf):
    fc = tf.feature_column
    rng = np.random.default_rng(0)
    n = 32
    feats = {"x": rng.normal(size=n).astype(np.float32), "c": rng.choice(["a", "b", "c", "d"], size=n),
             "d": rng.choice(["p", "q", "r"], size=n), "w": rng.uniform(0.5, 2, size=n).astype(np.float32)}
    labels = rng.integers(0, 2, n)
    num = fc.numeric_column("x")
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    dcat = fc.categorical_column_with_vocabulary_list("d", ["p", "q", "r"])
    wcat = fc.weighted_categorical_column(dcat, "w")
    cross = fc.crossed_column(["c", "d"], 5)
    buck = fc.bucketized_column(num, [-1.0, 0.0, 1.0])
    emb = fc.embedding_column(cat, 2)
    sh = [fc.embedding_column(dcat, 3)]
    V1 = tf.compat.v1.train
    def input_fn():
        return tf.data.Dataset.from_tensor_slices((feats, labels)).batch(8)
    E = tf.compat.v1.estimator
    out = {}
    def record(key, est):
        try:
            est.train(input_fn, steps=2)
            out[key] = {nm: str(est.get_variable_value(nm).shape) for nm in est.get_variable_names()}
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)[:300]
    record("dnn_emb", E.DNNClassifier([3, 2], [num, emb] + sh, model_dir=md("d1")))
    record("dnn_emb_adam", E.DNNClassifier([3], [num, emb], optimizer=V1.AdamOptimizer(0.01), model_dir=md("d2")))
    record("dnn_bn", E.DNNClassifier([3], [num, emb], batch_norm=True, model_dir=md("d3")))
    record("lin_cols", E.LinearClassifier([num, buck, cross, wcat, cat], model_dir=md("l1")))
    record("lin_emb", E.LinearClassifier([num, emb], model_dir=md("l2")))
    record("dlc", E.DNNLinearCombinedClassifier(model_dir=md("c1"), linear_feature_columns=[buck, cross],
           dnn_feature_columns=[emb, num], dnn_hidden_units=[2], batch_norm=True))
    record("dlc_adam", E.DNNLinearCombinedClassifier(model_dir=md("c2"), linear_feature_columns=[buck],
           dnn_feature_columns=[num], dnn_hidden_units=[2], linear_optimizer=V1.AdamOptimizer(0.01, beta1=0.5),
           dnn_optimizer=V1.AdamOptimizer(0.01, beta1=0.8, name="DnnAdam")))
    out["dlc_adam_b1"] = {k: float(np.asarray(tf.train.load_variable(md("c2"), k))) for k in
                          ["head/beta1_power", "head/beta1_power_1"]} if not isinstance(out["dlc_adam"], str) and "head/beta1_power_1" in out["dlc_adam"] else None
    record("dlc_lin_adam", E.DNNLinearCombinedClassifier(model_dir=md("c3"), linear_feature_columns=[buck],
           linear_optimizer=V1.AdamOptimizer(0.01)))
    record("named", E.DNNClassifier([3], [num], optimizer=V1.RMSPropOptimizer(0.01, name="Rp"), model_dir=md("d4")))
    record("named_ftrl", E.LinearClassifier([num], optimizer=V1.FtrlOptimizer(0.01, name="F", accum_name="acc", linear_name="lin"), model_dir=md("l4")))
    return out
