// Helpers for this package's tests (excluded from the build by tsconfig.build.json).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures");

export function tempDir(prefix = "stratum-formats-"): {
  dir: string;
  file(name: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => path.join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Resolves to the FormatError a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection, got a result");
}
