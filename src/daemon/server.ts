import { mkdir, chmod, lstat, unlink } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { pino, type Logger } from "pino";
import { AESM_SOCKET_PATH, DEFAULT_MAX_FRAME_BYTES } from "../protocol/index.ts";
import type { QuoteProvider } from "../providers/quote-provider.ts";
import { SgxQuoteHelperError, errorMessage } from "../shared/errors.ts";
import { handleConnection, type ConnectionLimits } from "./connection.ts";
import { RateLimitedLog } from "./rate-limited-log.ts";
import type { HandlerContext } from "./handlers/index.ts";
import type { ServedRequest } from "./serve-request.ts";

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
  /** Connections served at once; more are closed on accept (default 1024). */
  readonly maxConnections?: number;
  /** Socket file mode; aesmd uses 0777 so unprivileged pods can connect. */
  readonly socketMode?: number;
}

export class DaemonError extends SgxQuoteHelperError {}

/** Longest Unix socket path Linux accepts (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/** Default cap on GetQuoteEx buf_size: several times the largest real quote (13,346 bytes). */
export const DEFAULT_MAX_QUOTE_BUF_BYTES = 64 * 1024;

/** Counters for logs and tests: connections, dropped requests, replies by request type and AESM result. */
export interface QuoteServerStats {
  connections: number;
  dropped: number;
  readonly served: Map<string, number>;
}

/**
 * The AESM-compatible quote service on a Unix socket. Each connection is served on its own, so a
 * slow or hostile client never delays another (aesmd reads requests on its single main thread).
 */
export class QuoteServer {
  readonly socketPath: string;
  readonly stats: QuoteServerStats = { connections: 0, dropped: 0, served: new Map() };
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #logger: Logger;

  private constructor(socketPath: string, logger: Logger, limits: ConnectionLimits, context: HandlerContext) {
    this.#server = createServer((socket) => this.#accept(socket, limits, context));
    this.socketPath = socketPath;
    this.#logger = logger;
  }

  /** Binds the socket (creating its directory, replacing a stale socket file) and starts serving. */
  static async start(options: QuoteServerOptions): Promise<QuoteServer> {
    const socketPath = options.socketPath ?? AESM_SOCKET_PATH;
    const logger = options.logger ?? pino({ level: "silent" });
    const limits: ConnectionLimits = {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      idleTimeoutMs: options.idleTimeoutMs ?? 5_000,
      requestDeadlineMs: options.requestDeadlineMs ?? 60_000,
      writeTimeoutMs: options.writeTimeoutMs ?? 5_000,
    };
    const context: HandlerContext = {
      provider: options.provider,
      logger,
      clientWarnings: new RateLimitedLog(logger),
      maxQuoteBufBytes: options.maxQuoteBufBytes ?? DEFAULT_MAX_QUOTE_BUF_BYTES,
    };
    await prepareSocketPath(socketPath);
    const instance = new QuoteServer(socketPath, logger, limits, context);
    const server = instance.#server;
    server.maxConnections = options.maxConnections ?? 1024;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ path: socketPath, backlog: 512 }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      server.on("error", (error) => logger.error({ err: error }, "listening socket error"));
      await chmod(socketPath, options.socketMode ?? 0o777);
    } catch (cause) {
      server.close();
      throw new DaemonError("ERR_DAEMON_LISTEN", `cannot listen on ${socketPath}: ${errorMessage(cause)}`, { cause });
    }
    logger.info(
      { socketPath, provider: options.provider.name, maxConnections: server.maxConnections, ...limits },
      "quote service listening",
    );
    return instance;
  }

  /** Connections open right now (accepted and not yet closed). */
  get openConnections(): number {
    return this.#sockets.size;
  }

  #accept(socket: Socket, limits: ConnectionLimits, context: HandlerContext): void {
    this.stats.connections++;
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    handleConnection(socket, limits, context, (served) => this.#count(served));
  }

  #count(served: ServedRequest): void {
    if (served.reply === undefined) {
      this.stats.dropped++;
      return;
    }
    const key = `${served.kind ?? "unknown"}:${served.errorCode ?? 0}`;
    this.stats.served.set(key, (this.stats.served.get(key) ?? 0) + 1);
  }

  /** Stops accepting, ends open connections and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    await unlink(this.socketPath).catch(() => undefined);
    this.#logger.info({ socketPath: this.socketPath }, "quote service stopped");
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
