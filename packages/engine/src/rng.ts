import type { Rng } from "./types.js";

/**
 * The one seed range of the whole contract (engine, CLI, API, web form): the generator's state is a
 * uint32, so every seed in 0..2^32−1 is distinct and nothing outside it is accepted (no silent wrap).
 */
export const SEED_MIN = 0;
export const SEED_MAX = 0xffffffff;

/** Whether `value` is a valid seed: an integer in SEED_MIN..SEED_MAX. */
export function isSeed(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= SEED_MIN && value <= SEED_MAX;
}

/**
 * A seeded generator (mulberry32 for uniforms, Box–Muller for normals). Small, fast and good enough
 * for sampling and initialisation; the point is that one seed reproduces a whole run byte for byte.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
