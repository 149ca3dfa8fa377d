export { AesmFailure } from "./aesm-failure.ts";
export { DEFAULT_MAX_QUOTE_BUF_BYTES, DaemonError, QuoteServer, type QuoteServerOptions, type QuoteServerStats } from "./server.ts";
export { startPcsServer, type PcsPublisher, type PcsServer, type PcsServerOptions } from "./pcs-server.ts";
