// The engine's own SHA-256 must give node:crypto's digests byte for byte: manifest hashes of runs
// already stored are recomputed with it. node:crypto is used here, in the test only.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRng } from "./rng.js";
import { sha256, sha256Hex } from "./sha256.js";

const nodeHex = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");

describe("sha256", () => {
  it("sha256Hex gives the FIPS 180-2 vectors ('abc', the empty string, the 448-bit message, a million 'a')", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    expect(sha256Hex("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("sha256 equals node:crypto on 1 MB of random bytes and on every length around the padding boundaries", () => {
    const rng = createRng(15);
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = rng.int(256);
    expect(sha256Hex(big)).toBe(nodeHex(big));
    expect(Buffer.from(sha256(big)).toString("hex")).toBe(nodeHex(big));
    for (let len = 0; len <= 200; len++) expect(sha256Hex(big.subarray(0, len))).toBe(nodeHex(big.subarray(0, len)));
  });

  it("a string is hashed as its UTF-8 bytes, as node:crypto's update(s, 'utf8') (lone surrogates as U+FFFD)", () => {
    for (const s of ['[0,"Zürich","肺炎",null]', "emoji 🫁", "lone \ud800 surrogate"]) {
      expect(sha256Hex(s)).toBe(createHash("sha256").update(s, "utf8").digest("hex"));
    }
  });
});
