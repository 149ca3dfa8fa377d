/**
 * Quote service throughput: GetQuoteEx round trips per second through the AESM socket at 1, 16
 * and 64 concurrent clients, with p50/p99 latency, beside the raw single-thread ECDSA P-256
 * signing rate of node:crypto measured in the same run (the work each quote cannot avoid).
 * The daemon runs as its own process (`sgx-quote-helper serve`), as in production; the clients
 * run here. Usage: npm run bench [-- --seconds 3]
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AesmClient, SimulatedEnclave } from "../src/client/index.ts";
import { defaultEcdsaAttKeyId } from "../src/sgx/index.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "3" }, concurrency: { type: "string", default: "1,16,64" } },
});
const seconds = Number(values.seconds);
const levels = values.concurrency.split(",").map(Number);

function rawSigningRate(): number {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const message = randomBytes(432);
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
    count += 100;
  }
  return count / seconds;
}

async function startDaemon(dir: string): Promise<{ socketPath: string; stop: () => Promise<void> }> {
  const socketPath = join(dir, "aesm.socket");
  const entry = new URL("../src/cli/entry.ts", import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", entry, "serve", "--socket", socketPath, "--state-dir", join(dir, "state"), "--log-level", "warn"],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const client = new AesmClient({ socketPath, timeoutMs: 1000 });
  for (let attempt = 0; ; attempt++) {
    try {
      await client.getSupportedAttKeyIdNum();
      break;
    } catch (error) {
      if (attempt > 200) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    socketPath,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

interface LevelResult {
  concurrency: number;
  quotesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function measure(socketPath: string, concurrency: number): Promise<LevelResult> {
  const client = new AesmClient({ socketPath });
  const keyId = defaultEcdsaAttKeyId();
  const { targetInfo } = await client.initQuoteEx(keyId, 32);
  const size = await client.getQuoteSizeEx(keyId);
  const enclave = new SimulatedEnclave();
  const reports = Array.from({ length: concurrency }, (_, i) => enclave.createReport(targetInfo, Buffer.alloc(64, i)));
  const latencies: number[] = [];
  const run = async (until: number, record: boolean) => {
    await Promise.all(
      reports.map(async (report) => {
        while (performance.now() < until) {
          const started = performance.now();
          await client.getQuoteEx(report, keyId, size);
          if (record) latencies.push(performance.now() - started);
        }
      }),
    );
  };
  await run(performance.now() + 500, false);
  const started = performance.now();
  await run(started + seconds * 1000, true);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { concurrency, quotesPerSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}

const dir = await mkdtemp(join(tmpdir(), "sqh-bench-"));
const daemon = await startDaemon(dir);
try {
  const signRate = rawSigningRate();
  console.log(`raw ECDSA P-256 signing (node:crypto, one thread): ${signRate.toFixed(0)} signatures/s`);
  console.log("");
  console.log("| clients | quotes/s | p50 ms | p99 ms | x raw signing rate |");
  console.log("|--------:|---------:|-------:|-------:|-------------------:|");
  for (const concurrency of levels) {
    const r = await measure(daemon.socketPath, concurrency);
    console.log(
      `| ${concurrency} | ${r.quotesPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${(r.quotesPerSecond / signRate).toFixed(3)} |`,
    );
  }
} finally {
  await daemon.stop();
  await rm(dir, { recursive: true, force: true });
}
