/** DCAP quote decoding (v3, v4, v5; SGX and TDX bodies), v3 encoding, certification data and the PCK certificate's SGX extension. */
export {
  decodeQuote,
  encodeQuote,
  quoteSize,
  QuoteBodyType,
  QuoteV3Offset,
  type DecodedQuote,
  type DecodedQuoteRaw,
  type DecodedQuoteV4,
  type DecodedQuoteV5,
  type DecodedSgxQuoteV3,
  type Quote,
  type QuoteBody,
  type QuoteLayout,
  type SgxQuoteV3,
} from "./quote.ts";
export {
  parseTdReportBody10,
  parseTdReportBody15,
  TdAttributeBit,
  tdAttributesValue,
  TdReportSize,
  type TdReportBody,
  type TdReportBody15,
} from "./td-report.ts";
export { AttestationKeyType, QUOTE_HEADER_SIZE, TeeType, type QuoteHeader } from "./quote-header.ts";
export {
  CertificationDataType,
  ECDSA_SIG_DATA_FIXED_SIZE,
  type CertificationData,
  type EcdsaSignatureData,
  type EcdsaSignatureDataRaw,
} from "./ecdsa-signature-data.ts";
export { derToPem, encodePemCertificateChain, parsePemCertificateChain, type PemCertificate } from "./pem-chain.ts";
export {
  encodePckExtension,
  parsePckExtension,
  readPckExtension,
  SGX_EXTENSION_OID,
  SgxType,
  type PckConfiguration,
  type PckExtension,
  type PckTcb,
} from "./pck-extension.ts";
export { QuoteFormatError, type QuoteFormatErrorCode, type QuoteFormatErrorDetails } from "./errors.ts";
