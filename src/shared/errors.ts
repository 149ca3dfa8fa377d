/**
 * Base of every error this package throws. Match on `code` (stable across releases),
 * not on the message or class identity.
 */
export class SgxQuoteHelperError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Renders an unknown thrown value for logs without losing non-Error throws. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
