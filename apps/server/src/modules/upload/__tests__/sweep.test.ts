// sweepUploads(dir, maxAgeMs) deletes uploads and interrupted .part files older than the TTL, and nothing else.
import { mkdtempSync, mkdirSync, writeFileSync, utimesSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sweepUploads } from "../upload.service.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function upload(dir: string, id: string, ageMs: number) {
  mkdirSync(path.join(dir, id));
  writeFileSync(path.join(dir, id, "m.csv"), "id,label\n");
  writeFileSync(path.join(dir, `${id}.json`), "{}");
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(path.join(dir, `${id}.json`), t, t);
}

describe("sweepUploads(dir, maxAgeMs)", () => {
  it("removes old uploads and old .part files, keeps recent ones and foreign files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stratum-sweep-"));
    dirs.push(dir);
    const old = "00000000-0000-4000-8000-000000000001";
    const fresh = "00000000-0000-4000-8000-000000000002";
    upload(dir, old, 2 * 3_600_000);
    upload(dir, fresh, 0);
    writeFileSync(path.join(dir, "stale.part"), "x");
    const t = (Date.now() - 2 * 3_600_000) / 1000;
    utimesSync(path.join(dir, "stale.part"), t, t);
    writeFileSync(path.join(dir, "notes.txt"), "not ours");
    utimesSync(path.join(dir, "notes.txt"), t, t);
    expect(await sweepUploads(dir, 3_600_000)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([fresh, `${fresh}.json`, "notes.txt"].sort());
  });

  it("is a no-op when the folder does not exist yet", async () => {
    expect(await sweepUploads(path.join(tmpdir(), "stratum-no-such-dir-" + process.pid))).toBe(0);
  });
});
