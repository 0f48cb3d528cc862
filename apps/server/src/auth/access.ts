// Authorization. Every resolver checks the caller's role on the consortium that owns the object:
//   reads:     const access = await canRead(ctx, consortiumId)            → Access | null (null = hide)
//   mutations: const access = await requireRole(ctx, consortiumId, "CURATOR", ["projectId"])
//              → Access, or throws AppError NOT_FOUND (not a member: we don't say it exists) or FORBIDDEN.
// An API token is bound to one consortium and narrows the role to min(token role, membership role).
import type { Membership, Role } from "@stratum/db";
import type { AuthChecker } from "type-graphql";
import type { Context, Viewer } from "../context.js";
import { AppError } from "../graphql/errors.js";

export const ROLES: readonly Role[] = ["VIEWER", "REVIEWER", "CURATOR", "OWNER"];
export const ROLE_RANK: Record<Role, number> = { VIEWER: 1, REVIEWER: 2, CURATOR: 3, OWNER: 4 };

export function atLeast(role: Role, min: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

export function lowerRole(a: Role, b: Role): Role {
  return ROLE_RANK[a] <= ROLE_RANK[b] ? a : b;
}

const requestMemberships = new WeakMap<Context, Promise<ReadonlyMap<number, Membership>>>();

/** The caller's effective access to one consortium. */
export interface Access {
  consortiumId: number;
  role: Role;
  /** When set, the caller sees sample URIs of this site only. */
  siteId: number | null;
  membershipId: number;
}

/** The caller's access to a consortium, or null when they have none (memberships via ctx.app.authCache). */
export async function accessTo(ctx: Context, consortiumId: number): Promise<Access | null> {
  const viewer = ctx.viewer;
  if (!viewer) return null;
  if (viewer.token && viewer.token.consortiumId !== consortiumId) return null;
  let memberships = requestMemberships.get(ctx);
  if (!memberships) {
    memberships = ctx.app.authCache.membershipsOf(viewer.userId, () => ctx.prisma.membership.findMany({ where: { userId: viewer.userId } }));
    requestMemberships.set(ctx, memberships); // one view per request, as the per-request loader gave
  }
  const membership = (await memberships).get(consortiumId);
  if (!membership) return null;
  const role = viewer.token ? lowerRole(viewer.token.role, membership.role) : membership.role;
  return { consortiumId, role, siteId: membership.siteId, membershipId: membership.id };
}

/** For reads: the caller's access when it is at least `minRole`, else null (the object is hidden). */
export async function canRead(
  ctx: Context,
  consortiumId: number | null | undefined,
  minRole: Role = "VIEWER",
): Promise<Access | null> {
  if (consortiumId == null) return null;
  const access = await accessTo(ctx, consortiumId);
  return access && atLeast(access.role, minRole) ? access : null;
}

export function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) throw new AppError("UNAUTHENTICATED", "sign in or send an API token first");
  return ctx.viewer;
}

/**
 * For mutations: the caller must hold at least `minRole` on the consortium. A caller without access
 * gets NOT_FOUND on `field` (same as a wrong ID); a member with a lower role gets FORBIDDEN.
 */
export async function requireRole(
  ctx: Context,
  consortiumId: number | null | undefined,
  minRole: Role,
  field: string[] | null = null,
  what = "object",
): Promise<Access> {
  requireViewer(ctx);
  const access = consortiumId == null ? null : await accessTo(ctx, consortiumId);
  if (!access) throw new AppError("NOT_FOUND", `no ${what} with this ID is visible to you`, field);
  if (!atLeast(access.role, minRole)) {
    throw new AppError("FORBIDDEN", `this needs the ${minRole} role or higher; you are ${access.role}`, field);
  }
  return access;
}

/** Whether a site-scoped caller may see this sample's URI. */
export function seesSite(access: Access | null, sampleSiteId: number | null): boolean {
  if (!access) return false;
  return access.siteId === null || access.siteId === sampleSiteId;
}

/**
 * The one auth checker behind @Authorized(): with no roles it means "signed in";
 * @Authorized("SESSION") additionally refuses API tokens (for things machines must not do, like
 * minting more tokens). Role checks on a consortium happen in services via requireRole.
 */
export const authChecker: AuthChecker<Context> = ({ context }, roles) => {
  if (!context.viewer) return false;
  if (roles.includes("SESSION") && context.viewer.token) return false;
  return true;
};
