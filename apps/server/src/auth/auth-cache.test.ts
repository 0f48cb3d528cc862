import { describe, expect, it } from "vitest";
import type { Membership } from "@stratum/db";
import { AuthCache, type CachedSession } from "./auth-cache.js";

const session = (userId: number): CachedSession => ({
  kind: "session",
  sessionId: userId * 10,
  userId,
  email: `u${userId}@example.org`,
  name: "u",
  expiresAt: new Date(Date.now() + 60_000),
});

function counted<T>(value: () => T) {
  const calls = { n: 0 };
  return { calls, load: async () => (calls.n++, value()) };
}

describe("AuthCache", () => {
  it("shares one lookup between concurrent callers and reuses it within the TTL", async () => {
    const cache = new AuthCache(60_000);
    const { calls, load } = counted(() => session(1));
    const [a, b] = await Promise.all([cache.credential("h1", load), cache.credential("h1", load)]);
    expect(a).toBe(b);
    await cache.credential("h1", load);
    expect(calls.n).toBe(1);
  });

  it("looks up again once the TTL has passed, and on every call when the TTL is 0", async () => {
    const short = new AuthCache(20);
    const { calls, load } = counted(() => session(1));
    await short.credential("h", load);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await short.credential("h", load);
    expect(calls.n).toBe(2);
    const off = new AuthCache(0);
    await off.credential("h", load);
    await off.credential("h", load);
    expect(calls.n).toBe(4);
  });

  it("does not keep unknown credentials or failed lookups", async () => {
    const cache = new AuthCache(60_000);
    const unknown = counted(() => null);
    await cache.credential("nobody", unknown.load);
    await cache.credential("nobody", unknown.load);
    expect(unknown.calls.n).toBe(2);
    await expect(cache.credential("h", () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    const after = counted(() => session(1));
    await cache.credential("h", after.load);
    expect(after.calls.n).toBe(1);
  });

  it("forgetUser drops the user's credentials and memberships, and lookups still in flight", async () => {
    const cache = new AuthCache(60_000);
    const mine = counted(() => session(1));
    const theirs = counted(() => session(2));
    const memberships = counted(() => [{ id: 5, userId: 1, consortiumId: 7, role: "VIEWER", siteId: null } as Membership]);
    await cache.credential("mine", mine.load);
    await cache.credential("theirs", theirs.load);
    expect((await cache.membershipsOf(1, memberships.load)).get(7)?.role).toBe("VIEWER");
    let release!: () => void;
    const slow = cache.credential("in-flight", () => new Promise((resolve) => (release = () => resolve(session(3)))));
    cache.forgetUser(1);
    release();
    await slow;
    await cache.credential("mine", mine.load);
    await cache.credential("theirs", theirs.load);
    await cache.membershipsOf(1, memberships.load);
    const again = counted(() => session(3));
    await cache.credential("in-flight", again.load);
    expect([mine.calls.n, theirs.calls.n, memberships.calls.n, again.calls.n]).toEqual([2, 1, 2, 1]);
  });
});
