"""A LinearClassifier whose input_fn reads CSV files through list_files + interleave
(TextLineDataset) + shard + map(decode_csv) + batch; evaluate() and predictions compared."""
import os

import numpy as np


def main(tf):
    rng = np.random.default_rng(7)
    root = os.path.join(os.environ["TMPDIR_PROG"], "csv")
    os.makedirs(root)
    for k in range(5):
        with open(os.path.join(root, f"part-{k}.csv"), "w") as f:
            f.write("x,c,label\n")
            for _ in range(int(rng.integers(5, 14))):
                x = float(np.round(rng.normal(), 3))
                c = str(rng.choice(["a", "b", "c"]))
                f.write(f"{x},{c},{int(x + (c == 'b') > 0.3)}\n")
    pattern = os.path.join(root, "part-*.csv")

    def parse(line):
        x, c, label = tf.io.decode_csv(line, [[0.0], [""], [0]])
        return {"x": x, "c": c}, label

    def input_fn(shuffle_files, shard):
        def fn():
            files = tf.data.Dataset.list_files(pattern, shuffle=shuffle_files, seed=3)
            lines = files.interleave(lambda f: tf.data.TextLineDataset(f).skip(1),
                                     cycle_length=2, block_length=3)
            if shard:
                lines = lines.shard(2, 1)
            return lines.map(parse).batch(4)
        return fn

    fc = tf.feature_column
    cols = [fc.numeric_column("x"),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"]))]
    est = tf.estimator.LinearClassifier(cols, model_dir=os.path.join(os.environ["TMPDIR_PROG"], "m"))
    est.train(input_fn(True, False))
    est.train(input_fn(False, True))
    ev = est.evaluate(input_fn(False, False))
    preds = [p["logistic"] for p in est.predict(input_fn(False, False))][:6]
    variables = {n: est.get_variable_value(n) for n in est.get_variable_names()
                 if "Ftrl" not in n}
    return {"eval": ev, "pred": preds, "vars": variables}
