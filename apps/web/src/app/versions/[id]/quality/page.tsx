"use client";
// The data-quality tab of a dataset version: start a pass, follow it, read duplicates, outliers and
// likely label errors, and browse "more like this" (components/quality/DataQuality.tsx).
import { useParams } from "next/navigation";
import { useQuery } from "@apollo/client/react";
import { AppShell } from "@/components/shell/AppShell";
import { Empty, PageHead, SkeletonRows } from "@/components/ui";
import { DataQualityPanel, QualityVersionQuery } from "@/components/quality/DataQuality";
import { useJobActivity } from "@/lib/live";

export default function VersionQualityPage() {
  const { id } = useParams<{ id: string }>();
  // Not polled: re-read when a data-quality job of the consortium is created or changes status
  // (jobActivity) and after a reconnect; the live progress comes over the jobProgress subscription.
  const { data, loading, refetch } = useQuery(QualityVersionQuery, { variables: { id } });
  const v = data?.node?.__typename === "DatasetVersion" ? data.node : null;
  useJobActivity(v?.dataset.project.consortium.id, (e) => e.statusChanged && e.jobKind === "QUALITY" && void refetch(), () => void refetch());
  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[
        { label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined },
        { label: v ? `${v.dataset.name} v${v.number}` : "…", href: `/versions/${id}` },
        { label: "Data quality" },
      ]}
    >
      <PageHead title="Data quality" sub="Duplicates (exact and near; across sites, versions and labels), outliers per class, likely label errors, and similar samples." />
      {loading && !v ? <SkeletonRows rows={8} /> : !v ? <Empty title="Version not found">It does not exist, or you cannot see it.</Empty> : <DataQualityPanel version={v} onChanged={() => void refetch()} />}
    </AppShell>
  );
}
