// What the /api proxy tells the API about the browser (issue 12, finding 3).

/**
 * The browser's address and protocol for the API (login throttling, audit, Secure cookies): only what
 * our own server (server.mjs) wrote from the socket, never the client's X-Forwarded-For, which Next
 * passes through untouched. Under plain `next start` nothing is sent, and the API sees this server.
 */
export function clientHeaders(incoming: Headers, env: Record<string, string | undefined> = process.env): Record<string, string> {
  if (env.STRATUM_WEB_CLIENT_HEADERS !== "1") return {};
  const out: Record<string, string> = {};
  const ip = incoming.get(CLIENT_IP_HEADER);
  const proto = incoming.get(CLIENT_PROTO_HEADER);
  if (ip) out[CLIENT_IP_HEADER] = ip;
  if (proto === "http" || proto === "https") out[CLIENT_PROTO_HEADER] = proto;
  return out;
}

const CLIENT_IP_HEADER = "x-stratum-client-ip";
const CLIENT_PROTO_HEADER = "x-stratum-client-proto";
