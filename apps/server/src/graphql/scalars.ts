// Scalars used across the schema. DateTime is ISO-8601; JSON carries free-form metadata and parameters;
// Seed carries the engine's seed range.
import { SEED_MAX, SEED_MIN, isSeed } from "@stratum/engine";
import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from "graphql";

export { GraphQLDateTimeISO as DateTimeScalar, GraphQLJSON as JSONScalar, GraphQLJSONObject as JSONObjectScalar } from "graphql-scalars";

function badSeed(got: string): GraphQLError {
  return new GraphQLError(`Seed: expected an integer in ${SEED_MIN}..${SEED_MAX}, got ${got}`, { extensions: { code: "BAD_USER_INPUT", field: "seed" } });
}

/**
 * Seed: the engine's seed range (SEED_MIN..SEED_MAX = 0..2^32−1) as its own scalar. GraphQL's Int is
 * signed 32-bit, so seeds ≥ 2^31 (valid in the engine and the CLI) could not be sent; Float would
 * take them but also 1.5 and 1e300. On the wire it is a JSON number (exact up to 2^53); a value out of
 * range or not an integer is refused before any resolver runs (BAD_USER_INPUT naming the scalar).
 */
export const SeedScalar = new GraphQLScalarType<number, number>({
  name: "Seed",
  description: `An integer in ${SEED_MIN}..${SEED_MAX} (a uint32): the seed of every random choice.`,
  serialize(value) {
    const n = typeof value === "bigint" || typeof value === "string" ? Number(value) : value;
    if (!isSeed(n)) throw badSeed(JSON.stringify(String(value)));
    return n;
  },
  parseValue(value) {
    if (!isSeed(value)) throw badSeed(JSON.stringify(value));
    return value;
  },
  parseLiteral(ast: ValueNode) {
    const n = ast.kind === Kind.INT ? Number(ast.value) : NaN;
    if (!isSeed(n)) throw badSeed(print(ast));
    return n;
  },
});
