import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../shared/bytes.ts";
import { loadIntelRoot, loadVector, SGX_V3_VECTORS } from "../../test/fixtures/vectors.ts";
import { decodeQuote, derToPem, encodePemCertificateChain, encodeQuote, parsePemCertificateChain } from "../quote/index.ts";
import { createSimReport, defaultEcdsaAttKeyId } from "../sgx/index.ts";
import { SimulatedPlatform } from "../providers/simulated/index.ts";
import { verifyQuoteSignatures } from "./index.ts";

for (const name of SGX_V3_VECTORS) {
  test(`${name}: signatures verify to the Intel root and yield the expected facts`, () => {
    const { quote, expected } = loadVector(name);
    const result = verifyQuoteSignatures(quote);
    assert.equal(result.rootKind, "intel");
    assert.equal(result.fmspc, expected.fmspc);
    assert.equal(result.pceId, expected.pce_id);
    assert.equal(result.pck.tcb.pceSvn, expected.pck_pcesvn);
    assert.deepEqual(result.pck.tcb.components, expected.pck_sgx_tcb_components);
    assert.equal(result.pck.sgxType, expected.sgx_type);
    assert.equal(result.pckIssuerCommonName, expected.pck_issuer_ca);
    assert.ok(result.reportBody);
    assert.equal(toHex(result.reportBody.mrEnclave), expected.mrenclave);
    assert.equal(toHex(result.reportBody.mrSigner), expected.mrsigner);
    assert.equal(result.reportBody.isvProdId, expected.isv_prod_id);
    assert.equal(result.reportBody.isvSvn, expected.isv_svn);
    assert.equal(toHex(result.reportBody.reportData), expected.report_data);
    assert.equal(result.qeReport.isvSvn, expected.qe_report_isvsvn);
    assert.equal(result.trailingBytes, 0);
  });
}

test("the chain's validity window contains each vector's verify_at", () => {
  for (const name of SGX_V3_VECTORS) {
    const { quote, verifyAtUnix } = loadVector(name);
    const { chainValidity } = verifyQuoteSignatures(quote);
    assert.ok(chainValidity.notBefore.getTime() <= verifyAtUnix * 1000 && verifyAtUnix * 1000 <= chainValidity.notAfter.getTime(), name);
  }
});

function flipped(quote: Uint8Array, offset: number): Uint8Array {
  const copy = quote.slice();
  copy[offset]! ^= 0x01;
  return copy;
}

test("flipping one byte fails with the check that covers it", () => {
  const { quote } = loadVector("sgx-v3-phala");
  // sgx-v3-phala layout: attestation key @500, QE report @564, QE report signature @948, auth data @1014.
  const cases: Array<[string, number, string]> = [
    ["header (user data)", 30, "ERR_VERIFY_QUOTE_SIGNATURE"],
    ["report body (report data)", 48 + 320, "ERR_VERIFY_QUOTE_SIGNATURE"],
    ["quote signature", 436 + 5, "ERR_VERIFY_QUOTE_SIGNATURE"],
    ["attestation key", 500 + 3, "ERR_VERIFY_KEY_BINDING"],
    ["QE report (isv_svn)", 564 + 258, "ERR_VERIFY_QE_REPORT_SIGNATURE"],
    ["QE report signature", 948 + 7, "ERR_VERIFY_QE_REPORT_SIGNATURE"],
    ["QE auth data", 1014 + 4, "ERR_VERIFY_KEY_BINDING"],
    ["QE vendor id", 12, "ERR_VERIFY_QE_VENDOR"],
  ];
  for (const [what, offset, code] of cases) {
    assert.throws(() => verifyQuoteSignatures(flipped(quote, offset)), { code }, what);
  }
});

/** The vector with its chain replaced (the rest of the quote, and so its signatures, unchanged). */
function withChain(quote: Uint8Array, edit: (ders: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const decoded = decodeQuote(quote);
  if (decoded.version !== 3) throw new Error("withChain re-encodes v3 quotes only");
  const ders = edit(parsePemCertificateChain(decoded.signatureData.certificationData.data).map((c) => c.der.slice()));
  const data = encodePemCertificateChain(ders.map(derToPem));
  return encodeQuote({ ...decoded, signatureData: { ...decoded.signatureData, certificationData: { type: 5, data } } });
}

test("a flipped byte in a certificate's signature breaks the chain at that certificate", () => {
  const { quote } = loadVector("sgx-v3-zkdcap");
  for (const [index, certificate] of [
    [0, "leaf"],
    [1, "intermediate"],
    [2, "root"],
  ] as const) {
    const broken = withChain(quote, (ders) => {
      ders[index]![ders[index]!.byteLength - 3]! ^= 0x01; // inside the signature's s value
      return ders;
    });
    assert.throws(() => verifyQuoteSignatures(broken), { code: "ERR_VERIFY_CHAIN_ISSUER", certificate });
  }
});

test("chain shape: type other than 5, wrong count, wrong roles", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const decoded = decodeQuote(quote);
  if (decoded.version !== 3) throw new Error("v3 vector expected");
  const type3 = encodeQuote({
    ...decoded,
    signatureData: { ...decoded.signatureData, certificationData: { type: 3, data: new Uint8Array(404) } },
  });
  assert.throws(() => verifyQuoteSignatures(type3), { code: "ERR_VERIFY_PCK_CHAIN_NOT_EMBEDDED", certDataType: 3 });
  assert.throws(() => verifyQuoteSignatures(withChain(quote, (d) => d.slice(0, 2))), { code: "ERR_VERIFY_CHAIN_LENGTH" });
  assert.throws(() => verifyQuoteSignatures(withChain(quote, (d) => [d[0]!, d[1]!, d[2]!, d[2]!])), { code: "ERR_VERIFY_CHAIN_LENGTH" });
  assert.throws(() => verifyQuoteSignatures(withChain(quote, (d) => [d[1]!, d[0]!, d[2]!])), {
    code: "ERR_VERIFY_CHAIN_ROLE",
    certificate: "leaf",
  });
});

test("the original 2033 issuance of the Intel root is recognised: the key is pinned, not the bytes", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const original = loadIntelRoot("original-2033");
  const current = loadIntelRoot("current");
  assert.notEqual(toHex(original), toHex(current));
  assert.equal(new X509Certificate(original).validTo.includes("2033"), true);
  const result = verifyQuoteSignatures(withChain(quote, (d) => [d[0]!, d[1]!, original]));
  assert.equal(result.rootKind, "intel");
});

test("simulated quotes: untrusted by default, accepted with the simulated root passed explicitly", async () => {
  const dir = await mkdtemp(join(tmpdir(), "verify-sim-"));
  try {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const keyId = defaultEcdsaAttKeyId();
    const report = createSimReport({ target: (await platform.initQuote(keyId)).targetInfo, reportData: new Uint8Array(64).fill(7) });
    const { quote } = await platform.getQuote({ report, attKeyId: keyId });
    assert.throws(() => verifyQuoteSignatures(quote), { code: "ERR_VERIFY_UNTRUSTED_ROOT", certificate: "root" });
    const intelOnly = { trustedRoots: [loadIntelRoot("current")] };
    assert.throws(() => verifyQuoteSignatures(quote, intelOnly), { code: "ERR_VERIFY_UNTRUSTED_ROOT" });
    const result = verifyQuoteSignatures(quote, { trustedRoots: [platform.rootCertificatePem] });
    assert.equal(result.rootKind, "simulated");
    assert.equal(result.fmspc, platform.facts.fmspc);
    assert.deepEqual(result.pck.tcb.components, platform.facts.tcbComponents);
    assert.equal(toHex(result.reportBody?.reportData ?? new Uint8Array()), "07".repeat(64));
    // An Intel quote stays "intel" when simulated roots are also trusted.
    assert.equal(
      verifyQuoteSignatures(loadVector("sgx-v3-phala").quote, { trustedRoots: [platform.rootCertificatePem] }).rootKind,
      "intel",
    );
    // A simulated chain cannot borrow Intel's name: swapping in Intel's root breaks the issuer check.
    const swapped = withChain(quote, (d) => [d[0]!, d[1]!, loadIntelRoot("current")]);
    assert.throws(() => verifyQuoteSignatures(swapped, { trustedRoots: [platform.rootCertificatePem] }), {
      code: "ERR_VERIFY_CHAIN_ISSUER",
      certificate: "intermediate",
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("trailing padding is ignored and reported", () => {
  const { quote } = loadVector("sgx-v3-phala");
  const padded = new Uint8Array(quote.byteLength + 4);
  padded.set(quote);
  assert.equal(verifyQuoteSignatures(padded).trailingBytes, 4);
});
