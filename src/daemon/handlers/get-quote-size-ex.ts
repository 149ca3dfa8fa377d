import type { Handler } from "./handler.ts";
import { requireSupportedAttKeyId } from "./require-att-key-id.ts";

export const getQuoteSizeEx: Handler<"getQuoteSizeExReq"> = {
  async respond(request, { provider }) {
    const attKeyId = requireSupportedAttKeyId(request.attKeyId, provider);
    return { errorCode: 0, quoteSize: await provider.quoteSize(attKeyId) };
  },
  refuse: (errorCode) => ({ errorCode, quoteSize: 0 }),
};
