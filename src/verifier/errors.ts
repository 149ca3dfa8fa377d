import { SgxQuoteHelperError } from "../shared/errors.ts";

/**
 * Codes of {@link VerifyError}, in the order the checks run:
 * - `ERR_VERIFY_QE_VENDOR`: the header's QE vendor id is not Intel's;
 * - `ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED`: certification data type is not 5 (`certDataType` says which);
 * - `ERR_VERIFY_CHAIN_LENGTH`: the PCK chain does not hold exactly 3 certificates;
 * - `ERR_VERIFY_CERTIFICATE`: a certificate in the chain is not parseable X.509;
 * - `ERR_VERIFY_CHAIN_ROLE`: a certificate's CN does not fit its place (root, intermediate, leaf);
 * - `ERR_VERIFY_CHAIN_ISSUER`: a certificate is not issued and signed by the next one (the root by itself);
 * - `ERR_VERIFY_UNTRUSTED_ROOT`: the root key is neither Intel's nor one of the caller's trusted roots;
 * - `ERR_VERIFY_PCK_CERT`: the PCK certificate has no well-formed SGX extension;
 * - `ERR_VERIFY_QE_REPORT_SIGNATURE`: the QE report is not signed by the PCK key;
 * - `ERR_VERIFY_KEY_BINDING`: SHA-256(attestation key ‖ QE auth data) ≠ QE report data[0..32];
 * - `ERR_VERIFY_ATTESTATION_KEY`: the attestation key is not a P-256 point;
 * - `ERR_VERIFY_QUOTE_SIGNATURE`: the quote is not signed by the attestation key.
 * Undecodable quotes throw QuoteFormatError (ERR_QUOTE_*) from the decoder instead.
 */
export type VerifyErrorCode =
  | "ERR_VERIFY_QE_VENDOR"
  | "ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED"
  | "ERR_VERIFY_CHAIN_LENGTH"
  | "ERR_VERIFY_CERTIFICATE"
  | "ERR_VERIFY_CHAIN_ROLE"
  | "ERR_VERIFY_CHAIN_ISSUER"
  | "ERR_VERIFY_UNTRUSTED_ROOT"
  | "ERR_VERIFY_PCK_CERT"
  | "ERR_VERIFY_QE_REPORT_SIGNATURE"
  | "ERR_VERIFY_KEY_BINDING"
  | "ERR_VERIFY_ATTESTATION_KEY"
  | "ERR_VERIFY_QUOTE_SIGNATURE";

/** Position of a certificate in the PCK chain. */
export type ChainRole = "leaf" | "intermediate" | "root";

export interface VerifyErrorDetails {
  /** Which certificate of the chain failed, for chain errors. */
  readonly certificate?: ChainRole;
  /** The certification data type found, for ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED. */
  readonly certDataType?: number;
}

/** A quote that decodes but cannot be trusted. */
export class VerifyError extends SgxQuoteHelperError {
  declare readonly code: VerifyErrorCode;
  readonly certificate: ChainRole | undefined;
  readonly certDataType: number | undefined;

  constructor(code: VerifyErrorCode, message: string, details: VerifyErrorDetails = {}, options?: ErrorOptions) {
    super(code, message, options);
    this.certificate = details.certificate;
    this.certDataType = details.certDataType;
  }
}
