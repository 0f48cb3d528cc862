// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes the database from the
// existing migrations to prisma/schema.prisma. Offline replacement for `prisma migrate dev --create-only`:
// the WASM schema engine diffs against a throwaway in-memory PGlite (no native engine, no server).
// Usage: npm run migration:create -w @stratum/db -- <name>
import { readFileSync, readdirSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { createRequire } from "node:module";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";

// The package imports its .wasm as an ES module (a bundler convention Node lacks): instantiate it by hand.
const wasmPath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bg });
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();
const { SchemaEngine } = bg;

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: create-migration <name>");
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const schemaPath = path.join(root, "prisma/schema.prisma");
const migrationsDir = path.join(root, "prisma/migrations");
const schema = readFileSync(schemaPath, "utf8");

const dirs = existsSync(migrationsDir)
  ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];
const migrationDirectories = dirs.map((d) => ({
  path: d,
  migrationFile: {
    path: "migration.sql",
    content: { tag: "ok", value: readFileSync(path.join(migrationsDir, d, "migration.sql"), "utf8") },
  },
}));

function readIfExists(file) {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

const pg = new PGlite();
const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pg));
const engine = await SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, () => {}, adapter);
const result = await engine.diff({
  from: dirs.length
    ? {
        tag: "migrations",
        baseDir: migrationsDir,
        lockfile: { path: "migration_lock.toml", content: readIfExists(path.join(migrationsDir, "migration_lock.toml")) },
        shadowDbInitScript: "",
        migrationDirectories,
      }
    : { tag: "empty" },
  to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
await pg.close();
const sql = (result.stdout ?? "").trim();
if (!sql || /^-- This is an empty migration/.test(sql)) {
  console.log("Schema and migrations agree; nothing to write.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
writeFileSync(path.join(migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
console.log(`Wrote ${path.relative(root, dir)}/migration.sql`);
