export * from "./bus.js";
export { Channel, pump, type PumpStep } from "./channel.js";
export { LiveAuthorizer, type Subscriber as LiveSubscriber } from "./authorize.js";
export { InProcessEventBus } from "./in-process.js";
export { PgNotifyEventBus } from "./pg-notify.js";
export { PresenceTracker, PRESENCE_HEARTBEAT_MS, PRESENCE_TTL_MS, type PresenceEntry } from "./presence.js";
import type { Store } from "@stratum/db";
import type { EventBus } from "./bus.js";
import { InProcessEventBus } from "./in-process.js";
import { PgNotifyEventBus } from "./pg-notify.js";

/** The adapter that fits the store: LISTEN/NOTIFY on PostgreSQL, in-process on PGlite. */
export async function createEventBus(store: Store): Promise<EventBus> {
  return store.kind === "postgres" ? PgNotifyEventBus.open(store) : new InProcessEventBus(store);
}
