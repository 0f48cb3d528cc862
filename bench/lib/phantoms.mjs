// A second image source for the discovery bench, generated (nothing to download): 28×28 chest-like
// phantoms. Each image has a body outline, two dark lung fields, a bright mediastinum and a smooth
// low-frequency texture, every shape jittered per image (position, size, tilt, intensity); class
// "lesion" adds a bright blob of random size inside one lung. Its statistics differ from PneumoniaMNIST
// (sharper edges, synthetic texture), so a default tuned on the X-rays is judged on other images here.
import { createRng } from "@stratum/engine";

const SIZE = 28;

function ellipse(x, y, cx, cy, rx, ry, tilt) {
  const c = Math.cos(tilt);
  const s = Math.sin(tilt);
  const dx = x - cx;
  const dy = y - cy;
  const u = (dx * c + dy * s) / rx;
  const v = (-dx * s + dy * c) / ry;
  return u * u + v * v; // < 1 inside
}

/** n phantoms (half "normal", half "lesion", interleaved), uint8 n×28×28, with their labels. */
export function phantoms(n, seed = 1) {
  const rng = createRng(seed);
  const u = (a, b) => a + (b - a) * rng.next();
  const images = new Uint8Array(n * SIZE * SIZE);
  const labels = [];
  for (let i = 0; i < n; i++) {
    const lesion = i % 2 === 1;
    labels.push(lesion ? "lesion" : "normal");
    const tilt = u(-0.15, 0.15);
    const body = { cx: u(12.5, 15.5), cy: u(13, 15), rx: u(10, 12.5), ry: u(11, 13) };
    const lungs = [-1, 1].map((side) => ({ cx: body.cx + side * u(4.2, 5.8), cy: body.cy + u(-1.5, 0.5), rx: u(2.8, 4), ry: u(5.5, 8), tilt: tilt + side * u(0, 0.25) }));
    const heart = { cx: body.cx + u(-0.5, 1.5), cy: body.cy + u(2, 4), rx: u(2.5, 4), ry: u(3, 4.5) };
    const blob = lesion ? { lung: rng.int(2), dx: u(-1.5, 1.5), dy: u(-3, 3), r: u(1.2, 2.6), level: u(60, 110) } : null;
    const levels = { body: u(150, 190), lung: u(40, 80), heart: u(190, 235) };
    // Low-frequency texture: a few random plane waves.
    const waves = Array.from({ length: 4 }, () => ({ fx: u(-0.5, 0.5), fy: u(-0.5, 0.5), phase: u(0, 6.28), amp: u(3, 10) }));
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        let v = 10;
        if (ellipse(x, y, body.cx, body.cy, body.rx, body.ry, tilt) < 1) v = levels.body;
        for (const lung of lungs) if (ellipse(x, y, lung.cx, lung.cy, lung.rx, lung.ry, lung.tilt) < 1) v = levels.lung;
        if (blob) {
          const lung = lungs[blob.lung];
          const d = ellipse(x, y, lung.cx + blob.dx, lung.cy + blob.dy, blob.r, blob.r, 0);
          if (d < 1) v += blob.level * (1 - d);
        }
        if (ellipse(x, y, heart.cx, heart.cy, heart.rx, heart.ry, tilt) < 1) v = levels.heart;
        for (const w of waves) v += w.amp * Math.sin(w.fx * x + w.fy * y + w.phase);
        v += rng.normal() * 4;
        images[i * SIZE * SIZE + y * SIZE + x] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { images, labels, height: SIZE, width: SIZE };
}
