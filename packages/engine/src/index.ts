// @stratum/engine: pure TypeScript, no I/O. This file only re-exports.
export * from "./types.js";
export { createRng } from "./rng.js";
export {
  simulateAcquisition,
  DEFAULT_SITE_EFFECTS,
  type SimulateAcquisitionOptions,
  type SimulatedAcquisition,
  type SiteEffects,
  type Corner,
} from "./simulate/acquisition.js";
export * from "./select/index.js";
