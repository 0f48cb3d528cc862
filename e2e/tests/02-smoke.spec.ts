// The web app loads and shows data served by the API: sign in, the project overview lists the demo
// datasets with their sample counts, a version page shows history and thumbnails from the image route.
import { expect, test } from "@playwright/test";
import path from "node:path";
import { ACCOUNTS, gql, signIn } from "./helpers";

test("a curator signs in and sees the demo project's datasets served by the API", async ({ page }) => {
  await signIn(page, ACCOUNTS.curator);
  // The API is the source of truth for what the page must show.
  const api = await gql<{ viewer: { memberships: { nodes: Array<{ consortium: { name: string; projects: { nodes: Array<{ id: string; name: string; datasets: { nodes: Array<{ name: string; latestVersion: { id: string; sampleCount: number } | null }> } }> } } }> } } }>(
    page,
    `{ viewer { memberships(first: 5) { nodes { consortium { name projects(first: 5) { nodes { id name datasets(first: 5) { nodes { name latestVersion { id sampleCount } } } } } } } } } }`,
  );
  const consortium = api.data!.viewer.memberships.nodes[0]!.consortium;
  const project = consortium.projects.nodes[0]!;
  const pool = project.datasets.nodes.find((d) => d.name.includes("pool")) ?? project.datasets.nodes[0]!;
  expect(pool.latestVersion!.sampleCount).toBeGreaterThan(100);

  await page.goto(`/p/${project.id}`);
  await expect(page.getByRole("heading", { name: project.name })).toBeVisible();
  const datasets = page.getByTestId("datasets");
  await expect(datasets.getByText(pool.name)).toBeVisible();
  await expect(datasets.getByText(pool.latestVersion!.sampleCount.toLocaleString("en-US")).first()).toBeVisible();
  await expect(page.getByTestId("consortium-switcher")).toHaveValue(/.+/);

  // Version page: history with message and author, and the sample grid with real thumbnails.
  await page.goto(`/versions/${pool.latestVersion!.id}?tab=history`);
  await expect(page.getByTestId("history")).toContainText("PneumoniaMNIST");
  await page.getByTestId("tab-samples").click();
  const thumb = page.getByTestId("sample-grid").locator("img").first();
  await expect(thumb).toBeVisible();
  await expect.poll(async () => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  // Filter by label: every caption shows that label.
  await page.getByTestId("filter-label").selectOption("pneumonia");
  await expect(page.getByTestId("sample-grid").getByTestId("thumb").first()).toContainText("pneumonia");
  await expect(page.getByTestId("sample-grid").getByTestId("thumb").filter({ hasText: "normal" })).toHaveCount(0);
});

test("a wrong password is shown beside the form, and nothing signs in", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(ACCOUNTS.viewer);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signin-error").or(page.getByTestId("password-error")).first()).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test("an owner creates an API token: the secret is shown once, then only its prefix; the audit log records it", async ({ page }) => {
  await signIn(page, ACCOUNTS.owner);
  const me = await gql<{ viewer: { memberships: { nodes: Array<{ consortium: { id: string } }> } } }>(page, `{ viewer { memberships(first: 1) { nodes { consortium { id } } } } }`);
  const consortiumId = me.data!.viewer.memberships.nodes[0]!.consortium.id;
  await page.goto(`/c/${consortiumId}/settings`);
  await expect(page.getByTestId("members")).toContainText("curator@demo.stratum");
  // Client-side validation first: an empty name is refused beside the field.
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("tokens")).toContainText("Give the token a name");
  await page.getByLabel("Token name").fill("training-pipeline");
  await page.getByRole("button", { name: "Create token" }).click();
  const secretBox = page.getByTestId("token-secret");
  await expect(secretBox).toContainText("stm_");
  const secret = (await secretBox.locator("code").textContent())!.trim();
  expect(secret.length).toBeGreaterThan(20);
  await page.screenshot({ path: path.join(import.meta.dirname, "..", "artifacts", "settings.png") });
  await page.reload();
  await expect(page.getByTestId("tokens")).toContainText("training-pipeline");
  await expect(page.getByTestId("token-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expect(page.getByTestId("tokens").locator("code").first()).toHaveText(/^stm_[\w-]*…$/);

  await page.goto(`/c/${consortiumId}/audit`);
  await expect(page.getByTestId("audit")).toContainText("apiTokenCreate");
  await page.screenshot({ path: path.join(import.meta.dirname, "..", "artifacts", "audit.png") });
});
