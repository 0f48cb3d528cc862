// Invitations in the browser (issue 12, finding 2): an owner invites an email from the settings page and
// gets a one-time link; the invitee opens it signed out, chooses their own name and password, and lands
// in the consortium signed in. The same link then no longer works, and the owner sees the new member.
import { expect, test } from "@playwright/test";
import { ACCOUNTS, gql, signIn } from "./helpers";

test("an owner invites an email; the invitee sets their own password through the link; the link works once", async ({ page, browser }) => {
  await signIn(page, ACCOUNTS.owner);
  const me = await gql<{ viewer: { memberships: { nodes: Array<{ consortium: { id: string } }> } } }>(page, `{ viewer { memberships(first: 1) { nodes { consortium { id } } } } }`);
  const consortiumId = me.data!.viewer.memberships.nodes[0]!.consortium.id;
  await page.goto(`/c/${consortiumId}/settings`);
  const email = `new-${Date.now()}@hospital.example`;
  const invitations = page.getByTestId("invitations");
  // Client-side check first, then the real invite.
  await invitations.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByTestId("invite-email-error")).toContainText("email");
  await page.getByLabel("Email to invite").fill(email);
  await page.getByLabel("Invited role").selectOption("reviewer");
  await invitations.getByRole("button", { name: "Invite" }).click();
  const linkBox = page.getByTestId("invite-link");
  await expect(linkBox).toContainText("/invite/inv_");
  const link = (await linkBox.locator("code").textContent())!.trim();
  await expect(invitations).toContainText(email);

  // The invitee, in a browser that is not signed in.
  const context = await browser.newContext();
  const invitee = await context.newPage();
  await invitee.goto(link);
  await expect(invitee.getByTestId("invite")).toContainText(email);
  await invitee.getByLabel("Your name").fill("Nadia Newcomer");
  await invitee.getByLabel("Password", { exact: true }).fill("nadias-own-password");
  await invitee.getByLabel("Password again").fill("nadias-own-password");
  await invitee.getByRole("button", { name: "Create account and join" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/c/${consortiumId}`));
  await expect(invitee.getByTestId("viewer-name")).toContainText("Nadia Newcomer");

  // Used: the link now says so, in a fresh browser too.
  const other = await (await browser.newContext()).newPage();
  await other.goto(link);
  await expect(other.getByTestId("invite-gone")).toContainText("already accepted");

  // The owner sees the member, and no pending invitation for them.
  await page.reload();
  await expect(page.getByTestId("members")).toContainText(email);
  await expect(page.getByTestId("invitations")).not.toContainText(email);
  await context.close();
});
