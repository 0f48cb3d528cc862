import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createEventBus, PgNotifyEventBus, PresenceTracker, type BusEvent, type EventBus } from "../index.js";

async function take<P>(it: AsyncIterator<BusEvent<P>>, n: number, timeoutMs = 10_000): Promise<BusEvent<P>[]> {
  const out: BusEvent<P>[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const r = await Promise.race([
      it.next(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), Math.max(1, deadline - Date.now()))),
    ]);
    if (r === "timeout") throw new Error(`expected ${n} events, got ${out.length} before the timeout`);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

let store: Store;
let bus: EventBus;

beforeAll(async () => {
  store = await openStore(await testStoreOptions());
  bus = await createEventBus(store);
});
afterAll(async () => {
  await bus?.close();
  await store?.close();
});

describe(`EventBus (${process.env.DATABASE_URL ? "pg-notify" : "in-process"})`, () => {
  it("publish(topic) returns increasing seqs and subscribe(topic) delivers live events in order", async () => {
    const sub = bus.subscribe<{ i: number }>("t:live");
    const first = sub.next(); // registers the head
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push(await bus.publish("t:live", { i }));
    await bus.publish("t:other", { i: 99 });
    const head = await first;
    const rest = await take(sub, 4);
    const got = [head.value as BusEvent<{ i: number }>, ...rest];
    expect(got.map((e) => e.payload.i)).toEqual([0, 1, 2, 3, 4]);
    expect(got.map((e) => e.seq)).toEqual(seqs);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    sub.close();
  });

  it("subscribe(topic, { afterSeq }) replays what was missed, then continues live", async () => {
    const a = await bus.publish("t:resume", { i: 0 });
    await bus.publish("t:resume", { i: 1 });
    await bus.publish("t:resume", { i: 2 });
    const sub = bus.subscribe<{ i: number }>("t:resume", { afterSeq: a });
    const replay = await take(sub, 2);
    expect(replay.map((e) => e.payload.i)).toEqual([1, 2]);
    await bus.publish("t:resume", { i: 3 });
    const live = await take(sub, 1);
    expect(live[0]?.payload.i).toBe(3);
    sub.close();
  });

  it("a subscriber slower than the producer loses nothing (overflow falls back to the table)", async () => {
    const sub = bus.subscribe<{ i: number }>("t:slow", { afterSeq: 0, maxQueued: 20 });
    const n = 150;
    for (let i = 0; i < n; i++) await bus.publish("t:slow", { i });
    const got = await take(sub, n);
    expect(got.map((e) => e.payload.i)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect((sub as unknown as { stats: { overflows: number } }).stats.overflows).toBeGreaterThan(0);
    sub.close();
  });

  it("many subscribers on one topic each get every event", async () => {
    const subs = Array.from({ length: 50 }, () => bus.subscribe<{ i: number }>("t:fan", { afterSeq: 0 }));
    for (let i = 0; i < 20; i++) await bus.publish("t:fan", { i });
    const all = await Promise.all(subs.map((s) => take(s, 20)));
    for (const got of all) expect(got.map((e) => e.payload.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    subs.forEach((s) => s.close());
  });

  it("concurrent publish() calls on one topic are all delivered, in seq order", async () => {
    const sub = bus.subscribe<{ i: number }>("t:burst", { afterSeq: 0 });
    const seqs = await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish("t:burst", { i })));
    const got = await take(sub, 100);
    expect(got.map((e) => e.seq)).toEqual([...seqs].sort((a, b) => a - b));
    const bySeq = new Map(seqs.map((seq, i) => [seq, i]));
    expect(got.map((e) => e.payload.i)).toEqual(got.map((e) => bySeq.get(e.seq)));
    // In one process the in-process bus also keeps call order (one writer, combined INSERTs).
    if (bus.kind === "in-process") expect(got.map((e) => e.payload.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    sub.close();
  });

  it("close() ends a pending next() with done", async () => {
    const sub = bus.subscribe("t:close");
    const pending = sub.next();
    await new Promise((r) => setTimeout(r, 50));
    sub.close();
    expect((await pending).done).toBe(true);
  });

  it("publish(topic, undefined) is refused", async () => {
    await expect(bus.publish("t:bad", undefined)).rejects.toThrow(/JSON/);
  });

  it("PresenceTracker lists viewers while they beat and drops them when they leave", async () => {
    const presence = new PresenceTracker(bus, 400);
    const lists: number[][] = [];
    const stop = presence.watch(7, (list) => lists.push(list.map((e) => e.userId)));
    const leave1 = presence.join(7, { id: 1, name: "Ann" }, "c1", 100);
    const leave2 = presence.join(7, { id: 2, name: "Bob" }, "c2", 100);
    await waitFor(() => presence.list(7).length === 2);
    await leave1();
    await waitFor(() => presence.list(7).length === 1);
    expect(presence.list(7).map((e) => e.name)).toEqual(["Bob"]);
    expect(lists.at(-1)).toEqual([2]);
    await leave2();
    stop();
    presence.close();
  });
});

describe.runIf(process.env.DATABASE_URL)("PgNotifyEventBus across processes' connections", () => {
  it("an event published on one bus reaches a subscriber of another bus, large payloads included", async () => {
    const other = await PgNotifyEventBus.open(store);
    try {
      const sub = other.subscribe<{ blob: string }>("t:cross", { afterSeq: 0 });
      const big = "x".repeat(20_000);
      await bus.publish("t:cross", { blob: "small" });
      await bus.publish("t:cross", { blob: big });
      const got = await take(sub, 2);
      expect(got.map((e) => e.payload.blob.length)).toEqual([5, 20_000]);
      sub.close();
    } finally {
      await other.close();
    }
  });

  it("a dropped LISTEN connection is re-established and missed events are read from the table", async () => {
    const other = await PgNotifyEventBus.open(store);
    try {
      const sub = other.subscribe<{ i: number }>("t:drop", { afterSeq: 0 });
      await bus.publish("t:drop", { i: 0 });
      expect((await take(sub, 1))[0]?.payload.i).toBe(0);
      other.simulateDisconnect();
      await bus.publish("t:drop", { i: 1 }); // published while the listener is down
      await bus.publish("t:drop", { i: 2 });
      const got = await take(sub, 2);
      expect(got.map((e) => e.payload.i)).toEqual([1, 2]);
      sub.close();
    } finally {
      await other.close();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met before the timeout");
    await new Promise((r) => setTimeout(r, 20));
  }
}
