import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { AesmClient, SimulatedEnclave, getQuote } from "../../src/client/index.ts";
import { encodeRequest } from "../../src/protocol/index.ts";
import { defaultEcdsaAttKeyId } from "../../src/sgx/index.ts";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.ts";
import { checkQuoteIndependently } from "../helpers/independent-quote-check.ts";
import { requestOnce } from "../helpers/raw-socket.ts";

// The request sequences of aesm-protocol.md 3.2, encoded field for field as each real client does.
const keyId = defaultEcdsaAttKeyId();
const enclave = new SimulatedEnclave({ mrEnclave: Buffer.alloc(32, 0x11), mrSigner: Buffer.alloc(32, 0x22), isvProdId: 9, isvSvn: 2 });

describe("three real client styles against the daemon", () => {
  let daemon: RunningDaemon;
  before(async () => {
    daemon = await startDaemon();
  });
  after(() => daemon.stop());

  function checkQuote(quote: Uint8Array, reportData: Buffer): void {
    const facts = checkQuoteIndependently(quote, daemon.platform.rootCertificatePem);
    assert.deepEqual(facts.reportBody.subarray(320, 384), reportData);
    assert.deepEqual(facts.reportBody.subarray(64, 96), Buffer.alloc(32, 0x11), "MRENCLAVE of the app");
    assert.deepEqual(facts.reportBody.subarray(128, 160), Buffer.alloc(32, 0x22), "MRSIGNER of the app");
  }

  it("Intel libsgx_dcap_ql (SGX_AESM_ADDR set): probe, init, size, quote; four connections", async () => {
    const reportData = randomBytes(64);
    const connectionsBefore = daemon.server.stats.connections;
    const { quote } = await getQuote(enclave, reportData, {
      client: new AesmClient({ socketPath: daemon.socketPath }),
      env: { SGX_AESM_ADDR: "" },
    });
    assert.equal(daemon.server.stats.connections - connectionsBefore, 4);
    checkQuote(quote, reportData);
    // libsgx_dcap_ql leaves the probe's size variable uninitialised: any buf_size must be ignored.
    const probe = await requestOnce(daemon.socketPath, "initQuoteExReq", {
      attKeyId: keyId,
      bPubKeyId: false,
      bufSize: 0xdeadbeefn,
      timeout: 15000,
    });
    assert.deepEqual([probe.errorCode, probe.pubKeyIdSize], [0, 32n]);
  });

  it("the Gramine and rust-sgx InitQuoteEx requests are encoded byte for byte as those clients write them", () => {
    // Hand-assembled from the field tables (aesm-protocol.md 2.3): Gramine sends no timeout;
    // rust-sgx sends buf_size 0 explicitly and a timeout of 30,000,000 microseconds (varint 80 87 a7 0e).
    const gramine = Buffer.concat([Buffer.from("7a87020a8002", "hex"), keyId, Buffer.from("18012020", "hex")]);
    assert.deepEqual(Buffer.from(encodeRequest("initQuoteExReq", { attKeyId: keyId, bPubKeyId: true, bufSize: 32n })), gramine);
    const rust = Buffer.concat([Buffer.from("7a8c020a8002", "hex"), keyId, Buffer.from("180020004880 87a70e".replace(" ", ""), "hex")]);
    assert.deepEqual(
      Buffer.from(encodeRequest("initQuoteExReq", { attKeyId: keyId, bPubKeyId: false, bufSize: 0n, timeout: 30_000_000 })),
      rust,
    );
  });

  it("Gramine: InitQuoteEx without probe or timeout, GetQuoteEx into an 8192-byte buffer", async () => {
    const init = await requestOnce(daemon.socketPath, "initQuoteExReq", { attKeyId: keyId, bPubKeyId: true, bufSize: 32n });
    assert.equal(init.errorCode, 0);
    assert.equal(init.pubKeyId.length, 32);
    const reportData = randomBytes(64);
    const report = enclave.createReport(init.targetInfo, reportData);
    const r = await requestOnce(daemon.socketPath, "getQuoteExReq", { report, attKeyId: keyId, bufSize: 8192 });
    assert.equal(r.errorCode, 0);
    assert.equal(r.quote.length, 8192);
    const length = 436 + Buffer.from(r.quote).readUInt32LE(432);
    checkQuote(r.quote.subarray(0, length), reportData);
    assert.deepEqual(Buffer.from(r.quote.subarray(length)), Buffer.alloc(8192 - length));
    // The pub_key_id is SHA-256(attestation key || QE auth data), the key the quote carries.
    const q = Buffer.from(r.quote);
    const authSize = q.readUInt16LE(436 + 576);
    const expected = createHash("sha256")
      .update(q.subarray(500, 564))
      .update(q.subarray(436 + 578, 436 + 578 + authSize))
      .digest();
    assert.deepEqual(Buffer.from(init.pubKeyId), expected);
  });

  it("rust-sgx aesm-client: id list, explicit buf_size 0 probe, microsecond timeouts, qe_report_info with nonce", async () => {
    const timeout = 30_000_000;
    const num = await requestOnce(daemon.socketPath, "getSupportedAttKeyIDNumReq", { timeout });
    assert.deepEqual([num.errorCode, num.attKeyIdNum], [0, 1]);
    const ids = await requestOnce(daemon.socketPath, "getSupportedAttKeyIDsReq", { bufSize: num.attKeyIdNum * 256, timeout });
    assert.equal(ids.attKeyIds.length, num.attKeyIdNum * 256);
    const ecdsa = Buffer.from(ids.attKeyIds.subarray(0, 256));
    assert.equal(ecdsa.readUInt32LE(154), 2, "algorithm ECDSA-P256");
    const probe = await requestOnce(daemon.socketPath, "initQuoteExReq", { attKeyId: ecdsa, bPubKeyId: false, bufSize: 0n, timeout });
    assert.deepEqual([probe.errorCode, probe.pubKeyIdSize], [0, 32n]);
    const init = await requestOnce(daemon.socketPath, "initQuoteExReq", {
      attKeyId: ecdsa,
      bPubKeyId: true,
      bufSize: probe.pubKeyIdSize,
      timeout,
    });
    assert.equal(init.errorCode, 0);
    const size = await requestOnce(daemon.socketPath, "getQuoteSizeExReq", { attKeyId: ecdsa, timeout });
    const nonce = randomBytes(16);
    const qeReportInfo = Buffer.concat([nonce, enclave.targetInfo(), Buffer.alloc(432)]);
    const reportData = randomBytes(64);
    const report = enclave.createReport(init.targetInfo, reportData);
    const r = await requestOnce(daemon.socketPath, "getQuoteExReq", {
      report,
      attKeyId: ecdsa,
      qeReportInfo,
      bufSize: size.quoteSize,
      timeout,
    });
    assert.equal(r.errorCode, 0);
    checkQuote(r.quote, reportData);
    assert.equal(r.qeReportInfo.length, 960);
    assert.deepEqual(Buffer.from(r.qeReportInfo.subarray(0, 528)), qeReportInfo.subarray(0, 528), "nonce and target info echoed");
    const qeReport = r.qeReportInfo.subarray(528);
    assert.ok(enclave.verifyReport(qeReport), "QE report MAC checks for the app enclave");
    const binding = createHash("sha256").update(nonce).update(r.quote).digest();
    assert.deepEqual(Buffer.from(qeReport.subarray(320, 352)), binding, "report data = SHA-256(nonce || quote)");
    assert.deepEqual(Buffer.from(qeReport.subarray(352, 384)), Buffer.alloc(32));
  });
});
