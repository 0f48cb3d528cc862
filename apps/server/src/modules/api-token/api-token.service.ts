import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { accessTo, atLeast, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { API_TOKEN_VISIBLE, newApiTokenSecret, sha256Hex } from "../../auth/secrets.js";
import { ApiToken } from "./api-token.type.js";
import type { ApiTokenCreateInput, ApiTokenRevokeInput } from "./api-token.input.js";

/** Your own tokens, or any token of a consortium you OWN. */
export async function visibleApiToken(ctx: Context, id: number): Promise<ApiToken | null> {
  const row = await ctx.loaders.apiToken.load(id);
  if (!row || !ctx.viewer) return null;
  const access = await accessTo(ctx, row.consortiumId);
  if (!access) return null;
  if (row.userId !== ctx.viewer.userId && access.role !== "OWNER") return null;
  return ApiToken.from(row);
}

export async function createApiToken(ctx: Context, input: ApiTokenCreateInput) {
  const consortiumId = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  const access = await requireRole(ctx, consortiumId, "VIEWER", ["consortiumId"], "consortium");
  if (ctx.viewer!.token) {
    throw new AppError("FORBIDDEN", "an API token cannot create API tokens; sign in as a person");
  }
  if (!atLeast(access.role, input.role)) {
    throw new AppError("FORBIDDEN", `a token's role may not exceed yours (${access.role}); got ${input.role}`, ["role"]);
  }
  if (input.expiresAt && !(input.expiresAt.getTime() > Date.now())) {
    throw new AppError("VALIDATION", `expected a time in the future, got ${input.expiresAt.toISOString()}`, ["expiresAt"]);
  }
  const secret = newApiTokenSecret();
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: {
        userId: ctx.viewer!.userId,
        consortiumId,
        name: input.name,
        prefix: secret.slice(0, API_TOKEN_VISIBLE),
        tokenHash: sha256Hex(secret),
        role: input.role,
        expiresAt: input.expiresAt ?? null,
      },
    });
    await audit(tx, ctx, "apiTokenCreate", { type: "ApiToken", id: row.id, consortiumId }, {
      name: input.name,
      role: input.role,
      prefix: row.prefix,
    });
    return { apiToken: ApiToken.from(row), secret };
  });
}

export async function revokeApiToken(ctx: Context, input: ApiTokenRevokeInput): Promise<ApiToken> {
  const id = decodeId(input.apiTokenId, "ApiToken", ["apiTokenId"]);
  const row = await ctx.loaders.apiToken.load(id);
  const own = row !== null && row.userId === ctx.viewer?.userId;
  await requireRole(ctx, row?.consortiumId, own ? "VIEWER" : "OWNER", ["apiTokenId"], "API token");
  if (row!.revokedAt) throw new AppError("INVALID_STATE", "this token is already revoked", ["apiTokenId"]);
  const revoked = await ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await audit(tx, ctx, "apiTokenRevoke", { type: "ApiToken", id, consortiumId: row!.consortiumId }, {
      prefix: row!.prefix,
    });
    return ApiToken.from(updated);
  });
  ctx.app.authCache.forgetUser(row!.userId);
  return revoked;
}
