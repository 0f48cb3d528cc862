// The live runtime of one API process: event bus, presence and job system, created once per app and
// reached from resolvers as ctx.app.extras.runtime. src/live.ts assembles it with the job handlers
// (createRuntime there); startRuntime() here takes them as given and picks adapters from the store:
// PGlite → in-process bus and queue; Postgres → LISTEN/NOTIFY and pg-boss (the API also works jobs
// unless STRATUM_API_WORKS_JOBS=false, when only `npm run worker` processes do).
import type { Store } from "@stratum/db";
import { createEventBus, LiveAuthorizer, PresenceTracker, type EventBus } from "../events/index.js";
import { createJobSystem, type JobSystem, type JobSystemOptions } from "./index.js";

const EVENT_RETENTION_MS = 7 * 24 * 3_600_000; // 7 days of stored events for resuming
const PRUNE_EVERY_MS = 3_600_000; // 1 h

export interface Runtime {
  bus: EventBus;
  presence: PresenceTracker;
  /** Re-checks subscribers' access on every event. */
  authorizer: LiveAuthorizer;
  jobs: JobSystem;
  close(): Promise<void>;
}

export async function startRuntime(store: Store, options: JobSystemOptions): Promise<Runtime> {
  const bus = await createEventBus(store);
  const presence = new PresenceTracker(bus);
  const authorizer = new LiveAuthorizer(store);
  const worksJobs = process.env.STRATUM_API_WORKS_JOBS?.trim().toLowerCase();
  const jobs = await createJobSystem(store, bus, { work: !(worksJobs === "false" || worksJobs === "0"), ...options });
  const prune = setInterval(() => void bus.prune(EVENT_RETENTION_MS).catch((e: Error) => console.error(`events: prune failed: ${e.message}`)), PRUNE_EVERY_MS);
  prune.unref();
  return {
    bus,
    presence,
    authorizer,
    jobs,
    async close() {
      clearInterval(prune);
      await jobs.close();
      presence.close();
      authorizer.close();
      await bus.close();
    },
  };
}

/** ctx.app.extras.runtime, typed; a clear fault when the app was created without one. */
export function runtimeOf(app: { extras: Record<string, unknown> }): Runtime {
  const runtime = app.extras.runtime as Runtime | undefined;
  if (!runtime) throw new Error("server runtime missing: createApp({ store, ...liveAppOptions(await createRuntime(store)) }) (src/live.ts)");
  return runtime;
}
