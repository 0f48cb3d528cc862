import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { SampleError } from "../errors.js";
import { png } from "../__tests__/fixtures.js";
import { decodeRaster } from "./raster.js";

async function failure(p: Promise<unknown>): Promise<SampleError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(SampleError);
    return error as SampleError;
  }
  throw new Error("expected a SampleError");
}

describe("decodeRaster(bytes)", () => {
  it("decodes an 8-bit gray PNG exactly", async () => {
    const img = await decodeRaster(await png(3, 2, 1, new Uint8Array([0, 10, 20, 30, 40, 255])));
    expect(img).toMatchObject({ width: 3, height: 2, channels: 1 });
    expect(Array.from(img.data)).toEqual([0, 10, 20, 30, 40, 255]);
  });

  it("decodes a 16-bit gray PNG at full depth onto the 0..255 scale (÷ 257)", async () => {
    const bytes = await png(2, 2, 1, new Uint16Array([0, 1000, 65535, 30000]));
    expect((await sharp(bytes).metadata()).depth).toBe("ushort");
    const img = await decodeRaster(bytes);
    expect(img.channels).toBe(1);
    expect(Array.from(img.data)).toEqual([0, 1000 / 257, 255, 30000 / 257].map(Math.fround));
  });

  it("decodes 8-bit RGB and drops alpha from RGBA", async () => {
    const rgb = await decodeRaster(await png(1, 2, 3, new Uint8Array([1, 2, 3, 4, 5, 6])));
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const rgba = await decodeRaster(await png(1, 1, 4, new Uint8Array([9, 8, 7, 128])));
    expect(rgba.channels).toBe(3);
    expect(Array.from(rgba.data)).toEqual([9, 8, 7]);
  });

  it("decodes a 16-bit RGB PNG", async () => {
    const img = await decodeRaster(await png(1, 1, 3, new Uint16Array([257, 514, 65535])));
    expect(Array.from(img.data)).toEqual([1, 2, 255]);
  });

  it("decodes a JPEG (lossy: values within a few levels) and a 16-bit TIFF", async () => {
    const flat = new Uint8Array(16 * 16).fill(100);
    const jpeg = await sharp(flat, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace("b-w").jpeg({ quality: 95 }).toBuffer();
    const img = await decodeRaster(jpeg);
    expect(img).toMatchObject({ width: 16, height: 16, channels: 1 });
    for (const v of img.data) expect(Math.abs(v - 100)).toBeLessThanOrEqual(2);
    const tiff = await sharp(new Uint16Array([0, 65535]), { raw: { width: 2, height: 1, channels: 1 } }).toColourspace("grey16").tiff().toBuffer();
    const t = await decodeRaster(tiff);
    expect(Array.from(t.data)).toEqual([0, 255]);
  });

  it("reports a corrupt file as DECODE_FAILED", async () => {
    const good = await png(8, 8, 1, new Uint8Array(64).fill(7));
    const e = await failure(decodeRaster(good.subarray(0, 20)));
    expect(e.code).toBe("DECODE_FAILED");
    expect((await failure(decodeRaster(new TextEncoder().encode("not an image at all")))).code).toBe("DECODE_FAILED");
  });
});
