import { AesmResult } from "../../protocol/index.ts";
import type { QuoteProvider } from "../../providers/quote-provider.ts";
import { SgxSize, isSameAttKeyId } from "../../sgx/index.ts";
import { AesmFailure } from "../aesm-failure.ts";

/**
 * aesmd's key id rule for InitQuoteEx / GetQuoteSizeEx / GetQuoteEx: absent or shorter than
 * 256 bytes is errorCode 3; longer is accepted; only the 158-byte base must match a served id (else 38).
 * Returns the provider's own 256-byte id.
 */
export function requireSupportedAttKeyId(attKeyId: Uint8Array | undefined, provider: QuoteProvider): Uint8Array {
  if (attKeyId === undefined || attKeyId.byteLength < SgxSize.ATT_KEY_ID_EXT) {
    throw new AesmFailure(
      AesmResult.AESM_PARAMETER_ERROR,
      `att_key_id of ${attKeyId?.byteLength ?? 0} bytes, need ${SgxSize.ATT_KEY_ID_EXT}`,
    );
  }
  const match = provider.attKeyIds().find((supported) => isSameAttKeyId(supported, attKeyId));
  if (match === undefined) throw new AesmFailure(AesmResult.AESM_UNSUPPORTED_ATT_KEY_ID, "att_key_id is not served by this platform");
  return match;
}
