"use client";
// A dataset version: its history (messages, authors), the diff against another version, the sample
// grid with filters, and what was computed on it (embeddings, analyses, runs).
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { useFragment, useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import { AppShell, atLeast, useShell } from "@/components/shell/AppShell";
import { Badge, Card, Empty, ErrorText, PageHead, SkeletonRows, StatusBadge, Thumb, fmtInt, fmtWhen, useToast } from "@/components/ui";
import { RunsTable } from "@/components/RunsTable";
import { describeError, errorsByField } from "@/lib/errors";
import { ApiGap } from "@/components/ApiGap";
import { ProgressBar } from "@/components/charts/Charts";
import { useJobActivity, useJobProgress } from "@/lib/live";

const ENDED = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
import { ReduceMethod, type EmbeddingSetStartMutation, type JobKind, type VersionEmbeddingSetsFragment, type VersionWorkQuery } from "@/gql/graphql";
import { analysisFormParams } from "@/lib/runForm";

// The page reads its title line and crumbs; the classes card, the sample grid's filters and the
// history read their own fragments.
const VersionQuery = graphql(`
  query VersionPage($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id number message contentHash createdAt
        author { id name }
        dataset { id name project { id name consortium { id } } ...VersionHistory }
        ...VersionClasses
        ...VersionSampleFilters
      }
    }
  }
`);

/** The classes card: samples per label. */
const VersionClassesDoc = graphql(`
  fragment VersionClasses on DatasetVersion { id sampleCount labelCounts { label count } }
`);

/** The sample grid's filter choices: the version's labels and the consortium's sites. */
const VersionSampleFiltersDoc = graphql(`
  fragment VersionSampleFilters on DatasetVersion {
    id
    labelCounts { label }
    dataset { id project { id consortium { id sites(first: 100) { nodes { id code name } } } } }
  }
`);

/** The history table and the diff's "against" choices: the dataset's versions. */
const VersionHistoryDoc = graphql(`
  fragment VersionHistory on Dataset {
    id
    versions(first: 50) { nodes { id number message sampleCount createdAt author { id name } } }
  }
`);

// What was computed on the version, asked separately so history, diff and samples stay still. Not
// polled: re-read when jobActivity says a job of the consortium that computes such work (embedding,
// analysis, selection, data quality) was created or changed status, and after a reconnect; a running
// embedding job's row follows jobProgress live.
const VersionWorkQuery = graphql(`
  query VersionWork($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id
        sourceRun { id name }
        analyses(first: 20) { nodes { id ...VersionAnalysisRow } }
        runs(first: 20) { nodes { id ...RunRow } }
        dataQuality(first: 1) { nodes { id ...QualitySummary } }
        ...VersionEmbeddingSets
        ...VersionAnalysisStart
      }
    }
  }
`);

/** A row of the analyses card. */
const VersionAnalysisRowDoc = graphql(`
  fragment VersionAnalysisRow on ConfounderAnalysis { id status createdAt createdBy { id name } embeddingSet { id model { id name } } }
`);

/** The embedding sets card and its "Compute embeddings" line (which models already have a set). */
const VersionEmbeddingSetsDoc = graphql(`
  fragment VersionEmbeddingSets on DatasetVersion {
    id
    embeddingSets(first: 20) { nodes { id status count dim model { id name version description } job { id ...LiveJob } } }
  }
`);

/** The analysis form: the version's complete embedding set to cluster. */
const VersionAnalysisStartDoc = graphql(`
  fragment VersionAnalysisStart on DatasetVersion { id embeddingSets(first: 20) { nodes { id status model { id name } } } }
`);

/** The newest data-quality report's line. */
const QualitySummaryDoc = graphql(`
  fragment QualitySummary on DataQualityReport { id status createdAt results }
`);

/** A running job's progress bar: where it stood when read, then live over jobProgress. */
const LiveJobDoc = graphql(`
  fragment LiveJob on Job { id status phase done total rate etaSeconds }
`);

const AnalysisStart = graphql(`
  mutation AnalysisStart($input: AnalysisStartInput!) {
    analysisStart(input: $input) { analysis { id status } errors { code field message } }
  }
`);

const ConsortiumModelsQuery = graphql(`
  query ConsortiumOnnxModels($id: ID!) {
    node(id: $id) {
      ... on Consortium { id embeddingModels(first: 100) { nodes { id name version kind dim } } }
    }
  }
`);

const EmbeddingSetStartDoc = graphql(`
  mutation EmbeddingSetStart($input: EmbeddingSetStartInput!) {
    embeddingSetStart(input: $input) { embeddingSet { id status } job { id ...LiveJob } errors { code field message } }
  }
`);

function useTab(): [string, (t: string) => void] {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tab = search.get("tab") ?? "overview";
  return [tab, (t) => {
    const q = new URLSearchParams(search.toString());
    q.set("tab", t);
    router.replace(`${pathname}?${q.toString()}`);
  }];
}

/** Job kinds whose end (or start) changes what VersionWork shows. */
const WORK_KINDS = new Set<JobKind>(["EMBED", "ANALYZE", "SELECT", "QUALITY"]);

export default function VersionPage() {
  const { id } = useParams<{ id: string }>();
  const [tab, setTab] = useTab();
  // Not polled: a version is immutable, and its dataset's history changes only by a new version
  // (fetched again when a page shows it). What changes is the work query below.
  const { data, loading, error } = useQuery(VersionQuery, { variables: { id } });
  const v = data?.node?.__typename === "DatasetVersion" ? data.node : null;
  const workQ = useQuery(VersionWorkQuery, { variables: { id } });
  const w = workQ.data?.node?.__typename === "DatasetVersion" ? workQ.data.node : null;
  useJobActivity(
    v?.dataset.project.consortium.id,
    (e) => e.statusChanged && e.jobKind !== null && WORK_KINDS.has(e.jobKind) && void workQ.refetch(),
    () => void workQ.refetch(),
  );
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[
        { label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined },
        { label: v?.dataset.name ?? "Dataset" },
        { label: v ? `v${v.number}` : "Version" },
      ]}
    >
      {error && !v && <div className="alert bad">{error.message}</div>}
      {loading && !v ? <SkeletonRows rows={10} /> : !v ? <Empty title="Version not found">It does not exist, or you cannot see it.</Empty> : (
        <>
          <PageHead
            title={<>{v.dataset.name} <span className="muted">v{v.number}</span></>}
            sub={<>{v.message} · {v.author?.name ?? "unknown author"} · {fmtWhen(v.createdAt)} · <code title={v.contentHash}>{v.contentHash.slice(0, 14)}…</code></>}
            actions={<VersionActions versionId={v.id} w={w} />}
          />
          <div className="tabs" role="tablist">
            {["overview", "samples", "history"].map((t) => (
              <button key={t} role="tab" className={tab === t ? "on" : ""} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
                {t === "history" ? "History & diff" : t[0]!.toUpperCase() + t.slice(1)}
              </button>
            ))}
            <Link href={`/versions/${v.id}/quality`} role="tab" data-testid="tab-quality" style={{ marginLeft: "auto" }}>Data quality →</Link>
            <Link href={`/versions/${v.id}/map`} className="">Embedding map →</Link>
          </div>
          {tab === "overview" && <Overview v={v} consortiumId={v.dataset.project.consortium.id} w={w} workError={workQ.error} onWorkChanged={() => void workQ.refetch()} />}
          {tab === "samples" && <SampleGrid v={v} />}
          {tab === "history" && <History current={v.id} dataset={v.dataset} />}
        </>
      )}
    </AppShell>
  );
}

/** The work query's version (generated type): its lists hold fragment references. */
type W = Extract<NonNullable<VersionWorkQuery["node"]>, { __typename: "DatasetVersion" }>;

/** The schema's ReduceMethod values (the engine's REDUCE_METHODS), with how people name them. */
const REDUCE_TEXT: Record<ReduceMethod, string> = { UMAP: "UMAP", TSNE: "t-SNE", PCA: "PCA", NONE: "none" };

function VersionActions({ versionId, w: ref }: { versionId: string; w: FragmentType<typeof VersionAnalysisStartDoc> | null }) {
  const w = getFragmentData(VersionAnalysisStartDoc, ref);
  const { role } = useShell();
  const router = useRouter();
  const toast = useToast();
  const [start, { loading }] = useMutation(AnalysisStart);
  const [err, setErr] = useState<string | null>(null);
  const [form, setForm] = useState({ reduce: ReduceMethod.UMAP as string, eps: "", minPts: "", seed: "0" });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const set = w?.embeddingSets.nodes.find((s) => s.status === "COMPLETE");
  if (!atLeast(role, "CURATOR")) return null;
  const field = (name: keyof typeof form, label: string, placeholder: string, width: number) => (
    <label className="stack" style={{ gap: 2 }}>
      <span className="muted" style={{ fontSize: 12 }}>{label}</span>
      <input
        className="input"
        style={{ width }}
        name={`analysis-${name}`}
        value={form[name]}
        placeholder={placeholder}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
        aria-invalid={fieldErrors[name] ? true : undefined}
      />
    </label>
  );
  return (
    <div className="stack" style={{ gap: 4, alignItems: "flex-end" }}>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <label className="stack" style={{ gap: 2 }}>
          <span className="muted" style={{ fontSize: 12 }}>2-D reduction</span>
          <select className="input" name="analysis-reduce" value={form.reduce} onChange={(e) => setForm({ ...form, reduce: e.target.value })}>
            {Object.values(ReduceMethod).map((r) => <option key={r} value={r}>{REDUCE_TEXT[r]}</option>)}
          </select>
        </label>
        {field("eps", "DBSCAN eps", "auto", 70)}
        {field("minPts", "minPts", "auto", 60)}
        {field("seed", "seed", "0", 50)}
        <button
          className="btn"
          data-testid="run-analysis"
          disabled={loading || !set}
          title={set ? `Cluster each class of ${set.model?.name ?? ""} embeddings` : "Needs a complete embedding set"}
          onClick={async () => {
            setErr(null);
            const checked = analysisFormParams(form);
            setFieldErrors(checked.errors);
            if (!checked.params) return;
            try {
              const { data } = await start({ variables: { input: { datasetVersionId: versionId, embeddingSetId: set!.id, params: checked.params } } });
              const p = data?.analysisStart;
              if (p?.analysis) {
                toast("Confounder analysis started", "ok");
                router.push(`/analyses/${p.analysis.id}`);
              } else setErr(Object.values(errorsByField(p?.errors)).join(" "));
            } catch (e) {
              setErr(describeError(e));
            }
          }}
        >
          {loading ? "Starting…" : "Run confounder analysis"}
        </button>
        <Link className="btn primary" href={`/versions/${versionId}/runs/new`} data-testid="new-run">New selection run</Link>
      </div>
      <ErrorText testId="analysis-error">{err ?? (Object.values(fieldErrors).join(" ") || null)}</ErrorText>
    </div>
  );
}

function Overview({ v, consortiumId, w, workError, onWorkChanged }: { v: FragmentType<typeof VersionClassesDoc>; consortiumId: string; w: W | null; workError?: unknown; onWorkChanged: () => void }) {
  return (
    <div className="grid side">
      <div className="stack">
        <Card title="Confounder analyses" flush testId="analyses">
          {!w ? <ApiGap error={workError} /> : w.analyses.nodes.length === 0 ? <Empty title="No analyses yet">Run one to find clusters tied to site, scanner or stain.</Empty> : (
            <table className="table">
              <thead><tr><th>analysis</th><th>embedding</th><th>status</th><th>by</th><th>when</th></tr></thead>
              <tbody>{w.analyses.nodes.map((a) => <AnalysisRow key={a.id} a={a} />)}</tbody>
            </table>
          )}
        </Card>
        <Card title="Selection runs" flush>{w ? <RunsTable runs={w.runs.nodes} /> : <ApiGap error={workError} />}</Card>
      </div>
      <div className="stack">
        <Card title="Classes">
          <Classes v={v} />
          {w?.sourceRun && <div className="small" style={{ marginTop: 8 }}>Reviewed subset of <Link href={`/runs/${w.sourceRun.id}`}>{w.sourceRun.name || "a run"}</Link></div>}
        </Card>
        <Card title="Data quality" testId="quality-card">
          {!w ? <ApiGap error={workError} /> : <QualitySummary versionId={w.id} report={w.dataQuality.nodes[0] ?? null} />}
        </Card>
        <Card title="Embedding sets" flush>
          {!w ? <ApiGap error={workError} /> : <EmbeddingSets versionId={w.id} consortiumId={consortiumId} w={w} onChanged={onWorkChanged} />}
        </Card>
      </div>
    </div>
  );
}

function AnalysisRow({ a: ref }: { a: FragmentType<typeof VersionAnalysisRowDoc> }) {
  const a = getFragmentData(VersionAnalysisRowDoc, ref);
  return (
    <tr>
      <td><Link href={`/analyses/${a.id}`}>Findings</Link></td>
      <td>{a.embeddingSet?.model?.name ?? "—"}</td>
      <td><StatusBadge status={a.status} /></td>
      <td>{a.createdBy?.name ?? "—"}</td>
      <td className="muted">{fmtWhen(a.createdAt)}</td>
    </tr>
  );
}

function Classes({ v: ref }: { v: FragmentType<typeof VersionClassesDoc> }) {
  const v = getFragmentData(VersionClassesDoc, ref);
  return (
    <>
      {v.labelCounts.length === 0 ? <Empty title="No samples" /> : v.labelCounts.map((l) => (
        <div key={l.label} className="row" style={{ justifyContent: "space-between" }}><span>{l.label}</span><b className="num">{fmtInt(l.count)}</b></div>
      ))}
      <div className="row muted small" style={{ marginTop: 8, justifyContent: "space-between" }}><span>total</span><span>{fmtInt(v.sampleCount)}</span></div>
    </>
  );
}

type EmbeddingSetNodes = VersionEmbeddingSetsFragment["embeddingSets"]["nodes"];

function EmbeddingSets({ versionId, consortiumId, w: ref, onChanged }: { versionId: string; consortiumId: string; w: FragmentType<typeof VersionEmbeddingSetsDoc>; onChanged: () => void }) {
  const w = getFragmentData(VersionEmbeddingSetsDoc, ref);
  const sets = w.embeddingSets.nodes;
  return (
    <>
      <ComputeEmbeddings versionId={versionId} consortiumId={consortiumId} sets={sets} onChanged={onChanged} />
      {sets.length === 0 ? <Empty title="No embeddings yet">Embed with <code>stratum embed</code>, or compute them here with a registered ONNX model.</Empty> : (
        <table className="table"><tbody>{sets.map((s) => (
          <tr key={s.id}><td><b>{s.model?.name}</b> <span className="muted">{s.model?.version}</span><div className="muted small">{s.model?.description}</div>{s.job && (s.status === "PENDING" || s.status === "RUNNING") && <div style={{ marginTop: 6 }}><LiveJob job={s.job} /></div>}</td><td className="num">{s.dim}-d</td><td><StatusBadge status={s.status} /></td></tr>
        ))}</tbody></table>
      )}
    </>
  );
}

// "Compute embeddings" with a registered ONNX model that has no usable set on this version yet (a FAILED
// set may be restarted: the server resumes it). CURATOR+; the job's progress shows until it ends.
function ComputeEmbeddings({ versionId, consortiumId, sets, onChanged }: { versionId: string; consortiumId: string; sets: EmbeddingSetNodes; onChanged: () => void }) {
  const { role } = useShell();
  const toast = useToast();
  const curator = atLeast(role, "CURATOR");
  const modelsQ = useQuery(ConsortiumModelsQuery, { variables: { id: consortiumId }, skip: !curator });
  const c = modelsQ.data?.node?.__typename === "Consortium" ? modelsQ.data.node : null;
  const taken = new Set(sets.filter((s) => s.status !== "FAILED").map((s) => s.model?.id));
  const models = (c?.embeddingModels.nodes ?? []).filter((m) => m.kind === "ONNX" && !taken.has(m.id));
  const [modelId, setModelId] = useState("");
  const [err, setErr] = useState<string | null>(null);
  // The started job as the mutation returned it (its id, and a LiveJob reference for the bar).
  const [job, setJob] = useState<NonNullable<EmbeddingSetStartMutation["embeddingSetStart"]["job"]> | null>(null);
  const [start, { loading }] = useMutation(EmbeddingSetStartDoc);
  // The job's end, read from the cache: the page's jobActivity subscription (and the work query it
  // re-reads) write the Job node's status there, so this needs no jobProgress subscription of its own
  // beside the one of the bar that shows it (here, or in the set's row below once it is listed).
  const { data: current } = useFragment({ fragment: LiveJobDoc, from: job ? { __typename: "Job", id: job.id } : null });
  const ended = current?.status && ENDED.has(current.status) ? current.status : null;
  useEffect(() => {
    if (!ended) return;
    if (ended === "SUCCEEDED") toast("Embeddings computed", "ok");
    else setErr(`The embedding job ended ${ended.toLowerCase()}.`);
    setJob(null);
    onChanged();
    // Once per ended job (toast and onChanged are new on every render, so they are not dependencies).
  }, [ended]);
  // Once the work query lists the running set, its row below shows the same live progress.
  const shownBelow = job != null && sets.some((s) => s.job?.id === job.id && (s.status === "PENDING" || s.status === "RUNNING"));
  if (!curator || (!job && models.length === 0)) return null;
  const chosen = models.find((m) => m.id === modelId) ?? models[0];
  return (
    <div style={{ padding: "10px 12px", borderBottom: "1px solid var(--border, #e5e7eb)" }} data-testid="compute-embeddings">
      {job && shownBelow ? (
        <div className="muted small" data-testid="compute-embeddings-running">Computing embeddings — progress in the list below.</div>
      ) : job ? (
        <LiveJob job={job} />
      ) : (
        <div className="row">
          <select className="input" aria-label="ONNX model" value={chosen?.id ?? ""} onChange={(e) => setModelId(e.target.value)} disabled={loading} style={{ flex: 1 }}>
            {models.map((m) => <option key={m.id} value={m.id}>{m.name} {m.version} ({m.dim}-d)</option>)}
          </select>
          <button className="btn primary sm" disabled={loading || !chosen} data-testid="compute-embeddings-start" onClick={async () => {
            if (!chosen) return;
            setErr(null);
            try {
              const { data } = await start({ variables: { input: { datasetVersionId: versionId, modelId: chosen.id } } });
              const p = data?.embeddingSetStart;
              if (p?.errors.length) setErr(Object.values(errorsByField(p.errors)).join(" "));
              else if (p?.job) { setJob(p.job); onChanged(); }
            } catch (e) { setErr(describeError(e)); }
          }}>{loading ? "Starting…" : "Compute embeddings"}</button>
        </div>
      )}
      <ErrorText testId="compute-embeddings-error">{err}</ErrorText>
    </div>
  );
}

const SamplesQuery = graphql(`
  query VersionSamples($id: ID!, $filter: SampleFilter, $after: String) {
    node(id: $id) {
      ... on DatasetVersion {
        id
        samples(filter: $filter, first: 60, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { id externalId label site { id code } metadata }
        }
      }
    }
  }
`);

function SampleGrid({ v: ref }: { v: FragmentType<typeof VersionSampleFiltersDoc> }) {
  const v = getFragmentData(VersionSampleFiltersDoc, ref);
  const versionId = v.id;
  const labels = v.labelCounts.map((l) => l.label);
  const sites = v.dataset.project.consortium.sites.nodes;
  const [label, setLabel] = useState("");
  const [site, setSite] = useState("");
  const [metaKey, setMetaKey] = useState("");
  const [metaVal, setMetaVal] = useState("");
  const filter = {
    ...(label ? { labels: [label] } : {}),
    ...(site ? { siteId: site } : {}),
    ...(metaKey && metaVal ? { metadata: [{ key: metaKey, value: metaVal }] } : {}),
  };
  const { data, loading, error, fetchMore } = useQuery(SamplesQuery, { variables: { id: versionId, filter } });
  const conn = data?.node?.__typename === "DatasetVersion" ? data.node.samples : null;
  return (
    <Card
      title={<>Samples {conn && <span className="muted">· {fmtInt(conn.nodes.length)}{conn.pageInfo.hasNextPage ? "+" : ""} shown</span>}</>}
      actions={
        <div className="row">
          <select className="input" value={label} onChange={(e) => setLabel(e.target.value)} aria-label="Label filter" data-testid="filter-label">
            <option value="">All labels</option>
            {labels.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
          <select className="input" value={site} onChange={(e) => setSite(e.target.value)} aria-label="Site filter">
            <option value="">All sites</option>
            {sites.map((s) => <option key={s.id} value={s.id}>{s.code} — {s.name}</option>)}
          </select>
          <input className="input" placeholder="metadata key" value={metaKey} onChange={(e) => setMetaKey(e.target.value)} style={{ width: 120 }} />
          <input className="input" placeholder="value" value={metaVal} onChange={(e) => setMetaVal(e.target.value)} style={{ width: 110 }} />
        </div>
      }
    >
      {error && <ErrorText>{describeError(error)}</ErrorText>}
      {loading && !conn ? <SkeletonRows rows={4} cols={6} /> : !conn || conn.nodes.length === 0 ? <Empty title="No samples match these filters" /> : (
        <>
          <div className="thumbs" data-testid="sample-grid">
            {conn.nodes.map((s) => (
              <Thumb key={s.id} sampleId={s.id} caption={s.label} right={s.site?.code ?? ""} />
            ))}
          </div>
          {conn.pageInfo.hasNextPage && (
            <div style={{ textAlign: "center", marginTop: 12 }}>
              {/* the page is appended by the cache's type policy (lib/pagination.ts) */}
              <button className="btn" onClick={() => void fetchMore({ variables: { after: conn.pageInfo.endCursor } })}>Load more</button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

const DiffQuery = graphql(`
  query VersionDiff($id: ID!, $against: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id
        diff(against: $against) {
          added removed changed unchanged relabelled
          relabels(first: 60) { totalCount nodes { externalId fromLabel toLabel relabeledAt reviewer { id name } run { id name } after { id } } }
          items(first: 60) { totalCount nodes { kind externalId before { id label site { code } } after { id label site { code } } } }
        }
      }
    }
  }
`);

function History({ current, dataset: ref }: { current: string; dataset: FragmentType<typeof VersionHistoryDoc> }) {
  const versions = getFragmentData(VersionHistoryDoc, ref).versions.nodes;
  const others = versions.filter((x) => x.id !== current);
  const [against, setAgainst] = useState(others[0]?.id ?? "");
  const diff = useQuery(DiffQuery, { variables: { id: current, against }, skip: !against });
  const d = diff.data?.node?.__typename === "DatasetVersion" ? diff.data.node.diff : null;
  return (
    <div className="grid cols-2">
      <Card title="History" flush>
        <table className="table" data-testid="history">
          <thead><tr><th>version</th><th>message</th><th>author</th><th className="num">samples</th><th>when</th></tr></thead>
          <tbody>
            {versions.map((x) => (
              <tr key={x.id}>
                <td><Link href={`/versions/${x.id}`}>v{x.number}</Link> {x.id === current && <Badge tone="accent">this</Badge>}</td>
                <td>{x.message}</td>
                <td>{x.author?.name ?? "—"}</td>
                <td className="num">{fmtInt(x.sampleCount)}</td>
                <td className="muted">{fmtWhen(x.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card
        title="Diff"
        actions={
          <select className="input" value={against} onChange={(e) => setAgainst(e.target.value)} aria-label="Compare against">
            {others.length === 0 && <option value="">no other version</option>}
            {others.map((o) => <option key={o.id} value={o.id}>against v{o.number}</option>)}
          </select>
        }
      >
        {!against ? <Empty title="Only one version">A diff needs a second version.</Empty> : diff.loading && !d ? <SkeletonRows rows={3} /> : !d ? <ErrorText>{describeError(diff.error) || "No diff available."}</ErrorText> : (
          <div className="stack" style={{ gap: 10 }} data-testid="diff">
            <div className="row">
              <Badge tone="ok">+{fmtInt(d.added)} added</Badge>
              <Badge tone="bad">−{fmtInt(d.removed)} removed</Badge>
              <Badge tone="warn">~{fmtInt(d.changed)} changed</Badge>
              <Badge>{fmtInt(d.unchanged)} unchanged</Badge>
              {d.relabelled > 0 && <Badge tone="accent">{fmtInt(d.relabelled)} relabelled in review</Badge>}
            </div>
            {d.relabels.nodes.length > 0 && (
              // corrected labels from a finalised review: each also counts as changed (a corrected copy of the sample)
              <table className="table" data-testid="diff-relabels">
                <thead><tr><th>relabelled</th><th>from → to</th><th>who</th></tr></thead>
                <tbody>{d.relabels.nodes.map((r) => (
                  <tr key={r.externalId}>
                    <td><code>{r.externalId}</code></td>
                    <td className="small">{r.fromLabel} → <b>{r.toLabel}</b></td>
                    <td className="small">{r.reviewer?.name ?? "—"}{r.run && <> · <Link href={`/runs/${r.run.id}/review`}>{r.run.name || "review"}</Link></>}{r.relabeledAt && <span className="muted"> · {fmtWhen(r.relabeledAt)}</span>}</td>
                  </tr>
                ))}</tbody>
              </table>
            )}
            {d.relabels.totalCount > d.relabels.nodes.length && <div className="muted small">and {fmtInt(d.relabels.totalCount - d.relabels.nodes.length)} more relabels</div>}
            {d.items.nodes.length > 0 && (
              <table className="table">
                <thead><tr><th /><th>sample</th><th>before</th><th>after</th></tr></thead>
                <tbody>{d.items.nodes.map((it) => (
                  <tr key={`${it.kind}-${it.externalId}`}>
                    <td><Badge tone={it.kind === "ADDED" ? "ok" : it.kind === "REMOVED" ? "bad" : "warn"}>{it.kind.toLowerCase()}</Badge></td>
                    <td><code>{it.externalId}</code></td>
                    <td className="small">{it.before ? `${it.before.label} · ${it.before.site?.code ?? "—"}` : "—"}</td>
                    <td className="small">{it.after ? `${it.after.label} · ${it.after.site?.code ?? "—"}` : "—"}</td>
                  </tr>
                ))}</tbody>
              </table>
            )}
            {d.items.totalCount > d.items.nodes.length && <div className="muted small">and {fmtInt(d.items.totalCount - d.items.nodes.length)} more</div>}
          </div>
        )}
      </Card>
    </div>
  );
}

/** The newest data-quality report in a line, and the way to the tab (components/quality). */
function QualitySummary({ versionId, report: ref }: { versionId: string; report: FragmentType<typeof QualitySummaryDoc> | null }) {
  const report = getFragmentData(QualitySummaryDoc, ref);
  const r = (report?.results ?? {}) as { nearDuplicates?: { sets: number; crossSplit: number; crossSite: number }; exactDuplicates?: { sets: number }; labelErrors?: { issueCount: number } };
  return (
    <div className="stack" style={{ gap: 6 }}>
      {!report ? <span className="muted small">No pass yet: duplicates, outliers and likely label errors.</span> : report.status !== "SUCCEEDED" ? <StatusBadge status={report.status} /> : (
        <div className="small">
          {fmtInt(r.nearDuplicates?.sets)} near-duplicate sets ({fmtInt(r.nearDuplicates?.crossSplit)} across versions, {fmtInt(r.nearDuplicates?.crossSite)} across sites), {fmtInt(r.exactDuplicates?.sets)} exact, {fmtInt(r.labelErrors?.issueCount)} likely label errors
          <div className="muted">{fmtWhen(report.createdAt)}</div>
        </div>
      )}
      <Link href={`/versions/${versionId}/quality`} data-testid="quality-link">{report ? "Findings →" : "Data quality →"}</Link>
    </div>
  );
}

/** A running job's progress, live over the jobProgress subscription. */
function LiveJob({ job: ref }: { job: FragmentType<typeof LiveJobDoc> }) {
  const job = getFragmentData(LiveJobDoc, ref);
  const live = useJobProgress(job.id);
  return <ProgressBar p={live ?? { phase: job.phase, done: job.done, total: job.total, rate: job.rate, etaSeconds: job.etaSeconds, status: job.status }} />;
}
