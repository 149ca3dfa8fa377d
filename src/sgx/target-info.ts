import { asBuffer, copyRange } from "../shared/bytes.ts";
import { SgxSize } from "./constants.ts";
import { expectSize } from "./errors.ts";
import { encodeAttributes, parseAttributes, putBytes, ReportBodyOffset, type Attributes } from "./report.ts";

/**
 * sgx_target_info_t, 512 bytes: the identity a REPORT is made for. Reserved areas are zero.
 *
 * | off | size | field           |
 * |----:|-----:|-----------------|
 * |   0 |   32 | mrEnclave       |
 * |  32 |   16 | attributes      |
 * |  48 |    2 | reserved        |
 * |  50 |    2 | configSvn u16   |
 * |  52 |    4 | miscSelect u32  |
 * |  56 |    8 | reserved        |
 * |  64 |   64 | configId        |
 * | 128 |  384 | reserved        |
 */
export interface TargetInfo {
  readonly mrEnclave: Uint8Array;
  readonly attributes: Attributes;
  readonly configSvn: number;
  readonly miscSelect: number;
  readonly configId: Uint8Array;
}

const Offset = { MR_ENCLAVE: 0, ATTRIBUTES: 32, CONFIG_SVN: 50, MISC_SELECT: 52, CONFIG_ID: 64 } as const;

/** Decodes a 512-byte target info (copies). Throws SgxStructureError ERR_SGX_BAD_SIZE. */
export function parseTargetInfo(bytes: Uint8Array): TargetInfo {
  expectSize("sgx_target_info_t", bytes, SgxSize.TARGET_INFO);
  const buf = asBuffer(bytes);
  return {
    mrEnclave: copyRange(bytes, Offset.MR_ENCLAVE, Offset.MR_ENCLAVE + 32),
    attributes: parseAttributes(bytes, Offset.ATTRIBUTES),
    configSvn: buf.readUInt16LE(Offset.CONFIG_SVN),
    miscSelect: buf.readUInt32LE(Offset.MISC_SELECT),
    configId: copyRange(bytes, Offset.CONFIG_ID, Offset.CONFIG_ID + 64),
  };
}

/** Encodes a target info into 512 new bytes. */
export function encodeTargetInfo(target: TargetInfo): Uint8Array {
  const out = new Uint8Array(SgxSize.TARGET_INFO);
  const buf = asBuffer(out);
  putBytes(out, Offset.MR_ENCLAVE, target.mrEnclave, 32);
  encodeAttributes(target.attributes, out, Offset.ATTRIBUTES);
  buf.writeUInt16LE(target.configSvn, Offset.CONFIG_SVN);
  buf.writeUInt32LE(target.miscSelect, Offset.MISC_SELECT);
  putBytes(out, Offset.CONFIG_ID, target.configId, 64);
  return out;
}

/**
 * The target info describing the enclave that produced `reportBody` (384 raw bytes): what a QE
 * needs to make a REPORT that enclave can verify. Throws ERR_SGX_BAD_SIZE.
 */
export function targetInfoOfReportBody(reportBody: Uint8Array): TargetInfo {
  expectSize("sgx_report_body_t", reportBody, SgxSize.REPORT_BODY);
  const o = ReportBodyOffset;
  const buf = asBuffer(reportBody);
  return {
    mrEnclave: copyRange(reportBody, o.MR_ENCLAVE, o.MR_ENCLAVE + 32),
    attributes: parseAttributes(reportBody, o.ATTRIBUTES),
    configSvn: buf.readUInt16LE(o.CONFIG_SVN),
    miscSelect: buf.readUInt32LE(o.MISC_SELECT),
    configId: copyRange(reportBody, o.CONFIG_ID, o.CONFIG_ID + 64),
  };
}
