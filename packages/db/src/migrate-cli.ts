// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite folder.
import { openStore } from "./store.js";
import { applyMigrations } from "./migrate.js";

const store = await openStore({ migrate: false });
try {
  const applied = await applyMigrations(store);
  console.log(
    applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.",
  );
} finally {
  await store.close();
}
