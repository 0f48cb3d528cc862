import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents from the server's printed schema (apps/server/schema.graphql, written by
// `npm run build -w @stratum/server`). Output goes to src/gql/ (git-ignored, generated at build).
const config: CodegenConfig = {
  // STRATUM_SCHEMA overrides the path of the server's printed schema.
  schema: process.env.STRATUM_SCHEMA ?? "../server/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: true,
  generates: {
    "./src/gql/": {
      preset: "client",
      // Fragment masking: a component reads only the fields its own fragment declares (getFragmentData),
      // the page composes the fragments into its query (docs/architecture.md, web).
      presetConfig: { fragmentMasking: { unmaskFunctionName: "getFragmentData" } },
      config: {
        useTypeImports: true,
        // Enums as const objects: the type stays a union of string literals (as enumsAsTypes gave) and
        // the values exist at run time, so forms list the schema's choices (Strategy, Allocation…)
        // instead of re-declaring them.
        enumsAsConst: true,
        namingConvention: { enumValues: "keep" },
        avoidOptionals: { field: true, inputValue: false },
        defaultScalarType: "unknown",
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
        scalars: { ID: "string", DateTime: "string", DateTimeISO: "string", JSON: "unknown", JSONObject: "Record<string, unknown>", Seed: "number" },
      },
    },
  },
};

export default config;
