#!/usr/bin/env python3
"""Run a benchmark script with the cannery package of another checkout (A/B runs).

    .venv/bin/python bench/ab.py ROOT bench/bench_serving.py --runs 2

ROOT is a checkout (say ``git worktree add /tmp/base <commit>``); its ``cannery``
package is imported instead of the installed (editable) one, and the script runs as
``__main__`` with the remaining arguments. Alternate the two checkouts' runs: the
machine's speed drifts by tens of percent from minute to minute.
"""

import os
import runpy
import sys

root = os.path.abspath(sys.argv[1])
# An editable install answers imports of cannery through a finder on sys.meta_path.
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if "editable" not in type(finder).__module__
                    and "editable" not in getattr(finder, "__name__", "")]
sys.path.insert(0, root)
sys.argv = sys.argv[2:]
import cannery  # noqa: E402

if not cannery.__file__.startswith(root):
    sys.exit(f"imported cannery from {cannery.__file__}, not from {root}")
runpy.run_path(sys.argv[0], run_name="__main__")
