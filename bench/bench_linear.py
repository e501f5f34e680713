#!/usr/bin/env python3
"""LinearClassifier on the CTR data: train / evaluate / predict throughput, single-example
``predict()`` latency, peak memory and AUC (issue 5's performance section; not a test).

    .venv/bin/python bench/bench_linear.py [--train-rows 1000000] [--eval-rows 200000]
        [--batches 512,4096] [--eval-batch 4096] [--latency-calls 300]

Model: 13 ``numeric_column`` on log1p(I), 26 ``categorical_column_with_hash_bucket(C,
100_000)``, default optimizer (Ftrl), default RunConfig. Input as in the TensorFlow
reference: ``Dataset.from_tensor_slices((features, labels)).batch(B)`` over in-memory
arrays (one epoch; a dict of 39 one-dimensional columns, like TensorFlow users feed).

Data: ``bench/data/ctr_<rows>_seed<seed>.npz`` made by ``/work/shared/bench/ctr_data.py``
(1M training rows seed 1, 200k evaluation rows seed 2; generated when missing, a larger
file with the same seed is sliced instead).

Figures:

* train ex/s (steady): from a hook's timestamps after the first ``--warmup`` (50) steps,
  so numba's cache load and the session-start checkpoint are excluded; also the whole
  ``train()`` call;
* evaluate ex/s: the whole ``evaluate()`` call over the evaluation rows (restore
  included), and the eval AUC;
* batch predict ex/s: ``predict(..., yield_single_examples=False)`` over the evaluation
  rows, and with per-example dicts (the default);
* single-example latency: ``predict()`` on a one-row ``input_fn`` (a one-row Dataset,
  ``batch(1)``), warm estimator, median and p99 of ``--latency-calls`` calls;
* peak RSS (``ru_maxrss``) of the whole process (the 1M-row data set included).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

import cannery as tf
from cannery.core.hooks import SessionRunHook

GENERATOR = "/work/shared/bench/ctr_data.py"
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class StepTimes(SessionRunHook):
    """A timestamp after every step."""

    def __init__(self):
        self.times = []

    def after_run(self, run_context, run_values):
        self.times.append(time.perf_counter())


def load(rows: int, seed: int):
    os.makedirs(DATA_DIR, exist_ok=True)
    path = os.path.join(DATA_DIR, f"ctr_{rows}_seed{seed}.npz")
    if not os.path.exists(path):
        larger = sorted(
            (int(f.split("_")[1]), f) for f in os.listdir(DATA_DIR)
            if f.startswith("ctr_") and f.endswith(f"_seed{seed}.npz")
            and int(f.split("_")[1]) > rows)
        if larger:
            path = os.path.join(DATA_DIR, larger[0][1])
        else:
            subprocess.run([sys.executable, GENERATOR, "--rows", str(rows), "--seed", str(seed),
                            "--out", path], check=True)
    data = np.load(path)
    I = np.log1p(data["I"][:rows])
    C = data["C"][:rows]
    features = {f"I{j + 1}": I[:, j] for j in range(I.shape[1])}
    features.update({f"C{j + 1}": C[:, j] for j in range(C.shape[1])})
    return features, data["label"][:rows]


def columns():
    fc = tf.feature_column
    return ([fc.numeric_column(f"I{j + 1}") for j in range(13)]
            + [fc.categorical_column_with_hash_bucket(f"C{j + 1}", 100_000) for j in range(26)])


def dataset_fn(features, labels, batch):
    def input_fn():
        if labels is None:
            return tf.data.Dataset.from_tensor_slices(features).batch(batch)
        return tf.data.Dataset.from_tensor_slices((features, labels)).batch(batch)
    return input_fn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-rows", type=int, default=1_000_000)
    parser.add_argument("--eval-rows", type=int, default=200_000)
    parser.add_argument("--batches", default="512,4096")
    parser.add_argument("--eval-batch", type=int, default=4096)
    parser.add_argument("--warmup", type=int, default=50, help="untimed first train steps")
    parser.add_argument("--latency-calls", type=int, default=300)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--train-only", action="store_true",
                        help="stop after the training runs (no evaluate / predict / latency)")
    parser.add_argument("--no-prefetch", action="store_true",
                        help="make every batch on the training thread (no input thread): "
                             "shows what the prefetch thread gains or costs on this machine")
    args = parser.parse_args()
    if args.no_prefetch:
        from cannery.core import inputs

        iterate = inputs.iterate_batches
        inputs.iterate_batches = lambda result, **kw: iterate(
            result, **{**kw, "prefetch": False})
    logging.getLogger("cannery").setLevel(logging.WARNING)

    train_x, train_y = load(args.train_rows, 1)
    eval_x, eval_y = load(args.eval_rows, 2)
    results = {"train_rows": args.train_rows, "eval_rows": args.eval_rows}
    first = None
    for batch in [int(b) for b in args.batches.split(",")]:
        model_dir = tempfile.mkdtemp(prefix=f"bench_linear_{batch}_")
        estimator = tf.estimator.LinearClassifier(columns(), model_dir=model_dir)
        hook = StepTimes()
        start, cpu_start = time.perf_counter(), time.process_time()
        estimator.train(dataset_fn(train_x, train_y, batch), hooks=[hook])
        total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        t = hook.times
        warmup = min(args.warmup, len(t) // 4)
        steady = (len(t) - 1 - warmup) * batch / (t[-1] - t[warmup])
        results[f"train_b{batch}"] = {"steady_ex_s": steady,
                                      "whole_call_ex_s": args.train_rows / total,
                                      "steps": len(t), "seconds": total, "cpu_seconds": cpu}
        # CPU time counts every thread (the input thread too), so cpu > wall means
        # the two overlapped on two cores.
        print(f"train batch {batch}: steady {steady:,.0f} ex/s; whole train() "
              f"{args.train_rows / total:,.0f} ex/s ({total:.2f} s wall, {cpu:.2f} s CPU, "
              f"{len(t)} steps)", flush=True)
        if args.train_only:
            shutil.rmtree(model_dir, ignore_errors=True)  # checkpoints of ~100 MB each
            continue

        eval_fn = dataset_fn(eval_x, eval_y, args.eval_batch)
        start = time.perf_counter()
        metrics = estimator.evaluate(eval_fn)
        seconds = time.perf_counter() - start
        results[f"evaluate_b{batch}"] = {
            "ex_s": args.eval_rows / seconds, "auc": float(metrics["auc"]),
            "loss": float(metrics["loss"]), "accuracy": float(metrics["accuracy"])}
        print(f"evaluate (model trained at batch {batch}): {args.eval_rows / seconds:,.0f} ex/s, "
              f"AUC {metrics['auc']:.4f}, loss {metrics['loss']:.4f}", flush=True)
        if first is None:
            first = estimator
        else:
            shutil.rmtree(model_dir, ignore_errors=True)
    if args.train_only:
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(results, f, indent=2)
        return
    # predict with the model trained at the first batch size (512 by default)
    estimator = first

    predict_fn = dataset_fn(eval_x, None, args.eval_batch)
    list(estimator.predict(dataset_fn({k: v[:8] for k, v in eval_x.items()}, None, 8)))
    start = time.perf_counter()
    n = sum(len(p["logistic"]) for p in estimator.predict(predict_fn,
                                                          yield_single_examples=False))
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    n_single = sum(1 for _ in estimator.predict(predict_fn))
    seconds_single = time.perf_counter() - start
    assert n == n_single == args.eval_rows
    results["predict"] = {"batches_ex_s": n / seconds, "single_dicts_ex_s": n / seconds_single}
    print(f"batch predict: {n / seconds:,.0f} ex/s (batch dicts), "
          f"{n / seconds_single:,.0f} ex/s (one dict per example)", flush=True)

    one_row = dataset_fn({k: v[:1] for k, v in eval_x.items()}, None, 1)
    for _ in range(5):
        list(estimator.predict(one_row))
    times = []
    for _ in range(args.latency_calls):
        start = time.perf_counter()
        prediction = list(estimator.predict(one_row))
        times.append(time.perf_counter() - start)
    assert len(prediction) == 1
    times = np.array(times) * 1e3
    results["single_predict_ms"] = {"median": float(np.median(times)),
                                    "p99": float(np.percentile(times, 99)),
                                    "min": float(times.min())}
    print(f"single-example predict(): median {np.median(times):.3f} ms, "
          f"p99 {np.percentile(times, 99):.3f} ms, min {times.min():.3f} ms", flush=True)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_rss_mb"] = peak
    print(f"peak RSS: {peak:,.0f} MB", flush=True)
    shutil.rmtree(estimator.model_dir, ignore_errors=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
