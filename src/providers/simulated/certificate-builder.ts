import { createHash, randomBytes, sign, type KeyObject } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";

/** ecdsa-with-SHA256; RFC 5758 says the parameters are absent. */
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const NameOid = { CN: "2.5.4.3", O: "2.5.4.10", C: "2.5.4.6" } as const;

/** A distinguished name: common name and organisation (and country). */
export interface DistinguishedName {
  readonly commonName: string;
  readonly organization: string;
  readonly country?: string;
}

/** Everything that goes into one certificate of the simulated hierarchy. */
export interface CertificateSpec {
  readonly subject: DistinguishedName;
  /** Defaults to `subject` (self-signed). */
  readonly issuer?: DistinguishedName;
  readonly subjectKey: KeyObject;
  /** Private key of the issuer (the subject's own for a self-signed root). */
  readonly issuerKey: KeyObject;
  /** Public key of the issuer, for the authority key identifier. */
  readonly issuerPublicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** CA with this path length (undefined pathLen = unlimited), or false for an end entity. */
  readonly ca: { readonly pathLen?: number } | false;
  readonly keyUsage: number;
  /** Further extensions, appended after the standard ones. */
  readonly extensions?: readonly Extension[];
}

/**
 * Builds and signs an X.509 v3 certificate (ECDSA P-256 keys, ecdsa-with-SHA256), with
 * basicConstraints (critical), keyUsage (critical), subject and authority key identifiers.
 * Returns the DER bytes. Serial numbers are 16 random bytes (positive).
 */
export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial(),
    signature: algorithm,
    issuer: toName(spec.issuer ?? spec.subject),
    validity: new Validity({ notBefore: spec.notBefore, notAfter: spec.notAfter }),
    subject: toName(spec.subject),
    subjectPublicKeyInfo: AsnConvert.parse(spec.subjectKey.export({ type: "spki", format: "der" }), SubjectPublicKeyInfo),
    extensions: new Extensions([...standardExtensions(spec), ...(spec.extensions ?? [])]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign("sha256", tbsDer, spec.issuerKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signature) });
  return new Uint8Array(AsnConvert.serialize(cert));
}

/** A non-critical extension whose value is already DER. */
export function rawExtension(oid: string, valueDer: Uint8Array): Extension {
  return new Extension({ extnID: oid, critical: false, extnValue: new OctetString(valueDer) });
}

export { KeyUsageFlags };

function standardExtensions(spec: CertificateSpec): Extension[] {
  const basic = spec.ca === false ? new BasicConstraints({ cA: false }) : new BasicConstraints({ cA: true, ...pathLen(spec.ca) });
  return [
    new Extension({ extnID: id_ce_basicConstraints, critical: true, extnValue: new OctetString(AsnConvert.serialize(basic)) }),
    new Extension({
      extnID: id_ce_keyUsage,
      critical: true,
      extnValue: new OctetString(AsnConvert.serialize(new KeyUsage(spec.keyUsage))),
    }),
    new Extension({
      extnID: id_ce_subjectKeyIdentifier,
      critical: false,
      extnValue: new OctetString(AsnConvert.serialize(new SubjectKeyIdentifier(keyIdentifier(spec.subjectKey)))),
    }),
    new Extension({
      extnID: id_ce_authorityKeyIdentifier,
      critical: false,
      extnValue: new OctetString(
        AsnConvert.serialize(new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(spec.issuerPublicKey)) })),
      ),
    }),
  ];
}

function pathLen(ca: { readonly pathLen?: number }): { pathLenConstraint?: number } {
  return ca.pathLen === undefined ? {} : { pathLenConstraint: ca.pathLen };
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
function keyIdentifier(key: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(key.export({ type: "spki", format: "der" }), SubjectPublicKeyInfo);
  return toArrayBuffer(createHash("sha1").update(new Uint8Array(spki.subjectPublicKey)).digest());
}

function toName(dn: DistinguishedName): Name {
  const rdn = (type: string, value: AttributeValue): RelativeDistinguishedName =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
  const parts = [
    rdn(NameOid.CN, new AttributeValue({ utf8String: dn.commonName })),
    rdn(NameOid.O, new AttributeValue({ utf8String: dn.organization })),
  ];
  if (dn.country !== undefined) parts.push(rdn(NameOid.C, new AttributeValue({ printableString: dn.country })));
  return new Name(parts);
}

function randomSerial(): ArrayBuffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, no leading zero byte needed
  return toArrayBuffer(serial);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
