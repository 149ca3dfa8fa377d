import {
  AesmResult,
  ProtocolError,
  RESPONSE_KIND,
  decodeRequest,
  encodeFrame,
  encodeResponse,
  type RequestKind,
  type RequestPayload,
  type ResponseInit,
  type ResponseKind,
} from "../protocol/index.ts";
import { Quote3Error } from "../sgx/index.ts";
import { errorMessage } from "../shared/errors.ts";
import { AesmFailure } from "./aesm-failure.ts";
import { EncodedReply, HANDLERS, type Handler, type HandlerContext } from "./handlers/index.ts";
import { quote3ToAesm } from "./quote3-to-aesm.ts";

/** A reply to send, or none: the connection closes without one. */
export type ServedRequest =
  | { readonly replyFrame: undefined }
  | {
      /** The framed Response. */
      readonly replyFrame: Uint8Array;
      readonly kind: RequestKind;
      readonly errorCode: number;
      /** A frame to give back once sent (the socket has closed), for reuse. */
      readonly reusable?: EncodedReply;
    };

/**
 * Answers one request body as aesmd does: a reply in the same wrapper field, errorCode 1 for a
 * missing required field, the handler's error reply for a refused request, and no reply at all
 * for a message that names no known type (or several).
 */
export async function serveRequest(body: Uint8Array, context: HandlerContext): Promise<ServedRequest> {
  let kind: RequestKind;
  let payload: RequestPayload<RequestKind>;
  let missingRequired: readonly string[];
  try {
    ({ kind, payload, missingRequired } = decodeRequest(body));
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    context.clientWarnings.warn({ code: error.code, fields: error.fieldNumbers }, `malformed request received, closing: ${error.message}`);
    return { replyFrame: undefined };
  }
  const handler = HANDLERS[kind] as Handler<RequestKind>;
  let outcome: ResponseInit<ResponseKind> | EncodedReply | number;
  if (missingRequired.length > 0) {
    context.clientWarnings.warn({ kind, missingRequired }, "request lacks required fields");
    outcome = AesmResult.AESM_UNEXPECTED_ERROR;
  } else {
    try {
      outcome = await handler.respond(payload, context);
    } catch (error) {
      outcome = failureCode(error, kind, context);
    }
  }
  if (outcome instanceof EncodedReply) return { replyFrame: outcome.frame, reusable: outcome, kind, errorCode: 0 };
  const [response, errorCode] = typeof outcome === "number" ? [handler.refuse(outcome, payload), outcome] : [outcome, 0];
  const encoded = encodeResponse(RESPONSE_KIND[kind] as ResponseKind, response as ResponseInit<ResponseKind>);
  return { replyFrame: encodeFrame(encoded), kind, errorCode };
}

/**
 * The AESM errorCode a handler's failure answers with. Refusals are logged rate-limited: a
 * client can make as many as it likes (bad sizes, bad REPORT MACs).
 */
function failureCode(error: unknown, kind: RequestKind, context: HandlerContext): number {
  if (error instanceof AesmFailure) {
    context.clientWarnings.info({ kind, errorCode: error.errorCode }, error.message);
    return error.errorCode;
  }
  if (error instanceof Quote3Error) {
    context.clientWarnings.warn({ kind, status: error.status }, error.message);
    return quote3ToAesm(error.status);
  }
  context.logger.error({ kind, err: error }, `unexpected failure: ${errorMessage(error)}`);
  return AesmResult.AESM_UNEXPECTED_ERROR;
}
