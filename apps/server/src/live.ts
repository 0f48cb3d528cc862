// The API process's composition root for live work: the job handlers and the export routes are
// wired here, by the process that starts the job system, and not inside jobs/ or modules/. The
// handlers call module services (import, composition), so a jobs/ module that imported them would
// close a cycle with every service that enqueues a job (checked: `npm run check:cycles`).
//   const runtime = await createRuntime(store, { storage });
//   const app = await createApp({ store, config, ...(await liveAppOptions(runtime)) });
import type { Store } from "@stratum/db";
import type { JobHandler, JobSystemOptions } from "./jobs/index.js";
import { defaultHandlers } from "./jobs/handlers/index.js";
import { startRuntime, type Runtime } from "./jobs/runtime.js";
import type express from "express";
import type { AppServices } from "./context.js";
import { exportRoutes } from "./modules/export/export.service.js";
import { subsetManifestRoute } from "./modules/subset/subset.export.js";

export type { Runtime } from "./jobs/runtime.js";

/** Event bus, presence and the job system with every job kind (`handlers` replaces them, for tests). */
export function createRuntime(store: Store, options: Omit<JobSystemOptions, "handlers"> & { handlers?: JobHandler[] } = {}): Promise<Runtime> {
  return startRuntime(store, { ...options, handlers: options.handlers ?? defaultHandlers() });
}

/** What createApp needs to serve jobs, subscriptions and the manifest download. */
export async function liveAppOptions(runtime: Runtime) {
  return {
    extras: { runtime },
    // Run manifests and saved subsets' manifests (GET /subsets/:id/manifest.jsonl|csv).
    routes: (app: express.Express, services: AppServices) => {
      exportRoutes(app, services);
      app.get("/subsets/:id/manifest.:format", subsetManifestRoute(services));
    },
    onClose: [() => runtime.close()],
  };
}
