import type { JobHandler } from "../types.js";
import { selectHandler } from "./select.js";

/** Every job kind this server can run. */
export function defaultHandlers(): JobHandler[] {
  return [selectHandler];
}

export { selectHandler };
