// The rest of the demo after the seed: once the demo encoder has embedded the pool, a default confounder
// analysis; once that has succeeded, a random and a confounder-aware balanced run of the same budget, side
// by side. A newcomer then lands on a comparison that shows the site mix change (issue 16).
//
// Each step goes through the same services the mutations use, as the demo curator, so the jobs, audit rows
// and events are those a user would have made. The pipeline is a small state machine over what the store
// holds, not over memory: every step is taken only when the store shows the previous one done and the next
// not yet started, so it resumes after a restart and never queues a step twice. A user who got there first
// takes the pipeline's place: an analysis they started is the one the runs use, and once any run exists on
// the pool the pipeline stands down.
import type { AppServices, Context } from "../context.js";
import { makeContext } from "../context.js";
import { toGlobalId } from "../graphql/ids.js";
import { startAnalysis } from "../modules/analysis/analysis.service.js";
import { startRun } from "../modules/run/run.service.js";
import type { AnalysisStartInput } from "../modules/analysis/analysis.input.js";
import type { SelectionRunStartInput } from "../modules/run/run.input.js";
import { DEMO_CONSORTIUM, DEMO_POOL_DATASET } from "./demo.js";

/** The demo's comparison: 50 per class, the seed the runs share. */
export const DEMO_RUNS = { perClass: 50, seed: 1 } as const;
const CURATOR = "curator@demo.stratum";

export type DemoPipelineStep = "waiting-for-embeddings" | "analysis-queued" | "waiting-for-analysis" | "runs-queued" | "done" | "not-demo";

interface PoolState {
  versionId: number;
  setId: number | null;
  analyses: { id: number; status: string }[];
  runs: number;
}

async function poolState(services: AppServices): Promise<PoolState | null> {
  const sql = services.store.sql;
  const version = (
    await sql.query<{ id: number }>(
      `SELECT v.id FROM "DatasetVersion" v JOIN "Dataset" d ON d.id = v."datasetId" JOIN "Project" p ON p.id = d."projectId"
       JOIN "Consortium" c ON c.id = p."consortiumId" WHERE c.slug = $1 AND d.name = $2 ORDER BY v.number ASC LIMIT 1`,
      [DEMO_CONSORTIUM, DEMO_POOL_DATASET],
    )
  ).rows[0];
  if (!version) return null;
  const set = (
    await sql.query<{ id: number }>(`SELECT id FROM "EmbeddingSet" WHERE "datasetVersionId" = $1 AND status = 'COMPLETE' ORDER BY id LIMIT 1`, [version.id])
  ).rows[0];
  const analyses = (await sql.query<{ id: number; status: string }>(`SELECT id, status FROM "ConfounderAnalysis" WHERE "datasetVersionId" = $1 ORDER BY id`, [version.id])).rows;
  const runs = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "SelectionRun" WHERE "datasetVersionId" = $1`, [version.id])).rows[0]!.n;
  return { versionId: version.id, setId: set?.id ?? null, analyses, runs };
}

async function curatorContext(services: AppServices): Promise<Context | null> {
  const user = await services.store.prisma.user.findUnique({ where: { email: CURATOR } });
  if (!user) return null;
  return makeContext(services, { userId: user.id, email: user.email, name: user.name, token: null, sessionId: null }, { ip: "127.0.0.1" });
}

/**
 * Takes the next step of the demo pipeline, if the store is ready for it, and says where the pipeline is.
 * Idempotent; call it after the seed and then whenever a job ends.
 */
export async function advanceDemoPipeline(services: AppServices): Promise<DemoPipelineStep> {
  const state = await poolState(services);
  if (!state) return "not-demo";
  if (state.runs > 0) return "done";
  if (state.setId === null) return "waiting-for-embeddings";
  const ctx = await curatorContext(services);
  if (!ctx) return "not-demo";
  const setId = toGlobalId("EmbeddingSet", state.setId);
  const versionId = toGlobalId("DatasetVersion", state.versionId);
  if (state.analyses.length === 0) {
    // The engine's defaults: exactly what a user gets from "Run analysis" without touching a setting.
    await startAnalysis(ctx, { datasetVersionId: versionId, embeddingSetId: setId } as AnalysisStartInput);
    return "analysis-queued";
  }
  const first = state.analyses[0]!;
  if (first.status !== "SUCCEEDED") return first.status === "FAILED" || first.status === "CANCELLED" ? "done" : "waiting-for-analysis";
  const common = { datasetVersionId: versionId, embeddingSetId: setId, perClass: DEMO_RUNS.perClass, seed: DEMO_RUNS.seed };
  await startRun(ctx, { ...common, strategy: "random", name: `Random, ${DEMO_RUNS.perClass} per class` } as SelectionRunStartInput);
  await startRun(ctx, {
    ...common,
    strategy: "confounder-aware",
    allocation: "balanced",
    analysisId: toGlobalId("ConfounderAnalysis", first.id),
    name: `Confounder-aware balanced, ${DEMO_RUNS.perClass} per class`,
  } as SelectionRunStartInput);
  return "runs-queued";
}

/**
 * Drives the pipeline until its runs are queued: checks every `intervalMs` (a few cheap queries) and
 * stops by itself once done. Returns a stop function. Errors are logged and retried at the next tick.
 */
export function driveDemoPipeline(services: AppServices, options: { intervalMs?: number; log?: (line: string) => void } = {}): () => void {
  const log = options.log ?? (() => {});
  let stopped = false;
  let busy = false;
  let last: DemoPipelineStep | null = null;
  const tick = async () => {
    if (stopped || busy) return;
    busy = true;
    try {
      const step = await advanceDemoPipeline(services);
      if (step !== last && (step === "analysis-queued" || step === "runs-queued")) log(`demo: ${step === "analysis-queued" ? "embeddings ready; confounder analysis queued" : "analysis done; random and balanced runs queued"}`);
      last = step;
      if (step === "done" || step === "runs-queued" || step === "not-demo") stop();
    } catch (error) {
      log(`demo pipeline: ${error instanceof Error ? error.message : String(error)} (retrying)`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 2_000);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  void tick();
  return stop;
}
