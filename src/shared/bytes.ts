/** Little-endian readers/writers and hex helpers shared by every binary structure. */

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  // Below ~32 bytes (serials, key ids, FMSPCs) a table beats the cost of making a Buffer view.
  if (bytes.byteLength >= 32) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  let text = "";
  for (const b of bytes) text += HEX_BYTES[b]!;
  return text;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError(`not a hex string: ${hex.slice(0, 32)}`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/**
 * A copy of `bytes[start, end)` that owns its memory. Parsers use this, never `slice` on their
 * input: any Uint8Array passed in may be a Buffer, whose slice makes a view, not a copy.
 */
export function copyRange(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

/** A copy of all of `bytes` that owns its memory (see {@link copyRange}). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && asBuffer(a).equals(asBuffer(b));
}
