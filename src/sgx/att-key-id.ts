import { asBuffer, copyRange, fromHex } from "../shared/bytes.ts";
import { AttKeyAlgorithm, MAX_ATT_KEY_ID_LIST_ENTRIES, QE3_MRSIGNER_HEX, SgxSize } from "./constants.ts";
import { expectSize, SgxStructureError } from "./errors.ts";

/**
 * sgx_ql_att_key_id_t, the 158-byte base every attestation key id starts with.
 *
 * | off | size | field                  |
 * |----:|-----:|------------------------|
 * |   0 |    2 | id u16 (0)             |
 * |   2 |    2 | version u16 (0)        |
 * |   4 |    2 | mrSignerLength u16     |
 * |   6 |   48 | mrSigner (zero-padded) |
 * |  54 |    4 | prodId u32             |
 * |  58 |   16 | extendedProdId         |
 * |  74 |   64 | configId               |
 * | 138 |   16 | familyId               |
 * | 154 |    4 | algorithmId u32        |
 *
 * sgx_att_key_id_ext_t (256 bytes) appends: spid 16 @158, attKeyType u16 @174, 80 reserved @176.
 */
export interface AttKeyId {
  readonly id: number;
  readonly version: number;
  /** Only the first mrSignerLength bytes of the 48-byte slot. */
  readonly mrSigner: Uint8Array;
  readonly prodId: number;
  readonly extendedProdId: Uint8Array;
  readonly configId: Uint8Array;
  readonly familyId: Uint8Array;
  readonly algorithmId: number;
  /** EPID only; zeros for ECDSA. */
  readonly spid: Uint8Array;
  readonly attKeyType: number;
}

const Offset = {
  ID: 0,
  VERSION: 2,
  MRSIGNER_LENGTH: 4,
  MRSIGNER: 6,
  PROD_ID: 54,
  EXT_PROD_ID: 58,
  CONFIG_ID: 74,
  FAMILY_ID: 138,
  ALGORITHM_ID: 154,
  SPID: 158,
  ATT_KEY_TYPE: 174,
} as const;

/** Decodes a 256-byte extended attestation key id (copies). Throws ERR_SGX_BAD_SIZE / ERR_SGX_BAD_FIELD. */
export function parseAttKeyId(bytes: Uint8Array): AttKeyId {
  expectSize("sgx_att_key_id_ext_t", bytes, SgxSize.ATT_KEY_ID_EXT);
  const buf = asBuffer(bytes);
  const mrSignerLength = buf.readUInt16LE(Offset.MRSIGNER_LENGTH);
  if (mrSignerLength > 48) {
    throw new SgxStructureError("ERR_SGX_BAD_FIELD", "sgx_ql_att_key_id_t", `mrsigner_length ${mrSignerLength} exceeds 48`);
  }
  return {
    id: buf.readUInt16LE(Offset.ID),
    version: buf.readUInt16LE(Offset.VERSION),
    mrSigner: copyRange(bytes, Offset.MRSIGNER, Offset.MRSIGNER + mrSignerLength),
    prodId: buf.readUInt32LE(Offset.PROD_ID),
    extendedProdId: copyRange(bytes, Offset.EXT_PROD_ID, Offset.EXT_PROD_ID + 16),
    configId: copyRange(bytes, Offset.CONFIG_ID, Offset.CONFIG_ID + 64),
    familyId: copyRange(bytes, Offset.FAMILY_ID, Offset.FAMILY_ID + 16),
    algorithmId: buf.readUInt32LE(Offset.ALGORITHM_ID),
    spid: copyRange(bytes, Offset.SPID, Offset.SPID + 16),
    attKeyType: buf.readUInt16LE(Offset.ATT_KEY_TYPE),
  };
}

/** Encodes a 256-byte extended attestation key id. A mrSigner over 48 bytes throws ERR_SGX_BAD_FIELD. */
export function encodeAttKeyId(key: AttKeyId): Uint8Array {
  if (key.mrSigner.byteLength > 48) {
    throw new SgxStructureError("ERR_SGX_BAD_FIELD", "sgx_ql_att_key_id_t", `mrsigner of ${key.mrSigner.byteLength} bytes exceeds 48`);
  }
  const out = new Uint8Array(SgxSize.ATT_KEY_ID_EXT);
  const buf = asBuffer(out);
  buf.writeUInt16LE(key.id, Offset.ID);
  buf.writeUInt16LE(key.version, Offset.VERSION);
  buf.writeUInt16LE(key.mrSigner.byteLength, Offset.MRSIGNER_LENGTH);
  out.set(key.mrSigner, Offset.MRSIGNER);
  buf.writeUInt32LE(key.prodId, Offset.PROD_ID);
  out.set(key.extendedProdId, Offset.EXT_PROD_ID);
  out.set(key.configId, Offset.CONFIG_ID);
  out.set(key.familyId, Offset.FAMILY_ID);
  buf.writeUInt32LE(key.algorithmId, Offset.ALGORITHM_ID);
  out.set(key.spid, Offset.SPID);
  buf.writeUInt16LE(key.attKeyType, Offset.ATT_KEY_TYPE);
  return out;
}

/**
 * The default ECDSA-P256 attestation key id of Intel's DCAP library (sgx_ql_get_keyid): QE3
 * production MRSIGNER, prod id 1, algorithm 2, everything else zero. A fresh 256-byte copy.
 */
export function defaultEcdsaAttKeyId(): Uint8Array {
  return encodeAttKeyId({
    id: 0,
    version: 0,
    mrSigner: fromHex(QE3_MRSIGNER_HEX),
    prodId: 1,
    extendedProdId: new Uint8Array(16),
    configId: new Uint8Array(64),
    familyId: new Uint8Array(16),
    algorithmId: AttKeyAlgorithm.ECDSA_P256,
    spid: new Uint8Array(16),
    attKeyType: 0,
  });
}

/** The 158-byte base of an attestation key id (a view, not a copy). Shorter input throws ERR_SGX_BAD_SIZE. */
export function attKeyIdBase(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < SgxSize.ATT_KEY_ID_BASE) expectSize("sgx_ql_att_key_id_t", bytes, SgxSize.ATT_KEY_ID_BASE);
  return bytes.subarray(0, SgxSize.ATT_KEY_ID_BASE);
}

/** True when both ids have at least 158 bytes and their bases are equal (aesmd's matching rule). */
export function isSameAttKeyId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength < SgxSize.ATT_KEY_ID_BASE || b.byteLength < SgxSize.ATT_KEY_ID_BASE) return false;
  // Compared in place: this runs several times per quote.
  return asBuffer(a).compare(b, 0, SgxSize.ATT_KEY_ID_BASE, 0, SgxSize.ATT_KEY_ID_BASE) === 0;
}

/**
 * sgx_ql_att_key_id_list_header_t (8 bytes) followed by `num` 256-byte entries.
 *
 * | off | size | field         |
 * |----:|-----:|---------------|
 * |   0 |    2 | id u16 (0)    |
 * |   2 |    2 | version u16 (0) |
 * |   4 |    4 | num u32 (≤ 10) |
 */
export interface AttKeyIdListHeader {
  readonly id: number;
  readonly version: number;
  readonly num: number;
}

/**
 * Splits an attestation key id list into its 256-byte entries (views). Enforces aesmd's rules:
 * id = 0, version = 0, 1 ≤ num ≤ 10 and total size exactly 8 + 256·num; else ERR_SGX_BAD_FIELD
 * or ERR_SGX_BAD_SIZE.
 */
export function parseAttKeyIdList(bytes: Uint8Array): Uint8Array[] {
  const name = "sgx_ql_att_key_id_list_t";
  if (bytes.byteLength < SgxSize.ATT_KEY_ID_LIST_HEADER + SgxSize.ATT_KEY_ID_EXT) {
    throw new SgxStructureError("ERR_SGX_BAD_SIZE", name, `${bytes.byteLength} bytes is shorter than a header and one entry`);
  }
  const header = parseAttKeyIdListHeader(bytes);
  if (header.id !== 0 || header.version !== 0) {
    throw new SgxStructureError("ERR_SGX_BAD_FIELD", name, `header id ${header.id} / version ${header.version} must be 0 / 0`);
  }
  if (header.num === 0 || header.num > MAX_ATT_KEY_ID_LIST_ENTRIES) {
    throw new SgxStructureError("ERR_SGX_BAD_FIELD", name, `num_att_ids ${header.num} not in 1..${MAX_ATT_KEY_ID_LIST_ENTRIES}`);
  }
  expectSize(name, bytes, SgxSize.ATT_KEY_ID_LIST_HEADER + SgxSize.ATT_KEY_ID_EXT * header.num);
  const entries: Uint8Array[] = [];
  for (let i = 0; i < header.num; i++) {
    const start = SgxSize.ATT_KEY_ID_LIST_HEADER + i * SgxSize.ATT_KEY_ID_EXT;
    entries.push(bytes.subarray(start, start + SgxSize.ATT_KEY_ID_EXT));
  }
  return entries;
}

/** Reads the 8-byte list header. Shorter input throws ERR_SGX_BAD_SIZE. */
export function parseAttKeyIdListHeader(bytes: Uint8Array): AttKeyIdListHeader {
  if (bytes.byteLength < SgxSize.ATT_KEY_ID_LIST_HEADER) expectSize("sgx_ql_att_key_id_list_header_t", bytes, 8);
  const buf = asBuffer(bytes);
  return { id: buf.readUInt16LE(0), version: buf.readUInt16LE(2), num: buf.readUInt32LE(4) };
}

/** Builds a list (header + entries) from 256-byte ext key ids. More than 10 throws ERR_SGX_BAD_FIELD. */
export function encodeAttKeyIdList(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length === 0 || entries.length > MAX_ATT_KEY_ID_LIST_ENTRIES) {
    throw new SgxStructureError("ERR_SGX_BAD_FIELD", "sgx_ql_att_key_id_list_t", `${entries.length} entries not in 1..10`);
  }
  const out = new Uint8Array(SgxSize.ATT_KEY_ID_LIST_HEADER + SgxSize.ATT_KEY_ID_EXT * entries.length);
  asBuffer(out).writeUInt32LE(entries.length, 4);
  entries.forEach((entry, i) => {
    expectSize("sgx_att_key_id_ext_t", entry, SgxSize.ATT_KEY_ID_EXT);
    out.set(entry, SgxSize.ATT_KEY_ID_LIST_HEADER + i * SgxSize.ATT_KEY_ID_EXT);
  });
  return out;
}
