// Relabel in review (issue 14) in the browser, after 06 left a data-quality report on the demo pool: a
// curator orders a run's review queue by label-error score, corrects the first item's label, accepts
// it and finalises; the new version's diff lists the relabel (from → to, who).
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ACCOUNTS, gql, signIn } from "./helpers";

const ART = path.join(import.meta.dirname, "..", "artifacts");

test("a curator orders the queue by label-error score, relabels an item, finalises, and the diff shows the relabel", async ({ page }) => {
  await signIn(page, ACCOUNTS.curator);
  const r = await gql<{ viewer: { memberships: { nodes: Array<{ consortium: { projects: { nodes: Array<{ datasets: { nodes: Array<{ name: string; latestVersion: { id: string; runs: { nodes: Array<{ id: string; status: string; reviewFinalizedAt: string | null }> } } }> } }> } } }> } } }>(
    page,
    `{ viewer { memberships(first: 5) { nodes { consortium { projects(first: 5) { nodes { datasets(first: 5) { nodes { name latestVersion { id runs(first: 10) { nodes { id status reviewFinalizedAt } } } } } } } } } } } }`,
  );
  const pool = r.data!.viewer.memberships.nodes[0]!.consortium.projects.nodes[0]!.datasets.nodes.find((d) => d.name.includes("pool"))!;
  const run = pool.latestVersion.runs.nodes.find((x) => x.status === "SUCCEEDED" && !x.reviewFinalizedAt);
  test.skip(!run, "needs a finished run on the pool (01) and its data-quality report (06)");

  await page.goto(`/runs/${run!.id}/review`);
  await expect(page.getByTestId("current-item")).toBeVisible();
  const order = page.getByTestId("review-order");
  await expect(order.locator('option[value="LABEL_ERROR"]')).toBeEnabled({ timeout: 15_000 });
  await order.selectOption("LABEL_ERROR");
  await expect(page.getByTestId("position")).toHaveText(/^1 \//);
  await expect(page.getByTestId("current-quality")).toContainText("label-error");

  await page.getByTestId("relabel-select").selectOption({ index: 1 });
  await expect(page.getByTestId("current-label")).toContainText("→");
  await expect(page.getByTestId("review-error")).toHaveCount(0);
  const corrected = (await page.getByTestId("current-label").locator("b").textContent())!;
  await page.screenshot({ path: path.join(ART, "review-relabel.png") });
  await page.getByRole("button", { name: /^Accept/ }).click();
  await expect(page.getByTestId("position")).toHaveText(/^2 \//);

  await page.getByRole("button", { name: "Finalise into a new version" }).click();
  await expect(page).toHaveURL(/\/versions\//, { timeout: 30_000 });
  await page.getByTestId("tab-history").click();
  const relabels = page.getByTestId("diff-relabels");
  await expect(relabels).toBeVisible({ timeout: 15_000 });
  await expect(relabels).toContainText(`→ ${corrected}`);
  await page.screenshot({ path: path.join(ART, "diff-relabels.png") });
});
