"use client";
// The evidence a user came for: per metadata column (site, scanner…), per class, one stacked bar for the
// pool and one per run, each split by the column's levels, with the largest level's share beside it and
// Cramér's V of label × column per series. Plain SVG, as the other charts.
import { colourAt, OTHER } from "../map/palette";
import { Badge, fmtInt, fmtNum, fmtPct } from "../ui";

export interface CompositionSeries {
  name: string;
  /** Per class (aligned with `labels`): samples of the class. */
  totals: number[];
  /** Per class × level (aligned with `levels`). */
  counts: number[][];
  /** Per class: the largest known level's share. */
  largestShares: number[];
  cramersV: number;
  /** Bar colour of the series' name swatch (the pool is grey). */
  colour: string;
}

export interface CompositionColumn {
  column: string;
  associated: boolean;
  /** Names of the series that declared the column. */
  declaredBy: string[];
  labels: string[];
  levels: (string | null)[];
  /** The pool first, then each run. */
  series: CompositionSeries[];
}

const levelColour = (k: number, level: string | null) => (level === null ? OTHER : colourAt(k));

/** One column: a legend of levels, then per class one stacked bar per series. */
export function CompositionChart({ c, testId = "composition-chart" }: { c: CompositionColumn; testId?: string }) {
  const labelW = 120, barW = 360, numW = 150, barH = 14, gap = 4, classGap = 14;
  const rows = c.series.length;
  const classH = rows * (barH + gap) + classGap + 14;
  const width = labelW + barW + numW;
  const height = c.labels.length * classH;
  const balance = c.levels.filter((l) => l !== null).length;
  return (
    <div data-testid={testId} data-column={c.column}>
      <div className="row small" style={{ gap: 8, flexWrap: "wrap", marginBottom: 6 }}>
        <b>{c.column}</b>
        {c.declaredBy.length > 0 && <Badge tone="ok" title={`declared by ${c.declaredBy.join(", ")}`}>declared</Badge>}
        {c.associated && <Badge tone="warn" title="the confounder analysis found this column tied to its groups">associated</Badge>}
        <span className="muted">Cramér&apos;s V of label × {c.column}:</span>
        {c.series.map((s) => (
          <span key={s.name} className="row" style={{ gap: 4 }} data-testid="composition-v">
            <span className="swatch" style={{ background: s.colour }} />
            {s.name} <b>{fmtNum(s.cramersV, 2)}</b>
          </span>
        ))}
      </div>
      <div className="row small" style={{ gap: 10, flexWrap: "wrap", marginBottom: 6 }}>
        {c.levels.map((l, k) => (
          <span key={l ?? "(missing)"} className="row" style={{ gap: 4 }}>
            <span className="swatch" style={{ background: levelColour(k, l) }} />
            {l ?? "(no value)"}
          </span>
        ))}
        {balance > 1 && <span className="muted">· even mix: largest share {fmtPct(1 / balance)}</span>}
      </div>
      <svg width="100%" viewBox={`0 0 ${width} ${height}`} style={{ maxWidth: width, fontSize: 11 }} role="img" aria-label={`${c.column} mix per class`}>
        {c.labels.map((label, i) => {
          const y0 = i * classH;
          return (
            <g key={label}>
              <text x={0} y={y0 + 11} fontWeight={600} fill="#18202b">{label}</text>
              <text x={labelW + barW + 8} y={y0 + 11} fill="#8a94a3">largest share</text>
              {c.series.map((s, r) => {
                const y = y0 + 16 + r * (barH + gap);
                const total = s.totals[i] ?? 0;
                let x = labelW;
                return (
                  <g key={s.name}>
                    <rect x={labelW - 14} y={y + 3} width={8} height={8} fill={s.colour} rx={1} />
                    <text x={labelW - 18} y={y + barH - 3} textAnchor="end" fill="#6b7380">{s.name.length > 16 ? s.name.slice(0, 15) + "…" : s.name}</text>
                    {total === 0 ? <rect x={labelW} y={y} width={barW} height={barH} fill="#f1f3f5" /> : c.levels.map((l, k) => {
                      const n = s.counts[i]?.[k] ?? 0;
                      const w = (n / total) * barW;
                      const rx = x;
                      x += w;
                      return n === 0 ? null : (
                        <g key={l ?? "(missing)"}>
                          <rect x={rx} y={y} width={w} height={barH} fill={levelColour(k, l)}>
                            <title>{`${s.name}, ${label}, ${l ?? "no value"}: ${n} of ${total} (${((n / total) * 100).toFixed(1)}%)`}</title>
                          </rect>
                          {w > 28 && <text x={rx + w / 2} y={y + barH - 3} textAnchor="middle" fill="#fff" fontSize={10}>{Math.round((n / total) * 100)}%</text>}
                        </g>
                      );
                    })}
                    <text x={labelW + barW + 8} y={y + barH - 3} fill="#18202b" fontWeight={r === 0 ? 400 : 600} data-testid="largest-share">
                      {fmtPct(s.largestShares[i] ?? 0)} <tspan fill="#8a94a3" fontWeight={400}>of {fmtInt(total)}</tspan>
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

export const POOL_COLOUR = "#ced4da";
