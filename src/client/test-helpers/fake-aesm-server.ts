/**
 * Test-only fake AESM services on real Unix sockets. They speak the framing of aesm-protocol.md
 * 1.3 themselves (4-byte little-endian length, then one protobuf message) so that client tests do
 * not depend on the client's own frame code, and they record every byte a client sends.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeRequest, encodeResponse, type DecodedRequest, type ResponseInit, type ResponseKind } from "../../protocol/index.ts";

/** One request as it arrived on the socket. */
export interface ReceivedRequest {
  /** The whole frame: 4 header bytes and the body, exactly as the client wrote them. */
  readonly frame: Buffer;
  readonly body: Buffer;
  /** The parsed request, or undefined when the body is not a single known request. */
  readonly request: DecodedRequest | undefined;
}

/** What the fake does once a whole request frame is in. */
export type FakeReply =
  /** A framed reply (header written by the fake); `byteByByte` sends it one byte per write, `gapMs` apart (default 1). */
  | { readonly body: Uint8Array; readonly byteByByte?: boolean; readonly gapMs?: number }
  /** Raw bytes with no framing added, then close. */
  | { readonly raw: Uint8Array }
  /** Keep the connection open and never answer. */
  | { readonly hang: true }
  /** Close the connection without a reply. */
  | { readonly close: true };

export type FakeHandler = (received: ReceivedRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeAesmServer {
  readonly socketPath: string;
  /** Connections accepted so far (one per client call). */
  readonly connections: number;
  /** Every complete request frame received, in order. */
  readonly requests: readonly ReceivedRequest[];
  close(): Promise<void>;
}

/** A framed reply in wrapper field `kind` (encoded with the protocol module's proto2 codec). */
export function reply<K extends ResponseKind>(kind: K, payload: ResponseInit<K>, options: { byteByByte?: boolean } = {}): FakeReply {
  return { body: encodeResponse(kind, payload), ...(options.byteByByte === true && { byteByByte: true }) };
}

/** `hex("aa 01 03")`: bytes from spaced hex as the spec writes them. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/[^0-9a-f]/gi, ""), "hex");
}

/** 4-byte little-endian length prefix + body (aesm-protocol.md 1.3). */
export function frame(body: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.byteLength, 0);
  return Buffer.concat([header, body]);
}

async function startFakeAesmServer(socketPath: string, handler: FakeHandler): Promise<FakeAesmServer> {
  const sockets = new Set<Socket>();
  const requests: ReceivedRequest[] = [];
  let connections = 0;

  const serve = (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // The client may reset the connection (timeout tests); the fake does not care.
    socket.on("error", () => undefined);
    let buffered = Buffer.alloc(0);
    let handled = false;
    socket.on("data", (chunk: Buffer) => {
      if (handled) return;
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.byteLength < 4) return;
      const length = buffered.readUInt32LE(0);
      if (buffered.byteLength < 4 + length) return;
      handled = true;
      const body = Buffer.from(buffered.subarray(4, 4 + length));
      let request: DecodedRequest | undefined;
      try {
        request = decodeRequest(body);
      } catch {
        request = undefined;
      }
      const received: ReceivedRequest = { frame: Buffer.from(buffered.subarray(0, 4 + length)), body, request };
      requests.push(received);
      void Promise.resolve(handler(received, requests.length - 1)).then(
        (action) => act(socket, action),
        () => socket.destroy(),
      );
    });
  };

  const server: Server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    socketPath,
    get connections() {
      return connections;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function act(socket: Socket, action: FakeReply): void {
  if ("hang" in action) return;
  if ("close" in action) {
    socket.end();
    return;
  }
  if ("raw" in action) {
    socket.end(action.raw);
    return;
  }
  const bytes = frame(action.body);
  if (action.byteByByte !== true) {
    socket.end(bytes);
    return;
  }
  let i = 0;
  const next = () => {
    if (socket.destroyed) return;
    if (i >= bytes.byteLength) {
      socket.end();
      return;
    }
    socket.write(bytes.subarray(i, i + 1));
    i += 1;
    setTimeout(next, action.gapMs ?? 1);
  };
  next();
}

/**
 * A per-suite temp directory under os.tmpdir() that holds the fakes' sockets. `close()` stops every
 * fake it started and removes the directory.
 */
export interface FakeAesmHarness {
  readonly dir: string;
  /** A path in the directory where nothing listens. */
  missingSocketPath(): string;
  start(handler: FakeHandler): Promise<FakeAesmServer>;
  close(): Promise<void>;
}

export async function createFakeAesmHarness(): Promise<FakeAesmHarness> {
  const dir = await mkdtemp(join(tmpdir(), "sgx-client-test-"));
  const servers: FakeAesmServer[] = [];
  let counter = 0;
  return {
    dir,
    missingSocketPath: () => join(dir, `missing-${counter++}.socket`),
    async start(handler) {
      const server = await startFakeAesmServer(join(dir, `aesm-${counter++}.socket`), handler);
      servers.push(server);
      return server;
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
