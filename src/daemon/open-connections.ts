import type { Socket } from "node:net";

/** Why a connection's deadline is set: waiting for request bytes, or for the client to take its reply. */
export type DeadlineKind = "idle" | "request" | "write";

/** An open connection and its current deadline (performance.now() time; Infinity when it has none). */
export class OpenConnection {
  deadline = Infinity;
  deadlineKind: DeadlineKind = "idle";
  /** Run once the socket has closed (libuv is done with every buffer written to it). */
  onClosed: (() => void) | undefined;

  constructor(readonly socket: Socket) {}

  expireAt(at: number, kind: DeadlineKind): void {
    this.deadline = at;
    this.deadlineKind = kind;
  }

  clearDeadline(): void {
    this.deadline = Infinity;
  }
}

/**
 * One event loop's open connections, whose deadlines one periodic sweep enforces rather than a
 * timer per socket: arming and re-arming a timer for every connection costs more than the rest
 * of a quote's bookkeeping at thousands of quotes a second. A deadline fires up to one interval late.
 */
export class OpenConnections {
  readonly #open = new Set<OpenConnection>();
  readonly #timer: NodeJS.Timeout;
  readonly #onClosed: () => void;

  /** `onExpire` for a connection past its deadline, `onClosed` once for every socket that closes. */
  constructor(intervalMs: number, onExpire: (connection: OpenConnection) => void, onClosed: () => void) {
    this.#onClosed = onClosed;
    this.#timer = setInterval(() => {
      const now = performance.now();
      for (const connection of this.#open) {
        if (connection.deadline > now) continue;
        onExpire(connection);
        connection.clearDeadline();
      }
    }, intervalMs).unref();
  }

  get size(): number {
    return this.#open.size;
  }

  /** Tracks the socket until it closes. */
  add(socket: Socket): OpenConnection {
    const connection = new OpenConnection(socket);
    this.#open.add(connection);
    socket.once("close", () => {
      this.#open.delete(connection);
      this.#onClosed();
      connection.onClosed?.();
    });
    return connection;
  }

  /** Stops sweeping and destroys every open socket. */
  destroyAll(): void {
    clearInterval(this.#timer);
    for (const { socket } of this.#open) socket.destroy();
  }
}

/** Sweep interval for the given timeouts: a quarter of the shortest, between 10 ms and 1 s. */
export function sweepIntervalMs(...timeoutsMs: number[]): number {
  return Math.min(1000, Math.max(10, Math.min(...timeoutsMs) / 4));
}
