// Loads the scikit-learn reference fixtures written by fixtures/make_fixtures.py.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), "utf8")) as T;
}

export function flat(rows: number[][]): Float64Array {
  const dim = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
}
