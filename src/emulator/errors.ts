import type { ErrorBody } from '../api/types.js';
import { newId } from './ids.js';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'validation_error',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  429: 'too_many_requests',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

export type FieldError = { name: string; message: string };

/** A refusal in the service's own words; the server turns it into the contract's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
  }
}

export function validationError(field: string, message: string): ApiError {
  return validationErrors([{ name: field, message }]);
}

/** One 400 naming every field that is wrong: `Validation error: name must be a string; …`. */
export function validationErrors(errors: FieldError[]): ApiError {
  return new ApiError(
    400,
    `Validation error: ${errors.map((e) => `${e.name} ${e.message}`).join('; ')}`,
    errors,
  );
}

export function errorBody(status: number, message: string, fields?: FieldError[]): ErrorBody {
  return {
    object: 'error',
    code: status,
    type: TYPE_BY_STATUS[status] ?? (status >= 500 ? 'internal_server_error' : 'bad_request'),
    message,
    ...(fields ? { fields } : {}),
    request_id: newId(),
  };
}

/** What a gateway in front of the service answers (e.g. a 502 from a load balancer): HTML, not JSON. */
export function gatewayHtml(status: number): string {
  return `<html>\r\n<head><title>${status} Error</title></head>\r\n<body>\r\n<center><h1>${status} Error</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** The record, or the 404 that says it does not exist. */
export function found<T>(record: T | undefined, what: string, id: string | number): T {
  if (record === undefined) throw notFound(what, id);
  return record;
}

/** The 404 of a record that does not exist: `Firmware image <id> not found`. */
export function notFound(what: string, id: string | number): ApiError {
  return new ApiError(404, `${what} ${id} not found`);
}
