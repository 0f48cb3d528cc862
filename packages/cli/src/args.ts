// A small, strict flag parser: `--name value`, `--name=value`, `--flag`. Unknown flags are errors,
// so a typo never silently falls back to a default.
import { checkParam, describeRange, type ParamSpec, type RangeParam } from "@stratum/engine";
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
  number(name: string, fallback?: number): number | undefined;
  oneOf<T extends string>(name: string, choices: readonly T[], fallback?: T): T | undefined;
  /** Engine threads (--threads N): an integer in 1..THREADS_MAX; default the cores available. */
  threads(name?: string): number;
  /**
   * A declared numeric parameter (engine SELECT_PARAMS / ANALYZE_PARAMS): parsed as its type and
   * checked against its declared range, so the CLI types no bound of its own. "auto" passes through
   * where the declaration allows it.
   */
  param(name: string, spec: RangeParam): number | "auto" | undefined;
  /**
   * Any declared parameter's flag, parsed by its declared type: a closed set (oneOf), a number (param),
   * a string as given, a list comma-separated (no empty name), a boolean flag. undefined: not given.
   */
  declared(name: string, spec: ParamSpec): unknown;
}

/** A declared parameter's metavar in help and usage: N, NUM (auto|NUM), its choices, COL, COLS. */
export function metavarOf(spec: ParamSpec): string {
  switch (spec.type) {
    case "int":
      return "N";
    case "number":
      return spec.auto ? "auto|NUM" : "NUM";
    case "enum":
      return spec.values.join("|");
    case "string":
      return "COL";
    case "list":
      return "COL[,COL…]";
    case "boolean":
      return "";
  }
}

/**
 * One help line of a declared parameter: its flag, the declaration's description, range and default,
 * e.g. `  --min-pts N           DBSCAN minPts, the point itself included (an integer in 1..200; default …)`.
 */
export function paramHelp(flag: string, metavar: string, spec: ParamSpec, note = ""): string {
  const facts: string[] = [];
  if (spec.type === "int" || spec.type === "number") facts.push(describeRange(spec));
  if (spec.type === "enum") facts.push(spec.values.join(" | "));
  if ("default" in spec && spec.default !== undefined) facts.push(`default ${String(spec.default)}`);
  const head = `  --${flag}${metavar ? ` ${metavar}` : ""}`;
  const text = `${spec.description.replace(/\.$/, "")}${facts.length ? ` (${facts.join("; ")})` : ""}${note ? `. ${note}` : ""}`;
  return `${head.padEnd(24)}${head.length >= 24 ? " " : ""}${text}`;
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
    number: (name, fallback) => {
      const v = values.get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got "${v}"`);
      return n;
    },
    param: (name, spec) => {
      const v = values.get(name);
      if (v === undefined) return undefined;
      if (spec.type === "number" && spec.auto && v === "auto") return "auto";
      const n = spec.type === "int" ? (/^-?\d+$/.test(v) ? Number(v) : NaN) : v.trim() === "" ? NaN : Number(v);
      if (checkParam(spec, n) !== null) throw new UsageError(`--${name}: expected ${describeRange(spec)}, got "${v}"`);
      return n;
    },
    declared: (name, spec) => {
      switch (spec.type) {
        case "enum":
          return parsed.oneOf(name, spec.values);
        case "int":
        case "number":
          return parsed.param(name, spec);
        case "boolean":
          return booleans.has(name) ? true : undefined;
        case "string":
          return values.get(name);
        case "list": {
          const v = values.get(name);
          if (v === undefined) return undefined;
          const items = v.split(",").map((c) => c.trim());
          if (checkParam(spec, items) !== null) throw new UsageError(`--${name}: expected ${describeRange(spec)}, got "${v}"`);
          return items;
        }
      }
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
