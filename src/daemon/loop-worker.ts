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
import {
  STATS_INTERVAL_MS,
  ThreadState,
  statsSnapshot,
  type FromLoopThread,
  type LoopThreadData,
  type ToLoopThread,
} from "./loop-thread.ts";

const data = workerData as LoopThreadData;
const port = parentPort;
if (port === null) throw new Error("loop-worker runs only as a worker thread");
const post = (message: FromLoopThread) => port.postMessage(message);
const setState = (state: number) => {
  Atomics.store(data.states, data.index, state);
  Atomics.notify(data.states, data.index);
};
// Runs before the thread's teardown closes its handles, however it ends.
process.on("exit", () => {
  const state = Atomics.load(data.states, data.index);
  const holding = state === ThreadState.LISTENING || state === ThreadState.QUIET || state === ThreadState.RELEASING;
  setState(holding || state === ThreadState.ABANDONED ? ThreadState.EXITED_HOLDING : ThreadState.EXITED);
});

const logger = pino({ level: data.logLevel }, { write: (line: string) => post({ type: "log", line }) });
const providerModule = (await import(data.recipe.module)) as { openProvider: (options: unknown) => Promise<QuoteProvider> };
const provider = await providerModule.openProvider(data.recipe.options);
const loop = new ServingLoop({
  limits: data.limits,
  maxConnections: data.maxConnections,
  openCount: data.openCount,
  handlers: { provider, logger, clientWarnings: new RateLimitedLog(logger), maxQuoteBufBytes: data.maxQuoteBufBytes },
});
setState(ThreadState.LISTENING);
await loop.listen({ fd: data.fd, backlog: data.backlog }, (error) => logger.error({ err: error }, "listening socket error"));
const reportStats = () => post({ type: "stats", ...statsSnapshot(loop) });
const statsTimer = setInterval(reportStats, STATS_INTERVAL_MS).unref();

port.on("message", ({ type }: ToLoopThread) => {
  switch (type) {
    case "quiesce":
      void loop.quiesce().then(() => {
        setState(ThreadState.QUIET);
        post({ type: "quiet" });
      });
      break;
    case "release":
      // The main thread waits, blocked, until every thread has let go of the listening
      // descriptor; if it gave up on this one (ABANDONED), the handle must stay as it is.
      if (Atomics.compareExchange(data.states, data.index, ThreadState.QUIET, ThreadState.RELEASING) !== ThreadState.QUIET) break;
      void loop.closeListener();
      setState(ThreadState.RELEASED);
      break;
    case "dispose":
      clearInterval(statsTimer);
      reportStats();
      void provider.close().then(() => port.close());
      break;
    case "abandon":
      // This thread stays, holding the stale handle, until the process ends (see ToLoopThread).
      clearInterval(statsTimer);
      loop.abandonListener({ unref: false });
      reportStats();
      break;
  }
});
post({ type: "ready" });
