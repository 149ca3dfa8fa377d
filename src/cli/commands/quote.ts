import { createHash } from "node:crypto";
import type { Command } from "commander";
import { AesmClient, SimulatedEnclave, getQuote, resolveSocketPath } from "../../client/index.ts";
import { CliError } from "../cli-error.ts";
import { emit, formatBytes, parseHexOption, type BytesFormat } from "../io.ts";
import { parseU16Option } from "../options.ts";

interface QuoteOptions {
  socket: string;
  reportData?: string;
  message?: string;
  mrenclave?: string;
  mrsigner?: string;
  isvProdId: number;
  isvSvn: number;
  debug?: boolean;
  format?: BytesFormat;
  out?: string;
}

export function registerQuote(program: Command): void {
  program
    .command("quote")
    .description("get a DCAP quote through the AESM socket for a REPORT made by a simulated enclave")
    .option("--socket <path>", "AESM socket", resolveSocketPath())
    .option("--report-data <hex>", "up to 64 bytes of report data (zero-padded)")
    .option("--message <text>", "report data = SHA-256(text), instead of --report-data")
    .option("--mrenclave <hex>", "32-byte MRENCLAVE of the simulated enclave")
    .option("--mrsigner <hex>", "32-byte MRSIGNER of the simulated enclave")
    .option("--isv-prod-id <n>", "ISV product id (0..65535)", parseU16Option, 1)
    .option("--isv-svn <n>", "ISV SVN (0..65535)", parseU16Option, 1)
    .option("--debug", "set the DEBUG attribute of the enclave")
    .option("--format <format>", "hex, base64 or binary (default: binary with --out, else hex)")
    .option("--out <file>", "write the quote to a file instead of stdout")
    .action(async (options: QuoteOptions) => {
      await quote(options);
    });
}

async function quote(options: QuoteOptions): Promise<void> {
  if (options.reportData !== undefined && options.message !== undefined)
    throw new CliError("ERR_CLI_USAGE", "give --report-data or --message, not both");
  const reportData =
    options.message !== undefined
      ? createHash("sha256").update(options.message).digest()
      : (parseHexOption("report-data", options.reportData, 64) ?? new Uint8Array(64));
  const format = options.format ?? (options.out === undefined ? "hex" : "binary");
  if (!["hex", "base64", "binary"].includes(format))
    throw new CliError("ERR_CLI_USAGE", `--format must be hex, base64 or binary, not ${format}`);
  const flags = 0x5n | (options.debug === true ? 0x2n : 0n);
  const enclave = new SimulatedEnclave({
    ...optional("mrEnclave", parseHexOption("mrenclave", options.mrenclave, 32, true)),
    ...optional("mrSigner", parseHexOption("mrsigner", options.mrsigner, 32, true)),
    isvProdId: options.isvProdId,
    isvSvn: options.isvSvn,
    attributes: { flags, xfrm: 0x3n },
  });
  // This command is itself the out-of-process client, so it needs no SGX_AESM_ADDR of its own.
  const { quote: bytes } = await getQuote(enclave, reportData, {
    client: new AesmClient({ socketPath: options.socket }),
    env: { SGX_AESM_ADDR: "1" },
  });
  await emit(formatBytes(bytes, format), options.out);
}

function optional<K extends string>(key: K, value: Uint8Array | undefined): Partial<Record<K, Uint8Array>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, Uint8Array>);
}
