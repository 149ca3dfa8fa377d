/**
 * One test (or a small group) per group-B bug report (shared/research/bug-reports.md, BH-13 …
 * BH-25), built from the real vectors by re-encoding, with expected values from the research doc
 * (dcap-quote-format.md) and the vectors' expected.json, not from the code under test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCollateral, type Collateral } from "../collateral/index.ts";
import { decodeQuote, QuoteFormatError } from "../quote/index.ts";
import { appraiseVerdict, verifyQuote, verifyQuoteSignatures, type QuoteVerdict } from "./index.ts";
import { loadFullVector, type FullVectorName } from "../../test/fixtures/vectors.ts";
import { concat, getU32, latin1, pemBlocks, putU16, putU32, specLayout, withCertificationData } from "./test-helpers/quote-surgery.ts";

const collaterals = new Map<string, Collateral>();
async function vector(name: FullVectorName) {
  const v = loadFullVector(name);
  let c = collaterals.get(name);
  if (c === undefined) {
    c = await loadCollateral(v.dir);
    collaterals.set(name, c);
  }
  return { ...v, collateral: c };
}

const VERIFIED: readonly FullVectorName[] = ["sgx-v3-phala", "tdx-v4-phala", "tdx-v5-gotdx-quote-phala-collateral"];

function sigonlyQuote(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../test/fixtures/vectors/${name}/quote.bin`, import.meta.url)));
}

test("spec layout examples of §1.5/§1.6 hold on the vectors (the offsets the re-encodings below rely on)", async () => {
  const v3 = specLayout((await vector("sgx-v3-phala")).quote);
  assert.deepEqual(
    [v3.sigDataLen, v3.authSizeOffset, v3.authSize, v3.certTypeOffset, v3.certDataSize, v3.certDataOffset],
    [4164, 1012, 32, 1046, 3548, 1052],
  );
  const v4q = (await vector("tdx-v4-phala")).quote;
  const v4 = specLayout(v4q);
  assert.deepEqual(
    [v4.outerTypeOffset, getU32(v4q, 766), v4.authSizeOffset, v4.certTypeOffset, v4.certDataOffset],
    [764, 4166, 1218, 1252, 1258],
  );
  const v5 = specLayout((await vector("tdx-v5-gotdx-quote-phala-collateral")).quote);
  assert.deepEqual([v5.sigLenOffset, v5.outerTypeOffset, v5.certDataOffset], [702, 834, 1328]);
});

// ---------------------------------------------------------------------------------------------

test("BH-13: NUL bytes, CRLF and whitespace in the embedded PCK chain", async () => {
  for (const name of VERIFIED) {
    const v = await vector(name);
    const pems = pemBlocks(v.quote);
    assert.equal(pems.length, 3, name);
    const lf = pems.map((p) => `${p}\n`).join("");
    const forms: Array<[string, string]> = [
      ["exact (no terminator)", lf.trimEnd()],
      ["one NUL", `${lf}\0`],
      ["several NULs", `${lf}\0\0\0\0\0`],
      ["CRLF line ends", `${lf.replace(/\n/g, "\r\n")}\0`],
      ["trailing newline", `${lf}\n`],
      ["blank lines and trailing spaces between certificates", `${pems.join("  \n\n")}\n\0`],
    ];
    for (const [form, text] of forms) {
      const data = latin1(text);
      const quote = withCertificationData(v.quote, data);
      const r = verifyQuote(quote, v.collateral, { now: v.now });
      assert.equal(r.tcbStatus, v.expected.tcb_status, `${name}: ${form}`);
      // The chain is read from exactly cert_data_size bytes, and those bytes are what gets reported.
      assert.deepEqual(new Uint8Array(r.quote.raw.certificationData), data, `${name}: ${form}`);
      // With padding after the quote, the padding is not part of the chain.
      const padded = concat(quote, latin1("A-----BEGIN CERTIFICATE-----\n"));
      const p = verifyQuote(padded, v.collateral, { now: v.now });
      assert.deepEqual(new Uint8Array(p.quote.raw.certificationData), data);
      assert.equal(p.trailingBytes, 29);
    }
    for (const [form, text] of [
      ["NUL then garbage", `${lf}\0A`],
      ["garbage between certificates", `${pems[0]}\nX\n${pems[1]}\n${pems[2]}\n\0`],
      ["garbage before the chain", `junk${lf}\0`],
    ] as const) {
      assert.throws(
        () => verifyQuote(withCertificationData(v.quote, latin1(text)), v.collateral, { now: v.now }),
        (e: unknown) => e instanceof QuoteFormatError && e.code === "ERR_QUOTE_CERT_CHAIN",
        `${name}: ${form}`,
      );
    }
  }
  // A real quote whose chain has no trailing NUL (vector README) verifies its signatures.
  const occlum = sigonlyQuote("sigonly-sgx-v3-occlum-platform-ca");
  const L = specLayout(occlum);
  assert.notEqual(occlum[L.certDataOffset + L.certDataSize - 1], 0);
  assert.equal(verifyQuoteSignatures(occlum).rootKind, "intel");
});

// ---------------------------------------------------------------------------------------------

test("BH-14: zero padding after the quote is ignored and reported; a declared length past the end is rejected", async () => {
  const v = await vector("sgx-v3-phala");
  const L = specLayout(v.quote);
  assert.equal(v.quote.byteLength, L.end, "the vector has no padding of its own");
  const zero = verifyQuote(concat(v.quote, new Uint8Array(4)), v.collateral, { now: v.now });
  assert.equal(zero.tcbStatus, v.expected.tcb_status);
  assert.equal(zero.trailingBytes, 4);
  assert.equal(zero.trailingZeroPadding, true);
  // §1.2: QVL ignores everything after the signature data, whatever it is (a real vector ends in
  // 39 ASCII bytes), so non-zero padding is also ignored — and reported as not zero padding.
  const ascii = verifyQuote(concat(v.quote, latin1("AAAA")), v.collateral, { now: v.now });
  assert.equal(ascii.tcbStatus, v.expected.tcb_status);
  assert.equal(ascii.trailingBytes, 4);
  assert.equal(ascii.trailingZeroPadding, false);
  const spr = await vector("tdx-v4-gotdx-spr-tcb-not-supported");
  assert.equal(decodeQuote(spr.quote).trailingBytes, 39);
  assert.equal(decodeQuote(spr.quote).trailingBytesAllZero, false);
  // signature_data_len larger than the bytes present → truncated (field and offset named).
  const longer = v.quote.slice();
  putU32(longer, 432, L.sigDataLen + 1);
  assert.throws(() => decodeQuote(longer), { code: "ERR_QUOTE_TRUNCATED", field: "signature_data", offset: 436 });
  // Padding counted into signature_data_len (the rust-sgx mis-fix) → the declared length ≠ contents.
  const swallowed = concat(v.quote, new Uint8Array(4));
  putU32(swallowed, 432, L.sigDataLen + 4);
  assert.throws(() => decodeQuote(swallowed), { code: "ERR_QUOTE_LENGTH_MISMATCH", field: "signature_data_len", offset: 432 });
  // The trimmed quote (48 + 384 + 4 + signature_data_len) is byte-identical to the unpadded one.
  assert.deepEqual(new Uint8Array(decodeQuote(concat(v.quote, new Uint8Array(4))).raw.quote), v.quote);
});

// ---------------------------------------------------------------------------------------------

test("BH-15: v4 quotes nest certification data type 6 around the PCK chain", async () => {
  for (const name of ["tdx-v4-phala", "tdx-v5-gotdx-quote-phala-collateral"] as const) {
    const v = await vector(name);
    const L = specLayout(v.quote);
    const d = decodeQuote(v.quote);
    // QE report read at signature data + 134, not + 128 (§1.6): the TD QE's identity (§3.3).
    assert.equal(d.signatureData.qeReportBody.isvSvn, v.quoteFacts.qe_report_isvsvn, name);
    assert.equal(d.signatureData.qeReportBody.isvProdId, 2, "TD_QE ISVPRODID");
    assert.equal(d.signatureData.certificationData.type, 5, "inner type");
    assert.equal(verifyQuote(v.quote, v.collateral, { now: v.now }).tcbStatus, v.expected.tcb_status);
    const outer = L.outerTypeOffset!;
    const quote = v.quote.subarray(0, L.end);
    // Outer type 5 (flat v3-style) → rejected naming the field.
    const flat = quote.slice();
    putU16(flat, outer, 5);
    assert.throws(() => decodeQuote(flat), {
      code: "ERR_QUOTE_UNEXPECTED_CERT_DATA_TYPE",
      field: "signature_data.certification_data_type",
      offset: outer,
    });
    const S = getU32(quote, outer + 2);
    // Declared S one larger than its contents (nothing else changed).
    const plus = quote.slice();
    putU32(plus, outer + 2, S + 1);
    assert.throws(() => decodeQuote(plus), { code: "ERR_QUOTE_LENGTH_MISMATCH" });
    // S and signature_data_len one larger, one extra byte inside: the envelope's contents are 1 short.
    const grown = concat(quote, new Uint8Array(1));
    putU32(grown, outer + 2, S + 1);
    putU32(grown, L.sigLenOffset, L.sigDataLen + 1);
    assert.throws(() => decodeQuote(grown), { code: "ERR_QUOTE_LENGTH_MISMATCH" });
    // S and signature_data_len one smaller (last byte dropped): the contents overrun S.
    const shrunk = quote.slice(0, quote.byteLength - 1);
    putU32(shrunk, outer + 2, S - 1);
    putU32(shrunk, L.sigLenOffset, L.sigDataLen - 1);
    assert.throws(() => decodeQuote(shrunk), { code: "ERR_QUOTE_LENGTH_MISMATCH" });
    // S one smaller only.
    const minus = quote.slice();
    putU32(minus, outer + 2, S - 1);
    assert.throws(() => decodeQuote(minus), { code: "ERR_QUOTE_LENGTH_MISMATCH" });
  }
});

// ---------------------------------------------------------------------------------------------

test("BH-16: v5 quotes read report_data and MRTD after the 6-byte body descriptor", async () => {
  const v = await vector("tdx-v5-gotdx-quote-phala-collateral");
  const d = decodeQuote(v.quote);
  assert.equal(d.version, 5);
  assert.equal(d.body.type, "td15");
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  // §1.4: in-quote offset = 54 + field offset.
  assert.equal(hex(v.quote.subarray(54 + 520, 54 + 584)), v.quoteFacts.report_data);
  assert.equal(hex(v.quote.subarray(54 + 136, 54 + 184)), v.quoteFacts.mr_td);
  const r = verifyQuote(v.quote, v.collateral, { now: v.now });
  assert.equal(r.td?.reportData, v.quoteFacts.report_data);
  assert.equal(r.td?.mrTd, v.quoteFacts.mr_td);
  assert.equal(r.td?.teeTcbSvn2, v.quoteFacts.tee_tcb_svn2);
  // Signed region = header ‖ descriptor ‖ body = bytes 0..702 (§1.2).
  assert.equal(d.signedRegion.byteLength, 702);
  assert.deepEqual(new Uint8Array(d.signedRegion), v.quote.subarray(0, 702));
  // Body type 3 declared with the TD 1.0 size.
  const wrongSize = v.quote.slice();
  putU32(wrongSize, 50, 584);
  assert.throws(() => decodeQuote(wrongSize), { code: "ERR_QUOTE_LENGTH_MISMATCH", field: "body_descriptor.size", offset: 50 });
  // Unknown body type 9; SGX body type 1 in a TDX quote.
  for (const type of [9, 1, 0]) {
    const bad = v.quote.slice();
    putU16(bad, 48, type);
    assert.throws(() => decodeQuote(bad), { code: "ERR_QUOTE_UNSUPPORTED_BODY_TYPE" }, `type ${type}`);
  }
  // The v5 quote fed as v4 (descriptor removed): a typed format error, never a silent mis-parse.
  const asV4 = concat(v.quote.subarray(0, 48), v.quote.subarray(54));
  putU16(asV4, 0, 4);
  assert.throws(() => decodeQuote(asV4), QuoteFormatError);
  // A real v4 quote re-framed as v5 body type 2: same fields, but the signed region now includes
  // the descriptor, so it fails the quote signature — not a field comparison.
  const v4 = await vector("tdx-v4-phala");
  const L4 = specLayout(v4.quote);
  const descriptor = new Uint8Array(6);
  putU16(descriptor, 0, 2);
  putU32(descriptor, 2, 584);
  const asV5 = concat(v4.quote.subarray(0, 48), descriptor, v4.quote.subarray(48, L4.end));
  putU16(asV5, 0, 5);
  const d5 = decodeQuote(asV5);
  assert.equal(d5.body.type, "td10");
  assert.equal(hex(d5.body.report.reportData), v4.quoteFacts.report_data);
  assert.throws(() => verifyQuote(asV5, v4.collateral, { now: v4.now }), { code: "ERR_VERIFY_QUOTE_SIGNATURE" });
});

// ---------------------------------------------------------------------------------------------

test("BH-17: TDX module identity checks on real quotes (MRSIGNERSEAM, SEAMATTRIBUTES, missing TDX_<ver>)", async () => {
  // §4.5 step 15 runs before the quote signature (step 20): a changed body fails there first.
  for (const name of ["tdx-v4-phala", "tdx-v5-gotdx-quote-phala-collateral"] as const) {
    const v = await vector(name);
    const body = v.quote[0] === 5 ? 54 : 48;
    assert.equal(v.quote[body + 1], 1, "module major version 1 (TDX_01 used)");
    const signer = v.quote.slice();
    signer[body + 64 + 5]! ^= 1; // MRSIGNERSEAM
    assert.throws(() => verifyQuote(signer, v.collateral, { now: v.now }), { code: "ERR_VERIFY_TDX_MODULE_MISMATCH", quote3Value: 0xe060 });
    const attributes = v.quote.slice();
    attributes[body + 112] = 1; // SEAMATTRIBUTES must be zero
    assert.throws(() => verifyQuote(attributes, v.collateral, { now: v.now }), { code: "ERR_VERIFY_TDX_MODULE_MISMATCH" });
    const version2 = v.quote.slice();
    version2[body + 1] = 2; // no TDX_02 in the TCB Info
    assert.throws(() => verifyQuote(version2, v.collateral, { now: v.now }), { code: "ERR_VERIFY_TDX_MODULE_MISMATCH" });
    // Version 0: the base tdxModule applies (all-zero signer) and the module check passes; the
    // changed body then fails the quote signature.
    const version0 = v.quote.slice();
    version0[body + 1] = 0;
    assert.throws(() => verifyQuote(version0, v.collateral, { now: v.now }), { code: "ERR_VERIFY_QUOTE_SIGNATURE" });
  }
});

// ---------------------------------------------------------------------------------------------

test("BH-18: each verdict carries the platform, QE and TDX module statuses separately", async () => {
  const v = await vector("tdx-v4-zkdcap");
  const r = verifyQuote(v.quote, v.collateral, { now: v.now });
  assert.equal(r.tcbStatus, "OutOfDate");
  assert.equal(r.qeTcbStatus, "UpToDate");
  assert.ok(r.tdxModuleTcbStatus !== undefined, "module status reported for a module-version-1 TD");
  assert.ok(r.tdxTcbStatus !== undefined);
  const s = await vector("sgx-v3-phala");
  const rs = verifyQuote(s.quote, s.collateral, { now: s.now });
  assert.equal(rs.platformTcbStatus, "ConfigurationAndSWHardeningNeeded");
  assert.equal(rs.qeTcbStatus, "UpToDate");
  assert.equal(rs.tdxModuleTcbStatus, undefined);
});

// ---------------------------------------------------------------------------------------------

test("BH-19: the default policy accepts only UpToDate; every other status needs an explicit allow-list entry", async () => {
  const v = await vector("tdx-v4-phala");
  const up = verifyQuote(v.quote, v.collateral, { now: v.now });
  assert.equal(up.tcbStatus, "UpToDate");
  assert.deepEqual(appraiseVerdict(up), { accepted: true, reasons: [] });
  const others = [
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "TDRelaunchAdvised",
    "TDRelaunchAdvisedConfigurationNeeded",
  ] as const;
  for (const status of others) {
    const verdict: QuoteVerdict = { ...up, tcbStatus: status };
    const a = appraiseVerdict(verdict);
    assert.equal(a.accepted, false, status);
    assert.match(a.reasons.join("; "), new RegExp(status));
    assert.equal(appraiseVerdict(verdict, { acceptedStatuses: [status] }).accepted, true, `${status} allow-listed`);
    assert.equal(appraiseVerdict(verdict, { acceptedStatuses: ["UpToDate"] }).accepted, false);
  }
  // Revoked never reaches the policy: it is an error (tested end to end in tcb-status-merging.test.ts).
  // Real OutOfDate vector refused by default.
  const old = await vector("tdx-v4-zkdcap");
  assert.equal(appraiseVerdict(verifyQuote(old.quote, old.collateral, { now: old.now })).accepted, false);
  const s = await vector("sgx-v3-phala");
  assert.equal(appraiseVerdict(verifyQuote(s.quote, s.collateral, { now: s.now })).accepted, false);
});

// ---------------------------------------------------------------------------------------------

test("BH-20: advisory IDs are surfaced whatever the status and decided by policy (default: accept and report)", async () => {
  const v = await vector("tdx-v4-phala");
  const up = verifyQuote(v.quote, v.collateral, { now: v.now });
  assert.deepEqual(up.advisoryIds, []);
  const withAdvisory: QuoteVerdict = { ...up, advisoryIds: ["INTEL-SA-00000"] };
  assert.equal(appraiseVerdict(withAdvisory).accepted, true, "UpToDate + advisory accepted by default");
  assert.equal(appraiseVerdict(withAdvisory, { rejectedAdvisoryIds: ["INTEL-SA-00000"] }).accepted, false);
  assert.equal(appraiseVerdict(withAdvisory, { acceptedAdvisoryIds: ["INTEL-SA-00001"] }).accepted, false);
  assert.equal(appraiseVerdict(withAdvisory, { acceptedAdvisoryIds: ["INTEL-SA-00000"] }).accepted, true);
  // Real vectors: advisories of the matched level only (§4.8), as expected.json says.
  for (const name of ["sgx-v3-phala", "sgx-v3-zkdcap", "tdx-v4-zkdcap"] as const) {
    const x = await vector(name);
    assert.deepEqual(verifyQuote(x.quote, x.collateral, { now: x.now }).advisoryIds, x.expected.advisory_ids, name);
  }
});

// ---------------------------------------------------------------------------------------------

function crlNextUpdate(der: Uint8Array): Date {
  // Independent minimal DER walk: CertificateList → tbsCertList → [version] sig issuer thisUpdate nextUpdate.
  const b = Buffer.from(der);
  const header = (o: number): { tag: number; len: number; start: number } => {
    const tag = b[o]!;
    let len = b[o + 1]!;
    let start = o + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[o + 2 + i]!;
      start += n;
    }
    return { tag, len, start };
  };
  const tbs = header(header(0).start);
  let o = tbs.start;
  const fields: Array<{ tag: number; len: number; start: number }> = [];
  while (fields.length < 5) {
    const h = header(o);
    fields.push(h);
    o = h.start + h.len;
  }
  const rest = fields[0]!.tag === 0x02 ? fields.slice(1) : fields; // optional version
  const next = rest[3]!;
  const text = b.subarray(next.start, next.start + next.len).toString("latin1");
  const full = next.tag === 0x17 ? (Number(text.slice(0, 2)) >= 50 ? "19" : "20") + text : text; // UTCTime / GeneralizedTime
  return new Date(
    `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)}Z`,
  );
}

test("BH-21: expiry and not-yet-valid collateral at a caller-given time: a named flag, refused by the default policy", async () => {
  for (const name of ["sgx-v3-phala", "tdx-v4-phala"] as const) {
    const v = await vector(name);
    const c = v.collateral;
    const items: Array<[string, Date]> = [
      ["tcbInfo", new Date((JSON.parse(c.tcbInfo) as { nextUpdate: string }).nextUpdate)],
      ["qeIdentity", new Date((JSON.parse(c.qeIdentity) as { nextUpdate: string }).nextUpdate)],
      ["pckCrl", crlNextUpdate(c.pckCrl)],
      ["rootCaCrl", crlNextUpdate(c.rootCaCrl)],
    ];
    for (const [item, T] of items) {
      const before = verifyQuote(v.quote, c, { now: new Date(T.getTime() - 1000) });
      assert.ok(!before.expiredItems.some((e) => e.item === item), `${name} ${item} at T-1s`);
      const after = verifyQuote(v.quote, c, { now: new Date(T.getTime() + 1000) });
      const hit = after.expiredItems.find((e) => e.item === item);
      assert.ok(hit !== undefined, `${name} ${item} at T+1s`);
      assert.equal(hit.expiredAt.getTime(), T.getTime(), "the item's own nextUpdate");
      assert.equal(after.collateralExpired, true);
      assert.equal(after.tcbStatus, v.expected.tcb_status, "still a verdict, not an exception (QvE)");
      const a = appraiseVerdict(after, { acceptedStatuses: [after.tcbStatus] });
      assert.equal(a.accepted, false);
      assert.match(a.reasons.join("; "), new RegExp(item));
      assert.equal(appraiseVerdict(after, { acceptedStatuses: [after.tcbStatus], allowExpiredCollateral: true }).accepted, true);
    }
    // §4.1 step 5: flagged iff the earliest expiration ≤ t.
    const inWindow = verifyQuote(v.quote, c, { now: v.now });
    assert.equal(inWindow.collateralExpired, false);
    const earliest = Math.min(...items.map(([, d]) => d.getTime()));
    assert.ok(inWindow.earliestExpiration.getTime() <= earliest);
    // Not yet valid: issueDate after t is reported (QVL does not reject it).
    const issue = new Date((JSON.parse(c.tcbInfo) as { issueDate: string }).issueDate);
    const early = verifyQuote(v.quote, c, { now: new Date(issue.getTime() - 1000) });
    const nyv = early.notYetValidItems.find((e) => e.item === "tcbInfo");
    assert.ok(nyv !== undefined, "tcbInfo listed as not yet valid");
    assert.equal(nyv.validFrom.getTime(), issue.getTime());
    // ... but our default policy refuses it, as it refuses expired collateral.
    const refused = appraiseVerdict(early, { acceptedStatuses: [early.tcbStatus] });
    assert.equal(refused.accepted, false, "not-yet-valid collateral refused by default");
    assert.match(refused.reasons.join("; "), /not yet valid/);
  }
});

// ---------------------------------------------------------------------------------------------

test("BH-23: PCK certificates from the Processor CA and from the Platform CA both verify, each against its own CRL", async () => {
  const processor = await vector("sgx-v3-phala");
  const platform = await vector("tdx-v4-phala");
  const p = verifyQuote(processor.quote, processor.collateral, { now: processor.now });
  assert.equal(processor.quoteFacts.pck_issuer_ca, "Intel SGX PCK Processor CA");
  assert.equal(p.pckIssuer, "processor");
  const q = verifyQuote(platform.quote, platform.collateral, { now: platform.now });
  assert.equal(platform.quoteFacts.pck_issuer_ca, "Intel SGX PCK Platform CA");
  assert.equal(q.pckIssuer, "platform");
  // SGX quotes from Platform CA PCKs (multi-package) pass the chain layer.
  for (const name of ["sigonly-sgx-v3-occlum-platform-ca", "sigonly-sgx-v3-sgxtype2"]) {
    assert.equal(verifyQuoteSignatures(sigonlyQuote(name)).pckIssuerCommonName, "Intel SGX PCK Platform CA", name);
  }
  // The other CA's PCK CRL (with its own valid issuer chain) is refused for this PCK.
  const swap = (a: Collateral, b: Collateral): Collateral => ({ ...a, pckCrl: b.pckCrl, pckCrlIssuerChain: b.pckCrlIssuerChain });
  assert.throws(() => verifyQuote(processor.quote, swap(processor.collateral, platform.collateral), { now: processor.now }), {
    code: "ERR_VERIFY_CRL_ISSUER",
  });
  assert.throws(() => verifyQuote(platform.quote, swap(platform.collateral, processor.collateral), { now: platform.now }), {
    code: "ERR_VERIFY_CRL_ISSUER",
  });
});

// ---------------------------------------------------------------------------------------------

function isTyped(e: unknown): boolean {
  return e instanceof QuoteFormatError && e.code.startsWith("ERR_QUOTE_");
}

test("BH-25: lengths from the quote are bounded before use — typed errors, no RangeError/TypeError", async () => {
  const cases: Array<[string, Uint8Array, string]> = [];
  for (const name of VERIFIED) {
    const q = (await vector(name)).quote;
    const L = specLayout(q);
    const quote = q.subarray(0, L.end);
    // QE auth data size 0xFFFF with 2 bytes left.
    const auth = concat(quote.subarray(0, L.authSizeOffset + 2), new Uint8Array(2));
    putU16(auth, L.authSizeOffset, 0xffff);
    putU32(auth, L.sigLenOffset, auth.byteLength - L.sigDataOffset);
    if (L.outerTypeOffset !== undefined) putU32(auth, L.outerTypeOffset + 2, auth.byteLength - L.outerTypeOffset - 6);
    cases.push([`${name}: qe_auth_data_size 0xFFFF`, auth, L.version === 3 ? "ERR_QUOTE_TRUNCATED" : "ERR_QUOTE_LENGTH_MISMATCH"]);
    const cert = quote.slice();
    putU32(cert, L.certSizeOffset, 0xffffffff);
    cases.push([
      `${name}: certification data size 0xFFFFFFFF`,
      cert,
      L.version === 3 ? "ERR_QUOTE_TRUNCATED" : "ERR_QUOTE_LENGTH_MISMATCH",
    ]);
    const sig = quote.slice();
    putU32(sig, L.sigLenOffset, 0xffffffff);
    cases.push([`${name}: signature_data_len 0xFFFFFFFF`, sig, "ERR_QUOTE_TRUNCATED"]);
    if (L.outerTypeOffset !== undefined) {
      const outer = quote.slice();
      putU32(outer, L.outerTypeOffset + 2, 0xffffffff);
      cases.push([`${name}: type-6 size 0xFFFFFFFF`, outer, "ERR_QUOTE_LENGTH_MISMATCH"]);
    }
    if (L.version === 5) {
      const body = quote.slice();
      putU32(body, 50, 0xffffffff);
      cases.push([`${name}: v5 body size 0xFFFFFFFF`, body, "ERR_QUOTE_LENGTH_MISMATCH"]);
    }
  }
  for (const [what, bytes, code] of cases) {
    assert.throws(() => decodeQuote(bytes), { code }, what);
    assert.throws(() => verifyQuote(bytes, collaterals.get("sgx-v3-phala")!, { now: new Date() }), isTyped, what);
  }
  // A quote cut at every offset: always a typed error (speed is the benchmarks' business, not a test's).
  let cuts = 0;
  for (const name of VERIFIED) {
    const q = (await vector(name)).quote;
    const end = specLayout(q).end;
    for (let cut = 0; cut < end; cut++) {
      assert.throws(() => decodeQuote(q.slice(0, cut)), isTyped, `${name} cut at ${cut}`);
      cuts++;
    }
  }
  assert.ok(cuts > 10_000, `${cuts} cuts`);
  // Through the verifier too, for the first KiB (every offset).
  const s = await vector("sgx-v3-phala");
  for (let cut = 0; cut <= 1024; cut++) {
    assert.throws(() => verifyQuote(s.quote.subarray(0, cut), s.collateral, { now: s.now }), isTyped, `cut ${cut}`);
  }
});

test("BH-25: a declared length never makes the decoder allocate or copy more than the input", async () => {
  const q = (await vector("sgx-v3-phala")).quote;
  const L = specLayout(q);
  const auth = q.slice(0, L.end);
  putU16(auth, L.authSizeOffset, 0xffff); // within u16 range, beyond the buffer
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 200; i++) assert.throws(() => decodeQuote(auth), isTyped);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 200 * 0xffff, `array buffers grew by ${grown} bytes`);
});
