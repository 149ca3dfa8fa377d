import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../shared/bytes.ts";
import { attKeyIdBase, defaultEcdsaAttKeyId, encodeAttKeyIdList, isSameAttKeyId, parseAttKeyId, parseAttKeyIdList } from "./att-key-id.ts";

// The default ECDSA-P256 key id, byte by byte from the AESM protocol note §3.3 table.
const EXPECTED_DEFAULT =
  "000000002000" +
  "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff" +
  "00".repeat(16) +
  "01000000" +
  "00".repeat(154 - 58) +
  "02000000" +
  "00".repeat(256 - 158);

test("default ECDSA att key id equals Intel's sgx_ql_get_keyid value", () => {
  assert.equal(toHex(defaultEcdsaAttKeyId()), EXPECTED_DEFAULT);
  const parsed = parseAttKeyId(fromHex(EXPECTED_DEFAULT));
  assert.equal(parsed.algorithmId, 2);
  assert.equal(parsed.prodId, 1);
  assert.equal(toHex(parsed.mrSigner), "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
});

test("key ids match on their first 158 bytes only", () => {
  const a = defaultEcdsaAttKeyId();
  const b = defaultEcdsaAttKeyId();
  b[158] = 0xaa; // spid differs: still the same key
  b[255] = 0x01; // reserved differs
  assert.equal(isSameAttKeyId(a, b), true);
  assert.equal(attKeyIdBase(b).byteLength, 158);
  const c = defaultEcdsaAttKeyId();
  c[154] = 3; // algorithm P-384
  assert.equal(isSameAttKeyId(a, c), false);
  assert.equal(isSameAttKeyId(a, a.subarray(0, 157)), false);
});

test("key id list: header rules of aesmd", () => {
  const one = defaultEcdsaAttKeyId();
  const list = encodeAttKeyIdList([one, one]);
  assert.equal(toHex(list.subarray(0, 8)), "0000000002000000");
  assert.equal(parseAttKeyIdList(list).length, 2);
  assert.throws(() => parseAttKeyIdList(list.subarray(0, 8 + 256)), { code: "ERR_SGX_BAD_SIZE" });
  const badVersion = list.slice();
  badVersion[2] = 1;
  assert.throws(() => parseAttKeyIdList(badVersion), { code: "ERR_SGX_BAD_FIELD" });
  const tooMany = new Uint8Array(8 + 256 * 11);
  tooMany[4] = 11;
  assert.throws(() => parseAttKeyIdList(tooMany), { code: "ERR_SGX_BAD_FIELD" });
  assert.throws(() => parseAttKeyIdList(new Uint8Array(100)), { code: "ERR_SGX_BAD_SIZE" });
});

test("parseAttKeyId refuses a wrong size and an oversized mrsigner_length", () => {
  assert.throws(() => parseAttKeyId(new Uint8Array(158)), { code: "ERR_SGX_BAD_SIZE" });
  const bad = defaultEcdsaAttKeyId();
  bad[4] = 49;
  assert.throws(() => parseAttKeyId(bad), { code: "ERR_SGX_BAD_FIELD" });
});
