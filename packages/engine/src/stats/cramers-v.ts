// Cramér's V with Bergsma's bias correction (Bergsma 2013, J. Korean Stat. Soc. 42:323–328): the
// plain V is biased upward in small samples and with many categories; the corrected one is ~0 under
// independence. Equals scipy.stats.contingency.association(method="cramer") without correction
// when `biasCorrected` is false.
import { chiSquareTest, type Contingency } from "./contingency.js";

export function cramersV(t: Contingency, biasCorrected = true): number {
  const n = t.total;
  if (t.rows < 2 || t.cols < 2 || n < 2) return 0;
  const phi2 = chiSquareTest(t).statistic / n;
  if (!biasCorrected) return Math.sqrt(phi2 / Math.min(t.rows - 1, t.cols - 1));
  const r = t.rows;
  const c = t.cols;
  const phi2c = Math.max(0, phi2 - ((r - 1) * (c - 1)) / (n - 1));
  const rc = r - (r - 1) ** 2 / (n - 1);
  const cc = c - (c - 1) ** 2 / (n - 1);
  const denom = Math.min(rc - 1, cc - 1);
  if (!(denom > 0)) return 0;
  return Math.min(1, Math.sqrt(phi2c / denom));
}
