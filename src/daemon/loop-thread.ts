import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Level, Logger } from "pino";
import type { ProviderRecipe } from "../providers/quote-provider.ts";
import { errorMessage } from "../shared/errors.ts";
import type { ConnectionLimits } from "./connection.ts";
import type { ServingLoop } from "./serving-loop.ts";

/** How often worker loops send their counters to the main thread. */
export const STATS_INTERVAL_MS = 250;

/** What a worker loop starts from. */
export interface LoopThreadData {
  /** The listening socket the main thread bound. */
  readonly fd: number;
  readonly backlog: number;
  readonly recipe: ProviderRecipe;
  readonly limits: ConnectionLimits;
  readonly maxConnections: number;
  readonly maxQuoteBufBytes: number;
  readonly logLevel: string;
  /** One slot per thread (the main thread's is 0), set to 1 once that thread's handle on the listening socket is closed. */
  readonly released: Int32Array;
  /** This thread's slot. */
  readonly index: number;
}

export interface LoopStatsSnapshot {
  readonly connections: number;
  readonly dropped: number;
  readonly served: readonly (readonly [string, number])[];
  readonly open: number;
}

/**
 * `close`: close the handle on the listening socket and every connection, then end. With
 * `keepListener`, only the connections: the descriptor went with a dead thread, and its number
 * may belong to someone else by now, so no thread may close it again before the process ends.
 */
export type ToLoopThread = { readonly type: "close"; readonly keepListener: boolean };
export type FromLoopThread =
  { readonly type: "ready" } | { readonly type: "log"; readonly line: string } | ({ readonly type: "stats" } & LoopStatsSnapshot);

export function statsSnapshot(loop: ServingLoop): LoopStatsSnapshot {
  const { connections, dropped, served } = loop.stats;
  return { connections, dropped, served: [...served], open: loop.openConnections };
}

const EMPTY_STATS: LoopStatsSnapshot = { connections: 0, dropped: 0, served: [], open: 0 };

/**
 * Node 20 starts workers without the parent's module loader hooks, so when the daemon runs from
 * its TypeScript sources (the test suite, under tsx) the worker registers tsx before loading its
 * entry. Installed builds load plain JavaScript and never get here.
 */
const FROM_SOURCES_BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.loader).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/** The main thread's side of one worker event loop. */
export class LoopThread {
  /** The worker's latest counters (it sends them every STATS_INTERVAL_MS and when it closes). */
  stats: LoopStatsSnapshot = EMPTY_STATS;
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #closing = false;

  private constructor(worker: Worker, exited: Promise<void>) {
    this.#worker = worker;
    this.#exited = exited;
  }

  /**
   * Starts a worker loop and resolves once it accepts on the socket. Rejects if it fails to start.
   * A worker that dies afterwards, outside `close`, is reported to `onFailure`: its teardown closed
   * the shared listening descriptor, so the service cannot go on.
   */
  static start(data: LoopThreadData, logger: Logger, onFailure: (error: Error) => void): Promise<LoopThread> {
    const { index } = data;
    const entry = new URL(`./loop-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
    const worker = entry.pathname.endsWith(".ts")
      ? new Worker(FROM_SOURCES_BOOTSTRAP, {
          eval: true,
          workerData: { ...data, entry: entry.href, loader: import.meta.resolve("tsx/esm/api") },
        })
      : new Worker(entry, { workerData: data });
    let failure: Error | undefined;
    worker.on("error", (error) => (failure = error));
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    return new Promise<LoopThread>((resolve, reject) => {
      const thread = new LoopThread(worker, exited);
      let started = false;
      worker.on("message", (message: FromLoopThread) => {
        switch (message.type) {
          case "ready":
            started = true;
            resolve(thread);
            break;
          case "log":
            relayLog(logger, message.line, index);
            break;
          case "stats":
            thread.stats = message;
            break;
        }
      });
      worker.once("exit", (code) => {
        // Whatever the way out, the thread's handle on the listening socket is closed now.
        Atomics.store(data.released, index, 1);
        Atomics.notify(data.released, index);
        const error = failure ?? new Error(`serving thread ${index} exited with code ${code}`);
        if (!started) reject(error);
        else if (!thread.#closing) onFailure(error);
      });
    });
  }

  /**
   * Asks the worker to close its connections and, unless `keepListener`, its handle on the
   * listening socket. A worker that keeps it stays until the process ends, without holding it up.
   */
  requestClose(keepListener: boolean): void {
    this.#closing = true;
    const message: ToLoopThread = { type: "close", keepListener };
    this.#worker.postMessage(message);
    if (keepListener) this.#worker.unref();
  }

  /** Resolves when the worker has stopped; its last counters have arrived by then. */
  exited(): Promise<void> {
    return this.#exited;
  }

  /** Lets the process end without waiting for this worker (it keeps whatever it holds). */
  abandon(): void {
    this.#worker.unref();
  }
}

/** Re-logs a worker's pino line through the main logger, tagged with the thread. */
function relayLog(logger: Logger, line: string, thread: number): void {
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const label = (typeof level === "number" ? logger.levels.labels[level] : undefined) ?? "info";
    logger[label as Level]({ ...fields, thread }, typeof msg === "string" ? msg : "");
  } catch (error) {
    logger.warn({ thread }, `unreadable log line from a serving thread: ${errorMessage(error)}`);
  }
}
