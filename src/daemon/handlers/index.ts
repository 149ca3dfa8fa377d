import type { RequestKind } from "../../protocol/index.ts";
import { getQuoteEx } from "./get-quote-ex.ts";
import { getQuoteSizeEx } from "./get-quote-size-ex.ts";
import type { Handler } from "./handler.ts";
import { initQuoteEx } from "./init-quote-ex.ts";
import { legacyHandlers } from "./legacy.ts";
import { selectAttKeyId } from "./select-att-key-id.ts";
import { getSupportedAttKeyIdNum, getSupportedAttKeyIds } from "./supported-att-key-ids.ts";

export { EncodedReply, type Handler, type HandlerContext } from "./handler.ts";

/** One handler per AESM request type; the type checker insists every type is covered. */
export const HANDLERS: { readonly [K in RequestKind]: Handler<K> } = {
  ...legacyHandlers,
  initQuoteExReq: initQuoteEx,
  getQuoteSizeExReq: getQuoteSizeEx,
  getQuoteExReq: getQuoteEx,
  selectAttKeyIDReq: selectAttKeyId,
  getSupportedAttKeyIDNumReq: getSupportedAttKeyIdNum,
  getSupportedAttKeyIDsReq: getSupportedAttKeyIds,
};
