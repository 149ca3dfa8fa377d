export { AesmClient, type AesmClientOptions, type GetQuoteExResult, type InitQuoteExResult } from "./aesm-client.ts";
export { AesmClientError, type AesmClientErrorCode } from "./errors.ts";
export { getQuote, type GetQuoteOptions, type QuoteResult } from "./get-quote.ts";
export { isOutOfProcRequested, resolveSocketPath } from "./out-of-proc.ts";
export { SgxStatus, quote3StatusForSgxStatus, sgxStatusForAesmResult, type QuoteExApi, type SgxStatusName } from "./sgx-status.ts";
export { SimulatedEnclave, type EnclaveIdentity, type ReportProducer } from "./simulated-enclave.ts";
export { DEFAULT_TIMEOUT_MS } from "./transport.ts";
