import { SgxQuoteHelperError } from "../shared/errors.ts";

/** Size of the frame header: a uint32 body length in host order (little-endian on x86-64). */
export const FRAME_HEADER_BYTES = 4;

/** Default cap on one frame's body. Intel's aesmd has none; the largest real request is ~1.7 KiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

export class FrameError extends SgxQuoteHelperError {
  readonly declaredBytes: number;

  constructor(code: "ERR_PROTOCOL_FRAME_TOO_LARGE" | "ERR_PROTOCOL_FRAME_EMPTY", declaredBytes: number, message: string) {
    super(code, message);
    this.declaredBytes = declaredBytes;
  }
}

/** Prefixes `body` with its 4-byte little-endian length, in one buffer (one write on the socket). */
export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.byteLength);
  frame.writeUInt32LE(body.byteLength, 0);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Incremental decoder for one AESM frame from a byte stream split at arbitrary points. The
 * declared length is checked against `maxFrameBytes` as soon as the 4 header bytes are in,
 * before any body byte is buffered, so a hostile length never causes an allocation.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #allowEmpty: boolean;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #bodyBytes: number | undefined;

  constructor(options: { maxFrameBytes?: number; allowEmpty?: boolean } = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#allowEmpty = options.allowEmpty ?? false;
  }

  /**
   * Adds a chunk; returns the bodies of every frame it completes (usually none or one).
   * Throws FrameError for a declared length of 0 (unless allowed) or above the cap.
   */
  push(chunk: Uint8Array): Buffer[] {
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#buffered += chunk.byteLength;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#bodyBytes === undefined) {
        if (this.#buffered < FRAME_HEADER_BYTES) return frames;
        this.#bodyBytes = this.#take(FRAME_HEADER_BYTES).readUInt32LE(0);
        this.#checkLength(this.#bodyBytes);
      }
      if (this.#buffered < this.#bodyBytes) return frames;
      frames.push(this.#take(this.#bodyBytes));
      this.#bodyBytes = undefined;
    }
  }

  #checkLength(bodyBytes: number): void {
    if (bodyBytes === 0 && !this.#allowEmpty) {
      throw new FrameError("ERR_PROTOCOL_FRAME_EMPTY", 0, "frame declares an empty body");
    }
    if (bodyBytes > this.#maxFrameBytes) {
      throw new FrameError("ERR_PROTOCOL_FRAME_TOO_LARGE", bodyBytes, `frame of ${bodyBytes} bytes exceeds limit ${this.#maxFrameBytes}`);
    }
  }

  #take(bytes: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    const taken = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.#chunks = rest.byteLength > 0 ? [rest] : [];
    this.#buffered = rest.byteLength;
    return taken;
  }
}
