// Same-origin proxy to the API: /api/graphql → <API>/graphql, /api/samples/12/image → <API>/samples/12/image,
// /api/runs/3/manifest.jsonl → <API>/runs/3/manifest.jsonl. The upstream is read at request time
// (STRATUM_API_URL), so one build serves any deployment. Cookies pass both ways untouched. The client's
// X-Forwarded-* headers are not forwarded; the browser's address goes as x-stratum-client-ip (clientHeaders).
import type { NextRequest } from "next/server";
import { apiOrigin, readEnv } from "@/lib/env";
import { clientHeaders } from "@/lib/client-headers";

export const dynamic = "force-dynamic";

const FORWARD_REQUEST_HEADERS = ["accept", "authorization", "content-type", "cookie", "if-none-match", "user-agent", "range", "origin", "apollo-require-preflight"];
const DROP_RESPONSE_HEADERS = new Set(["content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "set-cookie"]);

async function forward(req: NextRequest, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path } = await ctx.params;
  const origin = apiOrigin(readEnv().upstreamApiUrl);
  const target = new URL(`${origin}/${path.map(encodeURIComponent).join("/")}`);
  target.search = req.nextUrl.search;

  const headers = new Headers();
  for (const name of FORWARD_REQUEST_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of Object.entries(clientHeaders(req.headers))) headers.set(name, value);

  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
  const send = () => fetch(target, { method: req.method, headers, body, redirect: "manual", cache: "no-store" });
  let upstream: Response;
  try {
    try {
      upstream = await send();
    } catch (err) {
      // A kept-alive socket the API closed while idle fails before the request is read: retry once.
      if (!isStaleSocket(err)) throw err;
      upstream = await send();
    }
  } catch (err) {
    const message = describe(err);
    console.error(`api proxy: ${req.method} ${target.pathname}: ${message}`);
    return Response.json(
      { errors: [{ message: `The API at ${origin} cannot be reached (${message}).`, extensions: { code: "API_UNREACHABLE" } }] },
      { status: 502 },
    );
  }

  const out = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROP_RESPONSE_HEADERS.has(name)) out.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) out.append("set-cookie", cookie);
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
}

export const GET = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}

function isStaleSocket(err: unknown): boolean {
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: string; message?: string } }).cause : undefined;
  return cause?.code === "UND_ERR_SOCKET" || cause?.code === "ECONNRESET" || /other side closed/i.test(cause?.message ?? "");
}
