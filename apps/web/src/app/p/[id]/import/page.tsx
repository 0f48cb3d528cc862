"use client";
// Import a dataset version: upload the manifest (and optionally embeddings) through /api/uploads, then
// datasetImportStart, whose IMPORT job is followed live (phase, rows written, rate). When it ends,
// links to the new version — or to the identical latest version. Errors (the mutation's, or a failed
// job's BAD_FILE naming the row) appear beside the file at fault. Cancel stops the job while it runs
// (it writes nothing then). CURATOR+ only.
import Link from "next/link";
import { useParams } from "next/navigation";
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "@/gql";

import { AppShell, atLeast, useViewerScope } from "@/components/shell/AppShell";
import { Alert, Badge, Card, Empty, ErrorText, PageHead, SkeletonRows, fmtInt, useToast } from "@/components/ui";
import { ProgressBar } from "@/components/charts/Charts";
import { JobCancelButton } from "@/components/JobsTable";
import { useJobProgress } from "@/lib/live";
import { EMBEDDINGS_EXTENSIONS, MANIFEST_EXTENSIONS, checkExtension, uploadFile } from "@/lib/upload";
import { describeError, errorsByField } from "@/lib/errors";

const ImportProjectQuery = graphql(`
  query ImportProject($id: ID!) {
    node(id: $id) {
      ... on Project {
        id name
        consortium { id name }
        datasets(first: 100) { nodes { id name latestVersion { id number } } }
      }
    }
  }
`);

const DatasetImportStartDoc = graphql(`
  mutation DatasetImportStart($input: DatasetImportInput!) {
    datasetImportStart(input: $input) {
      job { id status }
      errors { code field message }
    }
  }
`);

const ImportJobQuery = graphql(`
  query ImportJob($id: ID!) {
    node(id: $id) { ... on Job { id status error result } }
  }
`);

type Step = "idle" | "manifest" | "embeddings" | "importing";
/** What the IMPORT job reports when it succeeds (jobs/handlers/import.ts). */
interface Result {
  datasetName: string;
  version: string;
  number: number;
  sampleCount: number;
  created: boolean;
  diff: { added: number; changed: number; removed: number; unchanged: number };
  summary: string;
}

const STEP_TEXT: Record<Step, string> = {
  idle: "",
  manifest: "Uploading the manifest…",
  embeddings: "Uploading the embeddings…",
  importing: "Importing as a job (checking every row, then writing the version in one transaction)…",
};

export default function ImportPage() {
  const { id } = useParams<{ id: string }>();
  const toast = useToast();
  const { data, loading } = useQuery(ImportProjectQuery, { variables: { id } });
  const p = data?.node?.__typename === "Project" ? data.node : null;
  const { role, loading: roleLoading } = useViewerScope(p?.consortium.id);
  const [datasetName, setDatasetName] = useState("");
  const [manifest, setManifest] = useState<File | null>(null);
  const [embeddings, setEmbeddings] = useState<File | null>(null);
  const [modelName, setModelName] = useState("");
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [step, setStep] = useState<Step>("idle");
  const [result, setResult] = useState<Result | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [startImport] = useMutation(DatasetImportStartDoc);
  const client = useApolloClient();
  const progress = useJobProgress(jobId, (status) => void finished(status));
  const busy = step !== "idle";
  const existing = p?.datasets.nodes.find((d) => d.name === datasetName.trim());

  function validate(): Record<string, string> {
    const e: Record<string, string> = {};
    const name = datasetName.trim();
    if (!name) e.datasetName = "Choose an existing dataset or type a new name.";
    else if (name.length > 200) e.datasetName = `expected at most 200 characters, got ${name.length}`;
    if (!manifest) e.manifestUploadId = "Choose a manifest file (.csv or .jsonl).";
    else {
      const bad = checkExtension(manifest.name, MANIFEST_EXTENSIONS);
      if (bad) e.manifestUploadId = bad;
    }
    if (embeddings) {
      const bad = checkExtension(embeddings.name, EMBEDDINGS_EXTENSIONS);
      if (bad) e.embeddingsUploadId = bad;
      if (!modelName.trim()) e.modelName = "Name the model the embeddings came from.";
    } else if (modelName.trim()) e.embeddingsUploadId = "A model name was given: choose its embeddings file too, or clear the name.";
    return e;
  }

  async function submit(ev: React.FormEvent) {
    ev.preventDefault();
    setResult(null);
    const local = validate();
    setErrors(local);
    if (Object.keys(local).length || !p || !manifest) return;
    let field = "manifestUploadId";
    try {
      setStep("manifest");
      const m = await uploadFile(manifest);
      let embeddingsUploadId: string | undefined;
      if (embeddings) {
        field = "embeddingsUploadId";
        setStep("embeddings");
        embeddingsUploadId = (await uploadFile(embeddings)).id;
      }
      field = "";
      setStep("importing");
      const { data } = await startImport({
        variables: {
          input: {
            projectId: p.id,
            datasetName: datasetName.trim(),
            manifestUploadId: m.id,
            ...(embeddingsUploadId ? { embeddingsUploadId, modelName: modelName.trim() } : {}),
            ...(message.trim() ? { message: message.trim() } : {}),
          },
        },
      });
      const r = data?.datasetImportStart;
      if (!r?.job) {
        setErrors(r?.errors.length ? errorsByField(r.errors) : { "": "The API returned no job." });
        setStep("idle");
      } else setJobId(r.job.id); // the job's end (useJobProgress) calls finished()
    } catch (err) {
      setErrors({ [field]: describeError(err) });
      setStep("idle");
    }
  }

  /** The job ended: read its result, or put its error beside the file it names. */
  async function finished(status: string) {
    try {
      const { data } = await client.query({ query: ImportJobQuery, variables: { id: jobId! }, fetchPolicy: "network-only" });
      const job = data?.node?.__typename === "Job" ? data.node : null;
      if (status === "SUCCEEDED" && job?.result) {
        const r = job.result as Result;
        setResult(r);
        toast(r.created ? `Imported ${r.datasetName} v${r.number}` : "No change: identical to the latest version", "ok");
      } else if (status === "CANCELLED") {
        setErrors({ "": "Import cancelled: nothing was written." });
      } else {
        const message = job?.error ?? `The import job ended ${status.toLowerCase()}.`;
        // The message names the file by the name it was uploaded with.
        setErrors({ [embeddings && message.includes(embeddings.name) ? "embeddingsUploadId" : "manifestUploadId"]: message });
      }
    } catch (err) {
      setErrors({ "": describeError(err) });
    } finally {
      setStep("idle");
      setJobId(null);
    }
  }

  // Errors whose field is not one shown here (e.g. projectId, idColumn) go under the form.
  const shown = new Set(["datasetName", "manifestUploadId", "embeddingsUploadId", "modelName", "message"]);
  const other = Object.entries(errors).filter(([k]) => !shown.has(k)).map(([, v]) => v).join(" ");

  return (
    <AppShell scope={{ consortiumId: p?.consortium.id, projectId: id }} crumbs={[{ label: p?.consortium.name ?? "…", href: p ? `/c/${p.consortium.id}` : undefined }, { label: p?.name ?? "Project", href: `/p/${id}` }, { label: "Import" }]}>
      <PageHead title="Import a dataset version" sub={p ? `into ${p.name}` : undefined} />
      {(loading && !p) || roleLoading ? <SkeletonRows /> : !p ? <Empty title="Project not found">It does not exist, or you cannot see it.</Empty> : !atLeast(role, "CURATOR") ? (
        <Alert tone="warn">Your role ({role?.toLowerCase() ?? "none"}) cannot import datasets. Ask a curator.</Alert>
      ) : (
        <div className="grid side">
          <Card>
            <form onSubmit={submit} noValidate data-testid="import-form">
              <div className="field">
                <label htmlFor="datasetName">Dataset</label>
                <input id="datasetName" name="datasetName" list="dataset-names" className={`input ${errors.datasetName ? "invalid" : ""}`} value={datasetName} onChange={(e) => setDatasetName(e.target.value)} placeholder="existing dataset or a new name" disabled={busy} />
                <datalist id="dataset-names">{p.datasets.nodes.map((d) => <option key={d.id} value={d.name} />)}</datalist>
                <span className="hint">{datasetName.trim() ? existing ? <>new version of <b>{existing.name}</b>{existing.latestVersion ? ` (latest v${existing.latestVersion.number})` : ""}</> : <>creates dataset <b>{datasetName.trim()}</b></> : `${p.datasets.nodes.length} datasets in this project`}</span>
                <ErrorText testId="datasetName-error">{errors.datasetName}</ErrorText>
              </div>
              <div className="field">
                <label htmlFor="manifest">Manifest</label>
                <input id="manifest" name="manifest" type="file" accept=".csv,.jsonl" className={`input ${errors.manifestUploadId ? "invalid" : ""}`} onChange={(e) => setManifest(e.target.files?.[0] ?? null)} disabled={busy} />
                <span className="hint">CSV or JSONL: columns id, label, optional uri/path, site, sha256; the rest become metadata</span>
                <ErrorText testId="manifest-error">{errors.manifestUploadId}</ErrorText>
              </div>
              <div className="grid cols-2" style={{ gap: 12 }}>
                <div className="field">
                  <label htmlFor="embeddings">Embeddings <span className="muted">(optional)</span></label>
                  <input id="embeddings" name="embeddings" type="file" accept=".npy,.csv,.parquet" className={`input ${errors.embeddingsUploadId ? "invalid" : ""}`} onChange={(e) => setEmbeddings(e.target.files?.[0] ?? null)} disabled={busy} />
                  <span className="hint">.npy (float32), CSV or Parquet; row i = manifest row i</span>
                  <ErrorText testId="embeddings-error">{errors.embeddingsUploadId}</ErrorText>
                </div>
                <div className="field">
                  <label htmlFor="modelName">Model name {embeddings ? null : <span className="muted">(with embeddings)</span>}</label>
                  <input id="modelName" name="modelName" className={`input ${errors.modelName ? "invalid" : ""}`} value={modelName} onChange={(e) => setModelName(e.target.value)} placeholder="e.g. resnet50-imagenet" disabled={busy} />
                  <ErrorText testId="modelName-error">{errors.modelName}</ErrorText>
                </div>
              </div>
              <div className="field">
                <label htmlFor="message">Message <span className="muted">(optional)</span></label>
                <input id="message" name="message" className={`input ${errors.message ? "invalid" : ""}`} value={message} onChange={(e) => setMessage(e.target.value)} placeholder={manifest ? `import ${manifest.name}` : "what this version is"} disabled={busy} />
                <ErrorText>{errors.message}</ErrorText>
              </div>
              <div className="row">
                <button className="btn primary" type="submit" disabled={busy} data-testid="import-submit">{busy ? "Importing…" : "Import"}</button>
                {busy && <span className="muted small" data-testid="import-step">{STEP_TEXT[step]}</span>}
                {step === "importing" && jobId && <JobCancelButton jobId={jobId} />}
              </div>
              {step === "importing" && progress && <div style={{ marginTop: 12 }}><ProgressBar p={progress} /></div>}
              <ErrorText testId="import-error">{other}</ErrorText>
            </form>
          </Card>
          <Card title="Result" testId="import-result">
            {!result ? <Empty title="Nothing imported yet">Files are uploaded first, then checked row by row; nothing is written if a row is bad.</Empty> : result.created === false ? (
              <div className="stack">
                <div data-testid="import-unchanged"><Badge tone="warn">no change</Badge> no change: identical to version {result.number}</div>
                <Link href={`/versions/${result.version}`}>Open {result.datasetName} v{result.number}</Link>
              </div>
            ) : (
              <div className="stack">
                <div><Badge tone="ok">created</Badge> {result.datasetName} v{result.number} · {fmtInt(result.sampleCount)} samples</div>
                <div className="small muted">+{fmtInt(result.diff.added)} added · {fmtInt(result.diff.changed)} changed · {fmtInt(result.diff.removed)} removed · {fmtInt(result.diff.unchanged)} unchanged</div>
                <div className="small">{result.summary}</div>
                <Link className="btn primary" href={`/versions/${result.version}`} data-testid="import-version-link">Open v{result.number}</Link>
              </div>
            )}
          </Card>
        </div>
      )}
    </AppShell>
  );
}
