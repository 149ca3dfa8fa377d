import { createHash, verify, type KeyObject } from "node:crypto";
import {
  CertificationDataType,
  decodeQuote,
  QuoteFormatError,
  readPckExtension,
  type DecodedQuote,
  type PckExtension,
  type QuoteBody,
} from "../quote/index.ts";
import { INTEL_QE_VENDOR_ID_HEX, type ReportBody } from "../sgx/index.ts";
import { asBuffer, bytesEqual, toHex } from "../shared/bytes.ts";
import { clearCertificateCache } from "./certificates.ts";
import { p256PublicKey } from "./der-certificates.ts";
import { VerifyError } from "./errors.ts";
import { checkPckChain, pckCaKind, type CheckedPckChainCertificates } from "./pck-chain.ts";
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
  /** The attested body: an SGX enclave report or a TD report (switch on `type`). */
  readonly body: QuoteBody;
  /** The attested enclave for SGX quotes (mrEnclave, mrSigner, isvProdId …); undefined for TD quotes (see `body`). */
  readonly reportBody: ReportBody | undefined;
  /** The Quoting Enclave's report body (for QE identity checks). */
  readonly qeReport: ReportBody;
  /** The PCK certificate's SGX extension (TCB components, PCESVN, FMSPC, PCE-ID, SGX type …). */
  readonly pck: PckExtension;
  /** FMSPC, lower-case hex (selects the TCB Info). */
  readonly fmspc: string;
  /** PCE-ID, lower-case hex. */
  readonly pceId: string;
  readonly rootKind: RootKind;
  /** CN of the PCK issuer. */
  readonly pckIssuerCommonName: string;
  /** The PCK CA kind, which selects the PCK CRL to fetch. */
  readonly pckCa: "processor" | "platform";
  /** The chain as found in the quote, leaf first, PEM. */
  readonly pckChainPem: readonly [string, string, string];
  /** Intersection of the chain's validity periods; not enforced here. */
  readonly chainValidity: { readonly notBefore: Date; readonly notAfter: Date };
  /** Bytes after the quote (buffer padding), ignored. */
  readonly trailingBytes: number;
}

/**
 * First layer of DCAP quote verification (Intel QVL order, without collateral), for quotes v3, v4
 * and v5 (SGX and TDX): decode; QE vendor is Intel; the (inner) certification data is a PCK chain
 * (type 5) of exactly 3 certificates with the right roles, each issued and signed by the next,
 * ending at a trusted root key; the PCK certificate's SGX extension parses; the QE report is signed
 * by the PCK key; SHA-256(attestation key ‖ QE auth data) equals the QE report data's first 32
 * bytes; the quote (header ‖ [v5 descriptor] ‖ body) is signed by the attestation key.
 * Throws QuoteFormatError (ERR_QUOTE_*) for undecodable input and VerifyError (ERR_VERIFY_*) for
 * the first failed check. TCB status, QE identity, CRLs and validity dates are not judged here.
 */
export function verifyQuoteSignatures(quoteBytes: Uint8Array, options: VerifyQuoteSignaturesOptions = {}): SignatureVerification {
  const quote = decodeQuote(quoteBytes);
  const chain = checkedPckChain(quote, trustAnchorsFor(options.trustedRoots ?? []));
  checkQuoteSignatures(quote, chain);
  return {
    quote,
    body: quote.body,
    reportBody: quote.body.type === "sgx" ? quote.body.report : undefined,
    qeReport: quote.signatureData.qeReportBody,
    pck: chain.pck,
    fmspc: chain.fmspc,
    pceId: chain.pceId,
    rootKind: chain.rootKind,
    pckIssuerCommonName: chain.pckIssuerCommonName,
    pckCa: pckCaKind(chain.pckIssuerCommonName),
    pckChainPem: [chain.leaf.pem, chain.intermediate.pem, chain.root.pem],
    chainValidity: chain.validity,
    trailingBytes: quote.trailingBytes,
  };
}

/** A set of trusted root keys with a stable id (for caches). @internal */
export interface TrustAnchors {
  readonly keys: ReadonlySet<string>;
  readonly id: string;
}

/** Trust anchors from caller-supplied root certificates (Intel's key is always trusted). @internal */
export function trustAnchorsFor(roots: readonly (string | Uint8Array)[]): TrustAnchors {
  const keys = trustedRootKeys(roots);
  return { keys, id: [...keys].sort().join(",") };
}

/** A verified PCK chain plus what later checks read from it, cached by the chain's bytes. @internal */
export interface CheckedPckChain extends CheckedPckChainCertificates {
  readonly pck: PckExtension;
  readonly fmspc: string;
  readonly pceId: string;
  readonly leafKey: KeyObject;
  /** Uncompressed public key of the PCK certificate, hex. */
  readonly leafKeyHex: string;
  /** Leaf serial, normalised like Crl.revokedSerials. */
  readonly leafSerial: string;
  /** Intermediate serial, normalised. */
  readonly intermediateSerial: string;
  /** Uncompressed public keys, hex. */
  readonly rootKeyHex: string;
  readonly intermediateKeyHex: string;
}

const CHAIN_CACHE_LIMIT = 256;
const chainCache = new Map<string, CheckedPckChain>();

/**
 * The quote's PCK chain checked (vendor, certification data type, chain, PCK extension), from a
 * bounded cache keyed by the trust anchors and the exact certification data bytes: the result of
 * these checks depends on nothing else (dates are judged by the caller). @internal
 */
export function checkedPckChain(quote: DecodedQuote, anchors: TrustAnchors): CheckedPckChain {
  if (!bytesEqual(quote.header.qeVendorId, QE_VENDOR)) {
    throw new VerifyError("ERR_VERIFY_QE_VENDOR", `QE vendor id ${toHex(quote.header.qeVendorId)} is not Intel's`);
  }
  const certDataType = quote.signatureData.certificationData.type;
  if (certDataType !== CertificationDataType.PCK_CERT_CHAIN) {
    throw new VerifyError("ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED", `certification data type ${certDataType} carries no PCK chain (need 5)`, {
      certDataType,
    });
  }
  const key = `${anchors.id}|${asBuffer(quote.raw.certificationData).toString("latin1")}`;
  const cached = chainCache.get(key);
  if (cached !== undefined) return cached;
  const chain = checkPckChain(quote.raw.certificationData, anchors.keys);
  const pck = readPck(chain.leaf.der);
  const checked: CheckedPckChain = {
    ...chain,
    pck,
    fmspc: toHex(pck.fmspc),
    pceId: toHex(pck.pceId),
    leafKey: chain.leaf.publicKey,
    leafKeyHex: chain.leaf.keyHex,
    leafSerial: chain.leaf.serial,
    intermediateSerial: chain.intermediate.serial,
    rootKeyHex: chain.root.keyHex,
    intermediateKeyHex: chain.intermediate.keyHex,
  };
  if (chainCache.size >= CHAIN_CACHE_LIMIT) chainCache.delete(chainCache.keys().next().value!);
  chainCache.set(key, checked);
  return checked;
}

/**
 * The per-quote signature checks, in QVL order: QE report signed by the PCK key; key binding;
 * quote signed by the attestation key. @internal
 */
export function checkQuoteSignatures(quote: DecodedQuote, chain: CheckedPckChain): void {
  checkQeReport(quote, chain);
  checkQuoteSignature(quote);
}

/**
 * QE report signature and key binding. A platform's QE report (it certifies the attestation key,
 * not the quote) and its signature repeat across quotes, so a valid result is remembered, keyed by
 * the PCK key and the exact report and signature bytes: the same bytes verify the same way. @internal
 */
export function checkQeReport(quote: DecodedQuote, chain: Pick<CheckedPckChain, "leafKey" | "leafKeyHex">): void {
  const key = `${chain.leafKeyHex}|${asBuffer(quote.raw.qeReportBody).toString("latin1")}|${asBuffer(quote.raw.qeReportSignature).toString("latin1")}`;
  if (!qeReportCache.has(key)) {
    checkSignature(quote.raw.qeReportBody, quote.raw.qeReportSignature, chain.leafKey, "ERR_VERIFY_QE_REPORT_SIGNATURE", "QE report");
    remember(qeReportCache, key, true);
  }
  const expected = createHash("sha256").update(quote.raw.attestationPublicKey).update(quote.raw.qeAuthData).digest();
  const reportData = quote.raw.qeReportBody.subarray(320, 352);
  if (!bytesEqual(expected, reportData)) {
    throw new VerifyError("ERR_VERIFY_KEY_BINDING", "SHA-256(attestation key ‖ QE auth data) does not match the QE report data");
  }
}

/** The quote signature over the signed region. @internal */
export function checkQuoteSignature(quote: DecodedQuote): void {
  const rawKey = asBuffer(quote.raw.attestationPublicKey).toString("latin1");
  let attestationKey = attestationKeyCache.get(rawKey);
  if (attestationKey === undefined) {
    attestationKey = attestationPublicKey(quote.raw.attestationPublicKey);
    remember(attestationKeyCache, rawKey, attestationKey);
  }
  checkSignature(quote.signedRegion, quote.raw.quoteSignature, attestationKey, "ERR_VERIFY_QUOTE_SIGNATURE", "quote");
}

const qeReportCache = new Map<string, true>();
/** Attestation keys as KeyObjects (building one costs more than a signature check), by their 64 bytes. */
const attestationKeyCache = new Map<string, KeyObject>();
/**
 * Empties the per-process caches of checked PCK chains, QE report signatures, attestation keys
 * and certificates, so a benchmark can measure verification with nothing remembered. @internal
 */
export function clearVerificationCaches(): void {
  clearCertificateCache();
  chainCache.clear();
  qeReportCache.clear();
  attestationKeyCache.clear();
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CHAIN_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

const QE_VENDOR = Buffer.from(INTEL_QE_VENDOR_ID_HEX, "hex");

function readPck(der: Uint8Array): PckExtension {
  try {
    return readPckExtension(der);
  } catch (error) {
    if (!(error instanceof QuoteFormatError)) throw error;
    throw new VerifyError("ERR_VERIFY_PCK_CERT", `PCK certificate: ${error.message}`, { certificate: "leaf" }, { cause: error });
  }
}

function attestationPublicKey(raw: Uint8Array): KeyObject {
  try {
    return p256PublicKey(raw);
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
