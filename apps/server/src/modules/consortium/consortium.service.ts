import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { canRead, requireRole, requireViewer } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { Consortium } from "./consortium.type.js";
import { Membership } from "../membership/membership.type.js";
import type { ConsortiumCreateInput, ConsortiumUpdateInput } from "./consortium.input.js";

export async function visibleConsortium(ctx: Context, id: number): Promise<Consortium | null> {
  if (!(await canRead(ctx, id))) return null;
  const row = await ctx.loaders.consortium.load(id);
  return row ? Consortium.from(row) : null;
}

export async function createConsortium(ctx: Context, input: ConsortiumCreateInput) {
  const viewer = requireViewer(ctx);
  if (viewer.token) throw new AppError("FORBIDDEN", "API tokens cannot create consortia; sign in as a person");
  if (await ctx.prisma.consortium.findUnique({ where: { slug: input.slug } })) {
    throw new AppError("CONFLICT", `a consortium with slug "${input.slug}" already exists`, ["slug"]);
  }
  const created = await ctx.prisma.$transaction(async (tx) => {
    const consortium = await tx.consortium.create({ data: { slug: input.slug, name: input.name } });
    const membership = await tx.membership.create({
      data: { userId: viewer.userId, consortiumId: consortium.id, role: "OWNER" },
    });
    await audit(tx, ctx, "consortiumCreate", { type: "Consortium", id: consortium.id, consortiumId: consortium.id }, {
      slug: input.slug,
    });
    return { consortium: Consortium.from(consortium), membership: Membership.from(membership) };
  });
  ctx.app.authCache.forgetUser(viewer.userId); // the creator is now its OWNER
  return created;
}

export async function updateConsortium(ctx: Context, input: ConsortiumUpdateInput) {
  const id = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  await requireRole(ctx, id, "OWNER", ["consortiumId"], "consortium");
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.consortium.update({
      where: { id },
      data: { ...(input.name != null ? { name: input.name } : {}) },
    });
    await audit(tx, ctx, "consortiumUpdate", { type: "Consortium", id, consortiumId: id }, { name: input.name });
    return Consortium.from(row);
  });
}
