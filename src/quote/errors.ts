import { SgxQuoteHelperError } from "../shared/errors.ts";

/**
 * Codes of {@link QuoteFormatError}:
 * - `ERR_QUOTE_TRUNCATED`: a field (or a declared length) reaches past the end of the input;
 * - `ERR_QUOTE_UNSUPPORTED_VERSION`: quote version other than 3 (v4/v5 are not decoded yet);
 * - `ERR_QUOTE_UNSUPPORTED_KEY_TYPE`: attestation key type other than 2 (ECDSA-P256);
 * - `ERR_QUOTE_UNSUPPORTED_TEE`: TEE type other than SGX (0) in a v3 quote;
 * - `ERR_QUOTE_LENGTH_MISMATCH`: signature_data_len disagrees with the lengths inside it;
 * - `ERR_QUOTE_CERT_CHAIN`: certification data that is not a well-formed PEM chain;
 * - `ERR_QUOTE_PCK_EXTENSION`: a PCK certificate without a well-formed SGX extension;
 * - `ERR_QUOTE_ENCODE`: a structure handed to an encoder has a field of the wrong size or value.
 */
export type QuoteFormatErrorCode =
  | "ERR_QUOTE_TRUNCATED"
  | "ERR_QUOTE_UNSUPPORTED_VERSION"
  | "ERR_QUOTE_UNSUPPORTED_KEY_TYPE"
  | "ERR_QUOTE_UNSUPPORTED_TEE"
  | "ERR_QUOTE_LENGTH_MISMATCH"
  | "ERR_QUOTE_CERT_CHAIN"
  | "ERR_QUOTE_PCK_EXTENSION"
  | "ERR_QUOTE_ENCODE";

/** Details a caller may use to point at the offending bytes. */
export interface QuoteFormatErrorDetails {
  /** Name of the field being read, as in the layout tables ("qe_auth_data_size"). */
  readonly field?: string;
  /** Offset of that field in the quote. */
  readonly offset?: number;
}

/** A quote (or part of one) that cannot be decoded or encoded. */
export class QuoteFormatError extends SgxQuoteHelperError {
  declare readonly code: QuoteFormatErrorCode;
  readonly field: string | undefined;
  readonly offset: number | undefined;

  constructor(code: QuoteFormatErrorCode, message: string, details: QuoteFormatErrorDetails = {}, options?: ErrorOptions) {
    super(code, message, options);
    this.field = details.field;
    this.offset = details.offset;
  }
}
