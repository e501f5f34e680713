"""Helpers shared by the tut2 programs (tutorial-shaped end-to-end runs)."""
import os

import numpy as np

CACHE = os.environ.get("TF_DIFF_CACHE", "/tmp/tf_diff_cache")
INIT_ROOT = os.path.join(CACHE, "tut2")


def is_tf(tf):
    return tf.__name__ == "tensorflow"


def init_dir(tf, key, make_estimator, input_fn, steps=1):
    """A TF checkpoint made by `steps` steps at learning rate 0 (created by the TF run)."""
    d = os.path.join(INIT_ROOT, key)
    if is_tf(tf) and not os.path.exists(os.path.join(d, "checkpoint")):
        make_estimator(d).train(input_fn, steps=steps)
    return d


def sgd0(tf):
    return tf.keras.optimizers.legacy.SGD(learning_rate=0.0)


def all_vars(est):
    return {n: est.get_variable_value(n) for n in est.get_variable_names()}


def meta(d):
    """dtype and shape of every value of a dict (metrics, a prediction)."""
    return {k: [str(np.asarray(v).dtype), list(np.asarray(v).shape)] for k, v in d.items()}


def files(md):
    """What a model_dir holds, in terms both sides share: checkpoint steps (cannery's one
    msgpack file per checkpoint stands for TF's .index/.data/.meta), the `checkpoint`
    state file's entries, sub-directories, and whether event files exist."""
    import re
    steps, dirs, other = set(), set(), set()
    for root, dnames, names in os.walk(md):
        rel = os.path.relpath(root, md)
        if rel.split(os.sep)[0] == "export":
            continue  # timestamps and SavedModel formats differ; programs count exports
        if rel != ".":
            dirs.add(rel)
        for n in names:
            m = re.match(r"model\.ckpt-(\d+)", n)
            if m and rel == ".":
                steps.add(int(m.group(1)))
            elif n.startswith("events.out.tfevents") or n in ("graph.pbtxt", "results.jsonl"):
                continue
            else:
                other.add(n if rel == "." else os.path.join(rel, n))
    state = []
    if os.path.exists(os.path.join(md, "checkpoint")):
        state = [line.strip() for line in open(os.path.join(md, "checkpoint"))]
    return {"steps": sorted(steps), "dirs": sorted(dirs), "other": sorted(other),
            "state": state}


def census(n=120, seed=0):
    """A small census-like DataFrame and its 0/1 label Series."""
    import pandas as pd
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.integers(17, 80, n).astype(np.int64),
        "education": rng.choice(["Bachelors", "HS-grad", "Masters", "Doctorate", "Some-college"], n),
        "occupation": rng.choice(["Tech-support", "Sales", "Exec-managerial", "Craft-repair",
                                  "Adm-clerical", "Farming-fishing"], n),
        "gender": rng.choice(["Male", "Female"], n),
        "hours_per_week": rng.uniform(10, 60, n).round(1),
        "capital_gain": rng.choice([0.0, 0.0, 0.0, 2174.0, 14084.0], n),
    })
    for key in ("education", "occupation", "gender"):
        # pandas 3 stores strings as StringDtype, which TF's feeding functions refuse;
        # tutorials of TF 2.15's time had object columns.
        df[key] = df[key].astype(object)
    y = pd.Series((rng.uniform(size=n) < 0.3).astype(np.int64), name="income_bracket")
    return df, y
