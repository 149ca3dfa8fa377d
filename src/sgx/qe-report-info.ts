import { copyRange } from "../shared/bytes.ts";
import { SgxSize } from "./constants.ts";
import { expectSize } from "./errors.ts";

/**
 * sgx_ql_qe_report_info_t, 960 bytes: what an app sends to get a QE report it can check.
 *
 * | off | size | field                                            |
 * |----:|-----:|--------------------------------------------------|
 * |   0 |   16 | nonce (caller-chosen)                            |
 * |  16 |  512 | appEnclaveTargetInfo (sgx_target_info_t)         |
 * | 528 |  432 | qeReport (sgx_report_t; output of the QE)        |
 */
export interface QeReportInfo {
  readonly nonce: Uint8Array;
  readonly appEnclaveTargetInfo: Uint8Array;
  readonly qeReport: Uint8Array;
}

export const QeReportInfoOffset = { NONCE: 0, APP_TARGET_INFO: 16, QE_REPORT: 528 } as const;

/** Splits a 960-byte qe_report_info into copies of its parts. Throws ERR_SGX_BAD_SIZE. */
export function parseQeReportInfo(bytes: Uint8Array): QeReportInfo {
  expectSize("sgx_ql_qe_report_info_t", bytes, SgxSize.QE_REPORT_INFO);
  const o = QeReportInfoOffset;
  return {
    nonce: copyRange(bytes, o.NONCE, o.APP_TARGET_INFO),
    appEnclaveTargetInfo: copyRange(bytes, o.APP_TARGET_INFO, o.QE_REPORT),
    qeReport: copyRange(bytes, o.QE_REPORT, SgxSize.QE_REPORT_INFO),
  };
}

/** Joins the parts into 960 new bytes; each part must have its exact size (ERR_SGX_BAD_SIZE). */
export function encodeQeReportInfo(info: QeReportInfo): Uint8Array {
  expectSize("sgx_quote_nonce_t", info.nonce, SgxSize.NONCE);
  expectSize("sgx_target_info_t", info.appEnclaveTargetInfo, SgxSize.TARGET_INFO);
  expectSize("sgx_report_t", info.qeReport, SgxSize.REPORT);
  const out = new Uint8Array(SgxSize.QE_REPORT_INFO);
  const o = QeReportInfoOffset;
  out.set(info.nonce, o.NONCE);
  out.set(info.appEnclaveTargetInfo, o.APP_TARGET_INFO);
  out.set(info.qeReport, o.QE_REPORT);
  return out;
}
