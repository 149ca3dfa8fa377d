import { asBuffer } from "../shared/bytes.ts";
import { encodeReportBody, parseReportBody, type ReportBody } from "../sgx/index.ts";
import { ByteReader } from "./byte-reader.ts";
import {
  ecdsaSignatureDataSize,
  readEcdsaSignatureData,
  writeEcdsaSignatureData,
  type EcdsaSignatureData,
  type EcdsaSignatureDataRaw,
} from "./ecdsa-signature-data.ts";
import { QuoteFormatError } from "./errors.ts";
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
 * The `version` discriminant leaves room for v4/v5 and TDX bodies, which are not decoded yet.
 */
export interface SgxQuoteV3 {
  readonly version: 3;
  readonly header: QuoteHeader;
  readonly reportBody: ReportBody;
  readonly signatureData: EcdsaSignatureData;
}

/** Every quote shape this package can encode. */
export type Quote = SgxQuoteV3;

/** Offsets of a v3 quote. */
export const QuoteV3Offset = { HEADER: 0, REPORT_BODY: 48, SIGNATURE_DATA_LEN: 432, SIGNATURE_DATA: 436 } as const;

/** Raw views into the decoded input, for hashing and signature checks over exact bytes. */
export interface DecodedQuoteRaw extends EcdsaSignatureDataRaw {
  readonly header: Uint8Array;
  readonly reportBody: Uint8Array;
  readonly signatureData: Uint8Array;
  /** The quote without any trailing bytes: [0, 436 + signature_data_len). */
  readonly quote: Uint8Array;
}

/** A decoded v3 quote plus views of the bytes it came from. */
export interface DecodedSgxQuoteV3 extends SgxQuoteV3 {
  /** Bytes signed by the attestation key: header ‖ report body (a view of the input). */
  readonly signedRegion: Uint8Array;
  readonly raw: DecodedQuoteRaw;
  /** Bytes after the declared signature data; ignored (buffer padding), but reported. */
  readonly trailingBytes: number;
}

/** Every decoded quote shape (v3 SGX for now). Switch on `version`. */
export type DecodedQuote = DecodedSgxQuoteV3;

/**
 * Decodes a quote. Every length is checked before it is used. Throws QuoteFormatError:
 * ERR_QUOTE_TRUNCATED (names the field and its offset), ERR_QUOTE_UNSUPPORTED_VERSION (not 3),
 * ERR_QUOTE_UNSUPPORTED_KEY_TYPE (not ECDSA-P256), ERR_QUOTE_UNSUPPORTED_TEE (v3 with TEE type ≠
 * SGX), ERR_QUOTE_LENGTH_MISMATCH (signature_data_len ≠ the size of its contents). The QE vendor id
 * and the certification data type are reported, not judged: that is the verifier's job.
 * Returned byte fields of `header`, `signedRegion` and `raw` are views of `bytes`; keep it unchanged.
 */
export function decodeQuote(bytes: Uint8Array): DecodedQuote {
  const reader = new ByteReader(bytes);
  const header = readQuoteHeader(reader);
  checkHeader(header);
  const reportBody = reader.bytes("report_body", 384);
  const sigDataLen = reader.u32("signature_data_len");
  const signatureData = reader.bytes("signature_data", sigDataLen);
  const sigReader = new ByteReader(signatureData, QuoteV3Offset.SIGNATURE_DATA);
  const { parsed, raw } = readEcdsaSignatureData(sigReader);
  if (sigReader.remaining !== 0) {
    throw new QuoteFormatError(
      "ERR_QUOTE_LENGTH_MISMATCH",
      `signature_data_len ${sigDataLen} exceeds its contents (${sigReader.offset} bytes)`,
      { field: "signature_data_len", offset: QuoteV3Offset.SIGNATURE_DATA_LEN },
    );
  }
  const end = QuoteV3Offset.SIGNATURE_DATA + sigDataLen;
  return {
    version: 3,
    header,
    reportBody: parseReportBody(reportBody),
    signatureData: parsed,
    signedRegion: bytes.subarray(0, QuoteV3Offset.SIGNATURE_DATA_LEN),
    raw: { ...raw, header: bytes.subarray(0, QUOTE_HEADER_SIZE), reportBody, signatureData, quote: bytes.subarray(0, end) },
    trailingBytes: bytes.byteLength - end,
  };
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
  if (header.version !== 3) {
    throw new QuoteFormatError("ERR_QUOTE_UNSUPPORTED_VERSION", `quote version ${header.version} is not supported (only 3)`, {
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
  if (header.teeType !== TeeType.SGX) {
    throw new QuoteFormatError("ERR_QUOTE_UNSUPPORTED_TEE", `TEE type 0x${header.teeType.toString(16)} in a v3 quote (must be SGX, 0)`, {
      field: "header.tee_type",
      offset: 4,
    });
  }
}
