/** SGX enclave structures (REPORT, TARGETINFO, attestation key ids, qe_report_info) and the SDK simulation REPORT MAC. */
export {
  ATT_KEY_ID_BASE_SIZE,
  ATT_KEY_ID_EXT_SIZE,
  AttKeyAlgorithm,
  AttributeFlags,
  INTEL_QE_VENDOR_ID_HEX,
  MAX_ATT_KEY_ID_LIST_ENTRIES,
  QE3_DEBUG_MRSIGNER_HEX,
  QE3_MRSIGNER_HEX,
  QE_REPORT_INFO_SIZE,
  REPORT_BODY_SIZE,
  REPORT_SIZE,
  SgxSize,
  SimCpuSvn,
  TARGET_INFO_SIZE,
  XFRM_LEGACY,
} from "./constants.ts";
export { SgxStructureError, type SgxStructureErrorCode } from "./errors.ts";
export {
  encodeAttributes,
  encodeReport,
  encodeReportBody,
  parseAttributes,
  parseReport,
  parseReportBody,
  ReportBodyOffset,
  ReportOffset,
  type Attributes,
  type Report,
  type ReportBody,
} from "./report.ts";
export { encodeTargetInfo, parseTargetInfo, targetInfoOfReportBody, type TargetInfo } from "./target-info.ts";
export {
  attKeyIdBase,
  defaultEcdsaAttKeyId,
  encodeAttKeyId,
  encodeAttKeyIdList,
  isSameAttKeyId,
  parseAttKeyId,
  parseAttKeyIdList,
  parseAttKeyIdListHeader,
  type AttKeyId,
  type AttKeyIdListHeader,
} from "./att-key-id.ts";
export { encodeQeReportInfo, parseQeReportInfo, QeReportInfoOffset, type QeReportInfo } from "./qe-report-info.ts";
export { aesCmac, AesCmac } from "./cmac.ts";
export {
  deriveLegacySimReportKey,
  deriveSimReportKey,
  legacySimReportKeyDerivationData,
  macSimReport,
  SIM_BASE_REPORT_KEY_HEX,
  SimReportMacChecker,
  simReportKeyDerivationData,
  verifySimReportMac,
  type SimReportMacLayout,
} from "./sim-report-mac.ts";
export { createSimReport, simReportBody, simReportKeyId, type SimReportOptions } from "./sim-report.ts";
export { Quote3Error, Quote3Status, type Quote3StatusName } from "./quote3-error.ts";
