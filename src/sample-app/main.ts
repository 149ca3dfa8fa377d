/**
 * The sample application: what an enclave app in a pod does to get a quote out of process.
 * It only needs SGX_AESM_ADDR=1 and the AESM socket directory mounted at /var/run/aesmd; no
 * QE/PCE enclaves, no sgx_prv. Prints each step; writes the quote to the path in argv[2].
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { SimulatedEnclave, getQuote, isOutOfProcRequested, resolveSocketPath } from "../client/index.ts";
import { SAMPLE_APP_IDENTITY } from "./identity.ts";

const say = (line: string) => process.stdout.write(`${line}\n`);

async function run(outPath: string | undefined, message: string): Promise<void> {
  if (!isOutOfProcRequested()) throw new Error("SGX_AESM_ADDR is not set: this app quotes out of process only");
  say(`SGX_AESM_ADDR is set: out-of-process quoting through ${resolveSocketPath()}`);
  const enclave = new SimulatedEnclave(SAMPLE_APP_IDENTITY);
  const reportData = Buffer.concat([createHash("sha256").update(message).digest(), Buffer.alloc(32)]);
  say(`enclave report data = SHA-256("${message}") || 32 zero bytes`);
  const nonce = randomBytes(16);
  const result = await getQuote(enclave, reportData, {
    nonce,
    onStep: (step) => say(`  -> ${step}`),
  });
  say(`got a ${result.quote.length}-byte DCAP quote (v3, ECDSA-P256)`);
  if (result.qeReport !== undefined) {
    const genuine = enclave.verifyReport(result.qeReport);
    say(`QE report targeted at this enclave: MAC ${genuine ? "valid" : "INVALID"}, binds SHA-256(nonce || quote)`);
    if (!genuine) throw new Error("the QE report does not verify for this enclave");
  }
  if (outPath !== undefined) await writeFile(outPath, result.quote);
}

run(process.argv[2], process.argv[3] ?? "hello from the sample app").catch((error: unknown) => {
  process.stderr.write(`sample app failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
