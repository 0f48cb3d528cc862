/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Declared confounders and verdicts that steer confounder-aware selection, through the API on a live
// server (PGlite, or Postgres with DATABASE_URL): typed errors that write nothing, balance across a
// declared column, rejected and same-named groups, the verdict snapshot a run records at its job's
// start, reproduction on that snapshot, and verdicts scoped to their analysis and consortium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../../test/gql/index.js";
import type { SelectionRunStartInput } from "../../../test/gql/graphql.js";

/** A run's input beside the version and embedding set every test starts on. */
type StartExtra = Pick<SelectionRunStartInput, "strategy" | "perClass"> & Partial<SelectionRunStartInput>;
import { TestClient, seedUser, signIn, snapshot, waitJob as waitJobEnd } from "../../../test/harness.js";
import { toGlobalId as gid } from "../../../graphql/ids.js";
import { startLiveServer, type LiveServer } from "../../../test/live-harness.js";
import { createSelectRun, seedDataset, type SeededDataset } from "../../../test/fixtures.js";

let server: LiveServer;
let seeded: SeededDataset;
let other: SeededDataset;
let curator: TestClient;
let outsider: TestClient;
let analysisGid: string;
let analysisId: number;
let secondAnalysisGid: string;
let otherAnalysisId: number;

const START = graphql(`
  mutation DeclaredSelectionRunStart($input: SelectionRunStartInput!) {
    selectionRunStart(input: $input) {
      run { id status }
      job { id }
      errors { code field message }
    }
  }
`);
const RUN = graphql(`
  query DeclaredSelectionRun($id: ID!) {
    selectionRun(id: $id) {
      id status error manifestHash reproducible metrics params
      declaredConfounders
      groupVerdicts { groupId label index verdict name }
    }
  }
`);
const VERDICT = graphql(`
  mutation DeclaredConfounderGroupSetVerdict($input: ConfounderGroupSetVerdictInput!) {
    confounderGroupSetVerdict(input: $input) { group { id verdict name } errors { code field message } }
  }
`);
const RENAME = graphql(`
  mutation DeclaredConfounderGroupRename($input: ConfounderGroupRenameInput!) {
    confounderGroupRename(input: $input) { group { id verdict name } errors { code field message } }
  }
`);

const dbIdOf = (globalId: string) => Number(Buffer.from(globalId, "base64url").toString().split(":")[1]);

const waitJob = (job: number, timeoutMs = 60_000) => waitJobEnd(server.store, job, timeoutMs);

const base = () => ({ datasetVersionId: gid("DatasetVersion", seeded.versionId), embeddingSetId: gid("EmbeddingSet", seeded.setId) });

async function startAndWait(extra: StartExtra) {
  const r = await curator.mutate(START, { input: { ...base(), ...extra } });
  expect(r.errors).toEqual([]);
  expect(r.data.selectionRunStart.errors).toEqual([]);
  const job = await waitJob(dbIdOf(r.data.selectionRunStart.job.id));
  expect(job.error).toBeNull();
  return (await curator.query(RUN, { id: r.data.selectionRunStart.run.id })).data.selectionRun;
}

async function analyze(seed: number) {
  const r = await curator.mutate(
    graphql(`mutation DeclaredAnalysisStart($input: AnalysisStartInput!) { analysisStart(input: $input) { analysis { id } job { id } errors { code message } } }`),
    { input: { ...base(), params: { reduce: "PCA", seed } } },
  );
  expect(r.data.analysisStart.errors).toEqual([]);
  await waitJob(dbIdOf(r.data.analysisStart.job.id));
  return r.data.analysisStart.analysis.id as string;
}

/** Per class, the run's items per site code, counted by the database. */
async function sitesOfRun(runId: number) {
  const r = await server.store.sql.query<{ label: string; code: string; n: number }>(
    `SELECT i.label, st.code, count(*)::int AS n FROM "SelectionItem" i JOIN "Sample" s ON s.id = i."sampleId" JOIN "Site" st ON st.id = s."siteId"
     WHERE i."runId" = $1 GROUP BY i.label, st.code ORDER BY i.label, st.code`,
    [runId],
  );
  const out: Record<string, Record<string, number>> = {};
  for (const row of r.rows) (out[row.label] ??= {})[row.code] = row.n;
  return out;
}

async function groupsOf(id: number) {
  return server.store.prisma.confounderGroup.findMany({ where: { analysisId: id, isNoise: false }, orderBy: [{ label: "asc" }, { index: "asc" }] });
}

beforeAll(async () => {
  server = await startLiveServer();
  seeded = await seedDataset(server.store, { n: 240, groups: 3, slug: "decl-a" });
  other = await seedDataset(server.store, { n: 40, groups: 2, slug: "decl-b" });
  // A column with one value and one with a value per sample (an id), for the level checks.
  await server.store.sql.query(
    `UPDATE "Sample" SET metadata = metadata || jsonb_build_object('const', 'x', 'serial', id::text) WHERE "datasetId" = $1`,
    [seeded.datasetId],
  );
  const u = await seedUser(server.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "decl-curator");
  curator = await signIn(server, u.email);
  const o = await seedUser(server.store, [{ consortiumId: other.consortiumId, role: "OWNER" }], "decl-outsider");
  outsider = await signIn(server, o.email);
  analysisGid = await analyze(3);
  analysisId = dbIdOf(analysisGid);
  secondAnalysisGid = await analyze(5);
  const oa = await server.store.prisma.confounderAnalysis.create({
    data: { datasetVersionId: other.versionId, embeddingSetId: other.setId, params: {}, status: "SUCCEEDED" },
  });
  otherAnalysisId = oa.id;
  await server.store.prisma.confounderGroup.create({ data: { analysisId: oa.id, label: "normal", index: 0, size: 1 } });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("declared confounders", () => {
  it("a declared column that does not exist, has one level or more than 64 gets a typed error naming it, and nothing is written", async () => {
    const before = await snapshot(server.store);
    const jobsBefore = await server.store.prisma.job.count();
    const aware: StartExtra = { strategy: "CONFOUNDER_AWARE", perClass: 10, analysisId: analysisGid };
    const cases: [StartExtra, string, string[], RegExp][] = [
      [{ ...aware, declaredConfounders: ["vendor"] }, "DECLARED_COLUMN_NOT_FOUND", ["input", "declaredConfounders", "0"], /"vendor"/],
      [{ ...aware, declaredConfounders: ["site", "const"] }, "DECLARED_COLUMN_SINGLE_LEVEL", ["input", "declaredConfounders", "1"], /"const" has 1 level/],
      [{ ...aware, declaredConfounders: ["serial"] }, "DECLARED_COLUMN_TOO_MANY_LEVELS", ["input", "declaredConfounders", "0"], /"serial" has 240 levels/],
      [{ ...aware, declaredConfounders: ["site", "site"] }, "VALIDATION", ["input", "declaredConfounders"], /distinct/],
      [{ strategy: "RANDOM", perClass: 10, declaredConfounders: ["site"] }, "VALIDATION", ["input", "declaredConfounders"], /only confounder-aware/],
    ];
    for (const [input, code, field, message] of cases) {
      const r = await curator.mutate(START, { input: { ...base(), ...input } });
      expect(r.errors).toEqual([]);
      const errors = r.data.selectionRunStart.errors;
      const e = errors.find((x: any) => x.code === code)!;
      expect(e, JSON.stringify({ input, errors })).toBeTruthy();
      expect(e.field).toEqual(field);
      expect(e.message).toMatch(message);
      expect(r.data.selectionRunStart.run).toBeNull();
    }
    expect(await snapshot(server.store)).toEqual(before);
    expect(await server.store.prisma.job.count()).toBe(jobsBefore);
  });

  it("DatasetVersion.metadataColumns lists site first with level counts, and which may be declared", async () => {
    const r = await curator.query(graphql(`query DeclaredNode($id: ID!) { node(id: $id) { ... on DatasetVersion { metadataColumns { name levels missing declarable } } } }`), {
      id: gid("DatasetVersion", seeded.versionId),
    });
    expect(r.errors).toEqual([]);
    expect(r.data.node.metadataColumns).toEqual([
      { name: "site", levels: 3, missing: 0, declarable: true },
      { name: "age", levels: 50, missing: 0, declarable: true },
      { name: "const", levels: 1, missing: 0, declarable: false },
      { name: "scanner", levels: 3, missing: 0, declarable: true },
      { name: "serial", levels: 240, missing: 0, declarable: false },
    ]);
  });

  it("balanced with site declared shares each class's picks equally across the sites", async () => {
    const run = await startAndWait({ strategy: "CONFOUNDER_AWARE", perClass: 30, allocation: "BALANCED", seed: 2, analysisId: analysisGid, declaredConfounders: ["site"] });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.declaredConfounders).toEqual(["site"]);
    expect(run.metrics.params.declared).toEqual(["site"]);
    expect(await sitesOfRun(dbIdOf(run.id))).toEqual({ normal: { S0: 10, S1: 10, S2: 10 }, pneumonia: { S0: 10, S1: 10, S2: 10 } });
    // The allocation names each share's cell and group.
    const cls = run.metrics.allocation[0];
    expect(cls.cells.map((c: any) => [c.cell, c.share])).toEqual([
      ["site=S0", 10],
      ["site=S1", 10],
      ["site=S2", 10],
    ]);
    expect(cls.allocation.every((a: any) => typeof a.cell === "string" && Number.isInteger(a.group))).toBe(true);
    // Without the declaration, the same run has no declared columns.
    const plain = await startAndWait({ strategy: "CONFOUNDER_AWARE", perClass: 30, allocation: "BALANCED", seed: 2, analysisId: analysisGid });
    expect(plain.declaredConfounders).toEqual([]);
    expect(plain.metrics.params.declared).toBeUndefined();
  });
});

describe("verdicts steer selection", () => {
  it("a rejected group's rows are the class's rest, same-named groups are one group, and the run records the verdicts it used", async () => {
    const groups = await groupsOf(analysisId);
    const normal = groups.filter((g) => g.label === "normal");
    const pneu = groups.filter((g) => g.label === "pneumonia");
    expect(normal.length).toBeGreaterThanOrEqual(2);
    expect(pneu.length).toBeGreaterThanOrEqual(2);
    const rejected = normal[0]!;
    const r = await curator.mutate(VERDICT, { input: { groupId: gid("ConfounderGroup", rejected.id), analysisId: analysisGid, verdict: "REJECTED" } });
    expect(r.data.confounderGroupSetVerdict.errors).toEqual([]);
    for (const [g, name] of [
      [pneu[0]!, "Site A"],
      [pneu[1]!, "  site a "],
    ] as const) {
      const renamed = await curator.mutate(RENAME, { input: { groupId: gid("ConfounderGroup", g.id), name } });
      expect(renamed.data.confounderGroupRename.errors).toEqual([]);
    }
    const run = await startAndWait({ strategy: "CONFOUNDER_AWARE", perClass: 20, allocation: "BALANCED", seed: 1, analysisId: analysisGid });
    const byLabel = Object.fromEntries(run.metrics.allocation.map((c: any) => [c.label, c.allocation]));
    // normal: the rejected group is no group of its own; its rows are the rest (−2).
    expect(byLabel.normal.map((a: any) => a.group)).not.toContain(rejected.index);
    const rest = byLabel.normal.find((a: any) => a.group === -2);
    expect(rest.pool).toBe(rejected.size);
    // pneumonia: the two "site a" groups are one, numbered by the smaller index, holding both.
    const merged = byLabel.pneumonia.find((a: any) => a.group === pneu[0]!.index);
    expect(merged.pool).toBe(pneu[0]!.size + pneu[1]!.size);
    expect(byLabel.pneumonia.map((a: any) => a.group)).not.toContain(pneu[1]!.index);
    expect(run.metrics.grouping.find((g: any) => g.label === "pneumonia" && g.name === "Site A").groupIds.sort()).toEqual([pneu[0]!.id, pneu[1]!.id].sort());
    // Items keep their own ConfounderGroup, also when rejected or merged.
    const items = await server.store.prisma.selectionItem.findMany({ where: { runId: dbIdOf(run.id) } });
    const memberOf = new Map(
      (await server.store.prisma.confounderGroupMember.findMany({ where: { group: { analysisId } } })).map((m) => [m.sampleId, m.groupId]),
    );
    expect(items.every((i) => i.groupId === memberOf.get(i.sampleId))).toBe(true);
    // The snapshot: every non-noise group with its verdict and name at the job's start.
    const snap = new Map(run.groupVerdicts.map((v: any) => [dbIdOf(v.groupId), v]));
    expect(snap.size).toBe(groups.length);
    expect(snap.get(rejected.id)).toMatchObject({ verdict: "REJECTED", label: "normal", index: rejected.index });
    expect(snap.get(pneu[1]!.id)).toMatchObject({ verdict: "RENAMED", name: "  site a " });
  });

  it("a queued run uses the verdicts at its job's start and records them; reproduction uses the record, not today's verdicts", async () => {
    const groups = await groupsOf(analysisId);
    const target = groups.find((g) => g.label === "pneumonia" && g.verdict !== "REJECTED")!;
    // Queued (not yet handed to the queue), as a run waits behind others.
    const { runId, jobId } = await createSelectRun(server.store, seeded, {
      strategy: "confounder-aware",
      perClass: 20,
      seed: 6,
      analysisId,
      extra: { allocation: "balanced", withinGroup: "quantile", declared: ["site"] },
    });
    let r = await curator.mutate(VERDICT, { input: { groupId: gid("ConfounderGroup", target.id), verdict: "REJECTED" } });
    expect(r.data.confounderGroupSetVerdict.errors).toEqual([]);
    await server.runtime.jobs.queue.enqueue(jobId);
    expect((await waitJob(jobId)).error).toBeNull();
    const first = (await curator.query(RUN, { id: gid("SelectionRun", runId) })).data.selectionRun;
    expect(first.groupVerdicts.find((v: any) => dbIdOf(v.groupId) === target.id)!.verdict).toBe("REJECTED");
    // A later verdict changes neither the record nor a reproduction.
    r = await curator.mutate(VERDICT, { input: { groupId: gid("ConfounderGroup", target.id), verdict: "CONFIRMED" } });
    expect(r.data.confounderGroupSetVerdict.errors).toEqual([]);
    const again = (await curator.query(RUN, { id: gid("SelectionRun", runId) })).data.selectionRun;
    expect(again.groupVerdicts).toEqual(first.groupVerdicts);
    const rep = await curator.mutate(
      graphql(`mutation DeclaredSelectionRunReproduce($input: SelectionRunRefInput!) { selectionRunReproduce(input: $input) { run { id } job { id } errors { code message } } }`),
      { input: { runId: gid("SelectionRun", runId) } },
    );
    expect(rep.data.selectionRunReproduce.errors).toEqual([]);
    expect((await waitJob(dbIdOf(rep.data.selectionRunReproduce.job.id))).error).toBeNull();
    const child = (await curator.query(RUN, { id: rep.data.selectionRunReproduce.run.id })).data.selectionRun;
    expect(child.reproducible).toBe(true);
    expect(child.manifestHash).toBe(first.manifestHash);
    expect(child.groupVerdicts).toEqual(first.groupVerdicts);
    // A new run with the same parameters and seed follows today's verdicts: another grouping, another hash.
    const fresh = await startAndWait({
      strategy: "CONFOUNDER_AWARE",
      perClass: 20,
      allocation: "BALANCED",
      withinGroup: "QUANTILE",
      seed: 6,
      analysisId: analysisGid,
      declaredConfounders: ["site"],
    });
    expect(child.declaredConfounders).toEqual(["site"]);
    expect(fresh.groupVerdicts.find((v: any) => dbIdOf(v.groupId) === target.id)!.verdict).toBe("CONFIRMED");
    expect(fresh.manifestHash).not.toBe(first.manifestHash);
  });

  it("a verdict on a group of another analysis or another consortium is refused and changes nothing", async () => {
    const [g] = await groupsOf(analysisId);
    const before = await snapshot(server.store);
    const groupBefore = await server.store.prisma.confounderGroup.findUniqueOrThrow({ where: { id: g!.id } });
    // The caller names the analysis it is looking at; the group belongs to another one of the same version.
    let r = await curator.mutate(VERDICT, { input: { groupId: gid("ConfounderGroup", g!.id), analysisId: secondAnalysisGid, verdict: "REJECTED" } });
    expect(r.data.confounderGroupSetVerdict.errors.map((e: any) => [e.code, e.field])).toEqual([["NOT_FOUND", ["input", "groupId"]]]);
    const renamed = await curator.mutate(RENAME, { input: { groupId: gid("ConfounderGroup", g!.id), analysisId: secondAnalysisGid, name: "x" } });
    expect(renamed.data.confounderGroupRename.errors.map((e: any) => e.code)).toEqual(["NOT_FOUND"]);
    // Another consortium's group, and this consortium's group for another consortium's member.
    const otherGroup = (await groupsOf(otherAnalysisId))[0]!;
    r = await curator.mutate(VERDICT, { input: { groupId: gid("ConfounderGroup", otherGroup.id), verdict: "REJECTED" } });
    expect(r.data.confounderGroupSetVerdict.errors.map((e: any) => e.code)).toEqual(["NOT_FOUND"]);
    r = await outsider.mutate(VERDICT, { input: { groupId: gid("ConfounderGroup", g!.id), verdict: "REJECTED" } });
    expect(r.data.confounderGroupSetVerdict.errors.map((e: any) => e.code)).toEqual(["NOT_FOUND"]);
    expect(await server.store.prisma.confounderGroup.findUniqueOrThrow({ where: { id: g!.id } })).toEqual(groupBefore);
    expect(await snapshot(server.store)).toEqual(before);
  });
});
