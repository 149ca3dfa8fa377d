import { connect } from "node:net";
import {
  decodeResponse,
  encodeFrame,
  encodeRequest,
  FrameDecoder,
  type RequestInit,
  type RequestKind,
  RESPONSE_KIND,
  type ResponseKindOf,
  type ResponsePayload,
} from "../../src/protocol/index.ts";

export interface RawExchange {
  /** Every byte the server sent before closing. */
  readonly received: Buffer;
  /** How the connection ended: the server closed it, or our wait ran out. */
  readonly ended: "closed" | "timeout";
}

/**
 * Writes `chunks` (with an optional pause between them) and collects whatever comes back until
 * the server closes or `waitMs` passes. No framing or parsing: tests judge the raw bytes.
 */
export function exchangeRaw(
  socketPath: string,
  chunks: readonly Uint8Array[],
  options: { waitMs?: number; gapMs?: number } = {},
): Promise<RawExchange> {
  const { waitMs = 2000, gapMs = 0 } = options;
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const received: Buffer[] = [];
    let settled = false;
    const finish = (ended: RawExchange["ended"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(received), ended });
    };
    const timer = setTimeout(() => finish("timeout"), waitMs);
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("close", () => finish("closed"));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // A reset after the server closed on unread data still counts as "closed".
      if (error.code === "ECONNRESET" || error.code === "EPIPE") finish("closed");
      else if (!settled) reject(error);
    });
    const writeAll = async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    };
    socket.once("connect", () => void writeAll());
  });
}

/** Body of the one frame in `bytes`, which must hold exactly one whole frame. */
export function singleFrame(bytes: Buffer): Buffer {
  const frames = new FrameDecoder({ allowEmpty: true }).push(bytes);
  if (frames.length !== 1) throw new Error(`expected one frame, got ${frames.length} in ${bytes.length} bytes`);
  return frames[0]!;
}

/** Sends one request of `kind` (encoded as given) and decodes the reply in the matching wrapper. */
export async function requestOnce<K extends RequestKind>(
  socketPath: string,
  kind: K,
  payload: RequestInit<K>,
): Promise<ResponsePayload<ResponseKindOf<K>>> {
  const { received } = await exchangeRaw(socketPath, [encodeFrame(encodeRequest(kind, payload))]);
  return decodeResponse(singleFrame(received), RESPONSE_KIND[kind] as ResponseKindOf<K>);
}
