#!/usr/bin/python3
"""Reference for bench/suites/22-dbscan-1m.mjs: scikit-learn's DBSCAN on the same 2-D points.

usage: /usr/bin/python3 dbscan_sklearn.py POINTS.f64 N EPS MIN_PTS LABELS_OUT.i32 CORE_OUT.u8
POINTS.f64 holds N × 2 little-endian float64 values (row-major), written by the suite. Writes the
labels (int32) and core flags (uint8) as raw little-endian arrays and prints one JSON object: wall
and CPU seconds of DBSCAN(...).fit (loading not timed), peak RSS (MiB), the neighbour algorithm scikit-learn
chose, library versions.
"""
import json
import resource
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN


def main():
    path, n, eps, min_pts, labels_out, core_out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
    X = np.fromfile(path, dtype="<f8").reshape(n, 2)
    model = DBSCAN(eps=eps, min_samples=min_pts)
    t, c = time.perf_counter(), time.process_time()
    model.fit(X)
    seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - c
    model.labels_.astype("<i4").tofile(labels_out)
    core = np.zeros(n, dtype=np.uint8)
    core[model.core_sample_indices_] = 1
    core.tofile(core_out)
    # DBSCAN does not keep its NearestNeighbors; re-derive what "auto" picks for this input
    from sklearn.neighbors import NearestNeighbors
    algorithm = NearestNeighbors(radius=eps).fit(X[: min(n, 1000)])._fit_method
    print(json.dumps({
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "algorithm": algorithm,
        "clusters": int(model.labels_.max() + 1),
        "noise": int((model.labels_ < 0).sum()),
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__},
    }))


if __name__ == "__main__":
    main()
