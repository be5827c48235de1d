// The Update Service's wire types, as the upload-jobs guide and the public contract describe them.
// Shared by the service client and the emulator; nothing else crosses between the two.
import { MiB } from '../common/bytes.js';

/** S3 multipart rule: every chunk but the last must be at least this long. */
export const MIN_CHUNK_SIZE = 5 * MiB;
/** The service refuses any single request body larger than this (413). */
export const MAX_CHUNK_SIZE = 100 * MiB;
/** Content-MD5 of the zero-length chunk that completes a job. */
export const EMPTY_MD5_BASE64 = '1B2M2Y8AsgTpgAmY7PhCfg==';

export const MAX_NAME_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 2000;

export const DEFAULT_API_HOST = 'https://api.us-east-1.mbedcloud.com';

/** Paths relative to the API host. */
export const paths = {
  uploadJobs: '/v3/firmware-images/upload-jobs',
  uploadJob: (jobId: string) => `/v3/firmware-images/upload-jobs/${encodeURIComponent(jobId)}`,
  chunks: (jobId: string) => `/v3/firmware-images/upload-jobs/${encodeURIComponent(jobId)}/chunks`,
  chunk: (jobId: string, chunkId: number) =>
    `/v3/firmware-images/upload-jobs/${encodeURIComponent(jobId)}/chunks/${chunkId}`,
  firmwareImages: '/v3/firmware-images',
  firmwareImage: (imageId: string) => `/v3/firmware-images/${encodeURIComponent(imageId)}`,
} as const;

export interface ErrorBody {
  object: 'error';
  code: number;
  type: string;
  message: string;
  fields?: { name: string; message: string }[];
  request_id: string;
}

export type SortOrder = 'ASC' | 'DESC';

export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  limit: number;
  order: SortOrder;
  after: string | null;
  total_count?: number;
}

export type UploadJobStatus = 'not_started' | 'in_progress' | 'completed' | (string & {});

export interface UploadJob {
  object: 'upload-job';
  id: string;
  name: string;
  description: string;
  status: UploadJobStatus;
  /** The guide calls it `completed`, the contract `complete`: read both. */
  completed?: boolean;
  complete?: boolean;
  firmware_image_id: string;
  created_at: string;
  updated_at: string;
  etag: string;
}

export interface UploadChunk {
  object?: 'upload-info';
  /** 1, 2, 3… in upload order. */
  id: number;
  length: number;
  /** MD5 of the chunk: hex in the guide, base64 in the contract's example. */
  hash: string;
  upload_job_id?: string;
  created_at: string;
  updated_at: string;
  etag: string;
}

export interface FirmwareImage {
  object: 'firmware-image';
  id: string;
  name: string;
  description: string;
  /** URL of the stored image. */
  datafile: string;
  /** SHA-256, hex, of the image bytes. */
  datafile_checksum: string;
  datafile_size: number;
  /** Shorter URL the live service returns, which a manifest can carry instead. */
  short_datafile?: string;
  /** The service encrypted the stored payload (asked for with `datafile_encryption`). */
  datafile_encryption?: boolean;
  /** SHA-256 (hex) and size of the encrypted payload: what a manifest of an encrypted image carries. */
  encrypted_datafile_checksum?: string;
  encrypted_datafile_size?: number;
  created_at: string;
  updated_at: string;
  etag: string;
}

export interface UploadJobRequest {
  name?: string;
  description?: string;
  /** Ask the service to encrypt the stored payload. */
  datafile_encryption?: boolean;
}

export function isJobComplete(job: UploadJob): boolean {
  return job.completed === true || job.complete === true || job.status === 'completed';
}
