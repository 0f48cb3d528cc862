// scrypt password hashes in the form `scrypt$N$r$p$salt$hash` (salt and hash base64url), node:crypto only.
// The parameters travel in the hash, so old hashes keep verifying after the cost goes up; a successful
// login with a hash made at other parameters gets a new one (needsRehash, used by modules/session/session.service.ts).
//
// Cost: N = 2^17, r = 8, p = 1 (OWASP's minimum for scrypt). One hash holds 128·N·r bytes = 128 MiB for
// ~0.3–0.5 s, so at most STRATUM_SCRYPT_CONCURRENCY (2) run at once and at most STRATUM_SCRYPT_QUEUE (64)
// wait; beyond that a login is refused as busy instead of queueing without bound (memory, latency).
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { scryptSettings } from "../env.js";
import { AppError } from "../graphql/errors.js";

const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

interface Params {
  N: number;
  r: number;
  p: number;
}

/** The parameters new hashes get (STRATUM_SCRYPT_LOG2_N, read on each call so tests may lower it). */
export function currentParams(): Params {
  return { N: 2 ** scryptSettings().log2N, r: R, p: P };
}

/** A small semaphore: scrypt's memory is the limit, not the CPU. */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const { concurrency, queue } = scryptSettings();
    if (this.active >= concurrency) {
      if (this.waiting.length >= queue) throw new AppError("RATE_LIMITED", "the server is busy checking passwords; try again in a few seconds");
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // hands its slot over: active stays the same
      else this.active--;
    }
  }

  get inFlight(): number {
    return this.active;
  }
}

const gate = new Gate();

/** Hashes running right now (tests check the cap). */
export function scryptInFlight(): number {
  return gate.inFlight;
}

function scrypt(password: string, salt: Buffer, keylen: number, { N, r, p }: Params): Promise<Buffer> {
  // Node refuses when 128·N·r exceeds maxmem; allow the hash itself plus slack, never an unbounded amount.
  const maxmem = 128 * N * r * p + 16 * 1024 * 1024;
  return gate.run(
    () =>
      new Promise((resolve, reject) =>
        scryptCb(password.normalize("NFKC"), salt, keylen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const params = currentParams();
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

function parse(stored: string): (Params & { salt: Buffer; hash: Buffer }) | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds on what we accept from the database: a tampered row must not make us allocate gigabytes.
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) return null;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return null;
  return { N, r, p, salt: Buffer.from(parts[4]!, "base64url"), hash: Buffer.from(parts[5]!, "base64url") };
}

export interface PasswordCheck {
  ok: boolean;
  /** The hash was made with other parameters than new hashes get: store hashPassword(password). */
  needsRehash: boolean;
}

/** Checks `password` against `stored`. A missing or malformed stored hash never matches. */
export async function checkPassword(password: string, stored: string | null): Promise<PasswordCheck> {
  const parsed = stored ? parse(stored) : null;
  if (!parsed) {
    // Spend the same time as a real check so timing does not reveal which accounts exist.
    await scrypt(password, randomBytes(SALT_BYTES), KEY_BYTES, currentParams());
    return { ok: false, needsRehash: false };
  }
  const key = await scrypt(password, parsed.salt, parsed.hash.length, parsed);
  const ok = key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  const now = currentParams();
  return { ok, needsRehash: ok && (parsed.N !== now.N || parsed.r !== now.r || parsed.p !== now.p || parsed.hash.length !== KEY_BYTES) };
}

/** True when `password` matches `stored`. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  return (await checkPassword(password, stored)).ok;
}

/** A random password for invited users, shown once. */
export function randomPassword(): string {
  return randomBytes(12).toString("base64url");
}
