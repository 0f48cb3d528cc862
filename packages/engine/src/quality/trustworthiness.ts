// Trustworthiness (Venna & Kaski 2001): how far a layout's k nearest neighbours are from being true
// neighbours in the original space. 1 = every layout neighbour is a true neighbour. Same definition
// and tie handling as sklearn.manifold.trustworthiness (exact, O(n² · dim), meant for evaluation on
// a few thousand points).
import { checkPoints } from "../cluster/dbscan.js";
import { bruteForceKnn } from "../neighbors/knn.js";
import { EngineInputError, type Points } from "../types.js";

export function trustworthiness(high: Points, low: Points, k = 5): number {
  checkPoints(high, "trustworthiness");
  checkPoints(low, "trustworthiness");
  const n = high.n;
  if (low.n !== n) throw new EngineInputError("BAD_LENGTH", "low", `trustworthiness: expected ${n} layout rows, got ${low.n}`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new EngineInputError("BAD_K", "k", `trustworthiness: expected k in 1..${Math.ceil(n / 2) - 1}, got ${k}`);
  }
  const lowKnn = bruteForceKnn(low, k);
  const { dim, data } = high;
  const d = new Float64Array(n);
  const order = new Int32Array(n);
  const rank = new Int32Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    for (let j = 0; j < n; j++) {
      if (j === i) {
        d[j] = Infinity;
        continue;
      }
      const oj = j * dim;
      let s = 0;
      for (let c = 0; c < dim; c++) {
        const v = data[oi + c]! - data[oj + c]!;
        s += v * v;
      }
      d[j] = s;
    }
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => d[a]! - d[b]! || a - b);
    for (let r = 0; r < n; r++) rank[order[r]!] = r + 1;
    for (let s = 0; s < k; s++) {
      const j = lowKnn.indices[i * k + s]!;
      const excess = rank[j]! - k;
      if (excess > 0) t += excess;
    }
  }
  return 1 - (t * 2) / (n * k * (2 * n - 3 * k - 1));
}
