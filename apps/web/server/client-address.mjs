// The browser's address and protocol as this web server sees them, for the /api proxy to pass on
// (issue 12, finding 3). Next's own server only *adds* X-Forwarded-For when the request has none, so a
// browser that sends one is believed; and route handlers cannot reach the socket. server.mjs therefore
// decides here, from the socket, before Next sees the request, and overwrites x-stratum-client-ip /
// x-stratum-client-proto with the result (whatever the client sent under those names is dropped).
//
// STRATUM_WEB_TRUST_PROXY names peers in front of this server (a TLS-terminating nginx, a load balancer)
// whose X-Forwarded-For / X-Forwarded-Proto count: "none" (default: the web server is the edge),
// "loopback", or addresses/CIDRs separated by commas.
import { BlockList, isIP } from "node:net";

export const CLIENT_IP_HEADER = "x-stratum-client-ip";
export const CLIENT_PROTO_HEADER = "x-stratum-client-proto";

/** @param {string | undefined} ip */
export function normalizeIp(ip) {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

/**
 * @param {string | undefined} raw
 * @returns {(address: string) => boolean}
 */
export function compileTrust(raw) {
  const value = (raw ?? "").trim().toLowerCase();
  if (!value || value === "none" || value === "false") return () => false;
  const list = new BlockList();
  for (const entry of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (entry === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [address, bits] = entry.split("/");
    const family = isIP(address ?? "");
    if (!family) throw new Error(`STRATUM_WEB_TRUST_PROXY: "${entry}" is not an address or CIDR`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`STRATUM_WEB_TRUST_PROXY: bad prefix in "${entry}"`);
      list.addSubnet(address, prefix, type);
    }
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * @param {{ remoteAddress?: string, encrypted?: boolean, headers: Record<string, string | string[] | undefined> }} req
 * @param {(address: string) => boolean} trusted
 * @returns {{ ip: string, proto: "http" | "https" }}
 */
export function resolveClient(req, trusted) {
  const first = (/** @type {string | string[] | undefined} */ v) => (Array.isArray(v) ? v.join(",") : v);
  let ip = normalizeIp(req.remoteAddress);
  let proto = req.encrypted ? "https" : "http";
  if (!trusted(ip)) return { ip, proto };
  // Walk X-Forwarded-For from the right while the hop we are looking at is a trusted proxy.
  const hops = (first(req.headers["x-forwarded-for"]) ?? "").split(",").map((s) => normalizeIp(s.trim())).filter((s) => isIP(s));
  while (trusted(ip) && hops.length > 0) ip = hops.pop();
  const forwardedProto = (first(req.headers["x-forwarded-proto"]) ?? "").split(",")[0].trim().toLowerCase();
  if (forwardedProto === "https" || forwardedProto === "http") proto = forwardedProto;
  return { ip, proto };
}

/**
 * Overwrites the client headers on a Node request (before Next reads it).
 * @param {import("node:http").IncomingMessage} req
 * @param {(address: string) => boolean} trusted
 */
export function stampClient(req, trusted) {
  const { ip, proto } = resolveClient(
    { remoteAddress: req.socket.remoteAddress, encrypted: /** @type {any} */ (req.socket).encrypted === true, headers: req.headers },
    trusted,
  );
  req.headers[CLIENT_IP_HEADER] = ip;
  req.headers[CLIENT_PROTO_HEADER] = proto;
  // rawHeaders too: some Next paths rebuild headers from them.
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name !== CLIENT_IP_HEADER && name !== CLIENT_PROTO_HEADER) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  raw.push(CLIENT_IP_HEADER, ip, CLIENT_PROTO_HEADER, proto);
  req.rawHeaders.length = 0;
  req.rawHeaders.push(...raw);
}
