import { fromHex } from "../shared/bytes.ts";
import { AttributeFlags, SgxSize, SimCpuSvn, XFRM_LEGACY } from "./constants.ts";
import { encodeReportBody, ReportOffset, type ReportBody } from "./report.ts";
import { deriveSimReportKey, macSimReport, SIM_BASE_REPORT_KEY_HEX } from "./sim-report-mac.ts";
import { parseTargetInfo, type TargetInfo } from "./target-info.ts";

/** What {@link createSimReport} needs: the target, and any body fields that differ from the defaults. */
export interface SimReportOptions extends Partial<ReportBody> {
  /** The enclave the REPORT is for, as a TargetInfo or its 512 raw bytes. */
  readonly target: TargetInfo | Uint8Array;
  /** KEYID written to the report and used in the key derivation; default ff00…ff00 + 16 zeros. */
  readonly keyId?: Uint8Array;
}

/** KEYID the SDK simulator's EREPORT writes: the base report key followed by 16 zero bytes. */
export function simReportKeyId(): Uint8Array {
  const keyId = new Uint8Array(SgxSize.KEY_ID);
  keyId.set(fromHex(SIM_BASE_REPORT_KEY_HEX));
  return keyId;
}

/**
 * The body an SDK simulation enclave would report, with defaults for unspecified fields:
 * cpuSvn = the simulator's DEFAULT CPUSVN, attributes INITTED|MODE64BIT with legacy XFRM, all
 * other fields zero.
 */
export function simReportBody(fields: Partial<ReportBody>): ReportBody {
  return {
    cpuSvn: fields.cpuSvn ?? fromHex(SimCpuSvn.DEFAULT),
    miscSelect: fields.miscSelect ?? 0,
    isvExtProdId: fields.isvExtProdId ?? new Uint8Array(16),
    attributes: fields.attributes ?? { flags: AttributeFlags.INITTED | AttributeFlags.MODE64BIT, xfrm: XFRM_LEGACY },
    mrEnclave: fields.mrEnclave ?? new Uint8Array(32),
    mrSigner: fields.mrSigner ?? new Uint8Array(32),
    configId: fields.configId ?? new Uint8Array(64),
    isvProdId: fields.isvProdId ?? 0,
    isvSvn: fields.isvSvn ?? 0,
    configSvn: fields.configSvn ?? 0,
    isvFamilyId: fields.isvFamilyId ?? new Uint8Array(16),
    reportData: fields.reportData ?? new Uint8Array(64),
  };
}

/**
 * A 432-byte REPORT as the SDK simulator's EREPORT (SDK 2.19+) makes it: body ‖ key_id ‖
 * CMAC(report key of `target`, body). The key derivation uses the body's own cpu_svn, as a
 * simulated CPU reports and derives with the same CPUSVN. Throws SgxStructureError on wrong sizes.
 */
export function createSimReport(options: SimReportOptions): Uint8Array {
  const { target, keyId = simReportKeyId(), ...fields } = options;
  const targetInfo = target instanceof Uint8Array ? parseTargetInfo(target) : target;
  const report = new Uint8Array(SgxSize.REPORT);
  encodeReportBody(simReportBody(fields), report, 0);
  const body = report.subarray(0, ReportOffset.KEY_ID);
  const reportKey = deriveSimReportKey(targetInfo, body.subarray(0, SgxSize.CPU_SVN), keyId);
  report.set(keyId, ReportOffset.KEY_ID);
  report.set(macSimReport(reportKey, body), ReportOffset.MAC);
  return report;
}
