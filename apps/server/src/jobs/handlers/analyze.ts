// ANALYZE: confounder discovery for one ConfounderAnalysis. Runs the engine's analyze() per its params
// and writes every group, member (with 2-D layout) and the results in ONE transaction at the end.
// The engine runs on ctx.threads threads (STRATUM_THREADS); the findings do not depend on that number.
import * as engine from "@stratum/engine";
import { allocateSharedMatrix, analyzeThreaded } from "@stratum/engine/threads";
import { insertColumns, loadEmbeddingMatrix } from "@stratum/db";
import type { JobContext, JobHandler } from "../types.js";
import { JobInputError } from "../types.js";
import { NOW_UTC, type SqlClient } from "@stratum/db";
import { dropShardOutputs } from "../shards.js";
import { payloadId } from "./select.js";
import { analyzeSharded, runAnalyzeShard } from "./analyze-shards.js";

interface AnalysisRow {
  id: number;
  datasetVersionId: number;
  embeddingSetId: number;
  params: Record<string, unknown>;
}

/** What the analysis keeps per group about each metadata column. */
export interface GroupAssociation {
  column: string;
  dominantValue: string | null;
  share: number;
  cramersV: number;
  ami: number;
  pValue: number;
}

export const analyzeHandler: JobHandler = {
  kind: "ANALYZE",

  async onStart(sql, job) {
    if (job.parentId !== null) return; // a shard: the parent owns the analysis row
    await sql.query(`UPDATE "ConfounderAnalysis" SET status = 'RUNNING', error = NULL WHERE id = $1`, [payloadId(job, "analysisId")]);
  },

  async onEnd(sql, job, status, error) {
    if (job.parentId !== null) return;
    await sql.query(
      `UPDATE "ConfounderAnalysis" SET status = $2::"RunStatus", error = $3, "completedAt" = ${NOW_UTC} WHERE id = $1`,
      [payloadId(job, "analysisId"), status, error],
    );
  },

  async run(ctx: JobContext) {
    const sql = ctx.store.sql;
    const analysisId = payloadId(ctx.job, "analysisId");
    const r = await sql.query<AnalysisRow>(`SELECT * FROM "ConfounderAnalysis" WHERE id = $1`, [analysisId]);
    const analysis = r.rows[0];
    if (!analysis) throw new JobInputError("NOT_FOUND", "analysisId", `confounder analysis ${analysisId} does not exist`);
    const params = (analysis.params ?? {}) as engine.AnalyzeParams;
    const load = async () => {
      ctx.progress("loading", 0, 0);
      // in shared memory: the engine's threads read each class's rows in place (no copy per class)
      const loaded = await loadEmbeddingMatrix(sql, analysis.embeddingSetId, { allocate: allocateSharedMatrix, onRows: (done) => ctx.progress("loading", done, 0) });
      if (loaded.n === 0) throw new JobInputError("EMPTY_POOL", "embeddingSet", `embedding set ${analysis.embeddingSetId} has no vectors for this version`);
      await ctx.step();
      return loaded;
    };
    // Scale-out (analyze-shards.ts): a shard computes one class's layout; a large parent splits per class.
    if (ctx.shards.key !== null) {
      const loadClass = async (label: string) => {
        ctx.progress("loading", 0, 0);
        return loadEmbeddingMatrix(sql, analysis.embeddingSetId, { label, onRows: (done) => ctx.progress("loading", done, 0) });
      };
      return runAnalyzeShard(ctx, () => embeddedLabels(sql, analysis.embeddingSetId), loadClass, params, ctx.shards.key);
    }
    const sharded = await analyzeSharded(ctx, () => embeddedLabels(sql, analysis.embeddingSetId), load, params);
    const m = sharded?.m ?? (await load());

    const classesDone: string[] = [];
    // On ctx.threads threads (classes in parallel; the same bytes as engine.analyze, which threads = 1 runs
    // here). The threads stop when the job is cancelled or loses its lease.
    const findings =
      sharded?.findings ??
      (await analyzeThreaded({ points: { data: m.points, n: m.n, dim: m.dim }, labels: m.labels, metadata: m.metadata }, params, {
        threads: ctx.threads,
        signal: ctx.signal,
        onProgress: (phase, done, total) => {
          const label = phase.split(":")[0] ?? phase;
          ctx.progress(phase, done, total, { classesDone: [...classesDone], current: label });
          if (done === total && !classesDone.includes(label)) classesDone.push(label);
        },
      }));
    await ctx.step();

    ctx.progress("writing", 0, m.n);
    await ctx.commit(async (tx) => {
      if (sharded) await dropShardOutputs(tx, ctx.job.id);
      await tx.query(`DELETE FROM "ConfounderGroup" WHERE "analysisId" = $1`, [analysisId]);
      let members = 0;
      const summary = [];
      for (const cls of findings.classes) {
        const assoc = findings.associations.filter((a) => a.label === cls.label);
        const groupIndexes = [...cls.groupSizes.keys()];
        if (cls.noiseCount > 0) groupIndexes.push(-1);
        const groupIdByIndex = new Map<number, number>();
        for (const index of groupIndexes) {
          const perGroup: GroupAssociation[] = assoc.map((a) => {
            const share = a.perGroup.find((g) => g.group === index);
            return {
              column: a.column,
              dominantValue: share?.dominantValue ?? null,
              share: share?.share ?? 0,
              cramersV: a.cramersV,
              ami: a.ami,
              pValue: a.pValue,
            };
          });
          const size = index === -1 ? cls.noiseCount : (cls.groupSizes[index] as number);
          // modes: the layout fragments merged into this group (engine analyze, merge on by default)
          const modes = index === -1 ? [] : (cls.groupModes[index] ?? []).map((mode) => ({ mode, size: cls.modeSizes[mode] ?? 0 }));
          const g = await tx.query<{ id: number }>(
            `INSERT INTO "ConfounderGroup" ("analysisId", label, index, "isNoise", size, associations, modes, "mergeConfidence")
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8) RETURNING id`,
            [analysisId, cls.label, index, index === -1, size, JSON.stringify(perGroup), JSON.stringify(modes), index === -1 ? null : (cls.mergeConfidence[index] ?? null)],
          );
          groupIdByIndex.set(index, (g.rows[0] as { id: number }).id);
        }
        const k = cls.rows.length;
        await insertColumns(tx, "ConfounderGroupMember", [
          { name: "groupId", type: "int", values: Array.from(cls.groups, (gi) => groupIdByIndex.get(gi) as number) },
          { name: "sampleId", type: "int", values: Array.from(cls.rows, (row) => m.sampleIds[row] as number) },
          { name: "x", type: "float8", values: Array.from({ length: k }, (_, i) => cls.layout[2 * i] as number) },
          { name: "y", type: "float8", values: Array.from({ length: k }, (_, i) => cls.layout[2 * i + 1] as number) },
          { name: "mode", type: "int", values: Array.from(cls.modes, (md) => (md >= 0 ? md : null)) },
        ]);
        members += k;
        summary.push({
          label: cls.label,
          n: k,
          groups: cls.groupSizes.length,
          groupSizes: cls.groupSizes,
          // per group: its modes' sizes and the weakest merge's connectivity (null = one mode)
          modeSizes: cls.modeSizes,
          groupModes: cls.groupModes,
          mergeConfidence: cls.mergeConfidence,
          groupMerges: cls.groupMerges,
          // the metadata column that steered the merge (engine mergeMetadata), null = the graph alone
          mergeColumn: cls.mergeColumn,
          noiseCount: cls.noiseCount,
          eps: cls.eps,
          minPts: cls.minPts,
          epsAuto: cls.epsAuto,
          reduce: cls.reduce,
          pcaComponents: cls.pcaComponents,
          explainedVariance: cls.explainedVariance ?? null,
        });
      }
      const results = { params: findings.params, classes: summary, associations: findings.associations };
      await tx.query(
        `UPDATE "ConfounderAnalysis" SET status = 'SUCCEEDED', results = $2::jsonb, error = NULL, "completedAt" = ${NOW_UTC} WHERE id = $1`,
        [analysisId, JSON.stringify(results)],
      );
      return { analysisId, ...(sharded ? { shards: sharded.shards } : {}), classes: summary.length, groups: summary.reduce((s, c) => s + c.groups, 0), members };
    });
  },
};

/** Rows and distinct labels of the set's vectors in its version (what deciding to shard needs, without the vectors). */
async function embeddedLabels(sql: SqlClient, embeddingSetId: number): Promise<{ n: number; labels: string[] }> {
  const r = await sql.query<{ n: number; labels: string[] | null }>(
    `SELECT count(*)::int AS n, array_agg(DISTINCT s.label) AS labels
     FROM "EmbeddingSet" es
     JOIN "EmbeddingVector" v ON v."setId" = es.id
     JOIN "DatasetVersionSample" d ON d."versionId" = es."datasetVersionId" AND d."sampleId" = v."sampleId"
     JOIN "Sample" s ON s.id = v."sampleId"
     WHERE es.id = $1`,
    [embeddingSetId],
  );
  const row = r.rows[0];
  return { n: row?.n ?? 0, labels: [...(row?.labels ?? [])].sort() };
}
