// Phase 1 of an import: read the whole manifest, check every row and compute the content hashes,
// writing nothing. What is kept per row is small (ids, label, uri, site code, metadata JSON text),
// so 100k rows cost tens of MB; embedding vectors are never held here.
import { openManifest, type ManifestFormat } from "@stratum/formats";
import { ImportError, asImportError } from "./errors.js";
import { canonicalJson, sampleContentHash, versionContentHash } from "./hash.js";
import { SITE_CODE, SITE_CODE_RULE, hasNul, jsonHasNul } from "./site-code.js";

export interface ManifestColumns {
  /** Default "id". */
  idColumn?: string;
  /** Default "label". */
  labelColumn?: string;
  /** Default "uri" when present, else "path" when present, else none. */
  uriColumn?: string;
  /** Default "site" (optional: when the column is absent, samples have no site). */
  siteColumn?: string;
  /** Default "sha256" (optional): the image file's sha256, 64 hex digits. */
  sha256Column?: string;
  /**
   * Called for every row's uri (the API's tenant check): returns why it is refused, or null. A refusal
   * is an ImportError URI_NOT_ALLOWED naming the row and id, thrown before anything is written.
   */
  checkUri?: (uri: string) => string | null;
}

export interface ParsedManifest {
  file: string;
  format: ManifestFormat;
  /** Number of data rows. */
  n: number;
  /** Columns that went into metadata (CSV: the header minus the reserved ones; JSONL: from the first row). */
  metadataColumns: string[];
  externalIds: string[];
  uris: (string | null)[];
  labels: string[];
  sites: (string | null)[];
  /** Canonical JSON text per row. */
  metadata: string[];
  sha256: (string | null)[];
  /** Per-row content hash (hex sha256). */
  hashes: string[];
  /** sha256 over the sorted row hashes. */
  versionHash: string;
  /** Distinct site codes in first-seen order. */
  siteCodes: string[];
  /** The 1-based data row where each of siteCodes first appears (for errors naming the row). */
  siteFirstRows: number[];
}

const SHA256 = /^[0-9a-f]{64}$/i;

export async function readManifestRows(
  file: string,
  options: ManifestColumns & { format?: ManifestFormat } = {},
  onRow?: (rows: number) => void,
): Promise<ParsedManifest> {
  try {
    return await read(file, options, onRow);
  } catch (error) {
    throw asImportError(error);
  }
}

async function read(
  file: string,
  options: ManifestColumns & { format?: ManifestFormat },
  onRow?: (rows: number) => void,
): Promise<ParsedManifest> {
  const manifest = await openManifest(file, options.format ? { format: options.format } : {});
  const isCsv = manifest.format !== "jsonl";
  const columns = new Set(manifest.columns);
  const idColumn = options.idColumn ?? "id";
  const labelColumn = options.labelColumn ?? "label";
  const uriColumn =
    options.uriColumn ?? (columns.has("uri") ? "uri" : columns.has("path") ? "path" : undefined);
  const siteColumn = options.siteColumn ?? "site";
  const sha256Column = options.sha256Column ?? "sha256";
  const headerLine = isCsv ? 1 : undefined;
  const requireColumn = (name: string, what: string) => {
    if (!columns.has(name)) {
      void manifest.close();
      const got = manifest.columns.map((c) => `"${c}"`).join(", ");
      throw new ImportError("MISSING_COLUMN", `expected ${what} column "${name}", got columns ${got}`, {
        file,
        line: headerLine,
        row: isCsv ? undefined : 1,
      });
    }
  };
  // CSV has a header: check the columns now. JSONL rows may differ, so each row is checked below;
  // the first row still has to have the id column, which catches a wrong --id-column early.
  requireColumn(idColumn, "an id");
  requireColumn(labelColumn, "a label");
  if (options.uriColumn !== undefined && isCsv) requireColumn(options.uriColumn, "a uri");
  if (options.siteColumn !== undefined && isCsv) requireColumn(options.siteColumn, "a site");
  const reserved = new Set(
    [idColumn, labelColumn, uriColumn, siteColumn, sha256Column].filter((c): c is string => c !== undefined),
  );

  const out: ParsedManifest = {
    file,
    format: manifest.format,
    n: 0,
    metadataColumns: manifest.columns.filter((c) => !reserved.has(c)),
    externalIds: [],
    uris: [],
    labels: [],
    sites: [],
    metadata: [],
    sha256: [],
    hashes: [],
    versionHash: "",
    siteCodes: [],
    siteFirstRows: [],
  };
  const firstRowOf = new Map<string, number>();
  const siteSeen = new Set<string>();

  const add = (row: number, line: number, raw: (column: string) => unknown, metadataJson: string) => {
    const externalId = scalarValue(raw(idColumn), idColumn, true, file, row, line, idColumn)!;
    const previous = firstRowOf.get(externalId);
    if (previous !== undefined) {
      throw new ImportError(
        "DUPLICATE_ID",
        `expected unique ids, got "${externalId}" again (first at row ${previous})`,
        { file, row, line, column: idColumn },
      );
    }
    firstRowOf.set(externalId, row);
    const label = scalarValue(raw(labelColumn), labelColumn, true, file, row, line, idColumn)!;
    const uri = uriColumn ? scalarValue(raw(uriColumn), uriColumn, false, file, row, line, idColumn) : null;
    if (uri !== null && options.checkUri) {
      const problem = options.checkUri(uri);
      if (problem !== null)
        throw new ImportError("URI_NOT_ALLOWED", `sample "${externalId}": uri "${uri.slice(0, 200)}" refused: ${problem}`, {
          file,
          row,
          line,
          column: uriColumn,
        });
    }
    const site = scalarValue(raw(siteColumn), siteColumn, false, file, row, line, idColumn);
    let sha = scalarValue(raw(sha256Column), sha256Column, false, file, row, line, idColumn);
    if (sha !== null) {
      if (!SHA256.test(sha))
        throw new ImportError(
          "BAD_VALUE",
          `expected 64 hex digits in column "${sha256Column}", got "${sha.slice(0, 80)}"`,
          { file, row, line, column: sha256Column },
        );
      sha = sha.toLowerCase();
    }
    if (site !== null && !siteSeen.has(site)) {
      if (!SITE_CODE.test(site))
        throw new ImportError("BAD_VALUE", `sample "${externalId}": site code ${JSON.stringify(site.slice(0, 80))} is not valid: ${SITE_CODE_RULE}`, {
          file,
          row,
          line,
          column: siteColumn,
        });
      siteSeen.add(site);
      out.siteCodes.push(site);
      out.siteFirstRows.push(row);
    }
    // PostgreSQL stores no NUL in text or jsonb: refuse it here, naming the row, not as a database fault.
    if (jsonHasNul(metadataJson) || hasNul(externalId) || hasNul(label) || (uri !== null && hasNul(uri)))
      throw new ImportError("BAD_VALUE", `sample ${JSON.stringify(externalId)}: NUL characters (U+0000) are not allowed`, { file, row, line });
    out.externalIds.push(externalId);
    out.labels.push(label);
    out.uris.push(uri);
    out.sites.push(site);
    out.metadata.push(metadataJson);
    out.sha256.push(sha);
    out.hashes.push(sampleContentHash({ externalId, uri, label, site, metadataJson, sha256: sha }));
    out.n++;
    if (onRow && (out.n & 4095) === 0) onRow(out.n);
  };

  if (manifest.fieldBatches) {
    // CSV: every row has the header's columns, so the metadata keys are known and sorted once, and
    // rows stay arrays (no object per row).
    const index = new Map(manifest.columns.map((c, i) => [c, i]));
    const metaKeys = [...out.metadataColumns].sort();
    const metaIndex = metaKeys.map((k) => index.get(k)!);
    const metaPrefix = metaKeys.map((k, i) => `${i === 0 ? "" : ","}${JSON.stringify(k)}:`);
    let fields: string[] = [];
    const raw = (column: string): unknown => {
      const i = index.get(column);
      return i === undefined ? undefined : fields[i];
    };
    for await (const batch of manifest.fieldBatches()) {
      for (const record of batch) {
        fields = record.fields;
        let metadataJson = "{";
        for (let k = 0; k < metaIndex.length; k++)
          metadataJson += metaPrefix[k]! + JSON.stringify(fields[metaIndex[k]!]);
        add(record.row, record.line, raw, metadataJson + "}");
      }
    }
  } else {
    for await (const { row, line, values } of manifest.rows()) {
      const meta: Record<string, unknown> = {};
      for (const key of Object.keys(values)) if (!reserved.has(key)) meta[key] = values[key];
      add(row, line, (column) => values[column], canonicalJson(meta));
    }
  }
  onRow?.(out.n);
  out.versionHash = versionContentHash(out.hashes);
  return out;
}

/** A scalar cell as trimmed text; null when absent or blank and not required. */
function scalarValue(
  v: unknown,
  column: string,
  required: boolean,
  file: string,
  row: number,
  line: number,
  idColumn: string,
): string | null {
  if (typeof v === "string") {
    const t = v.trim();
    if (t !== "") return t;
  } else if (typeof v === "number" || typeof v === "boolean") {
    return String(v);
  } else if (v !== undefined && v !== null) {
    throw new ImportError(
      "BAD_VALUE",
      `expected a string or number in column "${column}", got ${Array.isArray(v) ? "an array" : "an object"}`,
      { file, row, line, column },
    );
  }
  if (!required) return null;
  const got = v === undefined ? "no such field" : "an empty value";
  if (column === idColumn)
    throw new ImportError("MISSING_ID", `expected an id in column "${column}", got ${got}`, {
      file,
      row,
      line,
      column,
    });
  throw new ImportError("MISSING_VALUE", `expected a value in column "${column}", got ${got}`, {
    file,
    row,
    line,
    column,
  });
}
