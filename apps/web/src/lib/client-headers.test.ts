// The browser's address as the API will see it through the web app: decided from the socket by
// server.mjs (client-address.mjs), passed on by the /api proxy (clientHeaders), never taken from the
// client's own X-Forwarded-For.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileTrust, resolveClient, stampClient } from "../../server/client-address.mjs";
import { clientHeaders } from "./client-headers";

describe("resolveClient (server.mjs)", () => {
  it("ignores X-Forwarded-For and X-Forwarded-Proto from an untrusted peer (the default: no proxy in front)", () => {
    const none = compileTrust(undefined);
    expect(resolveClient({ remoteAddress: "::ffff:198.51.100.7", headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https" } }, none)).toEqual({ ip: "198.51.100.7", proto: "http" });
    expect(resolveClient({ remoteAddress: "198.51.100.7", encrypted: true, headers: {} }, none)).toEqual({ ip: "198.51.100.7", proto: "https" });
  });

  it("walks X-Forwarded-For from the right through trusted proxies only", () => {
    const trust = compileTrust("loopback, 10.0.0.0/8");
    // client-written 6.6.6.6, then the real client 203.0.113.5 as seen by the 10.x balancer, then nginx on loopback
    const r = resolveClient({ remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.1.2.3", "x-forwarded-proto": "https" } }, trust);
    expect(r).toEqual({ ip: "203.0.113.5", proto: "https" });
  });

  it("rejects a malformed trust list", () => {
    expect(() => compileTrust("10.0.0.0/99")).toThrow(/STRATUM_WEB_TRUST_PROXY/);
    expect(() => compileTrust("proxy.example")).toThrow(/STRATUM_WEB_TRUST_PROXY/);
  });
});

describe("stampClient over a real socket, then clientHeaders", () => {
  let server: http.Server;
  let url: string;
  let seen: http.IncomingHttpHeaders = {};
  beforeAll(async () => {
    const trusted = compileTrust(undefined);
    server = http.createServer((req, res) => {
      stampClient(req, trusted);
      seen = req.headers;
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("overwrites a client-sent x-stratum-client-ip with the socket's address", async () => {
    await fetch(url, { headers: { "x-stratum-client-ip": "203.0.113.99", "x-forwarded-for": "203.0.113.98", "x-stratum-client-proto": "https" } });
    expect(seen["x-stratum-client-ip"]).toBe("127.0.0.1");
    expect(seen["x-stratum-client-proto"]).toBe("http");
    const forwarded = clientHeaders(new Headers(seen as Record<string, string>), { STRATUM_WEB_CLIENT_HEADERS: "1" });
    expect(forwarded).toEqual({ "x-stratum-client-ip": "127.0.0.1", "x-stratum-client-proto": "http" });
    expect(forwarded).not.toHaveProperty("x-forwarded-for");
  });

  it("sends nothing under plain `next start` (no server.mjs to vouch for the header)", () => {
    expect(clientHeaders(new Headers({ "x-stratum-client-ip": "203.0.113.99" }), {})).toEqual({});
  });
});
