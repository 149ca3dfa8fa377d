import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { bitStringBytes, booleanValue, childrenOf, DerCursor, DerError, oidText, readDer, Tag, timeValue } from "../shared/der.ts";
import { certificateFields, p256PublicKeyHex, type CertificateFields } from "../shared/x509-der.ts";
import { bytesEqual } from "../shared/bytes.ts";
import { INTEL_SGX_ROOT_CA_CERTIFICATES_BASE64, INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX } from "./intel-root-certificates.ts";

/**
 * The fast path of certificate checks: a certificate read with the strict DER reader only, without
 * node's X509Certificate (building one costs ~300 µs, four per cold verification). It covers the
 * certificates Intel and the simulated platform issue: P-256 keys, ecdsa-with-SHA256, single-valued
 * names with plain CNs, the usual extensions. Anything else gives no DerCertificate and the caller
 * takes the X509Certificate path, whose answers are the reference. A chain is accepted on this
 * path only when every certificate in it is checked here, including its root key against the trust
 * anchors: any failure re-runs the reference path, so errors (codes and order) stay exactly its.
 */
export interface DerCertificate {
  readonly der: Uint8Array;
  readonly fields: CertificateFields;
  /** The subject CN, exactly as node renders it (only plain CNs qualify for this path). */
  readonly commonName: string;
  /** Uncompressed P-256 point 04‖x‖y, hex. */
  readonly keyHex: string;
  /** Serial number, lower-case hex without leading zero bytes (as Crl.revokedSerials). */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** No keyUsage extension, or keyCertSign set (what OpenSSL's issued-by check requires). */
  readonly certSign: boolean;
  key?: KeyObject;
  /** Issuers this certificate was checked to be issued and signed by. */
  readonly signedBy: Set<DerCertificate>;
}

const CACHE_LIMIT = 256;
/** By base64 text as found in the PEM; null = not for this path. Emptied with the X509Certificate cache. */
const byBase64 = new Map<string, DerCertificate | null>();

/**
 * The certificate whose DER `base64` encodes (whitespace ignored), or undefined when it is not one
 * this path handles. Each distinct text is decoded and read once.
 */
export function derCertificateFromBase64(base64: string): DerCertificate | undefined {
  let entry = byBase64.get(base64);
  if (entry === undefined) {
    const der = new Uint8Array(Buffer.from(base64, "base64"));
    entry = intelRootCertificates().find((root) => bytesEqual(root.der, der)) ?? read(der) ?? null;
    if (byBase64.size >= CACHE_LIMIT) byBase64.delete(byBase64.keys().next().value!);
    byBase64.set(base64, entry);
  }
  return entry ?? undefined;
}

let intelRoots: readonly DerCertificate[] | undefined;

/**
 * Intel's root certificates (the trust anchors), each read, and its self-signature and key import
 * done, once per process: every verification meets one in up to four chains. Emptying the caches
 * keeps them, as a trust store keeps its certificates.
 */
function intelRootCertificates(): readonly DerCertificate[] {
  intelRoots ??= INTEL_SGX_ROOT_CA_CERTIFICATES_BASE64.map((base64) => {
    const root = read(new Uint8Array(Buffer.from(base64, "base64")));
    if (root?.keyHex !== INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX || !derIssuedAndSignedBy(root, root)) {
      throw new Error("an embedded Intel root certificate does not read as self-signed with Intel's key");
    }
    return root;
  });
  return intelRoots;
}

/** Empties the cache of {@link derCertificateFromBase64}. @internal */
export function clearDerCertificateCache(): void {
  byBase64.clear();
}

/**
 * Whether `cert` is issued by `issuer` and signed with its key, as node's checkIssued && verify
 * answer it for the certificates this path reads: issuer Name DER equal to the issuer's subject
 * DER, AKI keyIdentifier equal to the issuer's SKI when both are present, the issuer allowed to
 * sign certificates, ecdsa-with-SHA256 in both signature fields, and the signature valid.
 */
export function derIssuedAndSignedBy(cert: DerCertificate, issuer: DerCertificate): boolean {
  if (cert.signedBy.has(issuer)) return true;
  const f = cert.fields;
  const ok =
    Buffer.from(f.issuer.der).equals(issuer.fields.subject.der) &&
    (cert.authorityKeyId === undefined || issuer.subjectKeyId === undefined || cert.authorityKeyId === issuer.subjectKeyId) &&
    issuer.certSign &&
    verify("sha256", f.tbs, derPublicKey(issuer), bitStringBytes(f.signatureValue, "signatureValue"));
  if (ok) cert.signedBy.add(issuer);
  return ok;
}

/** The certificate's key as a KeyObject, imported once. */
export function derPublicKey(cert: DerCertificate): KeyObject {
  cert.key ??= p256PublicKey(Buffer.from(cert.keyHex, "hex").subarray(1));
  return cert.key;
}

/** The P-256 prime: coordinates must be below it (an SPKI import refuses them, a JWK import would reduce them). */
const P256_P = Buffer.from("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", "hex");

/**
 * A P-256 public key from its raw x‖y (64 bytes). Imported as JWK, which costs about 60% of a DER
 * SPKI import, after the range check an SPKI import makes; throws when it is not a curve point.
 */
export function p256PublicKey(xy: Uint8Array): KeyObject {
  const b = Buffer.from(xy.buffer, xy.byteOffset, xy.byteLength);
  const x = b.subarray(0, 32);
  const y = b.subarray(32, 64);
  if (b.byteLength !== 64 || x.compare(P256_P) >= 0 || y.compare(P256_P) >= 0) throw new RangeError("not a P-256 point");
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: x.toString("base64url"), y: y.toString("base64url") },
    format: "jwk",
  });
}

/** AlgorithmIdentifier DER of ecdsa-with-SHA256 (no parameters). */
const ECDSA_WITH_SHA256_DER = Buffer.from("300a06082a8648ce3d040302", "hex");

const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";
const SUBJECT_KEY_ID = "2.5.29.14";
const AUTHORITY_KEY_ID = "2.5.29.35";
const CRL_DISTRIBUTION_POINTS = "2.5.29.31";
const SGX_EXTENSION = "1.2.840.113741.1.13.1";
const KNOWN_EXTENSIONS = new Set([BASIC_CONSTRAINTS, KEY_USAGE, SUBJECT_KEY_ID, AUTHORITY_KEY_ID, CRL_DISTRIBUTION_POINTS, SGX_EXTENSION]);

function read(der: Uint8Array): DerCertificate | undefined {
  try {
    const fields = certificateFields(der);
    const keyHex = p256PublicKeyHex(fields.subjectPublicKeyInfo);
    const commonName = plainCommonName(fields);
    if (
      keyHex === undefined ||
      commonName === undefined ||
      !ECDSA_WITH_SHA256_DER.equals(fields.signatureAlgorithm) ||
      !ECDSA_WITH_SHA256_DER.equals(fields.tbsSignatureAlgorithm)
    ) {
      return undefined;
    }
    const xy = Buffer.from(keyHex, "hex").subarray(1);
    if (xy.subarray(0, 32).compare(P256_P) >= 0 || xy.subarray(32).compare(P256_P) >= 0) return undefined;
    const extensions = readExtensions(fields);
    if (extensions === undefined) return undefined;
    const validity = new DerCursor(fields.validity, "validity");
    const notBefore = validity.next(undefined, "notBefore");
    const notAfter = validity.next(undefined, "notAfter");
    validity.end("validity");
    // node renders GeneralizedTime fractions its own way; real certificates have none.
    if (notBefore.content.includes(0x2e) || notAfter.content.includes(0x2e)) return undefined;
    const serialHex = Buffer.from(fields.serialNumber)
      .toString("hex")
      .replace(/^(?:00)+/, "");
    if (fields.serialNumber[0]! & 0x80) return undefined;
    return {
      der,
      fields,
      commonName,
      keyHex,
      serial: serialHex === "" ? "00" : serialHex,
      notBefore: timeValue(notBefore, "notBefore"),
      notAfter: timeValue(notAfter, "notAfter"),
      ...extensions,
      signedBy: new Set(),
    };
  } catch (error) {
    if (error instanceof DerError) return undefined;
    throw error;
  }
}

/**
 * The extensions this path understands, checked as strictly as OpenSSL caches them (a malformed
 * one makes OpenSSL's issued-by check fail); undefined for any other extension or a duplicate.
 */
function readExtensions(fields: CertificateFields): Pick<DerCertificate, "subjectKeyId" | "authorityKeyId" | "certSign"> | undefined {
  const seen = new Set<string>();
  let subjectKeyId: string | undefined;
  let authorityKeyId: string | undefined;
  let certSign = true;
  for (const ext of fields.extensions) {
    if (!KNOWN_EXTENSIONS.has(ext.id) || seen.has(ext.id)) return undefined;
    seen.add(ext.id);
    switch (ext.id) {
      case BASIC_CONSTRAINTS: {
        const bc = new DerCursor(readDer(ext.value, Tag.SEQUENCE, "BasicConstraints"), "BasicConstraints");
        const ca = bc.optional(Tag.BOOLEAN, "cA");
        const pathLen = bc.optional(Tag.INTEGER, "pathLenConstraint");
        bc.end("BasicConstraints");
        // OpenSSL marks a pathLenConstraint without cA, or a negative one, invalid.
        if (pathLen !== undefined && (ca === undefined || !booleanValue(ca) || pathLen.content[0]! & 0x80)) return undefined;
        break;
      }
      case KEY_USAGE: {
        const ku = readDer(ext.value, Tag.BIT_STRING, "KeyUsage").content;
        if (ku.byteLength < 2 || ku[0]! > 7 || ku.subarray(1).every((b) => b === 0)) return undefined;
        certSign = (ku[1]! & 0x04) !== 0;
        break;
      }
      case SUBJECT_KEY_ID:
        subjectKeyId = Buffer.from(readDer(ext.value, Tag.OCTET_STRING, "SubjectKeyIdentifier").content).toString("hex");
        break;
      case AUTHORITY_KEY_ID: {
        const aki = childrenOf(readDer(ext.value, Tag.SEQUENCE, "AuthorityKeyIdentifier"), "AuthorityKeyIdentifier");
        // Only a keyIdentifier: OpenSSL also matches issuer names and serials, which this path does not.
        if (aki.length !== 1 || aki[0]!.tag !== Tag.contextPrimitive(0)) return undefined;
        authorityKeyId = Buffer.from(aki[0]!.content).toString("hex");
        break;
      }
      case CRL_DISTRIBUTION_POINTS:
        readDer(ext.value, Tag.SEQUENCE, "CRLDistributionPoints");
        break;
    }
  }
  return { subjectKeyId, authorityKeyId, certSign };
}

/** A plain CN character: printable ASCII that node's RFC 2253 rendering leaves unescaped. */
const PLAIN_CN = /^[^\s,+"\\<>;#](?:[\x20-\x7e]*[^\s,+"\\<>;])?$/;
const PLAIN_CHARS = /^[\x20-\x7e]*$/;

/**
 * The first CN when node's rendering of it is the value itself: every RDN single-valued, the CN a
 * PrintableString or UTF8String of plain ASCII; "" without a CN; undefined otherwise.
 */
function plainCommonName(fields: CertificateFields): string | undefined {
  let cn: string | undefined;
  for (const rdn of childrenOf(fields.subject, "RelativeDistinguishedName")) {
    if (rdn.tag !== Tag.SET) return undefined;
    const atvs = childrenOf(rdn, "AttributeTypeAndValue");
    if (atvs.length !== 1) return undefined;
    const atv = new DerCursor(atvs[0]!, "AttributeTypeAndValue");
    const type = oidText(atv.next(Tag.OID, "attribute type"));
    const value = atv.next(undefined, "attribute value");
    atv.end("AttributeTypeAndValue");
    if (value.tag !== Tag.PRINTABLE_STRING && value.tag !== Tag.UTF8_STRING) return undefined;
    const text = Buffer.from(value.content).toString("latin1");
    if (!PLAIN_CHARS.test(text)) return undefined;
    if (type === "2.5.4.3" && cn === undefined) {
      if (!PLAIN_CN.test(text)) return undefined;
      cn = text;
    }
  }
  return cn ?? "";
}
