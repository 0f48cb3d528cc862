#!/usr/bin/python3
"""Peers and scorer for bench/suites/24-analysis-peers.mjs (issue 13's two analysis targets).

usage:
  /usr/bin/python3 analysis_peers.py check
      Prints the versions of umap-learn, scikit-learn and numpy as JSON; exits 3 when one is missing.
  /usr/bin/python3 analysis_peers.py umap EMBEDDINGS.npy LABELS.npy LAYOUT_OUT.npy
      umap-learn, per class: scikit-learn PCA(50) → umap.UMAP with its defaults (n_neighbors 15,
      min_dist 0.1, spectral init, 200 epochs above 10,000 rows, NN-descent from pynndescent) →
      knee eps → DBSCAN (knee_dbscan.py, the engine's rule). No random_state: umap-learn runs
      single-threaded when one is set, and it is to use its threads (NUMBA_NUM_THREADS, set by the
      suite). numba compiles on first use: a warm-up fit on 300 rows runs first, timed apart
      ("startUpSeconds", with the imports), so "wallSeconds" is the analysis alone.
  /usr/bin/python3 analysis_peers.py tsne EMBEDDINGS.npy LABELS.npy LAYOUT_OUT.npy
      scikit-learn, per class: PCA(50) → Barnes–Hut TSNE (perplexity 30, init "pca", learning_rate
      "auto", n_iter = engine_speed_sklearn.TSNE_ITERATIONS = our 750, 250 exaggerated in both),
      n_jobs=2 → knee eps → DBSCAN.
  /usr/bin/python3 analysis_peers.py trust EMBEDDINGS.npy LABELS.npy K SAMPLE LAYOUT.npy...
      trust_score.class_trust on every layout: one scorer, the same seeded rows for every layout.
Layouts are written n × 2 float64 in input row order. Each command prints one JSON object last.
"""
import json
import os
import resource
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def per_class(emb, lab, out, reduce_fn):
    from knee_dbscan import knee_dbscan, min_pts_for
    from sklearn.decomposition import PCA

    X = np.load(emb)
    labels = np.load(lab)
    layout = np.zeros((len(X), 2))
    stages = {"pca": 0.0, "layout": 0.0, "eps": 0.0, "dbscan": 0.0}
    classes = []
    t_all = time.perf_counter()
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        Xc = X[rows]
        n = len(Xc)
        min_pts = min_pts_for(n)
        t = time.perf_counter()
        Y = PCA(n_components=50, svd_solver="full", random_state=0).fit_transform(Xc) if Xc.shape[1] > 50 else Xc
        stages["pca"] += time.perf_counter() - t
        t = time.perf_counter()
        L, info = reduce_fn(Y)
        stages["layout"] += time.perf_counter() - t
        db, eps, eps_s, db_s = knee_dbscan(L, min_pts)
        stages["eps"] += eps_s
        stages["dbscan"] += db_s
        layout[rows] = L
        classes.append({"label": str(c), "n": int(n), "groups": int(db.max() + 1), "noise": int((db < 0).sum()), "eps": eps, "minPts": min_pts, **info})
    total = time.perf_counter() - t_all
    np.save(out, layout)
    return {"wallSeconds": total, "stages": stages, "peakRssMiB": peak_mib(), "classes": classes}


def run_umap(emb, lab, out):
    import numba
    import sklearn
    import umap

    # numba's JIT compiles on the first fit: pay it on a small input, outside the timed analysis
    t = time.perf_counter()
    umap.UMAP().fit_transform(np.random.default_rng(0).normal(size=(300, 50)).astype(np.float32))
    warm = time.perf_counter() - t
    start_up = time.perf_counter() - T_START

    def reduce_fn(Y):
        u = umap.UMAP(n_neighbors=15, min_dist=0.1)
        L = u.fit_transform(Y)
        # n_epochs None = umap-learn's default: 500 up to 10,000 rows, else 200
        return L, {"epochs": int(u.n_epochs) if u.n_epochs is not None else (500 if len(Y) <= 10000 else 200)}

    r = per_class(emb, lab, out, reduce_fn)
    r.update({"startUpSeconds": start_up, "warmUpFitSeconds": warm, "numbaThreads": int(numba.get_num_threads()),
              "versions": {"umap": umap.__version__, "sklearn": sklearn.__version__, "numba": numba.__version__, "numpy": np.__version__}})
    print(json.dumps(r))


def run_tsne(emb, lab, out):
    import sklearn
    from engine_speed_sklearn import TSNE_ITERATIONS
    from sklearn.manifold import TSNE

    n_jobs = 2

    def reduce_fn(Y):
        tsne = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", n_iter=TSNE_ITERATIONS, random_state=0, n_jobs=n_jobs)
        L = tsne.fit_transform(Y)
        return L, {"iterations": int(tsne.n_iter_), "klDivergence": float(tsne.kl_divergence_)}

    r = per_class(emb, lab, out, reduce_fn)
    r.update({"nJobs": n_jobs, "tsneIterations": TSNE_ITERATIONS, "startUpSeconds": time.perf_counter() - T_START - r["wallSeconds"],
              "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}})
    print(json.dumps(r))


def check():
    versions = {}
    missing = []
    for mod in ("umap", "sklearn", "numba"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError as e:
            missing.append(f"{mod} ({e})")
    versions["numpy"] = np.__version__
    print(json.dumps({"versions": versions, "missing": missing}))
    sys.exit(3 if missing else 0)


def trust(emb, lab, k, sample, layouts):
    from trust_score import class_trust

    X = np.load(emb).astype(np.float64)
    labels = np.load(lab)
    t = time.perf_counter()
    classes = class_trust(X, labels, [np.load(f) for f in layouts], k, sample)
    print(json.dumps({"k": k, "sample": sample, "seconds": time.perf_counter() - t, "classes": classes}))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    cmd = sys.argv[1]
    if cmd == "check":
        check()
    elif cmd == "umap":
        run_umap(*sys.argv[2:5])
    elif cmd == "tsne":
        run_tsne(*sys.argv[2:5])
    elif cmd == "trust":
        trust(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
    else:
        sys.exit(f"analysis_peers.py: unknown command {cmd!r}")
