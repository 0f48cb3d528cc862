// Site codes: short, printable names that manifests use for sites. One rule for every way a site enters
// (siteCreate, an import's site column), so codes stay safe to show, sort and put in URLs and file names.
export const SITE_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SITE_CODE_RULE = "expected 1–64 letters, digits, dot, dash or underscore, starting with a letter or digit";

/** Whether text holds a NUL character, which PostgreSQL cannot store in text or jsonb. */
export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/** Whether JSON text encodes a NUL character (the escape \u0000 not preceded by an escaping backslash). */
export function jsonHasNul(json: string): boolean {
  return json.includes("\\u0000") && /(^|[^\\])(\\\\)*\\u0000/.test(json);
}
