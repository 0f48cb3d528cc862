import { Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { ConnectionArgs, paginate } from "../../graphql/connection.js";
import { InputArg, mutate } from "../../graphql/mutation.js";
import { registerNode } from "../../graphql/node.js";
import { Consortium } from "../consortium/consortium.type.js";
import { visibleConsortium } from "../consortium/consortium.service.js";
import { EmbeddingModel, EmbeddingModelConnection } from "./embedding-model.type.js";
import { EmbeddingModelRegisterInput, EmbeddingModelRegisterPayload } from "./embedding-model.input.js";
import { registerEmbeddingModel, visibleEmbeddingModel } from "./embedding-model.service.js";

registerNode("EmbeddingModel", visibleEmbeddingModel);

@Resolver(() => EmbeddingModel)
export class EmbeddingModelResolver {
  @FieldResolver(() => Consortium, { description: "The consortium that registered it." })
  consortium(@Root() model: EmbeddingModel, @Ctx() ctx: Context) {
    return visibleConsortium(ctx, model.consortiumId);
  }

  @Mutation(() => EmbeddingModelRegisterPayload, { description: "Registers an uploaded ONNX encoder. CURATOR." })
  @Authorized()
  embeddingModelRegister(
    @InputArg(() => EmbeddingModelRegisterInput) input: EmbeddingModelRegisterInput,
    @Ctx() ctx: Context,
  ) {
    return mutate(EmbeddingModelRegisterPayload, input, async () => ({
      embeddingModel: await registerEmbeddingModel(ctx, input),
    }));
  }
}

@Resolver(() => Consortium)
export class ConsortiumModelsResolver {
  @FieldResolver(() => EmbeddingModelConnection, { description: "Registered embedding models, by name and version." })
  embeddingModels(@Root() consortium: Consortium, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: Context) {
    return paginate({
      args,
      where: { consortiumId: consortium.dbId },
      order: [
        ["name", "asc"],
        ["version", "asc"],
        ["id", "asc"],
      ],
      findMany: (q) => ctx.prisma.embeddingModel.findMany(q),
      count: (w) => ctx.prisma.embeddingModel.count({ where: w }),
      map: EmbeddingModel.from,
    });
  }
}
