// Prisma CLI configuration. The app itself never reads this: @stratum/db opens PGlite or Postgres
// with a driver adapter and applies prisma/migrations on start.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/stratum" },
});
