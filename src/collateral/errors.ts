import { SgxQuoteHelperError } from "../shared/errors.ts";

/**
 * Codes of {@link CollateralError}:
 * - `ERR_COLLATERAL_FILE`: a collateral file or directory cannot be read, or a required file is missing;
 * - `ERR_COLLATERAL_BUNDLE`: a collateral.json bundle is not JSON or lacks a field / has one of the wrong type;
 * - `ERR_COLLATERAL_SIGNED_JSON`: a PCS body is not a JSON object with the signed member and a 64-byte hex signature;
 * - `ERR_COLLATERAL_TCB_INFO`: TCB Info fails its schema (version 2/3, tcbType 0, 16 components, known statuses …);
 * - `ERR_COLLATERAL_QE_IDENTITY`: an enclave identity fails its schema (version 2, field sizes, statuses);
 * - `ERR_COLLATERAL_CRL`: a CRL is not DER/PEM/hex X.509 CRL, or lacks CRL Number / Authority Key Identifier;
 * - `ERR_COLLATERAL_CHAIN`: an issuer chain holds no PEM certificate.
 */
export type CollateralErrorCode =
  | "ERR_COLLATERAL_FILE"
  | "ERR_COLLATERAL_BUNDLE"
  | "ERR_COLLATERAL_SIGNED_JSON"
  | "ERR_COLLATERAL_TCB_INFO"
  | "ERR_COLLATERAL_QE_IDENTITY"
  | "ERR_COLLATERAL_CRL"
  | "ERR_COLLATERAL_CHAIN";

/** Collateral that cannot be read or does not follow Intel's formats. */
export class CollateralError extends SgxQuoteHelperError {
  declare readonly code: CollateralErrorCode;
  /** The collateral item concerned ("tcbInfo", "pckCrl", a file path …), when known. */
  readonly item: string | undefined;

  constructor(code: CollateralErrorCode, message: string, item?: string, options?: ErrorOptions) {
    super(code, message, options);
    this.item = item;
  }
}
