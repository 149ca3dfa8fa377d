import { booleanValue, childrenOf, DerCursor, DerError, oidText, readDer, Tag, type DerElement } from "./der.ts";

/** An X.509 extension as read from DER. */
export interface DerExtension {
  readonly id: string;
  readonly critical: boolean;
  /** The content of extnValue (the extension's own DER). */
  readonly value: Uint8Array;
}

/** The fields of an X.509 certificate the verifier reads itself. */
export interface CertificateFields {
  /** The tbsCertificate DER exactly as in the input: the signed bytes. */
  readonly tbs: Uint8Array;
  /** DER of the outer signatureAlgorithm and of the tbsCertificate's signature field. */
  readonly signatureAlgorithm: Uint8Array;
  readonly tbsSignatureAlgorithm: Uint8Array;
  /** The signatureValue BIT STRING element. */
  readonly signatureValue: DerElement;
  /** Content octets of the serialNumber INTEGER. */
  readonly serialNumber: Uint8Array;
  readonly validity: DerElement;
  /** The subject Name element (its `der` is comparable with a CRL's issuer Name). */
  readonly subject: DerElement;
  readonly issuer: DerElement;
  readonly subjectPublicKeyInfo: DerElement;
  readonly extensions: readonly DerExtension[];
}

/**
 * Reads a certificate (RFC 5280 §4.1) far enough for the signed bytes, signature, serial,
 * validity, subject, issuer, public key and extensions; throws DerError when it is not DER of that
 * shape.
 */
export function certificateFields(der: Uint8Array): CertificateFields {
  const certificate = new DerCursor(readDer(der, Tag.SEQUENCE, "Certificate"), "Certificate");
  const tbsElement = certificate.next(Tag.SEQUENCE, "tbsCertificate");
  const signatureAlgorithm = certificate.next(Tag.SEQUENCE, "signatureAlgorithm").der;
  const signatureValue = certificate.next(Tag.BIT_STRING, "signatureValue");
  certificate.end("Certificate");
  const tbs = new DerCursor(tbsElement, "tbsCertificate");
  tbs.optional(Tag.context(0), "version");
  const serialNumber = tbs.next(Tag.INTEGER, "serialNumber").content;
  const tbsSignatureAlgorithm = tbs.next(Tag.SEQUENCE, "signature").der;
  const issuer = tbs.next(Tag.SEQUENCE, "issuer");
  const validity = tbs.next(Tag.SEQUENCE, "validity");
  const subject = tbs.next(Tag.SEQUENCE, "subject");
  const subjectPublicKeyInfo = tbs.next(Tag.SEQUENCE, "subjectPublicKeyInfo");
  tbs.optional(Tag.contextPrimitive(1), "issuerUniqueID");
  tbs.optional(Tag.contextPrimitive(2), "subjectUniqueID");
  const extensions = tbs.optional(Tag.context(3), "extensions");
  tbs.end("tbsCertificate");
  return {
    tbs: tbsElement.der,
    signatureAlgorithm,
    tbsSignatureAlgorithm,
    signatureValue,
    serialNumber,
    validity,
    subject,
    issuer,
    subjectPublicKeyInfo,
    extensions: extensions === undefined ? [] : explicitExtensions(extensions),
  };
}

/** The Extensions inside an EXPLICIT [n] wrapper (certificate [3], CRL [0]). */
export function explicitExtensions(wrapper: DerElement): DerExtension[] {
  const inner = new DerCursor(wrapper, "extensions");
  const list = inner.next(Tag.SEQUENCE, "Extensions");
  inner.end("Extensions");
  return childrenOf(list, "Extension").map((element) => {
    const ext = new DerCursor(element, "Extension");
    const id = oidText(ext.next(Tag.OID, "extnID"));
    const criticalElement = ext.optional(Tag.BOOLEAN, "critical");
    const value = ext.next(Tag.OCTET_STRING, "extnValue").content;
    ext.end("Extension");
    return { id, critical: criticalElement !== undefined && booleanValue(criticalElement), value };
  });
}

/** DER of the SubjectPublicKeyInfo algorithm of an uncompressed P-256 key (id-ecPublicKey, prime256v1). */
const P256_ALGORITHM = Buffer.from("301306072a8648ce3d020106082a8648ce3d030107", "hex");

/**
 * The uncompressed point (04‖x‖y) of a P-256 SubjectPublicKeyInfo as hex, or undefined for any
 * other key (the caller then asks node's KeyObject).
 */
export function p256PublicKeyHex(spki: DerElement): string | undefined {
  const cursor = new DerCursor(spki, "SubjectPublicKeyInfo");
  const algorithm = cursor.next(Tag.SEQUENCE, "algorithm");
  const key = cursor.next(Tag.BIT_STRING, "subjectPublicKey");
  cursor.end("SubjectPublicKeyInfo");
  if (!Buffer.from(algorithm.der).equals(P256_ALGORITHM)) return undefined;
  const c = key.content;
  if (c.byteLength !== 66 || c[0] !== 0 || c[1] !== 0x04) return undefined;
  return Buffer.from(c.buffer, c.byteOffset + 1, 65).toString("hex");
}

const SHORT_NAMES: Readonly<Record<string, string>> = { "2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.6": "C" };

/**
 * A Name as "CN=…, O=…" (RDNs in order, short names for the usual attributes, other types by
 * OID), with string values decoded and any other value as hex of its DER: the rendering the
 * verifier's messages and its PCK CRL issuer CN rule use.
 */
export function nameText(name: DerElement): string {
  const parts: string[] = [];
  for (const rdn of childrenOf(name, "RelativeDistinguishedName")) {
    if (rdn.tag !== Tag.SET) throw new DerError("RelativeDistinguishedName is not a SET", rdn.offset);
    for (const atv of childrenOf(rdn, "AttributeTypeAndValue")) {
      const cursor = new DerCursor(atv, "AttributeTypeAndValue");
      const type = oidText(cursor.next(Tag.OID, "attribute type"));
      const value = cursor.next(undefined, "attribute value");
      cursor.end("AttributeTypeAndValue");
      parts.push(`${SHORT_NAMES[type] ?? type}=${attributeValueText(value)}`);
    }
  }
  return parts.join(", ");
}

function attributeValueText(value: DerElement): string {
  const c = Buffer.from(value.content.buffer, value.content.byteOffset, value.content.byteLength);
  switch (value.tag) {
    case Tag.UTF8_STRING:
      return c.toString("utf8");
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.TELETEX_STRING:
      return c.toString("latin1");
    case Tag.BMP_STRING:
      if (c.byteLength % 2 !== 0) throw new DerError("BMPString of an odd length", value.offset);
      return Buffer.from(c).swap16().toString("utf16le");
    case Tag.UNIVERSAL_STRING:
      if (c.byteLength % 4 !== 0) throw new DerError("UniversalString of a length not a multiple of 4", value.offset);
      return String.fromCodePoint(
        ...Array.from({ length: c.byteLength >> 2 }, (_, i) => {
          const cp = c.readUInt32BE(i * 4);
          return cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? cp : 0xfffd;
        }),
      );
    default:
      return Buffer.from(value.der).toString("hex");
  }
}
