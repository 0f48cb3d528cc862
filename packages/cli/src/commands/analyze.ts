import type { Command } from "../main.js";

// Being built; see the issue tracker.
export const command: Command = {
  summary: "(not yet available)",
  usage: "stratum analyze: not yet available",
  run: async () => {
    throw new Error("stratum analyze is not available yet");
  },
};
