import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Prisma } from "@stratum/db";
import type { Context } from "../../context.js";
import { AppError } from "../../graphql/errors.js";
import { decodeId } from "../../graphql/ids.js";
import { canRead, requireRole } from "../../auth/access.js";
import { audit } from "../../audit/audit.js";
import { resolveUpload } from "../upload/upload.service.js";
import { EmbeddingModel } from "./embedding-model.type.js";
import type { EmbeddingModelRegisterInput } from "./embedding-model.input.js";

export async function visibleEmbeddingModel(ctx: Context, id: number): Promise<EmbeddingModel | null> {
  const row = await ctx.loaders.embeddingModel.load(id);
  if (!row || !(await canRead(ctx, row.consortiumId))) return null;
  return EmbeddingModel.from(row);
}

export async function registerEmbeddingModel(ctx: Context, input: EmbeddingModelRegisterInput): Promise<EmbeddingModel> {
  const consortiumId = decodeId(input.consortiumId, "Consortium", ["consortiumId"]);
  await requireRole(ctx, consortiumId, "CURATOR", ["consortiumId"], "consortium");
  const upload = await resolveUpload(ctx, input.uploadId, ["uploadId"]);
  // Loaded lazily: onnxruntime is only needed when a model is registered or run.
  const embed = await import("@stratum/embed");
  let registered: Awaited<ReturnType<typeof embed.registerModel>>;
  try {
    registered = await embed.registerModel(upload.path, input.config);
  } catch (error) {
    if (error instanceof embed.EmbedError) {
      const message = error.message.split(upload.path).join(upload.filename);
      const code = (error as { code?: string }).code;
      const field = /config|input|output|preprocess|name|version/i.test(code ?? "") ? ["config"] : ["uploadId"];
      throw new AppError("BAD_FILE", `${message}${code ? ` [${code}]` : ""}`, field);
    }
    throw error;
  }
  const config = registered.config;
  const name = config.name;
  const version = config.version ?? "1";
  const existing = await ctx.prisma.embeddingModel.findUnique({
    where: { consortiumId_name_version: { consortiumId, name, version } },
  });
  if (existing) throw new AppError("CONFLICT", `model "${name}" version ${version} is already registered`, ["config"]);
  const dir = path.join(ctx.app.config.filesDir, "models");
  await mkdir(dir, { recursive: true });
  const filePath = path.join(dir, `${registered.sha256}.onnx`);
  await copyFile(upload.path, filePath);
  return ctx.prisma.$transaction(async (tx) => {
    const row = await tx.embeddingModel.create({
      data: {
        consortiumId,
        name,
        version,
        kind: "ONNX",
        sha256: registered.sha256,
        filePath,
        dim: registered.dim,
        config: config as unknown as Prisma.InputJsonValue,
        description: input.description ?? registered.label,
      },
    });
    await audit(tx, ctx, "embeddingModelRegister", { type: "EmbeddingModel", id: row.id, consortiumId }, {
      name,
      version,
      sha256: registered.sha256,
      dim: registered.dim,
    });
    return EmbeddingModel.from(row);
  });
}
