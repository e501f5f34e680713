#!/usr/bin/env python3
"""Where a LinearClassifier training step goes (issue 5's benchmark, taken apart; not a test).

    .venv/bin/python bench/bench_linear_parts.py [--train-rows 1000000] [--batch 512] [--runs 2]
    .venv/bin/python bench/bench_linear_parts.py --phases [--steps 1500]

Trains the bench_linear.py model for one epoch and reports, after ``--warmup`` steps:

* the step's wall time and the main thread's CPU time (medians of 100-step windows and
  their best; CPU well under wall means the step waited for the input thread or for
  a core);
* each kernel's time per call, timed in place by wrapping it (``linear_forward``,
  ``linear_scatter_dedup``, ``ftrl_sparse`` and ``sigmoid_cross_entropy`` run on the
  main thread; ``linear_dedup_plan`` and ``hash_bucket_group_ucs4`` on the input thread).
  The wrappers add about a microsecond per call.

``--phases`` instead runs ``--steps`` batches, their column transforms done beforehand,
through the estimator's own step functions on one thread (no input thread, no GIL
handoffs, no hooks) and reports the median of each phase: forward, loss, backward and
the optimizer's update.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cannery as tf  # noqa: E402
from bench_linear import columns, dataset_fn, load  # noqa: E402
from cannery.core.hooks import SessionRunHook  # noqa: E402
from cannery.core.kernels import columns as column_kernels  # noqa: E402
from cannery.core.kernels import losses, optimizers, sparse  # noqa: E402

KERNELS = [(sparse, "linear_forward"), (sparse, "linear_scatter_dedup"),
           (optimizers, "ftrl_sparse"), (losses, "sigmoid_cross_entropy"),
           (sparse, "linear_dedup_plan"), (column_kernels, "hash_bucket_group_ucs4")]


class StepClock(SessionRunHook):
    def __init__(self):
        self.wall, self.cpu = [], []

    def after_run(self, run_context, run_values):
        self.wall.append(time.perf_counter())
        self.cpu.append(time.thread_time())


def wrap_kernels() -> dict:
    """Replace each kernel by a timing wrapper (callers look them up at call time)."""
    times = {}
    for module, name in KERNELS:
        kernel = getattr(module, name)
        calls = times[name] = []

        def timed(*args, _kernel=kernel, _calls=calls):
            start = time.perf_counter()
            result = _kernel(*args)
            _calls.append(time.perf_counter() - start)
            return result

        setattr(module, name, timed)
    return times


def phases(x, y, batch: int, steps: int, warmup: int) -> None:
    """Median time of each phase of a training step, one thread (see the docstring)."""
    from cannery.core.estimator import _backward
    from cannery.core.features import FeatureCache

    estimator = tf.estimator.LinearClassifier(columns(), model_dir=tempfile.mkdtemp())
    estimator.train(dataset_fn(x, y, batch), steps=1)
    state = estimator._restore(for_training=True)
    shutil.rmtree(estimator.model_dir, ignore_errors=True)  # the state is in memory now
    estimator._attach_trainers(state)
    network = estimator._get_definition().parts[0].network
    trainer = state.trainers[0]
    prepared = []
    for s in range(steps):
        cache = FeatureCache({k: v[s * batch:(s + 1) * batch] for k, v in x.items()})
        try:
            network.prepare(cache, training=True)
        except TypeError:  # code from before prepare took training (to compare with it)
            network.prepare(cache)
        prepared.append((cache, y[s * batch:(s + 1) * batch]))
    times = {"forward": [], "loss": [], "backward": [], "optimizer": []}
    for s, (cache, labels) in enumerate(prepared):
        t0 = time.perf_counter()
        _, logits, contexts = estimator._forward(state, cache, training=True)
        t1 = time.perf_counter()
        _, _, loss = estimator._loss(cache, logits, labels)
        t2 = time.perf_counter()
        grads = _backward(network, contexts[0], loss.d_logits, state.variables, trainer)
        t3 = time.perf_counter()
        trainer.optimizer.apply(state.variables, grads, trainer.state, state.global_step)
        t4 = time.perf_counter()
        state.global_step += 1
        if s >= warmup:
            for name, seconds in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                times[name].append(seconds)
    medians = {name: np.median(v) * 1e6 for name, v in times.items()}
    print("  ".join(f"{name} {us:.0f} us" for name, us in medians.items())
          + f"; all {sum(medians.values()):.0f} us (medians of {steps - warmup} steps)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--phases", action="store_true",
                        help="time the step's phases on one thread instead")
    parser.add_argument("--steps", type=int, default=1500, help="batches for --phases")
    args = parser.parse_args()
    logging.getLogger("cannery").setLevel(logging.WARNING)
    x, y = load(args.train_rows, 1)
    if args.phases:
        for _ in range(args.runs):
            phases(x, y, args.batch, args.steps, max(args.warmup, 100))
        return
    times = wrap_kernels()
    print(f"# load average {os.getloadavg()[0]:.2f}")
    for run in range(args.runs):
        for calls in times.values():
            calls.clear()
        clock = StepClock()
        estimator = tf.estimator.LinearClassifier(columns(), model_dir=tempfile.mkdtemp())
        estimator.train(dataset_fn(x, y, args.batch), hooks=[clock])
        shutil.rmtree(estimator.model_dir, ignore_errors=True)  # ~100 MB of checkpoints
        wall = np.array(clock.wall[args.warmup:])
        cpu = np.array(clock.cpu[args.warmup:])
        windows = range(0, len(wall) - 100, 50)
        wall_w = np.array([(wall[i + 100] - wall[i]) / 100 for i in windows]) * 1e6
        cpu_w = np.array([(cpu[i + 100] - cpu[i]) / 100 for i in windows]) * 1e6
        print(f"run {run + 1}: step wall {np.median(wall_w):.0f} us (best window "
              f"{wall_w.min():.0f}), main-thread CPU {np.median(cpu_w):.0f} us (best "
              f"{cpu_w.min():.0f}); {args.batch * 1e6 / np.median(wall_w):,.0f} ex/s")
        for name, calls in times.items():
            if calls:
                per_call = np.array(calls[args.warmup:]) * 1e6
                print(f"  {name:24s} median {np.median(per_call):6.0f} us, "
                      f"p25 {np.percentile(per_call, 25):6.0f} us ({len(per_call)} calls)")
    print(f"# load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
