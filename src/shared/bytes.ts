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

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && asBuffer(a).equals(asBuffer(b));
}
