export { main, type Command } from "./main.js";
export { parseFlags, UsageError, type FlagSpec, type ParsedFlags } from "./args.js";
export { createProgress, type Progress } from "./progress.js";
