// Argument validation for queries and subscriptions (TypeGraphQL's `validateFn`). It checks an argument
// object with its class-validator decorators, as TypeGraphQL's built-in validation does, but skips
// classes that declare no constraint: the built-in one ran the validator on every args object of every
// request (ConnectionArgs on every list field), a few per cent of a cached list query's CPU.
// Mutation inputs (InputArg) opt out: mutate() validates them and reports failures in the payload.
import { getMetadataStorage, validate, type ValidatorOptions } from "class-validator";
import { GraphQLError } from "graphql";
import { ArgumentValidationError } from "type-graphql";

/**
 * The path of the first string holding a NUL character (U+0000) in an argument or input, or null.
 * PostgreSQL cannot store NUL in text or jsonb, so such input would end as a database fault; every
 * query argument (here) and every mutation input (mutate()) is refused up front instead.
 */
export function nulPath(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (value === null || typeof value !== "object" || depth > 32) return null;
  if (value instanceof Date || ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = nulPath(key, [...path, key], depth + 1) ?? nulPath(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

export const NUL_MESSAGE = "NUL characters (U+0000) are not allowed in text";

const OPTIONS: ValidatorOptions = { forbidUnknownValues: false, skipMissingProperties: true, validationError: { target: false } };

const constrained = new WeakMap<object, boolean>();

/** Whether class-validator has any constraint for this class or the classes it extends. */
function hasConstraints(type: object): boolean {
  let known = constrained.get(type);
  if (known === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- class-validator's own parameter type
    known = getMetadataStorage().getTargetValidationMetadatas(type as Function, "", true, false).length > 0;
    constrained.set(type, known);
  }
  return known;
}

export async function validateArgs(value: unknown): Promise<void> {
  const nul = nulPath(value);
  if (nul) {
    throw new GraphQLError(`${nul.length ? nul.join(".") + ": " : ""}${NUL_MESSAGE}`, { extensions: { code: "BAD_USER_INPUT", field: nul } });
  }
  if (value === null || typeof value !== "object") return;
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item === null || typeof item !== "object" || !hasConstraints(item.constructor)) continue;
    const errors = await validate(item as object, OPTIONS);
    if (errors.length > 0) throw new ArgumentValidationError(errors);
  }
}
