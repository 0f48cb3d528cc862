/**
 * A decoded image: interleaved HWC float pixels on a 0..255 scale (8-bit as is, 16-bit ÷ 257,
 * DICOM after rescale and VOI window). channels is 1 (gray) or 3 (RGB); alpha is dropped.
 */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

/** Sample metadata taken from the file (DICOM tags); never direct identifiers. */
export type SampleMetadata = Record<string, string | number | number[]>;
