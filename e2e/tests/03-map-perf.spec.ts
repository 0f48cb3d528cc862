// Measures the embedding map with 100,000 points: time to first frame, then frame times while
// zooming and panning. Writes artifacts/map-perf.json and a screenshot.
import { expect, test } from "@playwright/test";
import { writeFileSync } from "node:fs";
import path from "node:path";

test("the embedding map renders 100k points and stays interactive", async ({ page }) => {
  await page.goto("/dev/map?n=100000");
  const map = page.getByTestId("embedding-map");
  await expect(map).toHaveAttribute("data-first-frame-ms", /\d/, { timeout: 60_000 });
  const firstFrameMs = Number(await map.getAttribute("data-first-frame-ms"));
  const webgl = await page.evaluate(() => {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return "none";
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  });

  // Interaction: 30 wheel steps and a drag, timing each animation frame in the page.
  const box = (await map.boundingBox())!;
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 30; i++) await page.mouse.wheel(0, i < 15 ? -120 : 80);
  await page.mouse.down();
  for (let i = 0; i < 30; i++) await page.mouse.move(box.x + box.width / 2 + i * 8, box.y + box.height / 2 + i * 3);
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames.slice(1);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  await expect(page.locator(".map-stats")).toContainText("100,000 points");
  await expect(page.locator(".map-stats")).not.toContainText("zoom 1.0×");

  // Hover picking shows a tooltip.
  await page.getByRole("button", { name: "Fit" }).click();
  const result = { points: 100_000, firstFrameMs, frames: frames.length, frameMsMedian: p(0.5), frameMsP95: p(0.95), renderer: webgl, when: new Date().toISOString() };
  console.log(`map: 100k points, first frame ${firstFrameMs.toFixed(1)} ms; interaction frames median ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms (${webgl})`);
  writeFileSync(path.join(import.meta.dirname, "..", "artifacts", "map-perf.json"), JSON.stringify(result, null, 2));
  await page.screenshot({ path: path.join(import.meta.dirname, "..", "artifacts", "map-100k.png") });
  expect(firstFrameMs).toBeGreaterThan(0);
  expect(frames.length).toBeGreaterThan(5);
});
