import { SgxQuoteHelperError } from "../shared/errors.ts";

/**
 * Codes of {@link SgxStructureError}:
 * - `ERR_SGX_BAD_SIZE`: a structure did not have its fixed size;
 * - `ERR_SGX_BAD_FIELD`: a field holds a value the structure does not allow (e.g. a list header).
 */
export type SgxStructureErrorCode = "ERR_SGX_BAD_SIZE" | "ERR_SGX_BAD_FIELD";

/** A malformed SGX structure (REPORT, TARGETINFO, attestation key id, qe_report_info). */
export class SgxStructureError extends SgxQuoteHelperError {
  declare readonly code: SgxStructureErrorCode;
  readonly structure: string;

  constructor(code: SgxStructureErrorCode, structure: string, message: string) {
    super(code, `${structure}: ${message}`);
    this.structure = structure;
  }
}

/** Throws ERR_SGX_BAD_SIZE unless `bytes` is exactly `size` long. */
export function expectSize(structure: string, bytes: Uint8Array, size: number): void {
  if (bytes.byteLength !== size) {
    throw new SgxStructureError("ERR_SGX_BAD_SIZE", structure, `expected ${size} bytes, got ${bytes.byteLength}`);
  }
}
