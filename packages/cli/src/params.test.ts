// The CLI's flags take their ranges from the engine's declaration: for every declared numeric parameter
// that `stratum analyze` / `stratum select` has a flag for, the bound is accepted and one step beyond
// it is a usage error (exit 2) naming the flag with the declared range. A bound typed in a command
// (or a flag parsed without its declaration) fails here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ANALYZE_PARAMS, SELECT_PARAMS, describeRange, onSurface, type ParamSpec, type RangeParam } from "@stratum/engine";
import { paramHelp, parseFlags, UsageError } from "./args.js";
import { command as analyzeCommand } from "./commands/analyze.js";
import { command as selectCommand } from "./commands/select.js";
import { main } from "./main.js";

const dir = mkdtempSync(path.join(tmpdir(), "stratum-params-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Files that do not exist: a run that gets past flag parsing stops at loading them (exit 1, not 2).
const missing = ["--embeddings", path.join(dir, "none.npy"), "--samples", path.join(dir, "none.csv"), "--out", path.join(dir, "out.json")];

async function exit(argv: string[]): Promise<{ code: number; stderr: string }> {
  const errors: string[] = [];
  const origErr = console.error;
  const origLog = console.log;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  console.log = () => {};
  try {
    return { code: await main(argv), stderr: errors.join("\n") };
  } finally {
    console.error = origErr;
    console.log = origLog;
  }
}

/** The numeric parameters a command has a flag for: [name, spec, flag] (the declared "cli" surface). */
const numericFlags = (table: Record<string, ParamSpec>) =>
  onSurface(table, "cli").filter((e): e is [string, RangeParam, string] => e[1].type === "int" || e[1].type === "number");

/** The bounds to accept and the values one step beyond them. */
function cases(spec: RangeParam): { accept: number[]; refuse: number[] } {
  const exclusive = spec.type === "number" && spec.minExclusive === true;
  const accept = [exclusive ? spec.min + 0.5 * Math.min(1, (spec.max ?? spec.min + 1) - spec.min) : spec.min];
  const refuse = [exclusive ? spec.min : spec.min - 1];
  if (spec.max !== undefined) {
    accept.push(spec.max);
    refuse.push(spec.max + 1);
  }
  return { accept, refuse };
}

const usages: Record<string, string> = { analyze: analyzeCommand.usage, select: selectCommand.usage };

for (const [command, table, extra] of [
  ["analyze", ANALYZE_PARAMS, []],
  ["select", SELECT_PARAMS, ["--strategy", "random", "--per-class", "1"]],
] as const) {
  describe(`stratum ${command}: declared ranges`, () => {
    const usage = usages[command]!;
    const flagged = numericFlags(table);
    it("has a flag, with its help line, for every declared parameter on the cli surface", () => {
      const onCli = onSurface(table, "cli");
      expect(onCli.length).toBeGreaterThan(0);
      for (const [, spec, flag] of onCli) {
        expect(usage, flag).toContain(`--${flag} `);
        expect(usage, flag).toContain(spec.description.replace(/\.$/, ""));
      }
      // select: every selection parameter is on the cli, declared under its published flag --declare
      if (command === "select") expect(onCli.map(([n, , f]) => `${n}:${f}`)).toEqual(Object.keys(SELECT_PARAMS).map((n) => `${n}:${n === "declared" ? "declare" : n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
    });
    for (const [, spec, name] of flagged) {
      const flag = `--${name}`;
      it(`${flag}: accepts ${describeRange(spec)}, refuses one step beyond (exit 2)`, async () => {
        const { accept, refuse } = cases(spec);
        for (const v of accept) {
          const r = await exit([command, ...missing, ...extra, flag, String(v)]);
          expect(r.code, `${flag} ${v}: ${r.stderr}`).toBe(1); // past the flags, stopped at the missing files
        }
        for (const v of refuse) {
          const r = await exit([command, ...missing, ...extra, flag, String(v)]);
          expect(r.code, `${flag} ${v}`).toBe(2);
          expect(r.stderr).toContain(`${flag}: expected ${describeRange(spec)}, got "${v}"`);
        }
      });
      it(`${flag}: help gives the declared range`, () => {
        expect(usage).toContain(describeRange(spec));
      });
    }
  });
}

describe("stratum select: the other declared selection parameters", () => {
  const selectArgs = (strategy: string, ...more: string[]) => ["select", ...missing, "--strategy", strategy, "--per-class", "1", ...more];
  for (const [name, spec, flag] of onSurface(SELECT_PARAMS, "cli")) {
    const strategy = spec.strategies?.[0] ?? "random";
    if (spec.type === "list") {
      it(`--${flag}: takes ${spec.maxItems} names, refuses ${spec.maxItems + 1}, an empty name and duplicates (exit 2)`, async () => {
        const cols = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(",");
        expect((await exit(selectArgs(strategy, `--${flag}`, cols(spec.maxItems)))).code).toBe(1);
        for (const bad of [cols(spec.maxItems + 1), "a,", "a,a"]) {
          const r = await exit(selectArgs(strategy, `--${flag}`, bad));
          expect(r.code, bad).toBe(2);
          expect(r.stderr).toContain(`--${flag}: expected ${describeRange(spec)}, got "${bad}"`);
        }
      });
    }
    if (spec.type === "enum" && name !== "strategy") {
      it(`--${flag}: takes each declared value, refuses another (exit 2)`, async () => {
        for (const v of spec.values) expect((await exit(selectArgs(strategy, `--${flag}`, v))).code, v).toBe(1);
        const r = await exit(selectArgs(strategy, `--${flag}`, "nope"));
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--${flag}: expected one of ${spec.values.join("|")}`);
      });
    }
    const only = spec.strategies;
    if (only) {
      it(`--${flag}: only with --strategy ${only.join(" / ")} (exit 2 otherwise)`, async () => {
        const other = SELECT_PARAMS.strategy.values.find((s) => !only.includes(s))!;
        const value = spec.type === "enum" ? spec.values[0]! : "site";
        const r = await exit(selectArgs(other, `--${flag}`, value, ...(other === "stratified" ? ["--stratify-column", "site"] : [])));
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--${flag} applies to --strategy ${only.join(" / ")}, got --strategy ${other}`);
      });
    }
  }
  it("the required ones are required", async () => {
    for (const [, spec, flag] of onSurface(SELECT_PARAMS, "cli").filter(([, s]) => s.required)) {
      const argv = selectArgs("random").filter((a, i, all) => a !== `--${flag}` && all[i - 1] !== `--${flag}`);
      const r = await exit(argv);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(`--${flag} is required`);
      expect(spec.required).toBe(true);
    }
  });
});

describe("flags.param", () => {
  it("parses an int as digits only, a number as a finite decimal, and auto where declared", () => {
    const f = parseFlags(["--min-pts", "1e1", "--eps", "auto", "--perplexity", "2.5"], { values: ["min-pts", "eps", "perplexity"] });
    expect(() => f.param("min-pts", ANALYZE_PARAMS.minPts)).toThrow(UsageError);
    expect(f.param("eps", ANALYZE_PARAMS.eps)).toBe("auto");
    expect(f.param("perplexity", ANALYZE_PARAMS.perplexity)).toBe(2.5);
    expect(f.param("n-neighbors", ANALYZE_PARAMS.nNeighbors)).toBeUndefined();
  });
  it("paramHelp: flag, description, range and default", () => {
    expect(paramHelp("n-neighbors", "K", ANALYZE_PARAMS.nNeighbors)).toBe("  --n-neighbors K       UMAP neighbours (an integer in 2..100; default 15)");
  });
});
