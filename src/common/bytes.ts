// Byte sizes: parsing what users type (chunk-size) and formatting what we report.

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: KiB,
  mb: 1000 ** 2,
  mib: MiB,
  gb: 1000 ** 3,
  gib: GiB,
};

const SIZE_FORMAT = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i;

/**
 * Parses `5242880`, `8MiB`, `16 MiB`, `16MB` (10^6), `1GiB`, `7.5MiB` into whole bytes.
 * Throws a plain Error saying what is wrong with the text; callers add which input it was.
 */
export function parseSize(text: string): number {
  const match = SIZE_FORMAT.exec(text.trim());
  const unit = match?.[3]?.toLowerCase() ?? '';
  const unitBytes = unit === '' ? 1 : UNIT_BYTES[unit];
  if (!match || unitBytes === undefined) {
    throw new Error(
      `'${text}' is not a size; write a number of bytes or a number with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. 32MiB`,
    );
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  // BigInt keeps `7.5MiB` exact and lets us tell whether a decimal lands on a whole byte.
  const scaled = BigInt(whole + fraction) * BigInt(unitBytes);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) {
    throw new Error(`'${text}' is not a whole number of bytes`);
  }
  const bytes = scaled / divisor;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`'${text}' is too large`);
  return Number(bytes);
}

/** `1536` → `1.5 KiB`, `33554432` → `32 MiB`: binary units, at most two decimals, no trailing zeros. */
export function formatBytes(bytes: number): string {
  const units: [string, number][] = [
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(bytes) >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`;
  }
  return `${bytes} B`;
}
