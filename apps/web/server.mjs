#!/usr/bin/env node
// The web app's server: Next's request handler behind a plain node:http server, so that the /api proxy
// knows the browser's real address (issue 12, finding 3). Before Next sees a request, the socket's
// peer (or, from STRATUM_WEB_TRUST_PROXY peers, their X-Forwarded-For) is written into
// x-stratum-client-ip and the protocol into x-stratum-client-proto, overwriting anything the client
// sent; src/app/api/[...path]/route.ts forwards exactly those two to the API, which believes them only
// from its own trusted proxies (STRATUM_TRUST_PROXY, loopback by default).
//
//   node server.mjs [--dev] [-p PORT] [-H HOST]      (npm start / npm run dev at the repository root)
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileTrust, stampClient } from "./server/client-address.mjs";

const args = process.argv.slice(2);
const dev = args.includes("--dev");
const option = (names, fallback) => {
  const i = args.findIndex((a) => names.includes(a));
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const port = Number(option(["-p", "--port"], process.env.PORT ?? "3000"));
const hostname = option(["-H", "--hostname"], process.env.HOSTNAME_BIND ?? "0.0.0.0");
// Next reads NODE_ENV when it loads; production unless --dev.
process.env.NODE_ENV = dev ? "development" : "production";
// Tells the route that x-stratum-client-ip was written by this server (plain `next start` does not).
process.env.STRATUM_WEB_CLIENT_HEADERS = "1";

const trusted = compileTrust(process.env.STRATUM_WEB_TRUST_PROXY);
const { default: next } = await import("next");
const dir = path.dirname(fileURLToPath(import.meta.url));
const server = http.createServer();
const app = next({ dev, dir, hostname: hostname === "0.0.0.0" ? "localhost" : hostname, port, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();
server.on("request", (req, res) => {
  stampClient(req, trusted);
  void handle(req, res);
});
server.listen(port, hostname, () => {
  console.log(`web: ${dev ? "development" : "production"} server on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  });
}
