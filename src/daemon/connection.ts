import type { Socket } from "node:net";
import type { Logger } from "pino";
import { FRAME_HEADER_BYTES, FrameDecoder, FrameError } from "../protocol/index.ts";
import { errorMessage } from "../shared/errors.ts";
import type { HandlerContext } from "./handlers/index.ts";
import { serveRequest, type ServedRequest } from "./serve-request.ts";

export interface ConnectionLimits {
  /** Largest request body accepted; a larger declared length closes the connection at once. */
  readonly maxFrameBytes: number;
  /** Longest silence allowed while a request is incomplete (a stalled peer is cut off). */
  readonly idleTimeoutMs: number;
  /** Longest time from accept to a complete request, however the bytes trickle in. */
  readonly requestDeadlineMs: number;
}

/**
 * Serves one AESM connection: reads exactly one framed request, writes one framed reply, then
 * closes, as aesmd does. Every failure ends only this connection; nothing here throws. Kept
 * lean (one timer, two listeners): it runs once per quote.
 */
export function handleConnection(
  socket: Socket,
  limits: ConnectionLimits,
  context: HandlerContext,
  onServed: (served: ServedRequest) => void,
): void {
  const log = context.logger;
  const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
  const acceptedAt = performance.now();
  socket.setTimeout(limits.idleTimeoutMs, () => drop(socket, log, `no data for ${limits.idleTimeoutMs} ms`));
  socket.on("error", (error) => log.debug({ err: error }, "connection error"));

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
    void reply(socket, body, context, onServed);
  };
  socket.on("data", onData);
}

async function reply(socket: Socket, body: Buffer, context: HandlerContext, onServed: (served: ServedRequest) => void) {
  try {
    const served = await serveRequest(body, context);
    onServed(served);
    if (served.reply === undefined) socket.destroy();
    else writeFrameAndClose(socket, served.reply);
  } catch (error) {
    context.logger.error({ err: error }, `request failed unexpectedly: ${errorMessage(error)}`);
    socket.destroy();
  }
}

/** Header and body in one writev, without copying the (quote-sized) body into a new frame buffer. */
function writeFrameAndClose(socket: Socket, body: Uint8Array): void {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(body.byteLength, 0);
  socket.cork();
  socket.write(header);
  socket.end(body);
  socket.uncork();
}

function drop(socket: Socket, log: Logger, reason: string, code?: string): void {
  if (socket.destroyed) return;
  log.warn({ code }, `closing connection: ${reason}`);
  socket.destroy();
}
