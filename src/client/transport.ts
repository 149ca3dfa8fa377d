import { connect } from "node:net";
import { FRAME_HEADER_BYTES, FrameDecoder, encodeFrame } from "../protocol/index.ts";

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
 * Like Intel's client, each phase (connect, write, read the 4-byte header, read the body) gets
 * `timeoutMs` of its own, so a server that trickles bytes cannot stretch a call forever.
 */
export function transact(socketPath: string, request: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const decoder = new FrameDecoder({ maxFrameBytes: MAX_REPLY_BYTES, allowEmpty: true });
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: TransportError) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const phase = (name: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new TransportError("timeout", `${name} on ${socketPath} took over ${timeoutMs} ms`)), timeoutMs);
    };
    phase("connect");
    socket.once("connect", () => {
      connected = true;
      phase("writing the request");
      socket.write(encodeFrame(request), () => phase("reading the reply header"));
    });
    let received = 0;
    socket.on("data", (chunk) => {
      const headerWasIn = received >= FRAME_HEADER_BYTES;
      received += chunk.byteLength;
      let reply: Buffer | undefined;
      try {
        reply = decoder.push(chunk)[0];
      } catch (cause) {
        fail(new TransportError("oversized", (cause as Error).message, { cause }));
        return;
      }
      if (reply !== undefined) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      } else if (!headerWasIn && received >= FRAME_HEADER_BYTES) {
        phase("reading the reply body");
      }
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
