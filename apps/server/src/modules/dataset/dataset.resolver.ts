import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Dataset as DatasetRow, DatasetVersion as DatasetVersionRow } from "@stratum/db";
import type { Context } from "../../context.js";
import { byKey } from "../../graphql/loaders.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { Project } from "../project/project.type.js";
import { visibleProject } from "../project/project.service.js";
import { DatasetVersion, DatasetVersionConnection } from "../dataset-version/dataset-version.type.js";
import { Dataset, DatasetConnection } from "./dataset.type.js";
import {
  DatasetCreateInput,
  DatasetCreatePayload,
  DatasetImportInput,
  DatasetImportPayload,
  DatasetImportStartPayload,
  DatasetUpdateInput,
  DatasetUpdatePayload,
} from "./dataset.input.js";
import { createDataset, importIntoDataset, startImport, updateDataset, visibleDataset } from "./dataset.service.js";

registerNode("Dataset", visibleDataset);

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => Dataset, { nullable: true, description: "A dataset you can see; null otherwise." })
  dataset(@Arg("id", () => ID, { description: "Global ID of a Dataset." }) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "Dataset");
    return dbId === null ? null : visibleDataset(ctx, dbId);
  }

  @FieldResolver(() => Project, { description: "The project the dataset belongs to." })
  project(@Root() dataset: Dataset, @Ctx() ctx: Context) {
    return visibleProject(ctx, dataset.projectId);
  }

  @FieldResolver(() => DatasetVersionConnection, { description: "The dataset's versions, newest first." })
  versions(@Root() dataset: Dataset, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { datasetId: dataset.dbId },
      order: [
        ["number", "desc"],
        ["id", "desc"],
      ],
      findMany: (q) => ctx.prisma.datasetVersion.findMany(q),
      count: (w) => ctx.prisma.datasetVersion.count({ where: w }),
      map: DatasetVersion.from,
    });
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: "The newest version; null before the first import." })
  async latestVersion(@Root() dataset: Dataset, @Ctx() ctx: Context) {
    const latest = await ctx.loaders.latestVersion.load(dataset.dbId);
    if (!latest) return null;
    const row = await ctx.loaders.datasetVersion.load(latest.id);
    return row ? DatasetVersion.from(row) : null;
  }

  @FieldResolver(() => Int, { description: "How many versions the dataset has." })
  versionCount(@Root() dataset: Dataset, @Ctx() ctx: Context) {
    return ctx.loaders.versionCount.load(dataset.dbId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: "The version with this number, if any." })
  async version(@Root() dataset: Dataset, @Arg("number", () => Int, { description: "Version number (1, 2, …)." }) number: number, @Ctx() ctx: Context) {
    const loader = ctx.loader("versionByNumber", () =>
      byKey<{ datasetId: number; number: number }, DatasetVersionRow>(
        (keys) => ctx.prisma.datasetVersion.findMany({ where: { OR: keys.map((k) => ({ datasetId: k.datasetId, number: k.number })) } }),
        (v) => ({ datasetId: v.datasetId, number: v.number }),
        (k) => `${k.datasetId}:${k.number}`,
      ),
    );
    const row = await loader.load({ datasetId: dataset.dbId, number });
    return row ? DatasetVersion.from(row) : null;
  }

  @Mutation(() => DatasetCreatePayload, { description: "Creates an empty dataset. CURATOR." })
  @Authorized()
  datasetCreate(@InputArg(() => DatasetCreateInput) input: DatasetCreateInput, @Ctx() ctx: Context) {
    return mutate(DatasetCreatePayload, input, async () => ({ dataset: await createDataset(ctx, input) }));
  }

  @Mutation(() => DatasetUpdatePayload, { description: "Re-describes a dataset. CURATOR." })
  @Authorized()
  datasetUpdate(@InputArg(() => DatasetUpdateInput) input: DatasetUpdateInput, @Ctx() ctx: Context) {
    return mutate(DatasetUpdatePayload, input, async () => ({ dataset: await updateDataset(ctx, input) }));
  }

  @Mutation(() => DatasetImportPayload, {
    description:
      "Imports uploaded files as a new dataset version (one transaction; the same content again creates no version). Bad files answer BAD_FILE naming the row and column. CURATOR.",
  })
  @Authorized()
  datasetImport(@InputArg(() => DatasetImportInput) input: DatasetImportInput, @Ctx() ctx: Context) {
    return mutate(DatasetImportPayload, input, () => importIntoDataset(ctx, input));
  }

  @Mutation(() => DatasetImportStartPayload, {
    description:
      "Starts the same import as datasetImport as a durable IMPORT job with live progress (jobProgress), for files too large to import within one request. The caller and the uploads are checked now; bad files fail the job with BAD_FILE naming the row and column, writing nothing. CURATOR.",
  })
  @Authorized()
  datasetImportStart(@InputArg(() => DatasetImportInput) input: DatasetImportInput, @Ctx() ctx: Context) {
    return mutate(DatasetImportStartPayload, input, async () => ({ job: await startImport(ctx, input) }));
  }
}

@Resolver(() => Project)
export class ProjectDatasetsResolver {
  @FieldResolver(() => DatasetConnection, { description: "The project's datasets, by name." })
  datasets(@Root() project: Project, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { projectId: project.dbId },
      order: [
        ["name", "asc"],
        ["id", "asc"],
      ],
      findMany: (q) => ctx.prisma.dataset.findMany(q),
      count: (w) => ctx.prisma.dataset.count({ where: w }),
      map: Dataset.from,
    });
  }

  @FieldResolver(() => Dataset, { nullable: true, description: "The dataset with this name, if any." })
  async dataset(@Root() project: Project, @Arg("name", () => String, { description: "Dataset name." }) name: string, @Ctx() ctx: Context) {
    const loader = ctx.loader("datasetByName", () =>
      byKey<{ projectId: number; name: string }, DatasetRow>(
        (keys) => ctx.prisma.dataset.findMany({ where: { OR: keys.map((k) => ({ projectId: k.projectId, name: k.name })) } }),
        (d) => ({ projectId: d.projectId, name: d.name }),
        (k) => JSON.stringify([k.projectId, k.name]),
      ),
    );
    const row = await loader.load({ projectId: project.dbId, name });
    return row ? Dataset.from(row) : null;
  }
}
