#!/usr/bin/python3
"""Reference and scorer for bench/suites/23-tsne-quality.mjs.

usage:
  /usr/bin/python3 tsne_quality_sklearn.py run EMBEDDINGS.npy LABELS.npy LAYOUT_OUT.npy
      scikit-learn PCA(50) → Barnes–Hut TSNE (its defaults: perplexity 30, early exaggeration 12 for
      250 iterations, n_iter 1000, init="pca", learning_rate="auto", angle 0.5; n_jobs=2) → knee eps →
      DBSCAN, per class (as Stratum's analyze does). Writes the n × 2 layout (rows in input order,
      float64) and prints one JSON object: wall seconds per stage and in total, peak RSS, versions.
  /usr/bin/python3 tsne_quality_sklearn.py trust EMBEDDINGS.npy LABELS.npy K SAMPLE LAYOUT.npy...
      Trustworthiness (Venna & Kaski 2001) of every layout, per class, in the original space, scored
      the same way for every layout. Prints one JSON object.

Trustworthiness of a 25k-point layout is O(n²) memory in sklearn, so two estimates, both on the same
seeded rows for every layout:
  * "full": for SAMPLE query rows, the exact penalty Σ max(0, rank − k) of their k layout neighbours,
    ranks taken among *all* rows of the class; the mean penalty × n in sklearn's normalisation. An
    unbiased estimate of trustworthiness on the whole class.
  * "subset": sklearn.manifold.trustworthiness on SAMPLE rows alone (their neighbours among
    themselves, so a coarser scale: k neighbours of a 1-in-5 subset span ~5k of the full set).
"""
import json
import resource
import sys
import time

import numpy as np
import sklearn
from knee_dbscan import knee_dbscan, min_pts_for
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness

N_JOBS = 2


def run(emb, lab, out):
    X = np.load(emb)
    labels = np.load(lab)
    layout = np.zeros((len(X), 2))
    stages = {"pca": 0.0, "tsne": 0.0, "eps": 0.0, "dbscan": 0.0}
    classes = []
    t_all = time.perf_counter()
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        Xc = X[rows]
        n = len(Xc)
        min_pts = min_pts_for(n)
        t = time.perf_counter()
        Y = PCA(n_components=50, svd_solver="full", random_state=0).fit_transform(Xc)
        stages["pca"] += time.perf_counter() - t
        t = time.perf_counter()
        tsne = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", random_state=0, n_jobs=N_JOBS)
        L = tsne.fit_transform(Y)
        stages["tsne"] += time.perf_counter() - t
        db, eps, eps_s, db_s = knee_dbscan(L, min_pts)
        stages["eps"] += eps_s
        stages["dbscan"] += db_s
        layout[rows] = L
        classes.append({"label": str(c), "n": int(n), "groups": int(db.max() + 1), "noise": int((db < 0).sum()),
                        "iterations": int(tsne.n_iter_), "klDivergence": float(tsne.kl_divergence_)})
    total = time.perf_counter() - t_all
    np.save(out, layout)
    print(json.dumps({"wallSeconds": total, "stages": stages, "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "classes": classes, "nJobs": N_JOBS, "tsne": tsne.get_params(),
                      "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}}, default=str))


def full_estimate(X, Y, k, queries):
    """Exact per-query penalties against all rows, scaled to the whole set."""
    n = len(X)
    sq = (X * X).sum(1)
    penalty = 0.0
    for a in range(0, len(queries), 256):
        q = queries[a:a + 256]
        dy = ((Y[q, None, :] - Y[None, :, :]) ** 2).sum(-1)
        dy[np.arange(len(q)), q] = np.inf
        nb = np.argpartition(dy, k, axis=1)[:, :k]
        dx = sq[q, None] + sq[None, :] - 2 * X[q] @ X.T
        dx[np.arange(len(q)), q] = np.inf
        dnb = np.take_along_axis(dx, nb, 1)
        for r in range(len(q)):
            ranks = np.searchsorted(np.sort(dx[r]), dnb[r], side="left") + 1
            penalty += np.maximum(ranks - k, 0).sum()
    penalty *= n / len(queries)
    return 1 - 2.0 / (n * k * (2 * n - 3 * k - 1)) * penalty


def trust(emb, lab, k, sample, layouts):
    X = np.load(emb).astype(np.float64)
    labels = np.load(lab)
    Ls = [np.load(f) for f in layouts]
    out = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        rng = np.random.default_rng(int(c) + 1)
        pick = np.sort(rng.choice(len(rows), size=min(sample, len(rows)), replace=False))
        Xc = X[rows]
        per = []
        for L in Ls:
            Lc = L[rows]
            per.append({"full": float(full_estimate(Xc, Lc, k, pick)),
                        "subset": float(trustworthiness(Xc[pick], Lc[pick], n_neighbors=k))})
        out.append({"label": str(c), "n": int(len(rows)), "sample": int(len(pick)), "layouts": per})
    print(json.dumps({"k": k, "classes": out}))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        trust(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
