// Cursor pagination in the cache, once: a field policy for our connections ({ totalCount?, pageInfo,
// nodes }), in the spirit of Apollo's relayStylePagination, which expects `edges` that our schema
// does not have. A page asked without `after` is the first page and replaces what the cache held;
// a page with `after` is appended. So pages call fetchMore({ variables: { after } }) and no longer
// merge by hand (they did, three times: audit log, review queue, sample grid).
import type { FieldPolicy, Reference, TypePolicies } from "@apollo/client";

interface Page {
  nodes?: ReadonlyArray<unknown>;
  pageInfo?: unknown;
  [field: string]: unknown;
}

const refOf = (node: unknown): string | null => (node && typeof node === "object" && "__ref" in node ? (node as Reference).__ref : null);

/** keyArgs: the arguments that name a different list (filters, page size), i.e. all but `after`. */
export function nodesPagination(keyArgs: string[]): FieldPolicy<Page, Page, Page> {
  return {
    keyArgs,
    merge(existing, incoming, { args }) {
      if (!existing || !args?.after) return incoming;
      // The same page fetched twice (a re-run effect) must not list its nodes twice.
      const seen = new Set((existing.nodes ?? []).map(refOf).filter((r): r is string => r !== null));
      const added = (incoming.nodes ?? []).filter((n) => {
        const ref = refOf(n);
        return ref === null || !seen.has(ref);
      });
      return { ...existing, ...incoming, nodes: [...(existing.nodes ?? []), ...added] };
    },
  };
}

/** The connections the pages page through with fetchMore. */
export const typePolicies: TypePolicies = {
  Query: { fields: { auditEvents: nodesPagination(["consortiumId", "action", "first"]) } },
  SelectionRun: { fields: { items: nodesPagination(["first"]), reviewQueue: nodesPagination(["order", "first"]) } },
  DatasetVersion: { fields: { samples: nodesPagination(["filter", "first"]) } },
};
