import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql instance: Vite would otherwise resolve our sources' `graphql` to index.mjs while
  // type-graphql (loaded by Node) gets index.js — two realms, "Cannot use GraphQLNonNull from another module".
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }] },
  test: {
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
