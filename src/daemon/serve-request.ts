import {
  AesmResult,
  ProtocolError,
  RESPONSE_KIND,
  decodeRequest,
  encodeResponse,
  type RequestKind,
  type RequestPayload,
  type ResponseInit,
  type ResponseKind,
} from "../protocol/index.ts";
import { Quote3Error } from "../sgx/index.ts";
import { errorMessage } from "../shared/errors.ts";
import { AesmFailure } from "./aesm-failure.ts";
import { HANDLERS, type Handler, type HandlerContext } from "./handlers/index.ts";
import { quote3ToAesm } from "./quote3-to-aesm.ts";

export interface ServedRequest {
  /** Encoded Response to send, or undefined when the connection must close without a reply. */
  readonly reply: Uint8Array | undefined;
  readonly kind?: RequestKind;
  readonly errorCode?: number;
}

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
    return { reply: undefined };
  }
  const handler = HANDLERS[kind] as Handler<RequestKind>;
  let outcome: ResponseInit<ResponseKind> | number;
  if (missingRequired.length > 0) {
    context.clientWarnings.warn({ kind, missingRequired }, "request lacks required fields");
    outcome = AesmResult.AESM_UNEXPECTED_ERROR;
  } else {
    outcome = await respondOrFailure(handler, payload, context, kind);
  }
  const [response, errorCode] = typeof outcome === "number" ? [handler.refuse(outcome, payload), outcome] : [outcome, 0];
  return { reply: encodeResponse(RESPONSE_KIND[kind] as ResponseKind, response as ResponseInit<ResponseKind>), kind, errorCode };
}

/** The handler's success reply, or the AESM errorCode it failed with. */
async function respondOrFailure(
  handler: Handler<RequestKind>,
  payload: RequestPayload<RequestKind>,
  context: HandlerContext,
  kind: RequestKind,
): Promise<ResponseInit<ResponseKind> | number> {
  try {
    return await handler.respond(payload, context);
  } catch (error) {
    if (error instanceof AesmFailure) {
      context.logger.info({ kind, errorCode: error.errorCode }, error.message);
      return error.errorCode;
    }
    if (error instanceof Quote3Error) {
      context.logger.warn({ kind, status: error.status }, error.message);
      return quote3ToAesm(error.status);
    }
    context.logger.error({ kind, err: error }, `unexpected failure: ${errorMessage(error)}`);
    return AesmResult.AESM_UNEXPECTED_ERROR;
  }
}
