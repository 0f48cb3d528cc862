import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";

export const PASSWORD = "stratum-e2e-password";
export const ACCOUNTS = {
  owner: "owner@demo.stratum",
  curator: "curator@demo.stratum",
  reviewer: "reviewer@demo.stratum",
  viewer: "viewer@demo.stratum",
} as const;

export function apiUrl(): string {
  return process.env.E2E_API_URL ?? "http://localhost:4310/graphql";
}

/** Signs in through the form; leaves the page on the overview. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("viewer-name")).toBeVisible();
}

export async function contextAs(browser: Browser, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

/** A GraphQL call through the web app's proxy with the page's session cookie. */
export async function gql<T = Record<string, unknown>>(page: Page, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
  const res = await page.request.post("/api/graphql", { data: { query, variables }, headers: { "content-type": "application/json" } });
  return (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
}

