import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { toHex } from "../shared/bytes.ts";
import { loadVector, SGX_V3_VECTORS } from "../../test/fixtures/vectors.ts";
import { decodeQuote, encodeQuote, QuoteFormatError } from "./index.ts";
import { parsePemCertificateChain } from "./pem-chain.ts";

for (const name of SGX_V3_VECTORS) {
  test(`${name}: decodes with the facts of expected.json`, () => {
    const { quote, expected } = loadVector(name);
    assert.equal(quote.byteLength, expected.size_bytes);
    const q = decodeQuote(quote);
    assert.equal(q.version, 3);
    assert.equal(q.version, expected.version);
    assert.equal(q.header.attestationKeyType, expected.attestation_key_type);
    assert.equal(`0x${q.header.teeType.toString(16).padStart(8, "0")}`, expected.tee_type);
    assert.equal(toHex(q.header.qeVendorId), "939a7233f79c4ca9940a0db3957f0607");
    assert.equal(q.signedRegion.byteLength, expected.signed_region_length);
    assert.equal(q.raw.signatureData.byteLength, expected.signature_data_length);
    assert.equal(q.trailingBytes, expected.trailing_bytes_after_signature_data);
    assert.equal(q.signatureData.qeAuthData.byteLength, expected.qe_auth_data_length);
    assert.equal(q.signatureData.certificationData.type, expected.inner_certification_data_type);
    assert.equal(toHex(q.reportBody.mrEnclave), expected.mrenclave);
    assert.equal(toHex(q.reportBody.mrSigner), expected.mrsigner);
    assert.equal(q.reportBody.isvProdId, expected.isv_prod_id);
    assert.equal(q.reportBody.isvSvn, expected.isv_svn);
    assert.equal(toHex(q.raw.reportBody.subarray(48, 64)), expected.attributes);
    assert.equal(toHex(q.reportBody.reportData), expected.report_data);
    assert.equal(toHex(q.reportBody.cpuSvn), expected.cpusvn_in_report);
    assert.equal(q.signatureData.qeReportBody.isvSvn, expected.qe_report_isvsvn);
    assert.equal(q.signatureData.qeReportBody.isvProdId, expected.qe_report_isvprodid);
    const certs = parsePemCertificateChain(q.signatureData.certificationData.data);
    assert.equal(certs.length, 3);
    assert.match(new X509Certificate(certs[0]!.der).issuer, new RegExp(`CN=${expected.pck_issuer_ca}`));
  });

  test(`${name}: encode(decode(quote)) reproduces the bytes`, () => {
    const { quote } = loadVector(name);
    const decoded = decodeQuote(quote);
    assert.equal(decoded.version, 3);
    assert.deepEqual(encodeQuote(decoded), quote.subarray(0, quote.byteLength - decoded.trailingBytes));
  });
}

test("trailing bytes after the signature data are ignored and counted", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const padded = new Uint8Array(quote.byteLength + 70);
  padded.set(quote);
  const q = decodeQuote(padded);
  assert.equal(q.trailingBytes, 70);
  assert.equal(q.raw.quote.byteLength, quote.byteLength);
});

test("truncation at every section boundary names the field and offset", () => {
  const { quote } = loadVector("sgx-v3-phala");
  // Boundaries of sgx-v3-phala: N = 32 auth bytes, M = 3548 cert bytes (dcap-quote-format §1.5).
  const cases: Array<[number, string, number]> = [
    [0, "header.version", 0],
    [47, "header.user_data", 28],
    [48, "report_body", 48],
    [431, "report_body", 48],
    [432, "signature_data_len", 432],
    [436, "signature_data", 436],
    [1051, "signature_data", 436],
  ];
  for (const [length, field, offset] of cases) {
    assert.throws(
      () => decodeQuote(quote.subarray(0, length)),
      (err: unknown) =>
        err instanceof QuoteFormatError && err.code === "ERR_QUOTE_TRUNCATED" && err.field === field && err.offset === offset,
      `cut at ${length}`,
    );
  }
});

test("inner lengths are checked before use (declared sizes past the end of the signature data)", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const sigDataLen = (q: Uint8Array, len: number): Uint8Array => {
    const copy = q.slice();
    Buffer.from(copy.buffer).writeUInt32LE(len, 432);
    return copy;
  };
  // signature_data_len pointing inside each section: the inner reader reports the inner field.
  const inner: Array<[number, string, number]> = [
    [100, "signature_data.attestation_public_key", 500],
    [500, "signature_data.qe_report", 564],
    [576, "signature_data.qe_auth_data_size", 1012],
    [600, "signature_data.qe_auth_data", 1014],
    [611, "signature_data.certification_data_type", 1046],
    [613, "signature_data.certification_data_size", 1048],
    [700, "signature_data.certification_data", 1052],
  ];
  for (const [len, field, offset] of inner) {
    assert.throws(() => decodeQuote(sigDataLen(quote, len).subarray(0, 436 + len)), { code: "ERR_QUOTE_TRUNCATED", field, offset });
  }
  const hugeAuth = quote.slice();
  Buffer.from(hugeAuth.buffer).writeUInt16LE(0xffff, 1012);
  assert.throws(() => decodeQuote(hugeAuth), { code: "ERR_QUOTE_TRUNCATED", field: "signature_data.qe_auth_data" });
  assert.throws(() => decodeQuote(sigDataLen(quote, 0xffffffff)), { code: "ERR_QUOTE_TRUNCATED", field: "signature_data" });
  const hugeCert = quote.slice();
  Buffer.from(hugeCert.buffer).writeUInt32LE(0xffffffff, 1048);
  assert.throws(() => decodeQuote(hugeCert), { code: "ERR_QUOTE_TRUNCATED", field: "signature_data.certification_data" });
});

test("a quote cut at any offset below its length fails with a typed error only", () => {
  const { quote } = loadVector("sgx-v3-zkdcap");
  for (let length = 0; length < quote.byteLength; length += length < 1100 ? 1 : 97) {
    assert.throws(() => decodeQuote(quote.subarray(0, length)), QuoteFormatError);
  }
});

test("signature_data_len larger than its contents is a length mismatch", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const longer = new Uint8Array(quote.byteLength + 4);
  longer.set(quote);
  Buffer.from(longer.buffer).writeUInt32LE(quote.byteLength - 436 + 4, 432);
  assert.throws(() => decodeQuote(longer), { code: "ERR_QUOTE_LENGTH_MISMATCH", field: "signature_data_len" });
});

test("unsupported version, key type and TEE type are refused", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const patch = (offset: number, value: number): Uint8Array => {
    const copy = quote.slice();
    copy[offset] = value;
    return copy;
  };
  assert.throws(() => decodeQuote(patch(0, 6)), { code: "ERR_QUOTE_UNSUPPORTED_VERSION" });
  // A v3 quote relabelled v4 fails on the v4 layout (no type-6 envelope where v4 has one).
  assert.throws(() => decodeQuote(patch(0, 4)), QuoteFormatError);
  assert.throws(() => decodeQuote(patch(2, 3)), { code: "ERR_QUOTE_UNSUPPORTED_KEY_TYPE" });
  assert.throws(() => decodeQuote(patch(4, 0x81)), { code: "ERR_QUOTE_UNSUPPORTED_TEE" });
});
