// Login rate limit: at most `maxFailures` failed logins per (email, IP) per sliding window.
// In-process memory: with several server processes, each counts on its own (the limit per process holds).
export class LoginRateLimiter {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 60_000, // 1 min
    private readonly now: () => number = Date.now,
  ) {}

  private key(email: string, ip: string): string {
    return `${email.trim().toLowerCase()}|${ip}`;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfterSeconds(email: string, ip: string): number {
    const list = this.recent(this.key(email, ip));
    if (list.length < this.maxFailures) return 0;
    const oldest = list[list.length - this.maxFailures]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  recordFailure(email: string, ip: string): void {
    const key = this.key(email, ip);
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.sweep();
  }

  recordSuccess(email: string, ip: string): void {
    this.failures.delete(this.key(email, ip));
  }

  private sweep(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
  }
}
