# Reference for bench/suites/13-data-quality.mjs, in the same run: scikit-learn on the same features.
#   labels: out-of-sample class probabilities by 5-fold stratified cross_val_predict of
#           StandardScaler + LogisticRegression(C=1) (the engine probe's objective with l2 = 1);
#           the suite applies the same confident-learning rule to them.
#   outliers: LocalOutlierFactor(n_neighbors=20, Euclidean) within each class; score = −negative_outlier_factor_.
# argv: mode features.f32 n dim labels.json out.json
import json, sys
import numpy as np

mode, feat, n, dim, labels_file, out_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
X = np.fromfile(feat, dtype=np.float32).reshape(n, dim).astype(np.float64)
labels = json.load(open(labels_file))
classes = sorted(set(labels))
y = np.array([classes.index(l) for l in labels])
if mode == "labels":
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=200))
    P = cross_val_predict(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")
    json.dump({"classes": classes, "probabilities": P.ravel().tolist()}, open(out_file, "w"))
else:
    from sklearn.neighbors import LocalOutlierFactor
    score = np.zeros(n)
    for c in range(len(classes)):
        rows = np.where(y == c)[0]
        lof = LocalOutlierFactor(n_neighbors=min(20, len(rows) - 1))
        lof.fit(X[rows])
        score[rows] = -lof.negative_outlier_factor_
    json.dump({"scores": score.tolist()}, open(out_file, "w"))
