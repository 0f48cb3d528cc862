"use client";
// Dev/benchmark page: renders N synthetic points (default 100,000; ?n=…) in the embedding map and
// reports the time to first frame. The e2e suite reads `data-first-frame-ms` from here.
import { useEffect, useState } from "react";
import { EmbeddingMap, type MapCategory } from "@/components/map/EmbeddingMap";
import { PageHead } from "@/components/ui";
import { syntheticLayout } from "@/components/map/synthetic";

export default function MapBenchPage() {
  const [data, setData] = useState<{ xs: Float32Array; ys: Float32Array; category: Uint8Array; categories: MapCategory[]; genMs: number } | null>(null);
  const [firstFrame, setFirstFrame] = useState<number | null>(null);

  useEffect(() => {
    const n = Number(new URLSearchParams(window.location.search).get("n") ?? 100_000);
    const t0 = performance.now();
    const d = syntheticLayout(Number.isFinite(n) && n > 0 ? Math.min(n, 2_000_000) : 100_000, 12, 42);
    setData({ ...d, genMs: performance.now() - t0 });
  }, []);

  return (
    <div className="content">
      <PageHead
        title="Map benchmark"
        sub="Synthetic clustered layout, seeded. Drag to pan, wheel to zoom, lasso to select."
        actions={
          <span className="badge accent" data-testid="first-frame">
            {firstFrame == null ? "rendering…" : `first frame ${firstFrame.toFixed(0)} ms`}
          </span>
        }
      />
      {data && (
        <>
          <div className="muted small" style={{ marginBottom: 8 }}>
            {data.xs.length.toLocaleString("en-US")} points generated in {data.genMs.toFixed(0)} ms
          </div>
          <EmbeddingMap
            xs={data.xs}
            ys={data.ys}
            category={data.category}
            categories={data.categories}
            height="calc(100vh - 140px)"
            onFirstFrame={setFirstFrame}
            renderTip={(i) => (
              <div>
                <b>point {i}</b>
                <div className="muted">{data.categories[data.category[i]!]?.name}</div>
              </div>
            )}
          />
        </>
      )}
    </div>
  );
}
