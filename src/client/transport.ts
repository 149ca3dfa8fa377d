import { connect } from "node:net";
import { FrameDecoder, encodeFrame } from "../protocol/index.ts";

/** Intel's IPC_LATENCY for release builds: each socket phase may take this long. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Replies larger than this are refused (the largest real one, a quote, is under 14 KiB). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export type TransportFailure = "unavailable" | "timeout" | "closed" | "oversized";

export class TransportError extends Error {
  readonly failure: TransportFailure;

  constructor(failure: TransportFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.failure = failure;
  }
}

/**
 * One AESM exchange on a fresh connection: send one framed request, read one framed reply.
 * The timeout restarts whenever bytes move, like Intel's per-phase timer.
 */
export function transact(socketPath: string, request: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const decoder = new FrameDecoder({ maxFrameBytes: MAX_REPLY_BYTES, allowEmpty: true });
    let connected = false;
    const fail = (error: TransportError) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new TransportError("timeout", `no progress for ${timeoutMs} ms on ${socketPath}`)));
    socket.once("connect", () => {
      connected = true;
      socket.write(encodeFrame(request));
    });
    socket.on("data", (chunk) => {
      let reply: Buffer | undefined;
      try {
        reply = decoder.push(chunk)[0];
      } catch (cause) {
        fail(new TransportError("oversized", (cause as Error).message, { cause }));
        return;
      }
      if (reply === undefined) return;
      socket.destroy();
      resolve(reply);
    });
    socket.once("error", (cause: NodeJS.ErrnoException) => {
      const failure = connected ? "closed" : "unavailable";
      fail(
        new TransportError(failure, `${connected ? "connection to" : "cannot connect to"} ${socketPath}: ${cause.code ?? cause.message}`, {
          cause,
        }),
      );
    });
    socket.once("end", () => fail(new TransportError("closed", `${socketPath} closed the connection without a reply`)));
  });
}
