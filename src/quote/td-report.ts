import { asBuffer, copyRange } from "../shared/bytes.ts";

/** Size of a TD report body: TDX 1.0 (quote v4, v5 body type 2) and TDX 1.5 (v5 body type 3). */
export const TdReportSize = { TD10: 584, TD15: 648 } as const;

/**
 * TD report body (sgx_report2_body_t / _v1_5_t), as carried in v4/v5 quotes. Integers are
 * little-endian; measurements are raw bytes. TD 1.5 appends the last two rows.
 *
 * | off | size | field                                                             |
 * |----:|-----:|-------------------------------------------------------------------|
 * |   0 |   16 | teeTcbSvn (byte 0 module SVN, byte 1 module major version, …)      |
 * |  16 |   48 | mrSeam                                                            |
 * |  64 |   48 | mrSignerSeam (zero for Intel's module)                            |
 * | 112 |    8 | seamAttributes                                                    |
 * | 120 |    8 | tdAttributes (bit 0 DEBUG, 28 SEPT_VE_DISABLE, 30 PKS, 31 KL, 63 PERFMON) |
 * | 128 |    8 | xfam                                                              |
 * | 136 |   48 | mrTd                                                              |
 * | 184 |   48 | mrConfigId                                                        |
 * | 232 |   48 | mrOwner                                                           |
 * | 280 |   48 | mrOwnerConfig                                                     |
 * | 328 | 4×48 | rtmr0..rtmr3                                                      |
 * | 520 |   64 | reportData                                                        |
 * | 584 |   16 | teeTcbSvn2 (TD 1.5: SVNs of the module loaded now)                |
 * | 600 |   48 | mrServiceTd (TD 1.5)                                              |
 */
export interface TdReportBody {
  readonly teeTcbSvn: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: Uint8Array;
  readonly tdAttributes: Uint8Array;
  readonly xfam: Uint8Array;
  readonly mrTd: Uint8Array;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmrs: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  readonly reportData: Uint8Array;
}

/** A TDX 1.5 TD report body. */
export interface TdReportBody15 extends TdReportBody {
  readonly teeTcbSvn2: Uint8Array;
  readonly mrServiceTd: Uint8Array;
}

/** TD attribute bits (u64, little-endian in the report). */
export const TdAttributeBit = { DEBUG: 0n, SEPT_VE_DISABLE: 28n, PKS: 30n, KL: 31n, PERFMON: 63n } as const;

/**
 * Parses a TD 1.0 body (584 bytes). Fields are copies. The caller checked the length (the quote
 * decoder reads exactly 584 bytes); any other length throws RangeError (a programming error).
 */
export function parseTdReportBody10(bytes: Uint8Array): TdReportBody {
  if (bytes.byteLength !== TdReportSize.TD10) throw new RangeError(`TD 1.0 report body must be 584 bytes, got ${bytes.byteLength}`);
  return parseCommon(bytes);
}

/** Parses a TD 1.5 body (648 bytes); other lengths throw RangeError (caller's bug). */
export function parseTdReportBody15(bytes: Uint8Array): TdReportBody15 {
  if (bytes.byteLength !== TdReportSize.TD15) throw new RangeError(`TD 1.5 report body must be 648 bytes, got ${bytes.byteLength}`);
  return { ...parseCommon(bytes), teeTcbSvn2: copyRange(bytes, 584, 600), mrServiceTd: copyRange(bytes, 600, 648) };
}

/** TD attributes as a u64. */
export function tdAttributesValue(body: TdReportBody): bigint {
  return asBuffer(body.tdAttributes).readBigUInt64LE(0);
}

function parseCommon(b: Uint8Array): TdReportBody {
  const at = (off: number, len: number): Uint8Array => copyRange(b, off, off + len);
  return {
    teeTcbSvn: at(0, 16),
    mrSeam: at(16, 48),
    mrSignerSeam: at(64, 48),
    seamAttributes: at(112, 8),
    tdAttributes: at(120, 8),
    xfam: at(128, 8),
    mrTd: at(136, 48),
    mrConfigId: at(184, 48),
    mrOwner: at(232, 48),
    mrOwnerConfig: at(280, 48),
    rtmrs: [at(328, 48), at(376, 48), at(424, 48), at(472, 48)],
    reportData: at(520, 64),
  };
}
