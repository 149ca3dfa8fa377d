import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import {
  CertificationDataType,
  decodeQuote,
  QuoteFormatError,
  readPckExtension,
  type DecodedQuote,
  type PckExtension,
} from "../quote/index.ts";
import { INTEL_QE_VENDOR_ID_HEX, type ReportBody } from "../sgx/index.ts";
import { bytesEqual, toHex } from "../shared/bytes.ts";
import { VerifyError } from "./errors.ts";
import { verifyPckChain } from "./pck-chain.ts";
import { trustedRootKeys, type RootKind } from "./trusted-roots.ts";

/** Options of {@link verifyQuoteSignatures}. */
export interface VerifyQuoteSignaturesOptions {
  /**
   * Extra root certificates (PEM text or DER) to trust besides Intel's pinned root key, e.g. a
   * simulated platform's root. Nothing but Intel's key is trusted by default.
   */
  readonly trustedRoots?: readonly (string | Uint8Array)[];
}

/** What a quote with valid signatures says, for the next verification layers (TCB, identity policy). */
export interface SignatureVerification {
  readonly quote: DecodedQuote;
  /** The attested enclave (the quote's report body): mrEnclave, mrSigner, isvProdId, isvSvn, attributes, reportData … */
  readonly reportBody: ReportBody;
  /** The Quoting Enclave's report body (for QE identity checks). */
  readonly qeReport: ReportBody;
  /** The PCK certificate's SGX extension (TCB components, PCESVN, FMSPC, PCE-ID, SGX type …). */
  readonly pck: PckExtension;
  /** FMSPC, lower-case hex (selects the TCB Info). */
  readonly fmspc: string;
  /** PCE-ID, lower-case hex. */
  readonly pceId: string;
  readonly rootKind: RootKind;
  /** CN of the PCK issuer, which selects the PCK CRL (Processor CA or Platform CA). */
  readonly pckIssuerCommonName: string;
  /** The chain as found in the quote, leaf first, PEM. */
  readonly pckChainPem: readonly [string, string, string];
  /** Intersection of the chain's validity periods; not enforced here. */
  readonly chainValidity: { readonly notBefore: Date; readonly notAfter: Date };
  /** Bytes after the quote (buffer padding), ignored. */
  readonly trailingBytes: number;
}

/**
 * First layer of DCAP quote verification (Intel QVL order, without collateral): decode; QE vendor
 * is Intel; certification data is a PCK chain (type 5) of exactly 3 certificates with the right
 * roles, each issued and signed by the next, ending at a trusted root key; the PCK certificate's
 * SGX extension parses; the QE report is signed by the PCK key; SHA-256(attestation key ‖ QE auth
 * data) equals the QE report data's first 32 bytes; the quote is signed by the attestation key.
 * Throws QuoteFormatError (ERR_QUOTE_*) for undecodable input and VerifyError (ERR_VERIFY_*) for
 * the first failed check. TCB status, QE identity, CRLs and validity dates are not judged here.
 */
export function verifyQuoteSignatures(quoteBytes: Uint8Array, options: VerifyQuoteSignaturesOptions = {}): SignatureVerification {
  const quote = decodeQuote(quoteBytes);
  if (toHex(quote.header.qeVendorId) !== INTEL_QE_VENDOR_ID_HEX) {
    throw new VerifyError("ERR_VERIFY_QE_VENDOR", `QE vendor id ${toHex(quote.header.qeVendorId)} is not Intel's`);
  }
  const certDataType = quote.signatureData.certificationData.type;
  if (certDataType !== CertificationDataType.PCK_CERT_CHAIN) {
    throw new VerifyError("ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED", `certification data type ${certDataType} carries no PCK chain (need 5)`, {
      certDataType,
    });
  }
  const chain = verifyPckChain(quote.raw.certificationData, trustedRootKeys(options.trustedRoots ?? []));
  const pck = readPck(chain.leaf.raw);
  checkSignature(quote.raw.qeReportBody, quote.raw.qeReportSignature, chain.leaf.publicKey, "ERR_VERIFY_QE_REPORT_SIGNATURE", "QE report");
  checkKeyBinding(quote);
  const attestationKey = attestationPublicKey(quote.raw.attestationPublicKey);
  checkSignature(quote.signedRegion, quote.raw.quoteSignature, attestationKey, "ERR_VERIFY_QUOTE_SIGNATURE", "quote");
  return {
    quote,
    reportBody: quote.reportBody,
    qeReport: quote.signatureData.qeReportBody,
    pck,
    fmspc: toHex(pck.fmspc),
    pceId: toHex(pck.pceId),
    rootKind: chain.rootKind,
    pckIssuerCommonName: chain.pckIssuerCommonName,
    pckChainPem: [chain.leaf.toString(), chain.intermediate.toString(), chain.root.toString()],
    chainValidity: chain.validity,
    trailingBytes: quote.trailingBytes,
  };
}

function readPck(der: Uint8Array): PckExtension {
  try {
    return readPckExtension(der);
  } catch (error) {
    if (!(error instanceof QuoteFormatError)) throw error;
    throw new VerifyError("ERR_VERIFY_PCK_CERT", `PCK certificate: ${error.message}`, { certificate: "leaf" }, { cause: error });
  }
}

function checkKeyBinding(quote: DecodedQuote): void {
  const expected = createHash("sha256").update(quote.raw.attestationPublicKey).update(quote.raw.qeAuthData).digest();
  const reportData = quote.raw.qeReportBody.subarray(320, 352);
  if (!bytesEqual(expected, reportData)) {
    throw new VerifyError("ERR_VERIFY_KEY_BINDING", "SHA-256(attestation key ‖ QE auth data) does not match the QE report data");
  }
}

function attestationPublicKey(raw: Uint8Array): KeyObject {
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
  try {
    return createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64(raw.subarray(0, 32)), y: b64(raw.subarray(32, 64)) }, format: "jwk" });
  } catch (error) {
    throw new VerifyError("ERR_VERIFY_ATTESTATION_KEY", "attestation key is not a P-256 point", {}, { cause: error });
  }
}

function checkSignature(
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
  code: "ERR_VERIFY_QE_REPORT_SIGNATURE" | "ERR_VERIFY_QUOTE_SIGNATURE",
  what: string,
): void {
  if (verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature)) return;
  throw new VerifyError(code, `${what} signature does not verify`);
}
