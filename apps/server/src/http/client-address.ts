// Who is on the other end of a request, and did they reach us over HTTPS — decided once per request
// (HTTP and WebSocket upgrades) from the socket, and from forwarded headers ONLY when the socket's peer
// is a configured proxy (STRATUM_TRUST_PROXY; loopback by default, where the bundled web app runs).
//
// From a trusted peer:
//  - X-Forwarded-For / X-Forwarded-Proto when the request carries X-Forwarded-For, walked with proxy-addr
//    (nginx and other reverse proxies append to it). x-stratum-client-ip is then ignored: a generic proxy
//    passes a browser's own x-stratum-client-ip through, so it must not outrank the proxy's own header;
//  - otherwise x-stratum-client-ip / x-stratum-client-proto, set by the web app's server
//    (apps/web/server.mjs) from its own socket, overwriting anything the browser sent (its /api route
//    never forwards X-Forwarded-For).
// From any other peer, all of these headers are ignored: the address is the socket's.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import proxyaddr from "proxy-addr";

export interface ClientInfo {
  /** The client's address (IPv4-mapped IPv6 written as IPv4). */
  ip: string;
  /** The client reached the edge over HTTPS (direct TLS, or a trusted proxy said so). */
  secure: boolean;
}

export type TrustFn = (address: string, hop: number) => boolean;

const CLIENT = Symbol("stratum.client");
type Annotated = IncomingMessage & { [CLIENT]?: ClientInfo };

/** "loopback" (default), "none"/"false", or a comma-separated list of addresses, CIDRs and proxy-addr names. */
export function compileTrust(list: string[] | false): TrustFn {
  if (list === false || list.length === 0) return () => false;
  return proxyaddr.compile(list);
}

export function normalizeIp(ip: string | undefined): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function resolveClient(req: IncomingMessage, trust: TrustFn): ClientInfo {
  const peer = normalizeIp(req.socket.remoteAddress);
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  if (!trust(peer, 0)) return { ip: peer, secure: tls };
  const own = req.headers["x-forwarded-for"] === undefined ? header(req, "x-stratum-client-ip")?.trim() : undefined;
  const ip = own && isIP(own) ? normalizeIp(own) : normalizeIp(proxyaddr(req, trust));
  const proto = (header(req, "x-stratum-client-proto") ?? header(req, "x-forwarded-proto") ?? "").split(",")[0]!.trim().toLowerCase();
  return { ip, secure: tls || proto === "https" };
}

/** Resolves the request's client once and keeps it on the request (clientIp/isSecure read it). */
export function annotateClient(req: IncomingMessage, trust: TrustFn): ClientInfo {
  const r = req as Annotated;
  return (r[CLIENT] ??= resolveClient(req, trust));
}

/** The client's address as annotated for this request; the socket's peer when it was not annotated. */
export function annotatedIp(req: { socket: { remoteAddress?: string | undefined } }): string {
  return (req as Annotated)[CLIENT]?.ip ?? normalizeIp(req.socket.remoteAddress);
}

export function annotatedSecure(req: object | undefined): boolean {
  return (req as Annotated | undefined)?.[CLIENT]?.secure ?? false;
}
