/** DCAP quote verification, first layer: PCK chain to a pinned root, QE report, key binding, quote signature. */
export { verifyQuoteSignatures, type SignatureVerification, type VerifyQuoteSignaturesOptions } from "./verify-quote-signatures.ts";
export { verifyPckChain, type VerifiedPckChain } from "./pck-chain.ts";
export { INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, type RootKind } from "./trusted-roots.ts";
export { VerifyError, type ChainRole, type VerifyErrorCode, type VerifyErrorDetails } from "./errors.ts";
