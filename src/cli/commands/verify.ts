import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadCollateral, PcsCache, PcsClient, TCB_STATUSES, type Collateral } from "../../collateral/index.ts";
import { TeeType } from "../../quote/index.ts";
import { SgxQuoteHelperError, errorMessage } from "../../shared/errors.ts";
import { appraiseVerdict, verifyQuote, verifyQuoteSignatures, type VerificationPolicy } from "../../verifier/index.ts";
import { CliError } from "../cli-error.ts";
import { readBytesFile } from "../io.ts";
import type { CommandOutcome } from "../main.ts";
import { parseU16Option } from "../options.ts";
import { printSignatureVerification, printVerdict, signatureJson, verdictJson } from "../print-verification.ts";

interface VerifyOptions {
  collateral?: string;
  pccsUrl?: string;
  cacheDir?: string;
  offline?: boolean;
  at?: Date;
  trustRoot?: string[];
  accept: string[];
  allowDebug?: boolean;
  allowExpired?: boolean;
  mrenclave?: string;
  mrsigner?: string;
  isvProdId?: number;
  minIsvSvn?: number;
  mrtd?: string;
  json?: boolean;
}

type AcceptableStatus = NonNullable<VerificationPolicy["acceptedStatuses"]>[number];
const ACCEPTABLE = [...TCB_STATUSES.filter((s) => s !== "Revoked"), "TDRelaunchAdvised", "TDRelaunchAdvisedConfigurationNeeded"];

export function registerVerify(program: Command, outcome: CommandOutcome): void {
  program
    .command("verify")
    .description(
      "verify a DCAP quote (SGX v3/v4/v5, TDX v4/v5): with collateral, Intel's full verdict and a policy; without, its signature chain",
    )
    .argument("<quote>", "quote file: binary, hex or base64")
    .option("--collateral <path>", "a directory of split collateral files or a collateral.json bundle")
    .option("--pccs-url <url>", "fetch collateral from a PCS v4-compatible service (Intel PCS, a PCCS, or `serve --pcs-port`)")
    .option("--cache-dir <dir>", "keep fetched collateral here and reuse it until its nextUpdate")
    .option("--offline", "use only collateral already in --cache-dir")
    .option("--at <time>", "verification time: ISO 8601 or Unix seconds (default: now)", parseTime)
    .option(
      "--trust-root <file>",
      "also trust this root certificate (PEM), e.g. a simulated platform's platform/root-ca.pem; repeat for several",
      (file: string, files: string[] | undefined) => [...(files ?? []), file],
    )
    .option("--accept <statuses>", `accepted TCB statuses, comma-separated (${ACCEPTABLE.join(", ")})`, parseStatuses, ["UpToDate"])
    .option("--allow-debug", "accept debug enclaves and debug TDs")
    .option("--allow-expired", "accept a verdict whose collateral has expired at the verification time")
    .option("--mrenclave <hex>", "expected MRENCLAVE")
    .option("--mrsigner <hex>", "expected MRSIGNER")
    .option("--isv-prod-id <n>", "expected ISV product id", parseU16Option)
    .option("--min-isv-svn <n>", "lowest accepted ISV SVN", parseU16Option)
    .option("--mrtd <hex>", "expected MRTD of a TD")
    .option("--json", "print the result as JSON")
    .action(async (quotePath: string, options: VerifyOptions) => {
      outcome.exitCode = await verify(quotePath, options);
    });
}

async function verify(quotePath: string, options: VerifyOptions): Promise<number> {
  const quote = await readBytesFile(quotePath);
  const trustedRoots = await Promise.all((options.trustRoot ?? []).map(readRootCertificate));
  if (options.collateral !== undefined && options.pccsUrl !== undefined)
    throw new CliError("ERR_CLI_USAGE", "give --collateral or --pccs-url, not both");
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const collateral =
      options.pccsUrl !== undefined
        ? await fetchCollateral(quote, options.pccsUrl, trustedRoots, options)
        : options.collateral === undefined
          ? undefined
          : await loadCollateral(options.collateral);
    if (collateral === undefined) {
      const result = verifyQuoteSignatures(quote, { trustedRoots });
      if (options.json === true) print(JSON.stringify(signatureJson(result), null, 2));
      else printSignatureVerification(result, print);
      return 0;
    }
    return judge(quote, collateral, trustedRoots, options, print);
  } catch (error) {
    if (!(error instanceof SgxQuoteHelperError)) throw error;
    const quote3 = (error as { quote3Status?: string }).quote3Status;
    if (options.json === true)
      print(JSON.stringify({ accepted: false, verified: false, code: error.code, quote3Status: quote3, message: error.message }, null, 2));
    else print(`not verified: ${error.code}${quote3 === undefined ? "" : ` (${quote3})`}: ${error.message}`);
    return 1;
  }
}

function judge(
  quote: Uint8Array,
  collateral: Collateral,
  trustedRoots: string[],
  options: VerifyOptions,
  print: (line: string) => void,
): number {
  const verdict = verifyQuote(quote, collateral, { now: options.at ?? new Date(), trustedRoots });
  const appraisal = appraiseVerdict(verdict, policyOf(options));
  if (options.json === true) print(JSON.stringify(verdictJson(verdict, appraisal), null, 2));
  else printVerdict(verdict, appraisal, print);
  return appraisal.accepted ? 0 : 1;
}

/** The quote's own FMSPC, PCK CA and TEE select what to fetch; its signature chain is checked first. */
async function fetchCollateral(quote: Uint8Array, url: string, trustedRoots: string[], options: VerifyOptions): Promise<Collateral> {
  const signatures = verifyQuoteSignatures(quote, { trustedRoots });
  const client = new PcsClient({
    baseUrl: url,
    cache: new PcsCache(options.cacheDir === undefined ? {} : { directory: options.cacheDir }),
    offline: options.offline === true,
  });
  const tee = signatures.quote.header.teeType === TeeType.TDX ? "tdx" : "sgx";
  return client.getCollateral({ fmspc: signatures.fmspc, pckCa: signatures.pckCa, tee });
}

function policyOf(options: VerifyOptions): VerificationPolicy {
  return {
    acceptedStatuses: options.accept as AcceptableStatus[],
    ...(options.allowDebug === true && { allowDebug: true }),
    ...(options.allowExpired === true && { allowExpiredCollateral: true }),
    ...(options.mrenclave !== undefined && { mrEnclave: options.mrenclave }),
    ...(options.mrsigner !== undefined && { mrSigner: options.mrsigner }),
    ...(options.isvProdId !== undefined && { isvProdId: options.isvProdId }),
    ...(options.minIsvSvn !== undefined && { minIsvSvn: options.minIsvSvn }),
    ...(options.mrtd !== undefined && { mrTd: options.mrtd }),
  };
}

function parseTime(value: string): Date {
  const date = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError("ERR_CLI_USAGE", `--at takes an ISO 8601 time or Unix seconds, not "${value}"`);
  return date;
}

function parseStatuses(value: string): string[] {
  const statuses = value.split(",").map((s) => s.trim());
  const unknown = statuses.filter((s) => !ACCEPTABLE.includes(s));
  if (unknown.length > 0) throw new CliError("ERR_CLI_USAGE", `unknown TCB status ${unknown.join(", ")}; known: ${ACCEPTABLE.join(", ")}`);
  return statuses;
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
