// Error conventions.
// - Something the user can act on (bad input, missing object, not allowed, conflict) → AppError, caught by
//   mutate() and returned in the mutation payload's `errors` as UserError { code, field, message }.
// - Faults (bugs, database down) → top-level GraphQL errors; in production their message is masked and no
//   stack trace is sent.
import { Field, ObjectType, registerEnumType } from "type-graphql";

export enum ErrorCode {
  /** Input failed validation: wrong format, out of range, missing. */
  VALIDATION = "VALIDATION",
  /** The object does not exist or the caller may not see it (the two are not told apart). */
  NOT_FOUND = "NOT_FOUND",
  /** A sample URI names a location its consortium may not read (outside its storage roots and uploads). */
  URI_NOT_ALLOWED = "URI_NOT_ALLOWED",
  /** The caller can see the object but their role does not allow this change. */
  FORBIDDEN = "FORBIDDEN",
  /** Not signed in, or the credentials are invalid, expired or revoked. */
  UNAUTHENTICATED = "UNAUTHENTICATED",
  /** The change conflicts with the current state (already exists, stale version, last owner...). */
  CONFLICT = "CONFLICT",
  /** Too many attempts; retry later. */
  RATE_LIMITED = "RATE_LIMITED",
  /** The request is well-formed but cannot be done on this object in its current state. */
  INVALID_STATE = "INVALID_STATE",
  /** An uploaded file or manifest could not be read (bad format, row errors). */
  BAD_FILE = "BAD_FILE",
  /** A budget, count or size exceeds what is available or allowed. */
  LIMIT_EXCEEDED = "LIMIT_EXCEEDED",
  /** The invitation's time ran out; ask for a new one. */
  INVITATION_EXPIRED = "INVITATION_EXPIRED",
  /** The invitation was already accepted (invitations are single-use). */
  INVITATION_USED = "INVITATION_USED",
  /** The invitation was withdrawn by the consortium. */
  INVITATION_REVOKED = "INVITATION_REVOKED",
  /** A declared confounder column is not a metadata column of the version (nor site). */
  DECLARED_COLUMN_NOT_FOUND = "DECLARED_COLUMN_NOT_FOUND",
  /** A declared confounder column has fewer than 2 levels in the version: nothing to balance. */
  DECLARED_COLUMN_SINGLE_LEVEL = "DECLARED_COLUMN_SINGLE_LEVEL",
  /** A declared confounder column has more than 64 levels (an id or a measurement, not a condition). */
  DECLARED_COLUMN_TOO_MANY_LEVELS = "DECLARED_COLUMN_TOO_MANY_LEVELS",
  /** Something went wrong on our side; the change was not made. */
  INTERNAL = "INTERNAL",
}

registerEnumType(ErrorCode, {
  name: "ErrorCode",
  description: "Why a mutation did not do what was asked. Each code is something the client can react to.",
});

/** A problem the user can act on, returned in a mutation payload. */
@ObjectType({ description: "A problem with a mutation that the user can act on." })
export class UserError {
  @Field(() => ErrorCode, { description: "What kind of problem this is." })
  code!: ErrorCode;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, e.g. ["input", "email"]; null when no single field is.',
  })
  field!: string[] | null;

  @Field(() => String, { description: "A message for people: what is wrong and what was expected." })
  message!: string;
}

/** Thrown by services for anything the user can act on; mutate() turns it into payload errors. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode | keyof typeof ErrorCode,
    message: string,
    readonly field: string[] | null = null,
  ) {
    super(message);
  }

  toUserError(): UserError {
    return Object.assign(new UserError(), {
      code: this.code as ErrorCode,
      field: this.field ? ["input", ...this.field] : null,
      message: this.message,
    });
  }
}

/** Several AppErrors at once (e.g. every invalid field of an input). */
export class AppErrors extends Error {
  override name = "AppErrors";
  constructor(readonly errors: AppError[]) {
    super(errors.map((e) => e.message).join("; "));
  }
}

/** Prisma's unique-constraint violation (P2002), however the driver adapter reports it. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } };
  return e?.code === "P2002" || e?.meta?.driverAdapterError?.cause?.originalCode === "23505";
}
