/**
 * DCAP quote verification: the signature-chain layer (verifyQuoteSignatures), full verification
 * against collateral (prepareCollateral, verifyQuote) and the caller's policy (appraiseVerdict).
 */
export { verifyQuoteSignatures, type SignatureVerification, type VerifyQuoteSignaturesOptions } from "./verify-quote-signatures.ts";
export { verifyQuote, type QuoteVerdict, type VerifyQuoteOptions } from "./verify-quote.ts";
export { quoteIdentity, type SgxIdentity, type TdIdentity } from "./identity.ts";
export {
  isPreparedCollateral,
  prepareCollateral,
  type CollateralValidity,
  type PrepareCollateralOptions,
  type PreparedCollateral,
} from "./prepared-collateral.ts";
export { appraiseVerdict, DEFAULT_POLICY, type AppraisalResult, type VerificationPolicy } from "./policy.ts";
export { convergeTcbStatus, qvResultName, type VerdictTcbStatus } from "./tcb-status.ts";
export { Quote3VerifyStatus, QvResult, type Quote3VerifyStatusName, type QvResultName } from "./quote3-verify-status.ts";
export { verifyPckChain, type VerifiedPckChain } from "./pck-chain.ts";
export { INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, type RootKind } from "./trusted-roots.ts";
export { VerifyError, type ChainRole, type CollateralItem, type VerifyErrorCode, type VerifyErrorDetails } from "./errors.ts";
