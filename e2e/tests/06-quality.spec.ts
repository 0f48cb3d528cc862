// Data quality (issue 14) in the browser: a curator runs a pass on the demo pool from its version's
// data-quality tab, watches it finish, sees duplicate sets and likely label errors with thumbnails,
// and opens "More like this" on one of them.
import { expect, test } from "@playwright/test";
import { ACCOUNTS, gql, signIn } from "./helpers";

test("a curator runs a data-quality pass on the demo pool and opens 'More like this' from a finding", async ({ page }) => {
  await signIn(page, ACCOUNTS.curator);
  const r = await gql<{ viewer: { memberships: { nodes: Array<{ consortium: { projects: { nodes: Array<{ datasets: { nodes: Array<{ name: string; latestVersion: { id: string } }> } }> } } }> } } }>(
    page,
    `{ viewer { memberships(first: 5) { nodes { consortium { projects(first: 5) { nodes { datasets(first: 5) { nodes { name latestVersion { id } } } } } } } } } }`,
  );
  const datasets = r.data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!.datasets.nodes;
  const versionId = datasets.find((d) => d.name.includes("pool"))!.latestVersion.id;

  // The e2e stack seeds without embeddings; the curator flow (01) computes the pool's. Run alone, this
  // test computes them itself.
  await page.goto(`/versions/${versionId}`);
  const compute = page.getByTestId("compute-embeddings-start");
  const analysis = page.getByTestId("run-analysis");
  // Wait until the page knows: a complete set (analysis enabled) or the offer to compute one.
  const ready = async () => ((await analysis.isVisible()) && (await analysis.isEnabled())) || ((await compute.isVisible()) && (await compute.isEnabled()));
  await expect.poll(ready, { timeout: 30_000 }).toBe(true);
  if (!((await analysis.isVisible()) && (await analysis.isEnabled()))) {
    await compute.click();
    await expect(page.getByTestId("run-analysis")).toBeEnabled({ timeout: 180_000 });
  }

  await page.goto(`/versions/${versionId}/quality`);
  await expect(page.getByTestId("data-quality")).toBeVisible();
  await expect(page.getByTestId("quality-run")).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId("quality-run").click();
  await expect(page.getByTestId("quality-summary")).toBeVisible({ timeout: 180_000 });
  // The demo pool holds a pair of identical images and labels the classifier disputes.
  await expect(page.getByTestId("duplicate-set").first()).toBeVisible();
  await expect(page.getByTestId("label-error").first()).toBeVisible();

  await page.getByTestId("label-error").first().getByTestId("more-like-this").click();
  const similar = page.getByTestId("similar");
  await expect(similar).toBeVisible();
  await expect(similar.locator("img").first()).toBeVisible({ timeout: 30_000 });
});
