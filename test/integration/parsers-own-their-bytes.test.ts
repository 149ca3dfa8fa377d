import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { describe, it } from "node:test";
import { decodeQuote } from "../../src/quote/index.ts";
import {
  defaultEcdsaAttKeyId,
  parseAttKeyId,
  parseQeReportInfo,
  parseReport,
  parseReportBody,
  parseTargetInfo,
  targetInfoOfReportBody,
} from "../../src/sgx/index.ts";
import { SimulatedPlatform } from "../../src/providers/simulated/index.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedEnclave } from "../../src/client/index.ts";

/**
 * Every byte array reachable from `value`, with its contents now (hex). None may be a Buffer:
 * a caller's `slice` of a parsed field would then make a view again.
 */
function byteLeaves(value: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  if (value instanceof Uint8Array) {
    assert.ok(!Buffer.isBuffer(value), `${path} is a plain Uint8Array`);
    out.set(path, Buffer.from(value).toString("hex"));
  } else if (Array.isArray(value)) value.forEach((v, i) => byteLeaves(v, `${path}[${i}]`, out));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) byteLeaves(v, `${path}.${k}`, out);
  return out;
}

/** Parses a Buffer, then overwrites the Buffer: the parsed value must not change (Buffer#slice makes views). */
function assertOwnsItsBytes(name: string, input: Buffer, parse: (bytes: Uint8Array) => unknown): void {
  const parsed = parse(input);
  const before = byteLeaves(parsed);
  assert.ok(before.size > 0, `${name} has byte fields`);
  input.fill(0xee);
  assert.deepEqual(byteLeaves(parsed), before, name);
}

describe("parsed structures own their bytes, even when given a Buffer", () => {
  it("SGX structures", () => {
    assertOwnsItsBytes("sgx_target_info_t", randomBytes(512), parseTargetInfo);
    assertOwnsItsBytes("sgx_att_key_id_ext_t", Buffer.from(defaultEcdsaAttKeyId()), parseAttKeyId);
    assertOwnsItsBytes("sgx_report_t", randomBytes(432), parseReport);
    assertOwnsItsBytes("sgx_report_body_t", randomBytes(384), parseReportBody);
    assertOwnsItsBytes("target info of a report body", randomBytes(384), targetInfoOfReportBody);
    assertOwnsItsBytes("sgx_ql_qe_report_info_t", randomBytes(960), parseQeReportInfo);
  });

  it("quotes: SGX v3 and TDX v4 and v5 bodies and signature data", async () => {
    for (const vector of ["sgx-v3-phala", "tdx-v4-phala", "tdx-v5-phala-tcb-not-supported"]) {
      const bytes = await readFile(new URL(`../fixtures/vectors/${vector}/quote.bin`, import.meta.url));
      assertOwnsItsBytes(vector, bytes, (b) => {
        const { header, body, signatureData } = decodeQuote(b);
        return { header, body, signatureData };
      });
    }
  });

  it("the simulated platform leaves the caller's qe_report_info as it was", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sqh-own-"));
    try {
      const platform = await SimulatedPlatform.open({ stateDir: dir });
      const attKeyId = defaultEcdsaAttKeyId();
      const { targetInfo } = await platform.initQuote(attKeyId);
      const enclave = new SimulatedEnclave();
      const info = Buffer.concat([randomBytes(16), enclave.targetInfo(), Buffer.alloc(432, 0x33)]);
      const copy = Buffer.from(info);
      const result = await platform.getQuote({ report: enclave.createReport(targetInfo, Buffer.alloc(64)), attKeyId, qeReportInfo: info });
      assert.deepEqual(info, copy);
      assert.notDeepEqual(Buffer.from(result.qeReportInfo!.subarray(528)), Buffer.alloc(432, 0x33));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
