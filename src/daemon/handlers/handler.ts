import type { Logger } from "pino";
import type { RequestKind, RequestPayload, ResponseInit, ResponseKindOf } from "../../protocol/index.ts";
import type { QuoteProvider } from "../../providers/quote-provider.ts";
import type { RateLimitedLog } from "../rate-limited-log.ts";

export interface HandlerContext {
  readonly provider: QuoteProvider;
  /** Largest GetQuoteEx buf_size served; larger ones get errorCode 3 before anything is allocated. */
  readonly maxQuoteBufBytes: number;
  readonly logger: Logger;
  /** For warnings a client can trigger at will. */
  readonly clientWarnings: RateLimitedLog;
}

/**
 * Serves one AESM request type. `respond` returns the success reply or throws AesmFailure;
 * `refuse` builds the error reply with the fields Intel's server sets even on failure.
 */
export interface Handler<K extends RequestKind> {
  respond(request: RequestPayload<K>, context: HandlerContext): Promise<ResponseInit<ResponseKindOf<K>>>;
  refuse(errorCode: number, request: RequestPayload<K>): ResponseInit<ResponseKindOf<K>>;
}
