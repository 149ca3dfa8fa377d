import { AesmResult, hasField } from "../../protocol/index.ts";
import { AttKeyAlgorithm, SgxStructureError, isSameAttKeyId, parseAttKeyId, parseAttKeyIdList } from "../../sgx/index.ts";
import { AesmFailure } from "../aesm-failure.ts";
import type { Handler } from "./handler.ts";

/** aesmd's "default quoting type" (aesmd.conf); ECDSA-P256 unless configured otherwise. */
const DEFAULT_ALGORITHM = AttKeyAlgorithm.ECDSA_P256;

export const selectAttKeyId: Handler<"selectAttKeyIDReq"> = {
  async respond(request, { provider }) {
    const supported = provider.attKeyIds();
    // Without a list every served id is a candidate, and the server's own struct is returned.
    const candidates = hasField(request, "attKeyIdList") ? parseList(request.attKeyIdList) : supported;
    const matches = candidates.filter((entry) => supported.some((own) => isSameAttKeyId(own, entry)));
    const selected = matches.find((entry) => parseAttKeyId(entry).algorithmId === DEFAULT_ALGORITHM) ?? matches[0];
    if (selected === undefined) {
      throw new AesmFailure(AesmResult.AESM_UNSUPPORTED_ATT_KEY_ID, "no listed att_key_id is served by this platform");
    }
    // The caller's own entry goes back, spid and reserved bytes included, as aesmd does.
    return { errorCode: 0, selectedAttKeyId: selected };
  },
  refuse: (errorCode) => ({ errorCode }),
};

function parseList(list: Uint8Array): Uint8Array[] {
  try {
    return parseAttKeyIdList(list);
  } catch (cause) {
    if (cause instanceof SgxStructureError) throw new AesmFailure(AesmResult.AESM_PARAMETER_ERROR, cause.message, { cause });
    throw cause;
  }
}
