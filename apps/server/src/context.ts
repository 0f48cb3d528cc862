// The per-request context: who is calling (viewer), the database, and fresh DataLoaders.
// Built for HTTP requests (cookie or bearer token) and for graphql-ws connections (cookie on the
// upgrade request, or connectionParams.authorization = "Bearer stm_…").
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type express from "express";
import type DataLoader from "dataloader";
import type { PrismaClient, Role, Store } from "@stratum/db";
import type { ServerConfig } from "./env.js";
import { createCoreLoaders, type CoreLoaders } from "./graphql/loaders.js";
import type { LoginRateLimiter } from "./auth/rate-limit.js";
import type { AuthCache } from "./auth/auth-cache.js";
import type { ChangeFeed } from "./cache/notified-cache.js";
import { annotatedSecure } from "./http/client-address.js";

/** Long-lived things the app holds; resolvers reach them through ctx.app. Extend by adding optional fields. */
export interface AppServices {
  store: Store;
  config: ServerConfig;
  loginLimiter: LoginRateLimiter;
  /** Sessions, API tokens and memberships looked up recently (see auth/auth-cache.ts). */
  authCache: AuthCache;
  /** Row-change notifications from the database, for the caches in cache/notified-cache.ts. */
  changes: ChangeFeed;
  /** Free slot for services other modules attach in createApp options (event bus, job queue…). */
  extras: Record<string, unknown>;
}

export interface ViewerToken {
  id: number;
  consortiumId: number;
  role: Role;
}

/** The authenticated caller. */
export interface Viewer {
  userId: number;
  email: string;
  name: string;
  /** Set when the caller authenticated with an API token: narrows access to one consortium and role. */
  token: ViewerToken | null;
  /** Set when the caller authenticated with a session cookie. */
  sessionId: number | null;
}

export interface CookieOptions {
  httpOnly?: boolean;
  sameSite?: "lax" | "strict" | "none";
  secure?: boolean;
  path?: string;
  expires?: Date;
}

/** What a resolver may do to the HTTP response: set or clear a cookie (Express's res does too). */
export interface ResponseCookies {
  cookie(name: string, value: string, options: CookieOptions): unknown;
  clearCookie(name: string, options: CookieOptions): unknown;
}

export interface Context {
  app: AppServices;
  prisma: PrismaClient;
  viewer: Viewer | null;
  loaders: CoreLoaders;
  /** A per-request loader registered under `name`, created on first use. */
  loader<L extends DataLoader<never, unknown, unknown>>(name: string, create: () => L): L;
  requestId: string;
  /** Client address, for rate limits and audit: trusted forwarded headers only (http/client-address.ts). */
  ip: string;
  /** The request reached the edge over HTTPS (sets the session cookie's Secure flag under COOKIE_SECURE=auto). */
  secure?: boolean;
  /** HTTP only (absent on WebSocket): used to set and clear the session cookie. */
  res?: ResponseCookies;
  req?: express.Request | IncomingMessage;
}

export function makeContext(
  app: AppServices,
  viewer: Viewer | null,
  transport: { ip: string; secure?: boolean; req?: express.Request | IncomingMessage; res?: ResponseCookies },
): Context {
  const extra = new Map<string, unknown>();
  return {
    app,
    prisma: app.store.prisma,
    viewer,
    loaders: createCoreLoaders(app.store),
    loader<L>(name: string, create: () => L): L {
      let loader = extra.get(name) as L | undefined;
      if (!loader) {
        loader = create();
        extra.set(name, loader);
      }
      return loader;
    },
    requestId: randomUUID(),
    ip: transport.ip,
    secure: transport.secure ?? annotatedSecure(transport.req),
    req: transport.req,
    res: transport.res,
  };
}
