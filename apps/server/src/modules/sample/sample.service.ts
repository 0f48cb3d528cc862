import type { Context } from "../../context.js";
import { GraphQLError } from "graphql";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { canRead } from "../../auth/access.js";
import { consortiumOfDataset } from "../../auth/scope.js";
import { Sample } from "./sample.type.js";
import type { SampleFilter } from "./sample.input.js";

export async function visibleSample(ctx: Context, id: number): Promise<Sample | null> {
  const row = await ctx.loaders.sample.load(id);
  if (!row) return null;
  const consortiumId = await consortiumOfDataset(ctx, row.datasetId);
  if (!(await canRead(ctx, consortiumId))) return null;
  return Sample.from(row, consortiumId!);
}

/** A Prisma `where` on Sample for a filter. An ID of the wrong type matches nothing. */
export function sampleWhere(filter: SampleFilter | null | undefined): Record<string, unknown> {
  if (!filter) return {};
  const and: Record<string, unknown>[] = [];
  if (filter.label != null) and.push({ label: filter.label });
  if (filter.labels != null) and.push({ label: { in: filter.labels } });
  if (filter.externalId != null) and.push({ externalId: filter.externalId });
  if (filter.siteId != null) and.push({ siteId: decodeIdOrNull(filter.siteId, "Site") ?? -1 });
  for (const m of filter.metadata ?? []) {
    if (!m.key || m.key.length > 200) {
      throw new GraphQLError("filter.metadata.key: expected 1–200 characters", { extensions: { code: "BAD_USER_INPUT" } });
    }
    const options: Record<string, unknown>[] = [{ metadata: { path: [m.key], equals: m.value } }];
    const asNumber = Number(m.value);
    if (m.value.trim() !== "" && Number.isFinite(asNumber)) options.push({ metadata: { path: [m.key], equals: asNumber } });
    if (m.value === "true" || m.value === "false") options.push({ metadata: { path: [m.key], equals: m.value === "true" } });
    and.push(options.length === 1 ? options[0]! : { OR: options });
  }
  if (filter.groupId != null) {
    and.push({ groupings: { some: { groupId: decodeIdOrNull(filter.groupId, "ConfounderGroup") ?? -1 } } });
  }
  if (filter.selectionRunId != null) {
    and.push({ selections: { some: { runId: decodeIdOrNull(filter.selectionRunId, "SelectionRun") ?? -1 } } });
  }
  return and.length ? { AND: and } : {};
}
