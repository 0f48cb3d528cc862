import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Connection } from "../../graphql/connection.js";
import { DatasetVersion } from "./dataset-version.type.js";

export enum DiffKind {
  ADDED = "added",
  REMOVED = "removed",
  CHANGED = "changed",
}
registerEnumType(DiffKind, {
  name: "DiffKind",
  description: "How a sample differs between two versions (matched by externalId).",
  valuesConfig: {
    ADDED: { description: "Only in the newer version." },
    REMOVED: { description: "Only in the older version." },
    CHANGED: { description: "In both, with different content." },
  },
});

@ObjectType({ description: "One sample that differs between two versions." })
export class VersionDiffItem {
  @Field(() => DiffKind, { description: "Added, removed or changed." })
  kind!: DiffKind;

  @Field(() => String, { description: "The sample's stable external id." })
  externalId!: string;

  beforeId!: number | null;
  afterId!: number | null;
  consortiumId!: number;
}

@ObjectType({ description: "A page of differing samples, in externalId order." })
export class VersionDiffItemConnection extends Connection(VersionDiffItem) {}

@ObjectType({ description: "What changed from one version (`from`) to another (`to`)." })
export class VersionDiff {
  @Field(() => DatasetVersion, { nullable: true, description: "The older side; null = compared with nothing." })
  from!: DatasetVersion | null;

  @Field(() => DatasetVersion, { description: "The newer side." })
  to!: DatasetVersion;

  @Field(() => Int, { description: "Samples only in `to`." })
  added!: number;

  @Field(() => Int, { description: "Samples only in `from`." })
  removed!: number;

  @Field(() => Int, { description: "Samples in both with different content." })
  changed!: number;

  @Field(() => Int, { description: "Samples in both, identical." })
  unchanged!: number;

  fromId!: number | null;
  toId!: number;
  consortiumId!: number;
}

@ObjectType({ description: "How many samples carry a label." })
export class LabelCount {
  @Field(() => String, { description: "The label." })
  label!: string;

  @Field(() => Int, { description: "Samples with it." })
  count!: number;
}
