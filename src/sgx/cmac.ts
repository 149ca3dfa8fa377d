import { createCipheriv } from "node:crypto";
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

/** AES-128-CMAC with the subkeys derived once, for MACing many messages under one key. */
export class AesCmac {
  readonly #key: Buffer;
  readonly #k1: Buffer;
  readonly #k2: Buffer;

  /** `key`: 16 bytes, else RangeError. */
  constructor(key: Uint8Array) {
    if (key.byteLength !== BLOCK) throw new RangeError(`AES-128-CMAC key must be 16 bytes, got ${key.byteLength}`);
    this.#key = Buffer.from(key);
    const l = encryptCbc(this.#key, ZERO_IV);
    this.#k1 = doubleInGf128(l);
    this.#k2 = doubleInGf128(this.#k1);
  }

  /** The 16-byte tag of `message`. */
  mac(message: Uint8Array): Uint8Array {
    const complete = message.byteLength > 0 && message.byteLength % BLOCK === 0;
    const padded = complete ? message.byteLength : (Math.floor(message.byteLength / BLOCK) + 1) * BLOCK;
    const data = Buffer.alloc(padded);
    data.set(message);
    if (!complete) data[message.byteLength] = 0x80;
    const subkey = complete ? this.#k1 : this.#k2;
    const last = padded - BLOCK;
    for (let i = 0; i < BLOCK; i++) data[last + i]! ^= subkey[i]!;
    const encrypted = encryptCbc(this.#key, data);
    return new Uint8Array(encrypted.subarray(encrypted.byteLength - BLOCK));
  }
}

/** AES-128-CBC with a zero IV and no padding; the last block is the CBC-MAC state. */
function encryptCbc(key: Buffer, data: Uint8Array): Buffer {
  const cipher = createCipheriv("aes-128-cbc", key, ZERO_IV);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(asBuffer(data)), cipher.final()]);
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
