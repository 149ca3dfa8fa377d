import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { SgxQuoteHelperError } from "../shared/errors.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerQuote } from "./commands/quote.ts";
import { registerServe } from "./commands/serve.ts";
import { registerVerify } from "./commands/verify.ts";

/** Exit status a command reports without throwing (verify: 1 when the quote is not accepted). */
export interface CommandOutcome {
  exitCode: number;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 failure, 2 usage or input error). */
export async function main(argv: readonly string[]): Promise<number> {
  const outcome: CommandOutcome = { exitCode: 0 };
  const program = new Command()
    .name("sgx-quote-helper")
    .description("Out-of-process SGX DCAP quote generation: AESM-compatible quote service, client and verifier")
    .version(packageVersion())
    .exitOverride();
  registerServe(program);
  registerQuote(program);
  registerVerify(program, outcome);
  registerDemo(program, outcome);
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof SgxQuoteHelperError) {
      process.stderr.write(`sgx-quote-helper: ${error.code}: ${error.message}\n`);
      return error.code.startsWith("ERR_CLI_") ? 2 : 1;
    }
    process.stderr.write(
      `sgx-quote-helper: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
