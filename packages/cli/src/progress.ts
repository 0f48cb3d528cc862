// A progress bar for long steps: drawn on a terminal (stderr), silent otherwise, so piped output and
// CI logs stay clean.

export interface Progress {
  update(phase: string, done: number, total: number): void;
  done(message?: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  const start = Date.now();
  let phaseStart = start;
  let lastPhase = "";
  let lastDraw = 0;
  const width = 28;
  return {
    update(phase, done, total) {
      const now = Date.now();
      if (phase !== lastPhase) {
        lastPhase = phase;
        phaseStart = now;
      } else if (now - lastDraw < 100 && done < total) {
        return; // redraw at most 10×/s
      }
      lastDraw = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(frac * width);
      const rate = done / Math.max(0.001, (now - phaseStart) / 1000);
      const eta = rate > 0 && total > done ? Math.ceil((total - done) / rate) : 0;
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      stream.write(
        `\r\x1b[2K${phase.padEnd(14)} ${bar} ${done}/${total} ${rate.toFixed(rate < 10 ? 1 : 0)}/s ETA ${eta}s`,
      );
    },
    done(message) {
      stream.write(`\r\x1b[2K${message ? message + "\n" : ""}`);
    },
  };
}
