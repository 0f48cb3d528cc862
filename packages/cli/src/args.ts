// A small, strict flag parser: `--name value`, `--name=value`, `--flag`. Unknown flags are errors,
// so a typo never silently falls back to a default.
import { isSeed, SEED_MAX, SEED_MIN } from "@stratum/engine";
import { defaultThreads, THREADS_MAX } from "@stratum/engine/threads";

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  /** Flags that take a value. */
  values?: readonly string[];
  /** Flags without a value. */
  booleans?: readonly string[];
  /** Flags that must be present. */
  required?: readonly string[];
}

export interface ParsedFlags {
  values: Map<string, string>;
  booleans: Set<string>;
  get(name: string): string | undefined;
  require(name: string): string;
  int(name: string, fallback?: number): number | undefined;
  /** A seed in the engine's range (SEED_MIN..SEED_MAX), the same range the API and the web form check. */
  seed(name: string, fallback?: number): number | undefined;
  number(name: string, fallback?: number): number | undefined;
  oneOf<T extends string>(name: string, choices: readonly T[], fallback?: T): T | undefined;
  /** Engine threads (--threads N): an integer in 1..THREADS_MAX; default the cores available. */
  threads(name?: string): number;
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const valueNames = new Set(spec.values ?? []);
  const boolNames = new Set(spec.booleans ?? []);
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (boolNames.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
    } else if (valueNames.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) {
        throw new UsageError(`--${name} expects a value`);
      }
      values.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  for (const name of spec.required ?? []) {
    if (!values.has(name)) throw new UsageError(`--${name} is required`);
  }
  const parsed: ParsedFlags = {
    values,
    booleans,
    get: (name) => values.get(name),
    require: (name) => {
      const v = values.get(name);
      if (v === undefined) throw new UsageError(`--${name} is required`);
      return v;
    },
    int: (name, fallback) => {
      const v = values.get(name);
      if (v === undefined) return fallback;
      if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name}: expected an integer, got "${v}"`);
      return Number(v);
    },
    seed: (name, fallback) => {
      const n = parsed.int(name, fallback);
      if (n !== undefined && !isSeed(n)) throw new UsageError(`--${name}: expected an integer in ${SEED_MIN}..${SEED_MAX}, got "${values.get(name)}"`);
      return n;
    },
    number: (name, fallback) => {
      const v = values.get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got "${v}"`);
      return n;
    },
    oneOf: (name, choices, fallback) => {
      const v = values.get(name);
      if (v === undefined) return fallback;
      if (!(choices as readonly string[]).includes(v)) {
        throw new UsageError(`--${name}: expected one of ${choices.join("|")}, got "${v}"`);
      }
      return v as (typeof choices)[number];
    },
    threads: (name = "threads") => {
      const v = values.get(name);
      if (v === undefined) return defaultThreads();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > THREADS_MAX) {
        throw new UsageError(`--${name}: expected an integer in 1..${THREADS_MAX} (default: the cores available, ${defaultThreads()}), got "${v}"`);
      }
      return Number(v);
    },
  };
  return parsed;
}
