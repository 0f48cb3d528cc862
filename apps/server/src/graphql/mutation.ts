// The mutation convention: `nounVerb(input: NounVerbInput!): NounVerbPayload!` where the payload holds the
// changed object(s) and `errors: [UserError!]!`. Resolvers stay one line:
//
//   @Mutation(() => ProjectCreatePayload, { description: "…" })
//   @Authorized()
//   projectCreate(@InputArg(() => ProjectCreateInput) input: ProjectCreateInput, @Ctx() ctx: Context) {
//     return mutate(ProjectCreatePayload, input, async () => ({ project: await projects.create(ctx, input) }));
//   }
//
// mutate() validates the input (class-validator decorators on the input class), runs the service, and turns
// AppError / AppErrors / unique-constraint violations into payload errors. Any other error is a fault and
// propagates as a top-level error. Services must make their change in one transaction so that an error
// leaves nothing behind.
import { validate, type ValidationError } from "class-validator";
import { Arg, Field, ObjectType, type ClassType } from "type-graphql";

/** What `@Arg(name, () => Type)` accepts. */
type ReturnTypeFunc = Parameters<typeof Arg>[1] & ((...args: never[]) => unknown);
import { AppError, AppErrors, isUniqueViolation, UserError } from "./errors.js";
import { NUL_MESSAGE, nulPath } from "./validate-args.js";

// Base class only (not emitted: nothing returns it directly).
@ObjectType("PayloadBase")
export abstract class Payload {
  @Field(() => [UserError], { description: "Problems that stopped the mutation; empty when it succeeded." })
  errors!: UserError[];
}

/** `@InputArg(() => XInput)`: the `input` argument; validated by mutate() so failures land in the payload. */
export function InputArg(type: ReturnTypeFunc, options: { nullable?: boolean; description?: string } = {}) {
  return Arg("input", type, {
    validateFn: skipArgValidation, // not the schema's validateArgs: mutate() validates, into payload errors
    nullable: options.nullable ?? false,
    description: options.description ?? "The mutation's input.",
  });
}

const skipArgValidation = (): void => undefined;

function flatten(errors: ValidationError[], path: string[] = []): AppError[] {
  const out: AppError[] = [];
  for (const error of errors) {
    const field = [...path, error.property];
    for (const message of Object.values(error.constraints ?? {})) {
      const shown = JSON.stringify(error.value)?.slice(0, 60) ?? String(error.value);
      out.push(new AppError("VALIDATION", `${field.join(".")}: ${message} (got ${shown})`, field));
    }
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/** Validates an input object with its class-validator decorators; throws AppErrors listing every problem. */
export async function validateInput(input: object | null | undefined): Promise<void> {
  if (!input || typeof input !== "object") return;
  const nul = nulPath(input);
  if (nul) throw new AppError("VALIDATION", `${nul.join(".")}: ${NUL_MESSAGE}`, nul);
  const errors = await validate(input, { forbidUnknownValues: false, validationError: { target: false } });
  if (errors.length) throw new AppErrors(flatten(errors));
}

export function userErrorsOf(error: unknown): UserError[] | null {
  if (error instanceof AppError) return [error.toUserError()];
  if (error instanceof AppErrors) return error.errors.map((e) => e.toUserError());
  if (isUniqueViolation(error)) {
    return [new AppError("CONFLICT", "an object with the same unique name already exists").toUserError()];
  }
  return null;
}

export async function mutate<P extends Payload>(
  payloadType: ClassType<P>,
  input: object | null | undefined,
  run: () => Promise<Partial<Omit<P, "errors">>>,
): Promise<P> {
  const payload = new payloadType();
  try {
    await validateInput(input);
    Object.assign(payload, await run());
    payload.errors = [];
  } catch (error) {
    const userErrors = userErrorsOf(error);
    if (!userErrors) throw error;
    payload.errors = userErrors;
  }
  return payload;
}
