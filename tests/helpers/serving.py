"""Serving checks that need threads or a forked process."""

import os
import threading

import numpy as np


def mismatches_from_threads(predictor, rows, threads: int = 4, rounds: int = 3) -> list:
    """The rows whose logits differ from a single-threaded answer when ``threads``
    server threads share ``predictor``, each predicting every row ``rounds`` times."""
    expected = [predictor.predict(row)["logits"] for row in rows]
    mismatches = []

    def serve():
        for row, want in zip(rows * rounds, expected * rounds):
            if not np.array_equal(predictor.predict(row)["logits"], want):
                mismatches.append(row)

    workers = [threading.Thread(target=serve) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return mismatches


def logits_in_forked_child(predictor, row) -> tuple[int, bytes]:
    """``(exit status, logits bytes)`` of ``predictor.predict(row)`` in a child forked
    now (the parent has usually served already, so numba's threads were started)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.write(write_end, predictor.predict(row)["logits"].tobytes())
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    received = os.read(read_end, 4096)
    os.close(read_end)
    return status, received
