"use client";
// Entry point after sign-in: goes to the last project used, else the first consortium's overview.
import { useRouter } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { useEffect } from "react";
import { AppShell, ShellViewerQuery } from "@/components/shell/AppShell";
import { Empty, SkeletonRows } from "@/components/ui";

export default function OverviewRedirect() {
  const router = useRouter();
  const { data, loading } = useQuery(ShellViewerQuery, { fetchPolicy: "cache-first" });
  const first = data?.viewer?.memberships.nodes[0]?.consortium.id;
  useEffect(() => {
    if (!data?.viewer) return;
    let scope: { consortiumId?: string; projectId?: string } = {};
    try {
      scope = JSON.parse(localStorage.getItem("stratum.scope") ?? "{}");
    } catch { /* ignore */ }
    const known = data.viewer.memberships.nodes.some((m) => m.consortium.id === scope.consortiumId);
    if (known && scope.projectId) router.replace(`/p/${scope.projectId}`);
    else if (known && scope.consortiumId) router.replace(`/c/${scope.consortiumId}`);
    else if (first) router.replace(`/c/${first}`);
  }, [data, first, router]);
  return (
    <AppShell crumbs={[{ label: "Overview" }]}>
      {loading || first ? <SkeletonRows /> : <Empty title="You are not a member of any consortium yet">Ask an owner to add you.</Empty>}
    </AppShell>
  );
}
