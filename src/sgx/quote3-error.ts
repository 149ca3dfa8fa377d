import { SgxQuoteHelperError } from "../shared/errors.ts";

/** quote3_error_t (Intel DCAP sgx_ql_lib_common.h), the values our providers can raise. */
export const Quote3Status = {
  SGX_QL_SUCCESS: 0x0000,
  SGX_QL_ERROR_UNEXPECTED: 0xe001,
  SGX_QL_ERROR_INVALID_PARAMETER: 0xe002,
  SGX_QL_ERROR_OUT_OF_MEMORY: 0xe003,
  SGX_QL_ERROR_ECDSA_ID_MISMATCH: 0xe004,
  SGX_QL_PATHNAME_BUFFER_OVERFLOW_ERROR: 0xe005,
  SGX_QL_FILE_ACCESS_ERROR: 0xe006,
  SGX_QL_ERROR_STORED_KEY: 0xe007,
  SGX_QL_ERROR_PUB_KEY_ID_MISMATCH: 0xe008,
  SGX_QL_ERROR_INVALID_PCE_SIG_SCHEME: 0xe009,
  SGX_QL_ATT_KEY_BLOB_ERROR: 0xe00a,
  SGX_QL_UNSUPPORTED_ATT_KEY_ID: 0xe00b,
  SGX_QL_UNSUPPORTED_LOADING_POLICY: 0xe00c,
  SGX_QL_INTERFACE_UNAVAILABLE: 0xe00d,
  SGX_QL_PLATFORM_LIB_UNAVAILABLE: 0xe00e,
  SGX_QL_ATT_KEY_NOT_INITIALIZED: 0xe00f,
  SGX_QL_ATT_KEY_CERT_DATA_INVALID: 0xe010,
  SGX_QL_NO_PLATFORM_CERT_DATA: 0xe011,
  SGX_QL_OUT_OF_EPC: 0xe012,
  SGX_QL_ERROR_REPORT: 0xe013,
  SGX_QL_ENCLAVE_LOST: 0xe014,
  SGX_QL_INVALID_REPORT: 0xe015,
  SGX_QL_ENCLAVE_LOAD_ERROR: 0xe016,
  SGX_QL_UNABLE_TO_GENERATE_QE_REPORT: 0xe017,
  SGX_QL_KEY_CERTIFCATION_ERROR: 0xe018,
  SGX_QL_NETWORK_ERROR: 0xe019,
  SGX_QL_MESSAGE_ERROR: 0xe01a,
  SGX_QL_ERROR_INVALID_PRIVILEGE: 0xe035,
  SGX_QL_UNSUPPORTED_MODE: 0xe03e,
  SGX_QL_NO_DEVICE: 0xe03f,
  SGX_QL_SERVICE_UNAVAILABLE: 0xe040,
  SGX_QL_NETWORK_FAILURE: 0xe041,
  SGX_QL_SERVICE_TIMEOUT: 0xe042,
  SGX_QL_ERROR_BUSY: 0xe043,
} as const;

export type Quote3StatusName = keyof typeof Quote3Status;

/**
 * A quote-generation failure carrying the quote3_error_t Intel's QE3 path or libsgx_dcap_ql would
 * report; `code` is ERR_QUOTE3_<name>, e.g. ERR_QUOTE3_SERVICE_UNAVAILABLE.
 */
export class Quote3Error extends SgxQuoteHelperError {
  readonly status: Quote3StatusName;
  readonly value: number;

  constructor(status: Quote3StatusName, message: string, options?: ErrorOptions) {
    super(`ERR_QUOTE3_${status.replace(/^SGX_QL_(ERROR_)?/, "")}`, message, options);
    this.status = status;
    this.value = Quote3Status[status];
  }
}
