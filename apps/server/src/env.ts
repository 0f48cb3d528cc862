// The server's configuration, read and validated in one place. Everything else receives a ServerConfig
// and never reads process.env itself.
import path from "node:path";
import proxyaddr from "proxy-addr";
import { storageConfigFromEnv } from "@stratum/db";
import { defaultThreads, THREADS_MAX } from "@stratum/engine/threads";

export interface ServerConfig {
  /** TCP port for HTTP and WebSocket (same port, path /graphql). 0 = any free port (tests). */
  port: number;
  host: string;
  /**
   * "production" (the default when NODE_ENV is unset, and what `npm start` sets) hides stack traces and
   * internal error messages and refuses introspection; `npm run dev` sets "development".
   */
  nodeEnv: "development" | "production" | "test";
  /** postgresql://… or undefined for the embedded PGlite. */
  databaseUrl: string | undefined;
  /** Root folder for server-side files: PGlite data (unless overridden), uploads. */
  dataDir: string;
  /** Server-side files (uploads; relative sample URIs resolve against it). */
  filesDir: string;
  /** Where uploaded files are kept until imported. */
  uploadDir: string;
  /** Largest accepted upload, in bytes (STRATUM_UPLOAD_MAX_BYTES, default 512 MiB). */
  uploadMaxBytes: number;
  /** Bytes of uploads one user may keep stored at once (STRATUM_UPLOAD_QUOTA_BYTES, default 4 GiB). */
  uploadQuotaBytes: number;
  /** Browser origins allowed by CORS (the web app). */
  corsOrigins: string[];
  /** The web app's public URL, used in messages. */
  webOrigin: string;
  /**
   * The session cookie's Secure flag (COOKIE_SECURE): "auto" (default) sets it when the request reached
   * us over HTTPS — direct TLS, or a trusted proxy's x-stratum-client-proto / X-Forwarded-Proto;
   * true always; false never.
   */
  cookieSecure: boolean | "auto";
  cookieName: string;
  /** Session lifetime in ms. */
  sessionTtlMs: number;
  /**
   * How long this process may reuse a looked-up session, API token or membership list (ms; 0 = never).
   * Changes made through this process apply at once; changes made by another replica within this time.
   */
  authCacheMs: number;
  /**
   * Keep run-list pages and dataset versions in memory, dropped by the database's row-change
   * notifications (cache/notified-cache.ts). STRATUM_CACHES=0 reads the database every time.
   */
  caches: boolean;
  /** Login attempts per (email, address) per window before RATE_LIMITED (LOGIN_MAX_FAILURES, 5). */
  loginMaxFailures: number;
  /** Login attempts per address across accounts per window (LOGIN_MAX_PER_IP, 30). */
  loginMaxPerIp: number;
  loginWindowMs: number;
  /** Per-account backoff after LOGIN_FREE_FAILURES (5) failures: base (LOGIN_BACKOFF_BASE_MS, 1 s) doubling up to LOGIN_BACKOFF_MAX_SECONDS (900). */
  loginFreeFailures: number;
  loginBackoffBaseMs: number;
  loginBackoffMaxMs: number;
  /** Query limits. */
  maxQueryDepth: number;
  maxQueryComplexity: number;
  /**
   * Storage roots granted per consortium slug (STRATUM_STORAGE_GRANTS): absolute folders, or remote
   * prefixes such as s3://bucket/site-a/ (accepted at import, never read by this server). Each
   * consortium also reads <filesDir>/consortia/<slug> and its own uploads; see storage/resolve-uri.ts.
   */
  storageGrants: Record<string, string[]>;
  /**
   * STRATUM_TRUST_PROXY: which direct peers may name the client (x-stratum-client-ip, X-Forwarded-For)
   * and the protocol (x-stratum-client-proto, X-Forwarded-Proto). "loopback" (default: the bundled web
   * app's proxy runs on this machine), "none", or comma-separated addresses/CIDRs (see http/client-address.ts).
   */
  trustProxy: string[] | false;
  /** Seed the demo consortium on an empty database (STRATUM_SEED_DEMO, default true). */
  seedDemo: boolean;
  /** One password for every demo account (STRATUM_DEMO_PASSWORD); random per account when unset. */
  demoPassword: string | undefined;
  /** Queue the demo encoder over the seeded versions (STRATUM_SEED_EMBED, default true). */
  seedEmbed: boolean;
  /**
   * Engine threads per analysis or selection job (STRATUM_THREADS, 1..64; default: the cores this process
   * may use, os.availableParallelism()). Results are the same bytes for any value, so it is not a run
   * parameter and never enters a manifest hash.
   */
  threads: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key}: expected an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

function bool(env: NodeJS.ProcessEnv, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${key}: expected true or false, got "${env[key]}"`);
}

function origin(key: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
    return url.origin;
  } catch {
    throw new ConfigError(`${key}: expected an http(s) origin such as http://localhost:3000, got "${raw}"`);
  }
}

function trustProxy(env: NodeJS.ProcessEnv): string[] | false {
  const key = env.STRATUM_TRUST_PROXY !== undefined ? "STRATUM_TRUST_PROXY" : "TRUST_PROXY";
  const value = env[key]?.trim() || "loopback";
  if (["none", "false", "0", "no", "off"].includes(value.toLowerCase())) return false;
  const list = value.split(",").map((v) => v.trim()).filter(Boolean);
  try {
    proxyaddr.compile(list); // rejects what it cannot parse, naming the entry
  } catch (error) {
    throw new ConfigError(`${key}: expected "loopback", "none" or addresses/CIDRs separated by commas (${(error as Error).message})`);
  }
  return list;
}

const GRANT_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/; // the consortium slug rule (consortium.input.ts)

/**
 * STRATUM_STORAGE_GRANTS: JSON {"slug": ["/data/a", "s3://bucket/a/"]}, or slug=/data/a:/data/b;slug2=/c.
 * Folders must be absolute; remote prefixes must end with "/" so a grant of s3://b/a/ does not cover s3://b/ab.
 */
export function parseStorageGrants(raw: string | undefined): Record<string, string[]> {
  const key = "STRATUM_STORAGE_GRANTS";
  const text = raw?.trim() ?? "";
  if (!text) return {};
  let entries: [string, unknown][];
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${key}: invalid JSON (${(error as Error).message})`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`${key}: expected a JSON object of slug → [roots]`);
    entries = Object.entries(parsed);
  } else {
    entries = text
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const eq = part.indexOf("=");
        if (eq <= 0) throw new ConfigError(`${key}: expected slug=/path[:/path…] separated by ";", got "${part}"`);
        // ":" separates folders, but not the "://" of a remote prefix.
        return [part.slice(0, eq).trim(), part.slice(eq + 1).split(/:(?!\/\/)/).map((r) => r.trim()).filter(Boolean)];
      });
  }
  const grants: Record<string, string[]> = {};
  for (const [slug, roots] of entries) {
    if (!GRANT_SLUG.test(slug)) throw new ConfigError(`${key}: "${slug}" is not a consortium slug (lowercase letters, digits, dashes)`);
    const list = typeof roots === "string" ? [roots] : roots;
    if (!Array.isArray(list) || !list.length || !list.every((r) => typeof r === "string" && r.trim() !== "")) {
      throw new ConfigError(`${key}: ${slug}: expected one or more roots`);
    }
    grants[slug] = [...(grants[slug] ?? []), ...list.map((r: string) => grantRoot(slug, r.trim()))];
  }
  return grants;
}

function grantRoot(slug: string, root: string): string {
  const key = "STRATUM_STORAGE_GRANTS";
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(root) && !/^file:/i.test(root)) {
    if (!root.endsWith("/") || root.split("/").slice(3).some((s) => s === ".." || s === ".")) {
      throw new ConfigError(`${key}: ${slug}: a remote root must be a prefix ending in "/" without dot segments, got "${root}"`);
    }
    return root;
  }
  if (!path.isAbsolute(root)) throw new ConfigError(`${key}: ${slug}: expected an absolute folder, got "${root}"`);
  const normal = path.resolve(root);
  if (normal === path.parse(normal).root) throw new ConfigError(`${key}: ${slug}: granting the file system root is not allowed`);
  return normal;
}

/** Reads the environment once. Throws ConfigError naming the variable on bad input. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const nodeEnvRaw = env.NODE_ENV?.trim() || "production";
  if (!["development", "production", "test"].includes(nodeEnvRaw)) {
    throw new ConfigError(`NODE_ENV: expected development, production or test, got "${nodeEnvRaw}"`);
  }
  const nodeEnv = nodeEnvRaw as ServerConfig["nodeEnv"];
  if (env.STRATUM_IMAGE_ROOTS?.trim()) {
    // Refused rather than ignored: an operator who set it believes images are restricted.
    throw new ConfigError("STRATUM_IMAGE_ROOTS: replaced by STRATUM_STORAGE_GRANTS (roots per consortium, e.g. slug=/data/a:/data/b); see docs/security.md");
  }
  const storage = storageConfigFromEnv(env);
  // PGlite's folder is <dataDir>; our own files go beside it in <dataDir>/../files unless STRATUM_FILES_DIR says otherwise.
  const dataDir = storage.dataDir;
  const filesDir = env.STRATUM_FILES_DIR?.trim() || path.resolve(dataDir, "..", "files");
  const webOrigin = origin("WEB_ORIGIN", env.WEB_ORIGIN?.trim() || "http://localhost:3000");
  const corsOrigins = (env.CORS_ORIGINS?.trim() || webOrigin)
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => origin("CORS_ORIGINS", o));
  return {
    port: int(env, "PORT", 4000, 0, 65535),
    host: env.HOST?.trim() || "0.0.0.0",
    nodeEnv,
    databaseUrl: storage.databaseUrl,
    dataDir,
    filesDir: path.resolve(filesDir),
    uploadDir: path.join(filesDir, "uploads"),
    uploadMaxBytes: int(env, "STRATUM_UPLOAD_MAX_BYTES", 512 * 1024 ** 2, 1, Number.MAX_SAFE_INTEGER), // 512 MiB
    uploadQuotaBytes: int(env, "STRATUM_UPLOAD_QUOTA_BYTES", 4 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER), // 4 GiB
    corsOrigins,
    webOrigin,
    cookieSecure: env.COOKIE_SECURE?.trim().toLowerCase() === "auto" ? "auto" : env.COOKIE_SECURE?.trim() ? bool(env, "COOKIE_SECURE", false) : "auto",
    cookieName: env.SESSION_COOKIE_NAME?.trim() || "stratum_session",
    sessionTtlMs: int(env, "SESSION_TTL_HOURS", 24 * 14, 1, 24 * 365) * 3_600_000, // 14 days
    authCacheMs: int(env, "STRATUM_AUTH_CACHE_MS", 5_000, 0, 60_000), // 5 s
    caches: bool(env, "STRATUM_CACHES", true),
    loginMaxFailures: int(env, "LOGIN_MAX_FAILURES", 5, 1, 1000),
    loginMaxPerIp: int(env, "LOGIN_MAX_PER_IP", 30, 1, 100_000),
    loginWindowMs: int(env, "LOGIN_WINDOW_SECONDS", 60, 1, 86_400) * 1000, // 1 min
    loginFreeFailures: int(env, "LOGIN_FREE_FAILURES", 5, 0, 1000),
    loginBackoffBaseMs: int(env, "LOGIN_BACKOFF_BASE_MS", 1000, 1, 3_600_000),
    loginBackoffMaxMs: int(env, "LOGIN_BACKOFF_MAX_SECONDS", 900, 1, 86_400) * 1000, // 15 min
    maxQueryDepth: int(env, "GRAPHQL_MAX_DEPTH", 15, 2, 100),
    maxQueryComplexity: int(env, "GRAPHQL_MAX_COMPLEXITY", 50_000, 10, 10_000_000),
    trustProxy: trustProxy(env),
    storageGrants: parseStorageGrants(env.STRATUM_STORAGE_GRANTS),
    seedDemo: bool(env, "STRATUM_SEED_DEMO", true),
    demoPassword: env.STRATUM_DEMO_PASSWORD?.trim() || undefined,
    seedEmbed: bool(env, "STRATUM_SEED_EMBED", true),
    threads: int(env, "STRATUM_THREADS", defaultThreads(), 1, THREADS_MAX),
  };
}

/**
 * Password hashing cost, read where hashes are made (auth/password.ts: the seed and the CLI hash too,
 * without a ServerConfig). STRATUM_SCRYPT_LOG2_N: scrypt N = 2^value (default 17, OWASP's minimum;
 * 128 MiB per hash; tests lower it); STRATUM_SCRYPT_CONCURRENCY: hashes computed at once (default 2).
 */
export function scryptSettings(env: NodeJS.ProcessEnv = process.env): { log2N: number; concurrency: number; queue: number } {
  return {
    log2N: int(env, "STRATUM_SCRYPT_LOG2_N", 17, 10, 20),
    concurrency: int(env, "STRATUM_SCRYPT_CONCURRENCY", 2, 1, 16),
    queue: int(env, "STRATUM_SCRYPT_QUEUE", 64, 1, 10_000),
  };
}
