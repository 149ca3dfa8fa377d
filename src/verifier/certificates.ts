import { X509Certificate, type KeyObject } from "node:crypto";
import { normaliseSerial } from "../collateral/index.ts";
import { derToPem } from "../quote/index.ts";
import { DerError } from "../shared/der.ts";
import { certificateFields, p256PublicKeyHex, type CertificateFields } from "../shared/x509-der.ts";
import { clearDerCertificateCache, derPublicKey, type DerCertificate } from "./der-certificates.ts";
import { VerifyError } from "./errors.ts";

/**
 * What the verifier reads from a certificate of a checked chain, whichever path checked it (the
 * DER fast path or node's X509Certificate). @internal
 */
export interface CheckedCertificate {
  readonly der: Uint8Array;
  readonly commonName: string;
  /** DER of the subject Name (comparable with Crl.issuerDer). */
  readonly subjectDer: Uint8Array;
  /** Uncompressed public key, hex. */
  readonly keyHex: string;
  /** Serial number, normalised like Crl.revokedSerials. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  /** PEM as node's X509Certificate.toString() writes it. */
  readonly pem: string;
  /** node's X509Certificate, built on demand (public API fields only). */
  readonly x509: X509Certificate;
}

/** A certificate checked on the DER fast path. @internal */
export function checkedFromDer(cert: DerCertificate): CheckedCertificate {
  return {
    der: cert.der,
    commonName: cert.commonName,
    subjectDer: cert.fields.subject.der,
    keyHex: cert.keyHex,
    serial: cert.serial,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    get publicKey() {
      return derPublicKey(cert);
    },
    get pem() {
      return derToPem(cert.der);
    },
    get x509() {
      return certificateFromDer(cert.der);
    },
  };
}

/**
 * A certificate checked on the X509Certificate path. Fields are read lazily, so a certificate the
 * strict DER reader refuses fails where the verifier first needs such a field, as it always did. @internal
 */
export function checkedFromX509(cert: X509Certificate, commonName: string): CheckedCertificate {
  return {
    der: cert.raw,
    commonName,
    get subjectDer() {
      return subjectDer(cert);
    },
    get keyHex() {
      return certificateKeyHex(cert);
    },
    get serial() {
      return normaliseSerial(cert.serialNumber);
    },
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    get publicKey() {
      return cert.publicKey;
    },
    pem: cert.toString(),
    x509: cert,
  };
}

/**
 * Certificates by their exact DER, with what the verifier derives from them. One verification
 * meets Intel's root in four chains (the quote's and three collateral chains) and usually the
 * same PCK CA and TCB signing certificate twice: each distinct DER is parsed, read and checked
 * once. The same bytes always give the same answers, so entries are valid for any later call too;
 * clearCertificateCache() empties everything (benchmarks measuring cold calls).
 */
interface CertificateEntry {
  readonly cert: X509Certificate;
  /** Read lazily from the DER: not every certificate needs them. */
  fields?: CertificateFields;
  keyHex?: string;
  /** Issuers this certificate was checked to be issued and signed by. */
  readonly signedBy: Set<X509Certificate>;
}

const CACHE_LIMIT = 256;
const byDer = new Map<string, CertificateEntry>();
const entries = new WeakMap<X509Certificate, CertificateEntry>();

/** The certificate for `der`, parsed once. Throws node's error when it is not X.509. */
export function certificateFromDer(der: Uint8Array): X509Certificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("latin1");
  const cached = byDer.get(key);
  if (cached !== undefined) return cached.cert;
  const entry = entryOf(new X509Certificate(Buffer.from(der)));
  if (byDer.size >= CACHE_LIMIT) byDer.delete(byDer.keys().next().value!);
  byDer.set(key, entry);
  return entry.cert;
}

/** Empties the certificate cache. @internal */
export function clearCertificateCache(): void {
  byDer.clear();
  clearDerCertificateCache();
}

/** Whether `cert` is issued by `issuer` (names, key identifiers) and signed with its key. */
export function issuedAndSignedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  const entry = entryOf(cert);
  if (entry.signedBy.has(issuer)) return true;
  const ok = cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  if (ok) entry.signedBy.add(issuer);
  return ok;
}

/** DER of the certificate's subject Name, exactly as encoded in it (comparable with Crl.issuerDer). */
export function subjectDer(cert: X509Certificate): Uint8Array {
  return fieldsOf(entryOf(cert)).subject.der;
}

/**
 * The certificate's public key as the uncompressed point hex (04‖x‖y) for P-256 keys, read from
 * the DER; other keys fall back to the last 65 bytes of node's SPKI export.
 */
export function certificateKeyHex(cert: X509Certificate): string {
  const entry = entryOf(cert);
  entry.keyHex ??= p256PublicKeyHex(fieldsOf(entry).subjectPublicKeyInfo) ?? keyObjectHex(cert);
  return entry.keyHex;
}

/** The uncompressed point 04‖x‖y of a certificate's EC public key, hex; undefined for non-EC keys. */
export function ecPublicKeyHex(cert: X509Certificate): string | undefined {
  const p256 = p256PublicKeyHex(fieldsOf(entryOf(cert)).subjectPublicKeyInfo);
  if (p256 !== undefined) return p256;
  const jwk = cert.publicKey.export({ format: "jwk" });
  if (jwk.kty !== "EC" || jwk.x === undefined || jwk.y === undefined) return undefined;
  return "04" + Buffer.from(jwk.x, "base64url").toString("hex") + Buffer.from(jwk.y, "base64url").toString("hex");
}

function keyObjectHex(cert: X509Certificate): string {
  const spki = cert.publicKey.export({ format: "der", type: "spki" });
  return spki.subarray(spki.byteLength - 65).toString("hex");
}

/** Certificates not parsed here (e.g. a caller's) get an entry on first use. */
function entryOf(cert: X509Certificate): CertificateEntry {
  let entry = entries.get(cert);
  if (entry === undefined) {
    entry = { cert, signedBy: new Set() };
    entries.set(cert, entry);
  }
  return entry;
}

function fieldsOf(entry: CertificateEntry): CertificateFields {
  if (entry.fields !== undefined) return entry.fields;
  try {
    entry.fields = certificateFields(entry.cert.raw);
  } catch (error) {
    // node parsed it, so this is BER that the strict DER reader refuses (e.g. a non-minimal length).
    if (!(error instanceof DerError)) throw error;
    throw new VerifyError(
      "ERR_VERIFY_CERTIFICATE",
      `certificate "${entry.cert.subject.replace(/\n/g, ", ")}" is not DER: ${error.message}`,
      {},
      { cause: error },
    );
  }
  return entry.fields;
}
