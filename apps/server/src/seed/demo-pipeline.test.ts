// The demo as a newcomer gets it: seed → embeddings → default analysis → random and balanced runs, all as
// real jobs on a live server. Asserts the pipeline's order and idempotence, and that the balanced run is
// less site-confounded than the random one (the bench, 11-discovery / 12-demo-pipeline, gives the numbers).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLiveServer, type LiveServer } from "../test/live-harness.js";
import { seedDemoIfEmpty, queueDemoEmbeddings, type DemoSeed } from "./demo.js";
import { advanceDemoPipeline, driveDemoPipeline, DEMO_RUNS } from "./demo-pipeline.js";

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the demo pipeline after the seed", () => {
  let server: LiveServer;
  let seed: DemoSeed;

  beforeAll(async () => {
    server = await startLiveServer();
    seed = (await seedDemoIfEmpty(server.store, { filesDir: server.filesDir }))!;
  }, 180_000);
  afterAll(async () => server?.close());

  it("waits for the embeddings, and does nothing outside the demo", async () => {
    expect(await advanceDemoPipeline(server.app.services)).toBe("waiting-for-embeddings");
    expect(await server.store.prisma.confounderAnalysis.count()).toBe(0);
  });

  it("queues the default analysis, then a random and a balanced run of the same budget and seed", async () => {
    for (const jobId of await queueDemoEmbeddings(server.store, seed)) await server.runtime.jobs.queue.enqueue(jobId);
    const stop = driveDemoPipeline(server.app.services, { intervalMs: 100 });
    try {
      const runs = await until("two finished runs", async () => {
        const rows = await server.store.prisma.selectionRun.findMany({ where: { datasetVersionId: seed.poolVersionId }, orderBy: { id: "asc" } });
        return rows.length === 2 && rows.every((r) => r.status === "SUCCEEDED" || r.status === "FAILED") && rows;
      });
      expect(runs.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
      const analyses = await server.store.prisma.confounderAnalysis.findMany({ where: { datasetVersionId: seed.poolVersionId } });
      expect(analyses).toHaveLength(1);
      expect(analyses[0]!.params).toEqual({}); // the engine's defaults, as "Run analysis" gives them
      expect(runs.map((r) => [r.strategy, r.budgetPerClass, Number(r.seed)])).toEqual([ // seed: a bigint column
        ["random", DEMO_RUNS.perClass, DEMO_RUNS.seed],
        ["confounder-aware", DEMO_RUNS.perClass, DEMO_RUNS.seed],
      ]);
      expect(runs[1]!.analysisId).toBe(analyses[0]!.id);
      expect((runs[1]!.params as { allocation?: string }).allocation).toBe("balanced");
      // Made by the demo curator, through the same service as the mutation: audited like a user's run.
      const curator = await server.store.prisma.user.findUniqueOrThrow({ where: { email: "curator@demo.stratum" } });
      expect(runs.every((r) => r.createdById === curator.id)).toBe(true);
      expect(await server.store.prisma.auditEvent.count({ where: { action: "selectionRunStart", actorId: curator.id } })).toBe(2);

      // Largest site's share per class in each run: balanced must break the confounding that random keeps.
      const shares = await server.store.sql.query<{ runId: number; label: string; share: number }>(
        `SELECT "runId", label, max(n)::float / sum(n) AS share FROM (
           SELECT i."runId", i.label, s."siteId", count(*)::int AS n FROM "SelectionItem" i JOIN "Sample" s ON s.id = i."sampleId"
           WHERE i."runId" = ANY($1::int[]) GROUP BY 1, 2, 3) c
         GROUP BY 1, 2`,
        [runs.map((r) => r.id)],
      );
      for (const label of ["normal", "pneumonia"]) {
        const of = (runId: number) => shares.rows.find((r) => r.runId === runId && r.label === label)!.share;
        expect(of(runs[0]!.id)).toBeGreaterThan(0.65);
        expect(of(runs[1]!.id)).toBeLessThan(0.5);
      }
    } finally {
      stop();
    }
    // Once runs exist the pipeline stands down: a restart queues nothing more.
    expect(await advanceDemoPipeline(server.app.services)).toBe("done");
    expect(await server.store.prisma.selectionRun.count()).toBe(2);
  }, 300_000);
});
