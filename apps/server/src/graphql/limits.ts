// Query depth and complexity limits, checked once per operation before execution.
// - Depth: the longest chain of nested selections (fragments followed; introspection `__` fields count
//   like any other: a 26-level `__type { ofType { … } }` query is as deep as it looks).
// - Complexity: graphql-query-complexity with list multipliers: a connection (or any field taking `first`)
//   costs 1 + first × (its children), `nodes(ids)` costs ids.length × children, a plain list
//   (`[T]`, e.g. SelectionRun.evaluations) 1 + PLAIN_LIST_ESTIMATE × children, everything else 1.
//   Plain lists multiply too: adding them let run.evaluations ↔ evaluation.run nest into 64,000 objects.
// Over the limit → a top-level error with code QUERY_TOO_DEEP / QUERY_TOO_COMPLEX and HTTP 400; nothing runs.
// The same check runs for operations sent over graphql-ws (an error message instead of HTTP 400).
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  getOperationAST,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { DEFAULT_PAGE_SIZE } from "./connection.js";

export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const walk = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
    if (!set) return depth;
    let max = depth;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        max = Math.max(max, walk(sel.selectionSet, depth + 1, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, walk(sel.selectionSet, depth, seen));
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // unknown or cyclic: other validation rules report it
        max = Math.max(max, walk(fragment.selectionSet, depth, new Set([...seen, name])));
      }
    }
    return max;
  };
  return walk(operation.selectionSet, 0, new Set());
}

/**
 * How many items a plain list (not a connection) is assumed to return. Its real length is unknown before
 * running it, so this is a guess on the high side of what the schema's plain lists hold in practice
 * (groups of an analysis, evaluations of a run, label counts): two nested plain lists stay well within the
 * default limit, three nested ones under objects (2,500 × …) do not.
 */
export const PLAIN_LIST_ESTIMATE = 50;

/** Lists are expensive: multiply their children by how many items they may return. */
export const listEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  // A connection's own nodes/edges lists are already counted by the connection's `first`: no second factor.
  if (type.name.endsWith("Connection") && (field.name === "nodes" || field.name === "edges")) return 1 + childComplexity;
  const typeName = getNamedType(field.type).name;
  if (typeof args.first === "number" || typeName.endsWith("Connection")) {
    const n = typeof args.first === "number" ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + childComplexity * Math.max(1, n);
  }
  if (Array.isArray(args.ids)) return 1 + childComplexity * Math.max(1, args.ids.length);
  // A list of scalars or enums has no children to multiply (childComplexity 0): it stays at 1.
  if (isListType(getNullableType(field.type)) && childComplexity > 0) return 1 + childComplexity * PLAIN_LIST_ESTIMATE;
  return undefined;
};

export function queryComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * Throws QUERY_TOO_DEEP / QUERY_TOO_COMPLEX (or BAD_USER_INPUT when the cost cannot be estimated) for an
 * operation over the limits. Shared by HTTP (the Apollo plugin) and graphql-ws (app.ts onSubscribe), so a
 * subscription socket is no way around them.
 */
export function assertWithinLimits(
  limits: QueryLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): void {
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    throw new GraphQLError(`query is ${depth} levels deep; the limit is ${limits.maxDepth}`, {
      extensions: { code: "QUERY_TOO_DEEP", depth, maxDepth: limits.maxDepth, http: { status: 400 } },
    });
  }
  let complexity: number;
  try {
    complexity = queryComplexity(schema, document, operationName, variables);
  } catch (error) {
    throw new GraphQLError(`could not estimate query cost: ${(error as Error).message}`, {
      extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
    });
  }
  if (complexity > limits.maxComplexity) {
    throw new GraphQLError(
      `query costs ${complexity} points; the limit is ${limits.maxComplexity} (ask for smaller pages or fewer nested lists)`,
      {
        extensions: {
          code: "QUERY_TOO_COMPLEX",
          complexity,
          maxComplexity: limits.maxComplexity,
          http: { status: 400 },
        },
      },
    );
  }
}

/**
 * The graphql-ws side: parses and checks a subscribe message. Returns the errors to send back (the
 * operation is then not executed), or undefined to let graphql-ws parse, validate and run it as usual
 * (unparseable documents and unknown operation names are reported by graphql-ws itself).
 */
export function wsLimitErrors(
  limits: QueryLimits,
  schema: GraphQLSchema,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): GraphQLError[] | undefined {
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch {
    return undefined;
  }
  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (!operation) return undefined;
  try {
    assertWithinLimits(limits, schema, document, operation, payload.operationName ?? undefined, payload.variables ?? undefined);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  return undefined;
}

const PASSED_PER_DOCUMENT = 64; // (operation, variables) pairs remembered per document
const MAX_PASSED_KEY_LENGTH = 2_048; // characters; larger variables are checked every time

export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  // Apollo hands every request with the same query text the same parsed DocumentNode, and the cost
  // depends only on it, the operation name and the variables. Screens poll the same few operations,
  // and the complexity walk was a measurable share of a small query, so remember what passed.
  const passed = new WeakMap<DocumentNode, Set<string>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const key = `${request.operationName ?? ""}\u0000${JSON.stringify(request.variables ?? {})}`;
          const seen = passed.get(document);
          if (seen?.has(key)) return;
          assertWithinLimits(limits, schema, document, operation, request.operationName ?? undefined, request.variables);
          if (key.length > MAX_PASSED_KEY_LENGTH) return;
          if (!seen) passed.set(document, new Set([key]));
          else {
            if (seen.size >= PASSED_PER_DOCUMENT) seen.clear();
            seen.add(key);
          }
        },
      };
    },
  };
}
