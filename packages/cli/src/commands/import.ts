import type { Command } from "../main.js";

// Being built; see the issue tracker.
export const command: Command = {
  summary: "(not yet available)",
  usage: "stratum import: not yet available",
  run: async () => {
    throw new Error("stratum import is not available yet");
  },
};
