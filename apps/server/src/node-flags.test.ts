import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("the API process's V8 flags", () => {
  it("are the same in node-flags.mjs (npm start, the benchmark) and package.json's start script", async () => {
    const { serverNodeFlags } = (await import(pathToFileURL(path.join(serverRoot, "node-flags.mjs")).href)) as { serverNodeFlags: string[] };
    const start = (JSON.parse(readFileSync(path.join(serverRoot, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    expect(serverNodeFlags.length).toBeGreaterThan(0);
    expect(start).toBe(`node ${serverNodeFlags.join(" ")} dist/main.js`);
  });
});
