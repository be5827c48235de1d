// The faults that play a hostile or broken service's answers: a huge body, a body without end, paging
// without end, entries with missing or wrongly typed fields. The client must bound what it reads and
// check what it gets (src/client/transport.ts, validate.ts).
import type { ServerResponse } from 'node:http';
import { newId } from './ids.js';
import type { Fault, Operation } from './types.js';

const LIST_OPERATIONS: readonly Operation[] = ['list-jobs', 'list-chunks', 'list-images'];

/** The rule's problem, or undefined when it is well formed (or not a hostile fault). */
export function checkHostileFault(fault: Fault, operation: Operation): string | undefined {
  const status = (fault as { status?: unknown }).status;
  if (
    (fault.type === 'huge-body' || fault.type === 'endless-body') &&
    status !== undefined &&
    !(typeof status === 'number' && status >= 200 && status <= 599)
  ) {
    return 'fault.status must be an HTTP status (200-599)';
  }
  if (fault.type === 'huge-body' && !(Number.isSafeInteger(fault.bytes) && fault.bytes >= 0)) {
    return 'fault.bytes must be a whole number of bytes';
  }
  if (fault.type === 'endless-paging' && !LIST_OPERATIONS.includes(operation)) {
    return `endless-paging applies to ${LIST_OPERATIONS.join(', ')} only`;
  }
  if (fault.type === 'mangle') {
    if (
      fault.drop !== undefined &&
      !(Array.isArray(fault.drop) && fault.drop.every((f) => typeof f === 'string'))
    ) {
      return 'fault.drop must be an array of field names';
    }
    if (fault.set !== undefined && (typeof fault.set !== 'object' || fault.set === null)) {
      return 'fault.set must be an object of field values';
    }
  }
  return undefined;
}

/** Whether the fault answers before the request has any effect (an error page from a gateway). */
export function answersBeforeEffect(fault: Fault): boolean {
  return fault.type === 'huge-body' && (fault.status ?? 200) >= 300;
}

const SLICE = Buffer.alloc(64 * 1024, ' ');

/** Writes `slice` until `remaining` bytes went out (Infinity: until the peer or stop() ends it). */
async function pour(res: ServerResponse, total: number, stopped: AbortSignal): Promise<void> {
  let remaining = total;
  while (remaining > 0 && !res.destroyed && !stopped.aborted) {
    const piece = remaining >= SLICE.length ? SLICE : SLICE.subarray(0, remaining);
    remaining -= piece.length;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}

/** A huge or endless answer: a JSON-looking start, then spaces (valid JSON whitespace) forever. */
export async function writeHostileBody(
  res: ServerResponse,
  fault: Extract<Fault, { type: 'huge-body' | 'endless-body' }>,
  stopped: AbortSignal,
): Promise<void> {
  const status = fault.status ?? 200;
  const start = Buffer.from(status >= 300 ? '<html><body><h1>Gateway error</h1>' : '{"object":"list"');
  if (fault.type === 'huge-body') {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': fault.bytes });
    res.write(start.subarray(0, fault.bytes));
    return pour(res, Math.max(0, fault.bytes - start.length), stopped);
  }
  res.writeHead(status, { 'Content-Type': 'application/json' }); // chunked: no length, no end
  res.write(start);
  return pour(res, Infinity, stopped);
}

let madeUp = 0;

/** A made-up list entry of the operation's kind, valid on its own: only the paging lies. */
function madeUpEntry(operation: Operation, fixed: boolean): Record<string, unknown> {
  const n = fixed ? 0 : ++madeUp;
  const id = fixed ? 'f'.repeat(32) : newId();
  const at = new Date().toISOString();
  const common = { created_at: at, updated_at: at, etag: at };
  switch (operation) {
    case 'list-chunks':
      return { object: 'upload-info', id: 1_000_000 + n, length: 1, hash: '0'.repeat(32), ...common };
    case 'list-images':
      return {
        object: 'firmware-image',
        id,
        name: `endless-${n}`,
        description: '',
        datafile: `http://127.0.0.1/endless-${n}.bin`,
        datafile_checksum: '0'.repeat(64),
        datafile_size: 1,
        ...common,
      };
    default:
      return {
        object: 'upload-job',
        id,
        name: `endless-${n}`,
        description: '',
        status: 'in_progress',
        firmware_image_id: '',
        ...common,
      };
  }
}

/** The JSON answer as the fault rewrites it (endless-paging, mangle); other faults leave it alone. */
export function rewriteJson(json: unknown, fault: Fault, operation: Operation): unknown {
  if (typeof json !== 'object' || json === null) return json;
  const page = json as { data?: unknown[] };
  if (fault.type === 'endless-paging') {
    const data = [...(page.data ?? []), madeUpEntry(operation, fault.repeat === true)];
    return { ...page, data, has_more: true };
  }
  if (fault.type === 'mangle') {
    const mangle = (entity: unknown) => {
      if (typeof entity !== 'object' || entity === null) return entity;
      const out: Record<string, unknown> = { ...(entity as Record<string, unknown>), ...fault.set };
      for (const field of fault.drop ?? []) delete out[field];
      return out;
    };
    return Array.isArray(page.data) ? { ...page, data: page.data.map(mangle) } : mangle(json);
  }
  return json;
}
