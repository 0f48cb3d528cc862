/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions, not types */
// Authentication over a live server: session cookies, bad passwords, the login rate limit, bearer tokens
// (valid, expired, revoked, malformed), and token scoping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../test/gql/index.js";
import { PASSWORD, TestClient, seedToken, seedUser, signIn, startTestServer, type TestServer } from "../test/harness.js";
import { sha256Hex } from "../auth/secrets.js";
import { createApp } from "../app.js";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

/** One graphql-ws request: resolves with the result, or rejects with the close event's code. */
function overWebSocket(
  server: TestServer,
  options: { token?: string; cookie?: string; origin?: string },
  query: string,
): Promise<any> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: server.url.replace(/^http/, "ws"),
    webSocketImpl: HeaderSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe(
      { query },
      {
        next: (value) => (result = value),
        error: (error) => {
          void client.dispose();
          reject(error);
        },
        complete: () => {
          void client.dispose();
          resolve(result);
        },
      },
    );
  });
}

const VIEWER = graphql(`
  query Viewer {
    viewer {
      user {
        id
        email
      }
      authenticatedWith
    }
  }
`);

const LOGIN = graphql(`
  mutation Login($input: SessionLoginInput!) {
    sessionLogin(input: $input) {
      user {
        email
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

const LOGOUT = graphql(`
  mutation Logout {
    sessionLogout {
      loggedOut
      errors {
        code
      }
    }
  }
`);

let server: TestServer;
let consortiumId: number;
let otherConsortiumId: number;

beforeAll(async () => {
  server = await startTestServer();
  consortiumId = (await server.store.prisma.consortium.create({ data: { slug: "auth-c", name: "C" } })).id;
  otherConsortiumId = (await server.store.prisma.consortium.create({ data: { slug: "auth-d", name: "D" } })).id;
});
afterAll(async () => {
  await server?.close();
});

describe("sessionLogin", () => {
  it("sets an HTTP-only SameSite=Lax cookie whose sha256 is the only thing stored", async () => {
    const { id, email } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const client = new TestClient(server);
    const setCookies: string[] = [];
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "mutation($i: SessionLoginInput!) { sessionLogin(input: $i) { user { email } errors { code } } }",
        variables: { i: { email: email.toUpperCase(), password: PASSWORD } },
      }),
    });
    setCookies.push(...response.headers.getSetCookie());
    const body = (await response.json()) as any;
    expect(body.data.sessionLogin).toEqual({ user: { email }, errors: [] });
    expect(setCookies).toHaveLength(1);
    const cookie = setCookies[0]!;
    expect(cookie).toMatch(/^stratum_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const secret = cookie.split(";")[0]!.split("=")[1]!;
    const sessions = await server.store.prisma.session.findMany({ where: { userId: id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).toBe(sha256Hex(secret));
    expect(sessions[0]!.tokenHash).not.toContain(secret);

    // The cookie authenticates later requests.
    client.cookies.set("stratum_session", secret);
    const viewer = await client.query(VIEWER);
    expect(viewer.data.viewer).toMatchObject({ user: { email }, authenticatedWith: "SESSION" });
  });

  it("signs in through Apollo Client, then logs out (the cookie stops working)", async () => {
    const { email } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const client = await signIn(server, email);
    expect((await client.query(VIEWER)).data.viewer.user.email).toBe(email);
    // The cookie is ignored on requests from another site's page.
    const crossSite = await client.raw<any>({ query: "{ viewer { user { id } } }" }, { origin: "https://evil.example" });
    expect(crossSite.json.data.viewer).toBeNull();
    const stolen = new Map(client.cookies);
    const out = await client.mutate(LOGOUT);
    expect(out.data.sessionLogout).toEqual({ loggedOut: true, errors: [] });
    expect(client.cookies.size).toBe(0);
    const replay = new TestClient(server);
    replay.cookies = stolen;
    expect((await replay.query(VIEWER)).data.viewer).toBeNull();
  });

  it("answers a wrong password with UNAUTHENTICATED in the payload and sets no cookie", async () => {
    const { email } = await seedUser(server.store);
    const client = new TestClient(server);
    const r = await client.mutate(LOGIN, { input: { email, password: "wrong" } });
    expect(r.errors).toEqual([]);
    expect(r.data.sessionLogin.user).toBeNull();
    expect(r.data.sessionLogin.errors).toEqual([
      { code: "UNAUTHENTICATED", field: null, message: "email or password is wrong" },
    ]);
    expect(client.cookies.size).toBe(0);
    // Unknown email: same answer (no account enumeration).
    const unknown = await client.mutate(LOGIN, { input: { email: "nobody@example.org", password: "x" } });
    expect(unknown.data.sessionLogin.errors[0]!.code).toBe("UNAUTHENTICATED");
  });

  it("validates input into the payload: a malformed email is VALIDATION on input.email", async () => {
    const client = new TestClient(server);
    const r = await client.mutate(LOGIN, { input: { email: "not-an-email", password: "x" } });
    expect(r.data.sessionLogin.errors).toEqual([
      expect.objectContaining({ code: "VALIDATION", field: ["input", "email"] }),
    ]);
  });

  it("rate-limits: after 5 failures per email and address within a minute even the right password is RATE_LIMITED", async () => {
    const { email } = await seedUser(server.store);
    const client = new TestClient(server);
    for (let i = 0; i < 5; i++) {
      const r = await client.mutate(LOGIN, { input: { email, password: `wrong-${i}` } });
      expect(r.data.sessionLogin.errors[0]!.code).toBe("UNAUTHENTICATED");
    }
    const blocked = await client.mutate(LOGIN, { input: { email, password: PASSWORD } });
    expect(blocked.data.sessionLogin.user).toBeNull();
    expect(blocked.data.sessionLogin.errors[0]!.code).toBe("RATE_LIMITED");
    expect(blocked.data.sessionLogin.errors[0]!.message).toMatch(/try again in \d+ s/);
    expect(client.cookies.size).toBe(0);
    // The same account from another client behind the web app's proxy is not: the proxy (a trusted peer,
    // loopback by default) names the browser in x-stratum-client-ip. The account's 5 failures are still
    // free (backoff starts after them).
    const behindProxy = await client.raw<any>(
      {
        query: "mutation($i: SessionLoginInput!) { sessionLogin(input: $i) { errors { code } } }",
        variables: { i: { email, password: PASSWORD } },
      },
      { "x-stratum-client-ip": "203.0.113.9" },
    );
    expect(behindProxy.json.data.sessionLogin.errors).toEqual([]);
    // The failures were audited with the address the server trusted.
    const failures = await server.store.prisma.auditEvent.findMany({ where: { action: "sessionLoginFailed", details: { path: ["email"], equals: email } } });
    expect(failures).toHaveLength(5);
    expect(failures.every((e) => (e.details as { ip?: string }).ip === "127.0.0.1")).toBe(true);
    // Another account from the same address is not affected.
    const other = await seedUser(server.store);
    const ok = await client.mutate(LOGIN, { input: { email: other.email, password: PASSWORD } });
    expect(ok.data.sessionLogin.errors).toEqual([]);
  });
});

describe("login rate limit across API replicas", () => {
  it("counts failures in the database: failures on two replicas add up, and a success on either clears them", async () => {
    // A second API process over the same database, with its own (fresh) limiter object.
    const replica = await createApp({ store: server.store, config: { nodeEnv: "test", filesDir: server.filesDir, uploadDir: server.app.services.config.uploadDir, corsOrigins: ["http://localhost:3000"], loginMaxPerIp: 10_000 } });
    const { port, url } = await replica.listen(0, "127.0.0.1");
    try {
      const second: TestServer = { ...server, app: replica, base: `http://127.0.0.1:${port}`, url };
      const { email } = await seedUser(server.store);
      const onFirst = new TestClient(server);
      const onSecond = new TestClient(second);
      for (const [client, i] of [[onFirst, 0], [onSecond, 1], [onFirst, 2], [onSecond, 3]] as const) {
        const r = await client.mutate(LOGIN, { input: { email, password: `wrong-${i}` } });
        expect(r.data.sessionLogin.errors[0]!.code).toBe("UNAUTHENTICATED");
      }
      const counter = (key: string) => server.store.prisma.loginThrottle.findUnique({ where: { key } });
      expect((await counter(`pair:${email}|127.0.0.1`))?.count).toBe(4);
      expect((await counter(`acct:${email}`))?.count).toBe(4);
      // The fifth failure, on the first replica, blocks the account on the second one too.
      expect((await onFirst.mutate(LOGIN, { input: { email, password: "wrong-4" } })).data.sessionLogin.errors[0]!.code).toBe("UNAUTHENTICATED");
      const blocked = await onSecond.mutate(LOGIN, { input: { email, password: PASSWORD } });
      expect(blocked.data.sessionLogin.errors[0]).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/try again in ([1-9]|[1-5][0-9]|60) s/) });
      expect(onSecond.cookies.size).toBe(0);

      // Under the limit, a success on one replica clears the count that both see.
      const other = await seedUser(server.store);
      for (let i = 0; i < 4; i++) await onSecond.mutate(LOGIN, { input: { email: other.email, password: `wrong-${i}` } });
      expect((await onFirst.mutate(LOGIN, { input: { email: other.email, password: PASSWORD } })).data.sessionLogin.errors).toEqual([]);
      expect(await server.store.prisma.loginThrottle.count({ where: { key: { in: [`pair:${other.email}|127.0.0.1`, `acct:${other.email}`] } } })).toBe(0);
      expect((await onSecond.mutate(LOGIN, { input: { email: other.email, password: "wrong-again" } })).data.sessionLogin.errors[0]!.code).toBe("UNAUTHENTICATED");
    } finally {
      await replica.close();
    }
  });

  it("the per-address window reopens after a minute; the account's 6th failure then costs a 1 s backoff", async () => {
    const { email } = await seedUser(server.store);
    const client = new TestClient(server);
    for (let i = 0; i < 5; i++) await client.mutate(LOGIN, { input: { email, password: `wrong-${i}` } });
    expect((await client.mutate(LOGIN, { input: { email, password: PASSWORD } })).data.sessionLogin.errors[0]!.code).toBe("RATE_LIMITED");
    // Age the window past 60 s (the database's clock decides, not the server's).
    await server.store.sql.query(`UPDATE "LoginThrottle" SET "windowStart" = "windowStart" - interval '61 seconds' WHERE key = $1`, [`pair:${email}|127.0.0.1`]);
    expect((await client.mutate(LOGIN, { input: { email, password: "wrong-again" } })).data.sessionLogin.errors[0]!.code).toBe("UNAUTHENTICATED");
    expect((await server.store.prisma.loginThrottle.findUnique({ where: { key: `pair:${email}|127.0.0.1` } }))?.count).toBe(1);
    // Six consecutive failures on the account: the next attempt, from anywhere new, waits 1 s (it is delayed, not locked).
    const early = await client.mutate(LOGIN, { input: { email, password: PASSWORD } });
    expect(early.data.sessionLogin.errors[0]).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/try again in 1 s/) });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await client.mutate(LOGIN, { input: { email, password: PASSWORD } })).data.sessionLogin.errors).toEqual([]);
  });
});

describe("userPasswordChange", () => {
  const CHANGE = graphql(`
    mutation AuthUserPasswordChange($input: UserPasswordChangeInput!) {
      userPasswordChange(input: $input) {
        user {
          email
        }
        errors {
          code
          field
        }
      }
    }
  `);

  it("needs the current password, ends the other sessions, and the new password signs in", async () => {
    const { id, email } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const here = await signIn(server, email);
    const elsewhere = await signIn(server, email);
    const wrong = await here.mutate(CHANGE, { input: { currentPassword: "nope", newPassword: "a-new-password" } });
    expect(wrong.data.userPasswordChange.errors).toEqual([{ code: "UNAUTHENTICATED", field: ["input", "currentPassword"] }]);
    const short = await here.mutate(CHANGE, { input: { currentPassword: PASSWORD, newPassword: "short" } });
    expect(short.data.userPasswordChange.errors).toEqual([{ code: "VALIDATION", field: ["input", "newPassword"] }]);
    const { secret } = await seedToken(server.store, id, consortiumId, "VIEWER");
    const machine = await new TestClient(server, secret).mutate(CHANGE, {
      input: { currentPassword: PASSWORD, newPassword: "a-new-password" },
    });
    expect(machine.data.userPasswordChange.errors).toEqual([{ code: "FORBIDDEN", field: null }]);

    const ok = await here.mutate(CHANGE, { input: { currentPassword: PASSWORD, newPassword: "a-new-password" } });
    expect(ok.data.userPasswordChange).toEqual({ user: { email }, errors: [] });
    expect((await here.query(VIEWER)).data.viewer.user.email).toBe(email);
    expect((await elsewhere.query(VIEWER)).data.viewer).toBeNull();
    await expect(signIn(server, email)).rejects.toThrow(/sign-in failed/);
    expect((await signIn(server, email, "a-new-password")).cookies.size).toBe(1);
  });
});

describe("bearer API tokens", () => {
  it("authenticate machines and are bound to one consortium with min(token, membership) role", async () => {
    const { id } = await seedUser(server.store, [
      { consortiumId, role: "OWNER" },
      { consortiumId: otherConsortiumId, role: "OWNER" },
    ]);
    const { secret } = await seedToken(server.store, id, consortiumId, "VIEWER");
    const machine = new TestClient(server, secret);
    const r = await machine.query(graphql(`
      query AuthViewer($a: ID!, $b: ID!) {
        viewer {
          authenticatedWith
        }
        a: node(id: $a) {
          ... on Consortium {
            slug
            viewerRole
          }
        }
        b: node(id: $b) {
          id
        }
      }
    `), {
      a: Buffer.from(`Consortium:${consortiumId}`).toString("base64url"),
      b: Buffer.from(`Consortium:${otherConsortiumId}`).toString("base64url"),
    });
    expect(r.errors).toEqual([]);
    expect(r.data.viewer.authenticatedWith).toBe("API_TOKEN");
    expect(r.data.a).toEqual({ slug: "auth-c", viewerRole: "VIEWER" });
    expect(r.data.b).toBeNull(); // the other consortium is invisible through this token
    const token = await server.store.prisma.apiToken.findFirstOrThrow({ where: { tokenHash: sha256Hex(secret) } });
    expect(token.lastUsedAt).not.toBeNull();
  });

  it.each([
    ["expired", { expiresAt: new Date(Date.now() - 1000) }, "API token has expired"],
    ["revoked", { revokedAt: new Date() }, "API token was revoked"],
  ])("reject a %s token with 401 UNAUTHENTICATED", async (_kind, extra, message) => {
    const { id } = await seedUser(server.store, [{ consortiumId, role: "CURATOR" }]);
    const { secret } = await seedToken(server.store, id, consortiumId, "CURATOR", extra);
    const machine = new TestClient(server, secret);
    const raw = await machine.raw<any>({ query: "{ viewer { user { id } } }" });
    expect(raw.status).toBe(401);
    expect(raw.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(raw.json.errors[0].message).toContain(message);
    const viaApollo = await machine.query(VIEWER);
    expect(viaApollo.data?.viewer ?? null).toBeNull();
    expect(viaApollo.errors.length).toBeGreaterThan(0);
  });

  it("rejects unknown and malformed tokens with 401", async () => {
    const unknown = await new TestClient(server, "stm_" + "x".repeat(40)).raw<any>({ query: "{ me { id } }" });
    expect(unknown.status).toBe(401);
    expect(unknown.json.errors[0].message).toContain("not recognised");
    const malformed = await new TestClient(server).raw<any>({ query: "{ me { id } }" }, { authorization: "Basic abc" });
    expect(malformed.status).toBe(401);
  });

  it("apiTokenCreate shows the secret once; it works, lists by prefix only, and stops working once revoked", async () => {
    const { email } = await seedUser(server.store, [{ consortiumId, role: "CURATOR" }]);
    const person = await signIn(server, email);
    const cid = Buffer.from(`Consortium:${consortiumId}`).toString("base64url");
    const created = await person.mutate(
      graphql(`
        mutation AuthApiTokenCreate($input: ApiTokenCreateInput!) {
          apiTokenCreate(input: $input) {
            secret
            apiToken {
              id
              prefix
              role
              active
            }
            errors {
              code
              field
            }
          }
        }
      `),
      { input: { consortiumId: cid, name: "pipeline", role: "REVIEWER" } },
    );
    const payload = created.data.apiTokenCreate;
    expect(payload.errors).toEqual([]);
    expect(payload.secret).toMatch(/^stm_/);
    expect(payload.secret.startsWith(payload.apiToken.prefix)).toBe(true);
    expect(payload.apiToken).toMatchObject({ role: "REVIEWER", active: true });

    const machine = new TestClient(server, payload.secret);
    expect((await machine.query(VIEWER)).data.viewer.authenticatedWith).toBe("API_TOKEN");

    // A token cannot mint tokens; a person cannot mint a token above their role.
    const fromMachine = await machine.mutate(
      graphql(`
        mutation AuthApiTokenCreate2($input: ApiTokenCreateInput!) {
          apiTokenCreate(input: $input) {
            secret
            errors {
              code
            }
          }
        }
      `),
      { input: { consortiumId: cid, name: "x", role: "VIEWER" } },
    );
    expect(fromMachine.data.apiTokenCreate).toEqual({ secret: null, errors: [{ code: "FORBIDDEN" }] });
    const above = await person.mutate(
      graphql(`
        mutation AuthApiTokenCreate3($input: ApiTokenCreateInput!) {
          apiTokenCreate(input: $input) {
            secret
            errors {
              code
              field
            }
          }
        }
      `),
      { input: { consortiumId: cid, name: "x", role: "OWNER" } },
    );
    expect(above.data.apiTokenCreate.errors).toEqual([{ code: "FORBIDDEN", field: ["input", "role"] }]);

    const listed = await person.query(
      graphql(`
        query AuthConsortium($id: ID!) {
          consortium(id: $id) {
            apiTokens(first: 10) {
              nodes {
                id
                prefix
                name
              }
            }
          }
        }
      `),
      { id: cid },
    );
    expect(listed.errors).toEqual([]);
    expect(listed.data.consortium.apiTokens.nodes).toEqual([
      { id: payload.apiToken.id, prefix: payload.apiToken.prefix, name: "pipeline" },
    ]);
    expect(JSON.stringify(listed.data)).not.toContain(payload.secret);

    const revoked = await person.mutate(
      graphql(`
        mutation AuthApiTokenRevoke($input: ApiTokenRevokeInput!) {
          apiTokenRevoke(input: $input) {
            apiToken {
              active
              revokedAt
            }
            errors {
              code
            }
          }
        }
      `),
      { input: { apiTokenId: payload.apiToken.id } },
    );
    expect(revoked.data.apiTokenRevoke.errors).toEqual([]);
    expect(revoked.data.apiTokenRevoke.apiToken.active).toBe(false);
    expect((await machine.raw<any>({ query: "{ me { id } }" })).status).toBe(401);
  });
});

describe("graphql-ws connections", () => {
  it("authenticate with connectionParams.authorization or the session cookie; a bad token closes with 4403", async () => {
    const { id, email } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const { secret } = await seedToken(server.store, id, consortiumId, "VIEWER");
    const Q = "{ viewer { authenticatedWith user { email } } }";
    const viaToken = await overWebSocket(server, { token: secret }, Q);
    expect(viaToken.data.viewer).toEqual({ authenticatedWith: "API_TOKEN", user: { email } });

    const person = await signIn(server, email);
    const cookie = [...person.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const viaCookie = await overWebSocket(server, { cookie, origin: "http://localhost:3000" }, Q);
    expect(viaCookie.data.viewer.authenticatedWith).toBe("SESSION");
    // Another site's page cannot ride on the cookie (cross-site WebSocket hijacking).
    const crossSite = await overWebSocket(server, { cookie, origin: "https://evil.example" }, Q);
    expect(crossSite.data.viewer).toBeNull();

    await expect(overWebSocket(server, { token: "stm_" + "y".repeat(40) }, Q)).rejects.toMatchObject({ code: 4403 });
  });
});

describe("graphql-ws query limits", () => {
  it("refuse over-deep and over-complex operations on the socket with the same typed errors as HTTP", async () => {
    const { id } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const { secret } = await seedToken(server.store, id, consortiumId, "VIEWER");
    // 1 + 3 × 6 + 1 = 20 levels (the limit is 15), each a list of one item: deep but cheap.
    const deep = `{ consortium(id: "x") { ${"projects(first: 1) { nodes { consortium { ".repeat(6)} id ${"} } } ".repeat(6)} } }`;
    await expect(overWebSocket(server, { token: secret }, deep)).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "QUERY_TOO_DEEP", depth: 20, maxDepth: 15 }) }),
    ]);
    // A subscription: reviewActivity's decision reaches the sample's dataset, whose nested pages multiply.
    const complex = `subscription { reviewActivity(runId: "x") { decision { sample { dataset { project { consortium { projects(first: 100) { nodes { datasets(first: 100) { nodes { versions(first: 100) { nodes { id } } } } } } } } } } } } }`;
    await expect(overWebSocket(server, { token: secret }, complex)).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "QUERY_TOO_COMPLEX", maxComplexity: 50_000 }) }),
    ]);
    // Within the limits the same socket path answers normally.
    const fine = await overWebSocket(server, { token: secret }, "{ viewer { authenticatedWith } }");
    expect(fine.data.viewer.authenticatedWith).toBe("API_TOKEN");
  });
});

describe("graphql-ws re-checks credentials per operation", () => {
  /** One socket for several operations; `once` runs one and resolves with its result or error. */
  async function tokenSocket(secret: string) {
    const client = createClient({
      url: server.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false, // one socket for every operation
      connectionParams: { authorization: `Bearer ${secret}` },
    });
    const state = { closes: 0 };
    client.on("closed", () => state.closes++);
    const once = (query: string) =>
      new Promise<any>((resolve) => {
        let result: unknown;
        client.subscribe({ query }, { next: (v) => (result = v), error: (e) => resolve({ error: e }), complete: () => resolve(result) });
      });
    return { client, state, once };
  }

  it("a token revoked through the API while the socket is open stops working on that socket at once", async () => {
    const { id, email } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const token = await seedToken(server.store, id, consortiumId, "VIEWER");
    const { client, state, once } = await tokenSocket(token.secret);
    try {
      const before = await once("{ viewer { authenticatedWith } }");
      expect(before.data.viewer.authenticatedWith).toBe("API_TOKEN");
      const person = await signIn(server, email);
      const revoked = await person.mutate(
        graphql(`
          mutation AuthApiTokenRevoke2($input: ApiTokenRevokeInput!) {
            apiTokenRevoke(input: $input) {
              errors {
                code
              }
            }
          }
        `),
        { input: { apiTokenId: Buffer.from(`ApiToken:${token.id}`).toString("base64url") } },
      );
      expect(revoked.data.apiTokenRevoke.errors).toEqual([]);
      const after = await once("{ viewer { authenticatedWith } }");
      expect(JSON.stringify(after.error ?? after.errors)).toContain("revoked");
      expect(state.closes).toBe(0); // refused on the open socket, not by reconnecting
    } finally {
      await client.dispose();
    }
  });

  it("a token revoked elsewhere (another replica, or straight in the database) stops working within authCacheMs", async () => {
    const { id } = await seedUser(server.store, [{ consortiumId, role: "VIEWER" }]);
    const token = await seedToken(server.store, id, consortiumId, "VIEWER");
    const { client, state, once } = await tokenSocket(token.secret);
    try {
      const before = await once("{ viewer { authenticatedWith } }");
      expect(before.data.viewer.authenticatedWith).toBe("API_TOKEN");
      await server.store.prisma.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
      await new Promise((resolve) => setTimeout(resolve, server.app.services.config.authCacheMs + 50));
      const after = await once("{ viewer { authenticatedWith } }");
      expect(JSON.stringify(after.error ?? after.errors)).toContain("revoked");
      expect(state.closes).toBe(0);
    } finally {
      await client.dispose();
    }
  }, 20_000);
});

