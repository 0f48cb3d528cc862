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

The two estimates ("full": SAMPLE query rows ranked against the whole class; "subset":
sklearn.manifold.trustworthiness on SAMPLE rows) are trust_score.py's, shared with analysis_peers.py.
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
from trust_score import class_trust

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


def trust(emb, lab, k, sample, layouts):
    X = np.load(emb).astype(np.float64)
    labels = np.load(lab)
    print(json.dumps({"k": k, "classes": class_trust(X, labels, [np.load(f) for f in layouts], k, sample)}))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        trust(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
