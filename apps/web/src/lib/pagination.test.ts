/* eslint-disable @typescript-eslint/no-explicit-any -- cache reads are checked by assertions */
import { describe, expect, it } from "vitest";
import { InMemoryCache, gql } from "@apollo/client";
import { typePolicies } from "./pagination";

const AUDIT = gql`
  query ($id: ID!, $after: String) {
    auditEvents(consortiumId: $id, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id action } }
  }
`;
const page = (ids: string[], hasNextPage: boolean, endCursor: string) => ({
  auditEvents: {
    __typename: "AuditEventConnection",
    totalCount: 3,
    pageInfo: { __typename: "PageInfo", hasNextPage, endCursor },
    nodes: ids.map((id) => ({ __typename: "AuditEvent", id, action: "x" })),
  },
});

describe("nodesPagination (the connections' type policy)", () => {
  it("appends a page fetched with `after`, takes its pageInfo, and a first page replaces the list", () => {
    const cache = new InMemoryCache({ typePolicies });
    cache.writeQuery({ query: AUDIT, variables: { id: "c1" }, data: page(["a", "b"], true, "b") });
    cache.writeQuery({ query: AUDIT, variables: { id: "c1", after: "b" }, data: page(["c"], false, "c") });
    const all = cache.readQuery<any>({ query: AUDIT, variables: { id: "c1" } });
    expect(all.auditEvents.nodes.map((n: { id: string }) => n.id)).toEqual(["a", "b", "c"]);
    expect(all.auditEvents.pageInfo).toEqual({ __typename: "PageInfo", hasNextPage: false, endCursor: "c" });
    // the same page again (a re-run effect) lists nothing twice
    cache.writeQuery({ query: AUDIT, variables: { id: "c1", after: "b" }, data: page(["c"], false, "c") });
    expect(cache.readQuery<any>({ query: AUDIT, variables: { id: "c1" } }).auditEvents.nodes).toHaveLength(3);
    // a refetched first page starts over
    cache.writeQuery({ query: AUDIT, variables: { id: "c1" }, data: page(["a", "b"], true, "b") });
    expect(cache.readQuery<any>({ query: AUDIT, variables: { id: "c1" } }).auditEvents.nodes.map((n: { id: string }) => n.id)).toEqual(["a", "b"]);
  });

  it("keeps lists with other key arguments apart (another consortium)", () => {
    const cache = new InMemoryCache({ typePolicies });
    cache.writeQuery({ query: AUDIT, variables: { id: "c1" }, data: page(["a", "b"], true, "b") });
    cache.writeQuery({ query: AUDIT, variables: { id: "c2" }, data: page(["z"], false, "z") });
    expect(cache.readQuery<any>({ query: AUDIT, variables: { id: "c1" } }).auditEvents.nodes).toHaveLength(2);
    expect(cache.readQuery<any>({ query: AUDIT, variables: { id: "c2" } }).auditEvents.nodes).toHaveLength(1);
  });
});

describe("fetchMore with the type policy (as the pages call it)", () => {
  it("fetchMore({ variables: { after } }) on a watched query appends the next page to its data", async () => {
    const { ApolloClient, ApolloLink } = await import("@apollo/client");
    const { Observable } = await import("rxjs");
    const link = new ApolloLink((op) => new Observable((o) => {
      o.next({ data: op.variables.after ? page(["c"], false, "c") : page(["a", "b"], true, "b") });
      o.complete();
    }));
    const client = new ApolloClient({ link, cache: new InMemoryCache({ typePolicies }) });
    const watched = client.watchQuery({ query: AUDIT, variables: { id: "c1" } });
    const seen: string[][] = [];
    const sub = watched.subscribe(({ data }) => {
      const d = data as any;
      if (d?.auditEvents) seen.push(d.auditEvents.nodes.map((n: { id: string }) => n.id));
    });
    await new Promise((r) => setTimeout(r, 10));
    await watched.fetchMore({ variables: { after: "b" } });
    await new Promise((r) => setTimeout(r, 10));
    sub.unsubscribe();
    expect(seen[0]).toEqual(["a", "b"]);
    expect(seen.at(-1)).toEqual(["a", "b", "c"]);
  });
});
