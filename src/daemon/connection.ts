import type { Socket } from "node:net";
import { FRAME_HEADER_BYTES, FrameDecoder, FrameError } from "../protocol/index.ts";
import { errorMessage } from "../shared/errors.ts";
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

/**
 * Serves one AESM connection: reads exactly one framed request, writes one framed reply, then
 * closes, as aesmd does. Every failure ends only this connection; nothing here throws. Kept
 * lean (few timers and listeners): it runs once per quote.
 */
export function handleConnection(
  socket: Socket,
  limits: ConnectionLimits,
  context: HandlerContext,
  onServed: (served: ServedRequest) => void,
): void {
  const log = context.clientWarnings;
  const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
  const acceptedAt = performance.now();
  socket.setTimeout(limits.idleTimeoutMs, () => drop(socket, log, `no data for ${limits.idleTimeoutMs} ms`));
  socket.on("error", (error) => context.logger.debug({ err: error }, "connection error"));

  const onData = (chunk: Buffer): void => {
    let body: Buffer | undefined;
    try {
      body = decoder.push(chunk)[0];
    } catch (error) {
      drop(
        socket,
        log,
        error instanceof FrameError ? error.message : errorMessage(error),
        error instanceof FrameError ? error.code : undefined,
      );
      return;
    }
    if (body === undefined) {
      // A trickling peer keeps resetting the idle timer; the deadline still bounds it.
      if (performance.now() - acceptedAt > limits.requestDeadlineMs) drop(socket, log, "request deadline passed");
      return;
    }
    // One request per connection: anything after it is never read.
    socket.off("data", onData);
    socket.pause();
    socket.setTimeout(0);
    void reply(socket, body, context, limits, onServed);
  };
  socket.on("data", onData);
}

async function reply(
  socket: Socket,
  body: Buffer,
  context: HandlerContext,
  limits: ConnectionLimits,
  onServed: (served: ServedRequest) => void,
) {
  try {
    const served = await serveRequest(body, context);
    onServed(served);
    if (served.reply === undefined) socket.destroy();
    else writeFrameAndClose(socket, served.reply, limits.writeTimeoutMs, context.clientWarnings);
  } catch (error) {
    context.logger.error({ err: error }, `request failed unexpectedly: ${errorMessage(error)}`);
    socket.destroy();
  }
}

/**
 * Header and body in one writev (no copy of the quote-sized body), then close as soon as the
 * kernel has the bytes, as aesmd closes after writing: a Unix socket delivers what was written
 * even after close. A client that never reads cannot hold the connection past the write timeout.
 */
function writeFrameAndClose(socket: Socket, body: Uint8Array, writeTimeoutMs: number, log: RateLimitedLog): void {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(body.byteLength, 0);
  const timer = setTimeout(() => drop(socket, log, `reply not taken within ${writeTimeoutMs} ms`), writeTimeoutMs);
  socket.once("close", () => clearTimeout(timer));
  socket.once("finish", () => socket.destroy());
  socket.cork();
  socket.write(header);
  socket.end(body);
  socket.uncork();
}

function drop(socket: Socket, log: RateLimitedLog, reason: string, code?: string): void {
  if (socket.destroyed) return;
  log.warn({ code }, `closing connection: ${reason}`);
  socket.destroy();
}
