export { FormatError, type FormatErrorCode, type FormatErrorDetails } from "./errors.js";
export {
  parseNpyHeader,
  parseNpy,
  readNpy,
  encodeNpy,
  encodeNpyHeader,
  writeNpy,
  openNpy,
  npyDescr,
  type DType,
  type TypedArray,
  type NdArray,
  type NpyHeader,
  type NpyChunk,
  type NpyFile,
} from "./npy.js";
export { parseNpz, readNpz, encodeNpz, writeNpz, type ReadNpzOptions } from "./npz.js";
export {
  openManifest,
  manifestFormatOf,
  type ManifestFormat,
  type ManifestRow,
  type ManifestFields,
  type ManifestReader,
  type OpenManifestOptions,
} from "./manifest.js";
export {
  openEmbeddings,
  embeddingFormatOf,
  assertFinite,
  type EmbeddingFormat,
  type EmbeddingChunk,
  type EmbeddingReader,
  type OpenEmbeddingsOptions,
} from "./embeddings.js";
export { CsvParser, readCsvRecords, type CsvRecord } from "./csv.js";
export {
  FINDINGS_FORMAT,
  type FindingsFile,
  type FindingsFileClass,
  type FindingsFileGroup,
  type FindingsFileParams,
  type FindingsFileAssociation,
} from "./findings.js";
