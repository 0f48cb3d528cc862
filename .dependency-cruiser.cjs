// `npm run check:cycles` (CI: next to "lint and typecheck"): no import cycle in any package's or app's
// src, and the directions docs/architecture.md ("What may import what") allows. Runtime imports only
// (tsPreCompilationDeps: false): `import type` is erased by the compiler and cannot change load order.
const others = (...names) => `^(packages/(${names.join("|")})|apps)/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "Import cycles: break them with an interface module (see jobs/enqueue.ts).", from: {}, to: { circular: true } },

    // Packages: the map of docs/architecture.md.
    { name: "engine-imports-nothing", severity: "error", comment: "engine ← (nothing): pure, no I/O.", from: { path: "^packages/engine/src/" }, to: { path: others("formats", "db", "embed", "cli") } },
    {
      name: "engine-no-node-builtins",
      severity: "error",
      comment: "The engine runs outside Node too (the manifest hash uses the engine's own sha256.ts). Tests may use node: modules; so may src/threads/ (@stratum/engine/threads, node only).",
      from: { path: "^packages/engine/src/", pathNot: "\\.test\\.ts$|/__tests__/|^packages/engine/src/threads/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "engine-core-imports-no-threads",
      severity: "error",
      comment: "engine/threads ← engine core, never the reverse: the pure core stays free of node: modules.",
      from: { path: "^packages/engine/src/", pathNot: "^packages/engine/src/threads/" },
      to: { path: "^packages/engine/src/threads/" },
    },
    { name: "formats-imports-none-of-ours", severity: "error", from: { path: "^packages/formats/src/" }, to: { path: others("engine", "db", "embed", "cli") } },
    { name: "db-imports-formats-only", severity: "error", from: { path: "^packages/db/src/" }, to: { path: others("engine", "embed", "cli") } },
    { name: "embed-imports-formats-only", severity: "error", from: { path: "^packages/embed/src/" }, to: { path: others("engine", "db", "cli") } },
    { name: "cli-imports-no-app", severity: "error", from: { path: "^packages/cli/src/" }, to: { path: "^apps/" } },
    { name: "server-imports-no-cli-or-web", severity: "error", from: { path: "^apps/server/src/" }, to: { path: "^(packages/cli|apps/web)/" } },
    {
      name: "web-imports-no-workspace-code",
      severity: "error",
      comment:
        "web ← generated GraphQL types only; the exceptions are pure data shared with the server: the map's binary layout codec (@stratum/formats/layout, issue 13), the parameter declaration (@stratum/engine/params, issue 15) and the seeded generator it uses (@stratum/engine/rng).",
      // The web is cruised from apps/web (for its tsconfig "@/…" paths), so its paths start with src/.
      from: { path: "^(apps/web/)?src/" },
      to: { path: "^(\\.\\./\\.\\./packages|\\.\\./server|packages|apps/server)/|^@stratum/", pathNot: "^(\\.\\./\\.\\./)?packages/(formats/(src|dist)/layout|engine/(src|dist)/(params|rng))\\.(ts|js)$" },
    },

    // Inside apps/server.
    { name: "server-cache-imports-db-only", severity: "error", comment: "cache/ imports only @stratum/db.", from: { path: "^apps/server/src/cache/", pathNot: "/__tests__/" }, to: { path: "^apps/server/src/", pathNot: "^apps/server/src/cache/" } },
    {
      name: "server-job-system-imports-no-handler",
      severity: "error",
      comment: "The job system gets its handlers from the process that starts it (src/live.ts, worker.ts); handlers call services.",
      from: { path: "^apps/server/src/jobs/", pathNot: "^apps/server/src/jobs/(handlers|__tests__)/" },
      to: { path: "^apps/server/src/(jobs/handlers|modules)/" },
    },
    {
      name: "server-layers-import-no-module",
      severity: "error",
      comment: "modules/* may import auth/, http/, audit/, not the reverse: those folders hold the primitives (authentication, route plumbing, the audit write); GraphQL resolvers and domain routes live in modules/ (session, audit, upload).",
      from: { path: "^apps/server/src/(auth|http|audit)/", pathNot: "/__tests__/" },
      to: { path: "^apps/server/src/modules/" },
    },
  ],
  options: {
    // Built output, generated clients and workspace packages' dist are leaves: rules see the edge, the
    // cruise does not walk inside them.
    doNotFollow: { path: "node_modules|(^|/)(dist|generated|gql)/" },
    exclude: { path: "(^|/)\\.next/" },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.base.json" },
    // Workspace packages resolve through their package.json "exports" (default condition) to dist.
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs"], exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], mainFields: ["main"] },
  },
};
