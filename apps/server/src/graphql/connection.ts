// Cursor connections (the Relay/Shopify shape) for every list that can grow.
// - Stable order: every orderBy ends with the primary key, so ties never reorder between pages.
// - Keyset pagination: the cursor holds the last row's sort values, so pages stay correct while rows
//   are added and deep pages cost the same as the first.
// - Page size: `first` defaults to DEFAULT_PAGE_SIZE and may not exceed MAX_PAGE_SIZE.
// Use `paginate()` with any Prisma delegate (see modules/project/project.resolver.ts for an example),
// or `connectionFromArray()` for short in-memory lists.
import { GraphQLError } from "graphql";
import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: "Where a page sits in the whole list." })
export class PageInfo {
  @Field(() => Boolean, { description: "More items follow this page." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Items precede this page (an `after` cursor was given)." })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first item of this page." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last item; pass it as `after` for the next page." })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many items to return, 0–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  first?: number | null; // checked by pageSize(), which every list calls

  @Field(() => String, { nullable: true, description: "Return the items after this cursor (a previous page's endCursor)." })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  /** A number, or a function that GraphQL calls only when the field is asked for. */
  totalCount: number | (() => Promise<number>);
}

/**
 * Makes `<Name>Connection` and `<Name>Edge` object types for a node type:
 *   @ObjectType() export class ProjectConnection extends Connection(Project) {}
 */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string = nodeType.name) {
  @ObjectType(`${name}Edge`, { description: `A ${name} with its cursor.` })
  class EdgeType {
    @Field(() => String, { description: "Opaque cursor; pass as `after` to continue after this item." })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  // Base class only: subclasses (`class XConnection extends Connection(X) {}`) are the emitted types.
  @ObjectType(`${name}ConnectionBase`)
  class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType], { description: "The items of this page, with cursors." })
    edges!: Edge<T>[];

    @Field(() => [nodeType], { description: "The items of this page (shortcut for edges.node)." })
    nodes!: T[];

    @Field(() => PageInfo, { description: "Paging information." })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "How many items the whole list holds (with the same filters)." })
    totalCount!: number | (() => Promise<number>);
  }
  return ConnectionType;
}

// ─── Cursors ────────────────────────────────────────────────────────────────

type CursorValue = string | number | boolean | null | { $d: string };

export function encodeCursor(values: unknown[]): string {
  const json = values.map((v): CursorValue => (v instanceof Date ? { $d: v.toISOString() } : (v as CursorValue)));
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64url");
}

function badCursor(): GraphQLError {
  return new GraphQLError("after: expected a cursor returned by this list (pageInfo.endCursor)", {
    extensions: { code: "BAD_USER_INPUT", argumentName: "after" },
  });
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== length) throw badCursor();
  return parsed.map((v: unknown) => {
    if (v && typeof v === "object" && typeof (v as { $d?: unknown }).$d === "string") {
      const d = new Date((v as { $d: string }).$d);
      if (Number.isNaN(d.getTime())) throw badCursor();
      return d;
    }
    if (v !== null && typeof v === "object") throw badCursor();
    return v;
  });
}

// ─── Keyset pagination over Prisma ──────────────────────────────────────────

export type SortDirection = "asc" | "desc";
/** Sort keys, most significant first; the last must be unique (the primary key). */
export type OrderSpec = Array<[field: string, direction: SortDirection]>;

/** The Prisma `where` that selects rows strictly after `values` in `order`. */
export function keysetWhere(order: OrderSpec, values: unknown[]): Record<string, unknown> {
  const or: Record<string, unknown>[] = [];
  for (let i = 0; i < order.length; i++) {
    const clause: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) clause[order[j]![0]] = values[j];
    const [field, dir] = order[i]!;
    clause[field] = { [dir === "asc" ? "gt" : "lt"]: values[i] };
    or.push(clause);
  }
  return or.length === 1 ? or[0]! : { OR: or };
}

export function pageSize(args: ConnectionArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`first: expected an integer in [0, ${MAX_PAGE_SIZE}], got ${first}`, {
      extensions: { code: "BAD_USER_INPUT", argumentName: "first" },
    });
  }
  return first;
}

export interface PaginateOptions<Row, T> {
  args: ConnectionArgs;
  /** Sort keys ending with a unique field. Default [["id", "asc"]]. */
  order?: OrderSpec;
  /** Filters (a Prisma where). */
  where?: Record<string, unknown>;
  /** Calls the Prisma delegate, e.g. (q) => prisma.project.findMany(q). */
  findMany: (query: {
    where: Record<string, unknown>;
    orderBy: Array<Record<string, SortDirection>>;
    take: number;
  }) => Promise<Row[]>;
  /** Counts with the same filters, e.g. (where) => prisma.project.count({ where }). */
  count: (where: Record<string, unknown>) => Promise<number>;
  /** Turns a row into the GraphQL object. */
  map: (row: Row) => T;
  /** Reads a sort value from a row; default row[field]. */
  sortValue?: (row: Row, field: string) => unknown;
}

export async function paginate<Row, T>(options: PaginateOptions<Row, T>): Promise<ConnectionShape<T>> {
  const order = options.order ?? [["id", "asc"]];
  const first = pageSize(options.args);
  const baseWhere = options.where ?? {};
  const sortValue = options.sortValue ?? ((row: Row, field: string) => (row as Record<string, unknown>)[field]);
  const after = options.args.after ? decodeCursor(options.args.after, order.length) : null;
  const where = after ? { AND: [baseWhere, keysetWhere(order, after)] } : baseWhere;
  const rows =
    first === 0
      ? []
      : await options.findMany({
          where,
          orderBy: order.map(([field, dir]) => ({ [field]: dir })),
          take: first + 1,
        });
  const hasNextPage = rows.length > first;
  const page = hasNextPage ? rows.slice(0, first) : rows;
  const edges = page.map((row) => ({
    cursor: encodeCursor(order.map(([field]) => sortValue(row, field))),
    node: options.map(row),
  }));
  let counted: Promise<number> | null = null;
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    // TypeGraphQL's field resolver returns the property as is (it does not call functions), so the count
    // is a lazy thenable: graphql-js awaits it only when totalCount is selected.
    totalCount: lazyCount(() => (counted ??= options.count(baseWhere))),
  };
}

function lazyCount(count: () => Promise<number>): () => Promise<number> {
  const thenable = { then: (resolve: (n: number) => unknown, reject: (e: unknown) => unknown) => count().then(resolve, reject) };
  return thenable as unknown as () => Promise<number>;
}

/** A connection over a list already in memory (short lists only). keyOf must be unique. */
export function connectionFromArray<T>(
  items: T[],
  args: ConnectionArgs,
  keyOf: (item: T) => string | number,
): ConnectionShape<T> {
  const first = pageSize(args);
  let start = 0;
  if (args.after) {
    const [key] = decodeCursor(args.after, 1);
    const index = items.findIndex((item) => keyOf(item) === key);
    if (index < 0) throw badCursor();
    start = index + 1;
  }
  const page = items.slice(start, start + first);
  const edges = page.map((node) => ({ cursor: encodeCursor([keyOf(node)]), node }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: items.length,
  };
}
