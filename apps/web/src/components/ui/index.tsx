"use client";
// Small primitives shared by every page: skeletons, empty states, badges, toasts, avatars, thumbnails.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";

export function Skeleton({ w = "100%", h = 14, style }: { w?: number | string; h?: number; style?: React.CSSProperties }) {
  return <div className="skeleton" style={{ width: w, height: h, ...style }} aria-hidden />;
}

/** Rows of skeleton lines: the loading state of a table or list. */
export function SkeletonRows({ rows = 5, cols = 4 }: { rows?: number; cols?: number }) {
  return (
    <div style={{ padding: 12 }} aria-busy="true" data-testid="loading">
      {Array.from({ length: rows }, (_, r) => (
        <div key={r} className="row" style={{ marginBottom: 10, flexWrap: "nowrap" }}>
          {Array.from({ length: cols }, (_, c) => (
            <Skeleton key={c} w={`${c === 0 ? 34 : 66 / (cols - 1)}%`} />
          ))}
        </div>
      ))}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" data-testid="empty">
      <div className="t">{title}</div>
      {children && <div>{children}</div>}
    </div>
  );
}

type Tone = "ok" | "warn" | "bad" | "info" | "accent" | "";

export function Badge({ tone = "", dot, pulse, children, title }: { tone?: Tone; dot?: boolean; pulse?: boolean; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone}${pulse ? " pulse" : ""}`} title={title}>
      {dot && <span className="dot" />}
      {children}
    </span>
  );
}

const STATUS_TONE: Record<string, Tone> = {
  QUEUED: "info", PENDING: "info", RUNNING: "accent", SUCCEEDED: "ok", COMPLETE: "ok", CONFIRMED: "ok", ACCEPT: "ok",
  FAILED: "bad", REJECTED: "bad", REJECT: "bad", CANCELLED: "", RENAMED: "accent", FLAG: "warn",
};

/** A job/run/verdict status as a coloured badge; RUNNING pulses. */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="muted">—</span>;
  return (
    <Badge tone={STATUS_TONE[status] ?? ""} dot pulse={status === "RUNNING"}>
      {status.toLowerCase()}
    </Badge>
  );
}

export function ErrorText({ children, testId }: { children: ReactNode; testId?: string }) {
  if (!children) return null;
  return (
    <div className="err-text" role="alert" data-testid={testId ?? "error"}>
      {children}
    </div>
  );
}

export function Alert({ tone = "bad", children }: { tone?: "bad" | "warn" | "info"; children: ReactNode }) {
  return (
    <div className={`alert ${tone}`} role={tone === "bad" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function PageHead({ title, sub, actions }: { title: ReactNode; sub?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {sub && <div className="sub">{sub}</div>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

export function Card({ title, actions, children, flush, testId }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; flush?: boolean; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      {(title || actions) && (
        <div className="card-head">
          <h2>{title}</h2>
          {actions}
        </div>
      )}
      <div className={`card-body${flush ? " flush" : ""}`}>{children}</div>
    </section>
  );
}

export function Stat({ k, v }: { k: string; v: ReactNode }) {
  return (
    <div className="card stat">
      <div className="k">{k}</div>
      <div className="v">{v}</div>
    </div>
  );
}

const AVATAR_COLOURS = ["#4c6ef5", "#12b886", "#f76707", "#ae3ec9", "#1098ad", "#e64980", "#74b816", "#fab005"];

export function initials(name: string): string {
  const parts = name.trim().split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

export function colourFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return AVATAR_COLOURS[h % AVATAR_COLOURS.length]!;
}

export function Avatar({ name, title }: { name: string; title?: string }) {
  return (
    <span className="avatar" style={{ background: colourFor(name) }} title={title ?? name}>
      {initials(name)}
    </span>
  );
}

/** A sample's image through the same-origin proxy (GET <api>/samples/:id/image). */
export function sampleImageUrl(sampleId: string): string {
  return `/api/samples/${encodeURIComponent(sampleId)}/image`;
}

export function Thumb({ sampleId, caption, right, state, onClick }: { sampleId: string; caption?: ReactNode; right?: ReactNode; state?: string | null; onClick?: () => void }) {
  return (
    <div className={`thumb ${state ? state.toLowerCase() : ""}`} onClick={onClick} data-testid="thumb">
      <img src={sampleImageUrl(sampleId)} alt={typeof caption === "string" ? caption : "sample"} loading="lazy" />
      {(caption || right) && (
        <div className="cap">
          <span>{caption}</span>
          <span className="muted">{right}</span>
        </div>
      )}
    </div>
  );
}

// ── Toasts ─────────────────────────────────────────────────────────────
interface ToastItem { id: number; text: ReactNode; tone: "ok" | "bad" | "" }
const ToastContext = createContext<(text: ReactNode, tone?: "ok" | "bad" | "") => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const push = useCallback((text: ReactNode, tone: "ok" | "bad" | "" = "") => {
    const id = next.current++;
    setItems((xs) => [...xs.slice(-3), { id, text, tone }]);
    setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), tone === "bad" ? 7000 : 4000);
  }, []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={`toast ${t.tone}`} role="status">
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

// ── Formatting ─────────────────────────────────────────────────────────
export function fmtInt(n: number | null | undefined): string {
  return n == null ? "—" : n.toLocaleString("en-US");
}
export function fmtPct(x: number | null | undefined, digits = 0): string {
  return x == null ? "—" : `${(x * 100).toFixed(digits)}%`;
}
export function fmtNum(x: number | null | undefined, digits = 3): string {
  return x == null || !Number.isFinite(x) ? "—" : Number(x.toFixed(digits)).toString();
}
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 1) return "<1 s";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
export function fmtWhen(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  const s = (Date.now() - d.getTime()) / 1000;
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return d.toISOString().slice(0, 16).replace("T", " ");
}
