import { mkdir, chmod, lstat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { dirname } from "node:path";
import { pino, type Logger } from "pino";
import { AESM_SOCKET_PATH, DEFAULT_MAX_FRAME_BYTES } from "../protocol/index.ts";
import type { QuoteProvider } from "../providers/quote-provider.ts";
import { SgxQuoteHelperError, errorMessage } from "../shared/errors.ts";
import type { ConnectionLimits } from "./connection.ts";
import { LoopThread, ThreadState, type LoopThreadData } from "./loop-thread.ts";
import { RateLimitedLog } from "./rate-limited-log.ts";
import { ServingLoop, type QuoteServerStats } from "./serving-loop.ts";

export type { QuoteServerStats } from "./serving-loop.ts";

export interface QuoteServerOptions {
  readonly provider: QuoteProvider;
  readonly socketPath?: string;
  readonly logger?: Logger;
  readonly maxFrameBytes?: number;
  readonly idleTimeoutMs?: number;
  readonly requestDeadlineMs?: number;
  /** Longest time a reply may take to drain into a client that does not read it. */
  readonly writeTimeoutMs?: number;
  /** Largest GetQuoteEx buf_size served (default 64 KiB; the largest real quote is 13,346 bytes). */
  readonly maxQuoteBufBytes?: number;
  /** Connections served at once, over every thread; more are closed on accept (default 1024). */
  readonly maxConnections?: number;
  /** Socket file mode; aesmd uses 0777 so unprivileged pods can connect. */
  readonly socketMode?: number;
  /**
   * Event loops serving the socket, each on its own thread (default 1). More than one needs a
   * provider with a `recipe`, so each thread can open its own instance.
   */
  readonly threads?: number;
  /**
   * Called when a serving thread dies outside `close`: the listening descriptor went with it, so
   * the service is over, and the process should end (`close` then ends the connections but
   * leaves every handle on that descriptor to the end of the process). Default: rethrown, which
   * ends the process.
   */
  readonly onThreadFailure?: (error: Error) => void;
}

export class DaemonError extends SgxQuoteHelperError {}

/** Longest Unix socket path Linux accepts (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/** Default cap on GetQuoteEx buf_size: several times the largest real quote (13,346 bytes). */
export const DEFAULT_MAX_QUOTE_BUF_BYTES = 64 * 1024;

/** How long `close` waits for running handlers to finish, and then for threads to let go of the listening socket. */
const THREAD_STOP_TIMEOUT_MS = 5_000;
/** Listen backlog: aesmd's clients connect in bursts when many pods start at once. */
const LISTEN_BACKLOG = 512;

/**
 * The AESM-compatible quote service on a Unix socket. Each connection is served on its own, so a
 * slow or hostile client never delays another (aesmd reads requests on its single main thread),
 * and with `threads` > 1 several event loops accept on the same socket, one per core.
 */
export class QuoteServer {
  readonly socketPath: string;
  readonly #loop: ServingLoop;
  readonly #threads: LoopThread[] = [];
  /** One ThreadState per thread, shared with the workers (slot 0, this thread's, unused). */
  readonly #states: Int32Array;
  readonly #logger: Logger;
  /** A serving thread died, and the shared listening descriptor with it. */
  #listenerLost = false;
  #closed: Promise<void> | undefined;

  private constructor(socketPath: string, loop: ServingLoop, logger: Logger, states: Int32Array) {
    this.socketPath = socketPath;
    this.#loop = loop;
    this.#logger = logger;
    this.#states = states;
  }

  /** Binds the socket (creating its directory, replacing a stale socket file) and starts serving. */
  static async start(options: QuoteServerOptions): Promise<QuoteServer> {
    const socketPath = options.socketPath ?? AESM_SOCKET_PATH;
    const logger = options.logger ?? pino({ level: "silent" });
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new DaemonError("ERR_DAEMON_THREADS", `threads must be a positive integer, got ${threads}`);
    }
    const recipe = threads > 1 ? options.provider.recipe?.() : undefined;
    if (threads > 1 && recipe === undefined) {
      throw new DaemonError(
        "ERR_DAEMON_THREADS",
        `provider ${options.provider.name} cannot be opened in other threads; serve with one thread`,
      );
    }
    const limits: ConnectionLimits = {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      idleTimeoutMs: options.idleTimeoutMs ?? 5_000,
      requestDeadlineMs: options.requestDeadlineMs ?? 60_000,
      writeTimeoutMs: options.writeTimeoutMs ?? 5_000,
    };
    const maxConnections = options.maxConnections ?? 1024;
    const openCount = new Int32Array(new SharedArrayBuffer(4));
    const maxQuoteBufBytes = options.maxQuoteBufBytes ?? DEFAULT_MAX_QUOTE_BUF_BYTES;
    const loop = new ServingLoop({
      limits,
      maxConnections,
      openCount,
      handlers: { provider: options.provider, logger, clientWarnings: new RateLimitedLog(logger), maxQuoteBufBytes },
    });
    await prepareSocketPath(socketPath);
    try {
      await loop.listen({ path: socketPath, backlog: LISTEN_BACKLOG }, (error) => logger.error({ err: error }, "listening socket error"));
      await chmod(socketPath, options.socketMode ?? 0o777);
    } catch (cause) {
      await loop.close();
      throw new DaemonError("ERR_DAEMON_LISTEN", `cannot listen on ${socketPath}: ${errorMessage(cause)}`, { cause });
    }
    const instance = new QuoteServer(socketPath, loop, logger, new Int32Array(new SharedArrayBuffer(4 * threads)));
    if (recipe !== undefined) {
      const onFailure =
        options.onThreadFailure ??
        ((error: Error) => {
          throw error;
        });
      const data = { recipe, limits, maxConnections, openCount, maxQuoteBufBytes, logLevel: logger.level };
      try {
        await instance.#startThreads(threads - 1, data, onFailure);
      } catch (cause) {
        await instance.close();
        throw new DaemonError("ERR_DAEMON_THREADS", `cannot start serving threads: ${errorMessage(cause)}`, { cause });
      }
    }
    logger.info({ socketPath, provider: options.provider.name, threads, maxConnections, ...limits }, "quote service listening");
    return instance;
  }

  async #startThreads(
    count: number,
    data: Omit<LoopThreadData, "fd" | "backlog" | "states" | "index">,
    onFailure: (error: Error) => void,
  ): Promise<void> {
    const fd = this.#loop.listeningFd;
    if (fd === undefined) throw new DaemonError("ERR_DAEMON_THREADS", "this Node.js does not expose the listening socket to other threads");
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        LoopThread.start({ ...data, fd, backlog: LISTEN_BACKLOG, states: this.#states, index: i + 1 }, this.#logger, (error) => {
          this.#listenerLost = true;
          this.#logger.fatal(
            { err: error },
            `serving thread ${i + 1} died, and the listening socket with it; the quote service cannot go on`,
          );
          onFailure(error);
        }),
      ),
    );
    // Every thread that started is closed with the server, even when another failed to start.
    for (const result of results) if (result.status === "fulfilled") this.#threads.push(result.value);
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** Counters summed over every serving thread (worker threads report every 250 ms). */
  get stats(): QuoteServerStats {
    const stats = this.#loop.stats;
    for (const { stats: theirs } of this.#threads) {
      stats.connections += theirs.connections;
      stats.connectionsByThread.push(theirs.connections);
      stats.dropped += theirs.dropped;
      for (const [key, n] of theirs.served) stats.served.set(key, (stats.served.get(key) ?? 0) + n);
    }
    return stats;
  }

  /** Connections open right now (accepted and not yet closed), over every thread. */
  get openConnections(): number {
    return this.#threads.reduce((sum, thread) => sum + thread.stats.open, this.#loop.openConnections);
  }

  /**
   * Stops accepting, ends open connections and removes the socket file (once: later calls
   * return the same promise).
   *
   * Every thread holds a handle on the same listening descriptor, and the first to close it
   * frees its number for reuse: a later close would hit whatever took the number meanwhile. So
   * closing goes in steps. First every thread quiesces: ends its connections, turns new ones
   * away and finishes its running request handlers, after which none of the service's code opens
   * a descriptor. Then the workers close their handles while this thread waits, blocked, and
   * this one closes last, right after. Only then are the providers closed. (A file opened on
   * libuv's thread pool by other code of the process in that instant is the one thing this
   * cannot exclude.) If a thread died holding its handle, the descriptor is gone already and no
   * handle on it is closed again: they are left to the end of the process.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    // New clients get ENOENT from here on, so no connection can be waiting to be accepted while
    // the handles are closed (an accept in flight could otherwise be given the freed number).
    await unlink(this.socketPath).catch(() => undefined);
    // Read from the threads' own states: a death whose 'exit' event has not reached us counts too.
    const lost = () => this.#listenerLost || this.#states.some((state, index) => index > 0 && state === ThreadState.EXITED_HOLDING);
    const quiet = lost()
      ? false
      : await withTimeout(Promise.all([this.#loop.quiesce(), ...this.#threads.map((thread) => thread.quiesce())]), THREAD_STOP_TIMEOUT_MS);
    if (lost()) {
      this.#abandon("a serving thread died with the listening socket");
    } else if (!quiet) {
      this.#abandon("request handlers did not finish in time");
    } else if (this.#releaseListeningSocket()) {
      await this.#loop.closeListener();
      await Promise.all(this.#threads.map((thread) => thread.dispose(THREAD_STOP_TIMEOUT_MS)));
    } else {
      this.#abandon("serving threads did not let go of the listening socket in time");
    }
    this.#logger.info({ socketPath: this.socketPath }, "quote service stopped");
  }

  /** Has every worker close its handle, waiting blocked for all; false on a timeout or a thread that died holding it. */
  #releaseListeningSocket(): boolean {
    for (const thread of this.#threads) thread.release();
    const deadline = performance.now() + THREAD_STOP_TIMEOUT_MS;
    // Every thread is waited for or abandoned: none may close its handle once we have given up.
    return this.#threads.map((thread) => thread.waitUntilReleased(deadline)).every(Boolean);
  }

  /** Ends every thread's connections but closes no handle on the listening descriptor (see close). */
  #abandon(reason: string): void {
    this.#logger.error(`${reason}: its handles are left to the end of the process`);
    for (const thread of this.#threads) thread.abandon();
    this.#loop.abandonListener({ unref: true });
  }
}

/** Whether `promise` settles within `ms`. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes the socket's directory and clears a stale socket file. Refuses to steal the path from a
 * live daemon, and never deletes something that is not a socket.
 */
async function prepareSocketPath(socketPath: string): Promise<void> {
  // sun_path holds 107 bytes and a NUL; the kernel would silently bind a truncated path.
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new DaemonError(
      "ERR_DAEMON_SOCKET_PATH_TOO_LONG",
      `socket path of ${Buffer.byteLength(socketPath)} bytes exceeds ${MAX_SOCKET_PATH_BYTES}: ${socketPath}`,
    );
  }
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o755 }).catch((cause: unknown) => {
    throw new DaemonError("ERR_DAEMON_SOCKET_DIR", `cannot create ${dirname(socketPath)}: ${errorMessage(cause)}`, { cause });
  });
  const existing = await lstat(socketPath).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new DaemonError("ERR_DAEMON_SOCKET_PATH_TAKEN", `${socketPath} exists and is not a socket; refusing to replace it`);
  }
  if (await isAnswering(socketPath)) {
    throw new DaemonError("ERR_DAEMON_SOCKET_IN_USE", `another service is listening on ${socketPath}`);
  }
  await unlink(socketPath);
}

function isAnswering(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
