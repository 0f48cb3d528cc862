import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { Project } from "./project.type.js";
import type { ProjectCreateInput, ProjectUpdateInput } from "./project.input.js";

export async function visibleProject(ctx: Context, id: number): Promise<Project | null> {
  const row = await ctx.loaders.project.load(id);
  if (!row || !(await canRead(ctx, row.consortiumId))) return null;
  return Project.from(row);
}

export async function createProject(ctx: Context, input: ProjectCreateInput): Promise<Project> {
  const consortiumId = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  await requireRole(ctx, consortiumId, "CURATOR", ["consortiumId"], "consortium");
  const existing = await ctx.prisma.project.findUnique({ where: { consortiumId_slug: { consortiumId, slug: input.slug } } });
  if (existing) throw new AppError("CONFLICT", `a project with slug "${input.slug}" already exists`, ["slug"]);
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.project.create({
      data: { consortiumId, slug: input.slug, name: input.name, description: input.description ?? "" },
    });
    await audit(tx, ctx, "projectCreate", { type: "Project", id: row.id, consortiumId }, { slug: input.slug });
    return Project.from(row);
  });
}

export async function updateProject(ctx: Context, input: ProjectUpdateInput): Promise<Project> {
  const id = decodeId(input.projectId, "Project", ["projectId"]);
  const row = await ctx.loaders.project.load(id);
  await requireRole(ctx, row?.consortiumId, "CURATOR", ["projectId"], "project");
  const data: { name?: string; description?: string } = {};
  if (input.name != null) data.name = input.name;
  if (input.description != null) data.description = input.description;
  return ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.project.update({ where: { id }, data });
    await audit(tx, ctx, "projectUpdate", { type: "Project", id, consortiumId: updated.consortiumId }, data);
    return Project.from(updated);
  });
}
