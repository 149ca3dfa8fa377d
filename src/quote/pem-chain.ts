import { QuoteFormatError } from "./errors.ts";

/** One certificate of a PEM chain: its normalised PEM text (LF line ends) and DER bytes. */
export interface PemCertificate {
  readonly pem: string;
  readonly der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;

/**
 * Splits type-5 certification data (concatenated PEM certificates) into certificates, in order.
 * Tolerates what real QEs and tools emit: trailing NUL terminators, CRLF or LF line ends, blank
 * lines and trailing whitespace. Anything else outside the PEM blocks (for example bytes after the
 * NUL terminator) throws ERR_QUOTE_CERT_CHAIN, as does a chain with no certificate.
 */
export function parsePemCertificateChain(data: Uint8Array): PemCertificate[] {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1").replace(/\0+$/, "");
  const certs: PemCertificate[] = [];
  let last = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    checkOnlyWhitespace(text.slice(last, match.index), last);
    const base64 = (match[1] ?? "").replace(/\s+/g, "");
    certs.push({ pem: toPem(base64), der: new Uint8Array(Buffer.from(base64, "base64")) });
    last = match.index + match[0].length;
  }
  checkOnlyWhitespace(text.slice(last), last);
  if (certs.length === 0) throw new QuoteFormatError("ERR_QUOTE_CERT_CHAIN", "certification data holds no PEM certificate");
  return certs;
}

/**
 * Type-5 certification data as Intel's QE writes it: the PEM certificates concatenated, then one
 * NUL byte (counted in the certification data size).
 */
export function encodePemCertificateChain(pems: readonly string[]): Uint8Array {
  const text = pems.map((pem) => (pem.endsWith("\n") ? pem : `${pem}\n`)).join("");
  const out = new Uint8Array(Buffer.byteLength(text, "latin1") + 1);
  out.set(Buffer.from(text, "latin1"));
  return out;
}

/** DER bytes to PEM text with 64-character lines and a final LF. */
export function derToPem(der: Uint8Array): string {
  return toPem(Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64"));
}

function toPem(base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

function checkOnlyWhitespace(gap: string, offset: number): void {
  if (/^\s*$/.test(gap)) return;
  throw new QuoteFormatError(
    "ERR_QUOTE_CERT_CHAIN",
    `unexpected data in the PEM chain at byte ${offset}: ${JSON.stringify(gap.trim().slice(0, 24))}`,
  );
}
