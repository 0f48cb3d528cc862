// Who is reviewing a run right now. Ephemeral by design: each process keeps a map fed by heartbeat
// events that travel through the bus (never stored). A viewer that stops sending heartbeats (its
// socket died, its process crashed) drops out after `ttlMs`.
import type { EventBus } from "./bus.js";
import { topics } from "./bus.js";

export interface PresenceEntry {
  userId: number;
  name: string;
  /** Last heartbeat, ms since epoch. */
  seenAt: number;
}

interface Beat {
  userId: number;
  name: string;
  /** A viewer can have several sockets open; the entry lives while any of them beats. */
  connection: string;
  left?: boolean;
  at: number;
}

export const PRESENCE_HEARTBEAT_MS = 10_000; // 10 s
export const PRESENCE_TTL_MS = 25_000; // 2.5 heartbeats

/** One per process. Keeps per-run maps only while someone in this process watches that run. */
export class PresenceTracker {
  private readonly runs = new Map<
    number,
    { connections: Map<string, Beat>; watchers: Set<(list: PresenceEntry[]) => void>; off: () => void; lastKey: string }
  >();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    private readonly ttlMs = PRESENCE_TTL_MS,
  ) {
    this.sweep = setInterval(() => this.expire(), Math.max(250, Math.floor(ttlMs / 5)));
    this.sweep.unref();
  }

  /** Calls `onChange` with the present list whenever it changes; returns a function that stops watching. */
  watch(runId: number, onChange: (list: PresenceEntry[]) => void): () => void {
    let state = this.runs.get(runId);
    if (!state) {
      const connections = new Map<string, Beat>();
      const off = this.bus.onEphemeral<Beat>(topics.presence(runId), (beat) => this.onBeat(runId, beat));
      state = { connections, watchers: new Set(), off, lastKey: "" };
      this.runs.set(runId, state);
    }
    state.watchers.add(onChange);
    return () => {
      const s = this.runs.get(runId);
      if (!s) return;
      s.watchers.delete(onChange);
      if (s.watchers.size === 0) {
        s.off();
        this.runs.delete(runId);
      }
    };
  }

  /** Announces a viewer and keeps beating until the returned function is called (which announces leaving). */
  join(runId: number, user: { id: number; name: string }, connection: string, heartbeatMs = PRESENCE_HEARTBEAT_MS): () => Promise<void> {
    const beat = (left = false) =>
      this.bus
        .publishEphemeral<Beat>(topics.presence(runId), { userId: user.id, name: user.name, connection, left, at: Date.now() })
        .catch((error: Error) => console.error(`presence: heartbeat failed (${error.message})`));
    void beat();
    const timer = setInterval(() => void beat(), heartbeatMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await beat(true);
    };
  }

  list(runId: number): PresenceEntry[] {
    const state = this.runs.get(runId);
    if (!state) return [];
    const byUser = new Map<number, PresenceEntry>();
    for (const beat of state.connections.values()) {
      const prev = byUser.get(beat.userId);
      if (!prev || prev.seenAt < beat.at) byUser.set(beat.userId, { userId: beat.userId, name: beat.name, seenAt: beat.at });
    }
    return [...byUser.values()].sort((a, b) => a.userId - b.userId);
  }

  private onBeat(runId: number, beat: Beat): void {
    const state = this.runs.get(runId);
    if (!state) return;
    const key = `${beat.userId}/${beat.connection}`;
    // Use our clock for expiry: process clocks can disagree.
    if (beat.left) state.connections.delete(key);
    else state.connections.set(key, { ...beat, at: Date.now() });
    this.notify(runId);
  }

  private expire(): void {
    const cutoff = Date.now() - this.ttlMs;
    for (const [runId, state] of this.runs) {
      let changed = false;
      for (const [key, beat] of state.connections) {
        if (beat.at < cutoff) {
          state.connections.delete(key);
          changed = true;
        }
      }
      if (changed) this.notify(runId);
    }
  }

  private notify(runId: number): void {
    const state = this.runs.get(runId);
    if (!state) return;
    const list = this.list(runId);
    const key = list.map((e) => e.userId).join(",");
    if (key === state.lastKey) return; // heartbeats that change nothing are not news
    state.lastKey = key;
    for (const w of state.watchers) w(list);
  }

  close(): void {
    clearInterval(this.sweep);
    for (const state of this.runs.values()) state.off();
    this.runs.clear();
  }
}
