// Turning API errors into text beside the field or action that caused them.
import { CombinedGraphQLErrors } from "@apollo/client/errors";

export interface UserErrorLike {
  code: string;
  field?: ReadonlyArray<string> | null;
  message: string;
}

/**
 * The form field an error belongs to: the last named segment of its path. List positions are not
 * fields: ["input", "excludeSubsetIds", "0"] is excludeSubsetIds (keying by "0" showed it beside
 * whichever field read the numeric keys), ["input", "params", "eps"] is eps.
 */
export function fieldKey(field: ReadonlyArray<string> | null | undefined): string {
  const named = (field ?? []).filter((s) => !/^\d+$/.test(s));
  return named.length > 0 ? named[named.length - 1]! : "";
}

/** Errors keyed by input field name (fieldKey); "" holds errors without a field. */
export function errorsByField(errors: ReadonlyArray<UserErrorLike> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) {
    const key = fieldKey(e.field);
    out[key] = out[key] ? `${out[key]} ${e.message}` : e.message;
  }
  return out;
}

/** A readable message for a thrown/top-level error (network, GraphQL fault, auth). */
export function describeError(err: unknown): string {
  if (!err) return "";
  if (CombinedGraphQLErrors.is(err)) return err.errors.map((e) => e.message).join("; ");
  if (err && typeof err === "object" && "bodyText" in err && typeof (err as { bodyText: unknown }).bodyText === "string") {
    // ServerError: the proxy's or API's JSON body says more than the status code.
    try {
      const body = JSON.parse((err as { bodyText: string }).bodyText) as { errors?: Array<{ message: string }> };
      if (body.errors?.length) return body.errors.map((e) => e.message).join("; ");
    } catch { /* not JSON */ }
  }
  if (err instanceof Error) {
    if (/Failed to fetch|NetworkError|502/.test(err.message)) return "The API cannot be reached. Is the server running?";
    return err.message;
  }
  return String(err);
}

export function isUnauthenticated(err: unknown): boolean {
  return CombinedGraphQLErrors.is(err) && err.errors.some((e) => (e.extensions as { code?: string } | undefined)?.code === "UNAUTHENTICATED");
}
