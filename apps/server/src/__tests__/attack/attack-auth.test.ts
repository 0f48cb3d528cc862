/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Attacks on login, proxies, production mode and analysis cost, from outside, against running servers
// (issue 12, findings 3, 4 and the scrypt / analysis parts of 8). Each test asserts the denial and that
// nothing else changed. PGlite by default, PostgreSQL with DATABASE_URL.
//
// Two views of the same code: an "edge" server whose trusted proxy is some other machine (the test
// client is then a stranger talking to the API directly, as an attacker on the network is), and a
// "proxied" server with the default trust (loopback), where the test plays the web app's server and
// names the browser in x-stratum-client-ip, as apps/web/server.mjs does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, seedToken, seedUser, startTestServer, type TestServer } from "../../test/harness.js";
import { startLiveServer, type LiveServer } from "../../test/live-harness.js";
import { seedDataset, type SeededDataset } from "../../test/fixtures.js";
import { checkPassword, hashPassword, scryptInFlight } from "../../auth/password.js";
import { loadConfig } from "../../env.js";
import { createApp } from "../../app.js";
import { toGlobalId } from "../../graphql/ids.js";

const LOGIN = "mutation ($i: SessionLoginInput!) { sessionLogin(input: $i) { user { id } errors { code message } } }";

interface LoginResult {
  code: string | null;
  message: string | null;
  setCookie: string[];
}

/** One sessionLogin over plain HTTP with exactly these headers. */
async function login(server: TestServer, email: string, password: string, headers: Record<string, string> = {}): Promise<LoginResult> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: LOGIN, variables: { i: { email, password } } }),
  });
  const json = (await response.json()) as any;
  const error = json.data?.sessionLogin?.errors?.[0] ?? null;
  return { code: error?.code ?? null, message: error?.message ?? null, setCookie: response.headers.getSetCookie() };
}

async function failedAudits(server: TestServer, email: string) {
  const rows = await server.store.prisma.auditEvent.findMany({
    where: { action: "sessionLoginFailed", details: { path: ["email"], equals: email } },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => r.details as { ip?: string; reason?: string });
}

const codes = (results: LoginResult[]) => results.map((r) => r.code ?? "OK");
const count = (results: LoginResult[], code: string | null) => results.filter((r) => r.code === code).length;

let edge: TestServer;
let proxied: TestServer;

beforeAll(async () => {
  // The attacker is the direct peer and is not a trusted proxy (only 10.255.255.1 would be).
  edge = await startTestServer({ trustProxy: ["10.255.255.1"], loginMaxPerIp: 30 });
  proxied = await startTestServer({ loginMaxPerIp: 30 });
}, 120_000);

afterAll(async () => {
  await edge?.close();
  await proxied?.close();
});

describe("finding 3: the login rate limit holds", () => {
  it("rotating X-Forwarded-For or x-stratum-client-ip from an untrusted peer gives no extra guesses, and the audit log has the socket's address", async () => {
    const { email } = await seedUser(edge.store);
    const results: LoginResult[] = [];
    for (let i = 0; i < 12; i++) {
      results.push(await login(edge, email, `guess-${i}`, { "x-forwarded-for": `203.0.113.${i + 1}`, "x-stratum-client-ip": `198.51.100.${i + 1}` }));
    }
    expect(codes(results)).toEqual([...Array(5).fill("UNAUTHENTICATED"), ...Array(7).fill("RATE_LIMITED")]);
    // Even the right password is not checked now, from any rotated header.
    expect((await login(edge, email, PASSWORD, { "x-forwarded-for": "192.0.2.200" })).code).toBe("RATE_LIMITED");
    // Five checked guesses, five audit rows, each with the address the server actually saw.
    const audits = await failedAudits(edge, email);
    expect(audits).toHaveLength(5);
    expect(audits.every((a) => a.ip === "127.0.0.1" && a.reason === "password")).toBe(true);
    // The spoofed addresses got no counters of their own.
    expect(await edge.store.prisma.loginThrottle.count({ where: { key: { contains: "203.0.113." } } })).toBe(0);
    expect(await edge.store.prisma.loginThrottle.count({ where: { key: { contains: "198.51.100." } } })).toBe(0);
  });

  it("15 parallel guesses from one client: at most the limit (5) are checked against the password", async () => {
    const { email } = await seedUser(proxied.store);
    const results = await Promise.all(
      Array.from({ length: 15 }, (_, i) => login(proxied, email, `parallel-${i}`, { "x-stratum-client-ip": "198.51.100.20" })),
    );
    expect(count(results, "UNAUTHENTICATED")).toBe(5);
    expect(count(results, "RATE_LIMITED")).toBe(10);
    expect(await failedAudits(proxied, email)).toHaveLength(5);
    const pair = await proxied.store.prisma.loginThrottle.findUnique({ where: { key: `pair:${email}|198.51.100.20` } });
    expect(pair?.count).toBe(15); // every attempt counted, atomically
  });

  it("15 parallel guesses spread over two API replicas of one database: still 5 checked", async () => {
    const replicaApp = await createApp({ store: proxied.store, config: { ...proxied.app.services.config } });
    const { port, url } = await replicaApp.listen(0, "127.0.0.1");
    try {
      const replica: TestServer = { ...proxied, app: replicaApp, base: `http://127.0.0.1:${port}`, url };
      const { email } = await seedUser(proxied.store);
      const results = await Promise.all(
        Array.from({ length: 15 }, (_, i) => login(i % 2 ? replica : proxied, email, `replicas-${i}`, { "x-stratum-client-ip": "198.51.100.21" })),
      );
      expect(count(results, "UNAUTHENTICATED")).toBe(5);
      expect(count(results, "RATE_LIMITED")).toBe(10);
    } finally {
      await replicaApp.close();
    }
  });

  it("an attacker's failures from many addresses delay, never lock out, the victim: at once from an address they used before, after the bounded backoff from a new one", async () => {
    const { email } = await seedUser(proxied.store);
    const victimHome = { "x-stratum-client-ip": "192.0.2.50" };
    expect((await login(proxied, email, PASSWORD, victimHome)).code).toBeNull(); // the victim's usual address

    // A botnet: one guess per address (no per-address limit is reached).
    const attack: LoginResult[] = [];
    for (let i = 0; i < 9; i++) attack.push(await login(proxied, email, `botnet-${i}`, { "x-stratum-client-ip": `203.0.113.${100 + i}` }));
    // 5 free failures, the 6th costs 1 s of backoff; the guesses in that second are not checked.
    expect(codes(attack).slice(0, 6)).toEqual(Array(6).fill("UNAUTHENTICATED"));
    expect(codes(attack).slice(6)).toEqual(Array(3).fill("RATE_LIMITED"));
    expect(attack[6]!.message).toMatch(/try again in 1 s/);

    // The victim, from home, signs in at once: the account's backoff does not apply to a known address.
    const home = await login(proxied, email, PASSWORD, victimHome);
    expect(home.code).toBeNull();
    expect(home.setCookie.some((c) => c.startsWith("stratum_session="))).toBe(true);
  });

  it("a new address waits out the backoff, which never exceeds 15 minutes, then the right password works", async () => {
    const { email } = await seedUser(proxied.store);
    for (let i = 0; i < 6; i++) await login(proxied, email, `wrong-${i}`, { "x-stratum-client-ip": `203.0.113.${150 + i}` });
    const travelling = { "x-stratum-client-ip": "192.0.2.77" };
    const early = await login(proxied, email, PASSWORD, travelling);
    expect(early).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/try again in 1 s/) });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await login(proxied, email, PASSWORD, travelling)).code).toBeNull();

    // After a long campaign (100 consecutive failures booked) the wait is capped at 900 s, not 2^95 s.
    await proxied.store.sql.query(
      `INSERT INTO "LoginThrottle" (key, count, "windowStart", "nextAt", "updatedAt")
       VALUES ($1, 100, now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc')`,
      [`acct:${email}`],
    );
    expect((await login(proxied, email, "wrong-again", { "x-stratum-client-ip": "203.0.113.200" })).code).toBe("UNAUTHENTICATED");
    const capped = await login(proxied, email, PASSWORD, { "x-stratum-client-ip": "192.0.2.78" });
    expect(capped.code).toBe("RATE_LIMITED");
    const seconds = Number(/try again in (\d+) s/.exec(capped.message!)![1]);
    expect(seconds).toBeGreaterThan(890);
    expect(seconds).toBeLessThanOrEqual(900);
  });

  it("one address spraying many accounts is cut off after 30 attempts a minute; people who signed in from it before are not", async () => {
    const regular = await seedUser(proxied.store);
    expect((await login(proxied, regular.email, PASSWORD, { "x-stratum-client-ip": "198.51.100.99" })).code).toBeNull();
    const results: LoginResult[] = [];
    for (let i = 0; i < 32; i++) results.push(await login(proxied, `spray-${i}-${process.pid}@example.org`, "Winter2026!", { "x-stratum-client-ip": "198.51.100.99" }));
    expect(count(results, "UNAUTHENTICATED")).toBe(30);
    expect(codes(results).slice(30)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    // A colleague behind the same address (one NAT) who signed in from it before still can; a new account cannot.
    expect((await login(proxied, regular.email, PASSWORD, { "x-stratum-client-ip": "198.51.100.99" })).code).toBeNull();
    const newcomer = await seedUser(proxied.store);
    expect((await login(proxied, newcomer.email, PASSWORD, { "x-stratum-client-ip": "198.51.100.99" })).code).toBe("RATE_LIMITED");
    // Another address is not affected.
    const { email } = await seedUser(proxied.store);
    expect((await login(proxied, email, PASSWORD, { "x-stratum-client-ip": "198.51.100.98" })).code).toBeNull();
  });

  it("the audit log's ip is the trusted one: the web server's x-stratum-client-ip, or a reverse proxy's X-Forwarded-For, which a client's own x-stratum-client-ip cannot outrank", async () => {
    const { email } = await seedUser(proxied.store);
    // nginx in front of the API (trusted, loopback) appends the browser's address and passes on whatever
    // else the browser sent, here a forged x-stratum-client-ip.
    await login(proxied, email, "wrong", { "x-stratum-client-ip": "6.6.6.6", "x-forwarded-for": "192.0.2.44" });
    // The web app's server: x-stratum-client-ip and no X-Forwarded-For.
    await login(proxied, email, "wrong", { "x-stratum-client-ip": "192.0.2.33" });
    expect((await failedAudits(proxied, email)).map((a) => a.ip)).toEqual(["192.0.2.44", "192.0.2.33"]);
    // A successful login is audited with the same address.
    expect((await login(proxied, email, PASSWORD, { "x-stratum-client-ip": "192.0.2.33" })).code).toBeNull();
    const ok = await proxied.store.prisma.auditEvent.findFirst({ where: { action: "sessionLogin", targetId: toGlobalId("User", (await proxied.store.prisma.user.findUniqueOrThrow({ where: { email } })).id) } });
    expect((ok!.details as { ip?: string }).ip).toBe("192.0.2.33");
  });
});

describe("finding 4: production mode", () => {
  let prod: TestServer;
  beforeAll(async () => {
    prod = await startTestServer({ nodeEnv: "production" });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it("NODE_ENV unset means production; cookies are Secure per request (auto)", () => {
    const config = loadConfig({ STRATUM_DATA_DIR: "/tmp/stratum-config-check" });
    expect(config.nodeEnv).toBe("production");
    expect(config.cookieSecure).toBe("auto");
    expect(config.trustProxy).toEqual(["loopback"]);
    expect(loadConfig({ STRATUM_DATA_DIR: "/tmp/x", STRATUM_TRUST_PROXY: "none" }).trustProxy).toBe(false);
    expect(() => loadConfig({ STRATUM_DATA_DIR: "/tmp/x", STRATUM_TRUST_PROXY: "10.0.0.0/99" })).toThrow(/STRATUM_TRUST_PROXY/);
  });

  it("an anonymous caller's errors carry no stack trace", async () => {
    for (const body of [{ query: "{ nope }" }, { query: "query ($n: Int!) { viewer { user { id } } }", variables: { n: "x" } }, { query: "{" }]) {
      const response = await fetch(prod.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const text = await response.text();
      const json = JSON.parse(text);
      expect(json.errors.length).toBeGreaterThan(0);
      expect(text).not.toMatch(/stacktrace|at .*\.js:\d+/);
    }
  });

  it("(contrast) a development server does send stack traces and answers introspection", async () => {
    const dev = await startTestServer({ nodeEnv: "development" });
    try {
      const bad = await fetch(dev.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ nope }" }) });
      expect(await bad.text()).toMatch(/stacktrace/);
      const intro = await fetch(dev.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }) });
      expect(((await intro.json()) as any).data.__schema.queryType.name).toBe("Query");
    } finally {
      await dev.close();
    }
  });

  it("introspection is refused", async () => {
    const response = await fetch(prod.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __schema { types { name } } }" }) });
    const json = (await response.json()) as any;
    expect(json.data).toBeUndefined();
    expect(json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(json.errors[0].message).toMatch(/introspection/i);
  });

  it("the session cookie is Secure when a trusted proxy says the browser used HTTPS, and only then", async () => {
    const { email } = await seedUser(prod.store);
    const viaHttps = await login(prod, email, PASSWORD, { "x-stratum-client-ip": "192.0.2.10", "x-stratum-client-proto": "https" });
    expect(viaHttps.setCookie.find((c) => c.startsWith("stratum_session="))).toMatch(/; Secure/);
    const viaNginx = await login(prod, email, PASSWORD, { "x-forwarded-for": "192.0.2.11", "x-forwarded-proto": "https" });
    expect(viaNginx.setCookie.find((c) => c.startsWith("stratum_session="))).toMatch(/; Secure/);
    const plain = await login(prod, email, PASSWORD, { "x-stratum-client-ip": "192.0.2.10" });
    expect(plain.setCookie.find((c) => c.startsWith("stratum_session="))).not.toMatch(/Secure/);
    // From an untrusted peer the header means nothing.
    const { email: other } = await seedUser(edge.store);
    const spoofed = await login(edge, other, PASSWORD, { "x-forwarded-proto": "https" });
    expect(spoofed.code).toBeNull();
    expect(spoofed.setCookie.find((c) => c.startsWith("stratum_session="))).not.toMatch(/Secure/);
  });
});

describe("finding 8: password hashing at N = 2^17", () => {
  it("an old 2^14 hash signs in and is replaced by a 2^17 one; at most 2 hashes run at once (real parameters)", async () => {
    const previous = process.env.STRATUM_SCRYPT_LOG2_N;
    try {
      process.env.STRATUM_SCRYPT_LOG2_N = "14";
      const old = await hashPassword(PASSWORD);
      expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
      const { email } = await seedUser(proxied.store);
      await proxied.store.prisma.user.update({ where: { email }, data: { passwordHash: old } });

      process.env.STRATUM_SCRYPT_LOG2_N = "17"; // production's cost
      expect((await login(proxied, email, PASSWORD, { "x-stratum-client-ip": "192.0.2.90" })).code).toBeNull();
      const row = await proxied.store.prisma.user.findUniqueOrThrow({ where: { email } });
      expect(row.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect(row.passwordHash).not.toBe(old);
      expect((await checkPassword(PASSWORD, row.passwordHash)).needsRehash).toBe(false);
      expect((await login(proxied, email, PASSWORD, { "x-stratum-client-ip": "192.0.2.90" })).code).toBeNull();
      expect((await login(proxied, email, "wrong", { "x-stratum-client-ip": "192.0.2.90" })).code).toBe("UNAUTHENTICATED");

      // 4 checks at once (128 MiB each): never more than 2 in flight.
      let peak = 0;
      const timer = setInterval(() => (peak = Math.max(peak, scryptInFlight())), 5);
      const checks = await Promise.all(Array.from({ length: 4 }, () => checkPassword(PASSWORD, row.passwordHash)));
      clearInterval(timer);
      expect(checks.every((c) => c.ok)).toBe(true);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      if (previous === undefined) delete process.env.STRATUM_SCRYPT_LOG2_N;
      else process.env.STRATUM_SCRYPT_LOG2_N = previous;
    }
  }, 60_000);
});

describe("finding 8: analysis parameters have upper bounds", () => {
  let live: LiveServer;
  let seeded: SeededDataset;
  let curatorToken: string;
  beforeAll(async () => {
    live = await startLiveServer();
    seeded = await seedDataset(live.store, { n: 40, groups: 1, dim: 8, slug: "bounds-a" });
    const { id } = await seedUser(live.store, [{ consortiumId: seeded.consortiumId, role: "CURATOR" }], "bounds");
    curatorToken = (await seedToken(live.store, id, seeded.consortiumId, "CURATOR")).secret;
  }, 120_000);
  afterAll(async () => {
    await live?.close();
  });

  const START = "mutation ($input: AnalysisStartInput!) { analysisStart(input: $input) { analysis { id } errors { code field message } } }";
  async function start(params: Record<string, unknown>) {
    const response = await fetch(live.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${curatorToken}` },
      body: JSON.stringify({
        query: START,
        variables: { input: { datasetVersionId: toGlobalId("DatasetVersion", seeded.versionId), embeddingSetId: toGlobalId("EmbeddingSet", seeded.setId), params } },
      }),
    });
    return ((await response.json()) as any).data.analysisStart;
  }

  it.each([
    [{ nNeighbors: 5_000 }, "nNeighbors"],
    [{ perplexity: 1e6 }, "perplexity"],
    [{ minPts: 100_000 }, "minPts"],
    [{ eps: 1e9 }, "eps"],
    [{ pcaComponents: 4_096 }, "pcaComponents"],
    // Relative to this embedding set (40 samples of 8 dimensions): within the absolute bounds, above these.
    [{ perplexity: 20 }, "perplexity"],
    [{ nNeighbors: 40 }, "nNeighbors"],
    [{ minPts: 41 }, "minPts"],
    [{ pcaComponents: 9 }, "pcaComponents"],
  ])("%j → VALIDATION on input.params.%s, and no analysis or job row", async (params, field) => {
    const before = await Promise.all([live.store.prisma.confounderAnalysis.count(), live.store.prisma.job.count()]);
    const r = await start(params);
    expect(r.analysis).toBeNull();
    expect(r.errors).toEqual([expect.objectContaining({ code: "VALIDATION", field: ["input", "params", field] })]);
    expect(await Promise.all([live.store.prisma.confounderAnalysis.count(), live.store.prisma.job.count()])).toEqual(before);
  });

  it("parameters inside the bounds still start an analysis", async () => {
    const r = await start({ nNeighbors: 10, perplexity: 10, minPts: 5, pcaComponents: 4 });
    expect(r.errors).toEqual([]);
    expect(r.analysis.id).toBeTruthy();
  });
});
