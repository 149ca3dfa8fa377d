import type { Socket } from "node:net";
import { FrameDecoder, FrameError } from "../protocol/index.ts";
import { errorMessage } from "../shared/errors.ts";
import type { DeadlineKind, OpenConnection } from "./open-connections.ts";
import type { HandlerContext } from "./handlers/index.ts";
import type { RateLimitedLog } from "./rate-limited-log.ts";
import { serveRequest, type ServedRequest } from "./serve-request.ts";

export interface ConnectionLimits {
  /** Largest request body accepted; a larger declared length closes the connection at once. */
  readonly maxFrameBytes: number;
  /** Longest silence allowed while a request is incomplete (a stalled peer is cut off). */
  readonly idleTimeoutMs: number;
  /** Longest time from accept to a complete request, however the bytes trickle in. */
  readonly requestDeadlineMs: number;
  /** Longest time a reply may take to drain into a client that does not read it. */
  readonly writeTimeoutMs: number;
}

/** What every connection of one event loop shares. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly handlers: HandlerContext;
  readonly onServed: (served: ServedRequest) => void;
  /** A request handler starts, and ends (the loop waits for running handlers before it lets go of the socket). */
  readonly onRequest: () => void;
  readonly onRequestDone: () => void;
}

/**
 * Serves one AESM connection: reads exactly one framed request, writes one framed reply, then
 * closes, as aesmd does. Every failure ends only this connection; nothing here throws. Kept
 * lean (no timers, few listeners): it runs once per quote. Its deadlines are kept on
 * `connection`, which the event loop sweeps.
 */
export function serveConnection(connection: OpenConnection, context: ConnectionContext): void {
  const { limits } = context;
  const { socket } = connection;
  const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
  const requestDeadline = performance.now() + limits.requestDeadlineMs;
  /** The sooner of the idle deadline (from now) and the request deadline. */
  const awaitRequest = () => {
    const idleAt = performance.now() + limits.idleTimeoutMs;
    if (idleAt < requestDeadline) connection.expireAt(idleAt, "idle");
    else connection.expireAt(requestDeadline, "request");
  };
  awaitRequest();
  socket.on("error", (error) => context.handlers.logger.debug({ err: error }, "connection error"));

  const onData = (chunk: Buffer): void => {
    let body: Buffer | undefined;
    try {
      body = decoder.push(chunk)[0];
    } catch (error) {
      drop(
        socket,
        context.handlers.clientWarnings,
        error instanceof FrameError ? error.message : errorMessage(error),
        error instanceof FrameError ? error.code : undefined,
      );
      return;
    }
    if (body === undefined) {
      // A trickling peer keeps moving the idle deadline; the request deadline still bounds it.
      awaitRequest();
      return;
    }
    // One request per connection: anything after it is never read.
    socket.off("data", onData);
    socket.pause();
    // No deadline while the provider works; the reply's write deadline comes with the reply.
    connection.clearDeadline();
    void reply(connection, body, context);
  };
  socket.on("data", onData);
}

/** The message a connection cut off at its deadline is logged with. */
export function deadlineMessage(kind: DeadlineKind, limits: ConnectionLimits): string {
  switch (kind) {
    case "idle":
      return `no data for ${limits.idleTimeoutMs} ms`;
    case "request":
      return "request deadline passed";
    case "write":
      return `reply not taken within ${limits.writeTimeoutMs} ms`;
  }
}

async function reply(connection: OpenConnection, body: Buffer, context: ConnectionContext): Promise<void> {
  const { socket } = connection;
  context.onRequest();
  try {
    const served = await serveRequest(body, context.handlers);
    context.onServed(served);
    if (served.replyFrame === undefined) {
      socket.destroy();
      return;
    }
    const { replyFrame, reusable } = served;
    if (socket.destroyed) {
      reusable?.release();
      return;
    }
    // 'close' comes after libuv has finished with every write: the frame is free again.
    if (reusable !== undefined) connection.onClosed = () => reusable.release();
    // Close as soon as the kernel has the bytes, as aesmd closes after writing: a Unix socket
    // delivers what was written even after close. (Destroying from a write callback instead
    // makes Node build an ERR_STREAM_DESTROYED per connection.) A client that never reads
    // cannot hold the connection past the write deadline.
    connection.expireAt(performance.now() + context.limits.writeTimeoutMs, "write");
    socket.once("finish", () => socket.destroy());
    socket.end(replyFrame);
  } catch (error) {
    context.handlers.logger.error({ err: error }, `request failed unexpectedly: ${errorMessage(error)}`);
    socket.destroy();
  } finally {
    context.onRequestDone();
  }
}

/** Closes a misbehaving client's connection with a (rate-limited) warning. */
export function drop(socket: Socket, log: RateLimitedLog, reason: string, code?: string): void {
  if (socket.destroyed) return;
  log.warn({ code }, `closing connection: ${reason}`);
  socket.destroy();
}
