// A stand-in for the manifest `manifest-dev-tool create` writes, for rehearsals (demo, end-to-end test,
// campaign tests): DER-encoded, carrying what the service looks for in a real one, the payload URL as text
// and the payload digest as raw SHA-256 bytes, plus the size and a fixed dummy signature. Not signed: the
// emulator reads it, a device would refuse it.

export interface ManifestPayload {
  /** The publish step's `datafile_url` (or `short_datafile_url`). */
  url: string;
  /** The publish step's `datafile_checksum` (hex); the manifest carries its raw bytes. */
  sha256Hex: string;
  size: number;
  /** The firmware version, as `--fw-version` gives it. */
  version?: string;
}

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const header =
    length < 0x80
      ? Buffer.from([tag, length])
      : length < 0x100
        ? Buffer.from([tag, 0x81, length])
        : Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

function derInteger(value: number): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return der(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function fixtureManifest(payload: ManifestPayload): Buffer {
  const digest = Buffer.from(payload.sha256Hex, 'hex');
  if (digest.length !== 32)
    throw new Error(`fixture manifest: '${payload.sha256Hex}' is not a SHA-256 in hex`);
  const body = Buffer.concat([
    der(0x0c, Buffer.from(payload.version ?? '1.0.0')), // UTF8String: version
    der(0x16, Buffer.from(payload.url)), // IA5String: payload URL
    der(0x04, digest), // OCTET STRING: payload digest
    derInteger(payload.size), // INTEGER: payload size
  ]);
  const signature = der(0x04, Buffer.alloc(64, 0x5a)); // OCTET STRING: dummy signature
  return der(0x30, Buffer.concat([der(0x30, body), signature]));
}
