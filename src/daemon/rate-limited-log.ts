import type { Logger } from "pino";

/**
 * What clients can make the daemon log (malformed requests, refused requests, dropped
 * connections), at most `perSecond` lines a second: any local user can send garbage, and must not
 * be able to flood the node's logs with it. What is held back is counted and reported once the
 * next window opens.
 */
export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #perSecond: number;
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;

  constructor(logger: Logger, perSecond = 20) {
    this.#logger = logger;
    this.#perSecond = perSecond;
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.log("warn", fields, message);
  }

  info(fields: Record<string, unknown>, message: string): void {
    this.log("info", fields, message);
  }

  log(level: "info" | "warn", fields: Record<string, unknown>, message: string): void {
    // A line the logger would drop must not use up the budget of those it writes.
    if (!this.#logger.isLevelEnabled(level)) return;
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      if (this.#suppressed > 0) this.#logger.warn({ suppressed: this.#suppressed }, "client warnings suppressed in the last window");
      this.#windowStart = now;
      this.#inWindow = 0;
      this.#suppressed = 0;
    }
    if (this.#inWindow < this.#perSecond) {
      this.#inWindow++;
      this.#logger[level](fields, message);
    } else {
      this.#suppressed++;
    }
  }
}
