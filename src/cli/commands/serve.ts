import { InvalidArgumentError, type Command } from "commander";
import { DEFAULT_MAX_QUOTE_BUF_BYTES, QuoteServer, startPcsServer } from "../../daemon/index.ts";
import { AESM_SOCKET_PATH } from "../../protocol/index.ts";
import { SIMULATED_TCB_STATUSES, SimulatedPlatform, type SimulatedTcbStatus } from "../../providers/simulated/index.ts";
import { createLogger } from "../logger.ts";
import { defaultServingThreads } from "../serving-threads.ts";
import { defaultStateDir } from "../state-dir.ts";
import { integerInRange, parseIntegerOption, parseLogLevel } from "../options.ts";

interface ServeOptions {
  socket: string;
  stateDir: string;
  maxFrameBytes: number;
  idleTimeoutMs: number;
  requestDeadlineMs: number;
  writeTimeoutMs: number;
  maxQuoteBufBytes: number;
  maxConnections: number;
  threads?: number;
  pcsPort?: number;
  pcsHost: string;
  tcbStatus: SimulatedTcbStatus;
  logLevel: string;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the AESM-compatible quote service on the simulated SGX platform")
    .option("--socket <path>", "Unix socket to listen on", AESM_SOCKET_PATH)
    .option("--state-dir <dir>", "platform keys and certificates (a new directory makes a new platform)", defaultStateDir())
    .option("--max-frame-bytes <n>", "largest request accepted", parseIntegerOption, 1024 * 1024)
    .option("--idle-timeout-ms <n>", "cut off a client silent this long mid-request", parseIntegerOption, 5000)
    .option(
      "--request-deadline-ms <n>",
      "cut off a client whose request is not complete this long after connecting",
      parseIntegerOption,
      60_000,
    )
    .option("--write-timeout-ms <n>", "close a client that does not take its reply within this time", parseIntegerOption, 5000)
    .option("--max-quote-buf-bytes <n>", "largest GetQuoteEx buf_size served", parseIntegerOption, DEFAULT_MAX_QUOTE_BUF_BYTES)
    .option("--max-connections <n>", "connections served at once", parseIntegerOption, 1024)
    .option(
      "--threads <n>",
      "event loops serving the socket, each on its own thread (default: one per CPU the pod may use, at most 8)",
      parseIntegerOption,
    )
    .option(
      "--pcs-port <port>",
      "also publish this platform's collateral on a PCS v4 HTTP endpoint (0: any free port)",
      integerInRange(0, 65535),
    )
    .option("--pcs-host <host>", "address of the PCS endpoint", "127.0.0.1")
    .option(
      "--tcb-status <status>",
      `TCB status the collateral gives the platform (${SIMULATED_TCB_STATUSES.join(", ")})`,
      parseTcbStatus,
      "UpToDate",
    )
    .option("--log-level <level>", "pino log level", parseLogLevel, "info")
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel);
  const provider = await SimulatedPlatform.open({ stateDir: options.stateDir });
  const server = await QuoteServer.start({
    provider,
    logger,
    socketPath: options.socket,
    maxFrameBytes: options.maxFrameBytes,
    idleTimeoutMs: options.idleTimeoutMs,
    requestDeadlineMs: options.requestDeadlineMs,
    writeTimeoutMs: options.writeTimeoutMs,
    maxQuoteBufBytes: options.maxQuoteBufBytes,
    maxConnections: options.maxConnections,
    threads: options.threads ?? defaultServingThreads(),
    onThreadFailure: () => {
      // Already logged as fatal; the DaemonSet restarts the pod.
      process.exit(1);
    },
  });
  logger.info({ stateDir: options.stateDir }, "simulated SGX platform ready (quotes chain to a SIMULATED root, never to Intel's)");
  const pcs =
    options.pcsPort === undefined
      ? undefined
      : await startPcsServer({ platform: provider, port: options.pcsPort, host: options.pcsHost, tcbStatus: options.tcbStatus });
  if (pcs !== undefined) logger.info({ url: pcs.url, tcbStatus: options.tcbStatus }, "PCS v4 collateral endpoint listening");
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await pcs?.close();
  await server.close();
  await provider.close();
}

function parseTcbStatus(value: string): SimulatedTcbStatus {
  const status = SIMULATED_TCB_STATUSES.find((s) => s === value);
  if (status === undefined) throw new InvalidArgumentError(`expected one of ${SIMULATED_TCB_STATUSES.join(", ")}`);
  return status;
}
