// Import through the web app: a curator uploads a manifest and embeddings, the IMPORT job runs with its
// progress shown, and the page links to the new version the API now lists; a manifest with a repeated
// id fails the job and the page shows the row at fault beside the manifest field, with no new version.
import { expect, test } from "@playwright/test";
import path from "node:path";
import { ACCOUNTS, gql, signIn } from "./helpers";

const ROWS = 400;
const DIM = 4;

function manifest(duplicate = false): Buffer {
  const lines = ["id,label,site"];
  for (let i = 0; i < ROWS; i++) lines.push(`${duplicate && i === 250 ? "e2e-0" : `e2e-${i}`},${i % 2 ? "pneumonia" : "normal"},A`);
  return Buffer.from(lines.join("\n") + "\n");
}

/** A float32 .npy of ROWS × DIM (version 1.0; header padded so the data starts at a multiple of 64, as NumPy writes it). */
function npy(): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, ${DIM}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from("\x93NUMPY", "latin1").copy(head);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = new Float32Array(ROWS * DIM).map((_, i) => Math.cos(i));
  return Buffer.concat([head, Buffer.from(header, "latin1"), Buffer.from(data.buffer)]);
}

test("a curator imports a version as a job with live progress; a bad manifest shows its row and writes nothing", async ({ page }) => {
  await signIn(page, ACCOUNTS.curator);
  type Me = { viewer: { memberships: { nodes: Array<{ consortium: { projects: { nodes: Array<{ id: string; dataset: { versionCount: number } | null }> } } }> } } };
  const q = `{ viewer { memberships(first: 1) { nodes { consortium { projects(first: 1) { nodes { id dataset(name: "e2e-import") { versionCount } } } } } } } }`;
  const project = (await gql<Me>(page, q)).data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!;
  expect(project.dataset).toBeNull();

  await page.goto(`/p/${project.id}/import`);
  await page.locator("#datasetName").fill("e2e-import");
  await page.locator("#manifest").setInputFiles({ name: "manifest.csv", mimeType: "text/csv", buffer: manifest() });
  await page.locator("#embeddings").setInputFiles({ name: "emb.npy", mimeType: "application/octet-stream", buffer: npy() });
  await page.locator("#modelName").fill("site-encoder");
  await page.getByTestId("import-submit").click();
  const link = page.getByTestId("import-version-link");
  await expect(link).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("import-result")).toContainText(`${ROWS} samples`);
  const after = (await gql<Me>(page, q)).data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!;
  expect(after.dataset?.versionCount).toBe(1);
  await page.screenshot({ path: path.join(import.meta.dirname, "..", "artifacts", "import.png") });

  // A repeated id: the job fails, the manifest field shows the row, and no version is added.
  await page.locator("#manifest").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: manifest(true) });
  await page.locator("#embeddings").setInputFiles([]);
  await page.locator("#modelName").fill("");
  await page.getByTestId("import-submit").click();
  await expect(page.getByTestId("manifest-error")).toContainText("e2e-0", { timeout: 60_000 });
  await expect(page.getByTestId("manifest-error")).toContainText("bad.csv");
  const still = (await gql<Me>(page, q)).data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!;
  expect(still.dataset?.versionCount).toBe(1);
});

test("Cancel during an import: the job ends CANCELLED with no version, or, if it came too late, SUCCEEDED with one", async ({ page }) => {
  await signIn(page, ACCOUNTS.curator);
  type Me = { viewer: { memberships: { nodes: Array<{ consortium: { projects: { nodes: Array<{ id: string; dataset: { versionCount: number } | null }> } } }> } } };
  const q = `{ viewer { memberships(first: 1) { nodes { consortium { projects(first: 1) { nodes { id dataset(name: "e2e-cancel") { versionCount } } } } } } } }`;
  const project = (await gql<Me>(page, q)).data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!;
  const rows = ["id,label,site", ...Array.from({ length: 60_000 }, (_, i) => `c-${i},${i % 2 ? "pneumonia" : "normal"},A`)];

  await page.goto(`/p/${project.id}/import`);
  await page.locator("#datasetName").fill("e2e-cancel");
  await page.locator("#manifest").setInputFiles({ name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n") + "\n") });
  await page.getByTestId("import-submit").click();
  const cancel = page.getByTestId("job-cancel");
  await cancel.click({ timeout: 60_000 });
  // The page settles on one outcome: the cancellation, or the version the import had already committed.
  const cancelled = page.getByText("Import cancelled: nothing was written.");
  const created = page.getByTestId("import-version-link");
  await expect(cancelled.or(created)).toBeVisible({ timeout: 60_000 });
  const after = (await gql<Me>(page, q)).data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!;
  const outcome = (await cancelled.isVisible()) ? "cancelled" : "too late";
  test.info().annotations.push({ type: "outcome", description: outcome });
  expect(after.dataset?.versionCount ?? 0).toBe(outcome === "cancelled" ? 0 : 1);
});
