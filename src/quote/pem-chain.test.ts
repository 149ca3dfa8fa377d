import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { loadVector } from "../../test/fixtures/vectors.ts";
import { decodeQuote } from "./quote.ts";
import { encodePemCertificateChain, parsePemCertificateChain } from "./pem-chain.ts";

const realChain = (): Uint8Array => decodeQuote(loadVector("sgx-v3-phala").quote).signatureData.certificationData.data;
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));

test("a real type-5 chain ends with one NUL and parses into leaf, CA, root", () => {
  const data = realChain();
  assert.equal(data[data.byteLength - 1], 0);
  const certs = parsePemCertificateChain(data);
  const subjects = certs.map((c) => new X509Certificate(c.der).subject.match(/CN=([^\n]+)/)?.[1]);
  assert.deepEqual(subjects, ["Intel SGX PCK Certificate", "Intel SGX PCK Processor CA", "Intel SGX Root CA"]);
});

test("tolerated forms (BH-13): exact, one or several NULs, CRLF, trailing newline", () => {
  const exact = latin1(realChain()).replace(/\0+$/, "");
  const reference = parsePemCertificateChain(bytes(exact)).map((c) => c.der);
  for (const form of [exact, `${exact}\0`, `${exact}\0\0\0\0`, exact.replace(/\n/g, "\r\n"), `${exact}\n\n`]) {
    assert.deepEqual(
      parsePemCertificateChain(bytes(form)).map((c) => c.der),
      reference,
    );
  }
});

test("garbage after the NUL terminator or between certificates is refused", () => {
  const exact = latin1(realChain()).replace(/\0+$/, "");
  assert.throws(() => parsePemCertificateChain(bytes(`${exact}\0A`)), { code: "ERR_QUOTE_CERT_CHAIN" });
  const split = exact.indexOf("-----BEGIN", 10);
  assert.throws(() => parsePemCertificateChain(bytes(`${exact.slice(0, split)}junk\n${exact.slice(split)}`)), {
    code: "ERR_QUOTE_CERT_CHAIN",
  });
  assert.throws(() => parsePemCertificateChain(bytes("\0\0")), { code: "ERR_QUOTE_CERT_CHAIN" });
});

test("encodePemCertificateChain writes what Intel's QE writes: PEMs then one NUL", () => {
  const certs = parsePemCertificateChain(realChain());
  const encoded = encodePemCertificateChain(certs.map((c) => c.pem));
  assert.equal(encoded[encoded.byteLength - 1], 0);
  assert.deepEqual(
    parsePemCertificateChain(encoded).map((c) => c.der),
    certs.map((c) => c.der),
  );
});
