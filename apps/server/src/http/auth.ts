// Authentication for plain HTTP routes (uploads, images): the same cookie/bearer rules as /graphql.
// A cookie is only honoured from an allowed Origin (or none) so that other sites cannot ride on it.
import type express from "express";
import { GraphQLError } from "graphql";
import type { AppServices, Viewer } from "../context.js";
import { authenticate } from "../auth/authenticate.js";
import { annotatedIp } from "./client-address.js";

export function originAllowed(services: AppServices, origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  if (services.config.corsOrigins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host; // same origin
  } catch {
    return false;
  }
}

/** Resolves the viewer or sends 401 and returns null. */
export async function viewerForRoute(
  services: AppServices,
  req: express.Request,
  res: express.Response,
): Promise<Viewer | null> {
  try {
    const authorization = req.headers.authorization;
    const cookie = originAllowed(services, req.headers.origin, req.headers.host) ? req.headers.cookie : undefined;
    const viewer = await authenticate(services, { authorization, cookie });
    if (!viewer) {
      res.status(401).json({ error: { code: "UNAUTHENTICATED", message: "sign in or send an API token first" } });
      return null;
    }
    return viewer;
  } catch (error) {
    if (error instanceof GraphQLError) {
      res.status(401).json({ error: { code: "UNAUTHENTICATED", message: error.message } });
      return null;
    }
    throw error;
  }
}

/**
 * The client's address, as createApp resolved it for this request (HTTP and WebSocket upgrades alike):
 * forwarded headers count only from STRATUM_TRUST_PROXY peers (http/client-address.ts). Never Express's
 * req.ip, which knows nothing of the web proxy's x-stratum-client-ip.
 */
export function clientIp(req: { ip?: string | undefined; socket: { remoteAddress?: string | undefined } }): string {
  return annotatedIp(req);
}
