"use client";
// Jobs as Consortium.jobs lists them; each queued or running row follows its own jobProgress
// subscription, so progress moves live while the list itself is only re-read now and then. With
// canCancel (CURATOR+), active rows get a Cancel button (jobCancel); the row's live status then ends it.
// Lists hold top-level jobs only: a job split into shards (a large embedding or analysis) is one row
// whose progress is its shards' sum, with how many of them are done beside its phase.
import Link from "next/link";
import { useMutation } from "@apollo/client/react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import type { JobRowFragment } from "@/gql/graphql";
import { Empty, StatusBadge, fmtDuration, fmtInt, fmtWhen, useToast } from "@/components/ui";
import { describeError } from "@/lib/errors";
import { useJobProgress } from "@/lib/live";

const JobCancelDoc = graphql(`
  mutation JobCancel($input: JobCancelInput!) {
    jobCancel(input: $input) { job { id cancelRequested } errors { code field message } }
  }
`);

/** What a row shows; pages spread `...JobRow` into their query and pass the nodes as they come. */
export const JobRowDoc = graphql(`
  fragment JobRow on Job {
    id kind status phase done total etaSeconds createdAt error
    selectionRun { id name } analysis { id } embeddingSet { id } dataQuality { id datasetVersion { id } }
    shards { id status }
  }
`);

type JobRow = JobRowFragment;

const ACTIVE = new Set(["QUEUED", "RUNNING"]);

function Subject({ job }: { job: JobRow }) {
  if (job.selectionRun) return <Link href={`/runs/${job.selectionRun.id}`}>{job.selectionRun.name || "selection run"}</Link>;
  if (job.analysis) return <Link href={`/analyses/${job.analysis.id}`}>analysis</Link>;
  if (job.dataQuality?.datasetVersion) return <Link href={`/versions/${job.dataQuality.datasetVersion.id}/quality`}>data quality</Link>;
  return <span className="muted">{job.embeddingSet ? "embedding set" : "—"}</span>;
}

/** Asks the job to stop (jobCancel, CURATOR+); the job's live status shows when it has. */
export function JobCancelButton({ jobId }: { jobId: string }) {
  const toast = useToast();
  const [cancel, { loading, data }] = useMutation(JobCancelDoc);
  const asked = data?.jobCancel?.job?.cancelRequested === true;
  async function click() {
    try {
      const r = (await cancel({ variables: { input: { jobId } } })).data?.jobCancel;
      if (r?.errors.length) toast(r.errors.map((e) => e.message).join(" "), "bad");
    } catch (err) {
      toast(describeError(err), "bad");
    }
  }
  return (
    <button className="btn small" type="button" onClick={() => void click()} disabled={loading || asked} data-testid="job-cancel">
      {asked ? "Cancelling…" : "Cancel"}
    </button>
  );
}

function LiveJobRow({ job: ref, onFinished, canCancel, withWhen }: { job: FragmentType<typeof JobRowDoc>; onFinished?: (status: string) => void; canCancel: boolean; withWhen: boolean }) {
  const job = getFragmentData(JobRowDoc, ref);
  const live = useJobProgress(ACTIVE.has(job.status) ? job.id : null, onFinished);
  const p = live ?? job;
  return (
    <tr data-testid="job-row" data-status={p.status}>
      <td>{job.kind.toLowerCase()}</td>
      <td><Subject job={job} /></td>
      <td><StatusBadge status={p.status} /></td>
      <td title={job.error ?? undefined}>{p.phase}{job.shards.length > 0 && <span className="muted small" data-testid="job-shards"> · {job.shards.filter((s) => s.status === "SUCCEEDED").length}/{job.shards.length} shards</span>}</td>
      <td className="num" data-testid="job-progress">{fmtInt(p.done)} / {fmtInt(p.total)}</td>
      <td className="num">{ACTIVE.has(p.status ?? "") ? fmtDuration(p.etaSeconds) : "—"}</td>
      {withWhen && <td className="muted small nowrap" title={job.createdAt}>{fmtWhen(job.createdAt)}</td>}
      {canCancel && <td>{ACTIVE.has(p.status ?? "") ? <JobCancelButton jobId={job.id} /> : null}</td>}
    </tr>
  );
}

/** withWhen adds the "queued" column (the jobs page; the project page's running list leaves it out). */
export function JobsTable({ jobs, onFinished, empty, canCancel = false, withWhen = false }: { jobs: ReadonlyArray<FragmentType<typeof JobRowDoc> & { id: string }>; onFinished?: (status: string) => void; empty?: { title: string; text: string }; canCancel?: boolean; withWhen?: boolean }) {
  if (jobs.length === 0) {
    return <Empty title={empty?.title ?? "Nothing running"}>{empty?.text ?? "Embedding, analysis and selection jobs show here while they run."}</Empty>;
  }
  return (
    <table className="table" data-testid="jobs">
      <thead><tr><th>job</th><th>for</th><th>status</th><th>phase</th><th className="num">progress</th><th className="num">ETA</th>{withWhen && <th>queued</th>}{canCancel && <th />}</tr></thead>
      <tbody>
        {jobs.map((j) => <LiveJobRow key={j.id} job={j} onFinished={onFinished} canCancel={canCancel} withWhen={withWhen} />)}
      </tbody>
    </table>
  );
}
