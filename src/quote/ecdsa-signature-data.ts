import { asBuffer, copyBytes } from "../shared/bytes.ts";
import { encodeReportBody, parseReportBody, type ReportBody } from "../sgx/index.ts";
import { ByteReader } from "./byte-reader.ts";
import { QuoteFormatError } from "./errors.ts";
import { expectLength } from "./quote-header.ts";

/** Certification data types (sgx_ql_cert_key_type_t). Verifiers need PCK_CERT_CHAIN. */
export const CertificationDataType = {
  PPID_CLEARTEXT: 1,
  PPID_RSA2048_ENCRYPTED: 2,
  PPID_RSA3072_ENCRYPTED: 3,
  PCK_CLEARTEXT: 4,
  PCK_CERT_CHAIN: 5,
  QE_REPORT_CERTIFICATION_DATA: 6,
} as const;

export interface CertificationData {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * ECDSA signature data of a v3 quote (sgx_ql_ecdsa_sig_data_t and what follows it). Offsets are
 * relative to its start (quote offset 436).
 *
 * | off   | size | field                                                          |
 * |------:|-----:|----------------------------------------------------------------|
 * |     0 |   64 | quoteSignature: r‖s by the attestation key over quote[0..432)  |
 * |    64 |   64 | attestationPublicKey: x‖y (P-256, no 0x04 prefix)              |
 * |   128 |  384 | qeReportBody: report body of the QE                            |
 * |   512 |   64 | qeReportSignature: r‖s by the PCK key over qeReportBody        |
 * |   576 |    2 | qe_auth_data_size N u16                                        |
 * |   578 |    N | qeAuthData                                                     |
 * | 578+N |    2 | certification data type u16                                    |
 * | 580+N |    4 | certification data size M u32                                  |
 * | 584+N |    M | certification data                                             |
 */
export interface EcdsaSignatureData {
  readonly quoteSignature: Uint8Array;
  readonly attestationPublicKey: Uint8Array;
  readonly qeReportBody: ReportBody;
  readonly qeReportSignature: Uint8Array;
  readonly qeAuthData: Uint8Array;
  readonly certificationData: CertificationData;
}

/** Views into the raw signature data, for verifiers that must hash or check exact bytes. */
export interface EcdsaSignatureDataRaw {
  readonly quoteSignature: Uint8Array;
  readonly attestationPublicKey: Uint8Array;
  readonly qeReportBody: Uint8Array;
  readonly qeReportSignature: Uint8Array;
  readonly qeAuthData: Uint8Array;
  readonly certificationData: Uint8Array;
}

/** Fixed part before the auth data: 64 + 64 + 384 + 64. */
export const ECDSA_SIG_DATA_FIXED_SIZE = 576;

/** Reads v3 ECDSA signature data; every length is checked before use (ERR_QUOTE_TRUNCATED). */
export function readEcdsaSignatureData(reader: ByteReader): { parsed: EcdsaSignatureData; raw: EcdsaSignatureDataRaw } {
  const quoteSignature = reader.bytes("signature_data.quote_signature", 64);
  const attestationPublicKey = reader.bytes("signature_data.attestation_public_key", 64);
  const { type, ...certified } = readCertifiedQeReport(reader, "signature_data");
  return withParsed({ quoteSignature, attestationPublicKey, ...certified }, type);
}

/**
 * QE report, its signature, the QE auth data and the certification data, laid out alike in v3
 * signature data and in a v4/v5 type-6 envelope; `scope` names the fields in errors.
 */
function readCertifiedQeReport(
  reader: ByteReader,
  scope: string,
): Pick<EcdsaSignatureDataRaw, "qeReportBody" | "qeReportSignature" | "qeAuthData" | "certificationData"> & { type: number } {
  const qeReportBody = reader.bytes(`${scope}.qe_report`, 384);
  const qeReportSignature = reader.bytes(`${scope}.qe_report_signature`, 64);
  const authSize = reader.u16(`${scope}.qe_auth_data_size`);
  const qeAuthData = reader.bytes(`${scope}.qe_auth_data`, authSize);
  const type = reader.u16(`${scope}.certification_data_type`);
  const certSize = reader.u32(`${scope}.certification_data_size`);
  const certificationData = reader.bytes(`${scope}.certification_data`, certSize);
  return { qeReportBody, qeReportSignature, qeAuthData, type, certificationData };
}

/** The raw views with their parsed copies (the parsed side owns its bytes). */
function withParsed(raw: EcdsaSignatureDataRaw, certificationDataType: number): { parsed: EcdsaSignatureData; raw: EcdsaSignatureDataRaw } {
  const parsed = {
    quoteSignature: copyBytes(raw.quoteSignature),
    attestationPublicKey: copyBytes(raw.attestationPublicKey),
    qeReportBody: parseReportBody(raw.qeReportBody),
    qeReportSignature: copyBytes(raw.qeReportSignature),
    qeAuthData: copyBytes(raw.qeAuthData),
    certificationData: { type: certificationDataType, data: copyBytes(raw.certificationData) },
  };
  return { parsed, raw };
}

/** Encoded size of the signature data. */
export function ecdsaSignatureDataSize(data: EcdsaSignatureData): number {
  return ECDSA_SIG_DATA_FIXED_SIZE + 2 + data.qeAuthData.byteLength + 6 + data.certificationData.data.byteLength;
}

/** Writes the signature data at `offset` of `target` (which must have room). Bad sizes throw ERR_QUOTE_ENCODE. */
export function writeEcdsaSignatureData(data: EcdsaSignatureData, target: Uint8Array, offset: number): void {
  expectLength("signature_data.quote_signature", data.quoteSignature, 64);
  expectLength("signature_data.attestation_public_key", data.attestationPublicKey, 64);
  expectLength("signature_data.qe_report_signature", data.qeReportSignature, 64);
  const buf = asBuffer(target);
  let pos = offset;
  target.set(data.quoteSignature, pos);
  target.set(data.attestationPublicKey, (pos += 64));
  encodeReportBody(data.qeReportBody, target, (pos += 64));
  target.set(data.qeReportSignature, (pos += 384));
  buf.writeUInt16LE(data.qeAuthData.byteLength, (pos += 64));
  target.set(data.qeAuthData, (pos += 2));
  buf.writeUInt16LE(data.certificationData.type, (pos += data.qeAuthData.byteLength));
  buf.writeUInt32LE(data.certificationData.data.byteLength, (pos += 2));
  target.set(data.certificationData.data, pos + 4);
}

/**
 * ECDSA signature data of a v4/v5 quote: the QE report and PCK chain are wrapped in certification
 * data of type 6 (QE Report Certification Data). Offsets relative to the signature data.
 *
 * | off       | size | field                                                        |
 * |----------:|-----:|--------------------------------------------------------------|
 * |         0 |   64 | quoteSignature: r‖s by the attestation key                   |
 * |        64 |   64 | attestationPublicKey: x‖y                                    |
 * |       128 |    2 | outer certification data type u16 (must be 6)                |
 * |       130 |    4 | outer size S u32 (must equal the rest of the signature data) |
 * |       134 |  384 | · qeReportBody (QE3 or TDQE report body)                     |
 * |       518 |   64 | · qeReportSignature by the PCK key                           |
 * |       582 |    2 | · qe_auth_data_size N                                        |
 * |       584 |    N | · qeAuthData                                                 |
 * |     584+N |    2 | · inner certification data type (5 = PCK chain)              |
 * |     586+N |    4 | · inner size M                                               |
 * |     590+N |    M | · inner certification data                                   |
 *
 * The returned `certificationData` is the inner one, so v3 and v4/v5 share one shape. A declared
 * S that does not match its contents throws ERR_QUOTE_LENGTH_MISMATCH; an outer type other than
 * 6 throws ERR_QUOTE_UNEXPECTED_CERT_DATA_TYPE.
 */
export function readQeReportCertificationData(reader: ByteReader): { parsed: EcdsaSignatureData; raw: EcdsaSignatureDataRaw } {
  const quoteSignature = reader.bytes("signature_data.quote_signature", 64);
  const attestationPublicKey = reader.bytes("signature_data.attestation_public_key", 64);
  const typeOffset = reader.absoluteOffset;
  const outerType = reader.u16("signature_data.certification_data_type");
  if (outerType !== CertificationDataType.QE_REPORT_CERTIFICATION_DATA) {
    throw new QuoteFormatError(
      "ERR_QUOTE_UNEXPECTED_CERT_DATA_TYPE",
      `v4/v5 certification data type is ${outerType}, expected 6 (QE report certification data)`,
      { field: "signature_data.certification_data_type", offset: typeOffset },
    );
  }
  const sizeOffset = reader.absoluteOffset;
  const size = reader.u32("signature_data.certification_data_size");
  if (size !== reader.remaining) {
    throw new QuoteFormatError(
      "ERR_QUOTE_LENGTH_MISMATCH",
      `type-6 certification data declares ${size} bytes, the signature data holds ${reader.remaining}`,
      { field: "signature_data.certification_data_size", offset: sizeOffset },
    );
  }
  const envelopeBase = reader.absoluteOffset;
  const envelope = new ByteReader(reader.bytes("signature_data.qe_report_certification_data", size), envelopeBase);
  try {
    const { type, ...certified } = readCertifiedQeReport(envelope, "qe_report_certification_data");
    if (envelope.remaining !== 0) {
      throw new QuoteFormatError(
        "ERR_QUOTE_LENGTH_MISMATCH",
        `type-6 certification data declares ${size} bytes, its contents take ${envelope.offset}`,
        { field: "signature_data.certification_data_size", offset: sizeOffset },
      );
    }
    return withParsed({ quoteSignature, attestationPublicKey, ...certified }, type);
  } catch (error) {
    // Inside the envelope every overrun means its declared size S is too small for its contents.
    if (error instanceof QuoteFormatError && error.code === "ERR_QUOTE_TRUNCATED") {
      throw new QuoteFormatError("ERR_QUOTE_LENGTH_MISMATCH", `type-6 certification data (${size} bytes): ${error.message}`, {
        ...(error.field === undefined ? {} : { field: error.field }),
        ...(error.offset === undefined ? {} : { offset: error.offset }),
      });
    }
    throw error;
  }
}
