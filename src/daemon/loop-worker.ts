/**
 * A worker thread of the quote service: its own event loop, its own provider instance (opened
 * from the provider's recipe), accepting on the listening socket the main thread bound. Logs
 * and counters go to the main thread, which owns the logger and the public stats.
 */
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import type { QuoteProvider } from "../providers/quote-provider.ts";
import { RateLimitedLog } from "./rate-limited-log.ts";
import { ServingLoop } from "./serving-loop.ts";
import { STATS_INTERVAL_MS, type LoopThreadData, type ToLoopThread, type FromLoopThread, statsSnapshot } from "./loop-thread.ts";

const data = workerData as LoopThreadData;
const port = parentPort;
if (port === null) throw new Error("loop-worker runs only as a worker thread");
const post = (message: FromLoopThread) => port.postMessage(message);

const logger = pino({ level: data.logLevel }, { write: (line: string) => post({ type: "log", line }) });
const providerModule = (await import(data.recipe.module)) as { openProvider: (options: unknown) => Promise<QuoteProvider> };
const provider = await providerModule.openProvider(data.recipe.options);
const loop = new ServingLoop({
  limits: data.limits,
  maxConnections: data.maxConnections,
  handlers: { provider, logger, clientWarnings: new RateLimitedLog(logger), maxQuoteBufBytes: data.maxQuoteBufBytes },
});
await loop.listen({ fd: data.fd, backlog: data.backlog }, (error) => logger.error({ err: error }, "listening socket error"));
const reportStats = () => post({ type: "stats", ...statsSnapshot(loop) });
const statsTimer = setInterval(reportStats, STATS_INTERVAL_MS).unref();

// The only message is ToLoopThread "close".
port.once("message", ({ keepListener }: ToLoopThread) => {
  clearInterval(statsTimer);
  if (keepListener) {
    // This thread stays, holding the stale handle, until the process ends (see ToLoopThread).
    loop.closeConnections({ unref: false });
    reportStats();
    return;
  }
  // The main thread waits, blocked, for every thread to let go of the listening socket.
  const closing = loop.close();
  Atomics.store(data.released, data.index, 1);
  Atomics.notify(data.released, data.index);
  void closing.then(async () => {
    reportStats();
    await provider.close();
    port.close();
  });
});
post({ type: "ready" });
