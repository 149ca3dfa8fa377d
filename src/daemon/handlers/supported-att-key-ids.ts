import { AesmResult } from "../../protocol/index.ts";
import { SgxSize } from "../../sgx/index.ts";
import { AesmFailure } from "../aesm-failure.ts";
import type { Handler } from "./handler.ts";
import type { QuoteProvider } from "../../providers/quote-provider.ts";

function servedIds(provider: QuoteProvider): readonly Uint8Array[] {
  const ids = provider.attKeyIds();
  if (ids.length === 0) throw new AesmFailure(AesmResult.AESM_SERVICE_UNAVAILABLE, "the quote provider serves no attestation key");
  return ids;
}

export const getSupportedAttKeyIdNum: Handler<"getSupportedAttKeyIDNumReq"> = {
  async respond(_request, { provider }) {
    return { errorCode: 0, attKeyIdNum: servedIds(provider).length };
  },
  refuse: (errorCode) => ({ errorCode, attKeyIdNum: 0 }),
};

export const getSupportedAttKeyIds: Handler<"getSupportedAttKeyIDsReq"> = {
  async respond(request, { provider }) {
    const ids = servedIds(provider);
    const needed = ids.length * SgxSize.ATT_KEY_ID_EXT;
    if (request.bufSize !== needed) {
      throw new AesmFailure(AesmResult.AESM_PARAMETER_ERROR, `buf_size ${request.bufSize}, need exactly ${needed}`);
    }
    return { errorCode: 0, attKeyIds: Buffer.concat(ids) };
  },
  refuse: (errorCode) => ({ errorCode }),
};
