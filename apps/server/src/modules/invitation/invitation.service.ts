// Invitations (issue 12, finding 2). An OWNER invites an email; the answer never depends on whether that
// email has an account (no name, no id, no "already exists"), and nothing is created for the invitee.
// The link's one-time token is the credential: whoever the inviter gives it to accepts —
//   - not signed in: they choose their own name and password; the account, the membership and a session
//     are created together. An email that already has an account cannot be taken over this way: it must
//     sign in first.
//   - signed in (a person, not an API token) with the invited email: the membership is added.
// Tokens are single-use (a conditional UPDATE marks them accepted inside the transaction that creates
// the membership), expire after INVITATION_TTL_MS and can be revoked. Only their sha256 is stored.
import { randomBytes } from "node:crypto";
import type { Context } from "../../context.js";
import type { Invitation as Row, Prisma } from "@stratum/db";
import { AppError, AppErrors } from "../../graphql/errors.js";
import { decodeId, toGlobalId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { hashPassword } from "../../auth/password.js";
import { newSessionSecret, sha256Hex } from "../../auth/secrets.js";
import { sessionCookieOptions } from "../../auth/session-cookie.js";
import { normalizeEmail } from "../user/user.service.js";
import { User } from "../user/user.type.js";
import { Membership } from "../membership/membership.type.js";
import { siteInConsortium } from "../membership/membership.service.js";
import { Invitation, InvitationPreview, statusOf, InvitationStatus } from "./invitation.type.js";
import { INVITATION_TOKEN, type InvitationAcceptInput, type InvitationCreateInput, type InvitationRevokeInput } from "./invitation.input.js";

export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
/** Pending invitations per consortium: anyone may create a consortium, so its invitations are bounded. */
export const MAX_PENDING = 500;

export function newInvitationToken(): string {
  return "inv_" + randomBytes(32).toString("base64url");
}

/** Invitations are seen by the consortium's OWNERs only (they hold emails of people who are not members). */
export async function visibleInvitation(ctx: Context, id: number): Promise<Invitation | null> {
  const row = await ctx.prisma.invitation.findUnique({ where: { id } });
  if (!row || !(await canRead(ctx, row.consortiumId, "OWNER"))) return null;
  return Invitation.from(row);
}

export async function createInvitation(ctx: Context, input: InvitationCreateInput) {
  const consortiumId = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  await requireRole(ctx, consortiumId, "OWNER", ["consortiumId"], "consortium");
  const siteId = input.siteId ? await siteInConsortium(ctx, input.siteId, consortiumId) : null;
  const email = normalizeEmail(input.email);
  const token = newInvitationToken();
  const row = await ctx.prisma.$transaction(async (tx) => {
    // Telling the OWNER that an email is already one of their own members reveals nothing they cannot
    // read in the member list; whether it has an account elsewhere is never consulted.
    const member = await tx.membership.findFirst({ where: { consortiumId, user: { email } }, select: { id: true } });
    if (member) throw new AppError("CONFLICT", `${email} is already a member of this consortium`, ["email"]);
    // A new invitation replaces a pending one for the same email (tokens cannot be shown again).
    const now = new Date();
    const pending = await tx.invitation.count({ where: { consortiumId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } } });
    if (pending >= MAX_PENDING) {
      throw new AppError("LIMIT_EXCEEDED", `this consortium has ${pending} pending invitations (at most ${MAX_PENDING}); revoke some first`, ["consortiumId"]);
    }
    const replaced = await tx.invitation.updateMany({
      where: { consortiumId, email, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now },
    });
    const created = await tx.invitation.create({
      data: {
        consortiumId,
        email,
        role: input.role,
        siteId,
        tokenHash: sha256Hex(token),
        invitedById: ctx.viewer!.userId,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      },
    });
    await audit(tx, ctx, "invitationCreate", { type: "Invitation", id: created.id, consortiumId }, {
      email,
      role: input.role,
      siteId: siteId && toGlobalId("Site", siteId),
      replaced: replaced.count,
    });
    return created;
  });
  return { invitation: Invitation.from(row), token, acceptPath: `/invite/${token}` };
}

async function findByToken(ctx: Context, token: string): Promise<Row | null> {
  if (!INVITATION_TOKEN.test(token)) return null;
  return ctx.prisma.invitation.findUnique({ where: { tokenHash: sha256Hex(token) } });
}

function refuseUnlessPending(row: Row): void {
  switch (statusOf(row)) {
    case InvitationStatus.ACCEPTED:
      throw new AppError("INVITATION_USED", "this invitation was already accepted; each link works once", ["token"]);
    case InvitationStatus.REVOKED:
      throw new AppError("INVITATION_REVOKED", "this invitation was withdrawn; ask the consortium for a new one", ["token"]);
    case InvitationStatus.EXPIRED:
      throw new AppError("INVITATION_EXPIRED", "this invitation has expired; ask the consortium for a new one", ["token"]);
    case InvitationStatus.PENDING:
      return;
  }
}

/** The accept page's view of a link: null for an unknown token. */
export async function previewInvitation(ctx: Context, token: string): Promise<InvitationPreview | null> {
  const row = await findByToken(ctx, token);
  if (!row) return null;
  const [consortium, site] = await Promise.all([
    ctx.prisma.consortium.findUniqueOrThrow({ where: { id: row.consortiumId }, select: { name: true } }),
    row.siteId === null ? null : ctx.loaders.site.load(row.siteId),
  ]);
  const viewer = ctx.viewer;
  const person = viewer && !viewer.token ? viewer : null;
  return Object.assign(new InvitationPreview(), {
    consortiumName: consortium.name,
    email: row.email,
    role: row.role,
    siteCode: site?.code ?? null,
    status: statusOf(row),
    expiresAt: row.expiresAt,
    signedInAsInvitee: person !== null && normalizeEmail(person.email) === row.email,
    signedInAs: person?.email ?? null,
  });
}

/**
 * Marks the invitation accepted, only if it still is pending (the conditional UPDATE takes the row lock:
 * of two concurrent accepts one wins, the other sees 0 rows), then adds the membership and the audit row.
 */
async function consume(tx: Prisma.TransactionClient, ctx: Context, row: Row, userId: number, newAccount: boolean) {
  const now = new Date();
  const taken = await tx.invitation.updateMany({
    where: { id: row.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { acceptedAt: now, acceptedById: userId },
  });
  if (taken.count !== 1) {
    refuseUnlessPending(await tx.invitation.findUniqueOrThrow({ where: { id: row.id } }));
    throw new AppError("INVITATION_USED", "this invitation was already accepted", ["token"]);
  }
  const existing = await tx.membership.findUnique({ where: { userId_consortiumId: { userId, consortiumId: row.consortiumId } } });
  if (existing) throw new AppError("CONFLICT", "you are already a member of this consortium", ["token"]);
  const membership = await tx.membership.create({
    data: { userId, consortiumId: row.consortiumId, role: row.role, siteId: row.siteId },
  });
  await audit(tx, ctx, "invitationAccept", { type: "Invitation", id: row.id, consortiumId: row.consortiumId }, {
    membership: toGlobalId("Membership", membership.id),
    role: row.role,
    newAccount,
  });
  return membership;
}

export async function acceptInvitation(ctx: Context, input: InvitationAcceptInput) {
  const row = await findByToken(ctx, input.token);
  if (!row) throw new AppError("NOT_FOUND", "no invitation has this token", ["token"]);
  refuseUnlessPending(row);
  const viewer = ctx.viewer;
  if (viewer) {
    if (viewer.token) throw new AppError("FORBIDDEN", "accept an invitation signed in as a person, not with an API token", ["token"]);
    if (normalizeEmail(viewer.email) !== row.email) {
      throw new AppError("FORBIDDEN", `this invitation is for ${row.email}; sign out, then open the link again`, ["token"]);
    }
    if (input.password != null || input.name != null) {
      throw new AppError("VALIDATION", "you are signed in: accept without a name or password", [input.password != null ? "password" : "name"]);
    }
    const membership = await ctx.prisma.$transaction((tx) => consume(tx, ctx, row, viewer.userId, false));
    ctx.app.authCache.forgetUser(viewer.userId);
    const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: viewer.userId } });
    return { membership: Membership.from(membership), user: User.from(user) };
  }

  // A new person: their own name and password; the account, membership and session in one go.
  if (!ctx.res) throw new AppError("INVALID_STATE", "accept over HTTP (POST /graphql), not over a WebSocket");
  const errors: AppError[] = [];
  if (!input.name?.trim()) errors.push(new AppError("VALIDATION", "expected your name", ["name"]));
  if (!input.password) errors.push(new AppError("VALIDATION", "expected a password of at least 8 characters", ["password"]));
  if (errors.length) throw new AppErrors(errors);
  const passwordHash = await hashPassword(input.password!); // outside the transaction: scrypt is slow
  const { config } = ctx.app;
  const secret = newSessionSecret();
  const expiresAt = new Date(Date.now() + config.sessionTtlMs);
  const result = await ctx.prisma.$transaction(async (tx) => {
    // The holder of the link learns that the email has an account only here, and only as "sign in first":
    // an existing account is never changed by someone who cannot sign in as it.
    const existing = await tx.user.findUnique({ where: { email: row.email }, select: { id: true } });
    if (existing) {
      throw new AppError("CONFLICT", `sign in as ${row.email} first, then open the link again to accept`, ["token"]);
    }
    const user = await tx.user.create({ data: { email: row.email, name: input.name!.trim(), passwordHash } });
    ctx.viewer = { userId: user.id, email: user.email, name: user.name, token: null, sessionId: null };
    const membership = await consume(tx, ctx, row, user.id, true);
    const session = await tx.session.create({ data: { userId: user.id, tokenHash: sha256Hex(secret), expiresAt } });
    ctx.viewer.sessionId = session.id;
    return { user, membership };
  }).catch((error: unknown) => {
    ctx.viewer = null;
    throw error;
  });
  ctx.res.cookie(config.cookieName, secret, { ...sessionCookieOptions(ctx), expires: expiresAt }); // as sessionLogin's
  return { membership: Membership.from(result.membership), user: User.from(result.user) };
}

export async function revokeInvitation(ctx: Context, input: InvitationRevokeInput): Promise<Invitation> {
  const id = decodeId(input.invitationId, "Invitation", ["invitationId"]);
  const row = await ctx.prisma.invitation.findUnique({ where: { id } });
  await requireRole(ctx, row?.consortiumId, "OWNER", ["invitationId"], "invitation");
  if (row!.acceptedAt) throw new AppError("INVITATION_USED", "this invitation was already accepted; remove the member instead", ["invitationId"]);
  if (row!.revokedAt) return Invitation.from(row!); // already withdrawn: nothing to do
  const updated = await ctx.prisma.$transaction(async (tx) => {
    const done = await tx.invitation.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    const current = await tx.invitation.findUniqueOrThrow({ where: { id } });
    if (done.count !== 1) {
      if (current.acceptedAt) throw new AppError("INVITATION_USED", "this invitation was just accepted; remove the member instead", ["invitationId"]);
      return current;
    }
    await audit(tx, ctx, "invitationRevoke", { type: "Invitation", id, consortiumId: row!.consortiumId }, { email: row!.email });
    return current;
  });
  return Invitation.from(updated);
}
