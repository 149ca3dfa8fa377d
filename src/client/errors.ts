import { aesmResultName } from "../protocol/index.ts";
import { SgxQuoteHelperError } from "../shared/errors.ts";
import { SgxStatus, type QuoteExApi, type SgxStatusName } from "./sgx-status.ts";

export type AesmClientErrorCode =
  /** Refused before any I/O, as Intel's client does for out-of-range arguments. */
  | "ERR_AESM_INVALID_PARAMETER"
  /** No socket at the path, connection refused or not permitted. */
  | "ERR_AESM_UNAVAILABLE"
  /** A socket phase (connect, write, read) exceeded the timeout. */
  | "ERR_AESM_TIMEOUT"
  /** The service closed the connection without a reply (it could not classify the request). */
  | "ERR_AESM_CONNECTION_CLOSED"
  /** The reply is not a well-formed response to this request. */
  | "ERR_AESM_BAD_RESPONSE"
  /** The service answered with a non-zero errorCode. */
  | "ERR_AESM_REQUEST_FAILED"
  /** The service offers no ECDSA-P256 attestation key (DCAP quoting is not available). */
  | "ERR_AESM_NO_ECDSA_KEY_ID";

/**
 * A failed quote-ex call, carrying both the wire errorCode (when the service answered) and the
 * sgx_status_t that Intel's libsgx_quote_ex would have returned for the same outcome.
 */
export class AesmClientError extends SgxQuoteHelperError {
  override readonly code: AesmClientErrorCode;
  readonly api: QuoteExApi;
  readonly sgxStatus: SgxStatusName;
  readonly aesmErrorCode: number | undefined;
  /**
   * sgx_init_quote_ex only: the reply's pub_key_id_size when present. Intel's client overwrites
   * the caller's *p_pub_key_id_size with it even when the call fails (aesm-protocol.md 2.4).
   */
  readonly pubKeyIdSize: number | undefined;

  constructor(
    code: AesmClientErrorCode,
    api: QuoteExApi,
    sgxStatus: SgxStatusName,
    message: string,
    details: { aesmErrorCode?: number; pubKeyIdSize?: number; cause?: unknown } = {},
  ) {
    const wire =
      details.aesmErrorCode === undefined ? "" : ` (errorCode ${details.aesmErrorCode} ${aesmResultName(details.aesmErrorCode)})`;
    super(code, `${api}: ${message}${wire} -> ${sgxStatus} 0x${SgxStatus[sgxStatus].toString(16).padStart(4, "0")}`, {
      cause: details.cause,
    });
    this.code = code;
    this.api = api;
    this.sgxStatus = sgxStatus;
    this.aesmErrorCode = details.aesmErrorCode;
    this.pubKeyIdSize = details.pubKeyIdSize;
  }
}
