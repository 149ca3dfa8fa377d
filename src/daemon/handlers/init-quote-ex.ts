import { AesmResult } from "../../protocol/index.ts";
import { SgxSize } from "../../sgx/index.ts";
import { AesmFailure } from "../aesm-failure.ts";
import type { Handler } from "./handler.ts";
import { requireSupportedAttKeyId } from "./require-att-key-id.ts";

/** ECDSA pub_key_id is SHA-256 sized; QE3 accepts no other buffer size. */
const PUB_KEY_ID_BYTES = 32;

export const initQuoteEx: Handler<"initQuoteExReq"> = {
  async respond(request, { provider }) {
    const attKeyId = requireSupportedAttKeyId(request.attKeyId, provider);
    // A size probe returns before QE3 runs, so Intel's target_info is all zero here.
    if (!request.bPubKeyId) {
      return { errorCode: 0, targetInfo: new Uint8Array(SgxSize.TARGET_INFO), pubKeyIdSize: BigInt(PUB_KEY_ID_BYTES) };
    }
    if (request.bufSize !== BigInt(PUB_KEY_ID_BYTES)) {
      throw new AesmFailure(AesmResult.AESM_PARAMETER_ERROR, `pub_key_id buf_size ${request.bufSize}, need ${PUB_KEY_ID_BYTES}`);
    }
    const { targetInfo, pubKeyId } = await provider.initQuote(attKeyId);
    return { errorCode: 0, targetInfo, pubKeyIdSize: BigInt(PUB_KEY_ID_BYTES), pubKeyId };
  },
  // pub_key_id_size is always present: the request's buf_size (0n when absent).
  refuse: (errorCode, request) => ({ errorCode, pubKeyIdSize: request.bufSize }),
};
