import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { SgxQuoteHelperError, errorMessage } from "../../shared/errors.ts";
import { verifyQuoteSignatures } from "../../verifier/index.ts";
import { CliError } from "../cli-error.ts";
import { readBytesFile } from "../io.ts";
import type { CommandOutcome } from "../main.ts";
import { printSignatureVerification, verificationJson } from "../print-verification.ts";

interface VerifyOptions {
  trustRoot?: string[];
  json?: boolean;
}

export function registerVerify(program: Command, outcome: CommandOutcome): void {
  program
    .command("verify")
    .description("verify a DCAP quote's signature chain: quote signature, QE report, key binding, PCK chain to a trusted root")
    .argument("<quote>", "quote file: binary, hex or base64")
    .option("--trust-root <file...>", "also trust this root certificate (PEM), e.g. a simulated platform's platform/root-ca.pem")
    .option("--json", "print the result as JSON")
    .action(async (quotePath: string, options: VerifyOptions) => {
      outcome.exitCode = await verify(quotePath, options);
    });
}

async function verify(quotePath: string, options: VerifyOptions): Promise<number> {
  const quote = await readBytesFile(quotePath);
  const trustedRoots = await Promise.all((options.trustRoot ?? []).map(readRootCertificate));
  try {
    const result = verifyQuoteSignatures(quote, { trustedRoots });
    if (options.json === true) process.stdout.write(`${JSON.stringify(verificationJson(result), null, 2)}\n`);
    else printSignatureVerification(result, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    if (!(error instanceof SgxQuoteHelperError)) throw error;
    if (options.json === true)
      process.stdout.write(`${JSON.stringify({ verified: false, code: error.code, message: error.message }, null, 2)}\n`);
    else process.stdout.write(`not verified: ${error.code}: ${error.message}\n`);
    return 1;
  }
}

/** A trust root must be a readable PEM certificate; anything else is an input error, not a verdict. */
async function readRootCertificate(path: string): Promise<string> {
  const pem = await readFile(path, "utf8").catch((cause: unknown) => {
    throw new CliError("ERR_CLI_INPUT", `cannot read trust root ${path}: ${errorMessage(cause)}`);
  });
  try {
    new X509Certificate(pem);
  } catch (cause) {
    throw new CliError("ERR_CLI_INPUT", `trust root ${path} is not a PEM certificate: ${errorMessage(cause)}`);
  }
  return pem;
}
