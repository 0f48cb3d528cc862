import { Field, Int, ObjectType } from "type-graphql";
import { Connection } from "../../graphql/connection.js";

@ObjectType({ description: "One row of a run's manifest, for orchestrators: what to annotate or train on." })
export class ManifestEntry {
  @Field(() => Int, { description: "Rank in the run." })
  rank!: number;

  @Field(() => String, { description: "The sample's external id (stable across versions)." })
  id!: string;

  @Field(() => String, { nullable: true, description: "Where the image is; null for site-scoped members outside its site, or when unknown." })
  uri!: string | null;

  @Field(() => String)
  label!: string;

  @Field(() => String, { nullable: true, description: "sha256 of the image bytes, when known." })
  sha256!: string | null;
}

@ObjectType({ description: "A page of manifest rows." })
export class ManifestEntryConnection extends Connection(ManifestEntry) {}
