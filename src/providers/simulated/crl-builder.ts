import { sign, type KeyObject } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  Certificate,
  CertificateList,
  CRLNumber,
  Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  RevokedCertificate,
  SubjectKeyIdentifier,
  TBSCertList,
  Time,
  Version,
} from "@peculiar/asn1-x509";

/** ecdsa-with-SHA256 (RFC 5758: parameters absent). */
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";

/** Everything that goes into one CRL. */
export interface CrlSpec {
  /** DER of the issuing CA certificate: its subject becomes the CRL issuer, its SKI the AKI. */
  readonly issuerCertificate: Uint8Array;
  /** The issuing CA's private key. */
  readonly issuerKey: KeyObject;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** CRL Number extension value. */
  readonly crlNumber: number;
  /** Serial numbers (DER INTEGER contents, as in the certificates) of revoked certificates. */
  readonly revokedSerials?: readonly Uint8Array[];
}

/**
 * Builds an X.509 v2 CRL like Intel's PCK and root CA CRLs: version v2, ecdsa-with-SHA256, the
 * issuer's subject Name as issuer, thisUpdate/nextUpdate (UTCTime before 2050), the revoked
 * serials (revocation date = thisUpdate), and the two extensions QVL requires, CRL Number and
 * Authority Key Identifier (key identifier = the issuer certificate's subject key identifier).
 * Signed with node:crypto. Returns the DER. Throws `Error` if the issuer certificate has no SKI.
 */
export function buildCrl(spec: CrlSpec): Uint8Array {
  const issuer = AsnConvert.parse(spec.issuerCertificate, Certificate).tbsCertificate;
  const ski = issuer.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (ski === undefined) throw new Error("issuer certificate has no subject key identifier");
  const keyId = AsnConvert.parse(ski.extnValue.buffer, SubjectKeyIdentifier);
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const revoked = (spec.revokedSerials ?? []).map(
    (serial) => new RevokedCertificate({ userCertificate: toArrayBuffer(serial), revocationDate: time(spec.thisUpdate) }),
  );
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: issuer.subject,
    thisUpdate: time(spec.thisUpdate),
    nextUpdate: time(spec.nextUpdate),
    ...(revoked.length > 0 ? { revokedCertificates: revoked } : {}),
    crlExtensions: [
      new Extension({
        extnID: id_ce_cRLNumber,
        critical: false,
        extnValue: new OctetString(AsnConvert.serialize(new CRLNumber(spec.crlNumber))),
      }),
      new Extension({
        extnID: id_ce_authorityKeyIdentifier,
        critical: false,
        extnValue: new OctetString(
          AsnConvert.serialize(
            new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(toArrayBuffer(new Uint8Array(keyId.buffer))) }),
          ),
        ),
      }),
    ],
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign("sha256", tbsDer, spec.issuerKey);
  const crl = new CertificateList({ tbsCertList: tbs, signatureAlgorithm: algorithm, signature: toArrayBuffer(signature) });
  return new Uint8Array(AsnConvert.serialize(crl));
}

/** The serial number of a certificate (DER INTEGER contents). */
export function certificateSerial(der: Uint8Array): Uint8Array {
  return new Uint8Array(AsnConvert.parse(der, Certificate).tbsCertificate.serialNumber);
}

function time(date: Date): Time {
  return date.getUTCFullYear() < 2050 ? new Time({ utcTime: date }) : new Time({ generalTime: date });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
