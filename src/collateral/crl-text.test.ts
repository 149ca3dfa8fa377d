/**
 * The CRL encodings QvE accepts (DER, PEM, hex text of the DER), read by crlDerOf for parseCrl,
 * crlBytes and collateral bundles alike, on a real root CA CRL from the vectors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { crlDerOf } from "./crl.ts";
import { crlBytes, parseCrl } from "./index.ts";

const bundle = JSON.parse(readFileSync(new URL("../../test/fixtures/vectors/sgx-v3-phala/collateral.json", import.meta.url), "utf8")) as {
  root_ca_crl: string;
};
const hex = bundle.root_ca_crl;
const der = new Uint8Array(Buffer.from(hex, "hex"));
const pem = `-----BEGIN X509 CRL-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END X509 CRL-----\n`;

test("DER, PEM and hex (either case, surrounding blanks) all give the same DER", () => {
  assert.ok(/^[0-9a-f]+$/.test(hex) && der[0] === 0x30);
  assert.equal(crlDerOf(der), der, "DER bytes are taken as they are");
  for (const [what, input] of [
    ["lower-case hex", hex],
    ["upper-case hex", hex.toUpperCase()],
    ["hex with blanks around", `\n ${hex}\t\n`],
    ["PEM", pem],
    ["hex as bytes", new Uint8Array(Buffer.from(hex, "latin1"))],
  ] as const) {
    assert.deepEqual(crlDerOf(input), der, what);
  }
  assert.deepEqual(crlBytes(new Uint8Array(Buffer.from(pem, "latin1"))), der);
  assert.equal(parseCrl(hex).issuer, parseCrl(der).issuer);
});

test("text that is not hex is refused, including characters whose low byte is a hex digit", () => {
  for (const [what, text] of [
    ["odd length", hex.slice(0, -1)],
    ["a blank inside", `${hex.slice(0, 10)} ${hex.slice(10)}`],
    ["a non-hex letter", `${hex.slice(0, 10)}g${hex.slice(11)}`],
    ["a prefix", `#${hex}`],
    ["U+0161 U+0162 (low bytes 'a' 'b')", `${hex.slice(0, 10)}\u0161\u0162${hex.slice(12)}`],
    ["empty", ""],
  ] as const) {
    assert.equal(crlDerOf(text), undefined, what);
    assert.throws(() => parseCrl(text), { code: "ERR_COLLATERAL_CRL" }, what);
  }
});

test("decoded DER is a fresh array, not a view of node's shared Buffer pool", () => {
  const decoded = crlDerOf(hex)!;
  assert.equal(decoded.byteOffset, 0);
  assert.equal(decoded.buffer.byteLength, decoded.byteLength);
});
