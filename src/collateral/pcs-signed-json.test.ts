import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSignedJson, rawMemberText } from "./pcs-signed-json.ts";

const SIG = "0f".repeat(64);

test("rawMemberText returns the exact text, whatever whitespace, order, escapes and nesting surround it", () => {
  const inner = '{"a":"}{\\"]","b":[1,{"c":"\\\\"}],"d":-1.50e+3,"e":null,"f":true}';
  assert.equal(rawMemberText(`{"tcbInfo":${inner},"signature":"${SIG}"}`, "tcbInfo"), inner);
  assert.equal(rawMemberText(` {\n "signature" : "${SIG}" ,\r\n\t"x":[{"tcbInfo":1}], "tcbInfo" :  ${inner}  }\n`, "tcbInfo"), inner);
  // A key spelled with an escape is still that key (JSON.parse agrees).
  assert.equal(rawMemberText(`{"tcb\\u0049nfo":${inner}}`, "tcbInfo"), inner);
  // Duplicate keys: the last wins, as in JSON.parse.
  assert.equal(rawMemberText('{"m":{"v":1},"m":{"v":2}}', "m"), '{"v":2}');
  assert.throws(() => rawMemberText('{"other":{}}', "m"), /no member "m"/);
});

test("parseSignedJson: text, parsed value and 64-byte signature; refuses what is not a signed document", () => {
  const doc = parseSignedJson(`{"enclaveIdentity":{"id":"QE","n":1.0},"signature":"${SIG.toUpperCase()}"}`, "enclaveIdentity");
  assert.equal(doc.text, '{"id":"QE","n":1.0}', "number text kept as served (1.0, not 1)");
  assert.deepEqual(doc.value, { id: "QE", n: 1 });
  assert.deepEqual(doc.signature, new Uint8Array(64).fill(0x0f));
  assert.throws(() => parseSignedJson("[1]", "m"), /not a JSON object/);
  assert.throws(() => parseSignedJson('{"m":[1],"signature":""}', "m"), /no object member "m"/);
  assert.throws(() => parseSignedJson(`{"m":{},"signature":"${SIG.slice(2)}"}`, "m"), /64 bytes/);
  assert.throws(() => parseSignedJson(`{"m":{},"signature":"${SIG}"`, "m"), /not JSON/);
});
