import type { Command } from "../main.js";

// Being built; see the issue tracker.
export const command: Command = {
  summary: "(not yet available)",
  usage: "stratum select: not yet available",
  run: async () => {
    throw new Error("stratum select is not available yet");
  },
};
