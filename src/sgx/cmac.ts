import { createCipheriv, type Cipher } from "node:crypto";
import { asBuffer } from "../shared/bytes.ts";

const BLOCK = 16;
const ZERO_IV = Buffer.alloc(BLOCK);

/**
 * AES-128-CMAC (RFC 4493) over `message`, built on node:crypto AES. `key` must be 16 bytes
 * (else RangeError). Returns the 16-byte tag.
 */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new AesCmac(key).mac(message);
}

/**
 * AES-128-CMAC with the subkeys derived once, for MACing many messages under one key (the
 * daemon checks every app REPORT with the same few report keys).
 */
export class AesCmac {
  readonly #k1: Buffer;
  readonly #k2: Buffer;
  /**
   * One long-lived AES-128-CBC stream per key: creating a cipher costs more than MACing a
   * REPORT. CBC chains across update() calls, so each message's first block is XORed with the
   * previous message's last ciphertext block, which cancels the chaining: every MAC starts from
   * a zero IV as CMAC requires.
   */
  readonly #cbc: Cipher;
  #chain = Buffer.alloc(BLOCK);
  /** The padded message of the last mac() call, reused while messages keep one length. */
  #scratch = Buffer.alloc(0);

  /** `key`: 16 bytes, else RangeError. */
  constructor(key: Uint8Array) {
    if (key.byteLength !== BLOCK) throw new RangeError(`AES-128-CMAC key must be 16 bytes, got ${key.byteLength}`);
    this.#cbc = createCipheriv("aes-128-cbc", asBuffer(key), ZERO_IV).setAutoPadding(false);
    const l = this.#cbcMac(Buffer.alloc(BLOCK));
    this.#k1 = doubleInGf128(l);
    this.#k2 = doubleInGf128(this.#k1);
  }

  /** The 16-byte tag of `message`. */
  mac(message: Uint8Array): Uint8Array {
    const complete = message.byteLength > 0 && message.byteLength % BLOCK === 0;
    const padded = complete ? message.byteLength : (Math.floor(message.byteLength / BLOCK) + 1) * BLOCK;
    if (this.#scratch.byteLength !== padded) this.#scratch = Buffer.alloc(padded);
    const data = this.#scratch;
    data.set(message);
    if (!complete) data.fill(0, message.byteLength).writeUInt8(0x80, message.byteLength);
    const subkey = complete ? this.#k1 : this.#k2;
    const last = padded - BLOCK;
    for (let i = 0; i < BLOCK; i++) data[last + i]! ^= subkey[i]!;
    return new Uint8Array(this.#cbcMac(data));
  }

  /** Last block of AES-CBC(zero IV) over block-aligned `data` (which it modifies). */
  #cbcMac(data: Buffer): Buffer {
    for (let i = 0; i < BLOCK; i++) data[i]! ^= this.#chain[i]!;
    const encrypted = this.#cbc.update(data);
    this.#chain = encrypted.subarray(encrypted.byteLength - BLOCK);
    return Buffer.from(this.#chain);
  }
}

/** Multiplication by x in GF(2^128) with the CMAC polynomial (shift left, conditional XOR 0x87). */
function doubleInGf128(block: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    const next = i + 1 < BLOCK ? block[i + 1]! : 0;
    out[i] = ((block[i]! << 1) | (next >> 7)) & 0xff;
  }
  if ((block[0]! & 0x80) !== 0) out[BLOCK - 1]! ^= 0x87;
  return out;
}
