#!/usr/bin/python3
"""Reference for bench/suites/21-kcenter-speed.mjs: k-center greedy (farthest-first traversal) in
plain vectorised NumPy — squared distances as ‖x‖² − 2·X·c + ‖c‖² (one BLAS gemv per step),
running minimum, argmax. Run with Debian's /usr/bin/python3.

usage: kcenter_numpy.py gen  FILE N DIM CLUSTERS SEED     writes float32 rows to FILE (raw, row-major)
       kcenter_numpy.py run  FILE N DIM K FIRST           prints JSON {seconds, order, peakRssMb}
"""
import json
import resource
import sys
import time

import numpy as np


def gen(path, n, dim, clusters, seed):
    rng = np.random.default_rng(seed)
    if clusters > 0:
        centres = rng.standard_normal((clusters, dim), dtype=np.float32)
        assign = rng.integers(0, clusters, size=n)
        X = centres[assign]
        X += np.float32(0.5) * rng.standard_normal((n, dim), dtype=np.float32)
    else:
        X = rng.standard_normal((n, dim), dtype=np.float32)
    X.astype(np.float32).tofile(path)


def run(path, n, dim, k, first):
    X = np.fromfile(path, dtype=np.float32).reshape(n, dim)
    t = time.perf_counter()
    sq = np.einsum("ij,ij->i", X, X)
    min_d = np.full(n, np.inf, dtype=np.float32)
    order = [first]
    nxt = first
    for _ in range(k - 1):
        d = sq - 2.0 * (X @ X[nxt]) + sq[nxt]
        np.minimum(min_d, d, out=min_d)
        min_d[order] = -1.0
        nxt = int(np.argmax(min_d))
        order.append(nxt)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "order": order, "peakRssMb": peak, "numpy": np.__version__}))


if __name__ == "__main__":
    cmd, path = sys.argv[1], sys.argv[2]
    args = [int(a) for a in sys.argv[3:]]
    gen(path, *args) if cmd == "gen" else run(path, *args)
