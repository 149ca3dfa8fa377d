import { pino, type Logger } from "pino";

/** Structured JSON logs on stderr, so stdout stays free for command output. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "sgx-quote-helper" } }, pino.destination(2));
}
