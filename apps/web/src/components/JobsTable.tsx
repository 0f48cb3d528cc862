"use client";
import { Empty, StatusBadge, fmtDuration, fmtInt } from "@/components/ui";

export interface JobRow {
  id: string;
  kind: string;
  status: string;
  phase: string;
  done: number;
  total: number;
  etaSeconds?: number | null;
}

export function JobsTable({ jobs }: { jobs: ReadonlyArray<JobRow> }) {
  if (jobs.length === 0) return <Empty title="Nothing running">Embedding, analysis and selection jobs show here while they run.</Empty>;
  return (
    <table className="table" data-testid="jobs">
      <thead><tr><th>job</th><th>status</th><th>phase</th><th className="num">progress</th><th className="num">ETA</th></tr></thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.id}>
            <td>{j.kind.toLowerCase()}</td>
            <td><StatusBadge status={j.status} /></td>
            <td>{j.phase}</td>
            <td className="num">{fmtInt(j.done)} / {fmtInt(j.total)}</td>
            <td className="num">{fmtDuration(j.etaSeconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
