// multipart/form-data request bodies (the image POST and the manifest POST), read with a size cap and
// parsed by the platform's own parser (undici's Response.formData), not by hand.
import type { IncomingMessage } from 'node:http';
import { ApiError, validationError } from './errors.js';

export interface FormFile {
  fileName: string;
  data: Buffer;
}

export interface Form {
  text(field: string): string | undefined;
  file(field: string): FormFile | undefined;
}

/**
 * Reads the whole body (refusing one over `maxBytes` with a 413 before reading on) and parses it.
 * `what` names the upload in messages ('firmware image', 'manifest').
 */
export async function readMultipart(req: IncomingMessage, maxBytes: number, what: string): Promise<Form> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data;\s*boundary=/i.test(contentType)) {
    throw new ApiError(400, `The ${what} must be sent as multipart/form-data (with a boundary)`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw tooLarge(what, maxBytes);
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of req as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > maxBytes) throw tooLarge(what, maxBytes);
    pieces.push(piece);
  }
  let form: FormData;
  try {
    form = await new Response(Buffer.concat(pieces), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ApiError(400, `The ${what} upload is not a well-formed multipart/form-data body`);
  }
  const files = new Map<string, FormFile>();
  for (const [field, value] of form) {
    if (typeof value !== 'string' && !files.has(field)) {
      files.set(field, { fileName: value.name, data: Buffer.from(await value.arrayBuffer()) });
    }
  }
  return {
    text: (field) => {
      const value = form.get(field);
      return typeof value === 'string' ? value : undefined;
    },
    file: (field) => files.get(field),
  };
}

function tooLarge(what: string, maxBytes: number): ApiError {
  return new ApiError(413, `The ${what} upload may be at most ${maxBytes} bytes`);
}

/** A form field that must hold a file. */
export function requireFile(form: Form, field: string): FormFile {
  const file = form.file(field);
  if (!file) throw validationError(field, 'is required: send the file as a multipart field named ' + field);
  return file;
}

/** `true`/`false` form fields, as manifest-tool sends `datafile_encryption`. */
export function formBoolean(form: Form, field: string): boolean {
  const value = form.text(field);
  if (value === undefined || value === '') return false;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw validationError(field, `must be true or false (got '${value.slice(0, 20)}')`);
}
