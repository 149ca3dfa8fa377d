import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../shared/bytes.ts";
import { encodeQeReportInfo, parseQeReportInfo } from "./qe-report-info.ts";
import { encodeReport, encodeReportBody, parseReport, parseReportBody } from "./report.ts";
import { encodeTargetInfo, parseTargetInfo, targetInfoOfReportBody } from "./target-info.ts";

// A report body with every field set to a distinct pattern, placed by raw offsets (aesm-protocol §5.1).
function patternedBody(): Uint8Array {
  const b = new Uint8Array(384);
  b.fill(0xc1, 0, 16);
  b.set([0x78, 0x56, 0x34, 0x12], 16); // misc_select 0x12345678
  b.fill(0xe1, 32, 48);
  b.set([0x15, 0, 0, 0, 0, 0, 0, 0x80, 0xe7, 0, 0, 0, 0, 0, 0, 0], 48);
  b.fill(0xaa, 64, 96);
  b.fill(0xbb, 128, 160);
  b.fill(0xcc, 192, 256);
  b.set([0x34, 0x12, 0x02, 0x01, 0x05, 0x00], 256);
  b.fill(0xf1, 304, 320);
  b.fill(0xdd, 320, 384);
  return b;
}

test("report body fields decode from their documented offsets and re-encode byte-exactly", () => {
  const raw = patternedBody();
  const body = parseReportBody(raw);
  assert.equal(toHex(body.cpuSvn), "c1".repeat(16));
  assert.equal(body.miscSelect, 0x12345678);
  assert.equal(toHex(body.isvExtProdId), "e1".repeat(16));
  assert.deepEqual(body.attributes, { flags: 0x8000000000000015n, xfrm: 0xe7n });
  assert.equal(toHex(body.mrEnclave), "aa".repeat(32));
  assert.equal(toHex(body.mrSigner), "bb".repeat(32));
  assert.equal(toHex(body.configId), "cc".repeat(64));
  assert.equal(body.isvProdId, 0x1234);
  assert.equal(body.isvSvn, 0x0102);
  assert.equal(body.configSvn, 5);
  assert.equal(toHex(body.isvFamilyId), "f1".repeat(16));
  assert.equal(toHex(body.reportData), "dd".repeat(64));
  assert.deepEqual(encodeReportBody(body), raw);
});

test("REPORT = body ‖ key_id ‖ mac, and size is checked", () => {
  const raw = new Uint8Array(432);
  raw.set(patternedBody());
  raw.fill(0x99, 384, 416);
  raw.fill(0x77, 416, 432);
  const report = parseReport(raw);
  assert.equal(toHex(report.keyId), "99".repeat(32));
  assert.equal(toHex(report.mac), "77".repeat(16));
  assert.deepEqual(encodeReport(report), raw);
  assert.throws(() => parseReport(raw.subarray(0, 431)), { code: "ERR_SGX_BAD_SIZE" });
});

test("target info layout and the target info of a report body", () => {
  const raw = new Uint8Array(512);
  raw.fill(0xaa, 0, 32);
  raw.set([0x15, 0, 0, 0, 0, 0, 0, 0x80, 0xe7, 0, 0, 0, 0, 0, 0, 0], 32);
  raw.set([0x05, 0x00], 50);
  raw.set([0x78, 0x56, 0x34, 0x12], 52);
  raw.fill(0xcc, 64, 128);
  const target = parseTargetInfo(raw);
  assert.deepEqual(encodeTargetInfo(target), raw);
  assert.deepEqual(encodeTargetInfo(targetInfoOfReportBody(patternedBody())), raw);
  assert.throws(() => parseTargetInfo(new Uint8Array(511)), { code: "ERR_SGX_BAD_SIZE" });
});

test("qe_report_info splits at 16 and 528", () => {
  const raw = new Uint8Array(960);
  raw.fill(1, 0, 16);
  raw.fill(2, 16, 528);
  raw.fill(3, 528, 960);
  const info = parseQeReportInfo(raw);
  assert.equal(toHex(info.nonce), "01".repeat(16));
  assert.equal(
    info.appEnclaveTargetInfo.every((b) => b === 2),
    true,
  );
  assert.equal(info.qeReport.every((b) => b === 3) && info.qeReport.byteLength === 432, true);
  assert.deepEqual(encodeQeReportInfo(info), raw);
  assert.throws(() => parseQeReportInfo(fromHex("00")), { code: "ERR_SGX_BAD_SIZE" });
});
