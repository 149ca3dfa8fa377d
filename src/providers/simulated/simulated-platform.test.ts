import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPublicKey, verify, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex, toHex } from "../../shared/bytes.ts";
import {
  createSimReport,
  defaultEcdsaAttKeyId,
  encodeTargetInfo,
  parseTargetInfo,
  verifySimReportMac,
  type TargetInfo,
} from "../../sgx/index.ts";
import { parsePemCertificateChain, readPckExtension } from "../../quote/index.ts";
import { SimulatedPlatform, type PlatformFacts } from "./index.ts";
import { simulatedAppReport } from "./test-helpers/app-quote.ts";

const KEY_ID = defaultEcdsaAttKeyId();

async function withStateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sim-platform-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The app REPORT these tests quote. */
function appReport(platform: SimulatedPlatform, reportData = fromHex("ab".repeat(64))): Promise<Uint8Array> {
  return simulatedAppReport(platform, { isvProdId: 9, reportData });
}

/** Public key object from raw x‖y. */
function p256Key(raw: Uint8Array) {
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
  return createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64(raw.subarray(0, 32)), y: b64(raw.subarray(32, 64)) }, format: "jwk" });
}

/** Checks a quote by raw offsets with node:crypto only (not via our decoder or verifier). */
function checkQuoteIndependently(quote: Uint8Array, report: Uint8Array, qeIdHex: string): X509Certificate[] {
  const buf = Buffer.from(quote);
  assert.equal(buf.readUInt16LE(0), 3);
  assert.equal(buf.readUInt16LE(2), 2);
  assert.equal(buf.readUInt32LE(4), 0);
  assert.equal(buf.readUInt16LE(8), 8);
  assert.equal(buf.readUInt16LE(10), 13);
  assert.equal(toHex(quote.subarray(12, 28)), "939a7233f79c4ca9940a0db3957f0607");
  assert.equal(toHex(quote.subarray(28, 48)), qeIdHex + "00000000");
  assert.deepEqual(quote.subarray(48, 432), report.subarray(0, 384));
  assert.equal(buf.readUInt32LE(432), quote.byteLength - 436);
  const attKey = quote.subarray(500, 564);
  const qeReport = quote.subarray(564, 948);
  assert.equal(buf.readUInt16LE(1012), 32);
  const authData = quote.subarray(1014, 1046);
  assert.equal(toHex(authData), toHex(Uint8Array.from({ length: 32 }, (_, i) => i)));
  assert.equal(buf.readUInt16LE(1046), 5);
  assert.equal(buf.readUInt32LE(1048), quote.byteLength - 1052);
  assert.equal(quote[quote.byteLength - 1], 0);
  const sigOpts = { dsaEncoding: "ieee-p1363" as const };
  assert.ok(verify("sha256", quote.subarray(0, 432), { key: p256Key(attKey), ...sigOpts }, quote.subarray(436, 500)), "quote signature");
  const chain = parsePemCertificateChain(quote.subarray(1052)).map((c) => new X509Certificate(c.der));
  assert.equal(chain.length, 3);
  assert.ok(verify("sha256", qeReport, { key: chain[0]!.publicKey, ...sigOpts }, quote.subarray(948, 1012)), "QE report signature");
  const binding = createHash("sha256").update(attKey).update(authData).digest();
  assert.deepEqual(qeReport.subarray(320, 352), new Uint8Array(binding));
  assert.ok(qeReport.subarray(352, 384).every((b) => b === 0));
  assert.equal(toHex(qeReport.subarray(128, 160)), "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  return chain;
}

test("a new state dir gets a complete platform; keys are private files", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const files = (await readdir(join(dir, "platform"))).sort();
    assert.deepEqual(files, [
      "attestation.key.pem",
      "pck-ca.key.pem",
      "pck-ca.pem",
      "pck.key.pem",
      "pck.pem",
      "platform.json",
      "root-ca.key.pem",
      "root-ca.pem",
      "tcb-signing.key.pem",
      "tcb-signing.pem",
    ]);
    for (const file of files.filter((f) => f.endsWith(".key.pem"))) {
      assert.equal((await stat(join(dir, "platform", file))).mode & 0o777, 0o600, file);
    }
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith(".platform-")),
      [],
    );
    const facts = JSON.parse(await readFile(join(dir, "platform", "platform.json"), "utf8")) as PlatformFacts;
    assert.deepEqual(facts, JSON.parse(JSON.stringify(platform.facts)));
    assert.equal(facts.fmspc, "ff53494d0000");
  });
});

test("the simulated chain: roles, names, constraints and signatures", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const { quote } = await platform.getQuote({ report: await appReport(platform), attKeyId: KEY_ID });
    const [leaf, ca, root] = checkQuoteIndependently(quote, await appReport(platform), platform.facts.qeId);
    assert.match(root!.subject, /CN=.*SIMULATED SGX Root CA \(not Intel\)/);
    assert.match(ca!.subject, /CN=.*SIMULATED SGX PCK Processor CA/);
    assert.match(leaf!.subject, /CN=.*SGX PCK Certificate/);
    assert.equal(root!.ca, true);
    assert.equal(ca!.ca, true);
    assert.equal(leaf!.ca, false);
    assert.ok(root!.verify(root!.publicKey) && ca!.verify(root!.publicKey) && leaf!.verify(ca!.publicKey));
    assert.ok(leaf!.checkIssued(ca!) && ca!.checkIssued(root!));
    assert.equal(root!.raw.equals(new X509Certificate(platform.rootCertificatePem).raw), true);
    assert.ok(new X509Certificate(platform.tcbSigningCertificatePem).verify(root!.publicKey));
  });
});

test("the PCK leaf's SGX extension holds the platform's stored values", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const facts = JSON.parse(await readFile(join(dir, "platform", "platform.json"), "utf8")) as PlatformFacts;
    const ext = readPckExtension(new X509Certificate(await readFile(join(dir, "platform", "pck.pem"))).raw);
    assert.equal(toHex(ext.ppid), facts.ppid);
    assert.equal(toHex(ext.fmspc), facts.fmspc);
    assert.equal(toHex(ext.pceId), "0000");
    assert.equal(ext.tcb.pceSvn, facts.pceSvn);
    assert.deepEqual(ext.tcb.components, facts.tcbComponents);
    assert.equal(toHex(ext.tcb.cpuSvn), facts.cpuSvn);
    assert.equal(ext.sgxType, 0);
    assert.equal(platform.pckExtension.tcb.pceSvn, facts.pceSvn);
  });
});

test("re-opening loads the same platform, and its old quotes still verify", async () => {
  await withStateDir(async (dir) => {
    const first = await SimulatedPlatform.open({ stateDir: dir });
    const report = await appReport(first);
    const { quote } = await first.getQuote({ report, attKeyId: KEY_ID });
    const second = await SimulatedPlatform.open({ stateDir: dir });
    assert.deepEqual(second.facts, first.facts);
    assert.equal(second.rootCertificatePem, first.rootCertificatePem);
    assert.deepEqual(second.attestationPublicKey, first.attestationPublicKey);
    assert.deepEqual((await second.initQuote(KEY_ID)).pubKeyId, (await first.initQuote(KEY_ID)).pubKeyId);
    checkQuoteIndependently(quote, report, second.facts.qeId);
    assert.deepEqual(quote.subarray(500, 564), second.attestationPublicKey);
    const again = await second.getQuote({ report, attKeyId: KEY_ID });
    checkQuoteIndependently(again.quote, report, first.facts.qeId);
    // Same key, QE report and chain; only the (randomised) ECDSA signatures differ.
    assert.deepEqual(again.quote.subarray(500, 948), quote.subarray(500, 948));
    assert.deepEqual(again.quote.subarray(1012), quote.subarray(1012));
  });
});

test("initQuote: QE target info and pub_key_id = SHA-256(att key ‖ auth data 00..1f)", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const { targetInfo, pubKeyId } = await platform.initQuote(KEY_ID);
    assert.equal(targetInfo.byteLength, 512);
    const ti = parseTargetInfo(targetInfo);
    assert.deepEqual(ti.attributes, { flags: 0x15n, xfrm: 0x3n });
    assert.equal(ti.miscSelect, 0);
    assert.equal(toHex(ti.mrEnclave), "a2e2904a2aa49f37fa4e8ef15e7a5c2e485996fc6c7a901d33059e82a3cbd200");
    assert.ok(
      targetInfo.subarray(48).every((b) => b === 0),
      "misc_select, config and reserved are zero",
    );
    const expected = createHash("sha256")
      .update(platform.attestationPublicKey)
      .update(Uint8Array.from({ length: 32 }, (_, i) => i))
      .digest();
    assert.deepEqual(pubKeyId, new Uint8Array(expected));
    assert.equal(
      await platform.quoteSize(KEY_ID),
      (await platform.getQuote({ report: await appReport(platform), attKeyId: KEY_ID })).quote.byteLength,
    );
    assert.deepEqual(platform.attKeyIds(), [KEY_ID]);
  });
});

test("qe_report_info: QE report for the app, MAC'd with the SIM scheme, report data = SHA-256(nonce ‖ quote)", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const report = await appReport(platform);
    const appTarget: TargetInfo = {
      mrEnclave: fromHex("5a".repeat(32)),
      attributes: { flags: 0x5n, xfrm: 0x3n },
      miscSelect: 0,
      configSvn: 0,
      configId: new Uint8Array(64),
    };
    const info = new Uint8Array(960);
    info.fill(0x4e, 0, 16);
    info.set(encodeTargetInfo(appTarget), 16);
    const result = await platform.getQuote({ report, attKeyId: KEY_ID, qeReportInfo: info });
    assert.ok(result.qeReportInfo);
    assert.deepEqual(result.qeReportInfo.subarray(0, 528), info.subarray(0, 528));
    const qeReport = result.qeReportInfo.subarray(528);
    assert.equal(verifySimReportMac(qeReport, appTarget), "sdk-2.19");
    const expected = createHash("sha256").update(info.subarray(0, 16)).update(result.quote).digest();
    assert.deepEqual(qeReport.subarray(320, 352), new Uint8Array(expected));
    assert.ok(qeReport.subarray(352, 384).every((b) => b === 0));
    assert.deepEqual(qeReport.subarray(0, 16), report.subarray(0, 16), "QE report cpu_svn = app's cpu_svn");
    assert.equal(toHex(qeReport.subarray(64, 96)), "a2e2904a2aa49f37fa4e8ef15e7a5c2e485996fc6c7a901d33059e82a3cbd200");
  });
});

test("a report with a bad MAC, or for another target, is refused with SGX_QL_INVALID_REPORT", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const report = await appReport(platform);
    report[320]! ^= 1;
    await assert.rejects(platform.getQuote({ report, attKeyId: KEY_ID }), { status: "SGX_QL_INVALID_REPORT", value: 0xe015 });
    const otherTarget = createSimReport({
      target: { ...parseTargetInfo((await platform.initQuote(KEY_ID)).targetInfo), mrEnclave: new Uint8Array(32) },
    });
    await assert.rejects(platform.getQuote({ report: otherTarget, attKeyId: KEY_ID }), { status: "SGX_QL_INVALID_REPORT" });
  });
});

test("an unknown attestation key id is refused", async () => {
  await withStateDir(async (dir) => {
    const platform = await SimulatedPlatform.open({ stateDir: dir });
    const other = defaultEcdsaAttKeyId();
    other[154] = 3;
    await assert.rejects(platform.initQuote(other), { status: "SGX_QL_UNSUPPORTED_ATT_KEY_ID" });
    await assert.rejects(platform.quoteSize(other), { status: "SGX_QL_UNSUPPORTED_ATT_KEY_ID" });
  });
});

test("a corrupt state directory is reported, not silently replaced", async () => {
  await withStateDir(async (dir) => {
    await SimulatedPlatform.open({ stateDir: dir });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "platform", "pck.key.pem"), "not a key");
    await assert.rejects(SimulatedPlatform.open({ stateDir: dir }), { code: "ERR_PROVIDER_STATE_INVALID" });
  });
});
