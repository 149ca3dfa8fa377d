import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../shared/bytes.ts";
import { aesCmac, AesCmac } from "./cmac.ts";

// RFC 4493 section 4, examples 1-4 (key 2b7e1516...).
const KEY = fromHex("2b7e151628aed2a6abf7158809cf4f3c");
const M64 =
  "6bc1bee22e409f96e93d7e117393172a" +
  "ae2d8a571e03ac9c9eb76fac45af8e51" +
  "30c81c46a35ce411e5fbc1191a0a52ef" +
  "f69f2445df4f9b17ad2b417be66c3710";

const examples: Array<[string, number, string]> = [
  ["example 1 (empty message)", 0, "bb1d6929e95937287fa37d129b756746"],
  ["example 2 (one block)", 16, "070a16b46b4d4144f79bdd9dd04a287c"],
  ["example 3 (40 bytes, partial last block)", 40, "dfa66747de9ae63030ca32611497c827"],
  ["example 4 (four blocks)", 64, "51f0bebf7e3b9d92fc49741779363cfe"],
];

for (const [name, length, tag] of examples) {
  test(`AES-CMAC RFC 4493 ${name}`, () => {
    const message = fromHex(M64.slice(0, length * 2));
    assert.equal(toHex(aesCmac(KEY, message)), tag);
  });
}

test("AesCmac gives every RFC 4493 tag when one instance MACs many messages in turn", () => {
  // One long-lived cipher serves all messages: its CBC chaining must not leak between them.
  const cmac = new AesCmac(KEY);
  for (const [, length, tag] of [...examples, ...examples.slice().reverse(), ...examples]) {
    assert.equal(toHex(cmac.mac(fromHex(M64.slice(0, length * 2)))), tag, `${length}-byte message`);
  }
});

test("AES-CMAC rejects a key that is not 16 bytes", () => {
  assert.throws(() => aesCmac(new Uint8Array(15), new Uint8Array(0)), RangeError);
});
