import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SimulatedEnclave } from "../../src/client/index.ts";
import { QuoteServer } from "../../src/daemon/index.ts";
import { encodeFrame, encodeRequest } from "../../src/protocol/index.ts";
import { defaultEcdsaAttKeyId, encodeAttKeyIdList } from "../../src/sgx/index.ts";
import type { GetQuoteRequest } from "../../src/providers/quote-provider.ts";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.ts";
import { withRecipe } from "../helpers/provider-with-recipe.ts";
import { exchangeRaw, requestOnce, singleFrame } from "../helpers/raw-socket.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ""), "hex");
const keyId = defaultEcdsaAttKeyId();
const enclave = new SimulatedEnclave({ mrEnclave: Buffer.alloc(32, 0xa1), mrSigner: Buffer.alloc(32, 0xb2), isvProdId: 3, isvSvn: 4 });

describe("quote service: aesmd's behaviour rules (aesm-protocol.md 0.1, 1.7, 3.4, 4.4)", () => {
  let daemon: RunningDaemon;
  let qeTargetInfo: Uint8Array;
  let quoteSize: number;
  before(async () => {
    daemon = await startDaemon();
    qeTargetInfo = (await requestOnce(daemon.socketPath, "initQuoteExReq", { attKeyId: keyId, bPubKeyId: true, bufSize: 32n })).targetInfo;
    quoteSize = (await requestOnce(daemon.socketPath, "getQuoteSizeExReq", { attKeyId: keyId })).quoteSize;
  });
  after(() => daemon.stop());

  const report = () => enclave.createReport(qeTargetInfo, Buffer.alloc(64, 7));

  it("creates the socket directory and makes the socket world-connectable (0777)", async () => {
    const info = await stat(daemon.socketPath);
    assert.ok(info.isSocket());
    assert.equal(info.mode & 0o777, 0o777);
  });

  it("answers once in the request's wrapper field, with errorCode 0 written, then closes", async () => {
    const { received, ended } = await exchangeRaw(daemon.socketPath, [encodeFrame(hex("aa 01 03 48 98 75"))]);
    assert.equal(ended, "closed");
    assert.equal(received.toString("hex"), "07000000aa0104080010 01".replace(/\s/g, ""));
  });

  it("never reads a second, pipelined request on the same connection", async () => {
    const frame = encodeFrame(hex("aa 01 03 48 98 75"));
    const { received } = await exchangeRaw(daemon.socketPath, [Buffer.concat([frame, frame])]);
    assert.equal(received.length, frame.length + 1, "exactly one 11-byte reply");
  });

  it("closes without a byte for garbage, an unknown type, field 20, no payload and two payloads", async () => {
    for (const body of [hex("ff ff ff ff"), hex("9a 06 00"), hex("a2 01 02 08 01"), hex("48 98 75"), hex("7a 02 18 00 8a 01 00")]) {
      const { received, ended } = await exchangeRaw(daemon.socketPath, [encodeFrame(body)]);
      assert.equal(ended, "closed", body.toString("hex"));
      assert.equal(received.length, 0, body.toString("hex"));
    }
    assert.ok(
      daemon.logs.some((l) => String(l["msg"]).includes("malformed request")),
      "logged as malformed",
    );
  });

  it("answers errorCode 1 with the always-present fields when a required field is missing", async () => {
    const init = await exchangeRaw(daemon.socketPath, [encodeFrame(hex("7a 00"))]);
    assert.equal(init.received.toString("hex"), "060000007a0408011800");
    const quote = await exchangeRaw(daemon.socketPath, [encodeFrame(hex("8a 01 00"))]);
    assert.equal(quote.received.toString("hex"), "050000008a0102080 1".replace(/\s/g, ""));
  });

  it("InitQuoteEx probe: pub_key_id_size 32 and an all-zero target info, whatever buf_size says", async () => {
    for (const bufSize of [undefined, 0n, 12345n]) {
      const r = await requestOnce(daemon.socketPath, "initQuoteExReq", {
        attKeyId: keyId,
        bPubKeyId: false,
        ...(bufSize !== undefined && { bufSize }),
      });
      assert.equal(r.errorCode, 0);
      assert.equal(r.pubKeyIdSize, 32n);
      assert.deepEqual(Buffer.from(r.targetInfo), Buffer.alloc(512));
    }
  });

  it("InitQuoteEx with b_pub_key_id: buf_size must be exactly 32 (absent, 0, 31, 4097 -> 3, size echoed)", async () => {
    for (const bufSize of [undefined, 0n, 31n, 4097n]) {
      const r = await requestOnce(daemon.socketPath, "initQuoteExReq", {
        attKeyId: keyId,
        bPubKeyId: true,
        ...(bufSize !== undefined && { bufSize }),
      });
      assert.equal(r.errorCode, 3, `buf_size ${bufSize}`);
      assert.equal(r.pubKeyIdSize, bufSize ?? 0n);
      assert.equal(r.pubKeyId.length, 0, "no partial key id");
    }
  });

  it("att key ids: 256 bytes needed, only the first 158 compared, unknown ones get 38", async () => {
    const tail = Buffer.from(keyId);
    tail.fill(0x5a, 158);
    assert.equal((await requestOnce(daemon.socketPath, "getQuoteSizeExReq", { attKeyId: tail })).errorCode, 0);
    assert.equal(
      (await requestOnce(daemon.socketPath, "getQuoteSizeExReq", { attKeyId: Buffer.concat([keyId, Buffer.alloc(10)]) })).errorCode,
      0,
    );
    assert.equal((await requestOnce(daemon.socketPath, "getQuoteSizeExReq", { attKeyId: keyId.subarray(0, 255) })).errorCode, 3);
    const absent = await requestOnce(daemon.socketPath, "getQuoteSizeExReq", {});
    assert.deepEqual([absent.errorCode, absent.quoteSize], [3, 0]);
    const epid = Buffer.from(keyId);
    epid.writeUInt32LE(1, 154);
    assert.equal((await requestOnce(daemon.socketPath, "getQuoteSizeExReq", { attKeyId: epid })).errorCode, 38);
    assert.equal((await requestOnce(daemon.socketPath, "initQuoteExReq", { attKeyId: epid, bPubKeyId: false })).errorCode, 38);
  });

  it("GetQuoteEx: the quote comes back as exactly buf_size bytes, zero-padded", async () => {
    const r = await requestOnce(daemon.socketPath, "getQuoteExReq", { report: report(), attKeyId: keyId, bufSize: quoteSize + 100 });
    assert.equal(r.errorCode, 0);
    assert.equal(r.quote.length, quoteSize + 100);
    assert.equal(Buffer.from(r.quote).readUInt32LE(432) + 436, quoteSize, "the real quote fills the size GetQuoteSizeEx gave");
    assert.deepEqual(Buffer.from(r.quote.subarray(quoteSize)), Buffer.alloc(100));
  });

  it("GetQuoteEx with qe_report_info, reply after reply: each QE report is for its own nonce and quote", async () => {
    // Sizes no other test uses, five replies each: the first two of a size are encoded in full,
    // the later ones written into its reused frames.
    for (let i = 0; i < 10; i++) {
      const nonce = randomBytes(16);
      const info = Buffer.concat([nonce, enclave.targetInfo(), Buffer.alloc(432)]);
      const bufSize = quoteSize + 300 + (i % 2) * 64;
      const r = await requestOnce(daemon.socketPath, "getQuoteExReq", { report: report(), attKeyId: keyId, qeReportInfo: info, bufSize });
      assert.equal(r.errorCode, 0);
      assert.equal(r.quote.length, bufSize);
      assert.deepEqual(Buffer.from(r.quote.subarray(quoteSize)), Buffer.alloc(bufSize - quoteSize));
      assert.deepEqual(Buffer.from(r.qeReportInfo.subarray(0, 528)), info.subarray(0, 528));
      const qeReport = r.qeReportInfo.subarray(528);
      assert.ok(enclave.verifyReport(qeReport));
      const binding = createHash("sha256").update(nonce).update(r.quote.subarray(0, quoteSize)).digest();
      assert.deepEqual(Buffer.from(qeReport.subarray(320, 352)), binding, `reply ${i}`);
    }
  });

  it("GetQuoteEx: a provider that makes no QE report fails the request with 49, qe_report_info echoed", async () => {
    const provider = withRecipe(daemon.platform, undefined);
    const dropping = { ...provider, getQuote: async (request: GetQuoteRequest) => ({ quote: (await provider.getQuote(request)).quote }) };
    const server = await QuoteServer.start({ provider: dropping, socketPath: join(daemon.dir, "dropping.socket") });
    try {
      const info = Buffer.concat([randomBytes(16), enclave.targetInfo(), Buffer.alloc(432, 0x33)]);
      // A size with a ready layout (the test above made it), then one nobody used yet.
      for (const bufSize of [quoteSize + 300, quoteSize + 300, quoteSize + 500, quoteSize + 500, quoteSize + 500]) {
        const r = await requestOnce(server.socketPath, "getQuoteExReq", { report: report(), attKeyId: keyId, qeReportInfo: info, bufSize });
        assert.equal(r.errorCode, 49, `buf_size ${bufSize}`);
        assert.deepEqual(Buffer.from(r.qeReportInfo), info);
      }
    } finally {
      await server.close();
    }
  });

  it("GetQuoteEx: a shorter quote after a longer one still comes back zero-padded to buf_size", async () => {
    // A provider whose quotes vary in length (a real QE3's do, with its certification data):
    // every other quote is cut short by 100 bytes.
    const provider = withRecipe(daemon.platform, undefined);
    let calls = 0;
    const varying = {
      ...provider,
      getQuote: async (request: GetQuoteRequest) => {
        const { quote } = await provider.getQuote(request);
        return { quote: calls++ % 2 === 1 ? quote.subarray(0, quote.byteLength - 100) : quote };
      },
    };
    const server = await QuoteServer.start({ provider: varying, socketPath: join(daemon.dir, "varying.socket") });
    try {
      for (let i = 0; i < 6; i++) {
        const r = await requestOnce(server.socketPath, "getQuoteExReq", { report: report(), attKeyId: keyId, bufSize: quoteSize + 16 });
        assert.equal(r.errorCode, 0);
        const length = quoteSize - (i % 2 === 1 ? 100 : 0);
        assert.equal(r.quote.length, quoteSize + 16);
        assert.equal(Buffer.from(r.quote).readUInt32LE(0), 0x00020003, "a quote header");
        assert.deepEqual(Buffer.from(r.quote.subarray(length)), Buffer.alloc(quoteSize + 16 - length), `padding of reply ${i}`);
      }
    } finally {
      await server.close();
    }
  });

  it("GetQuoteEx size checks give 3: report not 432, qe_report_info not 960 (echoed), buf_size too small or over the cap", async () => {
    const short = await requestOnce(daemon.socketPath, "getQuoteExReq", {
      report: report().subarray(0, 431),
      attKeyId: keyId,
      bufSize: quoteSize,
    });
    assert.equal(short.errorCode, 3);
    const info = Buffer.alloc(959, 9);
    const badInfo = await requestOnce(daemon.socketPath, "getQuoteExReq", {
      report: report(),
      attKeyId: keyId,
      qeReportInfo: info,
      bufSize: quoteSize,
    });
    assert.equal(badInfo.errorCode, 3);
    assert.deepEqual(Buffer.from(badInfo.qeReportInfo), info, "qe_report_info echoed even on error");
    for (const bufSize of [quoteSize - 1, 0, 2 * 1024 * 1024, 0xffffffff]) {
      const r = await requestOnce(daemon.socketPath, "getQuoteExReq", { report: report(), attKeyId: keyId, bufSize });
      assert.equal(r.errorCode, 3, `buf_size ${bufSize}`);
      assert.equal(r.quote.length, 0, "never a truncated quote");
    }
  });

  it("a REPORT whose MAC does not check gets 47 (SGX_QL_INVALID_REPORT), as from QE3", async () => {
    const forged = Buffer.from(report());
    forged.writeUInt8(forged.readUInt8(320) ^ 1, 320);
    assert.equal(
      (await requestOnce(daemon.socketPath, "getQuoteExReq", { report: forged, attKeyId: keyId, bufSize: quoteSize })).errorCode,
      47,
    );
    const otherTarget = enclave.createReport(Buffer.alloc(512), Buffer.alloc(64));
    assert.equal(
      (await requestOnce(daemon.socketPath, "getQuoteExReq", { report: otherTarget, attKeyId: keyId, bufSize: quoteSize })).errorCode,
      47,
    );
  });

  it("SelectAttKeyID: no list -> the server's id; the caller's matching entry comes back verbatim", async () => {
    assert.deepEqual(Buffer.from((await requestOnce(daemon.socketPath, "selectAttKeyIDReq", {})).selectedAttKeyId), Buffer.from(keyId));
    const epid = Buffer.from(keyId);
    epid.writeUInt32LE(0, 154);
    const mine = Buffer.from(keyId);
    mine.fill(0x77, 176);
    const r = await requestOnce(daemon.socketPath, "selectAttKeyIDReq", { attKeyIdList: encodeAttKeyIdList([epid, mine]) });
    assert.equal(r.errorCode, 0);
    assert.deepEqual(Buffer.from(r.selectedAttKeyId), mine);
    assert.equal((await requestOnce(daemon.socketPath, "selectAttKeyIDReq", { attKeyIdList: encodeAttKeyIdList([epid]) })).errorCode, 38);
  });

  it("SelectAttKeyID list header rules give 3: id/version not 0, num over 10 or not matching the size", async () => {
    const list = Buffer.from(encodeAttKeyIdList([keyId]));
    const variants = [
      Buffer.concat([hex("0100 0000 01000000"), keyId]),
      Buffer.concat([hex("0000 0100 01000000"), keyId]),
      Buffer.concat([hex("0000 0000 0b000000"), ...Array.from({ length: 11 }, () => keyId)]),
      Buffer.concat([hex("0000 0000 02000000"), keyId]),
      list.subarray(0, list.length - 1),
      hex("0000 0000 00000000"),
    ];
    for (const attKeyIdList of variants) {
      assert.equal(
        (await requestOnce(daemon.socketPath, "selectAttKeyIDReq", { attKeyIdList })).errorCode,
        3,
        attKeyIdList.subarray(0, 8).toString("hex"),
      );
    }
  });

  it("GetSupportedAttKeyIDs: buf_size must be exactly count x 256", async () => {
    const ok = await requestOnce(daemon.socketPath, "getSupportedAttKeyIDsReq", { bufSize: 256 });
    assert.deepEqual(Buffer.from(ok.attKeyIds), Buffer.from(keyId));
    for (const bufSize of [0, 255, 512]) {
      assert.equal((await requestOnce(daemon.socketPath, "getSupportedAttKeyIDsReq", { bufSize })).errorCode, 3);
    }
  });

  it("EPID, launch and white-list requests get AESM_SERVICE_UNAVAILABLE (30) in their own wrapper", async () => {
    assert.equal((await requestOnce(daemon.socketPath, "initQuoteReq", { timeout: 15000 })).errorCode, 30);
    assert.equal(
      (
        await requestOnce(daemon.socketPath, "getLicTokenReq", {
          mrEnclave: Buffer.alloc(32),
          mrSigner: Buffer.alloc(384),
          seAttributes: Buffer.alloc(16),
        })
      ).errorCode,
      30,
    );
    const size = await requestOnce(daemon.socketPath, "getWhiteListSizeReq", {});
    assert.deepEqual([size.errorCode, size.whiteListSize], [30, 0]);
    const group = await requestOnce(daemon.socketPath, "sgxGetExtendedEpidGroupIdReq", {});
    assert.deepEqual([group.errorCode, group.xGroupId], [30, 0]);
    const missing = await exchangeRaw(daemon.socketPath, [encodeFrame(hex("12 00"))]);
    assert.equal(missing.received.toString("hex"), "0400000012020801", "missing required fields give 1 first");
  });

  it("never sends field 20 (unsupportedRequestResponse) for any request type", async () => {
    const bodies = [
      hex("0a 00"),
      hex("12 00"),
      hex("1a 00"),
      hex("22 00"),
      hex("52 00"),
      hex("5a 00"),
      hex("62 00"),
      hex("6a 00"),
      hex("72 00"),
      hex("92 01 00"),
    ];
    for (const body of bodies) {
      const { received } = await exchangeRaw(daemon.socketPath, [encodeFrame(body)]);
      const reply = singleFrame(received);
      assert.equal(reply[0], body[0], `reply wrapper matches request ${body.toString("hex")}`);
      assert.notEqual(reply.subarray(0, 2).toString("hex"), "a201");
    }
  });
});

describe("quote service: socket lifecycle", () => {
  it("replaces a stale socket file but refuses a live one, and never deletes a regular file", async () => {
    const daemon = await startDaemon();
    try {
      await assert.rejects(QuoteServer.start({ provider: daemon.platform, socketPath: daemon.socketPath }), {
        code: "ERR_DAEMON_SOCKET_IN_USE",
      });
      const regular = join(daemon.dir, "not-a-socket");
      await writeFile(regular, "keep me");
      await assert.rejects(QuoteServer.start({ provider: daemon.platform, socketPath: regular }), { code: "ERR_DAEMON_SOCKET_PATH_TAKEN" });
      const stalePath = join(daemon.dir, "stale.socket");
      // A crashed daemon: the socket file stays behind and nobody listens on it.
      spawnSync(process.execPath, [
        "-e",
        `require("net").createServer().listen(${JSON.stringify(stalePath)}, () => process.kill(process.pid, "SIGKILL"))`,
      ]);
      const replacement = await QuoteServer.start({ provider: daemon.platform, socketPath: stalePath });
      const r = await requestOnce(stalePath, "getSupportedAttKeyIDNumReq", {});
      assert.equal(r.attKeyIdNum, 1);
      await replacement.close();
    } finally {
      await daemon.stop();
    }
  });

  it("encodes the same request from our client builder as Intel's captured bytes (golden frame)", () => {
    assert.equal(
      Buffer.from(encodeFrame(encodeRequest("getSupportedAttKeyIDNumReq", { timeout: 15000 }))).toString("hex"),
      "06000000aa0103489875",
    );
  });
});
