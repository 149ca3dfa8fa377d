/**
 * sgx-quote-helper's public API. Everything a user needs is exported here; folders' other
 * exports are internal and may change.
 */
export { SgxQuoteHelperError } from "./shared/errors.ts";

// Client: the libsgx_quote_ex counterpart and the DCAP out-of-proc sequence.
export {
  AesmClient,
  AesmClientError,
  DEFAULT_TIMEOUT_MS,
  SgxStatus,
  SimulatedEnclave,
  getQuote,
  isOutOfProcRequested,
  quote3StatusForSgxStatus,
  resolveSocketPath,
  sgxStatusForAesmResult,
  type AesmClientErrorCode,
  type AesmClientOptions,
  type EnclaveIdentity,
  type GetQuoteExResult,
  type GetQuoteOptions,
  type InitQuoteExResult,
  type QuoteExApi,
  type QuoteResult,
  type ReportProducer,
  type SgxStatusName,
} from "./client/index.ts";

// Daemon and quote providers.
export {
  AesmFailure,
  DEFAULT_MAX_QUOTE_BUF_BYTES,
  DaemonError,
  QuoteServer,
  startPcsServer,
  type PcsServer,
  type PcsServerOptions,
  type QuoteServerOptions,
  type QuoteServerStats,
} from "./daemon/index.ts";
export type { GetQuoteRequest, GetQuoteResult, InitQuoteResult, ProviderRecipe, QuoteProvider } from "./providers/quote-provider.ts";
export {
  SIMULATED_FMSPC_HEX,
  SIMULATED_TCB_STATUSES,
  SimulatedPlatform,
  type PlatformFacts,
  type SimulatedPlatformOptions,
  type SimulatedTcbStatus,
} from "./providers/simulated/index.ts";

// Collateral: files, bundles, PCS/PCCS.
export {
  CollateralError,
  PcsCache,
  PcsClient,
  collateralFromBundle,
  collateralFromBundleObject,
  loadCollateral,
  type Collateral,
  type CollateralRequest,
  type PcsClientOptions,
} from "./collateral/index.ts";

// Wire protocol constants.
export { AESM_SOCKET_PATH, AesmResult, aesmResultName, type AesmResultName } from "./protocol/index.ts";

// SGX structures and quote format.
export { Quote3Error, Quote3Status, defaultEcdsaAttKeyId, type Quote3StatusName, type ReportBody, type TargetInfo } from "./sgx/index.ts";
export { QuoteFormatError, decodeQuote, type DecodedQuote, type QuoteFormatErrorCode } from "./quote/index.ts";

// Verification.
export {
  DEFAULT_POLICY,
  INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX,
  QvResult,
  VerifyError,
  appraiseVerdict,
  prepareCollateral,
  verifyQuote,
  verifyQuoteSignatures,
  type AppraisalResult,
  type PreparedCollateral,
  type QuoteVerdict,
  type SgxIdentity,
  type TdIdentity,
  type VerificationPolicy,
  type VerifyQuoteOptions,
  type RootKind,
  type SignatureVerification,
  type VerifyErrorCode,
  type VerifyQuoteSignaturesOptions,
} from "./verifier/index.ts";
