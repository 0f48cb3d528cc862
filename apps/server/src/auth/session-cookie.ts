// The session cookie's attributes, one definition for every place that sets or clears it: sessionLogin and
// sessionLogout (modules/session) and an invitation accepted by a new person (modules/invitation).
// authenticate.ts reads the cookie by the same name (config.cookieName).
import type { Context, CookieOptions } from "../context.js";

/** The session cookie's options for this request: Secure per COOKIE_SECURE ("auto": when it came over HTTPS). */
export function sessionCookieOptions(ctx: Context): CookieOptions {
  const setting = ctx.app.config.cookieSecure;
  return { httpOnly: true, sameSite: "lax", secure: setting === "auto" ? ctx.secure === true : setting, path: "/" };
}
