import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificateList } from "@peculiar/asn1-x509";

/** A CRL as received from a PCS/PCCS, normalised to DER. */
export interface CrlBody {
  readonly der: Uint8Array;
  readonly thisUpdate: Date;
  /** `undefined` when the CRL has no nextUpdate (then it is never reused from cache). */
  readonly nextUpdate: Date | undefined;
}

const PEM_CRL = /^-----BEGIN X509 CRL-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END X509 CRL-----\s*$/;

/**
 * Decodes a CRL response body in any encoding PCS/PCCS/QvE use: raw DER, PEM
 * (`-----BEGIN X509 CRL-----`), or the hex text of the DER (older PCCS `rootcacrl`). The
 * result is checked to parse as an X.509 CertificateList with nothing after it. Throws `Error`
 * (the caller adds the URL) otherwise.
 */
export function decodeCrlBody(body: Uint8Array): CrlBody {
  const der = toDer(body);
  let list: CertificateList;
  try {
    list = AsnConvert.parse(der, CertificateList);
  } catch (error) {
    throw new Error(`body is not an X.509 CRL: ${(error as Error).message}`);
  }
  if (derLength(der) !== der.byteLength) throw new Error("CRL DER has trailing bytes");
  const tbs = list.tbsCertList;
  return { der, thisUpdate: tbs.thisUpdate.getTime(), nextUpdate: tbs.nextUpdate?.getTime() };
}

function toDer(body: Uint8Array): Uint8Array {
  if (body[0] === 0x30) return body;
  const text = Buffer.from(body).toString("latin1").trim();
  const pem = PEM_CRL.exec(text);
  if (pem) return new Uint8Array(Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64"));
  if (text.length > 0 && /^(?:[0-9a-fA-F]{2})+$/.test(text)) return new Uint8Array(Buffer.from(text, "hex"));
  throw new Error("body is neither DER, PEM nor hex of a CRL");
}

/** Total length of the outer DER TLV (header + content), or -1 when malformed. */
function derLength(der: Uint8Array): number {
  if (der.byteLength < 2) return -1;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.byteLength < 2 + n) return -1;
  let len = 0;
  for (let k = 0; k < n; k++) len = len * 256 + der[2 + k]!;
  return 2 + n + len;
}
