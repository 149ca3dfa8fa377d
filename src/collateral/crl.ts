import {
  bitStringBytes,
  childrenOf,
  DerCursor,
  DerError,
  oidText,
  readDer,
  smallInteger,
  Tag,
  timeValue,
  type DerElement,
} from "../shared/der.ts";
import { toHex } from "../shared/bytes.ts";
import { explicitExtensions, nameText } from "../shared/x509-der.ts";
import { CollateralError } from "./errors.ts";

/** An X.509 CRL reduced to what DCAP verification needs. */
export interface Crl {
  /** The CRL's DER. */
  readonly der: Uint8Array;
  /** DER of the issuer Name, exactly as in the CRL (compared with certificate subject Names). */
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

const CRL_NUMBER = "2.5.29.20";
const AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";

/** ecdsa-with-SHA256. */
export const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";

/**
 * Parses a CRL given as DER, PEM (`-----BEGIN X509 CRL-----`) or hex text of the DER (the three
 * encodings QvE accepts). Throws CollateralError ERR_COLLATERAL_CRL for anything else. The
 * signature is not checked here (the verifier does, with the issuer's key).
 */
export function parseCrl(input: Uint8Array | string, item = "crl"): Crl {
  const der = crlDer(input, item);
  try {
    return readCrl(der);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new CollateralError("ERR_COLLATERAL_CRL", `${item} is not an X.509 CRL (${error.message})`, item, { cause: error });
  }
}

/** CertificateList (RFC 5280 §5.1), read with the strict DER reader: only the fields DCAP needs are kept. */
function readCrl(der: Uint8Array): Crl {
  const list = new DerCursor(readDer(der, Tag.SEQUENCE, "CertificateList"), "CertificateList");
  const tbsElement = list.next(Tag.SEQUENCE, "tbsCertList");
  const signatureAlgorithm = algorithmOid(list.next(Tag.SEQUENCE, "signatureAlgorithm"));
  const signature = bitStringBytes(list.next(Tag.BIT_STRING, "signatureValue"), "signatureValue");
  list.end("CertificateList");

  const tbs = new DerCursor(tbsElement, "tbsCertList");
  const version = tbs.optional(Tag.INTEGER, "version");
  if (version !== undefined) smallInteger(version);
  algorithmOid(tbs.next(Tag.SEQUENCE, "signature"));
  const issuer = tbs.next(Tag.SEQUENCE, "issuer");
  const thisUpdate = timeValue(tbs.next(undefined, "thisUpdate"), "thisUpdate");
  const nextTag = tbs.peekTag();
  const nextUpdate = nextTag === Tag.UTC_TIME || nextTag === Tag.GENERALIZED_TIME ? timeValue(tbs.next(), "nextUpdate") : undefined;
  const revoked = tbs.optional(Tag.SEQUENCE, "revokedCertificates");
  const extensions = tbs.optional(Tag.context(0), "crlExtensions");
  tbs.end("tbsCertList");

  const revokedSerials = new Set<string>();
  for (const entry of revoked === undefined ? [] : childrenOf(revoked, "revoked certificate")) {
    const fields = new DerCursor(entry, "revoked certificate");
    const serial = fields.next(Tag.INTEGER, "userCertificate");
    timeValue(fields.next(undefined, "revocationDate"), "revocationDate");
    fields.optional(Tag.SEQUENCE, "crlEntryExtensions");
    fields.end("revoked certificate");
    revokedSerials.add(serialHex(serial.content));
  }
  let crlNumber: string | undefined;
  let authorityKeyId: string | undefined;
  for (const ext of extensions === undefined ? [] : explicitExtensions(extensions)) {
    if (ext.id === CRL_NUMBER) crlNumber = toHex(readDer(ext.value, Tag.INTEGER, "CRLNumber").content);
    if (ext.id === AUTHORITY_KEY_IDENTIFIER) {
      const aki = new DerCursor(readDer(ext.value, Tag.SEQUENCE, "AuthorityKeyIdentifier"), "AuthorityKeyIdentifier");
      const keyIdentifier = aki.optional(Tag.contextPrimitive(0), "keyIdentifier");
      if (keyIdentifier !== undefined) authorityKeyId = toHex(keyIdentifier.content);
    }
  }
  return {
    der,
    issuerDer: issuer.der,
    issuer: nameText(issuer),
    thisUpdate,
    nextUpdate,
    revokedSerials,
    crlNumber,
    authorityKeyId,
    tbs: tbsElement.der,
    signatureAlgorithm,
    signature,
  };
}

/** The algorithm OID of an AlgorithmIdentifier (parameters, if any, are not needed). */
function algorithmOid(element: DerElement): string {
  const cursor = new DerCursor(element, "AlgorithmIdentifier");
  const oid = oidText(cursor.next(Tag.OID, "algorithm"));
  if (!cursor.done) cursor.next(undefined, "parameters");
  cursor.end("AlgorithmIdentifier");
  return oid;
}

/** A serial number as hex (any case, with or without leading zeros) in the form `revokedSerials` uses. */
export function normaliseSerial(serialHex: string): string {
  const lower = serialHex.toLowerCase().replace(/^(?:00)+/, "");
  return lower === "" ? "00" : lower;
}

/** INTEGER content octets as {@link normaliseSerial} writes them: hex without leading zero bytes, "00" for none. */
function serialHex(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.byteLength && bytes[i] === 0) i++;
  return i === bytes.byteLength ? "00" : toHex(bytes.subarray(i));
}

function crlDer(input: Uint8Array | string, item: string): Uint8Array {
  const der = crlDerOf(input);
  if (der === undefined) throw new CollateralError("ERR_COLLATERAL_CRL", `${item} is neither DER, PEM nor hex`, item);
  return der;
}

/**
 * The DER of a CRL given as DER bytes (a first byte of 0x30, SEQUENCE; for text, the character
 * "0"), as PEM, or as hex text of the DER; undefined for anything else. Text counts as its
 * latin1 bytes, the way collateral bundles carry binary in strings.
 */
export function crlDerOf(input: Uint8Array | string): Uint8Array | undefined {
  if (typeof input !== "string") return input[0] === 0x30 ? input : crlDerFromText(Buffer.from(input).toString("latin1"));
  return input.charCodeAt(0) === 0x30 ? new Uint8Array(Buffer.from(input, "latin1")) : crlDerFromText(input);
}

const PEM_CRL = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/;

const HEX = /^[0-9a-fA-F]*$/;

/** The DER of a CRL written as hex text of the DER or as PEM; undefined for any other text. */
function crlDerFromText(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  // node's hex decoder reads only each character's low byte, so the characters are checked here.
  if (trimmed.length > 0 && trimmed.length % 2 === 0 && HEX.test(trimmed)) return new Uint8Array(Buffer.from(trimmed, "hex"));
  const pem = PEM_CRL.exec(text);
  return pem ? new Uint8Array(Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64")) : undefined;
}
