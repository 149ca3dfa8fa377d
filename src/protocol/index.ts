export { AesmResult, aesmResultName, type AesmResultName } from "./aesm-result.ts";
export { AESM_SOCKET_PATH } from "./socket-path.ts";
export { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameDecoder, FrameError, encodeFrame } from "./frame.ts";
export { QuoteReplyLayout } from "./quote-reply-layout.ts";
export {
  ProtocolError,
  RESPONSE_KIND,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  hasField,
  missingRequiredFields,
  type DecodedRequest,
  type ProtocolErrorCode,
  type RequestInit,
  type RequestKind,
  type RequestPayload,
  type ResponseInit,
  type ResponseKind,
  type ResponseKindOf,
  type ResponsePayload,
} from "./messages.ts";
