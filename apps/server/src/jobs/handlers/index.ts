import type { JobHandler } from "../types.js";
import { analyzeHandler } from "./analyze.js";
import { embedHandler } from "./embed.js";
import { importHandler } from "./import.js";
import { probeHandler } from "./probe.js";
import { qualityHandler } from "./quality.js";
import { selectHandler } from "./select.js";

/** Every job kind this server can run. */
export function defaultHandlers(): JobHandler[] {
  return [importHandler, embedHandler, analyzeHandler, selectHandler, probeHandler, qualityHandler];
}

export { analyzeHandler, embedHandler, importHandler, probeHandler, qualityHandler, selectHandler };
