import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../shared/bytes.ts";
import { AttributeFlags } from "./constants.ts";
import { parseReport } from "./report.ts";
import { createSimReport } from "./sim-report.ts";
import {
  deriveLegacySimReportKey,
  deriveSimReportKey,
  legacySimReportKeyDerivationData,
  macSimReport,
  simReportKeyDerivationData,
  SimReportMacChecker,
  verifySimReportMac,
} from "./sim-report-mac.ts";
import type { TargetInfo } from "./target-info.ts";

// Vectors from the research note "SGX SDK simulation mode: REPORT MAC scheme and test vectors" §4,
// computed with Intel's SIM _EREPORT/_EGETKEY and re-checked with Python's cryptography CMAC.
const CPUSVN = "4820f3376ae6b2f2034d3b7a4b48a778";
// B1 is built from the note's field list by raw offsets. (The note's printed B1 hex lacks its final
// nibble; its first 767 hex digits equal these bytes, which the prefix test below checks.)
const B1_PRINTED_PREFIX =
  "4820f3376ae6b2f2034d3b7a4b48a778000000000000000000000000000000000000000000000000000000000000000007000000000000000300000000000000333333333333333333333333333333333333333333333333333333333333333300000000000000000000000000000000000000000000000000000000000000004444444444444444444444444444444444444444444444444444444444444444000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000070003000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222";
const B1 = ((): string => {
  const body = new Uint8Array(384);
  body.set(fromHex(CPUSVN), 0);
  body[48] = 0x07; // flags
  body[56] = 0x03; // xfrm
  body.fill(0x33, 64, 96); // mr_enclave
  body.fill(0x44, 128, 160); // mr_signer
  body[256] = 7; // isv_prod_id
  body[258] = 3; // isv_svn
  body.fill(0x22, 320, 384); // report_data
  return toHex(body);
})();
const SIM_KEY_ID = "ff00ff00ff00ff00ff00ff00ff00ff0000000000000000000000000000000000";
const ALT_KEY_ID = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

const T1: TargetInfo = {
  mrEnclave: fromHex("11".repeat(32)),
  attributes: { flags: 0x7n, xfrm: 0x3n },
  miscSelect: 0,
  configSvn: 0,
  configId: new Uint8Array(64),
};
const T2: TargetInfo = {
  mrEnclave: fromHex("11".repeat(32)),
  attributes: { flags: 0x87n, xfrm: 0x3n },
  miscSelect: 1,
  configSvn: 5,
  configId: Uint8Array.from({ length: 64 }, (_, i) => i),
};

const V1 = {
  dd: "030000000000000007000000000000000300000000000000000000005448495349534f574e455245504f434811111111111111111111111111111111111111111111111111111111111111114820f3376ae6b2f2034d3b7a4b48a778000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff00ff00ff00ff00ff00ff00ff00ff00000000000000000000000000000000000000",
  key: "c2af18e4da53e9fe3526320df8fbc640",
  mac: "7cf328b2aa852cbc939c0ba580cc66c7",
};
const V2 = {
  dd: "030000000000000087000000000000000300000000000000010000005448495349534f574e455245504f434811111111111111111111111111111111111111111111111111111111111111114820f3376ae6b2f2034d3b7a4b48a7780500000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3fff00ff00ff00ff00ff00ff00ff00ff00000000000000000000000000000000000000",
  key: "8b1434bc5013c63aea0dc7a974ee694f",
  mac: "c72f127e30d78bb42bbd2c0bf8a60b37",
};
const V3 = {
  t1: { key: "82d1f98a74beb7555f48eb6b72c65282", mac: "b3b5a51098c58bbcae7f6941415d541d" },
  t2: { key: "fc8f584c235ebb36971a2f64011a91b4", mac: "1a2a67b452ebb4401bed775285ce0d87" },
};
const LEGACY = {
  t1: {
    dd: "0300000000000000070000000000000003000000000000005448495349534f574e455245504f434811111111111111111111111111111111111111111111111111111111111111114820f3376ae6b2f2034d3b7a4b48a778ff00ff00ff00ff00ff00ff00ff00ff0000000000000000000000000000000000",
    key: "9aefd174083a9cf2451436c28c4d7120",
    mac: "0372d80372076fbf3e0f3968b98c7875",
  },
  t2: {
    dd: "0300000000000000870000000000000003000000000000005448495349534f574e455245504f434811111111111111111111111111111111111111111111111111111111111111114820f3376ae6b2f2034d3b7a4b48a778ff00ff00ff00ff00ff00ff00ff00ff0000000000000000000000000000000000",
    key: "902ab1ea966e7aeed9384ca9102b63c3",
    mac: "7969df31b374da9cf2c88d65e93e8e6a",
  },
};

const cpuSvn = fromHex(CPUSVN);
const report = (keyId: string, mac: string): Uint8Array => fromHex(B1 + keyId + mac);

test("B1 built from the field list matches the note's printed bytes", () => {
  assert.equal(B1.length, 768);
  assert.ok(B1.startsWith(B1_PRINTED_PREFIX));
});

test("V1: derivation buffer, report key and MAC for target T1", () => {
  const keyId = fromHex(SIM_KEY_ID);
  assert.equal(toHex(simReportKeyDerivationData(T1, cpuSvn, keyId)), V1.dd);
  const key = deriveSimReportKey(T1, cpuSvn, keyId);
  assert.equal(toHex(key), V1.key);
  assert.equal(toHex(macSimReport(key, fromHex(B1))), V1.mac);
  assert.equal(verifySimReportMac(report(SIM_KEY_ID, V1.mac), T1), "sdk-2.19");
});

test("V2: KSS target T2 with misc_select, config_svn and config_id", () => {
  const keyId = fromHex(SIM_KEY_ID);
  assert.equal(toHex(simReportKeyDerivationData(T2, cpuSvn, keyId)), V2.dd);
  const key = deriveSimReportKey(T2, cpuSvn, keyId);
  assert.equal(toHex(key), V2.key);
  assert.equal(toHex(macSimReport(key, fromHex(B1))), V2.mac);
  assert.equal(verifySimReportMac(report(SIM_KEY_ID, V2.mac), T2), "sdk-2.19");
});

test("V3: any key_id verifies because it is taken from the report", () => {
  const keyId = fromHex(ALT_KEY_ID);
  assert.equal(toHex(deriveSimReportKey(T1, cpuSvn, keyId)), V3.t1.key);
  assert.equal(toHex(deriveSimReportKey(T2, cpuSvn, keyId)), V3.t2.key);
  assert.equal(verifySimReportMac(report(ALT_KEY_ID, V3.t1.mac), T1), "sdk-2.19");
  assert.equal(verifySimReportMac(report(ALT_KEY_ID, V3.t2.mac), T2), "sdk-2.19");
});

test("negative: T1 report checked by T2, flipped report_data, different mr_enclave", () => {
  assert.equal(verifySimReportMac(report(SIM_KEY_ID, V1.mac), T2), null);
  for (const [target, mac] of [
    [T1, V1.mac],
    [T2, V2.mac],
  ] as const) {
    const flipped = report(SIM_KEY_ID, mac);
    flipped[320] = 0x23;
    assert.equal(verifySimReportMac(flipped, target), null);
    const otherEnclave = { ...target, mrEnclave: fromHex("10" + "11".repeat(31)) };
    assert.equal(verifySimReportMac(report(SIM_KEY_ID, mac), otherEnclave), null);
  }
});

test("legacy SDK 2.18.1 layout: 120-byte buffer, accepted as a fallback", () => {
  const keyId = fromHex(SIM_KEY_ID);
  for (const [target, v] of [
    [T1, LEGACY.t1],
    [T2, LEGACY.t2],
  ] as const) {
    assert.equal(toHex(legacySimReportKeyDerivationData(target, cpuSvn, keyId)), v.dd);
    assert.equal(toHex(deriveLegacySimReportKey(target, cpuSvn, keyId)), v.key);
    assert.equal(verifySimReportMac(report(SIM_KEY_ID, v.mac), target), "sdk-2.18");
  }
});

test("createSimReport reproduces the SIM _EREPORT bytes B1 ‖ key_id ‖ MAC (V1 and V2)", () => {
  const fields = {
    attributes: { flags: AttributeFlags.INITTED | AttributeFlags.DEBUG | AttributeFlags.MODE64BIT, xfrm: 3n },
    mrEnclave: fromHex("33".repeat(32)),
    mrSigner: fromHex("44".repeat(32)),
    isvProdId: 7,
    isvSvn: 3,
    reportData: fromHex("22".repeat(64)),
  };
  assert.equal(toHex(createSimReport({ target: T1, ...fields })), B1 + SIM_KEY_ID + V1.mac);
  assert.equal(toHex(createSimReport({ target: T2, ...fields })), B1 + SIM_KEY_ID + V2.mac);
  const parsed = parseReport(createSimReport({ target: T1, ...fields, keyId: fromHex(ALT_KEY_ID) }));
  assert.equal(toHex(parsed.mac), V3.t1.mac);
});

test("verifySimReportMac refuses a report that is not 432 bytes", () => {
  assert.throws(() => verifySimReportMac(new Uint8Array(431), T1), { code: "ERR_SGX_BAD_SIZE" });
});

test("SimReportMacChecker gives the same verdicts as verifySimReportMac, with cached keys", () => {
  const checker = new SimReportMacChecker(T1);
  assert.equal(checker.check(report(SIM_KEY_ID, V1.mac)), "sdk-2.19");
  assert.equal(checker.check(report(SIM_KEY_ID, V1.mac)), "sdk-2.19");
  assert.equal(checker.check(report(ALT_KEY_ID, V3.t1.mac)), "sdk-2.19");
  assert.equal(checker.check(report(SIM_KEY_ID, LEGACY.t1.mac)), "sdk-2.18");
  assert.equal(checker.check(report(SIM_KEY_ID, V2.mac)), null);
});
