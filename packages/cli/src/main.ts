// `stratum <command> [flags]`. Each command lives in commands/<name>.ts and is loaded on demand, so
// `stratum analyze` never loads onnxruntime or the database driver.
import { UsageError } from "./args.js";

export interface Command {
  summary: string;
  usage: string;
  run(argv: readonly string[]): Promise<void>;
}

const commands: Record<string, () => Promise<{ command: Command }>> = {
  import: () => import("./commands/import.js"),
  analyze: () => import("./commands/analyze.js"),
  select: () => import("./commands/select.js"),
  embed: () => import("./commands/embed.js"),
  evaluate: () => import("./commands/evaluate.js"),
  quality: () => import("./commands/quality.js"),
};

/** Exit codes: 0 ok, 1 failed (bad input file, job error), 2 usage error. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log("usage: stratum <command> [flags]\n\ncommands:");
    for (const [n, load] of Object.entries(commands)) {
      const mod = await load().catch(() => null);
      console.log(`  ${n.padEnd(9)} ${mod?.command.summary ?? ""}`);
    }
    console.log("\nRun `stratum <command> --help` for its flags.");
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`stratum: unknown command "${name}" (expected one of ${Object.keys(commands).join(", ")})`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`stratum ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`stratum ${name}: ${message}`);
    if (process.env.STRATUM_DEBUG && error instanceof Error) console.error(error.stack);
    return 1;
  }
}
