import { SgxQuoteHelperError } from "../shared/errors.ts";
import { Quote3VerifyStatus, type Quote3VerifyStatusName } from "./quote3-verify-status.ts";

/**
 * Codes of {@link VerifyError}, roughly in the order the checks run, with the quote3_error_t
 * Intel's QvE returns for the same failure (`quote3Status`):
 * - `ERR_VERIFY_INVALID_TIME`: the verification time is not a valid date after 1970 (INVALID_PARAMETER);
 * - `ERR_VERIFY_TRUSTED_ROOT`: a root the caller asked to trust is not a certificate (INVALID_PARAMETER);
 * - `ERR_VERIFY_QE_VENDOR`: the header's QE vendor id is not Intel's (QUOTE_FORMAT_UNSUPPORTED);
 * - `ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED`: (inner) certification data type is not 5 (QUOTE_CERTIFICATION_DATA_UNSUPPORTED);
 * - `ERR_VERIFY_CHAIN_LENGTH`: the PCK chain does not hold exactly 3 certificates (PCK_CERT_CHAIN_ERROR);
 * - `ERR_VERIFY_CERTIFICATE`: a certificate is not parseable X.509 (PCK_CERT_UNSUPPORTED_FORMAT);
 * - `ERR_VERIFY_CHAIN_ROLE`: a certificate's CN does not fit its place (ERROR_UNEXPECTED, as QvE);
 * - `ERR_VERIFY_CHAIN_ISSUER`: a certificate is not issued and signed by the next one (ERROR_UNEXPECTED);
 * - `ERR_VERIFY_UNTRUSTED_ROOT`: the root key is neither Intel's nor one of the caller's trusted roots (PCK_CERT_CHAIN_ERROR);
 * - `ERR_VERIFY_PCK_CERT`: the PCK certificate has no well-formed SGX extension (PCK_CERT_UNSUPPORTED_FORMAT);
 * - `ERR_VERIFY_TCB_INFO_FORMAT` / `ERR_VERIFY_QE_IDENTITY_FORMAT` / `ERR_VERIFY_CRL_FORMAT`: collateral
 *   that does not parse (TCBINFO_ / QEIDENTITY_ / CRL_UNSUPPORTED_FORMAT);
 * - `ERR_VERIFY_COLLATERAL_CHAIN`: a collateral issuer chain with the wrong count, roles or issuers
 *   (TCBINFO_CHAIN_ERROR / QEIDENTITY_CHAIN_ERROR / ERROR_UNEXPECTED for the PCK CRL chain);
 * - `ERR_VERIFY_COLLATERAL_ROOT`: a collateral chain ends at another root than the quote's (same codes);
 * - `ERR_VERIFY_CRL_ISSUER`: a CRL's issuer is not the certificate that must issue it, or it lacks
 *   CRL Number / AKI (ERROR_UNEXPECTED, as QvE);
 * - `ERR_VERIFY_CRL_SIGNATURE`: a CRL signature does not verify (RESULT_INVALID_SIGNATURE);
 * - `ERR_VERIFY_PCK_REVOKED`: the PCK, its CA or the TCB signing certificate is revoked (PCK_REVOKED);
 * - `ERR_VERIFY_TCB_INFO_SIGNATURE`: TCB Info text not signed by the TCB signing key (TCBINFO_CHAIN_ERROR);
 * - `ERR_VERIFY_QE_IDENTITY_SIGNATURE`: QE identity text not signed by it (QEIDENTITY_CHAIN_ERROR);
 * - `ERR_VERIFY_TCB_INFO_MISMATCH`: TCB Info for another TEE, FMSPC or PCE-ID (TCBINFO_MISMATCH);
 * - `ERR_VERIFY_TDX_MODULE_MISMATCH`: no TDX module identity for the quote's module, or MRSIGNERSEAM /
 *   SEAMATTRIBUTES differ (TDX_MODULE_MISMATCH);
 * - `ERR_VERIFY_QE_REPORT_SIGNATURE`: the QE report is not signed by the PCK key (QE_REPORT_INVALID_SIGNATURE);
 * - `ERR_VERIFY_KEY_BINDING`: SHA-256(attestation key ‖ QE auth data) ≠ QE report data[0..32] (QE_REPORT_INVALID_SIGNATURE);
 * - `ERR_VERIFY_QE_IDENTITY_MISMATCH`: the QE report does not fit the QE identity (QEIDENTITY_MISMATCH);
 * - `ERR_VERIFY_ATTESTATION_KEY`: the attestation key is not a P-256 point (QUOTE_FORMAT_UNSUPPORTED);
 * - `ERR_VERIFY_QUOTE_SIGNATURE`: the quote is not signed by the attestation key (RESULT_INVALID_SIGNATURE);
 * - `ERR_VERIFY_TCB_NOT_SUPPORTED`: no TCB level (SGX, TDX, TDX module or QE) matches (TCB_NOT_SUPPORTED);
 * - `ERR_VERIFY_TCB_REVOKED`: the converged TCB status is Revoked (TCB_REVOKED).
 * Undecodable quotes throw QuoteFormatError (ERR_QUOTE_*, QvE: QUOTE_FORMAT_UNSUPPORTED) from the decoder.
 */
export type VerifyErrorCode =
  | "ERR_VERIFY_INVALID_TIME"
  | "ERR_VERIFY_TRUSTED_ROOT"
  | "ERR_VERIFY_QE_VENDOR"
  | "ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED"
  | "ERR_VERIFY_CHAIN_LENGTH"
  | "ERR_VERIFY_CERTIFICATE"
  | "ERR_VERIFY_CHAIN_ROLE"
  | "ERR_VERIFY_CHAIN_ISSUER"
  | "ERR_VERIFY_UNTRUSTED_ROOT"
  | "ERR_VERIFY_PCK_CERT"
  | "ERR_VERIFY_TCB_INFO_FORMAT"
  | "ERR_VERIFY_QE_IDENTITY_FORMAT"
  | "ERR_VERIFY_CRL_FORMAT"
  | "ERR_VERIFY_COLLATERAL_CHAIN"
  | "ERR_VERIFY_COLLATERAL_ROOT"
  | "ERR_VERIFY_CRL_ISSUER"
  | "ERR_VERIFY_CRL_SIGNATURE"
  | "ERR_VERIFY_PCK_REVOKED"
  | "ERR_VERIFY_TCB_INFO_SIGNATURE"
  | "ERR_VERIFY_QE_IDENTITY_SIGNATURE"
  | "ERR_VERIFY_TCB_INFO_MISMATCH"
  | "ERR_VERIFY_TDX_MODULE_MISMATCH"
  | "ERR_VERIFY_QE_REPORT_SIGNATURE"
  | "ERR_VERIFY_KEY_BINDING"
  | "ERR_VERIFY_QE_IDENTITY_MISMATCH"
  | "ERR_VERIFY_ATTESTATION_KEY"
  | "ERR_VERIFY_QUOTE_SIGNATURE"
  | "ERR_VERIFY_TCB_NOT_SUPPORTED"
  | "ERR_VERIFY_TCB_REVOKED";

/** Position of a certificate in the PCK chain. */
export type ChainRole = "leaf" | "intermediate" | "root";

/** The collateral item an error concerns. */
export type CollateralItem =
  "pckCrl" | "rootCaCrl" | "tcbInfo" | "qeIdentity" | "pckCrlIssuerChain" | "tcbInfoIssuerChain" | "qeIdentityIssuerChain";

export interface VerifyErrorDetails {
  /** Which certificate of the PCK chain failed, for chain and revocation errors. */
  readonly certificate?: ChainRole | "tcbSigning";
  /** The certification data type found, for ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED. */
  readonly certDataType?: number;
  /** The collateral item concerned. */
  readonly item?: CollateralItem;
  /** Overrides the default quote3_error_t of the code (e.g. chain errors of QE identity vs TCB Info). */
  readonly quote3Status?: Quote3VerifyStatusName;
}

const DEFAULT_QUOTE3: Record<VerifyErrorCode, Quote3VerifyStatusName> = {
  ERR_VERIFY_INVALID_TIME: "SGX_QL_ERROR_INVALID_PARAMETER",
  ERR_VERIFY_TRUSTED_ROOT: "SGX_QL_ERROR_INVALID_PARAMETER",
  ERR_VERIFY_QE_VENDOR: "SGX_QL_QUOTE_FORMAT_UNSUPPORTED",
  ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED: "SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED",
  ERR_VERIFY_CHAIN_LENGTH: "SGX_QL_PCK_CERT_CHAIN_ERROR",
  ERR_VERIFY_CERTIFICATE: "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT",
  ERR_VERIFY_CHAIN_ROLE: "SGX_QL_ERROR_UNEXPECTED",
  ERR_VERIFY_CHAIN_ISSUER: "SGX_QL_ERROR_UNEXPECTED",
  ERR_VERIFY_UNTRUSTED_ROOT: "SGX_QL_PCK_CERT_CHAIN_ERROR",
  ERR_VERIFY_PCK_CERT: "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT",
  ERR_VERIFY_TCB_INFO_FORMAT: "SGX_QL_TCBINFO_UNSUPPORTED_FORMAT",
  ERR_VERIFY_QE_IDENTITY_FORMAT: "SGX_QL_QEIDENTITY_UNSUPPORTED_FORMAT",
  ERR_VERIFY_CRL_FORMAT: "SGX_QL_CRL_UNSUPPORTED_FORMAT",
  ERR_VERIFY_COLLATERAL_CHAIN: "SGX_QL_ERROR_UNEXPECTED",
  ERR_VERIFY_COLLATERAL_ROOT: "SGX_QL_PCK_CERT_CHAIN_ERROR",
  ERR_VERIFY_CRL_ISSUER: "SGX_QL_ERROR_UNEXPECTED",
  ERR_VERIFY_CRL_SIGNATURE: "SGX_QL_RESULT_INVALID_SIGNATURE",
  ERR_VERIFY_PCK_REVOKED: "SGX_QL_PCK_REVOKED",
  ERR_VERIFY_TCB_INFO_SIGNATURE: "SGX_QL_TCBINFO_CHAIN_ERROR",
  ERR_VERIFY_QE_IDENTITY_SIGNATURE: "SGX_QL_QEIDENTITY_CHAIN_ERROR",
  ERR_VERIFY_TCB_INFO_MISMATCH: "SGX_QL_TCBINFO_MISMATCH",
  ERR_VERIFY_TDX_MODULE_MISMATCH: "SGX_QL_TDX_MODULE_MISMATCH",
  ERR_VERIFY_QE_REPORT_SIGNATURE: "SGX_QL_QE_REPORT_INVALID_SIGNATURE",
  ERR_VERIFY_KEY_BINDING: "SGX_QL_QE_REPORT_INVALID_SIGNATURE",
  ERR_VERIFY_QE_IDENTITY_MISMATCH: "SGX_QL_QEIDENTITY_MISMATCH",
  ERR_VERIFY_ATTESTATION_KEY: "SGX_QL_QUOTE_FORMAT_UNSUPPORTED",
  ERR_VERIFY_QUOTE_SIGNATURE: "SGX_QL_RESULT_INVALID_SIGNATURE",
  ERR_VERIFY_TCB_NOT_SUPPORTED: "SGX_QL_TCB_NOT_SUPPORTED",
  ERR_VERIFY_TCB_REVOKED: "SGX_QL_TCB_REVOKED",
};

/** A quote that decodes but cannot be trusted, or collateral that cannot be used. */
export class VerifyError extends SgxQuoteHelperError {
  declare readonly code: VerifyErrorCode;
  readonly certificate: ChainRole | "tcbSigning" | undefined;
  readonly certDataType: number | undefined;
  readonly item: CollateralItem | undefined;
  /** The quote3_error_t Intel's QvE returns for this failure (its sgx_ql_qv_result_t is then UNSPECIFIED). */
  readonly quote3Status: Quote3VerifyStatusName;
  readonly quote3Value: number;

  constructor(code: VerifyErrorCode, message: string, details: VerifyErrorDetails = {}, options?: ErrorOptions) {
    super(code, message, options);
    this.certificate = details.certificate;
    this.certDataType = details.certDataType;
    this.item = details.item;
    this.quote3Status = details.quote3Status ?? DEFAULT_QUOTE3[code];
    this.quote3Value = Quote3VerifyStatus[this.quote3Status];
  }
}
