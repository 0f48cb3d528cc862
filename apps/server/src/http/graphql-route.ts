// /graphql over plain HTTP, from node:http straight into Apollo Server's executeHTTPGraphQLRequest (the
// entry point Apollo's own integrations use). Express's router, body-parser and the Express integration
// cost more than the run list's own work; every other route (uploads, images, layouts, exports, health)
// stays on Express. graphql-ws upgrades on the same path never reach this handler.
import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from "@apollo/server";
import type { Context, ResponseCookies, CookieOptions } from "../context.js";

const GRAPHQL_PATH = "/graphql";

/** True for /graphql, /graphql/ and either with a query string. */
export function isGraphqlPath(url: string | undefined): boolean {
  if (!url?.startsWith(GRAPHQL_PATH)) return false;
  const rest = url.slice(GRAPHQL_PATH.length);
  return rest === "" || rest === "/" || rest.startsWith("?") || rest.startsWith("/?");
}

export interface GraphqlRouteOptions {
  apollo: ApolloServer<Context>;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Answers CORS (true when it answered a preflight and nothing else is to be done). */
  cors(req: IncomingMessage, res: ServerResponse): boolean;
  /** The client's address and protocol are resolved by createApp (http/client-address.ts), not here. */
  context(req: IncomingMessage, transport: { cookies: ResponseCookies }): Promise<Context>;
}

/** A request that cannot reach GraphQL execution: answered as JSON with a code, like GraphQL errors. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function graphqlRoute(options: GraphqlRouteOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader("connection", "close"); // the rest of the body is not read
        if (!res.headersSent) sendJsonError(res, error.status, error.code, error.message);
        else res.end();
        return;
      }
      console.error("[http] /graphql fault:", error);
      if (!res.headersSent) sendJsonError(res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
      else res.destroy();
    });
  };
}

async function handle(options: GraphqlRouteOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (options.cors(req, res)) return;
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const text = await readBody(req, options.bodyLimit);
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: (req.method ?? "GET").toUpperCase(),
    headers,
    search: req.url!.includes("?") ? req.url!.slice(req.url!.indexOf("?")) : "",
    body: isJson(headers.get("content-type")) && text.length > 0 ? parseJson(text) : undefined,
  };
  const cookies = new SetCookies();
  const result = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest,
    context: () => options.context(req, { cookies }),
  });
  res.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) res.setHeader(name, value);
  if (cookies.lines.length > 0) res.setHeader("set-cookie", cookies.lines);
  if (result.body.kind === "complete") {
    // A known length instead of chunked encoding: the headers and body leave in one write.
    res.setHeader("content-length", Buffer.byteLength(result.body.string));
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  const tooLarge = () => new HttpError(413, "LIMIT_EXCEEDED", `request body is larger than ${limit} bytes`);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8");
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(";", 1)[0]!.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "BAD_REQUEST", `request body is not valid JSON: ${(error as Error).message}`.slice(0, 500));
  }
}

/** Set-Cookie lines a resolver asks for (session login and logout), sent with the response. */
class SetCookies implements ResponseCookies {
  readonly lines: string[] = [];

  cookie(name: string, value: string, options: CookieOptions): void {
    const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? "/"}`];
    if (options.expires) parts.push(`Expires=${options.expires.toUTCString()}`);
    if (options.httpOnly) parts.push("HttpOnly");
    if (options.secure) parts.push("Secure");
    if (options.sameSite) parts.push(`SameSite=${options.sameSite[0]!.toUpperCase()}${options.sameSite.slice(1)}`);
    this.lines.push(parts.join("; "));
  }

  clearCookie(name: string, options: CookieOptions): void {
    this.cookie(name, "", { ...options, expires: new Date(0) });
  }
}
