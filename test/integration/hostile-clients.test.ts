import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AesmClient, SimulatedEnclave, getQuote } from "../../src/client/index.ts";
import { encodeFrame, encodeRequest } from "../../src/protocol/index.ts";
import { defaultEcdsaAttKeyId } from "../../src/sgx/index.ts";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.ts";
import { exchangeRaw } from "../helpers/raw-socket.ts";

const env = { SGX_AESM_ADDR: "1" };
const keyId = defaultEcdsaAttKeyId();
const enclave = new SimulatedEnclave({ mrEnclave: Buffer.alloc(32, 0x42) });

/** Runs `hostile` while a well-behaved client keeps getting quotes; both must finish as expected. */
async function alongsideGoodClient<T>(daemon: RunningDaemon, hostile: () => Promise<T>): Promise<T> {
  const client = new AesmClient({ socketPath: daemon.socketPath, timeoutMs: 3000 });
  const state = { stop: false };
  let quotes = 0;
  const good = (async () => {
    while (!state.stop) {
      const reportData = Buffer.alloc(64, quotes & 0xff);
      const { quote } = await getQuote(enclave, reportData, { client, env });
      assert.deepEqual(Buffer.from(quote.subarray(368, 432)), reportData);
      quotes++;
    }
  })();
  try {
    return await hostile();
  } finally {
    state.stop = true;
    await good;
    assert.ok(quotes > 0, "the good client got quotes meanwhile");
  }
}

describe("hostile frames close only their own connection", () => {
  let daemon: RunningDaemon;
  before(async () => {
    daemon = await startDaemon({ idleTimeoutMs: 300 });
  });
  after(() => daemon.stop());

  const header = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };

  it("length 0xFFFFFFFF: closed at once, nothing allocated", async () => {
    const rssBefore = process.memoryUsage().rss;
    const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [header(0xffffffff)]));
    assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, "no 4 GiB allocation");
  });

  it("length 0 and length 1 MiB + 1: closed", async () => {
    for (const n of [0, 1024 * 1024 + 1]) {
      const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [header(n)]));
      assert.deepEqual([r.ended, r.received.length], ["closed", 0], `length ${n}`);
    }
  });

  it("half a frame then silence: cut off after the idle timeout", async () => {
    const started = Date.now();
    const r = await alongsideGoodClient(daemon, () =>
      exchangeRaw(daemon.socketPath, [Buffer.concat([header(100), Buffer.alloc(10)])], { waitMs: 5000 }),
    );
    assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
    assert.ok(Date.now() - started < 3000, "closed by the daemon's idle timeout, not our wait");
  });

  it("connect and send nothing: cut off after the idle timeout", async () => {
    const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [], { waitMs: 5000 }));
    assert.equal(r.ended, "closed");
  });

  it("garbage and two payloads: closed without a reply", async () => {
    const garbage = await alongsideGoodClient(daemon, () =>
      exchangeRaw(daemon.socketPath, [encodeFrame(Buffer.from("this is not protobuf at all"))]),
    );
    assert.deepEqual([garbage.ended, garbage.received.length], ["closed", 0]);
    const two = Buffer.concat([
      encodeRequest("initQuoteExReq", { attKeyId: keyId, bPubKeyId: false }),
      encodeRequest("getQuoteExReq", { report: Buffer.alloc(432), bufSize: 1 }),
    ]);
    const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [encodeFrame(two)]));
    assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
  });

  it("each sized field one byte short: errorCode 3 in a proper reply", async () => {
    const client = new AesmClient({ socketPath: daemon.socketPath });
    const { targetInfo } = await client.initQuoteEx(keyId, 32);
    const report = enclave.createReport(targetInfo, Buffer.alloc(64));
    const size = await client.getQuoteSizeEx(keyId);
    const cases = [
      encodeRequest("getQuoteExReq", { report: report.subarray(0, 431), attKeyId: keyId, bufSize: size }),
      encodeRequest("getQuoteExReq", { report, attKeyId: keyId.subarray(0, 255), bufSize: size }),
      encodeRequest("getQuoteExReq", { report, attKeyId: keyId, qeReportInfo: Buffer.alloc(959), bufSize: size }),
      encodeRequest("getQuoteExReq", { report, attKeyId: keyId, bufSize: size - 1 }),
      encodeRequest("initQuoteExReq", { attKeyId: keyId.subarray(0, 255), bPubKeyId: true, bufSize: 32n }),
      encodeRequest("initQuoteExReq", { attKeyId: keyId, bPubKeyId: true, bufSize: 31n }),
      encodeRequest("getQuoteSizeExReq", { attKeyId: keyId.subarray(0, 255) }),
      encodeRequest("getSupportedAttKeyIDsReq", { bufSize: 255 }),
    ];
    for (const body of cases) {
      const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [encodeFrame(body)]));
      assert.equal(r.ended, "closed");
      // errorCode is the first field of the sub-message: tag 08, value 03.
      assert.ok(r.received.includes(Buffer.from("0803", "hex")), `errorCode 3 for ${Buffer.from(body).subarray(0, 3).toString("hex")}`);
    }
  });

  it("a valid request written one byte at a time is served", async () => {
    const frame = encodeFrame(encodeRequest("getSupportedAttKeyIDNumReq", { timeout: 15000 }));
    const r = await exchangeRaw(
      daemon.socketPath,
      [...frame].map((b) => Uint8Array.of(b)),
      { gapMs: 20 },
    );
    assert.equal(r.received.toString("hex"), "07000000aa01040800" + "1001");
  });
});

describe("concurrency", () => {
  let daemon: RunningDaemon;
  before(async () => {
    daemon = await startDaemon();
  });
  after(() => daemon.stop());

  it("100 concurrent clients each get a quote carrying their own report data", async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const reportData = Buffer.alloc(64);
        reportData.writeUInt32BE(i * 7919 + 1);
        const client = new AesmClient({ socketPath: daemon.socketPath });
        const { quote } = await getQuote(enclave, reportData, { client, env });
        return { reportData, quote };
      }),
    );
    for (const { reportData, quote } of results) assert.deepEqual(Buffer.from(quote.subarray(368, 432)), reportData);
    assert.equal(new Set(results.map((r) => Buffer.from(r.quote.subarray(436, 500)).toString("hex"))).size, 100, "100 distinct signatures");
  });

  it("a stalled client does not delay others (each connection is served on its own)", async () => {
    let stalledClosed = false;
    const stalled = exchangeRaw(daemon.socketPath, [Buffer.from([0x10, 0, 0, 0, 1])], { waitMs: 10_000 }).then((r) => {
      stalledClosed = true;
      return r;
    });
    const client = new AesmClient({ socketPath: daemon.socketPath });
    await getQuote(enclave, Buffer.alloc(64), { client, env });
    assert.equal(stalledClosed, false, "the quote was served while the other client still sat mid-frame");
    assert.equal((await stalled).ended, "closed", "the stalled client is cut off later by the idle timeout");
  });
});
