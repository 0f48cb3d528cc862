"use client";
// Saved subsets (issue 14): save one (from a lasso, a search result, a quality or metadata filter), list
// them with their manifest downloads, rename and delete; the run form's pool / exclusion / must-include
// options in plain words (lib/runConstraints.ts); and what a run excluded and included.
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "@/gql";
import type { SubsetKind } from "@/gql/graphql";
import { Card, Empty, ErrorText, fmtInt, fmtWhen, useToast } from "@/components/ui";
import { describeError, errorsByField } from "@/lib/errors";
import { describeConstraints, type ConstraintValues } from "@/lib/runConstraints";
import { subsetKindWords, subsetSummary } from "@/lib/subsetDefinition";

const SubsetCreate = graphql(`
  mutation SubsetCreate($input: SubsetCreateInput!) {
    subsetCreate(input: $input) { subset { id name memberCount } errors { code field message } }
  }
`);
const SubsetRename = graphql(`
  mutation SubsetRename($input: SubsetRenameInput!) { subsetRename(input: $input) { subset { id name } errors { code field message } } }
`);
const SubsetDelete = graphql(`
  mutation SubsetDelete($input: SubsetDeleteInput!) { subsetDelete(input: $input) { deletedSubsetId errors { code field message } } }
`);
export const VersionSubsetsQuery = graphql(`
  query VersionSubsets($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id
        subsets(first: 100) { totalCount nodes { id name kind definition memberCount memberHash createdAt manifestPath createdBy { id name } } }
      }
    }
  }
`);
const PreviewQuery = graphql(`
  query QualityExclusionPreview($id: ID!, $rules: QualityRulesInput!) {
    node(id: $id) { ... on DatasetVersion { id qualityExclusionPreview(rules: $rules) { reportId duplicates duplicateSets outliers labelErrors total } } }
  }
`);

type CreateSource = { sampleIds: string[]; lasso?: { analysisId: string; polygon: [number, number][] } } | { quality: { duplicates?: boolean; outlierRank?: number; labelErrorScore?: number } } | { metadata: { column: string; values: string[] } };

/** "Save as subset": a name box and a button; the server names any problem (a used name, a foreign sample). */
export function SaveSubset({ versionId, kind, source, definition, label = "Save as subset", testId = "save-subset", onSaved }: {
  versionId: string;
  kind: SubsetKind;
  source: CreateSource;
  definition?: Record<string, unknown>;
  label?: string;
  testId?: string;
  onSaved?: () => void;
}) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const [create, { loading }] = useMutation(SubsetCreate, { refetchQueries: ["VersionSubsets"] });
  if (!open) return <button type="button" className="btn sm" onClick={() => setOpen(true)} data-testid={testId}>{label}</button>;
  const save = async () => {
    setError("");
    try {
      const { data } = await create({ variables: { input: { datasetVersionId: versionId, name, kind, ...source, ...(definition ? { definition } : {}) } } });
      const p = data?.subsetCreate;
      if (p?.subset) {
        toast(`Saved “${p.subset.name}” (${fmtInt(p.subset.memberCount)} samples)`, "ok");
        setOpen(false);
        setName("");
        onSaved?.();
      } else setError(Object.values(errorsByField(p?.errors)).join(" "));
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <span className="row" style={{ gap: 6 }}>
      <input className="input" aria-label="Subset name" placeholder="subset name" value={name} onChange={(e) => setName(e.target.value)} data-testid={`${testId}-name`} />
      <button type="button" className="btn sm primary" disabled={loading || !name.trim()} onClick={() => void save()} data-testid={`${testId}-confirm`}>{loading ? "Saving…" : "Save"}</button>
      <button type="button" className="btn sm" onClick={() => setOpen(false)}>Cancel</button>
      <ErrorText testId={`${testId}-error`}>{error}</ErrorText>
    </span>
  );
}

/** The version's saved subsets with downloads; curators rename and delete, and save quality / metadata filters. */
export function SubsetsCard({ versionId, canEdit, columns = [] }: { versionId: string; canEdit: boolean; columns?: string[] }) {
  const { data, refetch } = useQuery(VersionSubsetsQuery, { variables: { id: versionId } });
  const v = data?.node?.__typename === "DatasetVersion" ? data.node : null;
  const [rename] = useMutation(SubsetRename);
  const [remove] = useMutation(SubsetDelete);
  const [error, setError] = useState("");
  const [column, setColumn] = useState(columns[0] ?? "site");
  const [values, setValues] = useState("");
  const [rank, setRank] = useState("5");
  const [score, setScore] = useState("0.9");
  const act = async (run: () => Promise<{ errors?: ReadonlyArray<{ code: string; field?: ReadonlyArray<string> | null; message: string }> } | null | undefined>) => {
    setError("");
    try {
      const p = await run();
      if (p?.errors?.length) setError(p.errors.map((e) => e.message).join(" "));
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <Card title={`Saved subsets${v ? ` (${v.subsets.totalCount})` : ""}`} testId="subsets">
      {!v || v.subsets.nodes.length === 0 ? (
        <Empty title="No saved subsets">Save one from a lasso on the map, a “more like this” result, or a filter below.</Empty>
      ) : (
        <table className="table" data-testid="subsets-table">
          <thead><tr><th>Name</th><th>From</th><th className="num">Samples</th><th>Saved</th><th /></tr></thead>
          <tbody>
            {v.subsets.nodes.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td className="muted" title={subsetKindWords(s.kind)} data-testid="subset-definition">{subsetSummary(s.kind, s.definition)}</td>
                <td className="num">{fmtInt(s.memberCount)}</td>
                <td className="muted small">{fmtWhen(s.createdAt)}{s.createdBy ? ` · ${s.createdBy.name}` : ""}</td>
                <td className="row" style={{ gap: 4, justifyContent: "flex-end" }}>
                  <a className="btn sm" href={`/api${s.manifestPath}.csv`} download>CSV</a>
                  <a className="btn sm" href={`/api${s.manifestPath}.jsonl`} download>JSONL</a>
                  {canEdit && (
                    <>
                      <button type="button" className="btn sm" onClick={() => { const name = window.prompt("New name", s.name); if (name) void act(async () => (await rename({ variables: { input: { subsetId: s.id, name } } })).data?.subsetRename); }}>Rename</button>
                      <button type="button" className="btn sm" onClick={() => { if (window.confirm(`Delete “${s.name}”? Runs that used it keep what they recorded.`)) void act(async () => (await remove({ variables: { input: { subsetId: s.id } } })).data?.subsetDelete); }}>Delete</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorText>{error}</ErrorText>
      {canEdit && (
        <div className="stack" style={{ gap: 8, marginTop: 10 }}>
          <div className="row small" style={{ gap: 8 }}>
            <b>From the data-quality findings:</b>
            <SaveSubset versionId={versionId} kind="QUALITY_FILTER" source={{ quality: { duplicates: true } }} label="Duplicates (all but one of each set)" testId="save-duplicates" onSaved={() => void refetch()} />
            <input className="input" style={{ width: 60 }} aria-label="Outlier rank" value={rank} onChange={(e) => setRank(e.target.value)} />
            <SaveSubset versionId={versionId} kind="QUALITY_FILTER" source={{ quality: { outlierRank: Number(rank) } }} label={`Top ${rank} outliers of each class`} testId="save-outliers" onSaved={() => void refetch()} />
            <input className="input" style={{ width: 60 }} aria-label="Label-error score" value={score} onChange={(e) => setScore(e.target.value)} />
            <SaveSubset versionId={versionId} kind="QUALITY_FILTER" source={{ quality: { labelErrorScore: Number(score) } }} label={`Likely label errors ≥ ${score}`} testId="save-label-errors" onSaved={() => void refetch()} />
          </div>
          <div className="row small" style={{ gap: 8 }}>
            <b>By metadata:</b>
            <select className="input" aria-label="Column" value={column} onChange={(e) => setColumn(e.target.value)}>
              {[...new Set(["site", ...columns])].map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
            <input className="input" aria-label="Values" placeholder="values, comma-separated" value={values} onChange={(e) => setValues(e.target.value)} />
            <SaveSubset versionId={versionId} kind="METADATA_FILTER" source={{ metadata: { column, values: values.split(",").map((x) => x.trim()).filter(Boolean) } }} label="Save filter" testId="save-metadata" onSaved={() => void refetch()} />
          </div>
        </div>
      )}
    </Card>
  );
}

/** The run form's pool, exclusion and must-include options, with a sentence per option chosen. */
export function RunConstraintsFields({ versionId, value, onChange, errors }: { versionId: string; value: ConstraintValues; onChange: (v: ConstraintValues) => void; errors: Record<string, string> }) {
  const { data } = useQuery(VersionSubsetsQuery, { variables: { id: versionId } });
  const subsets = data?.node?.__typename === "DatasetVersion" ? data.node.subsets.nodes : [];
  const rules = {
    ...(value.excludeDuplicates ? { duplicates: true } : {}),
    ...(/^\d+$/.test(value.outlierRank.trim()) && Number(value.outlierRank) >= 1 ? { outlierRank: Number(value.outlierRank) } : {}),
    ...(value.labelErrorScore.trim() !== "" && Number(value.labelErrorScore) >= 0 && Number(value.labelErrorScore) <= 1 ? { labelErrorScore: Number(value.labelErrorScore) } : {}),
  };
  const preview = useQuery(PreviewQuery, { variables: { id: versionId, rules }, skip: Object.keys(rules).length === 0 });
  const p = preview.data?.node?.__typename === "DatasetVersion" ? preview.data.node.qualityExclusionPreview : null;
  // Exact counts from the newest report; a sample matching two rules counts under the first (duplicates, outliers, label errors).
  const facts = p ? { duplicateExtras: p.duplicates, duplicateSets: p.duplicateSets, labelIssues: p.labelErrors, outliers: p.outliers } : null;
  const toggle = (key: "excludeSubsetIds" | "includeSubsetIds", id: string) =>
    onChange({ ...value, [key]: value[key].includes(id) ? value[key].filter((x) => x !== id) : [...value[key], id] });
  const sentences = describeConstraints(value, subsets, facts);
  return (
    <fieldset className="field" data-testid="run-constraints" style={{ border: 0, padding: 0 }}>
      <label>Pool and exclusions <span className="muted">(optional)</span></label>
      <div className="grid cols-3" style={{ gap: 12 }}>
        <div>
          <label htmlFor="pool-subset" className="small">Select only from</label>
          <select id="pool-subset" className="input" value={value.poolSubsetId} onChange={(e) => onChange({ ...value, poolSubsetId: e.target.value })}>
            <option value="">the whole version</option>
            {subsets.map((s) => <option key={s.id} value={s.id}>{s.name} ({fmtInt(s.memberCount)})</option>)}
          </select>
          <ErrorText>{errors.poolSubsetId}</ErrorText>
        </div>
        <div>
          <span className="small">Leave out / always take</span>
          {subsets.length === 0 && <div className="muted small">no saved subsets yet</div>}
          {subsets.map((s) => (
            <div key={s.id} className="small">
              <label><input type="checkbox" checked={value.excludeSubsetIds.includes(s.id)} onChange={() => toggle("excludeSubsetIds", s.id)} /> leave out</label>{" "}
              <label><input type="checkbox" checked={value.includeSubsetIds.includes(s.id)} onChange={() => toggle("includeSubsetIds", s.id)} /> always take</label>{" "}
              {s.name}
            </div>
          ))}
          <ErrorText>{[errors.excludeSubsetIds, errors.includeSubsetIds].filter(Boolean).join(" ")}</ErrorText>
        </div>
        <div className="small">
          <label><input type="checkbox" checked={value.excludeDuplicates} onChange={(e) => onChange({ ...value, excludeDuplicates: e.target.checked })} data-testid="exclude-duplicates" /> exclude duplicates, keep one of each</label>
          <div>
            <label htmlFor="outlier-rank">exclude the top </label>
            <input id="outlier-rank" className="input" style={{ width: 56 }} inputMode="numeric" value={value.outlierRank} onChange={(e) => onChange({ ...value, outlierRank: e.target.value })} /> outliers of each class
          </div>
          <div>
            <label htmlFor="label-error-score">exclude likely label errors scoring ≥ </label>
            <input id="label-error-score" className="input" style={{ width: 56 }} value={value.labelErrorScore} onChange={(e) => onChange({ ...value, labelErrorScore: e.target.value })} />
          </div>
          <ErrorText testId="quality-exclusions-error">{[errors.qualityExclusions, errors.outlierRank, errors.labelErrorScore].filter(Boolean).join(" ")}</ErrorText>
        </div>
      </div>
      {sentences.length > 0 && (
        <ul className="small" data-testid="constraints-sentences" style={{ margin: "6px 0" }}>
          {sentences.map((s) => <li key={s}>{s}</li>)}
        </ul>
      )}
    </fieldset>
  );
}

export const RunConstraintsFragmentQuery = graphql(`
  query RunConstraints($id: ID!) {
    selectionRun(id: $id) {
      id
      constraints {
        pool { subsetId name memberCount }
        exclude { subsetId name memberCount }
        include { subsetId name memberCount }
        quality { reportId duplicates outlierRank outlierRatio labelErrorScore duplicatesExcluded outliersExcluded labelErrorsExcluded }
        poolCount excludedCount includedCount
        samples(first: 20) { totalCount nodes { role reason sample { id externalId } } }
      }
    }
  }
`);

/** What a run selected from, left out and always took, as recorded when it started. */
export function RunConstraintsCard({ runId }: { runId: string }) {
  const { data } = useQuery(RunConstraintsFragmentQuery, { variables: { id: runId } });
  const c = data?.selectionRun?.constraints;
  if (!c) return null;
  const q = c.quality;
  return (
    <Card title="Pool and exclusions" testId="run-constraints-card">
      <ul className="small" style={{ margin: 0 }}>
        <li>Selected from {c.pool ? <>“{c.pool.name}”</> : "the whole version"}: {fmtInt(c.poolCount)} samples with embeddings.</li>
        {c.exclude.map((s) => <li key={s.subsetId}>Left out “{s.name}” ({fmtInt(s.memberCount)} samples).</li>)}
        {c.include.map((s) => <li key={s.subsetId}>Always took “{s.name}” ({fmtInt(s.memberCount)} samples), first in their class.</li>)}
        {q?.duplicates && <li>Excluded {fmtInt(q.duplicatesExcluded)} duplicates, kept one of each set.</li>}
        {q && (q.outlierRank != null || q.outlierRatio != null) && <li>Excluded {fmtInt(q.outliersExcluded)} outliers{q.outlierRank != null ? ` (top ${q.outlierRank} of each class)` : ""}.</li>}
        {q?.labelErrorScore != null && <li>Excluded {fmtInt(q.labelErrorsExcluded)} likely label errors scoring ≥ {q.labelErrorScore}.</li>}
        <li>In all {fmtInt(c.excludedCount)} samples left out, {fmtInt(c.includedCount)} always taken.</li>
      </ul>
      {c.samples.nodes.length > 0 && (
        <table className="table small" style={{ marginTop: 8 }}>
          <thead><tr><th>Sample</th><th>How</th><th>Why</th></tr></thead>
          <tbody>
            {c.samples.nodes.map((n) => <tr key={`${n.role}:${n.sample.id}`}><td>{n.sample.externalId}</td><td>{n.role.toLowerCase()}</td><td className="muted">{n.reason}</td></tr>)}
          </tbody>
        </table>
      )}
    </Card>
  );
}
