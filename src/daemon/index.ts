export { AesmFailure } from "./aesm-failure.ts";
export { DaemonError, QuoteServer, type QuoteServerOptions, type QuoteServerStats } from "./server.ts";
