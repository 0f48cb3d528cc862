// The small part of daikon (no bundled types) that decode/dicom.ts uses to decompress pixel data.
declare module "daikon" {
  interface DaikonImage {
    getRawData(): ArrayBuffer;
    getNumberOfFrames(): number;
    getJpegs(): ArrayBuffer[];
    getRows(): number;
    getCols(): number;
    isCompressedRLE(): boolean;
    isCompressed(): boolean;
    littleEndian: boolean;
  }
  const daikon: {
    Parser: { verbose: boolean };
    Series: { parseImage(data: DataView): DaikonImage | null; parserError: unknown };
  };
  export default daikon;
}
