// The action's outputs (names as in action.yml) from what publish() returned.
import type { PublishResult } from '../uploader/index.js';

export type OutputName =
  | 'firmware_image_id'
  | 'datafile_url'
  | 'short_datafile_url'
  | 'datafile_checksum'
  | 'datafile_size'
  | 'upload_job_id'
  | 'encrypted_datafile_checksum'
  | 'encrypted_datafile_size'
  | 'name'
  | 'outcome';

/**
 * Only outputs with a value are present: a dry run published nothing, so it carries no ids or URLs
 * (even when it found an identical image), and `short_datafile_url` exists only when the service sent one.
 */
export function outputsFor(result: PublishResult): Partial<Record<OutputName, string>> {
  const outputs: Partial<Record<OutputName, string>> = {
    name: result.name,
    outcome: result.outcome,
    datafile_checksum: result.datafileChecksum,
    datafile_size: String(result.datafileSize),
  };
  if (result.outcome === 'dry-run') return outputs;
  const published: [OutputName, string | undefined][] = [
    ['firmware_image_id', result.firmwareImageId],
    ['datafile_url', result.datafileUrl],
    ['short_datafile_url', result.shortDatafileUrl],
    ['upload_job_id', result.uploadJobId],
    ['encrypted_datafile_checksum', result.encryptedDatafileChecksum],
    ['encrypted_datafile_size', result.encryptedDatafileSize?.toString()],
  ];
  for (const [output, value] of published) {
    if (value) outputs[output] = value;
  }
  return outputs;
}
