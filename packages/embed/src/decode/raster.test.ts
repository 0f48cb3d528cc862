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

async function decodeWithSharpRef(bytes: Uint8Array) {
  const { decodeWithSharp } = await import("./raster.js");
  return decodeWithSharp(bytes);
}

describe("decodePngFast(bytes) agrees with sharp", () => {
  it("gives the same pixels as sharp for 8/16-bit gray, gray+alpha, RGB and RGBA with every filter type", async () => {
    const { decodePngFast } = await import("./png.js");
    const { decodeWithSharp } = await import("./raster.js");
    const w = 37;
    const h = 23;
    for (const channels of [1, 2, 3, 4] as const) {
      for (const sixteen of [false, true]) {
        const n = w * h * channels;
        // Smooth gradients plus noise: the adaptive encoder then uses sub, up, average and Paeth rows.
        const data = sixteen ? new Uint16Array(n) : new Uint8Array(n);
        for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 97) + (sixteen ? (i % w) * 1500 : (i % w) * 4);
        let s = sharp(data, { raw: { width: w, height: h, channels } });
        if (sixteen) s = s.toColourspace(channels <= 2 ? "grey16" : "rgb16");
        else if (channels <= 2) s = s.toColourspace("b-w");
        const bytes = await s.png({ adaptiveFiltering: true, compressionLevel: 6 }).toBuffer();
        const fast = decodePngFast(bytes);
        expect(fast, `channels ${channels}, 16-bit ${sixteen}`).toBeDefined();
        const ref = await decodeWithSharp(bytes);
        expect(fast!.channels).toBe(ref.channels);
        expect(fast!.width).toBe(w);
        expect(Array.from(fast!.data)).toEqual(Array.from(ref.data));
      }
    }
  });

  it("undoes every PNG filter type (0–4) exactly, 8- and 16-bit", async () => {
    const { decodePngFast } = await import("./png.js");
    const { encodePng } = await import("../__tests__/fixtures.js");
    const w = 9;
    const h = 10;
    for (const [colourType, samples] of [[0, 1], [2, 3], [4, 2], [6, 4]] as const) {
      for (const depth of [8, 16] as const) {
        const max = depth === 8 ? 255 : 65535;
        const data = Array.from({ length: w * h * samples }, (_, i) => ((i * 7919) % (max + 1)) ^ (i % 3));
        const bytes = encodePng(w, h, colourType, depth, data, [0, 1, 2, 3, 4]);
        const img = decodePngFast(bytes)!;
        const channels = samples <= 2 ? 1 : 3;
        const expected: number[] = [];
        for (let p = 0; p < w * h; p++) for (let c = 0; c < channels; c++) expected.push(Math.fround(depth === 8 ? data[p * samples + c]! : data[p * samples + c]! / 257));
        expect(Array.from(img.data), `colour type ${colourType}, ${depth}-bit`).toEqual(expected);
        const ref = await decodeWithSharpRef(bytes);
        expect(Array.from(img.data)).toEqual(Array.from(ref.data));
      }
    }
  });

  it("falls back (undefined) for palette, interlaced or truncated PNGs", async () => {
    const { decodePngFast } = await import("./png.js");
    const rgb = new Uint8Array(8 * 8 * 3).map((_, i) => i);
    const palette = await sharp(rgb, { raw: { width: 8, height: 8, channels: 3 } }).png({ palette: true }).toBuffer();
    expect(decodePngFast(palette)).toBeUndefined();
    const interlaced = await sharp(rgb, { raw: { width: 8, height: 8, channels: 3 } }).png({ progressive: true }).toBuffer();
    expect(decodePngFast(interlaced)).toBeUndefined();
    expect(decodePngFast(interlaced.subarray(0, 40))).toBeUndefined();
    // …and decodeRaster still decodes the palette and interlaced ones through sharp.
    expect((await decodeRaster(palette)).channels).toBe(3);
    expect((await decodeRaster(interlaced)).width).toBe(8);
  });
});
