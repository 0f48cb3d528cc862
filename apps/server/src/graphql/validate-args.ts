// Argument validation for queries and subscriptions (TypeGraphQL's `validateFn`). It checks an argument
// object with its class-validator decorators, as TypeGraphQL's built-in validation does, but skips
// classes that declare no constraint: the built-in one ran the validator on every args object of every
// request (ConnectionArgs on every list field), a few per cent of a cached list query's CPU.
// Mutation inputs (InputArg) opt out: mutate() validates them and reports failures in the payload.
import { getMetadataStorage, validate, type ValidatorOptions } from "class-validator";
import { ArgumentValidationError } from "type-graphql";

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
  if (value === null || typeof value !== "object") return;
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item === null || typeof item !== "object" || !hasConstraints(item.constructor)) continue;
    const errors = await validate(item as object, OPTIONS);
    if (errors.length > 0) throw new ArgumentValidationError(errors);
  }
}
