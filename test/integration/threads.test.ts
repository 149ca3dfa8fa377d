import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pino } from "pino";
import { AesmClient, SimulatedEnclave, getQuote } from "../../src/client/index.ts";
import { QuoteServer } from "../../src/daemon/index.ts";
import { encodeFrame, encodeRequest } from "../../src/protocol/index.ts";
import { defaultEcdsaAttKeyId } from "../../src/sgx/index.ts";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.ts";
import { testRecipe, withRecipe } from "../helpers/provider-with-recipe.ts";
import { exchangeRaw } from "../helpers/raw-socket.ts";
import { checkQuoteIndependently } from "../helpers/independent-quote-check.ts";

const env = { SGX_AESM_ADDR: "1" };
const keyIdOf = () => defaultEcdsaAttKeyId();
const enclave = new SimulatedEnclave({ mrEnclave: Buffer.alloc(32, 0x5a) });
const openDescriptors = async () => (await readdir("/proc/self/fd")).length;

async function eventually(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    assert.ok(performance.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("a quote service on two event loops", () => {
  let daemon: RunningDaemon;
  before(async () => {
    daemon = await startDaemon({ threads: 2, idleTimeoutMs: 400 });
  });
  after(() => daemon.stop());

  it("serves 200 concurrent clients from both threads, each quote carrying its own report data", async () => {
    const before = daemon.server.stats;
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const reportData = Buffer.alloc(64);
        reportData.writeUInt32BE(i * 104_729 + 7);
        const { quote } = await getQuote(enclave, reportData, { client: new AesmClient({ socketPath: daemon.socketPath }), env });
        return { reportData, quote };
      }),
    );
    for (const { reportData, quote } of results) {
      assert.deepEqual(Buffer.from(quote.subarray(368, 432)), reportData);
      checkQuoteIndependently(quote, daemon.platform.rootCertificatePem);
    }
    // Each getQuote makes four connections; the worker thread reports its counters every 250 ms.
    await eventually(() => daemon.server.stats.connections - before.connections >= 800, "the threads' counters");
    const after = daemon.server.stats;
    assert.equal(after.connectionsByThread.length, 2);
    for (const [thread, n] of after.connectionsByThread.entries()) {
      assert.ok(n - (before.connectionsByThread[thread] ?? 0) > 0, `thread ${thread} accepted connections`);
    }
    assert.ok((after.served.get("getQuoteExReq:0") ?? 0) - (before.served.get("getQuoteExReq:0") ?? 0) >= 200);
  });

  it("cuts off stalled clients on every thread and logs it through the main logger, tagged by thread", async () => {
    const stalled = await Promise.all(
      Array.from({ length: 40 }, () => exchangeRaw(daemon.socketPath, [Buffer.from([0x64, 0, 0, 0, 1])], { waitMs: 5000 })),
    );
    for (const r of stalled) assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
    await eventually(
      () => daemon.logs.some((l) => l["thread"] === 1 && String(l["msg"]).includes("no data for 400 ms")),
      "a warning from the worker thread",
    );
    await getQuote(enclave, Buffer.alloc(64), { client: new AesmClient({ socketPath: daemon.socketPath }), env });
  });

  it("refuses hostile frame headers with two threads serving", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => exchangeRaw(daemon.socketPath, [Buffer.from([0xff, 0xff, 0xff, 0xff])], { waitMs: 2000 })),
    );
    for (const r of results) assert.deepEqual([r.ended, r.received.length], ["closed", 0]);
  });
});

describe("starting and stopping a threaded quote service", () => {
  it("close lets go of the socket on every thread: no descriptor left, the path can be served again", async () => {
    const daemon = await startDaemon({ threads: 3 });
    await daemon.server.close();
    const baseline = await openDescriptors();
    for (let round = 0; round < 2; round++) {
      const server = await QuoteServer.start({ provider: daemon.platform, socketPath: daemon.socketPath, threads: 3 });
      await getQuote(enclave, Buffer.alloc(64, round), { client: new AesmClient({ socketPath: daemon.socketPath }), env });
      await server.close();
      await assert.rejects(stat(daemon.socketPath), { code: "ENOENT" });
      assert.equal(await openDescriptors(), baseline, "descriptors after close");
    }
    await daemon.stop();
  });

  for (const threads of [1, 2]) {
    it(`close waits for running request handlers, and leaves no descriptor behind (${threads} thread${threads > 1 ? "s" : ""})`, async () => {
      const daemon = await startDaemon();
      try {
        const baseline = await openDescriptors();
        const { openProvider } = await import("../helpers/recipe-providers/slow.ts");
        const slow = await openProvider({ stateDir: join(daemon.dir, "state"), delayMs: 400 });
        const socketPath = join(daemon.dir, "slow.socket");
        const logs: Array<Record<string, unknown>> = [];
        const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
        const server = await QuoteServer.start({ provider: slow, socketPath, threads, logger });
        const client = new AesmClient({ socketPath });
        const { targetInfo } = await client.initQuoteEx(keyIdOf(), 32);
        const size = await client.getQuoteSizeEx(keyIdOf());
        const frame = encodeFrame(
          encodeRequest("getQuoteExReq", {
            report: enclave.createReport(targetInfo, Buffer.alloc(64)),
            attKeyId: keyIdOf(),
            bufSize: size,
          }),
        );
        const inFlight = Array.from({ length: 20 }, () => exchangeRaw(socketPath, [frame], { waitMs: 5000 }));
        await new Promise((resolve) => setTimeout(resolve, 150));
        await server.close();
        for (const r of await Promise.all(inFlight)) assert.equal(r.ended, "closed");
        // A handler that close() had not waited for would fail now, and be logged.
        await slow.close();
        await new Promise((resolve) => setTimeout(resolve, 600));
        assert.deepEqual(
          logs.filter((l) => String(l["msg"]).includes("used after close")),
          [],
        );
        assert.equal(await openDescriptors(), baseline, "descriptors after close");
      } finally {
        await daemon.stop();
      }
    });
  }

  it("a provider without a recipe serves on one thread only", async () => {
    const daemon = await startDaemon();
    try {
      await assert.rejects(
        QuoteServer.start({ provider: withRecipe(daemon.platform, undefined), socketPath: join(daemon.dir, "other.socket"), threads: 2 }),
        { code: "ERR_DAEMON_THREADS" },
      );
      await assert.rejects(QuoteServer.start({ provider: daemon.platform, socketPath: join(daemon.dir, "zero.socket"), threads: 0 }), {
        code: "ERR_DAEMON_THREADS",
      });
    } finally {
      await daemon.stop();
    }
  });

  it("a thread that cannot open its provider fails start, and leaves neither socket nor thread behind", async () => {
    const daemon = await startDaemon();
    try {
      const socketPath = join(daemon.dir, "failing.socket");
      const baseline = await openDescriptors();
      await assert.rejects(
        QuoteServer.start({ provider: withRecipe(daemon.platform, testRecipe("failing", {})), socketPath, threads: 3 }),
        (error: Error & { code?: string }) => error.code === "ERR_DAEMON_THREADS" && /cannot be opened/.test(error.message),
      );
      await assert.rejects(stat(socketPath), { code: "ENOENT" });
      assert.equal(await openDescriptors(), baseline);
      const r = await exchangeRaw(daemon.socketPath, [encodeFrame(encodeRequest("getSupportedAttKeyIDNumReq", {}))]);
      assert.ok(r.received.length > 0, "the other service still answers");
    } finally {
      await daemon.stop();
    }
  });

  it("a thread that dies later is reported as the end of the service (in a process of its own)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sqh-crash-"));
    try {
      const script = fileURLToPath(new URL("../helpers/crashing-thread-daemon.ts", import.meta.url));
      const outcome = await promisify(execFile)(process.execPath, ["--import", "tsx", script, dir], { timeout: 20_000 }).then(
        () => ({ code: 0, stdout: "" }),
        (error: unknown) => error as { code: number; stdout: string },
      );
      assert.equal(outcome.code, 3);
      assert.match(outcome.stdout, /^serving\nthread failure: serving thread crashed on purpose\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
