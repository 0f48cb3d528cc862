import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { decodeIdOrNull } from "../../graphql/ids.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { Consortium } from "../consortium/consortium.type.js";
import { visibleConsortium } from "../consortium/consortium.service.js";
import { Project, ProjectConnection } from "./project.type.js";
import { ProjectCreateInput, ProjectCreatePayload, ProjectUpdateInput, ProjectUpdatePayload } from "./project.input.js";
import { createProject, updateProject, visibleProject } from "./project.service.js";

registerNode("Project", visibleProject);

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => Project, { nullable: true, description: "A project you can see; null otherwise." })
  project(@Arg("id", () => ID, { description: "Global ID of a Project." }) id: string, @Ctx() ctx: Context) {
    const dbId = decodeIdOrNull(id, "Project");
    return dbId === null ? null : visibleProject(ctx, dbId);
  }

  @FieldResolver(() => Consortium, { description: "The consortium that owns the project." })
  consortium(@Root() project: Project, @Ctx() ctx: Context) {
    return visibleConsortium(ctx, project.consortiumId);
  }

  @Mutation(() => ProjectCreatePayload, { description: "Creates a project. CURATOR." })
  @Authorized()
  projectCreate(@InputArg(() => ProjectCreateInput) input: ProjectCreateInput, @Ctx() ctx: Context) {
    return mutate(ProjectCreatePayload, input, async () => ({ project: await createProject(ctx, input) }));
  }

  @Mutation(() => ProjectUpdatePayload, { description: "Renames or re-describes a project. CURATOR." })
  @Authorized()
  projectUpdate(@InputArg(() => ProjectUpdateInput) input: ProjectUpdateInput, @Ctx() ctx: Context) {
    return mutate(ProjectUpdatePayload, input, async () => ({ project: await updateProject(ctx, input) }));
  }
}

@Resolver(() => Consortium)
export class ConsortiumProjectsResolver {
  @FieldResolver(() => ProjectConnection, { description: "The consortium's projects, by slug." })
  projects(@Root() consortium: Consortium, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { consortiumId: consortium.dbId },
      order: [
        ["slug", "asc"],
        ["id", "asc"],
      ],
      findMany: (q) => ctx.prisma.project.findMany(q),
      count: (w) => ctx.prisma.project.count({ where: w }),
      map: Project.from,
    });
  }
}
