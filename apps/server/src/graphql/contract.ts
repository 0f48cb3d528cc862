// The selection contract's closed sets as GraphQL enums, registered from the engine's lists (its one
// declaration): a value added to the engine is in the schema at the next build, and the web's
// generated types follow. GraphQL names cannot hold "-", so each value's name is its engine name in
// upper snake case (confounder-aware → CONFOUNDER_AWARE); resolvers and services see the engine's
// own strings (the enum's internal values), so nothing maps them by hand.
import { registerEnumType } from "type-graphql";
import * as engine from "@stratum/engine";

/** `["own-group", "exclude"]` → `{ OWN_GROUP: "own-group", EXCLUDE: "exclude" }`. */
export function enumOf<T extends string>(values: readonly T[]): Readonly<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const v of values) out[v.toUpperCase().replace(/-/g, "_")] = v;
  return Object.freeze(out);
}

export const StrategyEnum = enumOf(engine.STRATEGIES);
export const AllocationEnum = enumOf(engine.ALLOCATIONS);
export const WithinGroupEnum = enumOf(engine.WITHIN_GROUP);
export const NoiseHandlingEnum = enumOf(engine.NOISE_HANDLING);
export const KernelEnum = enumOf(engine.KERNELS);
export const ReduceMethodEnum = enumOf(engine.REDUCE_METHODS);

registerEnumType(StrategyEnum, { name: "Strategy", description: "A selection strategy (engine `STRATEGIES`)." });
registerEnumType(AllocationEnum, { name: "Allocation", description: "confounder-aware: how each class's budget is shared across its groups (engine `ALLOCATIONS`)." });
registerEnumType(WithinGroupEnum, { name: "WithinGroup", description: "confounder-aware: how rows are picked inside a group (engine `WITHIN_GROUP`)." });
registerEnumType(NoiseHandlingEnum, { name: "NoiseHandling", description: "confounder-aware: what noise points are (engine `NOISE_HANDLING`)." });
registerEnumType(KernelEnum, { name: "Kernel", description: "facility-location: the similarity kernel (engine `KERNELS`)." });
registerEnumType(ReduceMethodEnum, { name: "ReduceMethod", description: "The analysis' 2-D reduction (engine `REDUCE_METHODS`)." });
