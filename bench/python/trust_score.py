"""Trustworthiness (Venna & Kaski 2001, k neighbours) of 2-D layouts in the original space, scored the
same way for every layout: one copy for every peer script (tsne_quality_sklearn.py, analysis_peers.py).

Trustworthiness of a 25k-point layout is O(n²) memory in sklearn, so two estimates, both on the same
seeded rows of a class for every layout:
  * "full": for SAMPLE query rows, the exact penalty Σ max(0, rank − k) of their k layout neighbours,
    ranks taken among *all* rows of the class; the mean penalty × n in sklearn's normalisation. An
    unbiased estimate of trustworthiness on the whole class.
  * "subset": sklearn.manifold.trustworthiness on SAMPLE rows alone (their neighbours among
    themselves, so a coarser scale: k neighbours of a 1-in-5 subset span ~5k of the full set).
"""
import numpy as np
from sklearn.manifold import trustworthiness


def full_estimates(X, Ys, k, queries):
    """Exact per-query penalties against all rows, scaled to the whole set, for every layout in Ys
    (the high-dimensional distances and ranks are computed once per query block for all of them)."""
    n = len(X)
    sq = (X * X).sum(1)
    penalty = np.zeros(len(Ys))
    for a in range(0, len(queries), 256):
        q = queries[a:a + 256]
        dx = sq[q, None] + sq[None, :] - 2 * X[q] @ X.T
        dx[np.arange(len(q)), q] = np.inf
        sdx = np.sort(dx, axis=1)
        for li, Y in enumerate(Ys):
            dy = ((Y[q, None, :] - Y[None, :, :]) ** 2).sum(-1)
            dy[np.arange(len(q)), q] = np.inf
            nb = np.argpartition(dy, k, axis=1)[:, :k]
            dnb = np.take_along_axis(dx, nb, 1)
            for r in range(len(q)):
                ranks = np.searchsorted(sdx[r], dnb[r], side="left") + 1
                penalty[li] += np.maximum(ranks - k, 0).sum()
    penalty *= n / len(queries)
    return [float(1 - 2.0 / (n * k * (2 * n - 3 * k - 1)) * p) for p in penalty]


def full_estimate(X, Y, k, queries):
    return full_estimates(X, [Y], k, queries)[0]


def class_trust(X, labels, layouts, k, sample):
    """Per class: both estimates for every layout (n × 2 arrays in the rows of X), on seeded rows."""
    out = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        rng = np.random.default_rng(int(c) + 1)
        pick = np.sort(rng.choice(len(rows), size=min(sample, len(rows)), replace=False))
        Xc = X[rows]
        full = full_estimates(Xc, [L[rows] for L in layouts], k, pick)
        per = [{"full": full[i], "subset": float(trustworthiness(Xc[pick], L[rows][pick], n_neighbors=k))} for i, L in enumerate(layouts)]
        out.append({"label": str(c), "n": int(len(rows)), "sample": int(len(pick)), "layouts": per})
    return out
