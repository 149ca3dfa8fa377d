import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { AesmClient, SimulatedEnclave, getQuote } from "../../src/client/index.ts";
import { QuoteServer } from "../../src/daemon/index.ts";
import { RESPONSE_KIND, decodeResponse, encodeFrame, encodeRequest, type RequestKind } from "../../src/protocol/index.ts";
import { defaultEcdsaAttKeyId } from "../../src/sgx/index.ts";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.ts";
import { exchangeRaw, singleFrame } from "../helpers/raw-socket.ts";

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
  const idleTimeoutMs = 1500;
  before(async () => {
    daemon = await startDaemon({ idleTimeoutMs });
  });
  after(() => daemon.stop());

  const header = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const logged = (code: string) => daemon.logs.some((l) => l["code"] === code);

  /** Closed by the frame check itself: well before the idle timeout could have done it. */
  async function closedAtOnce(chunks: Uint8Array[]): Promise<void> {
    const started = performance.now();
    const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, chunks, { waitMs: 4 * idleTimeoutMs }));
    assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
    assert.ok(performance.now() - started < idleTimeoutMs / 2, "closed on the header, not by the idle timer");
  }

  it("length 0xFFFFFFFF: closed on the header alone, nothing buffered", async () => {
    await closedAtOnce([header(0xffffffff)]);
    assert.ok(logged("ERR_PROTOCOL_FRAME_TOO_LARGE"));
  });

  it("length 1 MiB + 1 and length 0: closed on the header", async () => {
    await closedAtOnce([header(1024 * 1024 + 1)]);
    await closedAtOnce([header(0)]);
    assert.ok(logged("ERR_PROTOCOL_FRAME_EMPTY"));
  });

  it("half a frame then silence: cut off by the idle timeout", async () => {
    const started = performance.now();
    const r = await alongsideGoodClient(daemon, () =>
      exchangeRaw(daemon.socketPath, [Buffer.concat([header(100), Buffer.alloc(10)])], { waitMs: 4 * idleTimeoutMs }),
    );
    assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= idleTimeoutMs * 0.9 && elapsed < idleTimeoutMs * 3, `closed after ${elapsed} ms`);
  });

  it("connect and send nothing: cut off by the idle timeout", async () => {
    const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [], { waitMs: 4 * idleTimeoutMs }));
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
    assert.ok(logged("ERR_PROTOCOL_MULTIPLE_PAYLOADS"));
  });

  it("each sized field one byte short: errorCode 3 in the request's own wrapper", async () => {
    const client = new AesmClient({ socketPath: daemon.socketPath });
    const { targetInfo } = await client.initQuoteEx(keyId, 32);
    const report = enclave.createReport(targetInfo, Buffer.alloc(64));
    const size = await client.getQuoteSizeEx(keyId);
    const cases: Array<[RequestKind, Uint8Array]> = [
      ["getQuoteExReq", encodeRequest("getQuoteExReq", { report: report.subarray(0, 431), attKeyId: keyId, bufSize: size })],
      ["getQuoteExReq", encodeRequest("getQuoteExReq", { report, attKeyId: keyId.subarray(0, 255), bufSize: size })],
      ["getQuoteExReq", encodeRequest("getQuoteExReq", { report, attKeyId: keyId, qeReportInfo: Buffer.alloc(959), bufSize: size })],
      ["getQuoteExReq", encodeRequest("getQuoteExReq", { report, attKeyId: keyId, bufSize: size - 1 })],
      ["initQuoteExReq", encodeRequest("initQuoteExReq", { attKeyId: keyId.subarray(0, 255), bPubKeyId: true, bufSize: 32n })],
      ["initQuoteExReq", encodeRequest("initQuoteExReq", { attKeyId: keyId, bPubKeyId: true, bufSize: 31n })],
      ["getQuoteSizeExReq", encodeRequest("getQuoteSizeExReq", { attKeyId: keyId.subarray(0, 255) })],
      ["getSupportedAttKeyIDsReq", encodeRequest("getSupportedAttKeyIDsReq", { bufSize: 255 })],
    ];
    for (const [kind, body] of cases) {
      const r = await alongsideGoodClient(daemon, () => exchangeRaw(daemon.socketPath, [encodeFrame(body)]));
      assert.equal(r.ended, "closed");
      const response = decodeResponse(singleFrame(r.received), RESPONSE_KIND[kind]) as { errorCode: number };
      assert.equal(response.errorCode, 3, kind);
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

describe("clients that never read their reply", () => {
  it("hold no connection: replies that fit the socket buffer close at once, larger ones at the write timeout", async () => {
    const daemon = await startDaemon({ writeTimeoutMs: 300, maxQuoteBufBytes: 4 * 1024 * 1024 });
    const sockets: Socket[] = [];
    try {
      const client = new AesmClient({ socketPath: daemon.socketPath });
      const { targetInfo } = await client.initQuoteEx(keyId, 32);
      const report = enclave.createReport(targetInfo, Buffer.alloc(64));
      for (const bufSize of [...Array<number>(20).fill(64 * 1024), ...Array<number>(5).fill(4 * 1024 * 1024)]) {
        const socket = connect(daemon.socketPath);
        socket.on("error", () => undefined);
        socket.pause(); // never read
        socket.write(encodeFrame(encodeRequest("getQuoteExReq", { report, attKeyId: keyId, bufSize })));
        sockets.push(socket);
      }
      const deadline = performance.now() + 3000;
      while (daemon.server.stats.connections < 26 || daemon.server.openConnections > 0) {
        assert.ok(performance.now() < deadline, `${daemon.server.openConnections} connections still open`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(
        daemon.logs.some((l) => String(l["msg"]).includes("reply not taken")),
        "the 4 MiB replies hit the write timeout",
      );
      await getQuote(enclave, Buffer.alloc(64), { client, env });
    } finally {
      for (const socket of sockets) socket.destroy();
      await daemon.stop();
    }
  });
});

describe("connection and path limits", () => {
  for (const threads of [1, 2]) {
    it(`connections beyond maxConnections are closed on accept, the cap counting every thread (${threads} thread${threads > 1 ? "s" : ""})`, async () => {
      const cap = 12;
      const daemon = await startDaemon({ threads, maxConnections: cap, idleTimeoutMs: 20_000 });
      try {
        const idle = Array.from({ length: cap }, () => exchangeRaw(daemon.socketPath, [], { waitMs: 30_000 }));
        // Worker threads report their counts every 250 ms.
        const deadline = performance.now() + 3000;
        while (daemon.server.openConnections < cap) {
          assert.ok(performance.now() < deadline, `${daemon.server.openConnections} of ${cap} connections open`);
          await new Promise((r) => setTimeout(r, 20));
        }
        const extra = await exchangeRaw(daemon.socketPath, [encodeFrame(encodeRequest("getSupportedAttKeyIDNumReq", {}))], {
          waitMs: 2000,
        });
        assert.deepEqual([extra.ended, extra.received.length], ["closed", 0]);
        await daemon.server.close();
        await Promise.all(idle);
      } finally {
        await daemon.stop().catch(() => undefined);
      }
    });
  }

  it("a socket path longer than sun_path holds is refused, not silently truncated", async () => {
    const daemon = await startDaemon();
    try {
      const longPath = join(daemon.dir, "x".repeat(120), "aesm.socket");
      await assert.rejects(QuoteServer.start({ provider: daemon.platform, socketPath: longPath }), {
        code: "ERR_DAEMON_SOCKET_PATH_TOO_LONG",
      });
    } finally {
      await daemon.stop();
    }
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
