import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { Site } from "./site.type.js";
import type { SiteCreateInput, SiteUpdateInput } from "./site.input.js";

export async function visibleSite(ctx: Context, id: number): Promise<Site | null> {
  const row = await ctx.loaders.site.load(id);
  if (!row || !(await canRead(ctx, row.consortiumId))) return null;
  return Site.from(row);
}

export async function createSite(ctx: Context, input: SiteCreateInput): Promise<Site> {
  const consortiumId = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  await requireRole(ctx, consortiumId, "OWNER", ["consortiumId"], "consortium");
  const existing = await ctx.prisma.site.findUnique({ where: { consortiumId_code: { consortiumId, code: input.code } } });
  if (existing) throw new AppError("CONFLICT", `a site with code "${input.code}" already exists`, ["code"]);
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.site.create({ data: { consortiumId, code: input.code, name: input.name } });
    await audit(tx, ctx, "siteCreate", { type: "Site", id: row.id, consortiumId }, { code: input.code });
    return Site.from(row);
  });
}

export async function updateSite(ctx: Context, input: SiteUpdateInput): Promise<Site> {
  const id = decodeId(input.siteId, "Site", ["siteId"]);
  const row = await ctx.loaders.site.load(id);
  await requireRole(ctx, row?.consortiumId, "OWNER", ["siteId"], "site");
  return ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.site.update({
      where: { id },
      data: { ...(input.name != null ? { name: input.name } : {}) },
    });
    await audit(tx, ctx, "siteUpdate", { type: "Site", id, consortiumId: updated.consortiumId }, { name: input.name });
    return Site.from(updated);
  });
}
