import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { IsOptional, Length, MaxLength } from "class-validator";
import { Payload } from "../../graphql/mutation.js";
import { Dataset } from "./dataset.type.js";
import { DatasetVersion } from "../dataset-version/dataset-version.type.js";
import { Job } from "../job/job.type.js";

const NAME = "1–200 characters";

@InputType({ description: "A new, empty dataset in a project (CURATOR). datasetImport also creates datasets." })
export class DatasetCreateInput {
  @Field(() => ID, { description: "The project." })
  projectId!: string;

  @Field(() => String, { description: `Name, unique in the project (${NAME}).` })
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true, description: "Free text." })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;
}

@ObjectType({ description: "Result of datasetCreate." })
export class DatasetCreatePayload extends Payload {
  @Field(() => Dataset, { nullable: true, description: "The new dataset." })
  dataset!: Dataset | null;
}

@InputType({ description: "Changes to a dataset (CURATOR)." })
export class DatasetUpdateInput {
  @Field(() => ID, { description: "The dataset." })
  datasetId!: string;

  @Field(() => String, { nullable: true, description: "New description." })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;
}

@ObjectType({ description: "Result of datasetUpdate." })
export class DatasetUpdatePayload extends Payload {
  @Field(() => Dataset, { nullable: true, description: "The updated dataset." })
  dataset!: Dataset | null;
}

@InputType({
  description:
    "Imports a manifest (CSV or JSONL; columns id, label, optional uri/path, site, sha256, the rest metadata) and optional embeddings (.npy float32, CSV or Parquet; row i = manifest row i), uploaded first with POST /uploads. CURATOR.",
})
export class DatasetImportInput {
  @Field(() => ID, { description: "The project." })
  projectId!: string;

  @Field(() => String, { description: "Dataset name in the project; created on first import." })
  @Length(1, 200)
  datasetName!: string;

  @Field(() => String, { description: "Upload id of the manifest (its filename's extension picks the format)." })
  @Length(1, 100)
  manifestUploadId!: string;

  @Field(() => String, { nullable: true, description: "Upload id of the embeddings file." })
  @IsOptional()
  @Length(1, 100)
  embeddingsUploadId?: string | null;

  @Field(() => String, { nullable: true, description: "Name of the model the embeddings came from (required with embeddings)." })
  @IsOptional()
  @Length(1, 200)
  modelName?: string | null;

  @Field(() => String, { nullable: true, description: "What this version is (default: \"import <file>\")." })
  @IsOptional()
  @MaxLength(2000)
  message?: string | null;

  @Field(() => String, { nullable: true, description: "Id column (default \"id\")." })
  @IsOptional()
  @Length(1, 200)
  idColumn?: string | null;

  @Field(() => String, { nullable: true, description: "Label column (default \"label\")." })
  @IsOptional()
  @Length(1, 200)
  labelColumn?: string | null;

  @Field(() => String, { nullable: true, description: "URI column (default \"uri\", else \"path\")." })
  @IsOptional()
  @Length(1, 200)
  uriColumn?: string | null;

  @Field(() => String, { nullable: true, description: "Site column (default \"site\"); sites are matched by code. Unknown codes are created by an OWNER's import and refused (FORBIDDEN, naming the row) for other roles." })
  @IsOptional()
  @Length(1, 200)
  siteColumn?: string | null;
}

@ObjectType({ description: "Result of datasetImportStart." })
export class DatasetImportStartPayload extends Payload {
  @Field(() => Job, {
    nullable: true,
    description: "The IMPORT job; follow it with jobProgress. Its result holds dataset, version, created, diff and summary.",
  })
  job!: Job | null;
}

@ObjectType({ description: "Sample counts of a version against its parent." })
export class ImportDiffCounts {
  @Field(() => Int, { description: "Samples only in the new version." })
  added!: number;
  @Field(() => Int, { description: "Samples only in the parent." })
  removed!: number;
  @Field(() => Int, { description: "Samples in both with different content." })
  changed!: number;
  @Field(() => Int, { description: "Samples in both, identical." })
  unchanged!: number;
}

@ObjectType({ description: "Result of datasetImport." })
export class DatasetImportPayload extends Payload {
  @Field(() => Dataset, { nullable: true, description: "The dataset imported into." })
  dataset!: Dataset | null;

  @Field(() => DatasetVersion, {
    nullable: true,
    description: "The new version, or the existing latest one when the content did not change.",
  })
  version!: DatasetVersion | null;

  @Field(() => Boolean, { nullable: true, description: "False when the content equals the latest version's (no new version)." })
  created!: boolean | null;

  @Field(() => ImportDiffCounts, { nullable: true, description: "What changed against the parent version." })
  diff!: ImportDiffCounts | null;

  @Field(() => String, { nullable: true, description: "One line for people: what happened." })
  summary!: string | null;
}
