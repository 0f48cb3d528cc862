// Test harness: a live server on port 0 over a fresh store (PGlite, or Postgres when DATABASE_URL is set),
// Apollo Client over HTTP with a cookie jar, and helpers to seed users and snapshot the database.
// Typed: nothing here is `any`. A response is `unknown` unless the test names its shape
// (`client.query<Shape>(doc)`) or passes a TypedDocumentNode, which brings the shape of its data and
// variables with it (docs/architecture.md, "Tests: one layout").
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApolloClient, HttpLink, InMemoryCache, type DocumentNode, type OperationVariables, type TypedDocumentNode } from "@apollo/client";
import { openStore, type Role, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createApp, type StratumApp } from "../app.js";
import type { ServerConfig } from "../env.js";
import { createUser } from "../modules/user/user.service.js";
import { newApiTokenSecret, sha256Hex, API_TOKEN_VISIBLE } from "../auth/secrets.js";
import { decodeIdOrNull } from "../graphql/ids.js";
import { graphql } from "./gql/index.js";

export interface TestServer {
  store: Store;
  app: StratumApp;
  /** http://127.0.0.1:PORT */
  base: string;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  filesDir: string;
  close(): Promise<void>;
}

export async function startTestServer(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  const store = await openStore(await testStoreOptions());
  const filesDir = mkdtempSync(path.join(tmpdir(), "stratum-server-test-"));
  const app = await createApp({
    store,
    config: {
      nodeEnv: "test",
      filesDir,
      uploadDir: path.join(filesDir, "uploads"),
      corsOrigins: ["http://localhost:3000"],
      // Every test client signs in from 127.0.0.1: a suite's failures would add up to the per-address limit
      // (30 a minute) across unrelated tests. attack-auth.test.ts sets it back.
      loginMaxPerIp: 10_000,
      ...config,
    },
  });
  const { port, url } = await app.listen(0, "127.0.0.1");
  return {
    store,
    app,
    base: `http://127.0.0.1:${port}`,
    url,
    filesDir,
    async close() {
      await app.close();
      await store.close();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** One GraphQL error as a test reads it (a transport failure is code NETWORK). */
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string[] | string; [key: string]: unknown };
}

/** The `errors` of a mutation payload (each payload has them). */
export interface PayloadErrors {
  errors: Array<{ code: string; field?: string[] | null; message?: string }>;
}

/**
 * A result as a test reads it: the document's type with every null taken out, at every depth (arrays
 * too). A test reads the fields it expects to be there; where one is null after all, the test fails at
 * that line. `expect(x).toBeNull()` still reads. Untyped results stay `unknown`.
 */
export type Present<T> = unknown extends T ? T : PresentValue<NonNullable<T>>;
type PresentValue<T> = T extends readonly (infer U)[] ? Present<U>[] : T extends object ? { [K in keyof T]: Present<T[K]> } : T;

export interface GraphQLResult<T> {
  data: Present<T>;
  errors: GraphQLErrorShape[];
}

/** What POST /uploads answers when it refuses (4xx): `client.upload<UploadRefused>(…)`. */
export interface UploadRefused {
  error: { code: string; message: string };
}

/** What POST /uploads answers with 201. */
export interface UploadResponse {
  id: string;
  filename: string;
  size: number;
  sha256: string;
}

/** A GraphQL client as one browser (cookie jar) or one machine (bearer token). */
export class TestClient {
  readonly apollo: ApolloClient;
  cookies = new Map<string, string>();
  lastStatus = 0;

  constructor(
    readonly server: TestServer,
    public token: string | null = null,
  ) {
    const fetchWithJar: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
      if (this.token) headers.set("authorization", `Bearer ${this.token}`);
      const response = await fetch(input, { ...init, headers });
      this.lastStatus = response.status;
      for (const line of response.headers.getSetCookie()) this.storeCookie(line);
      return response;
    };
    this.apollo = new ApolloClient({
      link: new HttpLink({ uri: server.url, fetch: fetchWithJar }),
      cache: new InMemoryCache(),
    });
  }

  private storeCookie(line: string) {
    const [pair, ...attrs] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split("=")[1]!).getTime() < Date.now());
    if (!value || expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /** Runs a query; returns data and GraphQL errors (never throws on GraphQL errors). */
  async query<T = unknown, V extends OperationVariables = OperationVariables>(query: TypedDocumentNode<T, V> | DocumentNode, variables?: V): Promise<GraphQLResult<T>> {
    const result = await this.apollo.query<T, V>({ query, variables: variables as V, fetchPolicy: "no-cache", errorPolicy: "all" });
    return { data: stripTypename(result.data) as Present<T>, errors: errorList(result.error) };
  }

  async mutate<T = unknown, V extends OperationVariables = OperationVariables>(mutation: TypedDocumentNode<T, V> | DocumentNode, variables?: V): Promise<GraphQLResult<T>> {
    const result = await this.apollo.mutate<T, V>({ mutation, variables: variables as V, fetchPolicy: "no-cache", errorPolicy: "all" });
    return { data: stripTypename(result.data) as Present<T>, errors: errorList(result.error) };
  }

  /** Raw POST /graphql (for malformed bodies and exact status codes); `json` is the body as the test names it. */
  async raw<J = unknown>(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: J }> {
    const h: Record<string, string> = { "content-type": "application/json", ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const response = await fetch(this.server.url, {
      method: "POST",
      headers: h,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as J };
  }

  /** POST /uploads with a raw body. */
  async upload<J = UploadResponse>(filename: string, body: string | Uint8Array): Promise<{ status: number; json: J }> {
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(`${this.server.base}/uploads?filename=${encodeURIComponent(filename)}`, {
      method: "POST",
      headers,
      body,
    });
    return { status: response.status, json: (await response.json()) as J };
  }

  async get(pathname: string) {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return fetch(`${this.server.base}${pathname}`, { headers });
  }
}

/** Apollo Client adds __typename to every object; tests compare without it. */
function stripTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTypename);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== "__typename") out[k] = stripTypename(v);
    return out;
  }
  return value;
}

function errorList(error: unknown): GraphQLErrorShape[] {
  if (!error) return [];
  const e = error as { errors?: GraphQLErrorShape[]; message: string };
  if (Array.isArray(e.errors)) return e.errors;
  return [{ message: e.message, extensions: { code: "NETWORK" } }];
}

let emailCounter = 0;
export const PASSWORD = "correct horse battery staple";

/** A user with a password and optional memberships; returns ids. */
export async function seedUser(
  store: Store,
  memberships: Array<{ consortiumId: number; role: Role; siteId?: number | null }> = [],
  name = "user",
) {
  const email = `${name}-${++emailCounter}-${process.pid}@example.org`;
  const user = await createUser(store.prisma, { email, name, password: PASSWORD });
  for (const m of memberships) {
    await store.prisma.membership.create({
      data: { userId: user.id, consortiumId: m.consortiumId, role: m.role, siteId: m.siteId ?? null },
    });
  }
  return { id: user.id, email };
}

/** An API token straight in the database (tests of auth edge cases). */
export async function seedToken(
  store: Store,
  userId: number,
  consortiumId: number,
  role: Role,
  extra: { expiresAt?: Date; revokedAt?: Date } = {},
) {
  const secret = newApiTokenSecret();
  const row = await store.prisma.apiToken.create({
    data: {
      userId,
      consortiumId,
      name: "test",
      role,
      prefix: secret.slice(0, API_TOKEN_VISIBLE),
      tokenHash: sha256Hex(secret),
      ...extra,
    },
  });
  return { secret, id: row.id };
}

/** Signs a client in through the API. */
export async function signIn(server: TestServer, email: string, password = PASSWORD): Promise<TestClient> {
  const client = new TestClient(server);
  const r = await client.mutate(
    graphql(`
      mutation HarnessSessionLogin($input: SessionLoginInput!) {
        sessionLogin(input: $input) {
          user {
            id
          }
          errors {
            code
            message
          }
        }
      }
    `),
    { input: { email, password } },
  );
  if (r.errors.length || r.data.sessionLogin.errors.length) {
    throw new Error(`sign-in failed: ${JSON.stringify(r.errors.length ? r.errors : r.data.sessionLogin.errors)}`);
  }
  return client;
}

const SNAPSHOT_TABLES = [
  `SELECT id, slug, name FROM "Consortium"`,
  `SELECT id, "consortiumId", code, name FROM "Site"`,
  `SELECT id, email, name, "passwordHash" FROM "User"`,
  `SELECT id, "userId", "consortiumId", role, "siteId" FROM "Membership"`,
  `SELECT id, "userId", "consortiumId", name, prefix, role, "expiresAt", "revokedAt" FROM "ApiToken"`,
  `SELECT id, "consortiumId", slug, name, description FROM "Project"`,
  `SELECT id, "projectId", name, description FROM "Dataset"`,
  `SELECT id, "datasetId", number, "contentHash", "sampleCount" FROM "DatasetVersion"`,
  `SELECT id, "datasetId", "externalId", "contentHash" FROM "Sample"`,
  `SELECT "versionId", "sampleId", position FROM "DatasetVersionSample"`,
  `SELECT id, "consortiumId", name, version, sha256 FROM "EmbeddingModel"`,
  `SELECT id, action, "targetId" FROM "AuditEvent"`,
  `SELECT id, "consortiumId", email, role, "siteId", "acceptedAt", "acceptedById", "revokedAt", "expiresAt" FROM "Invitation"`,
];

/** A fingerprint of every row the core mutations can touch: equal snapshots = nothing changed. One round trip. */
export async function snapshot(store: Store): Promise<string[]> {
  const parts = SNAPSHOT_TABLES.map(
    (select, i) =>
      `SELECT ${i} AS i, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h, count(*)::int AS n FROM (${select}) t`,
  );
  const r = await store.sql.query<{ i: number; h: string; n: number }>(`${parts.join(" UNION ALL ")} ORDER BY i`);
  return r.rows.map((row) => `${SNAPSHOT_TABLES[row.i]!.split("FROM")[1]!.trim()}:${row.n}:${row.h}`);
}

/** Polls a Job row (numeric id, or the global ID the API gave) until it has ended; throws after timeoutMs. */
export async function waitJob(store: Store, job: number | string, timeoutMs = 60_000) {
  const id = typeof job === "number" ? job : decodeIdOrNull(job, "Job");
  if (id === null) throw new Error(`waitJob: ${job} is not a Job ID`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await store.prisma.job.findUniqueOrThrow({ where: { id } });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status)) return row;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${row.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
