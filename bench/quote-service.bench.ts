/**
 * Quote service throughput: GetQuoteEx round trips per second through the AESM socket at 1, 16
 * and 64 concurrent clients, with p50/p99 latency, beside two baselines measured in the same run:
 * the raw single-thread ECDSA P-256 signing rate of node:crypto (the one operation a quote cannot
 * avoid), and a no-work Node server on the same socket protocol with as many event loops (what
 * one connection per request costs by itself on this machine).
 *
 * The daemon runs as its own process (`sgx-quote-helper serve` from dist/, rebuilt first, one
 * event loop per CPU), as in production. The clients are a small C program
 * (bench/load/aesm-load.c, built here with cc): one epoll thread driving every client, so they
 * take as little as possible of the machine they share with the daemon. A reply counts only
 * when it carries errorCode 0 (a refusal is cheap and must not pass for a quote). Without a C
 * compiler they fall back to our TypeScript AesmClient.
 *
 * Shared machines drift in speed from one minute to the next, so every figure is the best of
 * ROUNDS rounds, and the raw signing rate is measured again between the rows, its best kept: a
 * ratio never compares a fast moment of the daemon with a slow moment of the baseline.
 *
 * Usage: npm run bench [-- --seconds 3 --concurrency 1,16,64]
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AesmClient, SimulatedEnclave } from "../src/client/index.ts";
import { encodeFrame, encodeRequest } from "../src/protocol/index.ts";
import { defaultEcdsaAttKeyId } from "../src/sgx/index.ts";
import { waitForSocket } from "../test/helpers/wait-for-socket.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "3" }, concurrency: { type: "string", default: "1,16,64" } },
});
const seconds = Number(values.seconds);
const levels = values.concurrency.split(",").map(Number);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Measurement {
  quotesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const ROUNDS = 5;

const signingKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
const signedMessage = randomBytes(432);
let bestSigningRate = 0;

/** Signatures per second over one second of signing on this thread; the best so far is kept. */
function measureSigningRate(): void {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < 1000) {
    for (let i = 0; i < 100; i++) sign("sha256", signedMessage, { key: signingKey, dsaEncoding: "ieee-p1363" });
    count += 100;
  }
  bestSigningRate = Math.max(bestSigningRate, count / ((performance.now() - started) / 1000));
}

/** The best of ROUNDS measurements (highest rate), each followed by a look at the signing rate. */
async function bestOf(measure: () => Promise<Measurement>): Promise<Measurement> {
  let best: Measurement | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const m = await measure();
    if (best === undefined || m.quotesPerSecond > best.quotesPerSecond) best = m;
    measureSigningRate();
  }
  return best!;
}

function buildCLoad(dir: string): string | undefined {
  const binary = join(dir, "aesm-load");
  try {
    execFileSync("cc", ["-O2", "-o", binary, here("load/aesm-load.c")], { stdio: "ignore" });
    return binary;
  } catch {
    return undefined;
  }
}

function startProcess(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "inherit", "inherit"] });
}

/** The daemon as installed (bin → dist), rebuilt from the sources first so it is never stale. */
function startDaemon(args: string[]): ChildProcess {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: here(".."), stdio: "inherit" });
  return spawn(process.execPath, [here("../bin/sgx-quote-helper.js"), ...args], { stdio: ["ignore", "inherit", "inherit"] });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

function runCLoad(binary: string, socketPath: string, requestFile: string, clients: number, duration = seconds): Measurement {
  const out = execFileSync(binary, [socketPath, requestFile, String(clients), String(duration)], { encoding: "utf8" });
  const [count, p50, p99, failed, elapsed] = out.trim().split(" ").map(Number) as [number, number, number, number, number];
  if (failed > 0) throw new Error(`${failed} requests failed at ${clients} clients`);
  return { quotesPerSecond: count / elapsed, p50Ms: p50 / 1000, p99Ms: p99 / 1000 };
}

async function runTsLoad(socketPath: string, report: Uint8Array, size: number, clients: number, duration = seconds): Promise<Measurement> {
  const client = new AesmClient({ socketPath });
  const keyId = defaultEcdsaAttKeyId();
  const latencies: number[] = [];
  const until = performance.now() + duration * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await client.getQuoteEx(report, keyId, size);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { quotesPerSecond: latencies.length / ((performance.now() - started) / 1000), p50Ms: at(0.5), p99Ms: at(0.99) };
}

const dir = await mkdtemp(join(tmpdir(), "sqh-bench-"));
const socketPath = join(dir, "aesm.socket");
const threads = availableParallelism();
const daemon = startDaemon([
  "serve",
  "--socket",
  socketPath,
  "--state-dir",
  join(dir, "state"),
  "--log-level",
  "warn",
  "--threads",
  String(threads),
]);
try {
  await waitForSocket(socketPath);
  const client = new AesmClient({ socketPath });
  const keyId = defaultEcdsaAttKeyId();
  const { targetInfo } = await client.initQuoteEx(keyId, 32);
  const size = await client.getQuoteSizeEx(keyId);
  const report = new SimulatedEnclave().createReport(targetInfo, Buffer.alloc(64, 1));
  const requestFile = join(dir, "get-quote-ex.frame");
  await writeFile(requestFile, encodeFrame(encodeRequest("getQuoteExReq", { report, attKeyId: keyId, bufSize: size, timeout: 15000 })));

  measureSigningRate();
  const cLoad = buildCLoad(dir);
  const load = (path: string, clients: number, duration = seconds) =>
    cLoad === undefined
      ? runTsLoad(path, report, size, clients, duration)
      : Promise.resolve(runCLoad(cLoad, path, requestFile, clients, duration));
  const rows: { name: string; clients: number; m: Measurement }[] = [];
  // Warm-up: let V8 optimise the hot path before anything is recorded.
  await load(socketPath, Math.max(...levels), 1);
  for (const clients of levels) rows.push({ name: "quote service, GetQuoteEx", clients, m: await bestOf(() => load(socketPath, clients)) });
  const maxLevel = Math.max(...levels);
  rows.push({
    name: "quote service, TypeScript AesmClient",
    clients: maxLevel,
    m: await bestOf(() => runTsLoad(socketPath, report, size, maxLevel)),
  });

  const ceilingSocket = join(dir, "ceiling.socket");
  const ceiling = startProcess([here("load/reply-ceiling.ts"), ceilingSocket, String(size), String(threads)]);
  try {
    await waitForSocket(ceilingSocket);
    await load(ceilingSocket, maxLevel, 1);
    rows.push({
      name: "no-work Node server, same event loops (ceiling)",
      clients: maxLevel,
      m: await bestOf(() => load(ceilingSocket, maxLevel)),
    });
  } finally {
    await stopProcess(ceiling);
  }

  console.log(`raw ECDSA P-256 signing (node:crypto, one thread, best of the run): ${bestSigningRate.toFixed(0)} signatures/s`);
  console.log(
    `clients: ${cLoad === undefined ? "TypeScript AesmClient (no C compiler found)" : "C load generator (bench/load/aesm-load.c)"}; daemon threads: ${threads}; best of ${ROUNDS} rounds of ${seconds} s per row; quote ${size} bytes`,
  );
  console.log("");
  console.log("| server | clients | requests/s | p50 ms | p99 ms | x raw signing rate |");
  console.log("|---|--:|--:|--:|--:|--:|");
  for (const { name, clients, m } of rows) {
    console.log(
      `| ${name} | ${clients} | ${m.quotesPerSecond.toFixed(0)} | ${m.p50Ms.toFixed(2)} | ${m.p99Ms.toFixed(2)} | ${(m.quotesPerSecond / bestSigningRate).toFixed(3)} |`,
    );
  }
} finally {
  await stopProcess(daemon);
  await rm(dir, { recursive: true, force: true });
}
