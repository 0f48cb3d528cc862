// Composition types. Per-level figures are parallel lists of scalars aligned with the column's `levels`
// (not a list of objects per class): the query-cost limit prices every nested object list at ×50, and
// column → class → level objects would cost more than a whole page may.
import { Field, Float, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "One class of a column's composition; the lists are aligned with ColumnComposition.levels." })
export class ClassComposition {
  @Field(() => String)
  label!: string;

  @Field(() => Int, { description: "Pool samples of the class (the version's embedded samples)." })
  poolCount!: number;

  @Field(() => Int, { description: "Selected samples of the class." })
  selectionCount!: number;

  @Field(() => Float, { description: "Share of the class's most common known level in the selection (1/levels is perfect balance)." })
  largestShare!: number;

  @Field(() => Float, { description: "The same in the pool." })
  poolLargestShare!: number;

  @Field(() => [Int], { description: "Pool samples of the class per level." })
  poolCounts!: number[];

  @Field(() => [Float], { description: "poolCounts over poolCount (missing values included: a class's shares sum to 1)." })
  poolShares!: number[];

  @Field(() => [Int], { description: "Selected samples of the class per level." })
  selectionCounts!: number[];

  @Field(() => [Float], { description: "selectionCounts over selectionCount." })
  selectionShares!: number[];
}

@ObjectType({
  description:
    "A metadata column's mix per class, pool beside selection, with Cramér's V between label and the column (Bergsma's bias-corrected, over samples with a value): what the selection does to the confounding.",
})
export class ColumnComposition {
  @Field(() => String, { description: '"site" is the sample\'s site (or a manifest column of that name); others are manifest metadata columns.' })
  column!: string;

  @Field(() => Boolean, { description: "The run's analysis (or the version's latest) found the column associated with its groups in some class (Cramér's V ≥ 0.2, p ≤ 0.01)." })
  associated!: boolean;

  @Field(() => Boolean, { description: "The run declared the column a known confounder (params.declared)." })
  declared!: boolean;

  @Field(() => Float, { description: "Cramér's V of label × column inside the selection (0: the column says nothing about the label)." })
  cramersV!: number;

  @Field(() => Float, { description: "The same in the pool, for reference." })
  poolCramersV!: number;

  @Field(() => [String], { nullable: "items", description: "The column's levels, sorted; null (last) stands for samples with no value." })
  levels!: (string | null)[];

  @Field(() => [ClassComposition])
  classes!: ClassComposition[];
}

@ObjectType({
  description:
    "A metadata column's mix per class: the pool and each compared run. Matrices are lists of scalars (class × level, run × class × level) aligned with `labels` and `levels`: compareRuns' cost is multiplied by its ids, and a list of class objects per column would not fit four runs in one page's cost.",
})
export class ComparedColumnComposition {
  @Field(() => String)
  column!: string;

  @Field(() => Boolean, { description: "Associated in any run's analysis." })
  associated!: boolean;

  @Field(() => [Boolean], { description: "Whether each run declared the column (in the order of RunComparison.runs)." })
  declared!: boolean[];

  @Field(() => Float)
  poolCramersV!: number;

  @Field(() => [Float], { description: "Cramér's V of label × column in each run's selection." })
  cramersV!: number[];

  @Field(() => [String], { description: "The classes, sorted." })
  labels!: string[];

  @Field(() => [String], { nullable: "items", description: "Levels, sorted; null (last) for no value." })
  levels!: (string | null)[];

  @Field(() => [Int], { description: "Pool samples per class." })
  poolTotals!: number[];

  @Field(() => [[Int]], { description: "Pool samples per class × level." })
  poolCounts!: number[][];

  @Field(() => [Float], { description: "Largest known level's share in the pool, per class." })
  poolLargestShares!: number[];

  @Field(() => [[Int]], { description: "Selected samples per run × class." })
  selectionTotals!: number[][];

  @Field(() => [[[Int]]], { description: "Selected samples per run × class × level (shares: over the run's class total)." })
  selectionCounts!: number[][][];

  @Field(() => [[Float]], { description: "Largest known level's share per run × class." })
  largestShares!: number[][];
}
