// The web app's configuration, read only here and validated once (server side, at request time).
//
//   NEXT_PUBLIC_API_URL  the API's GraphQL endpoint as the *browser* reaches it, used for the
//                        WebSocket (graphql-ws) connection. Default http://localhost:4000/graphql.
//   STRATUM_API_URL      the API's GraphQL endpoint as the *Next server* reaches it, used by the
//                        /api/* proxy. Defaults to NEXT_PUBLIC_API_URL.
//
// HTTP traffic from the browser goes to /api/graphql and /api/samples/:id/image on this origin and
// is forwarded by src/app/api/[...path]/route.ts, so the session cookie is first-party and no CORS is
// involved. Subscriptions cannot be proxied by `next start`, so the browser opens the WebSocket to the
// API directly; the cookie (host-only, set for "localhost") is sent there as well.

export interface WebEnv {
  /** Browser-facing GraphQL URL (http/https). */
  publicApiUrl: string;
  /** Browser-facing WebSocket URL for subscriptions. */
  wsUrl: string;
  /** Server-side upstream GraphQL URL for the proxy. */
  upstreamApiUrl: string;
}

const DEFAULT_API_URL = "http://localhost:4000/graphql";

function parseHttpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: expected an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${name}: expected protocol http: or https:, got ${url.protocol}`);
  }
  return url;
}

export function readEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const publicRaw = source.NEXT_PUBLIC_API_URL?.trim() || DEFAULT_API_URL;
  const publicUrl = parseHttpUrl("NEXT_PUBLIC_API_URL", publicRaw);
  const upstreamUrl = parseHttpUrl("STRATUM_API_URL", source.STRATUM_API_URL?.trim() || publicRaw);
  const ws = new URL(publicUrl.href);
  ws.protocol = publicUrl.protocol === "https:" ? "wss:" : "ws:";
  return { publicApiUrl: publicUrl.href, wsUrl: ws.href, upstreamApiUrl: upstreamUrl.href };
}

/** The API origin (scheme://host:port) that serves /graphql, /samples/:id/image, /runs/:id/manifest... */
export function apiOrigin(graphqlUrl: string): string {
  return new URL(graphqlUrl).origin;
}
