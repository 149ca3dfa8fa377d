import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { QuoteServer, type QuoteServerOptions } from "../../src/daemon/index.ts";
import { SimulatedPlatform } from "../../src/providers/simulated/index.ts";

export interface RunningDaemon {
  readonly server: QuoteServer;
  readonly platform: SimulatedPlatform;
  readonly socketPath: string;
  readonly dir: string;
  /** Log records the daemon wrote, for asserting on warnings. */
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A quote service on a fresh simulated platform, on a socket in a new temporary directory. */
export async function startDaemon(options: Partial<QuoteServerOptions> = {}): Promise<RunningDaemon> {
  const dir = await mkdtemp(join(tmpdir(), "sqh-test-"));
  const platform = await SimulatedPlatform.open({ stateDir: join(dir, "state") });
  const logs: Array<Record<string, unknown>> = [];
  const logger: Logger = pino({ level: "debug" }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const socketPath = join(dir, "run", "aesm.socket");
  const server = await QuoteServer.start({ provider: platform, logger, socketPath, ...options });
  return {
    server,
    platform,
    socketPath,
    dir,
    logs,
    async stop() {
      await server.close();
      await platform.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
