"""The paper's clustering step as scikit-learn peers run it (one copy for every peer script): the eps
of the knee of the sorted k-distance curve (k = minPts, the engine's rule), then DBSCAN."""
import math
import time

import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.neighbors import NearestNeighbors


def min_pts_for(n):
    return max(5, min(50, round(2 * math.log(n))))


def knee(sorted_d):
    n = len(sorted_d)
    last = max(1, min(n - 1, math.ceil(0.99 * (n - 1))))
    y = (sorted_d[: last + 1] - sorted_d[0]) / max(sorted_d[last] - sorted_d[0], 1e-300)
    x = np.arange(last + 1) / last
    return int(np.argmax(x - y))


def knee_dbscan(layout, min_pts):
    """(labels, eps, seconds for eps, seconds for DBSCAN) on a 2-D layout."""
    t = time.perf_counter()
    d, _ = NearestNeighbors(n_neighbors=min_pts).fit(layout).kneighbors(layout)
    kd = np.sort(d[:, -1])
    eps = float(kd[knee(kd)]) or 1.0
    eps_s = time.perf_counter() - t
    t = time.perf_counter()
    labels = DBSCAN(eps=eps, min_samples=min_pts).fit_predict(layout)
    return labels, eps, eps_s, time.perf_counter() - t
