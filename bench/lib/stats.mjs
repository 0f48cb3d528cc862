// Small helpers for benchmark tables.
export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sd = (xs) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
export const pm = (xs, digits = 3) => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;
export const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Rows of `points` gathered into a new Points. */
export function gather(points, rows) {
  const k = points.dim;
  const out = new Float32Array(rows.length * k);
  rows.forEach((r, i) => out.set(points.data.subarray(r * k, r * k + k), i * k));
  return { data: out, n: rows.length, dim: k };
}

/** Every class's 2-D layout of `findings` (analyze / analyzeThreaded) placed at its rows: a float64 n × 2 layout of the whole input. */
export function wholeLayout(findings, n) {
  const layout = new Float64Array(2 * n);
  for (const c of findings.classes) {
    for (let r = 0; r < c.rows.length; r++) {
      layout[2 * c.rows[r]] = c.layout[2 * r];
      layout[2 * c.rows[r] + 1] = c.layout[2 * r + 1];
    }
  }
  return layout;
}
