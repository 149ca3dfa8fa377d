import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { collateralFromBundle, collateralFromBundleObject, loadCollateral, type Collateral } from "../collateral/index.ts";
import { decodeQuote, QuoteFormatError } from "../quote/index.ts";
import { appraiseVerdict, prepareCollateral, verifyQuote, VerifyError } from "./index.ts";
import { FULL_VECTORS, loadFullVector, type FullVector } from "../../test/fixtures/vectors.ts";

function checkOutcome(v: FullVector, collateral: Collateral, how: string): void {
  if (v.expected.outcome === "verified") {
    const r = verifyQuote(v.quote, collateral, { now: v.now });
    assert.equal(r.tcbStatus, v.expected.tcb_status, how);
    assert.deepEqual(r.advisoryIds, v.expected.advisory_ids, how);
    assert.equal(r.qeTcbStatus, v.expected.qe_tcb_status, how);
    assert.equal(r.qvResultName, v.expected.intel_qv_result, how);
    assert.equal(r.collateralExpired, v.expected.collateral_expired, how);
    assert.equal(r.quoteVersion, v.quoteFacts.version);
    assert.equal(r.fmspc, v.quoteFacts.fmspc);
    assert.equal(r.trailingBytes, v.quoteFacts.trailing_bytes_after_signature_data);
    if (r.td !== undefined) {
      assert.equal(r.td.mrTd, v.quoteFacts.mr_td);
      assert.equal(r.td.reportData, v.quoteFacts.report_data);
      assert.equal(r.td.teeTcbSvn, v.quoteFacts.tee_tcb_svn);
    } else {
      assert.equal(r.enclave?.mrEnclave, v.quoteFacts.mrenclave);
      assert.equal(r.enclave?.reportData, v.quoteFacts.report_data);
    }
  } else {
    assert.equal(v.expected.error_kind, "TCB_NOT_SUPPORTED");
    assert.throws(() => verifyQuote(v.quote, collateral, { now: v.now }), {
      code: "ERR_VERIFY_TCB_NOT_SUPPORTED",
      quote3Status: "SGX_QL_TCB_NOT_SUPPORTED",
      quote3Value: 0xe066,
    });
  }
}

for (const name of FULL_VECTORS) {
  test(`${name}: expected.json outcome from split files, collateral.json, its parsed object, and prepared collateral`, async () => {
    const v = loadFullVector(name);
    checkOutcome(v, await loadCollateral(v.dir), "split files");
    checkOutcome(v, await loadCollateral(join(v.dir, "collateral.json")), "collateral.json");
    const bundleText = readFileSync(join(v.dir, "collateral.json"), "utf8");
    const bundle = JSON.parse(bundleText) as Record<string, string>;
    // The object form, with a CRL as an array of byte values (as some PCCS clients give it).
    const withByteArray = { ...bundle, root_ca_crl: [...Buffer.from(bundle.root_ca_crl!, "hex")] };
    checkOutcome(v, collateralFromBundleObject(withByteArray), "bundle object");
    const prepared = prepareCollateral(collateralFromBundle(bundleText));
    checkOutcome(v, prepared as unknown as Collateral, "prepared");
  });
}

test("collateral expiry is a flag with the earliest expiry, not an error (QvE)", async () => {
  const v = loadFullVector("sgx-v3-phala");
  const collateral = await loadCollateral(v.dir);
  const inWindow = verifyQuote(v.quote, collateral, { now: v.now });
  const late = verifyQuote(v.quote, collateral, { now: new Date(inWindow.earliestExpiration.getTime() + 1000) });
  assert.equal(late.collateralExpired, true);
  assert.equal(late.tcbStatus, inWindow.tcbStatus);
  assert.ok(late.expiredItems.length > 0);
  const justBefore = verifyQuote(v.quote, collateral, { now: new Date(inWindow.earliestExpiration.getTime() - 1000) });
  assert.equal(justBefore.collateralExpired, false);
  assert.equal(appraiseVerdict(late, { acceptedStatuses: [late.tcbStatus] }).accepted, false);
  assert.throws(() => verifyQuote(v.quote, collateral, { now: new Date(Number.NaN) }), { code: "ERR_VERIFY_INVALID_TIME" });
});

test("the collateral of one vector does not verify another's quote (FMSPC / TEE mismatch)", async () => {
  const sgx = loadFullVector("sgx-v3-phala");
  const tdx = loadFullVector("tdx-v4-phala");
  const tdxCollateral = await loadCollateral(tdx.dir);
  assert.throws(() => verifyQuote(sgx.quote, tdxCollateral, { now: sgx.now }), VerifyError);
  const zkCollateral = await loadCollateral(loadFullVector("sgx-v3-zkdcap").dir);
  assert.throws(() => verifyQuote(sgx.quote, zkCollateral, { now: sgx.now }), {
    code: "ERR_VERIFY_TCB_INFO_MISMATCH",
    quote3Status: "SGX_QL_TCBINFO_MISMATCH",
  });
});

/** Mutation: flip one bit at each sampled offset of a region; verification must fail, never pass. */
function mutate(bytes: Uint8Array, offset: number): Uint8Array {
  const copy = bytes.slice();
  copy[offset]! ^= 0x01;
  return copy;
}

function sample(start: number, end: number, count: number): number[] {
  const out = new Set<number>([start, end - 1]);
  const step = Math.max(1, Math.floor((end - start) / count));
  for (let i = start; i < end; i += step) out.add(i);
  return [...out];
}

const ACCEPTED_QUOTE_MUTATION_ERRORS = new Set([
  "ERR_VERIFY_QUOTE_SIGNATURE",
  "ERR_VERIFY_QE_REPORT_SIGNATURE",
  "ERR_VERIFY_KEY_BINDING",
  "ERR_VERIFY_QE_VENDOR",
  "ERR_VERIFY_ATTESTATION_KEY",
  "ERR_VERIFY_TDX_MODULE_MISMATCH",
  "ERR_VERIFY_QE_IDENTITY_MISMATCH",
]);

for (const name of FULL_VECTORS) {
  test(`${name}: every sampled byte flip in the quote's signed regions fails verification`, async () => {
    const v = loadFullVector(name);
    const prepared = prepareCollateral(await loadCollateral(v.dir));
    const q = decodeQuote(v.quote);
    const L = q.layout;
    const regions: Array<[string, number, number, ReadonlySet<string>]> = [
      ["header+body", 0, L.signatureDataLengthOffset, ACCEPTED_QUOTE_MUTATION_ERRORS],
      ["quote signature", L.signatureDataOffset, L.signatureDataOffset + 64, new Set(["ERR_VERIFY_QUOTE_SIGNATURE"])],
      ["attestation key", L.signatureDataOffset + 64, L.signatureDataOffset + 128, new Set(["ERR_VERIFY_KEY_BINDING"])],
      ["QE report", L.qeReportOffset, L.qeReportOffset + 384, new Set(["ERR_VERIFY_QE_REPORT_SIGNATURE"])],
      ["QE report signature", L.qeReportOffset + 384, L.qeReportOffset + 448, new Set(["ERR_VERIFY_QE_REPORT_SIGNATURE"])],
      ["QE auth data", L.qeReportOffset + 450, L.qeReportOffset + 450 + q.raw.qeAuthData.byteLength, new Set(["ERR_VERIFY_KEY_BINDING"])],
    ];
    let tried = 0;
    for (const [what, start, end, codes] of regions) {
      for (const offset of sample(start, end, 24)) {
        tried++;
        assert.throws(
          () => verifyQuote(mutate(v.quote, offset), prepared, { now: v.now }),
          (err: unknown) =>
            (err instanceof VerifyError && codes.has(err.code)) || (what === "header+body" && err instanceof QuoteFormatError),
          `${what} @${offset}`,
        );
      }
    }
    // Certificates: any flip inside the PEM text (base64 payload) must not be accepted.
    const certStart = L.certificationDataOffset;
    const certEnd = certStart + q.raw.certificationData.byteLength;
    for (const offset of sample(certStart + 40, certEnd - 40, 40)) {
      if (/[\s-]/.test(String.fromCharCode(v.quote[offset]!))) continue; // whitespace flips to whitespace: same DER
      tried++;
      assert.throws(
        () => verifyQuote(mutate(v.quote, offset), prepared, { now: v.now }),
        // A typed verdict error, never a crash.
        (err: unknown) => err instanceof VerifyError || err instanceof QuoteFormatError,
        `cert @${offset}`,
      );
    }
    assert.ok(tried > 150);
  });

  test(`${name}: every sampled change in TCB Info, QE identity, CRLs and chains fails verification`, async () => {
    const v = loadFullVector(name);
    const base = await loadCollateral(v.dir);
    const textFlip = (text: string, i: number): string => {
      const c = text.charCodeAt(i);
      // Keep the JSON well-formed where possible: digits to digits, letters to letters.
      const next =
        c >= 48 && c <= 57
          ? 48 + ((c - 48 + 1) % 10)
          : c === 0x22 || c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x2c || c === 0x3a
            ? c
            : c ^ 0x01;
      return text.slice(0, i) + String.fromCharCode(next) + text.slice(i + 1);
    };
    const cases: Array<[string, () => Collateral]> = [];
    for (const i of sample(0, base.tcbInfo.length, 30))
      cases.push([`tcbInfo @${i}`, () => ({ ...base, tcbInfo: textFlip(base.tcbInfo, i) })]);
    for (const i of sample(0, base.qeIdentity.length, 20))
      cases.push([`qeIdentity @${i}`, () => ({ ...base, qeIdentity: textFlip(base.qeIdentity, i) })]);
    for (const i of sample(0, 64, 8))
      cases.push([`tcbInfoSignature @${i}`, () => ({ ...base, tcbInfoSignature: mutate(base.tcbInfoSignature, i) })]);
    for (const i of sample(0, 64, 8))
      cases.push([`qeIdentitySignature @${i}`, () => ({ ...base, qeIdentitySignature: mutate(base.qeIdentitySignature, i) })]);
    for (const i of sample(0, base.pckCrl.byteLength, 30))
      cases.push([`pckCrl @${i}`, () => ({ ...base, pckCrl: mutate(base.pckCrl, i) })]);
    for (const i of sample(0, base.rootCaCrl.byteLength, 20))
      cases.push([`rootCaCrl @${i}`, () => ({ ...base, rootCaCrl: mutate(base.rootCaCrl, i) })]);
    for (const key of ["tcbInfoIssuerChain", "qeIdentityIssuerChain", "pckCrlIssuerChain"] as const) {
      const pem = base[key];
      for (const i of sample(40, pem.length - 40, 12)) {
        if (/\s|-/.test(pem[i]!)) continue;
        cases.push([`${key} @${i}`, () => ({ ...base, [key]: textFlip(pem, i) })]);
      }
    }
    for (const [what, make] of cases) {
      const collateral = make();
      if (JSON.stringify(Object.values(collateral).map(String)) === JSON.stringify(Object.values(base).map(String))) continue; // structural char kept
      let accepted = false;
      try {
        verifyQuote(v.quote, collateral, { now: v.now });
        accepted = true;
      } catch (error) {
        assert.ok(error instanceof VerifyError, `${what}: ${String(error)}`);
      }
      assert.equal(accepted, false, `${what} was accepted`);
    }
  });
}

test("a collateral object changed in place after a first verification is judged afresh, never by a stale check", () => {
  const v = loadFullVector("sgx-v3-phala");
  const collateral = collateralFromBundle(readFileSync(join(v.dir, "collateral.json"), "utf8"));
  assert.equal(verifyQuote(v.quote, collateral, { now: v.now }).tcbStatus, v.expected.tcb_status);
  collateral.tcbInfoSignature[10]! ^= 1;
  assert.throws(() => verifyQuote(v.quote, collateral, { now: v.now }), { code: "ERR_VERIFY_TCB_INFO_SIGNATURE" });
});

test("a bundle that is not a JSON object is a typed collateral error", () => {
  for (const bundle of [null, [], "text", 42]) {
    assert.throws(() => collateralFromBundleObject(bundle), { code: "ERR_COLLATERAL_BUNDLE" });
  }
  assert.throws(() => collateralFromBundle("{"), { code: "ERR_COLLATERAL_BUNDLE" });
  const v = loadFullVector("sgx-v3-phala");
  const bundle = JSON.parse(readFileSync(join(v.dir, "collateral.json"), "utf8")) as Record<string, unknown>;
  assert.throws(() => collateralFromBundleObject({ ...bundle, pck_crl_issuer_chain: 1 }), {
    code: "ERR_COLLATERAL_BUNDLE",
    item: "pck_crl_issuer_chain",
  });
});

test("a trusted root that is not a certificate is a typed error, not a crash", () => {
  const v = loadFullVector("sgx-v3-phala");
  const collateral = collateralFromBundle(readFileSync(join(v.dir, "collateral.json"), "utf8"));
  assert.throws(() => verifyQuote(v.quote, collateral, { now: v.now, trustedRoots: ["garbage"] }), { code: "ERR_VERIFY_TRUSTED_ROOT" });
});
