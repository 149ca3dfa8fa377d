/** DCAP quote encoding and decoding (v3 SGX), certification data and the PCK certificate's SGX extension. */
export {
  decodeQuote,
  encodeQuote,
  quoteSize,
  QuoteV3Offset,
  type DecodedQuote,
  type DecodedQuoteRaw,
  type DecodedSgxQuoteV3,
  type Quote,
  type SgxQuoteV3,
} from "./quote.ts";
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
