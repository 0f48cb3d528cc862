// @stratum/embed: ONNX image encoders, image/DICOM/array decoding, the streaming embedding pipeline.
// This file only re-exports.
export { parseModelConfig, modelLabel, type ModelConfig, type ModelInputConfig, type PreprocessConfig, type ModelOutputConfig, type Layout, type ResizeMode, type Interpolation, type Pooling } from "./config.js";
export { EmbedError, SampleError, isAbortError, type EmbedErrorCode, type SampleFailureCode } from "./errors.js";
export type { DecodedImage, SampleMetadata } from "./image.js";
export { resize } from "./resize.js";
export { preprocess, sampleSize } from "./preprocess.js";
export { poolOutput } from "./pooling.js";
export { registerModel, loadModel, createSession, checkSignature, runBatch, defaultIntraOpThreads, type RegisteredModel, type LoadedModel, type SessionOptions } from "./model.js";
export { decodeDicom, dicomMetadata, ageBand, isDicom, UNCOMPRESSED_SYNTAXES, COMPRESSED_SYNTAXES, type DicomDecodeResult } from "./decode/dicom.js";
export { decodeRaster } from "./decode/raster.js";
export { decodeArrayRef, type ArrayRef } from "./decode/array.js";
export { processInput, IMAGE_EXTENSIONS, type EmbedInput, type ProcessedSample } from "./decode/index.js";
export { embedImages, defaultDecodeWorkers, type EmbedOptions, type EmbedBatch, type EmbeddedSample, type SampleFailure, type EmbedProgress } from "./pipeline.js";
export { demoModelPath, DEMO_MODELS } from "./demo.js";
