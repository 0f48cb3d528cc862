// One lint config for the monorepo (flat config). Type-aware rules stay off to keep lint fast on 2 cores.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/.next/**", "**/generated/**", "apps/web/src/gql/**", "**/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "off",
    },
  },
  // Plain ESM scripts (bench suites, build scripts) run on Node.
  { files: ["**/*.mjs", "**/*.js"], languageOptions: { globals: { ...globals.node } } },
);
