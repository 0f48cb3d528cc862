#!/usr/bin/python3
"""Regenerates src/probe/__fixtures__/logistic-sklearn.json: a multinomial L2 logistic regression
fitted by scikit-learn (Debian's python3-sklearn) that fitLogistic() must reproduce. newton-cg is used
because sklearn's lbfgs stops on its ftol with gradients near 3e-4, too loose for a 1e-5 comparison.

Run with Debian's interpreter: /usr/bin/python3 packages/engine/scripts/probe-fixture.py
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
n, d, k = 60, 4, 3
centres = rng.normal(size=(k, d)) * 1.5
y = np.arange(n) % k
X = centres[y] + rng.normal(size=(n, d))
X = np.round(X, 4)  # exact decimal values so JSON round-trips the same data
C = 0.5
m = LogisticRegression(C=C, multi_class="multinomial", solver="newton-cg", tol=1e-12, max_iter=100000).fit(X, y)
out = {
    "sklearn": sklearn.__version__,
    "C": C,
    "X": X.tolist(),
    "y": y.tolist(),
    "coef": m.coef_.tolist(),
    "intercept": m.intercept_.tolist(),
    "proba": m.predict_proba(X).tolist(),
}
path = pathlib.Path(__file__).resolve().parent.parent / "src/probe/__fixtures__/logistic-sklearn.json"
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}")
