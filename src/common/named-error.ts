/**
 * The base of this project's errors: each is named after its class, so a stack or a debug line says
 * `UploadStateError: …` without every class restating its own name (ncc keeps class names when it minifies).
 */
export class NamedError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
