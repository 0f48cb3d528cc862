// Simulated acquisition sites: the confounder we plant in benchmarks and the demo seed.
//
// Each image is assigned to one of S sites. In a "pool" split the site is tied to the label (label c
// prefers site c mod S with probability `labelSiteBias`), in a "test" split it is uniform and so
// independent of the label — the setup the shortcut-learning literature uses to expose models that
// learned the site instead of the disease. Each site then applies its own acquisition effects
// (blur, gamma, contrast, brightness, additive Gaussian noise, a burned-in corner marker, vignetting), scaled by
// `strength` (0 = untouched, 1 = the defaults below, > 1 exaggerated).
//
// Pure and seeded: the same images, labels and options give byte-identical output.
import { createRng } from "../rng.js";
import { EngineInputError } from "../types.js";

export type Corner = "top-left" | "top-right" | "bottom-left" | "bottom-right";

/** The acquisition effects of one site, at strength 1. Intensities are on the 0..255 scale. */
export interface SiteEffects {
  /** Output = input^gamma on [0, 1]; 1 = none. */
  gamma: number;
  /** Output = (x − 0.5)·contrast + 0.5; 1 = none. */
  contrast: number;
  /** Added intensity, −255..255; 0 = none. */
  brightness: number;
  /** Standard deviation of additive Gaussian noise, in intensity units; 0 = none. */
  noiseSd: number;
  /** Box-blur radius in pixels (0 = none). */
  blurRadius: number;
  /** Burned-in square marker (like a scanner's corner text), or null. */
  marker: { corner: Corner; size: number; value: number } | null;
  /**
   * Radial fall-off (lens / collimator vignetting): x·(1 − vignette·r²), r = distance from the centre
   * over the half-diagonal. 0 or absent = none.
   */
  vignette?: number;
}

export interface SimulateAcquisitionOptions {
  /** Image height and width in pixels; images are n×height×width, row-major. */
  height: number;
  width: number;
  /** "pool": site tied to label; "test": site independent of label. */
  split: "pool" | "test";
  /** Number of sites; default 3. */
  sites?: number;
  /** Pool split only: P(site = the label's preferred site); default max(0.8, 1/S). Must be in [1/S, 1]. */
  labelSiteBias?: number;
  /** Scales every effect: 0 = none, 1 = the site defaults; default 1. */
  strength?: number;
  /** Per-site effects; default DEFAULT_SITE_EFFECTS (cycled, with markers in different corners). */
  siteEffects?: ReadonlyArray<SiteEffects>;
  /** Seed for site assignment and noise; default 0. */
  seed?: number;
}

export interface SimulatedAcquisition {
  /** Transformed images, same shape as the input. */
  images: Uint8Array;
  /** Site of each image, 0..S−1. */
  sites: Int32Array;
  /** The effects applied per site (at strength 1; scaled by `strength` when applied). */
  siteEffects: SiteEffects[];
}

/** Three clearly different scanners. */
export const DEFAULT_SITE_EFFECTS: readonly SiteEffects[] = [
  { gamma: 0.6, contrast: 1.0, brightness: 10, noiseSd: 0, blurRadius: 0, marker: { corner: "top-left", size: 4, value: 255 } },
  { gamma: 1.0, contrast: 0.6, brightness: 0, noiseSd: 12, blurRadius: 0, marker: { corner: "top-right", size: 4, value: 0 } },
  { gamma: 1.6, contrast: 1.3, brightness: -10, noiseSd: 0, blurRadius: 1, marker: { corner: "bottom-right", size: 4, value: 200 } },
];

const CORNERS: readonly Corner[] = ["top-left", "top-right", "bottom-left", "bottom-right"];

function defaultEffects(s: number): SiteEffects {
  const base = DEFAULT_SITE_EFFECTS[s % DEFAULT_SITE_EFFECTS.length]!;
  const cycle = Math.floor(s / DEFAULT_SITE_EFFECTS.length);
  if (cycle === 0) return { ...base, marker: base.marker && { ...base.marker } };
  // Further sites: same family, shifted so they stay distinguishable.
  return {
    ...base,
    gamma: base.gamma * (1 + 0.25 * cycle),
    brightness: base.brightness + 15 * cycle,
    marker: { corner: CORNERS[(s + cycle) % 4]!, size: 3 + (cycle % 3), value: (97 * s) % 256 },
  };
}

/**
 * simulateAcquisition(images, labels, options) assigns every image to a site and applies that
 * site's effects. `images` is n×height×width uint8; `labels` has one entry per image (any values).
 * Classes are indexed by their sorted string value, so class c's preferred site (c mod S) does not
 * depend on row order.
 */
export function simulateAcquisition(
  images: Uint8Array,
  labels: ArrayLike<number | string>,
  options: SimulateAcquisitionOptions,
): SimulatedAcquisition {
  const { height: h, width: w, split } = options;
  const S = options.sites ?? 3;
  const strength = options.strength ?? 1;
  const bias = options.labelSiteBias ?? Math.max(0.8, 1 / S);
  const seed = options.seed ?? 0;
  const n = labels.length;
  if (!Number.isInteger(h) || h < 1) throw new EngineInputError("BAD_SHAPE", "height", `expected a positive integer height, got ${h}`);
  if (!Number.isInteger(w) || w < 1) throw new EngineInputError("BAD_SHAPE", "width", `expected a positive integer width, got ${w}`);
  if (images.length !== n * h * w) {
    throw new EngineInputError("LENGTH_MISMATCH", "images", `expected ${n}×${h}×${w} = ${n * h * w} bytes for ${n} labels, got ${images.length}`);
  }
  if (!Number.isInteger(S) || S < 1) throw new EngineInputError("BAD_PARAM", "sites", `expected a positive integer number of sites, got ${S}`);
  if (split !== "pool" && split !== "test") throw new EngineInputError("BAD_PARAM", "split", `expected "pool" or "test", got ${String(split)}`);
  if (!(bias >= 1 / S - 1e-12 && bias <= 1)) {
    throw new EngineInputError("BAD_PARAM", "labelSiteBias", `expected a probability in [1/${S}, 1], got ${bias}`);
  }
  if (!(strength >= 0) || !Number.isFinite(strength)) throw new EngineInputError("BAD_PARAM", "strength", `expected a finite strength ≥ 0, got ${strength}`);
  const effects: SiteEffects[] = [];
  for (let s = 0; s < S; s++) {
    const given = options.siteEffects?.[s];
    effects.push(given ? { ...given, marker: given.marker && { ...given.marker } } : defaultEffects(s));
  }

  // Class index by sorted distinct label value, so the preferred site does not depend on row order.
  const keys = Array.from({ length: n }, (_, i) => String(labels[i]));
  const classes = [...new Set(keys)].sort();
  const classOf = new Map(classes.map((c, i) => [c, i] as const));

  const rng = createRng(seed);
  const sites = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (split === "test" || S === 1) {
      sites[i] = rng.int(S);
    } else {
      const preferred = classOf.get(keys[i]!)! % S;
      if (rng.next() < bias) sites[i] = preferred;
      else {
        const other = rng.int(S - 1);
        sites[i] = other >= preferred ? other + 1 : other;
      }
    }
  }

  const out = new Uint8Array(images.length);
  const px = h * w;
  const buf = new Float64Array(px);
  const tmp = new Float64Array(px);
  for (let i = 0; i < n; i++) {
    const e = effects[sites[i]!]!;
    const off = i * px;
    for (let p = 0; p < px; p++) buf[p] = images[off + p]! / 255;
    const r = e.blurRadius;
    if (r > 0 && strength > 0) {
      boxBlur(buf, tmp, h, w, r);
      const a = Math.min(1, strength);
      for (let p = 0; p < px; p++) buf[p] = (1 - a) * images[off + p]! / 255 + a * buf[p]!;
    }
    const gamma = Math.pow(e.gamma, strength);
    const contrast = 1 + (e.contrast - 1) * strength;
    const brightness = (e.brightness * strength) / 255;
    const noise = (e.noiseSd * strength) / 255;
    const vig = (e.vignette ?? 0) * strength;
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    const r2max = cy * cy + cx * cx || 1;
    for (let p = 0; p < px; p++) {
      let x = buf[p]!;
      x = Math.pow(x, gamma);
      if (vig !== 0) {
        const dy = Math.floor(p / w) - cy;
        const dx = (p % w) - cx;
        x *= 1 - (vig * (dy * dy + dx * dx)) / r2max;
      }
      x = (x - 0.5) * contrast + 0.5 + brightness;
      if (noise > 0) x += noise * rng.normal();
      buf[p] = x;
    }
    if (e.marker && strength > 0) {
      const { corner, size, value } = e.marker;
      const a = Math.min(1, strength);
      const m = Math.min(size, h, w);
      const r0 = corner.startsWith("top") ? 0 : h - m;
      const c0 = corner.endsWith("left") ? 0 : w - m;
      for (let y = r0; y < r0 + m; y++) {
        for (let x = c0; x < c0 + m; x++) buf[y * w + x] = (1 - a) * buf[y * w + x]! + (a * value) / 255;
      }
    }
    for (let p = 0; p < px; p++) {
      const v = Math.round(buf[p]! * 255);
      out[off + p] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { images: out, sites, siteEffects: effects };
}

/** Separable box blur of radius r with edge clamping; result in `buf`, `tmp` is scratch. */
function boxBlur(buf: Float64Array, tmp: Float64Array, h: number, w: number, r: number): void {
  const k = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += buf[y * w + Math.min(w - 1, Math.max(0, x + d))]!;
      tmp[y * w + x] = s / k;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += tmp[Math.min(h - 1, Math.max(0, y + d)) * w + x]!;
      buf[y * w + x] = s / k;
    }
  }
}
