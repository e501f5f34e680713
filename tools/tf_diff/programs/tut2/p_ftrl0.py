import os
def main(tf):
    import numpy as np
    out = {}
    for name, opt in [("keras0", lambda: tf.keras.optimizers.legacy.Ftrl(0.0)),
                      ("keras_neg", lambda: tf.keras.optimizers.legacy.Ftrl(-0.1)),
                      ("v1_0", lambda: tf.compat.v1.train.FtrlOptimizer(0.0))]:
        md = os.path.join(os.environ["TMPDIR_PROG"], name)
        est = tf.estimator.LinearClassifier([tf.feature_column.numeric_column("x"),
            tf.feature_column.categorical_column_with_vocabulary_list("c", ["a", "b"])], model_dir=md, optimizer=opt)
        try:
            est.train(lambda: ({"x": np.array([1.0, 2.0], np.float32), "c": np.array(["a", "b"])}, np.array([0, 1])), steps=1)
            out[name] = "ok"
        except Exception as e:
            out[name] = type(e).__name__ + ": " + str(e).splitlines()[-1 if "Graph" not in str(e) else 4][:200]
        out[name + "_ckpts"] = sorted(f for f in os.listdir(md) if f.startswith("model.ckpt") and (f.endswith(".index") or "." not in f[11:])) if os.path.isdir(md) else None
    return out
