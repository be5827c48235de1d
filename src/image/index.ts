export { ImageChangedError, ImagePathError } from './errors.js';
export { hashImage, hashSource, type ImageHashes } from './hash-image.js';
export { locateImage, type LocatedImage } from './locate.js';
export { hashMatches, md5, md5Base64, md5Hex } from './md5.js';
export { planChunks, type ChunkSpec } from './plan.js';
export { openImage, type ChunkBody, type ImageSource, type PreparedChunk } from './source.js';
