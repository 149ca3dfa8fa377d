import { SgxQuoteHelperError } from "../shared/errors.ts";

/**
 * Codes of {@link QuoteFormatError}:
 * - `ERR_QUOTE_TRUNCATED`: a field (or a declared length) reaches past the end of the input;
 * - `ERR_QUOTE_UNSUPPORTED_VERSION`: quote version other than 3, 4 or 5;
 * - `ERR_QUOTE_UNSUPPORTED_KEY_TYPE`: attestation key type other than 2 (ECDSA-P256);
 * - `ERR_QUOTE_UNSUPPORTED_TEE`: TEE type other than SGX (0) or TDX (0x81); TDX in a v3 quote;
 * - `ERR_QUOTE_UNSUPPORTED_BODY_TYPE`: v5 body type other than 1/2/3, or one that does not fit the TEE type;
 * - `ERR_QUOTE_UNEXPECTED_CERT_DATA_TYPE`: v4/v5 outer certification data type other than 6;
 * - `ERR_QUOTE_LENGTH_MISMATCH`: a declared length disagrees with the contents it frames
 *   (signature_data_len, the type-6 envelope size, the v5 body size);
 * - `ERR_QUOTE_CERT_CHAIN`: certification data that is not a well-formed PEM chain;
 * - `ERR_QUOTE_PCK_EXTENSION`: a PCK certificate without a well-formed SGX extension;
 * - `ERR_QUOTE_ENCODE`: a structure handed to an encoder has a field of the wrong size or value.
 */
export type QuoteFormatErrorCode =
  | "ERR_QUOTE_TRUNCATED"
  | "ERR_QUOTE_UNSUPPORTED_VERSION"
  | "ERR_QUOTE_UNSUPPORTED_KEY_TYPE"
  | "ERR_QUOTE_UNSUPPORTED_TEE"
  | "ERR_QUOTE_UNSUPPORTED_BODY_TYPE"
  | "ERR_QUOTE_UNEXPECTED_CERT_DATA_TYPE"
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
