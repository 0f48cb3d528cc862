/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response shapes are checked by assertions */
// Attacks on accounts, memberships, sites and text inputs, from outside, against a running server
// (issue 12, findings 2 and 8): account pre-hijacking through invites, invites that reveal accounts or
// add them without consent, stale invitation links, the last-owner race, a CURATOR creating sites
// through an import, NUL bytes in text. Each test asserts the denial and that nothing changed.
// PGlite by default, PostgreSQL with DATABASE_URL (where the race runs truly in parallel).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../test/gql/index.js";
import type { Role } from "../../test/gql/graphql.js";
import { seedToken, seedUser, signIn, snapshot, startTestServer, TestClient, type TestServer } from "../../test/harness.js";
import { toGlobalId } from "../../graphql/ids.js";

let server: TestServer;
let hospital: number; // the victim's consortium
let attackerC: number; // a consortium the attacker created (they are its OWNER)
let hospitalOwner: TestClient;
let attacker: TestClient;
let bob: { id: number; email: string }; // an existing account, member of the hospital only

const CREATE = graphql(`
  mutation AttackAccountsInvitationCreate($input: InvitationCreateInput!) {
    invitationCreate(input: $input) {
      invitation { id email role status expiresAt acceptedAt revokedAt acceptedBy { id } site { code } }
      token
      acceptPath
      errors { code field message }
    }
  }
`);
const ACCEPT = graphql(`
  mutation AttackAccountsInvitationAccept($input: InvitationAcceptInput!) {
    invitationAccept(input: $input) {
      membership { id role consortium { id } }
      user { id email name }
      errors { code field message }
    }
  }
`);
const REVOKE = graphql(`
  mutation AttackAccountsInvitationRevoke($input: InvitationRevokeInput!) {
    invitationRevoke(input: $input) { invitation { id status } errors { code field message } }
  }
`);
const UPDATE = `mutation ($input: MembershipUpdateInput!) { membershipUpdate(input: $input) { membership { id role } errors { code field message } } }`;
const REMOVE = `mutation ($input: MembershipRemoveInput!) { membershipRemove(input: $input) { removedMembershipId errors { code field message } } }`;

const invite = (client: TestClient, consortiumId: number, email: string, role: Role = "VIEWER") =>
  client.mutate(CREATE, { input: { consortiumId: toGlobalId("Consortium", consortiumId), email, role } });

/** The shape of a response with every value that names the email or is unique per call blanked out. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

async function sessionsOf(email: string) {
  return server.store.prisma.session.count({ where: { user: { email } } });
}

beforeAll(async () => {
  server = await startTestServer();
  const p = server.store.prisma;
  hospital = (await p.consortium.create({ data: { slug: "hospital", name: "Hospital" } })).id;
  attackerC = (await p.consortium.create({ data: { slug: "evil", name: "Evil" } })).id;
  hospitalOwner = await signIn(server, (await seedUser(server.store, [{ consortiumId: hospital, role: "OWNER" }], "h-owner")).email);
  attacker = await signIn(server, (await seedUser(server.store, [{ consortiumId: attackerC, role: "OWNER" }], "attacker")).email);
  bob = await seedUser(server.store, [{ consortiumId: hospital, role: "CURATOR" }], "bob");
  await p.user.update({ where: { id: bob.id }, data: { name: "Bob Secretname" } });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("finding 2: account pre-hijacking through invites", () => {
  it("an attacker's invite for an unknown email creates no account and cannot carry a password", async () => {
    const victim = `victim-${process.pid}@hospital.example`;
    const users = await server.store.prisma.user.count();
    // The old flow took the inviter's password; the input has no such field any more.
    const withPassword = await attacker.raw<any>({
      query: `mutation { invitationCreate(input: { consortiumId: "${toGlobalId("Consortium", attackerC)}", email: "${victim}", role: VIEWER, password: "attacker-pass-1" }) { token } }`,
    });
    expect(withPassword.json.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const r = await invite(attacker, attackerC, victim);
    expect(r.data.invitationCreate.errors).toEqual([]);
    const attackerToken: string = r.data.invitationCreate.token;
    expect(attackerToken).toMatch(/^inv_/);
    expect(r.data.invitationCreate.acceptPath).toBe(`/invite/${attackerToken}`);
    expect(await server.store.prisma.user.count()).toBe(users);
    expect(await server.store.prisma.user.findUnique({ where: { email: victim } })).toBeNull();
    // The token is stored hashed only.
    const row = await server.store.prisma.invitation.findFirstOrThrow({ where: { email: victim } });
    expect(row.tokenHash).not.toContain(attackerToken.slice(4));
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    // The hospital invites the same person; the victim accepts with a password of their own.
    const h = await invite(hospitalOwner, hospital, victim, "REVIEWER");
    const victimBrowser = new TestClient(server);
    const accepted = await victimBrowser.mutate(ACCEPT, { input: { token: h.data.invitationCreate.token, name: "Real Victim", password: "victims-own-secret" } });
    expect(accepted.data.invitationAccept.errors).toEqual([]);
    expect(accepted.data.invitationAccept.membership).toMatchObject({ role: "REVIEWER", consortium: { id: toGlobalId("Consortium", hospital) } });
    // Signed in by the acceptance (session cookie set).
    const me = await victimBrowser.query(graphql(`query AttackAccountsViewer { viewer { user { email name } } }`));
    expect(me.data.viewer.user).toEqual({ email: victim, name: "Real Victim" });

    // The attacker's own link now cannot set a password on the victim's account, nor can they sign in.
    const before = await snapshot(server.store);
    const sessions = await sessionsOf(victim);
    const hijack = await new TestClient(server).mutate(ACCEPT, { input: { token: attackerToken, name: "Gotcha", password: "attacker-pass-1" } });
    expect(hijack.data.invitationAccept.errors).toEqual([expect.objectContaining({ code: "CONFLICT", field: ["input", "token"] })]);
    expect(hijack.data.invitationAccept.membership).toBeNull();
    expect(await snapshot(server.store)).toEqual(before);
    const login = await new TestClient(server).mutate(graphql(`mutation AttackAccountsSessionLogin($input: SessionLoginInput!) { sessionLogin(input: $input) { user { id } errors { code } } }`), {
      input: { email: victim, password: "attacker-pass-1" },
    });
    expect(login.data.sessionLogin.user).toBeNull();
    expect(await sessionsOf(victim)).toBe(sessions);
    expect(await server.store.prisma.membership.count({ where: { user: { email: victim }, consortiumId: attackerC } })).toBe(0);
  });

  it("inviting an existing email answers exactly as for an unknown one and adds nobody until they accept", async () => {
    const p = server.store.prisma;
    const bobBefore = await p.user.findUniqueOrThrow({ where: { id: bob.id } });
    const membershipsBefore = await p.membership.findMany({ where: { userId: bob.id } });
    const known = await invite(attacker, attackerC, bob.email);
    const unknown = await invite(attacker, attackerC, `nobody-${process.pid}@hospital.example`);
    expect(known.data.invitationCreate.errors).toEqual([]);
    expect(shapeOf(known)).toEqual(shapeOf(unknown));
    const k = known.data.invitationCreate.invitation;
    const u = unknown.data.invitationCreate.invitation;
    for (const i of [k, u]) expect(i).toMatchObject({ role: "VIEWER", status: "PENDING", acceptedAt: null, acceptedBy: null, site: null });
    // Nothing in the answer names Bob's account.
    const text = JSON.stringify(known);
    expect(text).not.toContain("Secretname");
    expect(text).not.toContain(toGlobalId("User", bob.id));
    // The pending list shows the same for both.
    const list = await attacker.query(graphql(`query AttackAccountsConsortium($id: ID!) { consortium(id: $id) { invitations { nodes { email status acceptedBy { id } } } members { totalCount } } }`), {
      id: toGlobalId("Consortium", attackerC),
    });
    const rows = list.data.consortium.invitations.nodes.filter((n: any) => n.email === bob.email || n.email.startsWith("nobody-"));
    expect(rows).toHaveLength(2);
    expect(rows.every((n: any) => n.status === "PENDING" && n.acceptedBy === null)).toBe(true);
    // Bob was not added and his account is untouched.
    expect(await p.membership.findMany({ where: { userId: bob.id } })).toEqual(membershipsBefore);
    expect(await p.user.findUniqueOrThrow({ where: { id: bob.id } })).toEqual(bobBefore);
    expect(list.data.consortium.members.totalCount).toBe(1);
    // What the links show (the accept page) does not depend on the account either.
    const PREVIEW = graphql(`query AttackAccountsInvitationPreview($t: String!) { invitationPreview(token: $t) { consortiumName email role siteCode status signedInAsInvitee signedInAs } }`);
    const anon = new TestClient(server);
    const pk = (await anon.query(PREVIEW, { t: known.data.invitationCreate.token })).data.invitationPreview;
    const pu = (await anon.query(PREVIEW, { t: unknown.data.invitationCreate.token })).data.invitationPreview;
    expect({ ...pk, email: null }).toEqual({ ...pu, email: null });
    expect(pk).toMatchObject({ consortiumName: "Evil", status: "PENDING", signedInAsInvitee: false, signedInAs: null });
    expect((await anon.query(PREVIEW, { t: `inv_${"B".repeat(43)}` })).data.invitationPreview).toBeNull();
    // Bob can only join by accepting while signed in as himself (consent).
    const asBob = await signIn(server, bob.email);
    expect((await asBob.query(PREVIEW, { t: known.data.invitationCreate.token })).data.invitationPreview).toMatchObject({ signedInAsInvitee: true, signedInAs: bob.email });
    const yes = await asBob.mutate(ACCEPT, { input: { token: known.data.invitationCreate.token } });
    expect(yes.data.invitationAccept.errors).toEqual([]);
    expect(await p.membership.count({ where: { userId: bob.id } })).toBe(membershipsBefore.length + 1);
    // A non-OWNER sees no invitations at all.
    const asBobList = await asBob.query(graphql(`query AttackAccountsConsortium2($id: ID!) { consortium(id: $id) { invitations { totalCount } } }`), { id: toGlobalId("Consortium", hospital) });
    expect(asBobList.data.consortium.invitations).toBeNull();
  });

  it("expired, used, revoked and unknown tokens are refused with typed errors, changing nothing", async () => {
    const p = server.store.prisma;
    const email = (s: string) => `${s}-${process.pid}@example.org`;
    const expired = (await invite(hospitalOwner, hospital, email("late"))).data.invitationCreate;
    await p.invitation.update({ where: { tokenHash: (await p.invitation.findFirstOrThrow({ where: { email: email("late") } })).tokenHash }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const revoked = (await invite(hospitalOwner, hospital, email("withdrawn"))).data.invitationCreate;
    const rev = await hospitalOwner.mutate(REVOKE, { input: { invitationId: revoked.invitation.id } });
    expect(rev.data.invitationRevoke).toMatchObject({ invitation: { status: "REVOKED" }, errors: [] });
    const used = (await invite(hospitalOwner, hospital, email("once"))).data.invitationCreate;
    const first = await new TestClient(server).mutate(ACCEPT, { input: { token: used.token, name: "Once", password: "first-password" } });
    expect(first.data.invitationAccept.errors).toEqual([]);

    const cases: Array<[string, string]> = [
      [expired.token, "INVITATION_EXPIRED"],
      [revoked.token, "INVITATION_REVOKED"],
      [used.token, "INVITATION_USED"],
      [`inv_${"A".repeat(43)}`, "NOT_FOUND"],
      ["not-a-token", "VALIDATION"],
    ];
    for (const [token, code] of cases) {
      const before = await snapshot(server.store);
      const sessions = await p.session.count();
      const r = await new TestClient(server).mutate(ACCEPT, { input: { token, name: "Mallory", password: "mallory-password" } });
      expect(r.data.invitationAccept.errors, code).toEqual([expect.objectContaining({ code, field: ["input", "token"] })]);
      expect(r.data.invitationAccept.membership).toBeNull();
      expect(await snapshot(server.store), code).toEqual(before);
      expect(await p.session.count()).toBe(sessions);
    }
    // A used invitation cannot be revoked either (remove the member instead).
    const late = await hospitalOwner.mutate(REVOKE, { input: { invitationId: used.invitation.id } });
    expect(late.data.invitationRevoke.errors).toEqual([expect.objectContaining({ code: "INVITATION_USED" })]);
  });

  it("one token accepted by two browsers at once makes one account and one membership", async () => {
    const p = server.store.prisma;
    const email = `twice-${process.pid}@example.org`;
    const { token } = (await invite(hospitalOwner, hospital, email)).data.invitationCreate;
    const results = await Promise.all(
      ["A", "B", "C"].map((n) => new TestClient(server).mutate(ACCEPT, { input: { token, name: `Racer ${n}`, password: `password-${n}-long` } })),
    );
    const ok = results.filter((r) => r.data?.invitationAccept.errors.length === 0);
    expect(results.every((r) => r.errors.length === 0)).toBe(true); // typed errors only, never a fault
    expect(ok).toHaveLength(1);
    for (const r of results) if (r !== ok[0]) expect(["INVITATION_USED", "CONFLICT"]).toContain(r.data.invitationAccept.errors[0]!.code);
    expect(await p.user.count({ where: { email } })).toBe(1);
    expect(await p.membership.count({ where: { user: { email } } })).toBe(1);
  });

  it("accepting while signed in as someone else, or with an API token, is refused", async () => {
    const p = server.store.prisma;
    const dave = `dave-${process.pid}@example.org`;
    const { token } = (await invite(hospitalOwner, hospital, dave)).data.invitationCreate;
    const carol = await seedUser(server.store, [{ consortiumId: attackerC, role: "VIEWER" }], "carol");
    const asCarol = await signIn(server, carol.email);
    const carolToken = new TestClient(server, (await seedToken(server.store, carol.id, attackerC, "VIEWER")).secret);
    for (const [who, client, input] of [
      ["signed in as carol", asCarol, { token }],
      ["signed in as carol, with a password", asCarol, { token, name: "Dave", password: "dave-password" }],
      ["carol's API token", carolToken, { token }],
    ] as const) {
      const before = await snapshot(server.store);
      const r = await client.mutate(ACCEPT, { input });
      expect(r.data.invitationAccept.errors, who).toEqual([expect.objectContaining({ code: expect.stringMatching(/^(FORBIDDEN|VALIDATION)$/) })]);
      expect(await snapshot(server.store), who).toEqual(before);
    }
    expect(await p.user.findUnique({ where: { email: dave } })).toBeNull();
    expect(await p.membership.count({ where: { userId: carol.id, consortiumId: hospital } })).toBe(0);
    // The link still works for Dave afterwards.
    const r = await new TestClient(server).mutate(ACCEPT, { input: { token, name: "Dave", password: "daves-own-password" } });
    expect(r.data.invitationAccept.errors).toEqual([]);
  });

  it("only an OWNER invites or revokes; another consortium's invitation is not found", async () => {
    const asBob = await signIn(server, bob.email); // CURATOR of the hospital
    const before = await snapshot(server.store);
    const r = await invite(asBob, hospital, `x-${process.pid}@example.org`);
    expect(r.data.invitationCreate.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN" })]);
    const theirs = (await invite(hospitalOwner, hospital, `y-${process.pid}@example.org`)).data.invitationCreate.invitation.id;
    const mid = await snapshot(server.store);
    const cross = await attacker.mutate(REVOKE, { input: { invitationId: theirs } });
    expect(cross.data.invitationRevoke.errors).toEqual([expect.objectContaining({ code: "NOT_FOUND" })]);
    expect(await snapshot(server.store)).toEqual(mid);
    expect(before).not.toEqual(mid); // (the hospital's own invite did change things)
  });
});

describe("invitation volume", () => {
  it("a consortium holds at most 500 pending invitations (anyone can make a consortium)", async () => {
    const p = server.store.prisma;
    const c = (await p.consortium.create({ data: { slug: "spam", name: "Spam" } })).id;
    const o = await seedUser(server.store, [{ consortiumId: c, role: "OWNER" }], "spammer");
    const client = await signIn(server, o.email);
    await p.invitation.createMany({
      data: Array.from({ length: 500 }, (_, i) => ({ consortiumId: c, email: `s${i}@example.org`, role: "VIEWER" as const, tokenHash: `${c}-${i}-`.padEnd(64, "x"), expiresAt: new Date(Date.now() + 3_600_000) })),
    });
    const before = await snapshot(server.store);
    const r = await invite(client, c, "one-more@example.org");
    expect(r.data.invitationCreate.errors).toEqual([expect.objectContaining({ code: "LIMIT_EXCEEDED" })]);
    expect(await snapshot(server.store)).toEqual(before);
  });
});

describe("finding 8: the last OWNER", () => {
  it("two owners demoting (or removing) each other at once leave at least one OWNER", async () => {
    const p = server.store.prisma;
    for (let round = 0; round < 6; round++) {
      const c = (await p.consortium.create({ data: { slug: `owners-${round}`, name: "Owners" } })).id;
      const a = await seedUser(server.store, [{ consortiumId: c, role: "OWNER" }], "owner-a");
      const b = await seedUser(server.store, [{ consortiumId: c, role: "OWNER" }], "owner-b");
      const ma = await p.membership.findFirstOrThrow({ where: { userId: a.id, consortiumId: c } });
      const mb = await p.membership.findFirstOrThrow({ where: { userId: b.id, consortiumId: c } });
      // Signed-in sessions (a removal revokes the removed member's API tokens, which would only turn the
      // loser's request into a 401).
      const [ca, cb] = await Promise.all([signIn(server, a.email), signIn(server, b.email)]);
      const remove = round % 2 === 1;
      const call = (client: TestClient, target: number) =>
        remove
          ? client.raw<any>({ query: REMOVE, variables: { input: { membershipId: toGlobalId("Membership", target) } } })
          : client.raw<any>({ query: UPDATE, variables: { input: { membershipId: toGlobalId("Membership", target), role: "VIEWER" } } });
      const [ra, rb] = await Promise.all([call(ca, mb.id), call(cb, ma.id)]);
      for (const r of [ra, rb]) {
        expect(r.status).toBe(200);
        expect(r.json.errors).toBeUndefined();
      }
      const payloads = [ra, rb].map((r) => r.json.data[remove ? "membershipRemove" : "membershipUpdate"]);
      const failed = payloads.filter((x) => x.errors.length > 0);
      expect(failed, `round ${round}`).toHaveLength(1);
      // The loser is refused as the last owner, as no longer an OWNER, or (removed) as no longer a member.
      expect(["CONFLICT", "FORBIDDEN", "NOT_FOUND"]).toContain(failed[0].errors[0].code);
      expect(await p.membership.count({ where: { consortiumId: c, role: "OWNER" } }), `round ${round}`).toBe(1);
    }
  });
});

describe("finding 8: sites and text inputs", () => {
  let project: string;
  let curator: TestClient;
  let owner: TestClient;
  let c: number;
  const IMPORT = `mutation ($input: DatasetImportInput!) { datasetImport(input: $input) { version { number } errors { code field message } } }`;
  const importAs = async (client: TestClient, csv: string, datasetName = "d") => {
    const up = await client.upload("manifest.csv", csv);
    expect(up.status).toBe(201);
    return (await client.raw<any>({ query: IMPORT, variables: { input: { projectId: project, datasetName, manifestUploadId: up.json.id } } })).json;
  };

  beforeAll(async () => {
    const p = server.store.prisma;
    c = (await p.consortium.create({ data: { slug: "sites", name: "Sites" } })).id;
    await p.site.create({ data: { consortiumId: c, code: "H1", name: "H1" } });
    project = toGlobalId("Project", (await p.project.create({ data: { consortiumId: c, slug: "p", name: "P" } })).id);
    const cu = await seedUser(server.store, [{ consortiumId: c, role: "CURATOR" }], "site-curator");
    curator = new TestClient(server, (await seedToken(server.store, cu.id, c, "CURATOR")).secret);
    owner = await signIn(server, (await seedUser(server.store, [{ consortiumId: c, role: "OWNER" }], "site-owner")).email);
  });

  it("a CURATOR's import cannot create sites: a typed error names the site and its row", async () => {
    const before = await snapshot(server.store);
    const r = await importAs(curator, "id,label,site\na,normal,H1\nb,normal,H1\nc,normal,NEWSITE\n");
    expect(r.errors).toBeUndefined();
    const [e] = r.data.datasetImport.errors;
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toContain('site "NEWSITE"');
    expect(e.message).toContain("row 3");
    expect(await snapshot(server.store)).toEqual(before);
    // Existing sites are fine for a CURATOR.
    const ok = await importAs(curator, "id,label,site\na,normal,H1\n", "ok");
    expect(ok.data.datasetImport.errors).toEqual([]);
  });

  it("an OWNER's import creates the site and audits it; malformed site codes are refused everywhere", async () => {
    const p = server.store.prisma;
    const r = await importAs(owner, "id,label,site\na,normal,H1\nb,normal,H9\n", "owner");
    expect(r.data.datasetImport.errors).toEqual([]);
    const site = await p.site.findUniqueOrThrow({ where: { consortiumId_code: { consortiumId: c, code: "H9" } } });
    const event = await p.auditEvent.findFirstOrThrow({ where: { action: "siteCreate", targetId: toGlobalId("Site", site.id) } });
    expect(event.consortiumId).toBe(c);
    expect(event.details).toMatchObject({ code: "H9", via: "datasetImport" });

    const bad = ["-x", "a b", "x".repeat(65), "é", "../etc"];
    for (const code of bad) {
      const before = await snapshot(server.store);
      const imp = await importAs(owner, `id,label,site\na,normal,"${code}"\n`, `bad-${bad.indexOf(code)}`);
      expect(imp.data.datasetImport.errors, code).toEqual([expect.objectContaining({ code: "BAD_FILE" })]);
      expect(imp.data.datasetImport.errors[0].message, code).toContain("row 1");
      const created = await owner.raw<any>({
        query: `mutation ($input: SiteCreateInput!) { siteCreate(input: $input) { site { id } errors { code field } } }`,
        variables: { input: { consortiumId: toGlobalId("Consortium", c), code, name: "x" } },
      });
      expect(created.json.data.siteCreate.errors, code).toEqual([expect.objectContaining({ code: "VALIDATION", field: ["input", "code"] })]);
      expect(await snapshot(server.store), code).toEqual(before);
    }
  });

  it("NUL bytes in names, descriptions and arguments are typed input errors, not database faults", async () => {
    const nul = "bad\u0000name";
    const attempts: Array<[string, string, Record<string, unknown>]> = [
      ["consortiumUpdate", "ConsortiumUpdateInput", { consortiumId: toGlobalId("Consortium", c), name: nul }],
      ["projectCreate", "ProjectCreateInput", { consortiumId: toGlobalId("Consortium", c), slug: "nul", name: nul }],
      ["siteUpdate", "SiteUpdateInput", { siteId: toGlobalId("Site", (await server.store.prisma.site.findFirstOrThrow({ where: { consortiumId: c } })).id), name: nul }],
      ["invitationCreate", "InvitationCreateInput", { consortiumId: toGlobalId("Consortium", c), email: "a\u0000@example.org", role: "VIEWER" }],
      // Checked before anything else, so even a made-up item answers VALIDATION for the NUL.
      ["reviewDecide", "ReviewDecideInput", { itemId: toGlobalId("SelectionItem", 1), decision: "ACCEPT", expectedVersion: 0, comment: nul }],
    ];
    for (const [mutation, input, variables] of attempts) {
      const before = await snapshot(server.store);
      const r = await owner.raw<any>({ query: `mutation ($input: ${input}!) { ${mutation}(input: $input) { errors { code field message } } }`, variables: { input: variables } });
      expect(r.status, mutation).toBe(200);
      expect(r.json.errors, mutation).toBeUndefined();
      expect(r.json.data[mutation].errors[0], mutation).toMatchObject({ code: "VALIDATION" });
      expect(r.json.data[mutation].errors[0].message, mutation).toContain("NUL");
      expect(await snapshot(server.store), mutation).toEqual(before);
    }
    // A new account's name through an invitation.
    const { token } = (await invite(hospitalOwner, hospital, `nul-${process.pid}@example.org`)).data.invitationCreate;
    const before = await snapshot(server.store);
    const acc = await new TestClient(server).mutate(ACCEPT, { input: { token, name: nul, password: "a-good-password" } });
    expect(acc.data.invitationAccept.errors).toEqual([expect.objectContaining({ code: "VALIDATION", field: ["input", "name"] })]);
    expect(await snapshot(server.store)).toEqual(before);
    // Query arguments: a typed BAD_USER_INPUT, not an internal error.
    const q = await owner.raw<any>({ query: `query ($t: String!) { invitationPreview(token: $t) { email } }`, variables: { t: "inv_\u0000" } });
    expect(q.json.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // Manifest cells: the row is named.
    const imp = await importAs(owner, `id,label,site\na,nor\u0000mal,H1\n`, "nul");
    expect(imp.data.datasetImport.errors).toEqual([expect.objectContaining({ code: "BAD_FILE", message: expect.stringContaining("NUL") })]);
    expect(await snapshot(server.store)).toEqual(before);
  });
});
