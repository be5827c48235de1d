// Changing an image file the way a build step might while it is uploaded. No jest imports.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** XORs `mask` into the file at `position`, in place (same size, same inode). */
export function xorInPlace(path: string, position: number, mask: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    const bytes = Buffer.alloc(mask.length);
    readSync(fd, bytes, 0, mask.length, position);
    writeSync(
      fd,
      bytes.map((b, i) => b ^ mask[i]!),
      0,
      mask.length,
      position,
    );
  } finally {
    closeSync(fd);
  }
}
