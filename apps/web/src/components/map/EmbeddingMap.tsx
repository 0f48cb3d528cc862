"use client";
// The embedding map: a WebGL2 scatter (gl.ts) with pan (drag), zoom (wheel, around the cursor),
// hover picking through a CPU grid index (grid.ts), a legend that toggles categories, and lasso
// selection. Redraws only on change, never in a loop, so 100k points stay smooth.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { buildGrid, lassoSelect, nearest, type PointGrid } from "./grid";
import { MAX_CATEGORIES, PointRenderer, type View } from "./gl";
import { colourAt } from "./palette";

export interface MapCategory {
  name: string;
  colour?: string;
}

export interface EmbeddingMapProps {
  xs: Float32Array;
  ys: Float32Array;
  /** Category index per point, into `categories`. */
  category: Uint8Array;
  categories: MapCategory[];
  /** Tooltip body for point i (metadata). */
  renderTip?: (i: number) => ReactNode;
  /** Image URL for point i, shown in the tooltip. */
  imageUrl?: (i: number) => string | null;
  /** Called with the ids of the points inside a finished lasso (empty when cleared) and the stroke drawn, flat [x0, y0, x1, y1, …] in data coordinates (empty when cleared). */
  onLasso?: (ids: Int32Array, polygon: number[]) => void;
  /** Called once per data set: ms from receiving the points to the first frame on screen. */
  onFirstFrame?: (ms: number) => void;
  height?: number | string;
  testId?: string;
  /** Captions in data coordinates (e.g. class names above each class's layout). */
  annotations?: Array<{ x: number; y: number; text: string }>;
}

function fitView(g: PointGrid, xs: Float32Array, ys: Float32Array, w: number, h: number): View {
  if (xs.length === 0) return { cx: 0, cy: 0, k: 1 };
  // The grid's minimum is the data's minimum; the maximum is found here.
  let x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! > x1) x1 = xs[i]!;
    if (ys[i]! > y1) y1 = ys[i]!;
  }
  const x0 = g.minX, y0 = g.minY;
  const dw = Math.max(x1 - x0, 1e-6), dh = Math.max(y1 - y0, 1e-6);
  const k = 0.9 * Math.min(w / dw, h / dh);
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, k };
}

/** Above this many points, a moving view draws a subset (software WebGL takes ~1 s per 1M points). */
const MOTION_POINTS = 250_000;
/** ms without a pan or zoom after which the whole layout is drawn again. */
const STILL_MS = 160;
/** Every how-many-th point a moving view draws: 1 up to MOTION_POINTS points. */
export function motionStride(n: number): number {
  return n <= MOTION_POINTS ? 1 : Math.ceil(n / MOTION_POINTS);
}

export function EmbeddingMap(props: EmbeddingMapProps) {
  const { xs, ys, category, categories, renderTip, imageUrl, onLasso, onFirstFrame, height = 560, testId = "embedding-map", annotations } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<PointRenderer | null>(null);
  const viewRef = useRef<View>({ cx: 0, cy: 0, k: 1 });
  const fitRef = useRef<View>({ cx: 0, cy: 0, k: 1 });
  const sizeRef = useRef({ w: 800, h: 560 });
  const frameRef = useRef(0);
  const pointsDirtyRef = useRef(false);
  const movingRef = useRef(false);
  const stillTimerRef = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Set when new points arrive; the draw that follows reports the first frame. */
  const firstFrameT0Ref = useRef<number | null>(null);
  const onFirstFrameRef = useRef(onFirstFrame);
  onFirstFrameRef.current = onFirstFrame;
  const lassoRef = useRef<number[] | null>(null);
  const hoverRef = useRef(-1);
  const selectionRef = useRef<Uint8Array | null>(null);
  const [glError, setGlError] = useState<string | null>(null);
  const [hover, setHover] = useState<{ i: number; px: number; py: number } | null>(null);
  const [mode, setMode] = useState<"pan" | "lasso">("pan");
  const [hidden, setHidden] = useState<boolean[]>([]);
  const [selCount, setSelCount] = useState(0);
  const [zoom, setZoom] = useState(1);

  const grid = useMemo(() => buildGrid(xs, ys), [xs, ys]);
  const counts = useMemo(() => {
    const c = new Int32Array(Math.max(categories.length, 1));
    for (let i = 0; i < category.length; i++) {
      const k = Math.min(category[i]!, c.length - 1);
      c[k]!++;
    }
    return c;
  }, [category, categories.length]);
  const colours = useMemo(() => categories.slice(0, MAX_CATEGORIES).map((c, i) => c.colour ?? colourAt(i)), [categories]);

  const pointSize = useCallback(() => {
    const n = Math.max(xs.length, 1);
    const base = Math.min(6, Math.max(1.6, 3.2 * Math.sqrt(20_000 / n)));
    const z = viewRef.current.k / Math.max(fitRef.current.k, 1e-9);
    return Math.min(14, base * Math.pow(Math.max(z, 1), 0.45));
  }, [xs.length]);

  const drawOverlay = useCallback(() => {
    const ov = overlayRef.current;
    if (!ov) return;
    const { w, h } = sizeRef.current;
    const dpr = window.devicePixelRatio || 1;
    if (ov.width !== Math.round(w * dpr) || ov.height !== Math.round(h * dpr)) {
      ov.width = Math.round(w * dpr);
      ov.height = Math.round(h * dpr);
    }
    const ctx = ov.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const v = viewRef.current;
    const toPx = (x: number, y: number): [number, number] => [(x - v.cx) * v.k + w / 2, h / 2 - (y - v.cy) * v.k];
    if (annotations) {
      ctx.font = `600 12px ${getComputedStyle(document.body).fontFamily}`;
      ctx.textAlign = "center";
      ctx.fillStyle = "#aab4c2";
      for (const a of annotations) {
        const [px, py] = toPx(a.x, a.y);
        ctx.fillText(a.text, px, py);
      }
    }
    const hi = hoverRef.current;
    if (hi >= 0) {
      const [px, py] = toPx(xs[hi]!, ys[hi]!);
      ctx.beginPath();
      ctx.arc(px, py, pointSize() / 2 + 4, 0, Math.PI * 2);
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    const poly = lassoRef.current;
    if (poly && poly.length >= 4) {
      ctx.beginPath();
      for (let k = 0; k < poly.length; k += 2) {
        const [px, py] = toPx(poly[k]!, poly[k + 1]!);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.closePath();
      ctx.fillStyle = "rgba(116, 143, 252, 0.12)";
      ctx.fill();
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = "#91a7ff";
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }, [xs, ys, pointSize, annotations]);

  // Every draw goes through this one animation frame, so the effects and events of one commit cost one
  // draw. That matters where the GPU is slow: in headless Chromium (SwiftShader, on the CPU) one draw of
  // 1M points takes about a second, and the four draws a new layout used to trigger cost 4 s of first frame.
  // `what`: "points" redraws the points and the overlay; "overlay" (hover ring, lasso stroke) only the 2-D
  // overlay canvas, which costs nothing however many points there are; "moving" (pan, zoom) draws every
  // stride-th point while the view moves on a large layout, then everything once it has been still.
  const requestDraw = useCallback((what: "points" | "overlay" | "moving" = "points") => {
    if (what !== "overlay") pointsDirtyRef.current = true;
    if (what === "moving") {
      movingRef.current = true;
      clearTimeout(stillTimerRef.current);
      stillTimerRef.current = setTimeout(() => {
        movingRef.current = false;
        requestDrawRef.current();
      }, STILL_MS);
    }
    if (frameRef.current) return;
    frameRef.current = requestAnimationFrame(() => {
      frameRef.current = 0;
      const r = rendererRef.current;
      if (!r) return;
      if (pointsDirtyRef.current) {
        pointsDirtyRef.current = false;
        const { w, h } = sizeRef.current;
        const stride = movingRef.current ? motionStride(xs.length) : 1;
        r.draw(viewRef.current, w, h, window.devicePixelRatio || 1, pointSize(), stride);
      }
      drawOverlay();
      const t0 = firstFrameT0Ref.current;
      if (t0 != null) {
        // The frame is on screen when the browser has composited it: one rAF after the draw.
        firstFrameT0Ref.current = null;
        requestAnimationFrame(() => {
          const ms = performance.now() - t0;
          wrapRef.current?.setAttribute("data-first-frame-ms", ms.toFixed(1));
          onFirstFrameRef.current?.(ms);
        });
      }
    });
  }, [drawOverlay, pointSize, xs.length]);
  const requestDrawRef = useRef(requestDraw);
  requestDrawRef.current = requestDraw;
  useEffect(() => () => clearTimeout(stillTimerRef.current), []);

  // Create the renderer once.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    try {
      rendererRef.current = new PointRenderer(canvas);
    } catch (e) {
      setGlError(e instanceof Error ? e.message : String(e));
    }
    return () => {
      rendererRef.current?.dispose();
      rendererRef.current = null;
    };
  }, []);

  // Track the element size.
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      const rect = el.getBoundingClientRect();
      // The observer also reports the size it starts with: no redraw unless the size really changed.
      if (rect.width === sizeRef.current.w && rect.height === sizeRef.current.h) return;
      sizeRef.current = { w: rect.width, h: rect.height };
      requestDraw();
    });
    ro.observe(el);
    const rect = el.getBoundingClientRect();
    sizeRef.current = { w: rect.width, h: rect.height };
    return () => ro.disconnect();
  }, [requestDraw]);

  // New points: upload, fit, draw, and time the first frame.
  useEffect(() => {
    const r = rendererRef.current;
    if (!r) return;
    const t0 = performance.now();
    r.setPositions(xs, ys);
    r.setCategories(category);
    selectionRef.current = null;
    lassoRef.current = null;
    setSelCount(0);
    const { w, h } = sizeRef.current;
    fitRef.current = fitView(grid, xs, ys, w, h);
    viewRef.current = { ...fitRef.current };
    setZoom(1);
    r.setPalette(colours, hidden);
    firstFrameT0Ref.current = t0;
    requestDraw();
  }, [xs, ys, grid]);

  // Categories or visibility changed: re-upload the small things only.
  useEffect(() => {
    const r = rendererRef.current;
    if (!r) return;
    r.setCategories(category);
    r.setPalette(colours, hidden);
    requestDraw();
  }, [category, colours, hidden, requestDraw]);

  // New categories show every category again (keeping the same empty array when none was hidden: no re-render, no redraw).
  useEffect(() => setHidden((hs) => (hs.length === 0 ? hs : [])), [categories]);

  const toData = (px: number, py: number): [number, number] => {
    const v = viewRef.current, { w, h } = sizeRef.current;
    return [v.cx + (px - w / 2) / v.k, v.cy - (py - h / 2) / v.k];
  };
  const localXY = (e: { clientX: number; clientY: number }): [number, number] => {
    const rect = wrapRef.current!.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  };
  const isVisible = useCallback((i: number) => hidden[Math.min(category[i]!, MAX_CATEGORIES - 1)] !== true, [hidden, category]);

  // Wheel zoom must be a non-passive listener to prevent page scroll.
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const [px, py] = localXY(e);
      const [dx, dy] = toData(px, py);
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      const v = viewRef.current;
      const k = Math.min(fitRef.current.k * 400, Math.max(fitRef.current.k * 0.5, v.k * factor));
      // Keep the data point under the cursor fixed.
      const { w, h } = sizeRef.current;
      viewRef.current = { k, cx: dx - (px - w / 2) / k, cy: dy + (py - h / 2) / k };
      setZoom(k / fitRef.current.k);
      requestDraw("moving");
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [requestDraw]);

  const drag = useRef<{ px: number; py: number; cx: number; cy: number } | null>(null);

  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    (e.target as Element).setPointerCapture?.(e.pointerId);
    const [px, py] = localXY(e);
    if (mode === "lasso") {
      const [x, y] = toData(px, py);
      lassoRef.current = [x, y];
    } else {
      drag.current = { px, py, cx: viewRef.current.cx, cy: viewRef.current.cy };
    }
    hoverRef.current = -1;
    setHover(null);
  };

  const onPointerMove = (e: React.PointerEvent) => {
    const [px, py] = localXY(e);
    if (lassoRef.current) {
      const [x, y] = toData(px, py);
      lassoRef.current.push(x, y);
      requestDraw("overlay");
      return;
    }
    if (drag.current) {
      const d = drag.current, k = viewRef.current.k;
      viewRef.current = { k, cx: d.cx - (px - d.px) / k, cy: d.cy + (py - d.py) / k };
      requestDraw("moving");
      return;
    }
    const [x, y] = toData(px, py);
    const radius = Math.max(6, pointSize()) / viewRef.current.k;
    const sel = selectionRef.current;
    const i = nearest(grid, x, y, radius, sel ? (k) => sel[k] === 1 && isVisible(k) : isVisible);
    if (i !== hoverRef.current) {
      hoverRef.current = i;
      setHover(i >= 0 ? { i, px, py } : null);
      requestDraw("overlay");
    } else if (i >= 0) {
      setHover({ i, px, py });
    }
  };

  const finishLasso = () => {
    const poly = lassoRef.current;
    lassoRef.current = null;
    const r = rendererRef.current;
    if (!poly || !r) return;
    const ids = lassoSelect(grid, poly, isVisible);
    if (ids.length === 0) {
      selectionRef.current = null;
      r.setSelection(null);
    } else {
      const sel = new Uint8Array(xs.length);
      for (const i of ids) sel[i] = 1;
      selectionRef.current = sel;
      r.setSelection(sel);
    }
    setSelCount(ids.length);
    onLasso?.(ids, ids.length ? poly : []);
    requestDraw();
  };

  const onPointerUp = () => {
    if (lassoRef.current) finishLasso();
    drag.current = null;
  };

  const clearSelection = () => {
    selectionRef.current = null;
    rendererRef.current?.setSelection(null);
    setSelCount(0);
    onLasso?.(new Int32Array(0), []);
    requestDraw();
  };

  const resetView = () => {
    viewRef.current = { ...fitRef.current };
    setZoom(1);
    requestDraw();
  };

  const tipUrl = hover ? imageUrl?.(hover.i) : null;
  const { w: cw } = sizeRef.current;

  return (
    <div
      ref={wrapRef}
      className="map-wrap"
      style={{ height, cursor: mode === "lasso" ? "crosshair" : drag.current ? "grabbing" : "grab" }}
      data-testid={testId}
      data-points={xs.length}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerLeave={() => {
        hoverRef.current = -1;
        setHover(null);
        requestDraw("overlay");
      }}
    >
      <canvas ref={canvasRef} />
      <canvas ref={overlayRef} className="overlay" style={{ width: "100%", height: "100%" }} />
      {glError && (
        <div className="empty" style={{ position: "absolute", inset: 0, color: "#dfe5ec" }}>
          <div className="t" style={{ color: "#fff" }}>The map needs WebGL2</div>
          {glError}
        </div>
      )}
      <div className="map-tools" onPointerDown={(e) => e.stopPropagation()}>
        <button className={`btn sm ${mode === "pan" ? "on" : ""}`} onClick={() => setMode("pan")} title="Drag to pan, wheel to zoom">
          Pan
        </button>
        <button className={`btn sm ${mode === "lasso" ? "on" : ""}`} onClick={() => setMode("lasso")} title="Draw around points to inspect them" data-testid="lasso-mode">
          Lasso
        </button>
        <button className="btn sm" onClick={resetView}>Fit</button>
        {selCount > 0 && (
          <button className="btn sm" onClick={clearSelection}>
            Clear {selCount.toLocaleString("en-US")} selected
          </button>
        )}
      </div>
      <div className="map-legend" onPointerDown={(e) => e.stopPropagation()} data-testid="map-legend">
        {categories.slice(0, MAX_CATEGORIES).map((c, i) => (
          <div
            key={`${i}-${c.name}`}
            className={`item ${hidden[i] ? "off" : ""}`}
            onClick={() => setHidden((hs) => { const n = [...hs]; n[i] = !n[i]; return n; })}
            title="Click to hide or show"
          >
            <span className="swatch" style={{ background: colours[i] }} />
            <span>{c.name}</span>
            <span className="n">{(counts[i] ?? 0).toLocaleString("en-US")}</span>
          </div>
        ))}
      </div>
      <div className="map-stats">
        {xs.length.toLocaleString("en-US")} points · zoom {zoom.toFixed(1)}×
      </div>
      {hover && (
        <div
          className="map-tip"
          data-testid="map-tip"
          style={{ left: Math.min(hover.px + 14, cw - 230), top: Math.max(8, hover.py - 20) }}
        >
          {tipUrl && <img src={tipUrl} alt="" />}
          {renderTip ? renderTip(hover.i) : <div>point {hover.i}</div>}
          <div style={{ clear: "both" }} />
        </div>
      )}
    </div>
  );
}
