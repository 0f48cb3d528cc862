// The authorization matrix: every core mutation × every kind of caller. An allowed call succeeds and writes
// an audit event; a denied call answers FORBIDDEN (a member with too low a role, or a narrowing token) or
// NOT_FOUND (not a member; another consortium's IDs), or UNAUTHENTICATED when anonymous — and changes
// nothing (the database snapshot is identical).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "@apollo/client";
import type { Role } from "@stratum/db";
import { TestClient, seedToken, seedUser, signIn, snapshot, startTestServer, type TestServer, type PayloadErrors } from "../test/harness.js";
import { toGlobalId } from "../graphql/ids.js";

// Callers below CURATOR everywhere may not upload (403): they name an upload that does not exist, and
// the mutation's own role check answers first, as it would for a stolen upload id.
const NO_UPLOAD = { json: { id: "00000000-0000-4000-8000-000000000000" } };
const uploaded = (r: { status: number; json: { id: string } }) => (r.status === 201 ? r : NO_UPLOAD);

type Caller = "OWNER" | "CURATOR" | "REVIEWER" | "VIEWER" | "OWNER_VIEWER_TOKEN" | "NON_MEMBER" | "OTHER_OWNER" | "ANONYMOUS";
const CALLERS: Caller[] = ["OWNER", "CURATOR", "REVIEWER", "VIEWER", "OWNER_VIEWER_TOKEN", "NON_MEMBER", "OTHER_OWNER", "ANONYMOUS"];
const RANK: Record<Role, number> = { VIEWER: 1, REVIEWER: 2, CURATOR: 3, OWNER: 4 };


type ConsortiumCreated = { consortiumCreate: PayloadErrors & { consortium: { slug: string; viewerRole: string | null } | null } };
let server: TestServer;
let A: number; // the consortium under test
let B: number; // another consortium
let siteA: number;
let siteB: number;
let projectA: number;
let datasetA: number;
const clients = {} as Record<Caller, TestClient>;
const userIds = {} as Record<Caller, number>;
let seq = 0;
const demoModel = new URL("../../../../packages/embed/models/demo-cnn/", import.meta.url);

beforeAll(async () => {
  server = await startTestServer();
  const prisma = server.store.prisma;
  A = (await prisma.consortium.create({ data: { slug: "matrix-a", name: "A" } })).id;
  B = (await prisma.consortium.create({ data: { slug: "matrix-b", name: "B" } })).id;
  siteA = (await prisma.site.create({ data: { consortiumId: A, code: "SA", name: "Site A" } })).id;
  siteB = (await prisma.site.create({ data: { consortiumId: B, code: "SB", name: "Site B" } })).id;
  projectA = (await prisma.project.create({ data: { consortiumId: A, slug: "p", name: "P" } })).id;
  datasetA = (await prisma.dataset.create({ data: { projectId: projectA, name: "d" } })).id;
  for (const role of ["OWNER", "CURATOR", "REVIEWER", "VIEWER"] as const) {
    const u = await seedUser(server.store, [{ consortiumId: A, role }], role.toLowerCase());
    userIds[role] = u.id;
    clients[role] = await signIn(server, u.email);
  }
  const tokenOwner = await seedUser(server.store, [{ consortiumId: A, role: "OWNER" }], "tokenowner");
  userIds.OWNER_VIEWER_TOKEN = tokenOwner.id;
  clients.OWNER_VIEWER_TOKEN = new TestClient(server, (await seedToken(server.store, tokenOwner.id, A, "VIEWER")).secret);
  const outsider = await seedUser(server.store, [], "outsider");
  userIds.NON_MEMBER = outsider.id;
  clients.NON_MEMBER = await signIn(server, outsider.email);
  const other = await seedUser(server.store, [{ consortiumId: B, role: "OWNER" }], "otherowner");
  userIds.OTHER_OWNER = other.id;
  clients.OTHER_OWNER = await signIn(server, other.email);
  clients.ANONYMOUS = new TestClient(server);
});
afterAll(async () => {
  await server?.close();
});

interface Case {
  mutation: string;
  input: string;
  /** Least role allowed; callers at or above it succeed. */
  minRole: Role;
  /** Makes what the call needs (outside the snapshot) and returns the input. */
  prepare: (caller: Caller) => Promise<Record<string, unknown>>;
}

const gid = toGlobalId;

async function freshMember(role: Role = "VIEWER") {
  const u = await seedUser(server.store, [{ consortiumId: A, role }], "target");
  return server.store.prisma.membership.findFirstOrThrow({ where: { userId: u.id, consortiumId: A } });
}

const CASES: Case[] = [
  {
    mutation: "consortiumUpdate",
    input: "ConsortiumUpdateInput",
    minRole: "OWNER",
    prepare: async () => ({ consortiumId: gid("Consortium", A), name: `A ${++seq}` }),
  },
  {
    mutation: "siteCreate",
    input: "SiteCreateInput",
    minRole: "OWNER",
    prepare: async () => ({ consortiumId: gid("Consortium", A), code: `S${++seq}`, name: "new site" }),
  },
  {
    mutation: "siteUpdate",
    input: "SiteUpdateInput",
    minRole: "OWNER",
    prepare: async () => ({ siteId: gid("Site", siteA), name: `Site A ${++seq}` }),
  },
  {
    mutation: "invitationCreate",
    input: "InvitationCreateInput",
    minRole: "OWNER",
    prepare: async () => ({
      consortiumId: gid("Consortium", A),
      email: `invitee-${++seq}@example.org`,
      role: "REVIEWER",
      siteId: gid("Site", siteA),
    }),
  },
  {
    mutation: "membershipUpdate",
    input: "MembershipUpdateInput",
    minRole: "OWNER",
    prepare: async () => ({ membershipId: gid("Membership", (await freshMember()).id), role: "CURATOR" }),
  },
  {
    mutation: "membershipRemove",
    input: "MembershipRemoveInput",
    minRole: "OWNER",
    prepare: async () => ({ membershipId: gid("Membership", (await freshMember()).id) }),
  },
  {
    mutation: "apiTokenRevoke",
    input: "ApiTokenRevokeInput",
    minRole: "OWNER", // someone else's token: OWNER only (own tokens: see the api-token tests)
    prepare: async () => {
      const m = await freshMember();
      const { id } = await seedToken(server.store, m.userId, A, "VIEWER");
      return { apiTokenId: gid("ApiToken", id) };
    },
  },
  {
    mutation: "apiTokenCreate",
    input: "ApiTokenCreateInput",
    minRole: "VIEWER",
    prepare: async () => ({ consortiumId: gid("Consortium", A), name: `t${++seq}`, role: "VIEWER" }),
  },
  {
    mutation: "projectCreate",
    input: "ProjectCreateInput",
    minRole: "CURATOR",
    prepare: async () => ({ consortiumId: gid("Consortium", A), slug: `proj-${++seq}`, name: "Project" }),
  },
  {
    mutation: "projectUpdate",
    input: "ProjectUpdateInput",
    minRole: "CURATOR",
    prepare: async () => ({ projectId: gid("Project", projectA), description: `d${++seq}` }),
  },
  {
    mutation: "datasetCreate",
    input: "DatasetCreateInput",
    minRole: "CURATOR",
    prepare: async () => ({ projectId: gid("Project", projectA), name: `ds-${++seq}` }),
  },
  {
    mutation: "datasetUpdate",
    input: "DatasetUpdateInput",
    minRole: "CURATOR",
    prepare: async () => ({ datasetId: gid("Dataset", datasetA), description: `d${++seq}` }),
  },
  {
    mutation: "datasetImport",
    input: "DatasetImportInput",
    minRole: "CURATOR",
    prepare: async (caller) => {
      const n = ++seq;
      const csv = `id,label,site\na${n},x,SA\nb${n},y,SA\n`;
      const up = caller === "ANONYMOUS" ? NO_UPLOAD : uploaded(await clients[caller].upload("m.csv", csv));
      return { projectId: gid("Project", projectA), datasetName: `imported-${n}`, manifestUploadId: up.json.id };
    },
  },
  {
    mutation: "embeddingModelRegister",
    input: "EmbeddingModelRegisterInput",
    minRole: "CURATOR",
    prepare: async (caller) => {
      const config = JSON.parse(readFileSync(new URL("model.json", demoModel), "utf8"));
      config.name = `demo-${++seq}`;
      const bytes = readFileSync(new URL("model.onnx", demoModel));
      const up = caller === "ANONYMOUS" ? NO_UPLOAD : uploaded(await clients[caller].upload("model.onnx", bytes));
      return { consortiumId: gid("Consortium", A), uploadId: up.json.id, config };
    },
  },
];

function expectedOutcome(caller: Caller, minRole: Role): "ALLOWED" | "FORBIDDEN" | "NOT_FOUND" | "UNAUTHENTICATED" {
  if (caller === "ANONYMOUS") return "UNAUTHENTICATED";
  if (caller === "NON_MEMBER" || caller === "OTHER_OWNER") return "NOT_FOUND";
  const role: Role = caller === "OWNER_VIEWER_TOKEN" ? "VIEWER" : caller;
  return RANK[role] >= RANK[minRole] ? "ALLOWED" : "FORBIDDEN";
}

describe.each(CASES)("$mutation (needs $minRole)", (c) => {
  it.each(CALLERS)("as %s", async (caller) => {
    let expected = expectedOutcome(caller, c.minRole);
    // Machines may not mint tokens, whatever their role.
    if (c.mutation === "apiTokenCreate" && caller === "OWNER_VIEWER_TOKEN") expected = "FORBIDDEN";
    const input = await c.prepare(caller);
    const before = await snapshot(server.store);
    const doc = gql(`mutation M($input: ${c.input}!) { ${c.mutation}(input: $input) { errors { code field message } } }`);
    const r = await clients[caller].mutate<Record<string, PayloadErrors>>(doc, { input });
    const after = await snapshot(server.store);
    if (expected === "ALLOWED") {
      expect(r.errors).toEqual([]);
      expect(r.data[c.mutation]?.errors).toEqual([]);
      const audit = await server.store.prisma.auditEvent.findFirst({ orderBy: { id: "desc" } });
      expect(audit).toMatchObject({ action: c.mutation, actorId: userIds[caller], consortiumId: A });
      expect(after).not.toEqual(before);
      return;
    }
    if (expected === "UNAUTHENTICATED") {
      expect(r.errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    } else {
      expect(r.errors).toEqual([]);
      expect(r.data[c.mutation]?.errors).toHaveLength(1);
      expect(r.data[c.mutation]?.errors[0]?.code).toBe(expected);
    }
    expect(after).toEqual(before);
  });
});

describe("another consortium's IDs", () => {
  it("an OWNER of A cannot touch B's objects by ID (NOT_FOUND, nothing changed)", async () => {
    const projectB = await server.store.prisma.project.create({ data: { consortiumId: B, slug: "pb", name: "PB" } });
    const datasetB = await server.store.prisma.dataset.create({ data: { projectId: projectB.id, name: "db" } });
    const memberB = await server.store.prisma.membership.findFirstOrThrow({ where: { consortiumId: B } });
    const attempts: Array<[string, string, Record<string, unknown>]> = [
      ["siteUpdate", "SiteUpdateInput", { siteId: gid("Site", siteB), name: "x" }],
      ["projectUpdate", "ProjectUpdateInput", { projectId: gid("Project", projectB.id), name: "x" }],
      ["datasetCreate", "DatasetCreateInput", { projectId: gid("Project", projectB.id), name: "x" }],
      ["datasetUpdate", "DatasetUpdateInput", { datasetId: gid("Dataset", datasetB.id), description: "x" }],
      ["membershipRemove", "MembershipRemoveInput", { membershipId: gid("Membership", memberB.id) }],
      ["membershipUpdate", "MembershipUpdateInput", { membershipId: gid("Membership", memberB.id), role: "VIEWER" }],
      ["siteCreate", "SiteCreateInput", { consortiumId: gid("Consortium", B), code: "X", name: "x" }],
      // A's membership, but with B's site: the site must belong to the same consortium.
      ["invitationCreate", "InvitationCreateInput", { consortiumId: gid("Consortium", A), email: "x@example.org", role: "VIEWER", siteId: gid("Site", siteB) }],
    ];
    for (const [mutation, input, variables] of attempts) {
      const before = await snapshot(server.store);
      const r = await clients.OWNER.mutate<Record<string, PayloadErrors>>(gql(`mutation M($input: ${input}!) { ${mutation}(input: $input) { errors { code field } } }`), {
        input: variables,
      });
      expect(r.data[mutation]?.errors, mutation).toEqual([expect.objectContaining({ code: "NOT_FOUND" })]);
      expect(await snapshot(server.store), mutation).toEqual(before);
    }
  });

  it("reads of another consortium's objects resolve to null", async () => {
    const r = await clients.OWNER.query(
      gql`
        query ($c: ID!, $s: ID!) {
          consortium(id: $c) {
            id
          }
          node(id: $s) {
            id
          }
        }
      `,
      { c: gid("Consortium", B), s: gid("Site", siteB) },
    );
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ consortium: null, node: null });
  });
});

describe("guards", () => {
  it("the last OWNER cannot be demoted or removed (CONFLICT, nothing changed)", async () => {
    const solo = await server.store.prisma.consortium.create({ data: { slug: "solo", name: "Solo" } });
    const u = await seedUser(server.store, [{ consortiumId: solo.id, role: "OWNER" }], "solo");
    const client = await signIn(server, u.email);
    const m = await server.store.prisma.membership.findFirstOrThrow({ where: { consortiumId: solo.id } });
    const before = await snapshot(server.store);
    const demote = await client.mutate<{ membershipUpdate: PayloadErrors }>(
      gql`
        mutation ($input: MembershipUpdateInput!) {
          membershipUpdate(input: $input) {
            errors {
              code
            }
          }
        }
      `,
      { input: { membershipId: gid("Membership", m.id), role: "VIEWER" } },
    );
    expect(demote.data.membershipUpdate.errors).toEqual([{ code: "CONFLICT" }]);
    const remove = await client.mutate<{ membershipRemove: PayloadErrors }>(
      gql`
        mutation ($input: MembershipRemoveInput!) {
          membershipRemove(input: $input) {
            errors {
              code
            }
          }
        }
      `,
      { input: { membershipId: gid("Membership", m.id) } },
    );
    expect(remove.data.membershipRemove.errors).toEqual([{ code: "CONFLICT" }]);
    expect(await snapshot(server.store)).toEqual(before);
  });

  it("consortiumCreate: a person becomes OWNER; a token is refused; anonymous is UNAUTHENTICATED", async () => {
    const doc = gql`
      mutation ($input: ConsortiumCreateInput!) {
        consortiumCreate(input: $input) {
          consortium {
            slug
            viewerRole
          }
          errors {
            code
          }
        }
      }
    `;
    const ok = await clients.NON_MEMBER.mutate<ConsortiumCreated>(doc, { input: { slug: "fresh", name: "Fresh" } });
    expect(ok.data.consortiumCreate).toEqual({ consortium: { slug: "fresh", viewerRole: "OWNER" }, errors: [] });
    const before = await snapshot(server.store);
    const dup = await clients.VIEWER.mutate<ConsortiumCreated>(doc, { input: { slug: "fresh", name: "Again" } });
    expect(dup.data.consortiumCreate.errors).toEqual([{ code: "CONFLICT" }]);
    const token = await clients.OWNER_VIEWER_TOKEN.mutate<ConsortiumCreated>(doc, { input: { slug: "by-token", name: "T" } });
    expect(token.data.consortiumCreate.errors).toEqual([{ code: "FORBIDDEN" }]);
    const anonymous = await clients.ANONYMOUS.mutate(doc, { input: { slug: "anon", name: "T" } });
    expect(anonymous.errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const invalid = await clients.VIEWER.mutate<ConsortiumCreated>(doc, { input: { slug: "Not A Slug!", name: "" } });
    expect(invalid.data.consortiumCreate.errors).toEqual([{ code: "VALIDATION" }, { code: "VALIDATION" }]);
    expect(await snapshot(server.store)).toEqual(before);
  });

  it("a member revokes their own token; removing a member revokes their tokens", async () => {
    const m = await freshMember("REVIEWER");
    const user = await server.store.prisma.user.findUniqueOrThrow({ where: { id: m.userId } });
    const client = await signIn(server, user.email);
    const own = await seedToken(server.store, m.userId, A, "REVIEWER");
    const r = await client.mutate<{ apiTokenRevoke: PayloadErrors & { apiToken: { active: boolean } | null } }>(
      gql`
        mutation ($input: ApiTokenRevokeInput!) {
          apiTokenRevoke(input: $input) {
            apiToken {
              active
            }
            errors {
              code
            }
          }
        }
      `,
      { input: { apiTokenId: gid("ApiToken", own.id) } },
    );
    expect(r.data.apiTokenRevoke).toEqual({ apiToken: { active: false }, errors: [] });
    const another = await seedToken(server.store, m.userId, A, "REVIEWER");
    const removed = await clients.OWNER.mutate<{ membershipRemove: PayloadErrors & { removedMembershipId: string | null } }>(
      gql`
        mutation ($input: MembershipRemoveInput!) {
          membershipRemove(input: $input) {
            removedMembershipId
            errors {
              code
            }
          }
        }
      `,
      { input: { membershipId: gid("Membership", m.id) } },
    );
    expect(removed.data.membershipRemove).toEqual({ removedMembershipId: gid("Membership", m.id), errors: [] });
    const row = await server.store.prisma.apiToken.findUniqueOrThrow({ where: { id: another.id } });
    expect(row.revokedAt).not.toBeNull();
    expect((await new TestClient(server, another.secret).raw({ query: "{ me { id } }" })).status).toBe(401);
  });
});
