import { createHash } from "node:crypto";
import { Quote3Error, SgxSize, defaultEcdsaAttKeyId } from "../sgx/index.ts";
import { AesmClient } from "./aesm-client.ts";
import { AesmClientError } from "./errors.ts";
import { isOutOfProcRequested, resolveSocketPath } from "./out-of-proc.ts";
import { quote3StatusForSgxStatus } from "./sgx-status.ts";
import type { ReportProducer } from "./simulated-enclave.ts";

export interface GetQuoteOptions {
  /** Default: a client on the socket from `resolveSocketPath(env)`. */
  readonly client?: AesmClient;
  /** Where SGX_AESM_ADDR is looked up (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: the built-in ECDSA-P256 QE3 key id, as libsgx_dcap_ql always uses. */
  readonly attKeyId?: Uint8Array;
  /**
   * When given (16 bytes), also asks for a QE report targeted at the enclave (which must expose
   * targetInfo), and checks that its report data is SHA-256(nonce || quote).
   */
  readonly nonce?: Uint8Array;
  /** Called before each AESM call with a one-line description (for demos and tracing). */
  readonly onStep?: (step: string) => void;
}

export interface QuoteResult {
  /** The quote, trimmed to its real length (436 + signature_data_len). */
  readonly quote: Uint8Array;
  /** The QE's target info the enclave's REPORT was made for. */
  readonly qeTargetInfo: Uint8Array;
  /** The QE report (432 B) targeted at the enclave, when a nonce was given. */
  readonly qeReport?: Uint8Array;
}

/** ECDSA pub_key_id length libsgx_dcap_ql insists on. */
const PUB_KEY_ID_BYTES = 32;
const SIGNATURE_DATA_LENGTH_OFFSET = 432;
/** REPORTDATA's offset in sgx_report_body_t. */
const REPORT_DATA_OFFSET = 320;

/**
 * A DCAP quote out of process, with the call sequence libsgx_dcap_ql uses when SGX_AESM_ADDR is
 * set: InitQuoteEx probe, InitQuoteEx for the target info, the enclave's REPORT, GetQuoteSizeEx,
 * GetQuoteEx. Failures are Quote3Error with the quote3_error_t the DCAP library would return;
 * `cause` is the AesmClientError with the wire errorCode and sgx_status_t.
 */
export async function getQuote(enclave: ReportProducer, reportData: Uint8Array, options: GetQuoteOptions = {}): Promise<QuoteResult> {
  const env = options.env ?? process.env;
  if (!isOutOfProcRequested(env)) {
    throw new Quote3Error(
      "SGX_QL_UNSUPPORTED_MODE",
      "in-process quoting needs Intel's QE3/PCE enclaves; set SGX_AESM_ADDR=1 to use the quote service",
    );
  }
  const client = options.client ?? new AesmClient({ socketPath: resolveSocketPath(env) });
  const attKeyId = options.attKeyId ?? defaultEcdsaAttKeyId();
  const step = options.onStep ?? (() => undefined);
  try {
    step("InitQuoteEx (size probe): pub_key_id size");
    const probe = await client.initQuoteEx(attKeyId);
    if (probe.pubKeyIdSize !== PUB_KEY_ID_BYTES) {
      throw new Quote3Error("SGX_QL_ERROR_UNEXPECTED", `pub_key_id size ${probe.pubKeyIdSize}, expected ${PUB_KEY_ID_BYTES}`);
    }
    step("InitQuoteEx: QE target info and pub_key_id");
    const { targetInfo } = await client.initQuoteEx(attKeyId, PUB_KEY_ID_BYTES);
    step("enclave: EREPORT targeted at the QE");
    const report = await enclave.createReport(targetInfo, reportData);
    step("GetQuoteSizeEx");
    const size = await client.getQuoteSizeEx(attKeyId);
    const qeReportInfo = options.nonce && qeReportInfoFor(enclave, options.nonce);
    step(`GetQuoteEx: ${size}-byte buffer${qeReportInfo ? ", with a QE report for the enclave" : ""}`);
    const result = await client.getQuoteEx(report, attKeyId, size, qeReportInfo);
    const quote = trimQuote(result.quote);
    const qeReport = result.qeReportInfo && checkQeReport(enclave, result.qeReportInfo, options.nonce!, quote);
    return { quote, qeTargetInfo: targetInfo, ...(qeReport && { qeReport }) };
  } catch (error) {
    if (!(error instanceof AesmClientError)) throw error;
    throw new Quote3Error(quote3StatusForSgxStatus(error.sgxStatus), error.message, { cause: error });
  }
}

function qeReportInfoFor(enclave: ReportProducer, nonce: Uint8Array): Uint8Array {
  if (nonce.byteLength !== SgxSize.NONCE || enclave.targetInfo === undefined) {
    throw new Quote3Error(
      "SGX_QL_ERROR_INVALID_PARAMETER",
      "a QE report needs a 16-byte nonce and an enclave that exposes its target info",
    );
  }
  const info = new Uint8Array(SgxSize.QE_REPORT_INFO);
  info.set(nonce, 0);
  info.set(enclave.targetInfo(), SgxSize.NONCE);
  return info;
}

/**
 * The QE report must come from the platform's QE (its MAC checks for this enclave, when the
 * enclave can check) and bind the quote to this request: report data = SHA-256(nonce || quote)
 * followed by 32 zero bytes, as QE3 writes it.
 */
function checkQeReport(enclave: ReportProducer, qeReportInfo: Uint8Array, nonce: Uint8Array, quote: Uint8Array): Uint8Array {
  const qeReport = qeReportInfo.subarray(SgxSize.NONCE + SgxSize.TARGET_INFO);
  if (enclave.verifyReport !== undefined && !enclave.verifyReport(qeReport)) {
    throw new Quote3Error("SGX_QL_ERROR_UNEXPECTED", "the QE report's MAC does not verify for this enclave");
  }
  const expected = Buffer.concat([createHash("sha256").update(nonce).update(quote).digest(), Buffer.alloc(32)]);
  if (!Buffer.from(qeReport.subarray(REPORT_DATA_OFFSET, REPORT_DATA_OFFSET + 64)).equals(expected)) {
    throw new Quote3Error("SGX_QL_ERROR_UNEXPECTED", "QE report data does not bind the nonce and the quote");
  }
  return qeReport;
}

/** Drops the zero padding the service adds up to the requested buffer size. */
function trimQuote(buffer: Uint8Array): Uint8Array {
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  // The service may return fewer bytes than asked for (2.4); without the fixed part there is no length to read.
  if (view.byteLength < SIGNATURE_DATA_LENGTH_OFFSET + 4) {
    throw new Quote3Error(
      "SGX_QL_ERROR_UNEXPECTED",
      `quote of ${view.byteLength} bytes is shorter than its ${SIGNATURE_DATA_LENGTH_OFFSET + 4}-byte fixed part`,
    );
  }
  const end = SIGNATURE_DATA_LENGTH_OFFSET + 4 + view.readUInt32LE(SIGNATURE_DATA_LENGTH_OFFSET);
  if (end > view.byteLength)
    throw new Quote3Error("SGX_QL_ERROR_UNEXPECTED", `quote declares ${end} bytes but the buffer has ${view.byteLength}`);
  return buffer.subarray(0, end);
}
