/**
 * Re-encoding real quotes for tests, with offsets computed from the research doc's layout tables
 * (§1.2, §1.5, §1.6) independently of the decoder under test.
 */

export interface SpecLayout {
  readonly version: number;
  /** Offset of the u32 signature_data_len. */
  readonly sigLenOffset: number;
  readonly sigDataOffset: number;
  readonly sigDataLen: number;
  /** v4/v5: offset of the outer certification data type (6) and its u32 size. */
  readonly outerTypeOffset: number | undefined;
  readonly qeReportOffset: number;
  readonly authSizeOffset: number;
  readonly authSize: number;
  /** Offset of the (inner) certification data type u16, then its u32 size, then the data. */
  readonly certTypeOffset: number;
  readonly certSizeOffset: number;
  readonly certDataOffset: number;
  readonly certDataSize: number;
  /** End of the quote proper (sigDataOffset + sigDataLen). */
  readonly end: number;
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(o);

export function specLayout(q: Uint8Array): SpecLayout {
  const version = u16(q, 0);
  const tee = u32(q, 4);
  let bodyEnd: number;
  if (version === 5) bodyEnd = 54 + u32(q, 50);
  else bodyEnd = 48 + (tee === 0x81 ? 584 : 384);
  const sigLenOffset = bodyEnd;
  const sigDataOffset = bodyEnd + 4;
  const sigDataLen = u32(q, sigLenOffset);
  const outerTypeOffset = version === 3 ? undefined : sigDataOffset + 128;
  const qeReportOffset = version === 3 ? sigDataOffset + 128 : sigDataOffset + 134;
  const authSizeOffset = qeReportOffset + 384 + 64;
  const authSize = u16(q, authSizeOffset);
  const certTypeOffset = authSizeOffset + 2 + authSize;
  const certSizeOffset = certTypeOffset + 2;
  const certDataOffset = certSizeOffset + 4;
  return {
    version,
    sigLenOffset,
    sigDataOffset,
    sigDataLen,
    outerTypeOffset,
    qeReportOffset,
    authSizeOffset,
    authSize,
    certTypeOffset,
    certSizeOffset,
    certDataOffset,
    certDataSize: u32(q, certSizeOffset),
    end: sigDataOffset + sigDataLen,
  };
}

export function putU16(b: Uint8Array, o: number, v: number): void {
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).writeUInt16LE(v, o);
}

export function putU32(b: Uint8Array, o: number, v: number): void {
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).writeUInt32LE(v >>> 0, o);
}

export function getU32(b: Uint8Array, o: number): number {
  return u32(b, o);
}

/**
 * The quote (without trailing bytes) with its (inner) certification data replaced by `data`, and
 * every enclosing length fixed: the certification data size, for v4/v5 the type-6 size, and
 * signature_data_len. None of these bytes is covered by the quote or QE report signature.
 */
export function withCertificationData(q: Uint8Array, data: Uint8Array): Uint8Array {
  const L = specLayout(q);
  const delta = data.byteLength - L.certDataSize;
  const out = new Uint8Array(L.certDataOffset + data.byteLength);
  out.set(q.subarray(0, L.certDataOffset));
  out.set(data, L.certDataOffset);
  putU32(out, L.certSizeOffset, data.byteLength);
  putU32(out, L.sigLenOffset, L.sigDataLen + delta);
  if (L.outerTypeOffset !== undefined) putU32(out, L.outerTypeOffset + 2, getU32(q, L.outerTypeOffset + 2) + delta);
  return out;
}

/** The PEM certificates of a quote's certification data (text between BEGIN and END, LF-normalised). */
export function pemBlocks(q: Uint8Array): string[] {
  const L = specLayout(q);
  const text = Buffer.from(q.subarray(L.certDataOffset, L.certDataOffset + L.certDataSize)).toString("latin1");
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => m[0].replace(/\r\n/g, "\n"));
}

export function latin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
