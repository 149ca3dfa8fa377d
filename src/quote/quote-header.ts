import { asBuffer, copyBytes } from "../shared/bytes.ts";
import type { ByteReader } from "./byte-reader.ts";
import { QuoteFormatError } from "./errors.ts";

/** Size of the quote header in every version. */
export const QUOTE_HEADER_SIZE = 48;

/**
 * Quote header, 48 bytes, the same position in v3, v4 and v5.
 *
 * | off | size | field                                                      |
 * |----:|-----:|------------------------------------------------------------|
 * |   0 |    2 | version u16 (3)                                            |
 * |   2 |    2 | attestationKeyType u16 (2 = ECDSA-P256)                    |
 * |   4 |    4 | teeType u32 (v3: att_key_data_0, always 0 = SGX; 0x81 TDX) |
 * |   8 |    2 | qeSvn u16                                                  |
 * |  10 |    2 | pceSvn u16                                                 |
 * |  12 |   16 | qeVendorId (Intel 939a7233…0607)                           |
 * |  28 |   20 | userData (Intel QE: QE ID 16 bytes + 4 zero)               |
 */
export interface QuoteHeader {
  readonly version: number;
  readonly attestationKeyType: number;
  readonly teeType: number;
  readonly qeSvn: number;
  readonly pceSvn: number;
  readonly qeVendorId: Uint8Array;
  readonly userData: Uint8Array;
}

/** TEE type values of the header. */
export const TeeType = { SGX: 0x00000000, TDX: 0x00000081 } as const;

/** Attestation key type values; only ECDSA-P256 is used by Intel's QEs. */
export const AttestationKeyType = { ECDSA_P256: 2, ECDSA_P384: 3 } as const;

/** Reads the header fields (views into the input). Short input throws ERR_QUOTE_TRUNCATED. */
export function readQuoteHeader(reader: ByteReader): QuoteHeader {
  return {
    version: reader.u16("header.version"),
    attestationKeyType: reader.u16("header.att_key_type"),
    teeType: reader.u32("header.tee_type"),
    qeSvn: reader.u16("header.qe_svn"),
    pceSvn: reader.u16("header.pce_svn"),
    qeVendorId: copyBytes(reader.bytes("header.qe_vendor_id", 16)),
    userData: copyBytes(reader.bytes("header.user_data", 20)),
  };
}

/** Writes the 48-byte header at `offset` of `target`. Wrong-sized byte fields throw ERR_QUOTE_ENCODE. */
export function writeQuoteHeader(header: QuoteHeader, target: Uint8Array, offset = 0): void {
  expectLength("header.qe_vendor_id", header.qeVendorId, 16);
  expectLength("header.user_data", header.userData, 20);
  const buf = asBuffer(target);
  buf.writeUInt16LE(header.version, offset);
  buf.writeUInt16LE(header.attestationKeyType, offset + 2);
  buf.writeUInt32LE(header.teeType, offset + 4);
  buf.writeUInt16LE(header.qeSvn, offset + 8);
  buf.writeUInt16LE(header.pceSvn, offset + 10);
  target.set(header.qeVendorId, offset + 12);
  target.set(header.userData, offset + 28);
}

/** Throws ERR_QUOTE_ENCODE unless `value` has exactly `length` bytes. @internal */
export function expectLength(field: string, value: Uint8Array, length: number): void {
  if (value.byteLength !== length) {
    throw new QuoteFormatError("ERR_QUOTE_ENCODE", `${field} must be ${length} bytes, got ${value.byteLength}`, { field });
  }
}
