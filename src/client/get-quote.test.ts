// getQuote() against a scripted fake AESM service: the DCAP out-of-proc sequence of
// aesm-protocol.md 3.2, the default key id of 3.3, quote trimming (2.4, 3.7), qe_report_info (3.6)
// and the sgx_status_t -> quote3_error_t conversion of 4.5.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { hasField } from "../protocol/index.ts";
import { Quote3Error, Quote3Status, createSimReport } from "../sgx/index.ts";
import { AesmClient } from "./aesm-client.ts";
import { AesmClientError } from "./errors.ts";
import { getQuote } from "./get-quote.ts";
import { SgxStatus } from "./sgx-status.ts";
import { SimulatedEnclave } from "./simulated-enclave.ts";
import {
  createFakeAesmHarness,
  hex,
  reply,
  type FakeAesmHarness,
  type FakeReply,
  type ReceivedRequest,
} from "./test-helpers/fake-aesm-server.ts";

/** The default ECDSA-P256 QE3 att key id, from the table in 3.3. */
const DEFAULT_KEY_ID = (() => {
  const id = Buffer.alloc(256);
  hex("00 00 00 00 20 00").copy(id, 0);
  hex("8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff").copy(id, 6);
  hex("01 00 00 00").copy(id, 54);
  hex("02 00 00 00").copy(id, 154);
  return id;
})();

/** A QE target info (5.2): mr_enclave 32xEE, flags INITTED|MODE64BIT 0x5, xfrm 0x3. */
const QE_TARGET = (() => {
  const t = Buffer.alloc(512);
  Buffer.alloc(32, 0xee).copy(t, 0);
  t.writeBigUInt64LE(0x5n, 32);
  t.writeBigUInt64LE(0x3n, 40);
  return t;
})();

/** A quote of 1456 real bytes (3.7: without a quote provider) with signature_data_len at 432, zero-padded to `bufSize`. */
const REAL_QUOTE_BYTES = 1456;
function paddedQuote(bufSize: number, realBytes = REAL_QUOTE_BYTES): Buffer {
  const quote = Buffer.alloc(bufSize);
  for (let i = 0; i < realBytes; i++) quote[i] = (i * 13 + 1) & 0xff || 1;
  quote.writeUInt32LE(realBytes - 436, 432);
  return quote;
}

interface Script {
  probePubKeyIdSize?: bigint;
  quoteSize?: number;
  quote?: (bufSize: number) => Buffer;
  qeReportInfo?: (request: Uint8Array) => Buffer;
  errorOn?: { kind: string; errorCode: number };
}

/** Answers like Intel's aesmd on the ECDSA path (3.4), with the overrides in `script`. */
function scripted(script: Script = {}): (received: ReceivedRequest) => FakeReply {
  return ({ request }) => {
    assert.ok(request, "the client sent a parseable request");
    const payload = request.payload as Record<string, unknown>;
    if (script.errorOn?.kind === request.kind) {
      const errorCode = script.errorOn.errorCode;
      if (request.kind === "initQuoteExReq") return reply("initQuoteExRes", { errorCode, pubKeyIdSize: 0n });
      if (request.kind === "getQuoteSizeExReq") return reply("getQuoteSizeExRes", { errorCode, quoteSize: 0 });
      return reply("getQuoteExRes", { errorCode });
    }
    if (request.kind === "initQuoteExReq") {
      return payload["bPubKeyId"] === true
        ? reply("initQuoteExRes", { errorCode: 0, targetInfo: QE_TARGET, pubKeyIdSize: 32n, pubKeyId: Buffer.alloc(32, 0x99) })
        : reply("initQuoteExRes", { errorCode: 0, targetInfo: new Uint8Array(512), pubKeyIdSize: script.probePubKeyIdSize ?? 32n });
    }
    if (request.kind === "getQuoteSizeExReq") return reply("getQuoteSizeExRes", { errorCode: 0, quoteSize: script.quoteSize ?? 2000 });
    if (request.kind === "getQuoteExReq") {
      const bufSize = payload["bufSize"] as number;
      const info = payload["qeReportInfo"] as Uint8Array;
      return reply("getQuoteExRes", {
        errorCode: 0,
        quote: (script.quote ?? paddedQuote)(bufSize),
        ...(hasField(request.payload, "qeReportInfo") && { qeReportInfo: script.qeReportInfo?.(info) ?? Buffer.from(info) }),
      });
    }
    return { close: true };
  };
}

const enclave = new SimulatedEnclave({ mrEnclave: Buffer.alloc(32, 0x33), mrSigner: Buffer.alloc(32, 0x44), isvProdId: 7, isvSvn: 3 });
const reportData = Buffer.alloc(64, 0x22);

async function rejectsWithQuote3(promise: Promise<unknown>, status: string, value: number): Promise<Quote3Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Quote3Error, `expected a Quote3Error, got ${String(caught)}`);
  assert.equal(caught.status, status, caught.message);
  assert.equal(caught.value, value);
  assert.equal(Quote3Status[caught.status], value);
  return caught;
}

let harness: FakeAesmHarness;
before(async () => {
  harness = await createFakeAesmHarness();
});
after(async () => {
  await harness.close();
});

describe("getQuote", { timeout: 10_000 }, () => {
  it("refuses with SGX_QL_UNSUPPORTED_MODE (0xE03E) when SGX_AESM_ADDR is absent, without connecting", async () => {
    const server = await harness.start(scripted());
    await rejectsWithQuote3(
      getQuote(enclave, reportData, { env: { SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
      "SGX_QL_UNSUPPORTED_MODE",
      0xe03e,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.connections, 0);
  });

  it("runs the DCAP out-of-proc sequence (3.2) and trims the quote to 436 + signature_data_len", async () => {
    const server = await harness.start(scripted());
    // An empty SGX_AESM_ADDR counts as set (1.2).
    const result = await getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "", SGX_QUOTE_HELPER_SOCKET: server.socketPath } });

    assert.deepEqual(
      server.requests.map((r) => r.request?.kind),
      ["initQuoteExReq", "initQuoteExReq", "getQuoteSizeExReq", "getQuoteExReq"],
    );
    assert.equal(server.connections, 4, "4 connections in total (3.2)");
    const [probe, init, size, get] = server.requests as [ReceivedRequest, ReceivedRequest, ReceivedRequest, ReceivedRequest];
    // 2.6 shapes with the 3.3 default key id; timeout 15000 (1.5).
    assert.equal(
      probe.frame.toString("hex"),
      Buffer.concat([hex("0b010000 7a 88 02 0a 80 02"), DEFAULT_KEY_ID, hex("18 00 48 98 75")]).toString("hex"),
    );
    assert.equal(
      init.frame.toString("hex"),
      Buffer.concat([hex("0d010000 7a 8a 02 0a 80 02"), DEFAULT_KEY_ID, hex("18 01 20 20 48 98 75")]).toString("hex"),
    );
    assert.equal(
      size.frame.toString("hex"),
      Buffer.concat([hex("0a010000 82 01 86 02 0a 80 02"), DEFAULT_KEY_ID, hex("48 98 75")]).toString("hex"),
    );
    const getQuoteEx = get.request!.payload as { report: Uint8Array; attKeyId: Uint8Array; bufSize: number; timeout: number };
    assert.equal(hasField(get.request!.payload, "qeReportInfo"), false, "no qe_report_info in the DCAP sequence");
    assert.deepEqual(get.request!.missingRequired, []);
    assert.deepEqual(Buffer.from(getQuoteEx.attKeyId), DEFAULT_KEY_ID);
    assert.equal(getQuoteEx.bufSize, 2000);
    assert.equal(getQuoteEx.timeout, 15000);
    // The REPORT is the enclave's, for the QE target info of the second InitQuoteEx.
    assert.equal(getQuoteEx.report.byteLength, 432);
    assert.deepEqual(Buffer.from(getQuoteEx.report), Buffer.from(enclave.createReport(QE_TARGET, reportData)));
    assert.deepEqual(Buffer.from(getQuoteEx.report.subarray(320, 384)), reportData);

    assert.equal(result.quote.byteLength, REAL_QUOTE_BYTES);
    assert.deepEqual(Buffer.from(result.quote), paddedQuote(2000).subarray(0, REAL_QUOTE_BYTES));
    assert.deepEqual(Buffer.from(result.qeTargetInfo), QE_TARGET);
    assert.equal(result.qeReport, undefined);
  });

  it("a quote that fills the buffer exactly is returned whole", async () => {
    const server = await harness.start(scripted({ quoteSize: REAL_QUOTE_BYTES }));
    const result = await getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } });
    assert.deepEqual(Buffer.from(result.quote), paddedQuote(REAL_QUOTE_BYTES));
  });

  it("errorCode 38 on GetQuoteSizeEx -> SGX_QL_UNSUPPORTED_ATT_KEY_ID, caused by the AesmClientError", async () => {
    const server = await harness.start(scripted({ errorOn: { kind: "getQuoteSizeExReq", errorCode: 38 } }));
    const error = await rejectsWithQuote3(
      getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
      "SGX_QL_UNSUPPORTED_ATT_KEY_ID",
      0xe00b,
    );
    assert.ok(error.cause instanceof AesmClientError);
    assert.equal(error.cause.aesmErrorCode, 38);
    assert.equal(error.cause.sgxStatus, "SGX_ERROR_UNSUPPORTED_ATT_KEY_ID");
    assert.equal(SgxStatus[error.cause.sgxStatus], 0x8001);
    assert.equal(error.cause.api, "sgx_get_quote_size_ex");
    assert.equal(server.requests.length, 3, "stops after the failing call");
  });

  // errorCode -> sgx_status_t (4.3) -> quote3_error_t (4.5), one per step of the sequence.
  const composite: ReadonlyArray<{ kind: string; errorCode: number; status: string; value: number }> = [
    { kind: "initQuoteExReq", errorCode: 30, status: "SGX_QL_SERVICE_UNAVAILABLE", value: 0xe040 },
    { kind: "initQuoteExReq", errorCode: 44, status: "SGX_QL_NO_PLATFORM_CERT_DATA", value: 0xe011 },
    { kind: "initQuoteExReq", errorCode: 50, status: "SGX_QL_ATT_KEY_CERT_DATA_INVALID", value: 0xe010 },
    { kind: "initQuoteExReq", errorCode: 29, status: "SGX_QL_ERROR_UNEXPECTED", value: 0xe001 },
    { kind: "getQuoteSizeExReq", errorCode: 42, status: "SGX_QL_ATT_KEY_NOT_INITIALIZED", value: 0xe00f },
    { kind: "getQuoteExReq", errorCode: 3, status: "SGX_QL_ERROR_INVALID_PARAMETER", value: 0xe002 },
    { kind: "getQuoteExReq", errorCode: 47, status: "SGX_QL_ERROR_UNEXPECTED", value: 0xe001 },
    { kind: "getQuoteExReq", errorCode: 18, status: "SGX_QL_ERROR_BUSY", value: 0xe043 },
    { kind: "getQuoteExReq", errorCode: 12, status: "SGX_QL_NETWORK_FAILURE", value: 0xe041 },
    { kind: "getQuoteExReq", errorCode: 21, status: "SGX_QL_ERROR_OUT_OF_MEMORY", value: 0xe003 },
    { kind: "getQuoteExReq", errorCode: 2, status: "SGX_QL_NO_DEVICE", value: 0xe03f },
  ];
  for (const { kind, errorCode, status, value } of composite) {
    it(`errorCode ${errorCode} on ${kind} -> ${status}`, async () => {
      const server = await harness.start(scripted({ errorOn: { kind, errorCode } }));
      const error = await rejectsWithQuote3(
        getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
        status,
        value,
      );
      assert.ok(error.cause instanceof AesmClientError);
      assert.equal(error.cause.aesmErrorCode, errorCode);
    });
  }

  for (const size of [0n, 31n, 33n, 64n]) {
    it(`pub_key_id_size ${size} in the probe -> SGX_QL_ERROR_UNEXPECTED`, async () => {
      const server = await harness.start(scripted({ probePubKeyIdSize: size }));
      await rejectsWithQuote3(
        getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
        "SGX_QL_ERROR_UNEXPECTED",
        0xe001,
      );
      assert.equal(server.requests.length, 1, "nothing after the probe");
    });
  }

  it("no service -> SGX_QL_SERVICE_UNAVAILABLE (1.6)", async () => {
    await rejectsWithQuote3(
      getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: harness.missingSocketPath() } }),
      "SGX_QL_SERVICE_UNAVAILABLE",
      0xe040,
    );
  });

  it("a service that never answers -> SGX_QL_SERVICE_TIMEOUT (1.6)", async () => {
    const server = await harness.start(() => ({ hang: true }));
    const client = new AesmClient({ socketPath: server.socketPath, timeoutMs: 200 });
    await rejectsWithQuote3(getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1" }, client }), "SGX_QL_SERVICE_TIMEOUT", 0xe042);
  });

  it("a service that closes without replying -> SGX_QL_ERROR_UNEXPECTED (1.6)", async () => {
    const server = await harness.start(() => ({ close: true }));
    await rejectsWithQuote3(
      getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
      "SGX_QL_ERROR_UNEXPECTED",
      0xe001,
    );
  });

  it("a quote whose signature_data_len runs past the buffer -> SGX_QL_ERROR_UNEXPECTED", async () => {
    const server = await harness.start(scripted({ quoteSize: 1000 }));
    await rejectsWithQuote3(
      getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
      "SGX_QL_ERROR_UNEXPECTED",
      0xe001,
    );
  });

  it("a quote shorter than its 436-byte fixed part -> SGX_QL_ERROR_UNEXPECTED, not a RangeError", async () => {
    const server = await harness.start(scripted({ quote: () => Buffer.alloc(100) }));
    await rejectsWithQuote3(
      getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath } }),
      "SGX_QL_ERROR_UNEXPECTED",
      0xe001,
    );
  });

  describe("with a nonce: qe_report_info (3.6)", () => {
    const nonce = Buffer.from(Array.from({ length: 16 }, (_, i) => 0xc0 + i));
    /** The QE fills bytes 528..959 with a report whose report_data = SHA-256(nonce || real quote) || 32 zeros. */
    // A QE report as the platform's QE would make it: targeted at the app enclave, SDK-simulation MAC.
    const qeReportFor = (info: Uint8Array, digest: Buffer, options: { forgeMac?: boolean } = {}) => {
      const out = Buffer.from(info);
      const qeReport = Buffer.from(
        createSimReport({
          target: enclave.targetInfo(),
          mrEnclave: Buffer.alloc(32, 0x5e),
          reportData: Buffer.concat([digest, Buffer.alloc(32)]),
        }),
      );
      if (options.forgeMac === true) qeReport.writeUInt8(qeReport.readUInt8(431) ^ 1, 431);
      qeReport.copy(out, 528);
      return out;
    };

    it("a QE report whose MAC does not verify for the enclave -> SGX_QL_ERROR_UNEXPECTED", async () => {
      const digest = createHash("sha256").update(nonce).update(paddedQuote(2000).subarray(0, REAL_QUOTE_BYTES)).digest();
      const server = await harness.start(scripted({ qeReportInfo: (info) => qeReportFor(info, digest, { forgeMac: true }) }));
      await rejectsWithQuote3(
        getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath }, nonce }),
        "SGX_QL_ERROR_UNEXPECTED",
        0xe001,
      );
    });

    it("sends nonce || the enclave's target info || 432 zero bytes and returns the checked QE report", async () => {
      const digest = createHash("sha256").update(nonce).update(paddedQuote(2000).subarray(0, REAL_QUOTE_BYTES)).digest();
      const server = await harness.start(scripted({ qeReportInfo: (info) => qeReportFor(info, digest) }));
      const result = await getQuote(enclave, reportData, {
        env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath },
        nonce,
      });
      const sent = (server.requests[3]!.request!.payload as { qeReportInfo: Uint8Array }).qeReportInfo;
      assert.equal(sent.byteLength, 960);
      assert.deepEqual(Buffer.from(sent), Buffer.concat([nonce, Buffer.from(enclave.targetInfo()), Buffer.alloc(432)]));
      assert.ok(result.qeReport);
      assert.equal(result.qeReport.byteLength, 432);
      assert.deepEqual(Buffer.from(result.qeReport), qeReportFor(sent, digest).subarray(528));
    });

    it("a QE report that does not bind nonce and quote -> SGX_QL_ERROR_UNEXPECTED", async () => {
      const wrong = createHash("sha256").update(nonce).update(paddedQuote(2000)).digest(); // hashes the padding too
      const server = await harness.start(scripted({ qeReportInfo: (info) => qeReportFor(info, wrong) }));
      await rejectsWithQuote3(
        getQuote(enclave, reportData, { env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath }, nonce }),
        "SGX_QL_ERROR_UNEXPECTED",
        0xe001,
      );
    });

    it("a nonce that is not 16 bytes -> SGX_QL_ERROR_INVALID_PARAMETER", async () => {
      const server = await harness.start(scripted());
      await rejectsWithQuote3(
        getQuote(enclave, reportData, {
          env: { SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: server.socketPath },
          nonce: nonce.subarray(0, 15),
        }),
        "SGX_QL_ERROR_INVALID_PARAMETER",
        0xe002,
      );
    });
  });
});
