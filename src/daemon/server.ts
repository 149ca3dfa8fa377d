import { mkdir, chmod, lstat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { dirname } from "node:path";
import { pino, type Logger } from "pino";
import { AESM_SOCKET_PATH, DEFAULT_MAX_FRAME_BYTES } from "../protocol/index.ts";
import type { QuoteProvider } from "../providers/quote-provider.ts";
import { SgxQuoteHelperError, errorMessage } from "../shared/errors.ts";
import type { ConnectionLimits } from "./connection.ts";
import { LoopThread } from "./loop-thread.ts";
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
  /** Connections served at once (shared out between the threads); more are closed on accept (default 1024). */
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

/** How long `close` waits for serving threads to let go of the listening socket. */
const THREAD_RELEASE_TIMEOUT_MS = 5_000;
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
  /** Per thread (main first): 1 once its handle on the listening socket is closed. */
  readonly #released: Int32Array;
  readonly #logger: Logger;
  /** A serving thread died, and the shared listening descriptor with it. */
  #listenerLost = false;

  private constructor(socketPath: string, loop: ServingLoop, logger: Logger, threads: number) {
    this.socketPath = socketPath;
    this.#loop = loop;
    this.#logger = logger;
    this.#released = new Int32Array(new SharedArrayBuffer(4 * threads));
  }

  /** Binds the socket (creating its directory, replacing a stale socket file) and starts serving. */
  static async start(options: QuoteServerOptions): Promise<QuoteServer> {
    const socketPath = options.socketPath ?? AESM_SOCKET_PATH;
    const logger = options.logger ?? pino({ level: "silent" });
    const threads = options.threads ?? 1;
    const recipe = options.provider.recipe?.();
    if (!Number.isInteger(threads) || threads < 1)
      throw new DaemonError("ERR_DAEMON_THREADS", `threads must be a positive integer, got ${threads}`);
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
    const maxConnections = Math.ceil((options.maxConnections ?? 1024) / threads);
    const maxQuoteBufBytes = options.maxQuoteBufBytes ?? DEFAULT_MAX_QUOTE_BUF_BYTES;
    const loop = new ServingLoop({
      limits,
      maxConnections,
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
    const instance = new QuoteServer(socketPath, loop, logger, threads);
    if (threads > 1 && recipe !== undefined) {
      const onFailure =
        options.onThreadFailure ??
        ((error: Error) => {
          throw error;
        });
      try {
        await instance.#startThreads(threads - 1, { recipe, limits, maxConnections, maxQuoteBufBytes, logLevel: logger.level }, onFailure);
      } catch (cause) {
        await instance.close();
        throw new DaemonError("ERR_DAEMON_THREADS", `cannot start serving threads: ${errorMessage(cause)}`, { cause });
      }
    }
    logger.info(
      { socketPath, provider: options.provider.name, threads, maxConnectionsPerThread: maxConnections, ...limits },
      "quote service listening",
    );
    return instance;
  }

  async #startThreads(
    count: number,
    data: Omit<Parameters<typeof LoopThread.start>[0], "fd" | "backlog" | "released" | "index">,
    onFailure: (error: Error) => void,
  ): Promise<void> {
    const fd = this.#loop.listeningFd;
    if (fd === undefined) throw new DaemonError("ERR_DAEMON_THREADS", "this Node.js does not expose the listening socket to other threads");
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        LoopThread.start({ ...data, fd, backlog: LISTEN_BACKLOG, released: this.#released, index: i + 1 }, this.#logger, (error) => {
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

  /** Stops accepting, ends open connections and removes the socket file. */
  async close(): Promise<void> {
    if (this.#listenerLost) {
      this.#abandonListener();
    } else if (this.#releaseListeningSocket()) {
      await this.#loop.close();
      await Promise.all(this.#threads.map((thread) => thread.exited()));
    } else {
      this.#logger.error("serving threads did not let go of the listening socket in time; leaving them to the end of the process");
      for (const thread of this.#threads) thread.abandon();
      this.#abandonListener();
    }
    await unlink(this.socketPath).catch(() => undefined);
    this.#logger.info({ socketPath: this.socketPath }, "quote service stopped");
  }

  /**
   * Every thread holds the same listening descriptor, and the first to close it frees its number
   * for reuse: a later close would hit whatever took the number meanwhile. So the worker threads
   * close theirs while this thread waits, blocked, and this one closes last, right after. No
   * event loop of the service opens a descriptor in between: this one is blocked and the
   * workers' can no longer accept. (A file opened on libuv's thread pool in that instant, by
   * other code in the process, is the one thing this cannot exclude.) False on timeout.
   */
  #releaseListeningSocket(): boolean {
    for (const thread of this.#threads) thread.requestClose(false);
    const deadline = performance.now() + THREAD_RELEASE_TIMEOUT_MS;
    for (let index = 1; index <= this.#threads.length; index++) {
      while (Atomics.load(this.#released, index) === 0) {
        const left = deadline - performance.now();
        if (left <= 0 || Atomics.wait(this.#released, index, 0, left) === "timed-out") return false;
      }
    }
    return true;
  }

  /** Ends the connections of every thread but closes no handle on the listening descriptor (see onThreadFailure). */
  #abandonListener(): void {
    for (const thread of this.#threads) thread.requestClose(true);
    this.#loop.closeConnections({ unref: true });
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
