import { asBuffer } from "../shared/bytes.ts";
import { QuoteFormatError } from "./errors.ts";

/**
 * A bounds-checked little-endian cursor over untrusted bytes. Every read names its field so a
 * short input fails with ERR_QUOTE_TRUNCATED saying what was being read and where. Reads return
 * views into the input (no copies). `base` is added to offsets in error messages.
 * @internal
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #buf: Buffer;
  readonly #end: number;
  readonly #base: number;
  #pos = 0;

  constructor(bytes: Uint8Array, base = 0) {
    this.#bytes = bytes;
    this.#buf = asBuffer(bytes);
    this.#end = bytes.byteLength;
    this.#base = base;
  }

  get offset(): number {
    return this.#pos;
  }

  /** Offset of the cursor in the whole quote (base + position), for error messages. */
  get absoluteOffset(): number {
    return this.#base + this.#pos;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** The next `length` bytes, as a view. */
  bytes(field: string, length: number): Uint8Array {
    this.#need(field, length);
    const view = this.#bytes.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return view;
  }

  u16(field: string): number {
    this.#need(field, 2);
    const value = this.#buf.readUInt16LE(this.#pos);
    this.#pos += 2;
    return value;
  }

  u32(field: string): number {
    this.#need(field, 4);
    const value = this.#buf.readUInt32LE(this.#pos);
    this.#pos += 4;
    return value;
  }

  #need(field: string, length: number): void {
    if (length <= this.remaining) return;
    const offset = this.#base + this.#pos;
    throw new QuoteFormatError(
      "ERR_QUOTE_TRUNCATED",
      `quote truncated: ${field} at offset ${offset} needs ${length} bytes, ${this.remaining} left`,
      { field, offset },
    );
  }
}
