"use client";
// SVG charts without a library: grouped allocation bars, Venn (2–3 sets), UpSet (any, used for 4),
// a metrics table that highlights differences, and the live progress bar.
import { Fragment, type ReactNode } from "react";
import { colourAt } from "../map/palette";
import { fmtDuration, fmtInt, fmtNum } from "../ui";
import { exclusiveIntersections, popcount } from "./sets";

// ── Allocation per group beside the pool ───────────────────────────────
export interface AllocationRow {
  key: string;
  label: ReactNode;
  /** Samples of this group in the pool. */
  pool: number;
  /** Selected per series (one per run). */
  selected: number[];
}

/**
 * One row per group: the pool's share (grey) and each run's share of its selection (coloured),
 * on the same percentage scale, with counts. Shares make runs with different budgets comparable.
 */
export function AllocationChart({ rows, series, testId = "allocation-chart" }: { rows: AllocationRow[]; series: string[]; testId?: string }) {
  if (rows.length === 0) return <div className="empty">No groups to allocate over.</div>;
  const poolTotal = rows.reduce((s, r) => s + r.pool, 0) || 1;
  const selTotals = series.map((_, k) => rows.reduce((s, r) => s + (r.selected[k] ?? 0), 0) || 1);
  const maxShare = Math.max(
    ...rows.map((r) => r.pool / poolTotal),
    ...rows.flatMap((r) => series.map((_, k) => (r.selected[k] ?? 0) / selTotals[k]!)),
    0.01,
  );
  const barH = 9, gap = 2, labelW = 170, chartW = 420, valueW = 86;
  const rowH = (series.length + 1) * (barH + gap) + 10;
  const width = labelW + chartW + valueW;
  const height = rows.length * rowH + 28;
  const x = (share: number) => (share / maxShare) * chartW;
  return (
    <div data-testid={testId}>
      <div className="row small" style={{ marginBottom: 6, gap: 14 }}>
        <span className="row" style={{ gap: 5 }}><span className="swatch" style={{ background: "#ced4da" }} />pool</span>
        {series.map((s, k) => (
          <span key={s} className="row" style={{ gap: 5 }}><span className="swatch" style={{ background: colourAt(k) }} />{s}</span>
        ))}
      </div>
      <svg width="100%" viewBox={`0 0 ${width} ${height}`} style={{ maxWidth: width, fontSize: 11 }} role="img" aria-label="Allocation per group">
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={labelW + t * chartW} x2={labelW + t * chartW} y1={0} y2={height - 18} stroke="#eef0f3" />
            <text x={labelW + t * chartW} y={height - 4} textAnchor="middle" fill="#8a94a3">{Math.round(t * maxShare * 100)}%</text>
          </g>
        ))}
        {rows.map((r, i) => {
          const y0 = i * rowH + 4;
          return (
            <g key={r.key}>
              <foreignObject x={0} y={y0} width={labelW - 8} height={rowH - 4}>
                <div style={{ fontSize: 11.5, lineHeight: "14px", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{r.label}</div>
              </foreignObject>
              <rect x={labelW} y={y0} width={Math.max(1, x(r.pool / poolTotal))} height={barH} fill="#ced4da" rx={2}>
                <title>{`pool: ${r.pool} (${((r.pool / poolTotal) * 100).toFixed(1)}%)`}</title>
              </rect>
              <text x={labelW + chartW + 6} y={y0 + barH - 1} fill="#6b7380">{fmtInt(r.pool)}</text>
              {series.map((s, k) => {
                const v = r.selected[k] ?? 0;
                const yy = y0 + (k + 1) * (barH + gap);
                return (
                  <g key={s}>
                    <rect x={labelW} y={yy} width={Math.max(v > 0 ? 1 : 0, x(v / selTotals[k]!))} height={barH} fill={colourAt(k)} rx={2}>
                      <title>{`${s}: ${v} (${((v / selTotals[k]!) * 100).toFixed(1)}% of its selection)`}</title>
                    </rect>
                    <text x={labelW + chartW + 6} y={yy + barH - 1} fill="#18202b" fontWeight={600}>{fmtInt(v)}</text>
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

// ── Overlap: Venn for 2–3 sets, UpSet otherwise ──────────────────────────
export interface NamedSet {
  name: string;
  ids: Iterable<string>;
}

export function OverlapChart({ sets }: { sets: NamedSet[] }) {
  const counts = exclusiveIntersections(sets.map((s) => s.ids));
  return sets.length <= 3 && sets.length >= 2 ? <Venn names={sets.map((s) => s.name)} counts={counts} /> : <UpSet names={sets.map((s) => s.name)} counts={counts} />;
}

function Venn({ names, counts }: { names: string[]; counts: Map<number, number> }) {
  const three = names.length === 3;
  const r = 78;
  const circles = three
    ? [{ cx: 150, cy: 100 }, { cx: 240, cy: 100 }, { cx: 195, cy: 178 }]
    : [{ cx: 150, cy: 120 }, { cx: 250, cy: 120 }];
  // Label positions for each exact region.
  const spots: Array<[number, number, number]> = three
    ? [[0b001, 118, 82], [0b010, 272, 82], [0b100, 195, 220], [0b011, 195, 74], [0b101, 148, 160], [0b110, 242, 160], [0b111, 195, 128]]
    : [[0b01, 112, 124], [0b10, 288, 124], [0b11, 200, 124]];
  const h = three ? 280 : 240;
  return (
    <svg viewBox={`0 0 400 ${h}`} width="100%" style={{ maxWidth: 440 }} role="img" aria-label="Overlap between runs" data-testid="venn">
      {circles.map((c, k) => (
        <circle key={k} cx={c.cx} cy={c.cy} r={r} fill={colourAt(k)} fillOpacity={0.22} stroke={colourAt(k)} strokeWidth={2} />
      ))}
      {spots.map(([m, x, y]) => (
        <text key={m} x={x} y={y} textAnchor="middle" dominantBaseline="middle" fontSize={popcount(m) > 1 ? 15 : 14} fontWeight={popcount(m) === names.length ? 700 : 600} fill="#18202b">
          {fmtInt(counts.get(m) ?? 0)}
        </text>
      ))}
      {circles.map((c, k) => {
        const above = !three || k < 2;
        return (
          <text key={`n${k}`} x={c.cx + (three ? 0 : k === 0 ? -30 : 30)} y={above ? c.cy - r - 8 : c.cy + r + 16} textAnchor="middle" fontSize={12} fontWeight={600} fill={colourAt(k)}>
            {names[k]}
          </text>
        );
      })}
    </svg>
  );
}

function UpSet({ names, counts }: { names: string[]; counts: Map<number, number> }) {
  const combos = [...counts.entries()].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || popcount(b[0]) - popcount(a[0]));
  const max = Math.max(1, ...combos.map(([, c]) => c));
  const colW = 30, labelW = 120, barH = 110, dot = 6, rowH = 20;
  const width = labelW + combos.length * colW + 10;
  const height = barH + 20 + names.length * rowH + 6;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: Math.max(width, 320), fontSize: 11 }} role="img" aria-label="Intersections between runs" data-testid="upset">
      {combos.map(([m, c], j) => {
        const x = labelW + j * colW + colW / 2;
        const h = (c / max) * barH;
        const rows = names.map((_, r) => (m >> r) & 1);
        const ys = rows.flatMap((on, r) => (on ? [barH + 20 + r * rowH + rowH / 2] : []));
        return (
          <g key={m}>
            <rect x={x - 9} y={barH - h} width={18} height={h} fill="#3b5bdb" rx={2} />
            <text x={x} y={barH - h - 4} textAnchor="middle" fill="#18202b" fontWeight={600}>{c}</text>
            {names.map((_, r) => (
              <circle key={r} cx={x} cy={barH + 20 + r * rowH + rowH / 2} r={dot} fill={rows[r] ? "#18202b" : "#e3e6eb"} />
            ))}
            {ys.length > 1 && <line x1={x} x2={x} y1={Math.min(...ys)} y2={Math.max(...ys)} stroke="#18202b" strokeWidth={2} />}
          </g>
        );
      })}
      {names.map((n, r) => (
        <text key={n} x={labelW - 8} y={barH + 20 + r * rowH + rowH / 2 + 4} textAnchor="end" fill={colourAt(r)} fontWeight={600}>{n}</text>
      ))}
    </svg>
  );
}

// ── Metrics side by side ────────────────────────────────────────────────
export interface MetricsTableRow {
  name: string;
  values: Array<number | null>;
  /** Whether larger is better (for the "best" mark); undefined marks none. */
  higherIsBetter?: boolean;
}

/** Cells that differ from the first run by more than `tolerance` (relative) are highlighted. */
export function MetricsTable({ runs, rows, tolerance = 0.01 }: { runs: string[]; rows: MetricsTableRow[]; tolerance?: number }) {
  if (rows.length === 0) return <div className="empty">No metrics yet.</div>;
  return (
    <table className="table" data-testid="metrics-table">
      <thead>
        <tr>
          <th>metric</th>
          {runs.map((r, k) => (
            <th key={r} className="num"><span className="swatch" style={{ background: colourAt(k), marginRight: 5 }} />{r}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const ref = row.values[0];
          const finite = row.values.filter((v): v is number => v != null && Number.isFinite(v));
          const best = row.higherIsBetter === undefined || finite.length < 2 ? null : row.higherIsBetter ? Math.max(...finite) : Math.min(...finite);
          return (
            <tr key={row.name}>
              <td>{row.name}</td>
              {row.values.map((v, k) => {
                const differs = k > 0 && v != null && ref != null && Math.abs(v - ref) > tolerance * Math.max(Math.abs(ref), 1e-9);
                const isBest = best != null && v === best && finite.some((f) => f !== best);
                return (
                  <td key={k} className={`num${differs ? " diff" : ""}${isBest ? " best" : ""}`} data-differs={differs ? "1" : undefined}>
                    {fmtNum(v)}
                    {differs && ref != null && v != null && <span className="muted small"> ({v > ref ? "+" : ""}{fmtNum(v - ref)})</span>}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

// ── Live progress ───────────────────────────────────────────────────────
export interface ProgressState {
  phase: string;
  done: number;
  total: number;
  /** Items per second. */
  rate?: number | null;
  /** Seconds left. */
  etaSeconds?: number | null;
  status?: string;
}

export function ProgressBar({ p }: { p: ProgressState }) {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : p.status === "SUCCEEDED" ? 1 : 0;
  const cls = p.status === "SUCCEEDED" ? "done" : p.status === "FAILED" || p.status === "CANCELLED" ? "failed" : "";
  return (
    <div data-testid="progress" data-done={p.done} data-total={p.total} data-phase={p.phase}>
      <div className="row small" style={{ marginBottom: 6, justifyContent: "space-between" }}>
        <span>
          <b data-testid="progress-phase">{p.phase}</b>
          <span className="muted"> · {fmtInt(p.done)} / {fmtInt(p.total)}</span>
          {p.rate != null && p.rate > 0 && <span className="muted"> · {fmtNum(p.rate, 1)}/s</span>}
        </span>
        <span className="muted">
          {Math.round(frac * 100)}%{p.etaSeconds != null && cls === "" && <> · ETA {fmtDuration(p.etaSeconds)}</>}
        </span>
      </div>
      <div className={`progress ${cls}`}>
        <div style={{ width: `${frac * 100}%` }} />
      </div>
    </div>
  );
}

export function Legend({ items }: { items: Array<{ name: string; colour: string }> }) {
  return (
    <div className="row small">
      {items.map((i) => (
        <Fragment key={i.name}>
          <span className="row" style={{ gap: 5 }}><span className="swatch" style={{ background: i.colour }} />{i.name}</span>
        </Fragment>
      ))}
    </div>
  );
}
