// Session cookies and API tokens: random secrets of which only the sha256 is stored.
import { createHash, randomBytes } from "node:crypto";

export const API_TOKEN_PREFIX = "stm_";
/** Characters of an API token kept in clear (ApiToken.prefix) so people can tell tokens apart. */
export const API_TOKEN_VISIBLE = 12;

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function newSessionSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function newApiTokenSecret(): string {
  return API_TOKEN_PREFIX + randomBytes(30).toString("base64url");
}

export function isApiTokenShape(value: string): boolean {
  return /^stm_[A-Za-z0-9_-]{20,100}$/.test(value);
}

/** Reads one cookie from a Cookie header (no dependency; RFC 6265 pairs separated by ";"). */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}
