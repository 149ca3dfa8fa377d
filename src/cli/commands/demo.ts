import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { PcsClient } from "../../collateral/index.ts";
import { QuoteServer, startPcsServer } from "../../daemon/index.ts";
import { SimulatedPlatform } from "../../providers/simulated/index.ts";
import { appraiseVerdict, verifyQuote, verifyQuoteSignatures } from "../../verifier/index.ts";
import { SgxQuoteHelperError } from "../../shared/errors.ts";
import { createLogger } from "../logger.ts";
import type { CommandOutcome } from "../main.ts";
import { parseLogLevel } from "../options.ts";
import { printVerdict } from "../print-verification.ts";
import { SAMPLE_APP_MRENCLAVE_HEX } from "../../sample-app/identity.ts";

const say = (line = "") => process.stdout.write(`${line}\n`);
const DEMO_THREADS = 2;

export function registerDemo(program: Command, outcome: CommandOutcome): void {
  program
    .command("demo")
    .description("start the quote service on a temporary socket, run a sample app container against it, verify its quote")
    .option("--message <text>", "what the app binds into its report data", "hello from an out-of-proc enclave app")
    .option("--log-level <level>", "daemon log level (logs go to stderr)", parseLogLevel, "warn")
    .action(async (options: { message: string; logLevel: string }) => {
      outcome.exitCode = await demo(options.message, options.logLevel);
    });
}

async function demo(message: string, logLevel: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "sgx-quote-helper-demo-"));
  const socketPath = join(dir, "var-run-aesmd", "aesm.socket");
  const platform = await SimulatedPlatform.open({ stateDir: join(dir, "platform-state") });
  // Two event loops whatever the machine, so the demo always exercises the threaded service.
  const server = await QuoteServer.start({ provider: platform, socketPath, logger: createLogger(logLevel), threads: DEMO_THREADS });
  const pcs = await startPcsServer({ platform });
  try {
    say("1. Node: the quote service (DaemonSet pod) on the simulated SGX platform");
    say(`   listening on ${socketPath} (in a cluster: /var/run/aesmd/aesm.socket, shared by hostPath), ${DEMO_THREADS} event loops`);
    say(`   platform: FMSPC ${platform.facts.fmspc}, PCESVN ${platform.facts.pceSvn}, QE ID ${platform.facts.qeId}`);
    say(`   its collateral (TCB Info, QE identity, CRLs) on a PCS v4 endpoint: ${pcs.url}`);
    say();
    say("2. Application container: SGX_AESM_ADDR=1, no QE/PCE enclaves, no sgx_prv");
    const quotePath = join(dir, "quote.bin");
    await runSampleApp(socketPath, quotePath, message);
    const quote = await readFile(quotePath);
    say();
    say("3. Relying party: collateral from the platform's PCS v4 endpoint, then Intel's verification algorithm");
    try {
      verifyQuoteSignatures(quote);
      say("   refused: trusted a simulated root without being told to");
      return 1;
    } catch (error) {
      if (!(error instanceof SgxQuoteHelperError)) throw error;
      say(`   against Intel's root only: refused as expected (${error.code})`);
    }
    const trustedRoots = [platform.rootCertificatePem];
    const signatures = verifyQuoteSignatures(quote, { trustedRoots });
    say(`   trusting this simulated platform's root explicitly; fetching from ${pcs.url}`);
    const client = new PcsClient({ baseUrl: pcs.url });
    const collateral = await client.getCollateral({ fmspc: signatures.fmspc, pckCa: signatures.pckCa });
    const verdict = verifyQuote(quote, collateral, { now: new Date(), trustedRoots });
    const appraisal = appraiseVerdict(verdict, { mrEnclave: SAMPLE_APP_MRENCLAVE_HEX });
    printVerdict(verdict, appraisal, say, "   ");
    const expected = createHash("sha256").update(message).digest("hex");
    const bound = verdict.enclave?.reportData.startsWith(expected) === true;
    say(`   report data carries SHA-256("${message}"): ${bound ? "yes" : "NO"}`);
    say();
    const ok = bound && appraisal.accepted;
    say(ok ? "Verified: the app got an out-of-process DCAP quote; UpToDate under full TCB evaluation." : "FAILED");
    return ok ? 0 : 1;
  } finally {
    await pcs.close();
    await server.close();
    await platform.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function sampleAppPath(): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`../../sample-app/main${extname(here)}`, import.meta.url));
}

/** Runs the sample app as its own process, as a pod would, and relays its output. */
async function runSampleApp(socketPath: string, quotePath: string, message: string): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, sampleAppPath(), quotePath, message], {
    env: { ...process.env, SGX_AESM_ADDR: "1", SGX_QUOTE_HELPER_SOCKET: socketPath },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for await (const line of createInterface({ input: child.stdout })) say(`   [app] ${line}`);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new SgxQuoteHelperError("ERR_CLI_DEMO_APP", `the sample app exited with ${code}`);
}
