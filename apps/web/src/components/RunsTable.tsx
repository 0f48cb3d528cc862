"use client";
import Link from "next/link";
import { Empty, StatusBadge, fmtWhen } from "@/components/ui";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import { strategyLabel } from "@/lib/runForm";

/** What a row shows; pages spread `...RunRow` into their query and pass the nodes as they come. */
export const RunRowDoc = graphql(`
  fragment RunRow on SelectionRun { id name strategy status perClass seed createdAt }
`);

export function RunsTable({ runs: refs, compare }: { runs: ReadonlyArray<FragmentType<typeof RunRowDoc>>; compare?: boolean }) {
  const runs = getFragmentData(RunRowDoc, refs);
  if (runs.length === 0) return <Empty title="No selection runs yet">Start one from a dataset version.</Empty>;
  return (
    <table className="table" data-testid="runs">
      <thead><tr>{compare && <th />}<th>run</th><th>strategy</th><th className="num">N / class</th><th className="num">seed</th><th>status</th><th>started</th></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            {compare && <td><input type="checkbox" name="compare" value={r.id} aria-label={`compare ${r.name}`} /></td>}
            <td><Link href={`/runs/${r.id}`}><b>{r.name || strategyLabel(r.strategy)}</b></Link></td>
            <td>{strategyLabel(r.strategy)}</td>
            <td className="num">{r.perClass}</td>
            <td className="num">{r.seed}</td>
            <td><StatusBadge status={r.status} /></td>
            <td className="muted">{fmtWhen(r.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
