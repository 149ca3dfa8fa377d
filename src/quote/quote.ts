import { asBuffer } from "../shared/bytes.ts";
import { encodeReportBody, parseReportBody, REPORT_BODY_SIZE, type ReportBody } from "../sgx/index.ts";
import { ByteReader } from "./byte-reader.ts";
import {
  ecdsaSignatureDataSize,
  readEcdsaSignatureData,
  readQeReportCertificationData,
  writeEcdsaSignatureData,
  type EcdsaSignatureData,
  type EcdsaSignatureDataRaw,
} from "./ecdsa-signature-data.ts";
import { QuoteFormatError } from "./errors.ts";
import { parseTdReportBody10, parseTdReportBody15, TdReportSize, type TdReportBody, type TdReportBody15 } from "./td-report.ts";
import { AttestationKeyType, QUOTE_HEADER_SIZE, readQuoteHeader, TeeType, writeQuoteHeader, type QuoteHeader } from "./quote-header.ts";

/**
 * DCAP quote v3 (SGX), the layout Intel's QE3 produces:
 *
 * | off | size | field                                                |
 * |----:|-----:|------------------------------------------------------|
 * |   0 |   48 | header (quote-header.ts)                             |
 * |  48 |  384 | reportBody: the app enclave's report body            |
 * | 432 |    4 | signature_data_len u32                               |
 * | 436 |    L | signature data (ecdsa-signature-data.ts)             |
 *
 * The attestation key signs bytes 0..432 (the "signed region"). Bytes after 436 + L are not part
 * of the quote (callers often pass a larger buffer) and are ignored.
 *
 * v4 and v5 (decoded by {@link decodeQuote}) differ: v4 TDX quotes carry a 584-byte TD report body
 * (length field at 632), v5 quotes insert a 6-byte body descriptor (u16 type, u32 size) at 48 so
 * the body starts at 54 and the signed region includes the descriptor; both wrap the QE report in
 * type-6 certification data (ecdsa-signature-data.ts).
 */
export interface SgxQuoteV3 {
  readonly version: 3;
  readonly header: QuoteHeader;
  readonly reportBody: ReportBody;
  readonly signatureData: EcdsaSignatureData;
}

/** Every quote shape this package can encode (v3 SGX; v4/v5 are decoded only). */
export type Quote = SgxQuoteV3;

/** Offsets of a v3 quote. */
export const QuoteV3Offset = { HEADER: 0, REPORT_BODY: 48, SIGNATURE_DATA_LEN: 432, SIGNATURE_DATA: 436 } as const;

/** v5 body types (the u16 at offset 48 of a v5 quote). */
export const QuoteBodyType = { SGX: 1, TD10: 2, TD15: 3 } as const;

/** Body size for each v5 body type. */
const BODY_SIZE: Readonly<Record<number, number>> = {
  [QuoteBodyType.SGX]: REPORT_BODY_SIZE,
  [QuoteBodyType.TD10]: TdReportSize.TD10,
  [QuoteBodyType.TD15]: TdReportSize.TD15,
};

/** The attested body of a quote: an SGX enclave report or a TD report (1.0 or 1.5). Switch on `type`. */
export type QuoteBody =
  | { readonly type: "sgx"; readonly report: ReportBody }
  | { readonly type: "td10"; readonly report: TdReportBody }
  | { readonly type: "td15"; readonly report: TdReportBody15 };

/** Raw views into the decoded input, for hashing and signature checks over exact bytes. */
export interface DecodedQuoteRaw extends EcdsaSignatureDataRaw {
  readonly header: Uint8Array;
  /** The body bytes (SGX report body or TD report body; without the v5 descriptor). */
  readonly reportBody: Uint8Array;
  readonly signatureData: Uint8Array;
  /** The quote without any trailing bytes: [0, signature data start + signature_data_len). */
  readonly quote: Uint8Array;
}

/** Quote offsets of each part, for error reports and tests. */
export interface QuoteLayout {
  readonly bodyOffset: number;
  readonly bodySize: number;
  readonly signatureDataLengthOffset: number;
  readonly signatureDataOffset: number;
  /** Start of the QE report (v3: signature data + 128; v4/v5: + 134). */
  readonly qeReportOffset: number;
  /** Start of the (inner) PEM certification data. */
  readonly certificationDataOffset: number;
}

interface DecodedQuoteCommon {
  readonly header: QuoteHeader;
  readonly body: QuoteBody;
  /** Signature data; `certificationData` is the inner (type 5) data for v4/v5. */
  readonly signatureData: EcdsaSignatureData;
  /** Bytes signed by the attestation key: header ‖ [v5 descriptor] ‖ body (a view of the input). */
  readonly signedRegion: Uint8Array;
  readonly raw: DecodedQuoteRaw;
  readonly layout: QuoteLayout;
  /** Bytes after the declared signature data; ignored (buffer padding), but reported. */
  readonly trailingBytes: number;
  /** Whether every trailing byte is zero (plain buffer padding) — false when there are none. */
  readonly trailingBytesAllZero: boolean;
}

/** A decoded v3 quote plus views of the bytes it came from. */
export interface DecodedSgxQuoteV3 extends SgxQuoteV3, DecodedQuoteCommon {
  readonly body: { readonly type: "sgx"; readonly report: ReportBody };
}

/** A decoded v4 quote: SGX (TEE type 0, 384-byte body) or TDX (TEE type 0x81, TD 1.0 body). */
export interface DecodedQuoteV4 extends DecodedQuoteCommon {
  readonly version: 4;
}

/** A decoded v5 quote; `bodyType` is the descriptor's type (1 SGX, 2 TD 1.0, 3 TD 1.5). */
export interface DecodedQuoteV5 extends DecodedQuoteCommon {
  readonly version: 5;
  readonly bodyType: number;
}

/** Every decoded quote shape. Switch on `version`, and on `body.type` for the TEE. */
export type DecodedQuote = DecodedSgxQuoteV3 | DecodedQuoteV4 | DecodedQuoteV5;

/**
 * Decodes a DCAP quote v3 (SGX), v4 (SGX or TDX 1.0) or v5 (SGX, TD 1.0, TD 1.5). Every length is
 * checked before it is used. Throws QuoteFormatError naming the field and its offset:
 * ERR_QUOTE_TRUNCATED (a field or declared length past the end of the input),
 * ERR_QUOTE_UNSUPPORTED_VERSION, ERR_QUOTE_UNSUPPORTED_KEY_TYPE (not ECDSA-P256),
 * ERR_QUOTE_UNSUPPORTED_TEE (not SGX/TDX, or TDX in v3), ERR_QUOTE_UNSUPPORTED_BODY_TYPE (v5 body
 * type unknown or not matching the TEE), ERR_QUOTE_UNEXPECTED_CERT_DATA_TYPE (v4/v5 outer type ≠ 6),
 * ERR_QUOTE_LENGTH_MISMATCH (a declared size ≠ the size of its contents). Bytes after the signature
 * data are ignored and counted in `trailingBytes`. The QE vendor id and the (inner) certification
 * data type are reported, not judged: that is the verifier's job. Returned byte fields of
 * `header`, `signedRegion` and `raw` are views of `bytes`; keep it unchanged.
 */
export function decodeQuote(bytes: Uint8Array): DecodedQuote {
  const reader = new ByteReader(bytes);
  const header = readQuoteHeader(reader);
  checkHeader(header);
  let bodyType: number = header.teeType === TeeType.TDX ? QuoteBodyType.TD10 : QuoteBodyType.SGX;
  if (header.version === 5) {
    bodyType = reader.u16("body_descriptor.type");
    const sizeOffset = reader.absoluteOffset;
    const declared = reader.u32("body_descriptor.size");
    const expectedSize = BODY_SIZE[bodyType];
    const fitsTee = header.teeType === TeeType.SGX ? bodyType === QuoteBodyType.SGX : bodyType !== QuoteBodyType.SGX;
    if (expectedSize === undefined || !fitsTee) {
      throw new QuoteFormatError(
        "ERR_QUOTE_UNSUPPORTED_BODY_TYPE",
        `v5 body type ${bodyType} is not supported for TEE type 0x${header.teeType.toString(16)}`,
        { field: "body_descriptor.type", offset: 48 },
      );
    }
    if (declared !== expectedSize) {
      throw new QuoteFormatError(
        "ERR_QUOTE_LENGTH_MISMATCH",
        `v5 body type ${bodyType} must be ${expectedSize} bytes, declared ${declared}`,
        {
          field: "body_descriptor.size",
          offset: sizeOffset,
        },
      );
    }
  }
  const bodySize = BODY_SIZE[bodyType] ?? REPORT_BODY_SIZE;
  const bodyOffset = reader.absoluteOffset;
  const bodyBytes = reader.bytes("report_body", bodySize);
  const signatureDataLengthOffset = reader.absoluteOffset;
  const sigDataLen = reader.u32("signature_data_len");
  const signatureDataOffset = reader.absoluteOffset;
  const signatureData = reader.bytes("signature_data", sigDataLen);
  const sigReader = new ByteReader(signatureData, signatureDataOffset);
  const { parsed, raw } = header.version === 3 ? readEcdsaSignatureData(sigReader) : readQeReportCertificationData(sigReader);
  if (sigReader.remaining !== 0) {
    throw new QuoteFormatError(
      "ERR_QUOTE_LENGTH_MISMATCH",
      `signature_data_len ${sigDataLen} exceeds its contents (${sigReader.offset} bytes)`,
      { field: "signature_data_len", offset: signatureDataLengthOffset },
    );
  }
  const end = signatureDataOffset + sigDataLen;
  const trailing = bytes.subarray(end);
  const common = {
    header,
    signatureData: parsed,
    signedRegion: bytes.subarray(0, signatureDataLengthOffset),
    raw: { ...raw, header: bytes.subarray(0, QUOTE_HEADER_SIZE), reportBody: bodyBytes, signatureData, quote: bytes.subarray(0, end) },
    layout: {
      bodyOffset,
      bodySize,
      signatureDataLengthOffset,
      signatureDataOffset,
      qeReportOffset: signatureDataOffset + (header.version === 3 ? 128 : 134),
      certificationDataOffset: end - raw.certificationData.byteLength,
    },
    trailingBytes: trailing.byteLength,
    trailingBytesAllZero: trailing.byteLength > 0 && trailing.every((b) => b === 0),
  };
  if (header.version === 3) {
    const reportBody = parseReportBody(bodyBytes);
    return { ...common, version: 3, reportBody, body: { type: "sgx", report: reportBody } };
  }
  const body = decodeBody(bodyType, bodyBytes);
  return header.version === 4 ? { ...common, version: 4, body } : { ...common, version: 5, bodyType, body };
}

function decodeBody(bodyType: number, bytes: Uint8Array): QuoteBody {
  if (bodyType === QuoteBodyType.TD10) return { type: "td10", report: parseTdReportBody10(bytes) };
  if (bodyType === QuoteBodyType.TD15) return { type: "td15", report: parseTdReportBody15(bytes) };
  return { type: "sgx", report: parseReportBody(bytes) };
}

/** Encoded size of a quote (436 + signature data). */
export function quoteSize(quote: Quote): number {
  return QuoteV3Offset.SIGNATURE_DATA + ecdsaSignatureDataSize(quote.signatureData);
}

/**
 * Encodes a quote into new bytes. `header.version` must equal `version` and be 3, else
 * ERR_QUOTE_ENCODE; wrong-sized fields throw ERR_QUOTE_ENCODE. Reserved report-body bytes are zero.
 */
export function encodeQuote(quote: Quote): Uint8Array {
  // `version` is typed 3; the header field is the one a caller can get wrong.
  if (quote.header.version !== 3) {
    throw new QuoteFormatError("ERR_QUOTE_ENCODE", `cannot encode quote version ${quote.header.version}`, { field: "header.version" });
  }
  const out = new Uint8Array(quoteSize(quote));
  writeQuoteHeader(quote.header, out, QuoteV3Offset.HEADER);
  encodeReportBody(quote.reportBody, out, QuoteV3Offset.REPORT_BODY);
  asBuffer(out).writeUInt32LE(out.byteLength - QuoteV3Offset.SIGNATURE_DATA, QuoteV3Offset.SIGNATURE_DATA_LEN);
  writeEcdsaSignatureData(quote.signatureData, out, QuoteV3Offset.SIGNATURE_DATA);
  return out;
}

function checkHeader(header: QuoteHeader): void {
  if (header.version !== 3 && header.version !== 4 && header.version !== 5) {
    throw new QuoteFormatError("ERR_QUOTE_UNSUPPORTED_VERSION", `quote version ${header.version} is not supported (3, 4 or 5)`, {
      field: "header.version",
      offset: 0,
    });
  }
  if (header.attestationKeyType !== AttestationKeyType.ECDSA_P256) {
    throw new QuoteFormatError(
      "ERR_QUOTE_UNSUPPORTED_KEY_TYPE",
      `attestation key type ${header.attestationKeyType} is not ECDSA-P256 (2)`,
      {
        field: "header.att_key_type",
        offset: 2,
      },
    );
  }
  const teeOk = header.teeType === TeeType.SGX || (header.version !== 3 && header.teeType === TeeType.TDX);
  if (!teeOk) {
    throw new QuoteFormatError(
      "ERR_QUOTE_UNSUPPORTED_TEE",
      `TEE type 0x${header.teeType.toString(16)} is not supported in a v${header.version} quote`,
      {
        field: "header.tee_type",
        offset: 4,
      },
    );
  }
}
