// Mutual information and adjusted mutual information (Vinh, Epps & Bailey, JMLR 2010), with the
// arithmetic-mean normaliser, as scikit-learn's adjusted_mutual_info_score (natural logs). The
// expected MI under the hypergeometric model follows sklearn's expected_mutual_information.
import type { Contingency } from "./contingency.js";
import { lgamma } from "./gamma.js";

export function mutualInformation(t: Contingency): number {
  const n = t.total;
  if (n === 0) return 0;
  let mi = 0;
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) {
      const nij = t.counts[r * t.cols + c]!;
      if (nij === 0) continue;
      mi += (nij / n) * (Math.log(nij) + Math.log(n) - Math.log(t.rowSums[r]!) - Math.log(t.colSums[c]!));
    }
  }
  return Math.max(0, mi);
}

export function entropy(sums: Float64Array, n: number): number {
  let h = 0;
  for (const s of sums) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

export function expectedMutualInformation(t: Contingency): number {
  const N = t.total;
  const a = t.rowSums;
  const b = t.colSums;
  const lgN = lgamma(N + 1);
  let emi = 0;
  for (let i = 0; i < t.rows; i++) {
    const ai = a[i]!;
    const ga = lgamma(ai + 1) + lgamma(N - ai + 1);
    for (let j = 0; j < t.cols; j++) {
      const bj = b[j]!;
      const gb = lgamma(bj + 1) + lgamma(N - bj + 1);
      const start = Math.max(1, ai + bj - N);
      const end = Math.min(ai, bj);
      for (let nij = start; nij <= end; nij++) {
        const term2 = Math.log(N) + Math.log(nij) - Math.log(ai) - Math.log(bj);
        const gln = ga + gb - lgN - lgamma(nij + 1) - lgamma(ai - nij + 1) - lgamma(bj - nij + 1) - lgamma(N - ai - bj + nij + 1);
        emi += (nij / N) * term2 * Math.exp(gln);
      }
    }
  }
  return emi;
}

/** AMI in (−∞, 1]; 1 for identical partitions, ~0 for independent ones. */
export function adjustedMutualInformation(t: Contingency): number {
  const N = t.total;
  if (N === 0) return 0;
  // sklearn: a single cluster on both sides (or every point its own cluster) is a perfect match.
  if ((t.rows === 1 && t.cols === 1) || (t.rows === N && t.cols === N)) return 1;
  const mi = mutualInformation(t);
  const emi = expectedMutualInformation(t);
  const hu = entropy(t.rowSums, N);
  const hv = entropy(t.colSums, N);
  let denom = (hu + hv) / 2 - emi;
  const tiny = 2.220446049250313e-16;
  denom = denom < 0 ? Math.min(denom, -tiny) : Math.max(denom, tiny);
  return (mi - emi) / denom;
}
