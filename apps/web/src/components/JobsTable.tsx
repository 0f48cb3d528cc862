"use client";
// Jobs as Consortium.jobs lists them; each queued or running row follows its own jobProgress
// subscription, so progress moves live while the list itself is only re-read now and then.
import Link from "next/link";
import { Empty, StatusBadge, fmtDuration, fmtInt, fmtWhen } from "@/components/ui";
import { useJobProgress } from "@/lib/live";

export interface JobRow {
  id: string;
  kind: string;
  status: string;
  phase: string;
  done: number;
  total: number;
  etaSeconds?: number | null;
  createdAt?: string;
  error?: string | null;
  selectionRun?: { id: string; name: string } | null;
  analysis?: { id: string } | null;
  embeddingSet?: { id: string } | null;
}

const ACTIVE = new Set(["QUEUED", "RUNNING"]);

function Subject({ job }: { job: JobRow }) {
  if (job.selectionRun) return <Link href={`/runs/${job.selectionRun.id}`}>{job.selectionRun.name || "selection run"}</Link>;
  if (job.analysis) return <Link href={`/analyses/${job.analysis.id}`}>analysis</Link>;
  return <span className="muted">{job.embeddingSet ? "embedding set" : "—"}</span>;
}

function LiveJobRow({ job, onFinished }: { job: JobRow; onFinished?: (status: string) => void }) {
  const live = useJobProgress(ACTIVE.has(job.status) ? job.id : null, onFinished);
  const p = live ?? job;
  return (
    <tr data-testid="job-row" data-status={p.status}>
      <td>{job.kind.toLowerCase()}</td>
      <td><Subject job={job} /></td>
      <td><StatusBadge status={p.status} /></td>
      <td title={job.error ?? undefined}>{p.phase}</td>
      <td className="num" data-testid="job-progress">{fmtInt(p.done)} / {fmtInt(p.total)}</td>
      <td className="num">{ACTIVE.has(p.status ?? "") ? fmtDuration(p.etaSeconds) : "—"}</td>
      {job.createdAt !== undefined && <td className="muted small nowrap" title={job.createdAt}>{fmtWhen(job.createdAt)}</td>}
    </tr>
  );
}

export function JobsTable({ jobs, onFinished, empty }: { jobs: ReadonlyArray<JobRow>; onFinished?: (status: string) => void; empty?: { title: string; text: string } }) {
  if (jobs.length === 0) {
    return <Empty title={empty?.title ?? "Nothing running"}>{empty?.text ?? "Embedding, analysis and selection jobs show here while they run."}</Empty>;
  }
  const withWhen = jobs.some((j) => j.createdAt !== undefined);
  return (
    <table className="table" data-testid="jobs">
      <thead><tr><th>job</th><th>for</th><th>status</th><th>phase</th><th className="num">progress</th><th className="num">ETA</th>{withWhen && <th>queued</th>}</tr></thead>
      <tbody>
        {jobs.map((j) => <LiveJobRow key={j.id} job={j} onFinished={onFinished} />)}
      </tbody>
    </table>
  );
}
