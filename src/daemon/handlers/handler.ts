import type { Logger } from "pino";
import type { QuoteReplyLayout, RequestKind, RequestPayload, ResponseInit, ResponseKindOf } from "../../protocol/index.ts";
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
 * A success reply the handler framed itself (GetQuoteEx writes the quote straight into its
 * frame), with the layout to give the frame back to once it has been sent.
 */
export class EncodedReply {
  constructor(
    readonly frame: Buffer,
    readonly layout: QuoteReplyLayout,
  ) {}

  /** Called once the frame has been sent; it may then be reused. */
  release(): void {
    this.layout.releaseFrame(this.frame);
  }
}

/**
 * Serves one AESM request type. `respond` returns the success reply (fields, or a frame it
 * encoded itself) or throws AesmFailure; `refuse` builds the error reply with the fields Intel's
 * server sets even on failure.
 */
export interface Handler<K extends RequestKind> {
  respond(request: RequestPayload<K>, context: HandlerContext): Promise<ResponseInit<ResponseKindOf<K>> | EncodedReply>;
  refuse(errorCode: number, request: RequestPayload<K>): ResponseInit<ResponseKindOf<K>>;
}
