import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityKeyIdentifier, CertificateList, id_ce_authorityKeyIdentifier, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import { CollateralError } from "./errors.ts";

/** An X.509 CRL reduced to what DCAP verification needs. */
export interface Crl {
  /** The CRL's DER. */
  readonly der: Uint8Array;
  /** DER of the issuer Name (as re-encoded by the ASN.1 schema, for comparison with certificate names). */
  readonly issuerDer: Uint8Array;
  /** Issuer rendered as text ("CN=…, O=…"), for messages. */
  readonly issuer: string;
  readonly thisUpdate: Date;
  /** Intel CRLs always carry nextUpdate; undefined only for CRLs that do not. */
  readonly nextUpdate: Date | undefined;
  /** Revoked serial numbers, lower-case hex without leading zero bytes. */
  readonly revokedSerials: ReadonlySet<string>;
  /** CRL Number extension (hex), or undefined when absent. */
  readonly crlNumber: string | undefined;
  /** Authority Key Identifier keyIdentifier (hex), or undefined when absent. */
  readonly authorityKeyId: string | undefined;
  /** The signed bytes (tbsCertList DER, exactly as in the input). */
  readonly tbs: Uint8Array;
  /** OID of the signature algorithm (1.2.840.10045.4.3.2 = ecdsa-with-SHA256). */
  readonly signatureAlgorithm: string;
  /** The signature, DER-encoded ECDSA-Sig-Value for EC issuers. */
  readonly signature: Uint8Array;
}

/** ecdsa-with-SHA256. */
export const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";

/**
 * Parses a CRL given as DER, PEM (`-----BEGIN X509 CRL-----`) or hex text of the DER (the three
 * encodings QvE accepts). Throws CollateralError ERR_COLLATERAL_CRL for anything else. The
 * signature is not checked here (the verifier does, with the issuer's key).
 */
export function parseCrl(input: Uint8Array | string, item = "crl"): Crl {
  const der = crlDer(input, item);
  let list: CertificateList;
  try {
    list = AsnConvert.parse(der, CertificateList);
  } catch (error) {
    throw new CollateralError("ERR_COLLATERAL_CRL", `${item} is not an X.509 CRL`, item, { cause: error });
  }
  const tbs = list.tbsCertList;
  // The signature BIT STRING ends the CRL: its unused-bits octet must be 0 (OpenSSL refuses others).
  if (der[der.byteLength - list.signature.byteLength - 1] !== 0) {
    throw new CollateralError("ERR_COLLATERAL_CRL", `${item}: signature BIT STRING has unused bits`, item);
  }
  if (list.tbsCertListRaw === undefined) throw new CollateralError("ERR_COLLATERAL_CRL", `${item}: no tbsCertList bytes`, item);
  let crlNumber: string | undefined;
  let authorityKeyId: string | undefined;
  try {
    for (const ext of tbs.crlExtensions ?? []) {
      const value = new Uint8Array(ext.extnValue.buffer);
      if (ext.extnID === id_ce_cRLNumber) crlNumber = hex(integerContent(value));
      if (ext.extnID === id_ce_authorityKeyIdentifier) {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
        if (aki.keyIdentifier !== undefined) authorityKeyId = hex(new Uint8Array(aki.keyIdentifier.buffer));
      }
    }
  } catch (error) {
    throw new CollateralError("ERR_COLLATERAL_CRL", `${item}: malformed CRL extension`, item, { cause: error });
  }
  return {
    der,
    issuerDer: new Uint8Array(AsnConvert.serialize(tbs.issuer)),
    issuer: nameText(tbs.issuer),
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate?.getTime(),
    revokedSerials: new Set((tbs.revokedCertificates ?? []).map((r) => normaliseSerial(hex(new Uint8Array(r.userCertificate))))),
    crlNumber,
    authorityKeyId,
    tbs: new Uint8Array(list.tbsCertListRaw),
    signatureAlgorithm: list.signatureAlgorithm.algorithm,
    signature: new Uint8Array(list.signature),
  };
}

/** A serial number as hex (any case, with or without leading zeros) in the form `revokedSerials` uses. */
export function normaliseSerial(serialHex: string): string {
  const lower = serialHex.toLowerCase().replace(/^(?:00)+/, "");
  return lower === "" ? "00" : lower;
}

function crlDer(input: Uint8Array | string, item: string): Uint8Array {
  if (typeof input !== "string" && input[0] === 0x30) return input;
  const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  const pem = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/.exec(text);
  if (pem) return new Uint8Array(Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64"));
  const trimmed = text.trim();
  if (trimmed.length > 0 && /^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) return new Uint8Array(Buffer.from(trimmed, "hex"));
  throw new CollateralError("ERR_COLLATERAL_CRL", `${item} is neither DER, PEM nor hex`, item);
}

/** Content octets of a DER INTEGER (tag 2, short or long length form). */
function integerContent(der: Uint8Array): Uint8Array {
  if (der[0] !== 0x02 || der.byteLength < 2) return der;
  const first = der[1]!;
  if (first < 0x80) return der.subarray(2, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
  return der.subarray(2 + n, 2 + n + len);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function nameText(name: CertificateList["tbsCertList"]["issuer"]): string {
  const short: Record<string, string> = { "2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.6": "C" };
  return name.flatMap((rdn) => rdn.map((atv) => `${short[atv.type] ?? atv.type}=${atv.value.toString()}`)).join(", ");
}
