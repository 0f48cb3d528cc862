// `npm start`'s thumbnails: the demo seed writes its PNGs under the demo consortium's own folder with
// relative URIs, so the image route serves them with no storage grant configured, site scoping applies,
// and the manifest carries no server path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { signIn, startTestServer, type TestServer } from "../test/harness.js";
import { toGlobalId } from "../graphql/ids.js";
import { seedDemoIfEmpty, type DemoSeed } from "./demo.js";

describe("demo thumbnails under the storage rules", () => {
  let server: TestServer;
  let seed: DemoSeed;

  beforeAll(async () => {
    server = await startTestServer({ storageGrants: {} });
    seed = (await seedDemoIfEmpty(server.store, { filesDir: server.filesDir, password: "demo password 1234" }))!;
  }, 180_000);
  afterAll(async () => server?.close());

  it("serves a demo X-ray as image/png to the owner, and a site-B reviewer only site B's", async () => {
    const p = server.store.prisma;
    const samples = await p.sample.findMany({
      where: { versions: { some: { versionId: seed.poolVersionId } } },
      include: { site: true },
      orderBy: { id: "asc" },
      take: 40,
    });
    const first = samples[0]!;
    expect(first.uri).toMatch(/^demo\/train\/pmnist-train-\d{5}\.png$/); // relative, no server path
    const owner = await signIn(server, "owner@demo.stratum", "demo password 1234");
    const res = await owner.get(`/samples/${toGlobalId("Sample", first.id)}/image`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const onDisk = readFileSync(path.join(server.filesDir, "consortia", "demo", first.uri!));
    expect(Buffer.from(await res.arrayBuffer()).equals(onDisk)).toBe(true);

    const siteB = await signIn(server, "site-b@demo.stratum", "demo password 1234");
    const ofB = samples.find((s) => s.site?.code === "B")!;
    const notB = samples.find((s) => s.site?.code !== "B")!;
    expect((await siteB.get(`/samples/${toGlobalId("Sample", ofB.id)}/image`)).status).toBe(200);
    expect((await siteB.get(`/samples/${toGlobalId("Sample", notB.id)}/image`)).status).toBe(404);
  });
});
