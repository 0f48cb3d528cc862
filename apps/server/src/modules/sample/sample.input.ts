import { ArrayMaxSize, IsOptional, Length, MaxLength, ValidateNested } from "class-validator";
import { Field, ID, InputType } from "type-graphql";

@InputType({ description: "Matches samples whose metadata[key] equals value (compared as text, or as a number when value is numeric)." })
export class MetadataFilter {
  @Field(() => String, { description: "Metadata column." })
  @Length(1, 200)
  key!: string;

  @Field(() => String, { description: "Value to match." })
  @MaxLength(1000)
  value!: string;
}

@InputType({ description: "Narrows a sample list. All given conditions must hold." })
export class SampleFilter {
  @Field(() => String, { nullable: true, description: "Exactly this label." })
  @IsOptional()
  @MaxLength(500)
  label?: string | null;

  @Field(() => [String], { nullable: true, description: "Any of these labels." })
  @IsOptional()
  @ArrayMaxSize(100)
  labels?: string[] | null;

  @Field(() => ID, { nullable: true, description: "Only samples of this site." })
  @IsOptional()
  siteId?: string | null;

  @Field(() => String, { nullable: true, description: "Only the sample with this external id." })
  @IsOptional()
  @MaxLength(500)
  externalId?: string | null;

  @Field(() => [MetadataFilter], { nullable: true, description: "Metadata equalities." })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  metadata?: MetadataFilter[] | null;

  @Field(() => ID, { nullable: true, description: "Only members of this confounder group." })
  @IsOptional()
  groupId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only samples selected by this selection run." })
  @IsOptional()
  selectionRunId?: string | null;
}
