import {
  AESM_SOCKET_PATH,
  ProtocolError,
  RESPONSE_KIND,
  decodeResponse,
  encodeRequest,
  hasField,
  type RequestInit,
  type RequestKind,
  type ResponseKindOf,
  type ResponsePayload,
} from "../protocol/index.ts";
import { AttKeyAlgorithm, SgxSize, parseAttKeyId } from "../sgx/index.ts";
import { AesmClientError } from "./errors.ts";
import { sgxStatusForAesmResult, type QuoteExApi } from "./sgx-status.ts";
import { DEFAULT_TIMEOUT_MS, TransportError, transact } from "./transport.ts";

export interface AesmClientOptions {
  /** Default: Intel's /var/run/aesmd/aesm.socket. */
  readonly socketPath?: string;
  /** Per socket phase, as in libsgx_quote_ex (15 s). Also written, informational only, into each request. */
  readonly timeoutMs?: number;
}

export interface InitQuoteExResult {
  /** sgx_target_info_t of the QE (all zero in a size probe). */
  readonly targetInfo: Uint8Array;
  readonly pubKeyIdSize: number;
  /** Present when a buffer size was given and the service returned exactly pub_key_id_size bytes. */
  readonly pubKeyId?: Uint8Array;
}

export interface GetQuoteExResult {
  /** Exactly the requested quote size: the quote, then zero padding. */
  readonly quote: Uint8Array;
  readonly qeReportInfo?: Uint8Array;
}

const UINT32_MAX = 0xffff_ffff;

/**
 * The six quote-ex calls of Intel's libsgx_quote_ex, over the AESM socket: one connection per
 * call, Intel's parameter checks before any I/O, and its errorCode -> sgx_status_t mapping.
 * Every failure is an AesmClientError carrying both codes.
 */
export class AesmClient {
  readonly socketPath: string;
  readonly timeoutMs: number;

  constructor(options: AesmClientOptions = {}) {
    this.socketPath = options.socketPath ?? AESM_SOCKET_PATH;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The first entry of `list` (header + 256-byte entries) the service supports, or its default when no list is given. */
  async selectAttKeyId(list?: Uint8Array): Promise<Uint8Array> {
    const request = { ...(list && list.byteLength > 0 && { attKeyIdList: list }), timeout: this.timeoutMs };
    const response = await this.#call("sgx_select_att_key_id", "selectAttKeyIDReq", request);
    return this.#bounded("sgx_select_att_key_id", "selected_att_key_id", response.selectedAttKeyId, SgxSize.ATT_KEY_ID_EXT);
  }

  /**
   * Without `pubKeyIdSize` this is the size probe (b_pub_key_id=false); with it, the QE target
   * info and the pub_key_id (pubKeyIdSize must be 32 for ECDSA).
   */
  async initQuoteEx(attKeyId: Uint8Array, pubKeyIdSize?: number): Promise<InitQuoteExResult> {
    const api = "sgx_init_quote_ex";
    if (pubKeyIdSize !== undefined && (!Number.isInteger(pubKeyIdSize) || pubKeyIdSize <= 0 || pubKeyIdSize >= UINT32_MAX)) {
      throw invalidParameter(api, `pub_key_id size ${pubKeyIdSize} must be in 1..${UINT32_MAX - 1}`);
    }
    const response = await this.#call(
      api,
      "initQuoteExReq",
      {
        attKeyId,
        bPubKeyId: pubKeyIdSize !== undefined,
        ...(pubKeyIdSize !== undefined && { bufSize: BigInt(pubKeyIdSize) }),
        timeout: this.timeoutMs,
      },
      // Intel reports pub_key_id_size to the caller even when the call fails.
      (failed) => (hasField(failed, "pubKeyIdSize") ? { pubKeyIdSize: Number(failed.pubKeyIdSize) } : {}),
    );
    const targetInfo = this.#bounded(api, "target_info", response.targetInfo, SgxSize.TARGET_INFO);
    const size = Number(response.pubKeyIdSize);
    // Intel copies pub_key_id only when it is exactly pub_key_id_size bytes and fits the buffer.
    const pubKeyId =
      pubKeyIdSize !== undefined && response.pubKeyId.byteLength === size && size <= pubKeyIdSize ? response.pubKeyId : undefined;
    return { targetInfo, pubKeyIdSize: size, ...(pubKeyId && { pubKeyId }) };
  }

  async getQuoteSizeEx(attKeyId: Uint8Array): Promise<number> {
    const response = await this.#call("sgx_get_quote_size_ex", "getQuoteSizeExReq", { attKeyId, timeout: this.timeoutMs });
    return response.quoteSize;
  }

  async getQuoteEx(report: Uint8Array, attKeyId: Uint8Array, quoteSize: number, qeReportInfo?: Uint8Array): Promise<GetQuoteExResult> {
    const api = "sgx_get_quote_ex";
    if (!Number.isInteger(quoteSize) || quoteSize <= 0 || quoteSize > UINT32_MAX) {
      throw invalidParameter(api, `quote size ${quoteSize} must be in 1..${UINT32_MAX}`);
    }
    const response = await this.#call(api, "getQuoteExReq", {
      report,
      attKeyId,
      ...(qeReportInfo && { qeReportInfo }),
      bufSize: quoteSize,
      timeout: this.timeoutMs,
    });
    const quote = this.#bounded(api, "quote", response.quote, quoteSize);
    const info = qeReportInfo && this.#bounded(api, "qe_report_info", response.qeReportInfo, SgxSize.QE_REPORT_INFO);
    return { quote, ...(info && { qeReportInfo: info }) };
  }

  async getSupportedAttKeyIdNum(): Promise<number> {
    const response = await this.#call("sgx_get_supported_att_key_id_num", "getSupportedAttKeyIDNumReq", { timeout: this.timeoutMs });
    return response.attKeyIdNum;
  }

  /** The service's `count` 256-byte sgx_att_key_id_ext_t structures. */
  async getSupportedAttKeyIds(count: number): Promise<Uint8Array[]> {
    const api = "sgx_get_supported_att_key_ids";
    const bufSize = count * SgxSize.ATT_KEY_ID_EXT;
    if (!Number.isInteger(count) || count <= 0 || bufSize > UINT32_MAX) throw invalidParameter(api, `count ${count} is out of range`);
    const response = await this.#call(api, "getSupportedAttKeyIDsReq", { bufSize, timeout: this.timeoutMs });
    const ids = response.attKeyIds;
    if (ids.byteLength !== bufSize) {
      throw new AesmClientError(
        "ERR_AESM_BAD_RESPONSE",
        api,
        "SGX_ERROR_UNEXPECTED",
        `att_key_ids of ${ids.byteLength} bytes, expected ${bufSize}`,
      );
    }
    return Array.from({ length: count }, (_, i) => ids.subarray(i * SgxSize.ATT_KEY_ID_EXT, (i + 1) * SgxSize.ATT_KEY_ID_EXT));
  }

  /**
   * The service's ECDSA-P256 attestation key id, found in its supported list (which may also hold
   * EPID ids, in any order). Throws ERR_AESM_NO_ECDSA_KEY_ID when it offers none.
   */
  async findEcdsaAttKeyId(): Promise<Uint8Array> {
    const count = await this.getSupportedAttKeyIdNum();
    const ids = count === 0 ? [] : await this.getSupportedAttKeyIds(count);
    const ecdsa = ids.find((id) => parseAttKeyId(id).algorithmId === AttKeyAlgorithm.ECDSA_P256);
    if (ecdsa === undefined) {
      throw new AesmClientError(
        "ERR_AESM_NO_ECDSA_KEY_ID",
        "sgx_get_supported_att_key_ids",
        "SGX_ERROR_UNSUPPORTED_ATT_KEY_ID",
        `none of the ${count} supported att key ids is ECDSA-P256`,
      );
    }
    return ecdsa;
  }

  async #call<K extends RequestKind>(
    api: QuoteExApi,
    kind: K,
    request: RequestInit<K>,
    errorDetails: (failed: ResponsePayload<ResponseKindOf<K>>) => { pubKeyIdSize?: number } = () => ({}),
  ): Promise<ResponsePayload<ResponseKindOf<K>>> {
    const reply = await this.#exchange(api, encodeRequest(kind, request));
    let response: ResponsePayload<ResponseKindOf<K>>;
    try {
      response = decodeResponse(reply, RESPONSE_KIND[kind] as ResponseKindOf<K>);
    } catch (cause) {
      if (!(cause instanceof ProtocolError)) throw cause;
      throw new AesmClientError("ERR_AESM_BAD_RESPONSE", api, "SGX_ERROR_UNEXPECTED", cause.message, { cause });
    }
    const errorCode = (response as { errorCode: number }).errorCode;
    if (errorCode !== 0) {
      throw new AesmClientError(
        "ERR_AESM_REQUEST_FAILED",
        api,
        sgxStatusForAesmResult(api, errorCode),
        "the quote service refused the request",
        {
          aesmErrorCode: errorCode,
          ...errorDetails(response),
        },
      );
    }
    return response;
  }

  async #exchange(api: QuoteExApi, request: Uint8Array): Promise<Buffer> {
    try {
      return await transact(this.socketPath, request, this.timeoutMs);
    } catch (cause) {
      if (!(cause instanceof TransportError)) throw cause;
      if (cause.failure === "unavailable")
        throw new AesmClientError("ERR_AESM_UNAVAILABLE", api, "SGX_ERROR_SERVICE_UNAVAILABLE", cause.message, { cause });
      if (cause.failure === "timeout")
        throw new AesmClientError("ERR_AESM_TIMEOUT", api, "SGX_ERROR_SERVICE_TIMEOUT", cause.message, { cause });
      const code = cause.failure === "closed" ? "ERR_AESM_CONNECTION_CLOSED" : "ERR_AESM_BAD_RESPONSE";
      throw new AesmClientError(code, api, "SGX_ERROR_UNEXPECTED", cause.message, { cause });
    }
  }

  /** Intel's GetValues rule: a bytes field longer than the caller's buffer fails the whole call. */
  #bounded(api: QuoteExApi, field: string, value: Uint8Array, capacity: number): Uint8Array {
    if (value.byteLength > capacity) {
      throw new AesmClientError(
        "ERR_AESM_BAD_RESPONSE",
        api,
        "SGX_ERROR_UNEXPECTED",
        `${field} of ${value.byteLength} bytes exceeds ${capacity}`,
      );
    }
    return value;
  }
}

function invalidParameter(api: QuoteExApi, message: string): AesmClientError {
  return new AesmClientError("ERR_AESM_INVALID_PARAMETER", api, "SGX_ERROR_INVALID_PARAMETER", message);
}
