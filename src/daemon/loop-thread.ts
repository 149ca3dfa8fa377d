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

/**
 * Where a serving thread is in its life, in a shared Int32 per thread, so the main thread can
 * read it without waiting for a message (a dying thread writes EXITED_HOLDING from its own
 * 'exit' handler, before its teardown closes its handles).
 */
export const ThreadState = {
  STARTING: 0,
  /** Holds (or is about to take) a handle on the shared listening descriptor. */
  LISTENING: 1,
  /** Still holds the handle, but serves nothing and runs no request handler. */
  QUIET: 2,
  /** Closing its handle: it took QUIET → RELEASING itself, so nobody else can take the thread to ABANDONED. */
  RELEASING: 3,
  /** Its handle on the listening descriptor is closed. */
  RELEASED: 4,
  /** The main thread gave up waiting (QUIET → ABANDONED): the thread must never close its handle. */
  ABANDONED: 5,
  /** Exited while holding the handle: its teardown closed the shared descriptor. */
  EXITED_HOLDING: 6,
  /** Exited without a handle. */
  EXITED: 7,
} as const;

/** Marks a thread that exited while holding its handle (the worker's own 'exit' handler may not have run: out of memory, terminate). */
export function markExited(states: Int32Array, index: number): void {
  Atomics.compareExchange(states, index, ThreadState.LISTENING, ThreadState.EXITED_HOLDING);
  Atomics.compareExchange(states, index, ThreadState.QUIET, ThreadState.EXITED_HOLDING);
  Atomics.compareExchange(states, index, ThreadState.RELEASING, ThreadState.EXITED_HOLDING);
  Atomics.notify(states, index);
}

/** What a worker loop starts from. */
export interface LoopThreadData {
  /** The listening socket the main thread bound. */
  readonly fd: number;
  readonly backlog: number;
  readonly recipe: ProviderRecipe;
  readonly limits: ConnectionLimits;
  /** For the whole service, counted in `openCount`. */
  readonly maxConnections: number;
  readonly openCount: Int32Array;
  readonly maxQuoteBufBytes: number;
  readonly logLevel: string;
  /** One ThreadState per thread (slot 0, the main thread's, is unused). */
  readonly states: Int32Array;
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
 * Closing, in three steps the main thread drives for every thread together (see QuoteServer.close):
 * `quiesce` (end connections, finish running handlers, answer `quiet`), `release` (close the
 * handle on the listening descriptor), `dispose` (close the provider and end). `abandon`
 * instead of all three, when the descriptor went with a dead thread: end connections, close no
 * handle, stay until the process ends.
 */
export type ToLoopThread = { readonly type: "quiesce" | "release" | "dispose" | "abandon" };
export type FromLoopThread =
  { readonly type: "ready" | "quiet" } | { readonly type: "log"; readonly line: string } | ({ readonly type: "stats" } & LoopStatsSnapshot);

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
  readonly #data: LoopThreadData;
  readonly #exited: Promise<void>;
  #onQuiet: (() => void) | undefined;
  #closing = false;

  private constructor(worker: Worker, data: LoopThreadData, exited: Promise<void>) {
    this.#worker = worker;
    this.#data = data;
    this.#exited = exited;
  }

  /**
   * Starts a worker loop and resolves once it accepts on the socket. Rejects if it fails to start.
   * A worker that dies afterwards, outside `close`, is reported to `onFailure`: its teardown closed
   * the shared listening descriptor, so the service cannot go on.
   */
  static start(data: LoopThreadData, logger: Logger, onFailure: (error: Error) => void): Promise<LoopThread> {
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
      const thread = new LoopThread(worker, data, exited);
      let started = false;
      worker.on("message", (message: FromLoopThread) => {
        switch (message.type) {
          case "ready":
            started = true;
            resolve(thread);
            break;
          case "quiet":
            thread.#onQuiet?.();
            break;
          case "log":
            relayLog(logger, message.line, data.index);
            break;
          case "stats":
            thread.stats = message;
            break;
        }
      });
      worker.once("exit", (code) => {
        markExited(data.states, data.index);
        const error = failure ?? new Error(`serving thread ${data.index} exited with code ${code}`);
        thread.#onQuiet?.();
        if (!started) reject(error);
        else if (!thread.#closing) onFailure(error);
      });
    });
  }

  /** Ends the worker's connections and resolves once it runs no handler (or has exited). */
  quiesce(): Promise<void> {
    this.#closing = true;
    const quiet = new Promise<void>((resolve) => (this.#onQuiet = resolve));
    this.#post({ type: "quiesce" });
    return quiet;
  }

  /** Asks the worker to close its handle on the listening descriptor (it sets RELEASED when done). */
  release(): void {
    this.#post({ type: "release" });
  }

  /**
   * Blocks this thread until the worker has closed its handle on the listening descriptor (true),
   * or has exited, or `deadline` (performance.now()) passes: then, unless it is already closing
   * its handle, it is marked ABANDONED so that it never will (false).
   */
  waitUntilReleased(deadline: number): boolean {
    const { states, index } = this.#data;
    for (;;) {
      const state = Atomics.load(states, index);
      if (state === ThreadState.RELEASED || state === ThreadState.EXITED) return true;
      if (state === ThreadState.ABANDONED || state === ThreadState.EXITED_HOLDING) return false;
      const left = deadline - performance.now();
      // A thread in RELEASING is inside one synchronous close: it is given the moment it needs.
      if (left <= 0 && state === ThreadState.QUIET) {
        if (Atomics.compareExchange(states, index, ThreadState.QUIET, ThreadState.ABANDONED) === ThreadState.QUIET) return false;
        continue;
      }
      Atomics.wait(states, index, state, Math.max(left, 1));
    }
  }

  /**
   * Asks the worker to close its provider and end; resolves once it has (its last counters have
   * arrived by then), or terminates it after `timeoutMs`: its handle is closed already.
   */
  async dispose(timeoutMs: number): Promise<void> {
    this.#post({ type: "dispose" });
    const timer = setTimeout(() => void this.#worker.terminate(), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Ends the worker's connections; it keeps its handle and stays, unreferenced, until the process ends. */
  abandon(): void {
    this.#closing = true;
    this.#post({ type: "abandon" });
    this.#worker.unref();
  }

  #post(message: ToLoopThread): void {
    this.#worker.postMessage(message);
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
