import { describe, expect, it } from "vitest";
import { apiOrigin, readEnv } from "./env";

describe("readEnv", () => {
  it("readEnv({}) defaults to localhost:4000 with a ws:// subscription URL", () => {
    const env = readEnv({});
    expect(env.publicApiUrl).toBe("http://localhost:4000/graphql");
    expect(env.wsUrl).toBe("ws://localhost:4000/graphql");
    expect(env.upstreamApiUrl).toBe("http://localhost:4000/graphql");
  });
  it("readEnv maps https to wss and keeps a separate upstream", () => {
    const env = readEnv({ NEXT_PUBLIC_API_URL: "https://api.example.org/graphql", STRATUM_API_URL: "http://10.0.0.2:4000/graphql" });
    expect(env.wsUrl).toBe("wss://api.example.org/graphql");
    expect(apiOrigin(env.upstreamApiUrl)).toBe("http://10.0.0.2:4000");
  });
  it("readEnv rejects a relative or non-http URL naming the variable", () => {
    expect(() => readEnv({ NEXT_PUBLIC_API_URL: "/graphql" })).toThrow(/NEXT_PUBLIC_API_URL: expected an absolute/);
    expect(() => readEnv({ STRATUM_API_URL: "ftp://x/graphql" })).toThrow(/STRATUM_API_URL: expected protocol/);
  });
});
