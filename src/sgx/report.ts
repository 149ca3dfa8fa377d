import { asBuffer, copyRange } from "../shared/bytes.ts";
import { SgxSize } from "./constants.ts";
import { expectSize } from "./errors.ts";

/** SECS.ATTRIBUTES: FLAGS and XFRM, both u64. */
export interface Attributes {
  readonly flags: bigint;
  readonly xfrm: bigint;
}

/**
 * sgx_report_body_t, 384 bytes, little-endian integers. Reserved areas are written as zeros.
 *
 * | off | size | field           |
 * |----:|-----:|-----------------|
 * |   0 |   16 | cpuSvn          |
 * |  16 |    4 | miscSelect u32  |
 * |  20 |   12 | reserved        |
 * |  32 |   16 | isvExtProdId    |
 * |  48 |   16 | attributes (flags u64, xfrm u64) |
 * |  64 |   32 | mrEnclave       |
 * |  96 |   32 | reserved        |
 * | 128 |   32 | mrSigner        |
 * | 160 |   32 | reserved        |
 * | 192 |   64 | configId        |
 * | 256 |    2 | isvProdId u16   |
 * | 258 |    2 | isvSvn u16      |
 * | 260 |    2 | configSvn u16   |
 * | 262 |   42 | reserved        |
 * | 304 |   16 | isvFamilyId     |
 * | 320 |   64 | reportData      |
 */
export interface ReportBody {
  readonly cpuSvn: Uint8Array;
  readonly miscSelect: number;
  readonly isvExtProdId: Uint8Array;
  readonly attributes: Attributes;
  readonly mrEnclave: Uint8Array;
  readonly mrSigner: Uint8Array;
  readonly configId: Uint8Array;
  readonly isvProdId: number;
  readonly isvSvn: number;
  readonly configSvn: number;
  readonly isvFamilyId: Uint8Array;
  readonly reportData: Uint8Array;
}

/** Offsets of the report body fields other modules read directly from raw bytes. */
export const ReportBodyOffset = {
  CPU_SVN: 0,
  MISC_SELECT: 16,
  ISV_EXT_PROD_ID: 32,
  ATTRIBUTES: 48,
  MR_ENCLAVE: 64,
  MR_SIGNER: 128,
  CONFIG_ID: 192,
  ISV_PROD_ID: 256,
  ISV_SVN: 258,
  CONFIG_SVN: 260,
  ISV_FAMILY_ID: 304,
  REPORT_DATA: 320,
} as const;

/**
 * sgx_report_t, 432 bytes.
 *
 * | off | size | field  |
 * |----:|-----:|--------|
 * |   0 |  384 | body   |
 * | 384 |   32 | keyId  |
 * | 416 |   16 | mac    |
 */
export interface Report {
  readonly body: ReportBody;
  readonly keyId: Uint8Array;
  readonly mac: Uint8Array;
}

export const ReportOffset = { BODY: 0, KEY_ID: 384, MAC: 416 } as const;

/** Decodes a 384-byte report body (copies the bytes). Throws SgxStructureError ERR_SGX_BAD_SIZE. */
export function parseReportBody(bytes: Uint8Array): ReportBody {
  expectSize("sgx_report_body_t", bytes, SgxSize.REPORT_BODY);
  const buf = asBuffer(bytes);
  const o = ReportBodyOffset;
  const take = (off: number, len: number): Uint8Array => copyRange(bytes, off, off + len);
  return {
    cpuSvn: take(o.CPU_SVN, 16),
    miscSelect: buf.readUInt32LE(o.MISC_SELECT),
    isvExtProdId: take(o.ISV_EXT_PROD_ID, 16),
    attributes: parseAttributes(bytes, o.ATTRIBUTES),
    mrEnclave: take(o.MR_ENCLAVE, 32),
    mrSigner: take(o.MR_SIGNER, 32),
    configId: take(o.CONFIG_ID, 64),
    isvProdId: buf.readUInt16LE(o.ISV_PROD_ID),
    isvSvn: buf.readUInt16LE(o.ISV_SVN),
    configSvn: buf.readUInt16LE(o.CONFIG_SVN),
    isvFamilyId: take(o.ISV_FAMILY_ID, 16),
    reportData: take(o.REPORT_DATA, 64),
  };
}

/**
 * Encodes a report body into 384 new bytes, or into `target` at `offset` (which must have room).
 * Byte fields shorter than their slot are zero-padded; longer ones throw a RangeError.
 */
export function encodeReportBody(body: ReportBody, target?: Uint8Array, offset = 0): Uint8Array {
  const out = target ?? new Uint8Array(SgxSize.REPORT_BODY);
  const buf = asBuffer(out);
  const o = ReportBodyOffset;
  buf.fill(0, offset, offset + SgxSize.REPORT_BODY);
  putBytes(out, offset + o.CPU_SVN, body.cpuSvn, 16);
  buf.writeUInt32LE(body.miscSelect, offset + o.MISC_SELECT);
  putBytes(out, offset + o.ISV_EXT_PROD_ID, body.isvExtProdId, 16);
  encodeAttributes(body.attributes, out, offset + o.ATTRIBUTES);
  putBytes(out, offset + o.MR_ENCLAVE, body.mrEnclave, 32);
  putBytes(out, offset + o.MR_SIGNER, body.mrSigner, 32);
  putBytes(out, offset + o.CONFIG_ID, body.configId, 64);
  buf.writeUInt16LE(body.isvProdId, offset + o.ISV_PROD_ID);
  buf.writeUInt16LE(body.isvSvn, offset + o.ISV_SVN);
  buf.writeUInt16LE(body.configSvn, offset + o.CONFIG_SVN);
  putBytes(out, offset + o.ISV_FAMILY_ID, body.isvFamilyId, 16);
  putBytes(out, offset + o.REPORT_DATA, body.reportData, 64);
  return out;
}

/** Decodes a 432-byte sgx_report_t. Throws SgxStructureError ERR_SGX_BAD_SIZE. */
export function parseReport(bytes: Uint8Array): Report {
  expectSize("sgx_report_t", bytes, SgxSize.REPORT);
  return {
    body: parseReportBody(bytes.subarray(0, ReportOffset.KEY_ID)),
    keyId: copyRange(bytes, ReportOffset.KEY_ID, ReportOffset.MAC),
    mac: copyRange(bytes, ReportOffset.MAC, SgxSize.REPORT),
  };
}

/** Encodes an sgx_report_t into 432 new bytes. */
export function encodeReport(report: Report): Uint8Array {
  const out = new Uint8Array(SgxSize.REPORT);
  encodeReportBody(report.body, out, 0);
  putBytes(out, ReportOffset.KEY_ID, report.keyId, SgxSize.KEY_ID);
  putBytes(out, ReportOffset.MAC, report.mac, SgxSize.MAC);
  return out;
}

/** Reads the 16-byte sgx_attributes_t at `offset`. */
export function parseAttributes(bytes: Uint8Array, offset: number): Attributes {
  const buf = asBuffer(bytes);
  return { flags: buf.readBigUInt64LE(offset), xfrm: buf.readBigUInt64LE(offset + 8) };
}

/** Writes the 16-byte sgx_attributes_t at `offset`. */
export function encodeAttributes(attributes: Attributes, target: Uint8Array, offset: number): void {
  const buf = asBuffer(target);
  buf.writeBigUInt64LE(attributes.flags, offset);
  buf.writeBigUInt64LE(attributes.xfrm, offset + 8);
}

/** Copies `value` into a `size`-byte slot, zero-padding; a longer value is a programming error. */
export function putBytes(target: Uint8Array, offset: number, value: Uint8Array, size: number): void {
  if (value.byteLength > size) throw new RangeError(`field of ${value.byteLength} bytes does not fit in ${size}`);
  target.set(value, offset);
}
