#!/usr/bin/python3
"""Reference for bench/suites/20-engine-speed.mjs: scikit-learn's PCA → TSNE → DBSCAN per class.

usage: /usr/bin/python3 engine_speed_sklearn.py EMBEDDINGS.npy LABELS.npy
Prints one JSON object: wall seconds per stage and in total, peak RSS (MiB), library versions.
Same steps as Stratum's analyze(reduce="tsne"): PCA to 50 components, Barnes–Hut t-SNE (perplexity 30,
init="pca", learning_rate="auto", n_iter=750 — Stratum's iteration count, 250 of them exaggerated in both;
scikit-learn 1.2's default is 1000), eps from the knee of the sorted k-distance curve (k = minPts − 1,
same rule as the engine), DBSCAN. Data loading is not timed.
"""
import json
import resource
import sys
import time

import numpy as np
import sklearn
from knee_dbscan import knee_dbscan, min_pts_for
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

# Stratum's t-SNE runs 750 iterations (250 with early exaggeration); sklearn's exaggeration phase is
# also 250, so n_iter=750 makes the two optimisers do the same work. (Named max_iter from sklearn 1.5.)
TSNE_ITERATIONS = 750


def main():
    X = np.load(sys.argv[1])
    labels = np.load(sys.argv[2])
    stages = {"pca": 0.0, "tsne": 0.0, "eps": 0.0, "dbscan": 0.0}
    classes = []
    t_all = time.perf_counter()
    for c in np.unique(labels):
        Xc = X[labels == c]
        n = len(Xc)
        min_pts = min_pts_for(n)
        t = time.perf_counter()
        Y = PCA(n_components=50, svd_solver="full", random_state=0).fit_transform(Xc) if Xc.shape[1] > 50 else Xc
        stages["pca"] += time.perf_counter() - t
        t = time.perf_counter()
        L = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", n_iter=TSNE_ITERATIONS, random_state=0).fit_transform(Y)
        stages["tsne"] += time.perf_counter() - t
        lab, eps, eps_s, db_s = knee_dbscan(L, min_pts)
        stages["eps"] += eps_s
        stages["dbscan"] += db_s
        classes.append({"label": str(c), "n": int(n), "groups": int(lab.max() + 1), "noise": int((lab < 0).sum()), "eps": eps, "minPts": min_pts})
    total = time.perf_counter() - t_all
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wallSeconds": total, "stages": stages, "peakRssMiB": peak_mib, "classes": classes,
                      "tsneIterations": TSNE_ITERATIONS, "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}}))


if __name__ == "__main__":
    main()
