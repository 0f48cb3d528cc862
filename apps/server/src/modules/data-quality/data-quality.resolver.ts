import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import DataLoader from "dataloader";
import type { DataQualityReport as ReportRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull, toGlobalId } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { consortiumOfVersion } from "../../auth/scope.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { visibleVersion } from "../dataset-version/dataset-version.resolver.js";
import { EmbeddingSet } from "../embedding-set/embedding-set.type.js";
import { visibleSet } from "../embedding-set/embedding-set.service.js";
import { Job } from "../job/job.type.js";
import { visibleJob } from "../job/job.service.js";
import { Sample } from "../sample/sample.type.js";
import { User } from "../user/user.type.js";
import { visibleUser } from "../user/user.service.js";
import { DataQualityStartInput, DataQualityStartPayload } from "./data-quality.input.js";
import {
  DataQualityReport,
  DataQualityReportConnection,
  DuplicateKind,
  DuplicateMember,
  DuplicateSet,
  DuplicateSetConnection,
  OutlierClass,
  SampleQuality,
  SampleQualityConnection,
  SimilarSamplesResult,
} from "./data-quality.type.js";
import { outlierReason, similarSamples, SIMILAR_MAX, startDataQuality, visibleReport } from "./data-quality.service.js";

registerNode("DataQualityReport", visibleReport);

// The report each listed set came from, so its members know the report's version without a lookup.
const setReport = new WeakMap<DuplicateSet, DataQualityReport>();

@ArgsType()
class DuplicateSetsArgs extends ConnectionArgs {
  @Field(() => DuplicateKind, { nullable: true, description: "Only EXACT or only NEAR sets." })
  kind?: DuplicateKind | null;

  @Field(() => Boolean, { nullable: true, description: "Only sets with members at two or more sites." })
  crossSite?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Only sets reaching into another version (leakage)." })
  crossSplit?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Only sets with two or more labels." })
  conflictingLabels?: boolean | null;
}

@ArgsType()
class OutliersArgs extends ConnectionArgs {
  @Field(() => String, { nullable: true, description: "One class; default every class (each class's rank 0 first, then rank 1 …)." })
  label?: string | null;
}

@ArgsType()
class LabelErrorsArgs extends ConnectionArgs {
  @Field(() => Boolean, { nullable: true, description: "Only samples confident learning flags (default true); false lists every sample by score." })
  issuesOnly?: boolean | null;
}

interface Results {
  outliers?: { metric: string; perClass: { label: string; n: number; medianScore: number | null; k: number }[] };
}

type QualityRow = {
  sampleId: number;
  label: string;
  outlierScore: number | null;
  outlierRatio: number | null;
  outlierRank: number;
  labelErrorScore: number;
  suggestedLabel: string;
  labelIssue: boolean;
  sample: Parameters<typeof Sample.from>[0];
};

function qualityOf(report: DataQualityReport, consortiumId: number | undefined) {
  const results = (report.results ?? {}) as Results;
  const classes = new Map((results.outliers?.perClass ?? []).map((c) => [c.label, { size: c.n, medianScore: c.medianScore, k: c.k }]));
  const metric = results.outliers?.metric ?? "euclidean";
  return (row: QualityRow): SampleQuality =>
    Object.assign(new SampleQuality(), {
      sample: Sample.from(row.sample, consortiumId),
      label: row.label,
      outlierScore: row.outlierScore,
      outlierRatio: row.outlierRatio,
      outlierRank: row.outlierRank,
      outlierReason: outlierReason(row, classes.get(row.label), metric),
      labelErrorScore: row.labelErrorScore,
      suggestedLabel: row.suggestedLabel,
      labelIssue: row.labelIssue,
    });
}

@Resolver(() => DataQualityReport)
export class DataQualityResolver {
  @Query(() => DataQualityReport, { nullable: true, description: "A data-quality report you can see; null otherwise." })
  dataQualityReport(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "DataQualityReport");
    return dbId === null ? null : visibleReport(ctx, dbId);
  }

  @Query(() => SimilarSamplesResult, {
    nullable: true,
    description: `"More like this": the samples of the embedding set's version most like the sample (cosine), top \`first\` (1–${SIMILAR_MAX}, default 10). Exact search for small sets, the set's index (built once per process, kept in a small LRU) above. Null when you cannot see the sample or the set.`,
  })
  similarSamples(
    @Arg("sampleId", () => ID) sampleId: string,
    @Arg("embeddingSetId", () => ID) embeddingSetId: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 10 }) first: number,
    @Ctx() ctx: Context,
  ) {
    return similarSamples(ctx, sampleId, embeddingSetId, first ?? 10);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  datasetVersion(@Root() r: DataQualityReport, @Ctx() ctx: Context) {
    return visibleVersion(ctx, r.datasetVersionId);
  }

  @FieldResolver(() => EmbeddingSet, { nullable: true })
  embeddingSet(@Root() r: DataQualityReport, @Ctx() ctx: Context) {
    return visibleSet(ctx, r.embeddingSetId);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who started it." })
  createdBy(@Root() r: DataQualityReport, @Ctx() ctx: Context) {
    return r.createdById === null ? null : visibleUser(ctx, r.createdById);
  }

  @FieldResolver(() => Job, { nullable: true })
  job(@Root() r: DataQualityReport, @Ctx() ctx: Context) {
    return r.jobId === null ? null : visibleJob(ctx, r.jobId);
  }

  @FieldResolver(() => DuplicateSetConnection, {
    description: "Duplicate sets in stored order: flagged ones first (cross-split, then cross-site, then conflicting labels), then larger ones; filter by kind and flag.",
  })
  duplicateSets(@Root() r: DataQualityReport, @Args(() => DuplicateSetsArgs) args: DuplicateSetsArgs, @Ctx() ctx: Context) {
    const flag = (name: "crossSite" | "crossSplit" | "conflictingLabels") => (args[name] != null ? { [name]: args[name] } : {});
    return paginate({
      args,
      where: { reportId: r.dbId, ...(args.kind != null ? { kind: args.kind } : {}), ...flag("crossSite"), ...flag("crossSplit"), ...flag("conflictingLabels") },
      order: [["id", "asc"]],
      findMany: (q) => ctx.prisma.dataQualityDuplicateSet.findMany(q),
      count: (w) => ctx.prisma.dataQualityDuplicateSet.count({ where: w }),
      map: (row) => {
        const set = DuplicateSet.from(row);
        setReport.set(set, r);
        return set;
      },
    });
  }

  @FieldResolver(() => [OutlierClass], { description: "Per class: size, median outlier score and k." })
  outlierClasses(@Root() r: DataQualityReport): OutlierClass[] {
    const results = (r.results ?? {}) as Results;
    return (results.outliers?.perClass ?? []).map((c) => Object.assign(new OutlierClass(), { label: c.label, size: c.n, medianScore: c.medianScore, k: c.k }));
  }

  @FieldResolver(() => SampleQualityConnection, { description: "Samples by outlier rank within their class (0 = most outlying); optionally one class." })
  async outliers(@Root() r: DataQualityReport, @Args(() => OutliersArgs) args: OutliersArgs, @Ctx() ctx: Context) {
    const consortiumId = (await consortiumOfVersion(ctx, r.datasetVersionId)) ?? undefined;
    return paginate({
      args,
      where: { reportId: r.dbId, ...(args.label != null ? { label: args.label } : {}) },
      order: [
        ["outlierRank", "asc"],
        ["label", "asc"],
        ["sampleId", "asc"],
      ],
      findMany: (q) => ctx.prisma.dataQualitySample.findMany({ ...q, include: { sample: true } }),
      count: (w) => ctx.prisma.dataQualitySample.count({ where: w }),
      map: qualityOf(r, consortiumId),
    });
  }

  @FieldResolver(() => SampleQualityConnection, { description: "Likely label errors, highest score first, with the suggested label." })
  async labelErrors(@Root() r: DataQualityReport, @Args(() => LabelErrorsArgs) args: LabelErrorsArgs, @Ctx() ctx: Context) {
    const consortiumId = (await consortiumOfVersion(ctx, r.datasetVersionId)) ?? undefined;
    return paginate({
      args,
      where: { reportId: r.dbId, ...(args.issuesOnly !== false ? { labelIssue: true } : {}) },
      order: [
        ["labelErrorScore", "desc"],
        ["sampleId", "asc"],
      ],
      findMany: (q) => ctx.prisma.dataQualitySample.findMany({ ...q, include: { sample: true } }),
      count: (w) => ctx.prisma.dataQualitySample.count({ where: w }),
      map: qualityOf(r, consortiumId),
    });
  }

  @FieldResolver(() => SampleQuality, { nullable: true, description: "One sample's findings in this report (null when it is not in the version)." })
  async sample(@Root() r: DataQualityReport, @Arg("sampleId", () => ID) sampleId: string, @Ctx() ctx: Context) {
    const id = decodeIdOrNull(sampleId, "Sample");
    if (id === null) return null;
    const row = await ctx.prisma.dataQualitySample.findUnique({ where: { reportId_sampleId: { reportId: r.dbId, sampleId: id } }, include: { sample: true } });
    return row ? qualityOf(r, (await consortiumOfVersion(ctx, r.datasetVersionId)) ?? undefined)(row) : null;
  }

  @Mutation(() => DataQualityStartPayload, {
    description: "Starts a data-quality pass (QUALITY job): duplicates (exact, near; across sites, versions, labels), outliers per class, likely label errors. CURATOR.",
  })
  @Authorized()
  dataQualityStart(@InputArg(() => DataQualityStartInput) input: DataQualityStartInput, @Ctx() ctx: Context) {
    return mutate(DataQualityStartPayload, input, () => startDataQuality(ctx, input));
  }
}


@Resolver(() => DuplicateSet)
export class DuplicateSetResolver {
  @FieldResolver(() => [DuplicateMember], { description: "The members, this version's first, then by sample." })
  async members(@Root() s: DuplicateSet, @Ctx() ctx: Context) {
    const report = setReport.get(s);
    const rows = await ctx.prisma.dataQualityDuplicateMember.findMany({ where: { setId: s.dbId }, include: { sample: true }, orderBy: { sampleId: "asc" } });
    const own = report?.datasetVersionId;
    const consortiumId = own !== undefined ? ((await consortiumOfVersion(ctx, own)) ?? undefined) : undefined;
    return rows
      .map((m) =>
        Object.assign(new DuplicateMember(), {
          sample: Sample.from(m.sample, consortiumId),
          versionId: toGlobalId("DatasetVersion", m.versionId),
          versionDbId: m.versionId,
          inVersion: m.versionId === own,
        }),
      )
      .sort((a, b) => Number(b.inVersion) - Number(a.inVersion));
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: "For a cross-split set: the first other version its members are in." })
  async otherVersion(@Root() s: DuplicateSet, @Ctx() ctx: Context) {
    const report = setReport.get(s);
    if (!s.crossSplit || !report) return null;
    const m = await ctx.prisma.dataQualityDuplicateMember.findFirst({ where: { setId: s.dbId, versionId: { not: report.datasetVersionId } }, orderBy: { versionId: "asc" } });
    return m ? visibleVersion(ctx, m.versionId) : null;
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionDataQualityResolver {
  @FieldResolver(() => DataQualityReportConnection, { description: "Data-quality reports of this version, newest first." })
  dataQuality(@Root() version: DatasetVersion, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { datasetVersionId: version.dbId },
      order: [
        ["createdAt", "desc"],
        ["id", "desc"],
      ],
      findMany: (q) => ctx.prisma.dataQualityReport.findMany(q),
      count: (w) => ctx.prisma.dataQualityReport.count({ where: w }),
      map: DataQualityReport.from,
    });
  }

  @FieldResolver(() => DataQualityReport, { nullable: true, description: "The newest SUCCEEDED data-quality report of this version (optionally of one embedding set)." })
  async latestDataQuality(@Root() version: DatasetVersion, @Arg("embeddingSetId", () => ID, { nullable: true }) embeddingSetId: string | null, @Ctx() ctx: Context) {
    const setId = embeddingSetId ? decodeIdOrNull(embeddingSetId, "EmbeddingSet") : null;
    if (embeddingSetId && setId === null) return null;
    const row = await ctx.prisma.dataQualityReport.findFirst({
      where: { datasetVersionId: version.dbId, status: "SUCCEEDED", ...(setId !== null ? { embeddingSetId: setId } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    return row ? DataQualityReport.from(row) : null;
  }
}

@Resolver(() => Job)
export class JobDataQualityResolver {
  @FieldResolver(() => DataQualityReport, { nullable: true, description: "The data-quality report this job computes (QUALITY)." })
  async dataQuality(@Root() job: Job, @Ctx() ctx: Context) {
    if (job.kind !== "QUALITY") return null;
    // batched per page of jobs (Consortium.jobs), like the other Job links
    const loader = ctx.loader("dataQualityByJob", () =>
      new DataLoader<number, ReportRow | null>(async (jobIds) => {
        const rows = await ctx.prisma.dataQualityReport.findMany({ where: { jobId: { in: [...jobIds] } } });
        const byJob = new Map(rows.map((r) => [r.jobId, r]));
        return jobIds.map((id) => byJob.get(id) ?? null);
      }),
    );
    const row = await loader.load(job.dbId);
    return row ? DataQualityReport.from(row) : null;
  }
}

