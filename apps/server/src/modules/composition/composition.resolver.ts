import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type * as engine from "@stratum/engine";
import type { Context } from "../../context.js";
import { RunComparison, SelectionRun } from "../run/run.type.js";
import { ClassComposition, ColumnComposition, ComparedColumnComposition } from "./composition.type.js";
import { composeRuns } from "./composition.service.js";

function classesOf(pool: engine.Composition, sel: engine.Composition): ClassComposition[] {
  return pool.classes.map((pc) => {
    const sc = sel.classes.find((c) => c.label === pc.label)!;
    return Object.assign(new ClassComposition(), {
      label: pc.label,
      poolCount: pc.total,
      selectionCount: sc.total,
      largestShare: sc.largestShare,
      poolLargestShare: pc.largestShare,
      poolCounts: pc.levels.map((l) => l.count),
      poolShares: pc.levels.map((l) => l.share),
      selectionCounts: sc.levels.map((l) => l.count),
      selectionShares: sc.levels.map((l) => l.share),
    });
  });
}

/** Levels of a composition (every class carries all of them, in the same order). */
const levelsOf = (c: engine.Composition) => c.classes[0]?.levels.map((l) => l.level) ?? [];

@Resolver(() => SelectionRun)
export class RunCompositionResolver {
  @FieldResolver(() => [ColumnComposition], {
    description:
      "Per metadata column the run's analysis found associated, each declared column and site: each class's level shares in the pool (the embedded samples) and in this selection, the largest share and Cramér's V. Empty until the run SUCCEEDED. Aggregates only, shown in full to site-scoped members as the allocation is.",
  })
  async composition(@Root() run: SelectionRun, @Ctx() ctx: Context): Promise<ColumnComposition[]> {
    if (run.status !== "SUCCEEDED") return [];
    const cols = await composeRuns(ctx.app.store.sql, [run]);
    return cols.map((c) =>
      Object.assign(new ColumnComposition(), {
        column: c.column,
        associated: c.associated,
        declared: c.declared[0]!,
        cramersV: c.selections[0]!.cramersV,
        poolCramersV: c.pool.cramersV,
        levels: levelsOf(c.pool),
        classes: classesOf(c.pool, c.selections[0]!),
      }),
    );
  }
}

@Resolver(() => RunComparison)
export class ComparisonCompositionResolver {
  @FieldResolver(() => [ComparedColumnComposition], {
    description: "The composition of every run on the same columns (the union of theirs): per class the pool's level shares and each run's.",
  })
  async composition(@Root() c: RunComparison, @Ctx() ctx: Context): Promise<ComparedColumnComposition[]> {
    const runs = c.runs.filter((r) => r.status === "SUCCEEDED");
    if (runs.length !== c.runs.length) return [];
    const cols = await composeRuns(ctx.app.store.sql, runs);
    return cols.map((col) =>
      Object.assign(new ComparedColumnComposition(), {
        column: col.column,
        associated: col.associated,
        declared: col.declared,
        poolCramersV: col.pool.cramersV,
        cramersV: col.selections.map((s) => s.cramersV),
        labels: col.pool.classes.map((c) => c.label),
        levels: levelsOf(col.pool),
        poolTotals: col.pool.classes.map((c) => c.total),
        poolCounts: col.pool.classes.map((c) => c.levels.map((l) => l.count)),
        poolLargestShares: col.pool.classes.map((c) => c.largestShare),
        // engine.composition lays every selection on the pool's classes and levels (same order)
        selectionTotals: col.selections.map((s) => s.classes.map((c) => c.total)),
        selectionCounts: col.selections.map((s) => s.classes.map((c) => c.levels.map((l) => l.count))),
        largestShares: col.selections.map((s) => s.classes.map((c) => c.largestShare)),
      }),
    );
  }
}
