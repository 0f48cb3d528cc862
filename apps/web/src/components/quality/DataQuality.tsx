"use client";
// Data quality of a dataset version (issue 14): start a pass (threshold shown: the last report's, and
// blank = the engine's default), follow its job live, then read the findings — duplicate sets with
// their flags (across versions = leakage, across sites, two labels), the top outliers of each class,
// likely label errors with the suggested label — and "More like this" from any thumbnail.
import Link from "next/link";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import type { QualitySampleFragment } from "@/gql/graphql";
import { atLeast, useShell } from "@/components/shell/AppShell";
import { SaveSubset, SubsetsCard } from "@/components/subset/Subsets";
import { Badge, Card, Empty, ErrorText, SkeletonRows, StatusBadge, Thumb, fmtInt, fmtNum, fmtWhen, useToast } from "@/components/ui";
import { ProgressBar } from "@/components/charts/Charts";
import { useJobProgress } from "@/lib/live";
import { describeError, errorsByField } from "@/lib/errors";
import { IMAGE_EXTENSIONS, checkImage, similarToImage, type SimilarUploadResult } from "@/lib/similarUpload";
import { DEFAULT_QUALITY_FORM, flagBadges, fmtDistance, qualityParams, topPerClass, type QualityForm } from "@/lib/quality";

export const QualityVersionQuery = graphql(`
  query QualityVersion($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id number
        dataset { id name project { id name consortium { id } } }
        embeddingSets(first: 20) { nodes { id status count model { id name } } }
        dataQuality(first: 10) {
          nodes {
            id status createdAt threshold results error params
            createdBy { id name }
            embeddingSet { id model { id name } }
            job { id status phase done total rate etaSeconds }
          }
        }
      }
    }
  }
`);

const DataQualityStartDoc = graphql(`
  mutation DataQualityStart($input: DataQualityStartInput!) {
    dataQualityStart(input: $input) { report { id status } job { id status phase done total rate etaSeconds } errors { code field message } }
  }
`);

/** What a sample thumbnail with "More like this" reads (SampleThumb); findings and similar samples spread it. */
const QualitySampleDoc = graphql(`
  fragment QualitySample on Sample { id externalId label site { id code } }
`);

const FindingsQuery = graphql(`
  query DataQualityFindings($id: ID!) {
    dataQualityReport(id: $id) {
      id
      duplicateSets(first: 30) {
        totalCount
        nodes {
          id kind size maxDistance crossSite crossSplit conflictingLabels sites labels
          members { inVersion versionId sample { id label site { id code } ...QualitySample } }
        }
      }
      outlierClasses { label size medianScore k }
      outliers(first: 100) { nodes { label outlierRank outlierScore outlierRatio outlierReason sample { id ...QualitySample } } }
      labelErrors(first: 40) { totalCount nodes { label suggestedLabel labelErrorScore sample { id externalId ...QualitySample } } }
    }
  }
`);

const SimilarQuery = graphql(`
  query SimilarSamples($sampleId: ID!, $embeddingSetId: ID!, $first: Int) {
    similarSamples(sampleId: $sampleId, embeddingSetId: $embeddingSetId, first: $first) {
      method evaluated warm
      items { score sample { id label ...QualitySample } }
    }
  }
`);

type Version = Extract<NonNullable<import("@/gql/graphql").QualityVersionQuery["node"]>, { __typename: "DatasetVersion" }>;
type Report = Version["dataQuality"]["nodes"][number];

interface Results {
  thresholdRule?: string;
  medianNearest?: number;
  n?: number;
  nearDuplicates?: { sets: number; crossSite: number; crossSplit: number; conflictingLabels: number };
  exactDuplicates?: { sets: number; hashed: number };
  labelErrors?: { issueCount: number; method: string };
  crossVersions?: { compared: { versionId: number; dataset: string; number: number; rows: number; pairs: number }[]; skipped: { dataset: string; reason: string }[] };
}

export function DataQualityPanel({ version, onChanged }: { version: Version; onChanged: () => void }) {
  const reports = version.dataQuality.nodes;
  const [chosen, setChosen] = useState<string | null>(null);
  const report = reports.find((r) => r.id === chosen) ?? reports[0] ?? null;
  const [similar, setSimilar] = useState<{ sampleId: string; externalId: string } | null>(null);
  const { role } = useShell();
  const setId = report?.embeddingSet?.id ?? version.embeddingSets.nodes.find((s) => s.status === "COMPLETE")?.id ?? null;
  // the similar samples show above the findings; bring them into view
  const more = (s: { id: string; externalId: string }) => {
    setSimilar({ sampleId: s.id, externalId: s.externalId });
    if (typeof window !== "undefined") window.scrollTo({ top: 0, behavior: "smooth" });
  };
  return (
    <div className="stack" data-testid="data-quality">
      <StartCard version={version} last={reports.find((r) => r.status === "SUCCEEDED") ?? null} onStarted={(id) => { setChosen(id); onChanged(); }} />
      {reports.length === 0 ? (
        <Card title="Data quality"><Empty title="No data-quality report yet">Start one to find duplicates (also across sites and versions), outliers and likely label errors.</Empty></Card>
      ) : (
        <Card
          title={<>Report <span className="muted">· {report ? fmtWhen(report.createdAt) : ""}</span></>}
          actions={reports.length > 1 ? (
            <select className="input" aria-label="Report" value={report?.id ?? ""} onChange={(e) => setChosen(e.target.value)}>
              {reports.map((r) => <option key={r.id} value={r.id}>{fmtWhen(r.createdAt)} · {r.embeddingSet?.model?.name ?? "—"} · {r.status.toLowerCase()}</option>)}
            </select>
          ) : undefined}
        >
          {report && <ReportHead report={report} onFinished={onChanged} />}
        </Card>
      )}
      {similar && setId && <SimilarCard sampleId={similar.sampleId} externalId={similar.externalId} embeddingSetId={setId} mapHref={`/versions/${version.id}/map?colour=${encodeURIComponent(`meta:similar:${similar.sampleId}`)}`} onMore={more} onClose={() => setSimilar(null)} versionId={atLeast(role, "CURATOR") ? version.id : undefined} />}
      {report?.status === "SUCCEEDED" && <Findings reportId={report.id} versionId={version.id} onMore={more} />}
      <SubsetsCard versionId={version.id} canEdit={atLeast(role, "CURATOR")} />
    </div>
  );
}

function StartCard({ version, last, onStarted }: { version: Version; last: Report | null; onStarted: (reportId: string) => void }) {
  const { role } = useShell();
  const toast = useToast();
  const sets = version.embeddingSets.nodes.filter((s) => s.status === "COMPLETE");
  const [setId, setSetId] = useState("");
  const [form, setForm] = useState<QualityForm>(DEFAULT_QUALITY_FORM);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [err, setErr] = useState<string | null>(null);
  const [start, { loading }] = useMutation(DataQualityStartDoc);
  if (!atLeast(role, "CURATOR")) return null;
  const set = sets.find((s) => s.id === setId) ?? sets[0];
  const results = (last?.results ?? null) as Results | null;
  const input = (name: "threshold" | "k" | "outlierK", label: string, placeholder: string, width: number) => (
    <label className="stack" style={{ gap: 2 }}>
      <span className="muted" style={{ fontSize: 12 }}>{label}</span>
      <input className="input" style={{ width }} name={`quality-${name}`} value={form[name]} placeholder={placeholder} aria-invalid={errors[name] ? true : undefined}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
    </label>
  );
  return (
    <Card title="Run a data-quality pass" testId="quality-start">
      <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
        <label className="stack" style={{ gap: 2 }}>
          <span className="muted" style={{ fontSize: 12 }}>embeddings</span>
          <select className="input" aria-label="Embedding set" value={set?.id ?? ""} onChange={(e) => setSetId(e.target.value)}>
            {sets.length === 0 && <option value="">no complete embedding set</option>}
            {sets.map((s) => <option key={s.id} value={s.id}>{s.model?.name ?? "—"} ({fmtInt(s.count)})</option>)}
          </select>
        </label>
        {input("threshold", "near-duplicate threshold (cosine distance)", last?.threshold != null ? `default (last ${fmtDistance(last.threshold)})` : "default", 210)}
        {input("k", "neighbours k", "10", 70)}
        {input("outlierK", "outlier k", "10", 70)}
        <label className="row small" style={{ gap: 4 }}>
          <input type="checkbox" checked={form.crossVersions} onChange={(e) => setForm({ ...form, crossVersions: e.target.checked })} name="quality-crossVersions" />
          compare with other datasets (leakage)
        </label>
        <button className="btn primary" data-testid="quality-run" disabled={loading || !set} onClick={async () => {
          setErr(null);
          const checked = qualityParams(form);
          setErrors(checked.errors);
          if (!checked.params || !set) return;
          try {
            const { data } = await start({ variables: { input: { datasetVersionId: version.id, embeddingSetId: set.id, params: checked.params } } });
            const p = data?.dataQualityStart;
            if (p?.report) {
              toast("Data-quality pass started", "ok");
              onStarted(p.report.id);
            } else setErr(Object.values(errorsByField(p?.errors)).join(" "));
          } catch (e) {
            setErr(describeError(e));
          }
        }}>{loading ? "Starting…" : "Find duplicates, outliers, label errors"}</button>
      </div>
      {last?.threshold != null && (
        <div className="muted small" style={{ marginTop: 6 }} data-testid="quality-threshold">
          Last pass: threshold {fmtDistance(last.threshold)} ({results?.thresholdRule === "given" ? "given" : "engine default: ¼ of the median nearest-neighbour distance or a robust low-side fence, whichever is smaller"}
          {results?.medianNearest != null ? `; median nearest ${fmtDistance(results.medianNearest)}` : ""}). Leave blank for the default.
        </div>
      )}
      <ErrorText testId="quality-error">{err ?? (Object.values(errors).join(" ") || null)}</ErrorText>
    </Card>
  );
}

function ReportHead({ report, onFinished }: { report: Report; onFinished: () => void }) {
  const running = report.status === "QUEUED" || report.status === "RUNNING";
  const live = useJobProgress(running ? (report.job?.id ?? null) : null, () => onFinished());
  const r = (report.results ?? {}) as Results;
  return (
    <div className="stack" style={{ gap: 8 }}>
      <div className="row">
        <StatusBadge status={report.status} />
        <span className="muted small">{report.embeddingSet?.model?.name ?? "—"} · by {report.createdBy?.name ?? "—"}</span>
      </div>
      {running && report.job && <ProgressBar p={live ?? { phase: report.job.phase, done: report.job.done, total: report.job.total, rate: report.job.rate, etaSeconds: report.job.etaSeconds, status: report.job.status }} />}
      {report.error && <ErrorText>{report.error}</ErrorText>}
      {report.status === "SUCCEEDED" && (
        <div className="row" data-testid="quality-summary" style={{ flexWrap: "wrap" }}>
          <Badge>{fmtInt(r.n)} samples</Badge>
          <Badge title="cosine distance 1 − cos">threshold {fmtDistance(report.threshold)} ({r.thresholdRule ?? "—"})</Badge>
          <Badge tone={r.nearDuplicates?.sets ? "warn" : ""}>{fmtInt(r.nearDuplicates?.sets)} near-duplicate sets</Badge>
          <Badge tone={r.exactDuplicates?.sets ? "warn" : ""}>{fmtInt(r.exactDuplicates?.sets)} exact</Badge>
          {(r.nearDuplicates?.crossSplit ?? 0) > 0 && <Badge tone="bad">{fmtInt(r.nearDuplicates?.crossSplit)} across versions</Badge>}
          {(r.nearDuplicates?.crossSite ?? 0) > 0 && <Badge tone="warn">{fmtInt(r.nearDuplicates?.crossSite)} across sites</Badge>}
          {(r.nearDuplicates?.conflictingLabels ?? 0) > 0 && <Badge tone="bad">{fmtInt(r.nearDuplicates?.conflictingLabels)} with two labels</Badge>}
          <Badge tone={r.labelErrors?.issueCount ? "warn" : ""}>{fmtInt(r.labelErrors?.issueCount)} likely label errors</Badge>
          <span className="muted small">
            compared with {r.crossVersions?.compared.length ? r.crossVersions.compared.map((c) => `${c.dataset} v${c.number}`).join(", ") : "no other version"}
            {r.crossVersions?.skipped.length ? ` (skipped ${r.crossVersions.skipped.map((s) => s.dataset).join(", ")})` : ""}
          </span>
        </div>
      )}
    </div>
  );
}

type Findings = NonNullable<import("@/gql/graphql").DataQualityFindingsQuery["dataQualityReport"]>;
type SampleRef = FragmentType<typeof QualitySampleDoc>;
/** "More like this" hands on the sample it was asked from. */
type OnMore = (s: QualitySampleFragment) => void;

function Findings({ reportId, versionId, onMore }: { reportId: string; versionId: string; onMore: OnMore }) {
  const { data, loading, error } = useQuery(FindingsQuery, { variables: { id: reportId } });
  const f = data?.dataQualityReport ?? null;
  if (loading && !f) return <SkeletonRows rows={6} />;
  if (!f) return <ErrorText>{describeError(error) || "Report not found."}</ErrorText>;
  return (
    <>
      <DuplicateSets f={f} versionId={versionId} onMore={onMore} />
      <div className="grid cols-2">
        <Outliers f={f} onMore={onMore} />
        <LabelErrors f={f} onMore={onMore} />
      </div>
    </>
  );
}

function SampleThumb({ s: ref, caption, right, onMore, state }: { s: SampleRef; caption?: React.ReactNode; right?: React.ReactNode; onMore: OnMore; state?: string }) {
  const s = getFragmentData(QualitySampleDoc, ref);
  return (
    <div className="stack" style={{ gap: 2 }}>
      <Thumb sampleId={s.id} caption={caption ?? s.externalId} right={right ?? s.site?.code ?? ""} state={state} />
      <button className="btn sm" style={{ fontSize: 11 }} onClick={() => onMore(s)} data-testid="more-like-this" title={`Samples most like ${s.externalId}`}>More like this</button>
    </div>
  );
}

function DuplicateSets({ f, versionId, onMore }: { f: Findings; versionId: string; onMore: OnMore }) {
  const sets = f.duplicateSets;
  return (
    <Card title={<>Duplicate sets <span className="muted">· {fmtInt(sets.totalCount)}, flagged first</span></>} testId="duplicate-sets">
      {sets.nodes.length === 0 ? <Empty title="No duplicates found">No two samples are closer than the threshold, and no image bytes repeat.</Empty> : (
        <div className="stack" style={{ gap: 14 }}>
          {sets.nodes.map((s) => (
            <div key={s.id} data-testid="duplicate-set" data-flags={flagBadges(s).map((b) => b.key).join(" ")}>
              <div className="row small" style={{ marginBottom: 4, flexWrap: "wrap" }}>
                <Badge tone={s.kind === "EXACT" ? "accent" : ""}>{s.kind.toLowerCase()}</Badge>
                <span className="muted">{s.size} samples{s.kind === "NEAR" ? ` · max distance ${fmtDistance(s.maxDistance)}` : ""}</span>
                {flagBadges(s).map((b) => <Badge key={b.key} tone={b.tone} title={b.title}>{b.text}</Badge>)}
              </div>
              <div className="thumbs">
                {s.members.map((m) => (
                  <SampleThumb key={m.sample.id} s={m.sample} caption={m.sample.label} onMore={onMore} state={m.inVersion ? undefined : "reject"}
                    right={m.inVersion ? (m.sample.site?.code ?? "") : <Link href={`/versions/${m.versionId}`} title="in another version">other version</Link>} />
                ))}
              </div>
            </div>
          ))}
          {sets.totalCount > sets.nodes.length && <div className="muted small">and {fmtInt(sets.totalCount - sets.nodes.length)} more sets (version {versionId.slice(0, 6)}…; the API lists them all)</div>}
        </div>
      )}
    </Card>
  );
}

function Outliers({ f, onMore }: { f: Findings; onMore: OnMore }) {
  const byClass = topPerClass(f.outliers.nodes, 8);
  const sizes = new Map(f.outlierClasses.map((c) => [c.label, c]));
  return (
    <Card title="Top outliers per class" testId="outliers">
      {byClass.size === 0 ? <Empty title="No outliers" /> : [...byClass].map(([label, rows]) => (
        <div key={label} style={{ marginBottom: 12 }}>
          <div className="small" style={{ marginBottom: 4 }}><b>{label}</b> <span className="muted">· {fmtInt(sizes.get(label)?.size)} samples, median score {fmtNum(sizes.get(label)?.medianScore)}</span></div>
          <div className="thumbs">
            {rows.map((o) => (
              <div key={o.sample.id} title={o.outlierReason}>
                <SampleThumb s={o.sample} caption={`#${o.outlierRank + 1}`} right={o.outlierRatio != null ? `${o.outlierRatio.toFixed(1)}×` : "—"} onMore={onMore} />
              </div>
            ))}
          </div>
        </div>
      ))}
    </Card>
  );
}

function LabelErrors({ f, onMore }: { f: Findings; onMore: OnMore }) {
  const rows = f.labelErrors;
  return (
    <Card title={<>Likely label errors <span className="muted">· {fmtInt(rows.totalCount)}, each with its suggested label</span></>} testId="label-errors">
      {rows.nodes.length === 0 ? <Empty title="No likely label errors">Confident learning flags no sample.</Empty> : (
        <div className="thumbs">
          {rows.nodes.map((e) => (
            <div key={e.sample.id} title={`${e.sample.externalId}: labelled ${e.label}, suggested ${e.suggestedLabel}; score ${fmtNum(e.labelErrorScore)} = 1 − p̂(${e.label})`} data-testid="label-error">
              <SampleThumb s={e.sample} caption={<>→ <b>{e.suggestedLabel}</b></>} right={fmtNum(e.labelErrorScore, 2)} onMore={onMore} state="flag" />
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}

/** "More like this": the samples of the set most like one sample (similarSamples), with scores; also used on the review page. */
export function SimilarCard({ sampleId, externalId, embeddingSetId, mapHref, onMore, onClose, versionId }: { sampleId: string; externalId: string; embeddingSetId: string; mapHref?: string; onMore?: OnMore; onClose: () => void; versionId?: string }) {
  const { data, loading, error } = useQuery(SimilarQuery, { variables: { sampleId, embeddingSetId, first: 12 } });
  const r = data?.similarSamples ?? null;
  // An image dropped on the card: embedded by the API with the set's own model, not kept.
  const [byImage, setByImage] = useState<{ name: string; result: SimilarUploadResult | null; error: string | null } | null>(null);
  const [over, setOver] = useState(false);
  const searchImage = async (file: File | undefined) => {
    if (!file) return;
    const bad = checkImage(file);
    if (bad) return setByImage({ name: file.name, result: null, error: bad });
    setByImage({ name: file.name, result: null, error: null });
    try {
      setByImage({ name: file.name, result: await similarToImage(embeddingSetId, file), error: null });
    } catch (e) {
      setByImage({ name: file.name, result: null, error: describeError(e) });
    }
  };
  return (
    <Card title={byImage ? <>More like <code>{byImage.name}</code> {byImage.result && <span className="muted">· your image, {byImage.result.method} search, {fmtInt(byImage.result.evaluated)} compared</span>}</> : <>More like <code>{externalId}</code> {r && <span className="muted">· {r.method === "index" ? "index" : "exact"} search, {fmtInt(r.evaluated)} compared</span>}</>}
      actions={<div className="row">
        {mapHref && !byImage && <Link className="btn sm ghost" href={mapHref} data-testid="similar-map">Colour the map by it</Link>}
        {versionId && !byImage && r && r.items.length > 0 && (
          <SaveSubset versionId={versionId} kind="SEARCH" source={{ sampleIds: r.items.map((it) => it.sample.id) }} definition={{ sampleId, embeddingSetId, k: r.items.length }} testId="save-similar" />
        )}
        {byImage && <button className="btn sm ghost" onClick={() => setByImage(null)}>Back to {externalId}</button>}
        <button className="btn sm" onClick={onClose}>Close</button>
      </div>} testId="similar">
      {byImage ? (
        byImage.error ? <ErrorText testId="similar-upload-error">{byImage.error}</ErrorText> : !byImage.result ? <SkeletonRows rows={2} cols={6} /> : byImage.result.items.length === 0 ? <Empty title="Nothing similar" /> : (
          <div className="thumbs" data-testid="similar-upload-results">
            {byImage.result.items.map((it) => <Thumb key={it.sampleId} sampleId={it.sampleId} caption={it.externalId ?? ""} right={it.score.toFixed(3)} />)}
          </div>
        )
      ) : loading && !r ? <SkeletonRows rows={2} cols={6} /> : !r ? <ErrorText>{describeError(error) || "Not available for this sample."}</ErrorText> : r.items.length === 0 ? <Empty title="Nothing similar" /> : (
        <div className="thumbs">
          {r.items.map((it) => onMore ? <SampleThumb key={it.sample.id} s={it.sample} caption={it.sample.label} right={it.score.toFixed(3)} onMore={onMore} /> : <Thumb key={it.sample.id} sampleId={it.sample.id} caption={it.sample.label} right={it.score.toFixed(3)} />)}
        </div>
      )}
      <label
        className="small muted"
        data-testid="similar-drop"
        style={{ display: "block", marginTop: 10, padding: 10, border: `1px dashed ${over ? "var(--accent, #4dabf7)" : "var(--line, #ccc)"}`, borderRadius: 6, textAlign: "center", cursor: "pointer" }}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); void searchImage(e.dataTransfer.files[0]); }}
      >
        Drop an image here (or click to choose one) to search by it: embedded with this set&apos;s model, not kept.
        <input type="file" accept={IMAGE_EXTENSIONS.join(",")} style={{ display: "none" }} onChange={(e) => void searchImage(e.target.files?.[0])} data-testid="similar-file" />
      </label>
    </Card>
  );
}
