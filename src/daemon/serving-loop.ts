import { createServer, type Server } from "node:net";
import { deadlineMessage, drop, serveConnection, type ConnectionContext, type ConnectionLimits } from "./connection.ts";
import { OpenConnections, sweepIntervalMs } from "./open-connections.ts";
import type { HandlerContext } from "./handlers/index.ts";
import type { ServedRequest } from "./serve-request.ts";

/** Counters for logs and tests: connections, dropped requests, replies by request type and AESM result. */
export interface QuoteServerStats {
  connections: number;
  /** Connections accepted by each serving thread, the main thread first. */
  readonly connectionsByThread: number[];
  dropped: number;
  /** Replies by `requestKind:errorCode`. */
  readonly served: Map<string, number>;
}

export interface ServingLoopOptions {
  readonly limits: ConnectionLimits;
  readonly handlers: HandlerContext;
  /** Connections the whole service serves at once; more are closed on accept. */
  readonly maxConnections: number;
  /** Open connections of every loop of the service: one Int32 that all of them count in. */
  readonly openCount: Int32Array;
}

/** Where a loop accepts: a socket path it binds, or a listening socket another loop bound. */
export type ListenTarget = { readonly path: string; readonly backlog: number } | { readonly fd: number; readonly backlog: number };

/**
 * One event loop's share of the quote service: accepts AESM connections on the listening
 * socket and serves each on its own. The daemon runs one per thread, all on the same socket.
 */
export class ServingLoop {
  #connections = 0;
  #dropped = 0;
  /** Replies by request kind, then errorCode (no string is built per request). */
  readonly #served = new Map<string, Map<number, number>>();
  readonly #server: Server;
  readonly #open: OpenConnections;
  /** Requests whose handler has not finished. */
  #inFlight = 0;
  #whenIdle: (() => void) | undefined;
  #quiescing = false;

  constructor(options: ServingLoopOptions) {
    const { limits, handlers, maxConnections, openCount } = options;
    this.#open = new OpenConnections(
      sweepIntervalMs(limits.idleTimeoutMs, limits.requestDeadlineMs, limits.writeTimeoutMs),
      (connection) => drop(connection.socket, handlers.clientWarnings, deadlineMessage(connection.deadlineKind, limits)),
      () => Atomics.sub(openCount, 0, 1),
    );
    const context: ConnectionContext = {
      limits,
      handlers,
      onServed: (served) => this.#count(served),
      onRequest: () => this.#inFlight++,
      onRequestDone: () => {
        if (--this.#inFlight === 0) this.#whenIdle?.();
      },
    };
    this.#server = createServer((socket) => {
      // The cap counts every thread's connections, so a busy thread does not turn clients away
      // while another has room.
      if (this.#quiescing || Atomics.add(openCount, 0, 1) >= maxConnections) {
        if (!this.#quiescing) Atomics.sub(openCount, 0, 1);
        socket.destroy();
        return;
      }
      this.#connections++;
      serveConnection(this.#open.add(socket), context);
    });
  }

  /** Starts accepting; rejects with the listen error (EADDRINUSE, EACCES, …). Later errors are logged. */
  async listen(target: ListenTarget, onError: (error: Error) => void): Promise<void> {
    const server = this.#server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const listening = () => {
        server.off("error", reject);
        resolve();
      };
      // Node reads `backlog` from the options only with a path; for a descriptor it is an argument.
      if ("fd" in target) server.listen({ fd: target.fd }, target.backlog, listening);
      else server.listen(target, listening);
    });
    server.on("error", onError);
  }

  /**
   * The listening socket's file descriptor, for other loops to accept on. Node has no public
   * accessor; its handle has carried `fd` on Unix since the first releases.
   */
  get listeningFd(): number | undefined {
    const fd = (this.#server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    return typeof fd === "number" && fd >= 0 ? fd : undefined;
  }

  /** This loop's counters so far. */
  get stats(): QuoteServerStats {
    const served = new Map<string, number>();
    for (const [kind, byCode] of this.#served) for (const [errorCode, n] of byCode) served.set(`${kind}:${errorCode}`, n);
    return { connections: this.#connections, connectionsByThread: [this.#connections], dropped: this.#dropped, served };
  }

  /** Connections open right now (accepted and not yet closed). */
  get openConnections(): number {
    return this.#open.size;
  }

  /**
   * Ends every open connection, turns new ones away, and resolves once no request handler is
   * running any more: from then on this loop opens no descriptor (only accepts, closed at once,
   * until its handle on the listening socket is closed).
   */
  async quiesce(): Promise<void> {
    this.#quiescing = true;
    this.#open.destroyAll();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#whenIdle = resolve));
  }

  /** Closes this loop's handle on the listening socket; the descriptor is closed before this returns. */
  async closeListener(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Quiesces, then closes the handle: for a service of one loop. */
  async close(): Promise<void> {
    await this.quiesce();
    await this.closeListener();
  }

  /**
   * Ends open connections but leaves the handle on the listening socket as it is, for when that
   * descriptor went with a dead thread and must not be closed again; `unref` lets the process end.
   */
  abandonListener(options: { unref: boolean }): void {
    this.#quiescing = true;
    this.#open.destroyAll();
    if (options.unref) this.#server.unref();
  }

  #count(served: ServedRequest): void {
    if (served.replyFrame === undefined) {
      this.#dropped++;
      return;
    }
    const { kind, errorCode } = served;
    let byCode = this.#served.get(kind);
    if (byCode === undefined) this.#served.set(kind, (byCode = new Map<number, number>()));
    byCode.set(errorCode, (byCode.get(errorCode) ?? 0) + 1);
  }
}
