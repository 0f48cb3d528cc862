// The selection contract's closed sets as GraphQL enums, registered from the engine's lists (its one
// declaration): a value added to the engine is in the schema at the next build, and the web's
// generated types follow. GraphQL names cannot hold "-", so each value's name is its engine name in
// upper snake case (confounder-aware → CONFOUNDER_AWARE); resolvers and services see the engine's
// own strings (the enum's internal values), so nothing maps them by hand.
import { ArrayMaxSize, IsInt, IsNumber, IsOptional, IsPositive, IsString, Length, Max, Min, MinLength, NotEquals } from "class-validator";
import type { GraphQLScalarType } from "graphql";
import { Field, Float, Int, registerEnumType } from "type-graphql";
import { SeedScalar } from "./scalars.js";
import * as engine from "@stratum/engine";

/** `["own-group", "exclude"]` → `{ OWN_GROUP: "own-group", EXCLUDE: "exclude" }`. */
export function enumOf<T extends string>(values: readonly T[]): Readonly<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const v of values) out[enumName(v)] = v;
  return Object.freeze(out);
}

export const StrategyEnum = enumOf(engine.STRATEGIES);
export const AllocationEnum = enumOf(engine.ALLOCATIONS);
export const WithinGroupEnum = enumOf(engine.WITHIN_GROUP);
export const NoiseHandlingEnum = enumOf(engine.NOISE_HANDLING);
export const KernelEnum = enumOf(engine.KERNELS);
export const ReduceMethodEnum = enumOf(engine.REDUCE_METHODS);

/** Engine list → its GraphQL enum (graphqlTypeOf). */
const ENUMS = new Map<readonly string[], object>([
  [engine.STRATEGIES, StrategyEnum],
  [engine.ALLOCATIONS, AllocationEnum],
  [engine.WITHIN_GROUP, WithinGroupEnum],
  [engine.NOISE_HANDLING, NoiseHandlingEnum],
  [engine.KERNELS, KernelEnum],
  [engine.REDUCE_METHODS, ReduceMethodEnum],
]);

registerEnumType(StrategyEnum, { name: "Strategy", description: "A selection strategy (engine `STRATEGIES`)." });
registerEnumType(AllocationEnum, { name: "Allocation", description: "confounder-aware: how each class's budget is shared across its groups (engine `ALLOCATIONS`)." });
registerEnumType(WithinGroupEnum, { name: "WithinGroup", description: "confounder-aware: how rows are picked inside a group (engine `WITHIN_GROUP`)." });
registerEnumType(NoiseHandlingEnum, { name: "NoiseHandling", description: "confounder-aware: what noise points are (engine `NOISE_HANDLING`)." });
registerEnumType(KernelEnum, { name: "Kernel", description: "facility-location: the similarity kernel (engine `KERNELS`)." });
registerEnumType(ReduceMethodEnum, { name: "ReduceMethod", description: "The analysis' 2-D reduction (engine `REDUCE_METHODS`)." });

/**
 * The GraphQL field for one declared parameter (engine `SELECT_PARAMS` / `ANALYZE_PARAMS` /
 * `RUN_FIELDS`): its description (the declaration's, its range and default, then `note` for what only
 * the API checks) and its class-validator checks from the declared range, so no bound is typed here.
 * Non-null when the declaration says `required` (or opts.required).
 * Enum and seed fields keep their own GraphQL types (the enums above, the Seed scalar), which check
 * the value when the request is parsed; this adds the description.
 */
export function ParamField(spec: engine.ParamSpec, opts: { note?: string; type?: () => GraphQLScalarType | object | [object]; required?: boolean } = {}): PropertyDecorator {
  const facts: string[] = [];
  // GraphQL sends neither "auto" nor a meaningful null here: an omitted field is the default
  if (spec.type === "int" || spec.type === "number") facts.push(engine.describeRange(spec.type === "number" ? { ...spec, auto: false, nullable: false } : spec));
  if (spec.type === "list") facts.push(`at most ${spec.maxItems}`);
  if (spec.type === "string" && spec.maxLength !== undefined) facts.push(`at most ${spec.maxLength} characters`);
  if ("default" in spec && spec.default !== undefined) facts.push(`default ${spec.type === "enum" ? enumName(spec.default) : String(spec.default)}`);
  const description = `${spec.description.replace(/\.$/, "")}${facts.length ? ` (${facts.join("; ")})` : ""}.${opts.note ? ` ${opts.note}` : ""}`;
  const required = opts.required ?? spec.required === true;
  const type = opts.type ?? (spec.type === "int" ? () => Int : spec.type === "number" ? () => Float : spec.type === "boolean" ? () => Boolean : spec.type === "list" ? () => [String] : () => String);
  const decorators: PropertyDecorator[] = [Field(type, { nullable: !required, description })];
  if (!required) decorators.push(IsOptional());
  if (spec.type === "int" || spec.type === "number") {
    decorators.push(spec.type === "int" ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false }));
    if (spec.type === "number" && spec.minExclusive) decorators.push(...(spec.min === 0 ? [IsPositive()] : [Min(spec.min), NotEquals(spec.min)]));
    else decorators.push(Min(spec.min));
    if (spec.max !== undefined) decorators.push(Max(spec.max));
  }
  if (spec.type === "string" && spec.maxLength !== undefined) decorators.push(Length(0, spec.maxLength));
  // a list of non-empty names (the engine also refuses duplicates, naming the field)
  if (spec.type === "list") decorators.push(ArrayMaxSize(spec.maxItems), IsString({ each: true }), MinLength(1, { each: true }));
  return (target, key) => {
    for (const d of decorators) d(target, key);
  };
}

/**
 * The GraphQL type of a declared parameter that is not a plain Int/Float/Boolean/String: a closed set
 * is its registered enum (found by the engine list it was made from), the seed is the Seed scalar.
 */
export function graphqlTypeOf(spec: engine.ParamSpec): (() => GraphQLScalarType | object) | undefined {
  if (spec.type === "enum") {
    const found = ENUMS.get(spec.values);
    if (!found) throw new Error(`no GraphQL enum registered for ${spec.values.join(" | ")}`);
    return () => found;
  }
  if (spec.code === engine.SELECT_PARAMS.seed.code) return () => SeedScalar;
  return undefined;
}

/** "facility-location" → "FACILITY_LOCATION", the enum value's GraphQL name. */
function enumName(value: string): string {
  return value.toUpperCase().replace(/-/g, "_");
}
