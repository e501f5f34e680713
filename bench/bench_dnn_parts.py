"""PartTimes and the serving breakdown wrappers shared by bench_dnn.py and bench_serving.py."""

import time

import numpy as np


class PartTimes:
    """Wraps methods to record (thread CPU, wall) seconds per call, by label."""

    def __init__(self):
        self.times: dict = {}
        self._undo = []

    def wrap(self, owner, name, label):
        original = getattr(owner, name)
        times = self.times.setdefault(label, [])

        def timed(*args, **kwargs):
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                times.append((time.thread_time() - cpu, time.perf_counter() - wall))

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self):
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def report(self, title, skip, unit=1e3, unit_name="ms"):
        print(title)
        for label, values in self.times.items():
            values = np.array(values[skip:]) * unit
            if len(values):
                print(f"  {label:44s} CPU {np.median(values[:, 0]):8.2f} {unit_name}   wall "
                      f"{np.median(values[:, 1]):8.2f} {unit_name}   ({len(values)} calls, medians)")


def serving_parts(predictor):
    network = predictor._estimator._get_definition().parts[0].network
    group = network._table_groups[0]
    parts = PartTimes()
    parts.wrap(predictor, "predict", "predict")
    parts.wrap(predictor, "_validate", "  input validation")
    parts.wrap(network, "input_layer", "  input layer")
    parts.wrap(type(group.columns[0].categorical_column), "transform_ids_group",
               "    hashing (26 columns, one kernel)")
    parts.wrap(type(network._dense_groups[0][0][0]), "dense_forward_group",
               "    numeric columns (one group)")
    parts.wrap(type(group.columns[0]), "table_group_forward", "    embedding lookups (one kernel)")
    parts.wrap(network, "_few_rows_forward", "  dense layers (few-row kernels, split over the cores)")
    parts.wrap(type(predictor._estimator.head), "predictions", "  head predictions")
    return parts
