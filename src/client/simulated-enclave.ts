import {
  createSimReport,
  encodeTargetInfo,
  simReportBody,
  targetInfoOfReportBody,
  encodeReportBody,
  verifySimReportMac,
  type ReportBody,
} from "../sgx/index.ts";
import { SgxQuoteHelperError } from "../shared/errors.ts";

/** The identity of a simulated enclave: every REPORT body field except report data. */
export type EnclaveIdentity = Omit<ReportBody, "reportData">;

/** Anything that can make a REPORT for a target: a real enclave binding, or the simulated one. */
export interface ReportProducer {
  createReport(targetInfo: Uint8Array, reportData: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** The producer's own sgx_target_info_t, needed to ask for a QE report targeted at it. */
  targetInfo?(): Uint8Array;
  /** Whether a REPORT was made for this enclave (sgx_verify_report), to check the QE report. */
  verifyReport?(report: Uint8Array): boolean;
}

/**
 * An enclave as the Intel SGX SDK runs it in simulation mode: its REPORTs carry the SDK's
 * simulated CMAC, so our quote service (or Intel's SIM tooling) can check them.
 */
export class SimulatedEnclave implements ReportProducer {
  readonly identity: EnclaveIdentity;

  constructor(identity: Partial<EnclaveIdentity> = {}) {
    const { reportData: _unused, ...body } = simReportBody(identity);
    this.identity = body;
  }

  /** A 432-byte REPORT for `targetInfo` (512 B) with up to 64 bytes of report data, zero-padded. */
  createReport(targetInfo: Uint8Array, reportData: Uint8Array): Uint8Array {
    if (reportData.byteLength > 64) {
      throw new SgxQuoteHelperError("ERR_CLIENT_REPORT_DATA_TOO_LONG", `report data of ${reportData.byteLength} bytes exceeds 64`);
    }
    const padded = new Uint8Array(64);
    padded.set(reportData);
    return createSimReport({ ...this.identity, reportData: padded, target: targetInfo });
  }

  targetInfo(): Uint8Array {
    return encodeTargetInfo(targetInfoOfReportBody(encodeReportBody({ ...this.identity, reportData: new Uint8Array(64) })));
  }

  /** Whether `report` was made for this enclave (its MAC checks with our report key), as sgx_verify_report does. */
  verifyReport(report: Uint8Array): boolean {
    return (
      verifySimReportMac(report, targetInfoOfReportBody(encodeReportBody({ ...this.identity, reportData: new Uint8Array(64) }))) !== null
    );
  }
}
