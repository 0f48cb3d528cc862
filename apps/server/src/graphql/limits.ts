// Query depth and complexity limits, checked once per operation before execution.
// - Depth: the longest chain of nested selections (fragments followed; introspection fields not counted).
// - Complexity: graphql-query-complexity with list multipliers: a connection (or any field taking `first`)
//   costs 1 + first × (its children), `nodes(ids)` costs ids.length × children, everything else 1.
// Over the limit → a top-level error with code QUERY_TOO_DEEP / QUERY_TOO_COMPLEX and HTTP 400; nothing runs.
import {
  GraphQLError,
  Kind,
  getNamedType,
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
        if (sel.name.value.startsWith("__")) continue; // introspection
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

/** Lists are expensive: multiply their children by how many items they may return. */
export const listEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const typeName = getNamedType(field.type).name;
  if (typeof args.first === "number" || typeName.endsWith("Connection")) {
    const n = typeof args.first === "number" ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + childComplexity * Math.max(1, n);
  }
  if (Array.isArray(args.ids)) return 1 + childComplexity * Math.max(1, args.ids.length);
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

export function queryLimitsPlugin(limits: { maxDepth: number; maxComplexity: number }): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const depth = operationDepth(document, operation);
          if (depth > limits.maxDepth) {
            throw new GraphQLError(`query is ${depth} levels deep; the limit is ${limits.maxDepth}`, {
              extensions: { code: "QUERY_TOO_DEEP", depth, maxDepth: limits.maxDepth, http: { status: 400 } },
            });
          }
          let complexity: number;
          try {
            complexity = queryComplexity(schema, document, request.operationName ?? undefined, request.variables);
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
        },
      };
    },
  };
}
