import { AesmResult, type RequestKind } from "../../protocol/index.ts";
import { AesmFailure } from "../aesm-failure.ts";
import type { Handler } from "./handler.ts";

/**
 * EPID quoting, launch tokens, white lists and EPID provisioning: this platform offers only
 * ECDSA (DCAP) quoting, so these answer AESM_SERVICE_UNAVAILABLE (30), as aesmd does when the
 * EPID or launch bundle is not loaded. Intel's client maps 30 to SGX_ERROR_SERVICE_UNAVAILABLE.
 * The reply carries the numeric fields Intel's server always sets.
 */
function unavailable<K extends RequestKind>(service: string, refuse: Handler<K>["refuse"]): Handler<K> {
  return {
    respond() {
      return Promise.reject(new AesmFailure(AesmResult.AESM_SERVICE_UNAVAILABLE, `${service} is not offered by this platform`));
    },
    refuse,
  };
}

const errorOnly = (errorCode: number) => ({ errorCode });

export const legacyHandlers = {
  initQuoteReq: unavailable<"initQuoteReq">("EPID quoting", errorOnly),
  getQuoteReq: unavailable<"getQuoteReq">("EPID quoting", errorOnly),
  getLicTokenReq: unavailable<"getLicTokenReq">("the launch service", errorOnly),
  reportErrReq: unavailable<"reportErrReq">("EPID attestation error reporting", errorOnly),
  getWhiteListSizeReq: unavailable<"getWhiteListSizeReq">("the launch white list", (errorCode) => ({ errorCode, whiteListSize: 0 })),
  getWhiteListReq: unavailable<"getWhiteListReq">("the launch white list", errorOnly),
  sgxGetExtendedEpidGroupIdReq: unavailable<"sgxGetExtendedEpidGroupIdReq">("EPID", (errorCode) => ({ errorCode, xGroupId: 0 })),
  sgxSwitchExtendedEpidGroupReq: unavailable<"sgxSwitchExtendedEpidGroupReq">("EPID", errorOnly),
  sgxRegisterReq: unavailable<"sgxRegisterReq">("white-list registration", errorOnly),
  checkUpdateStatusReq: unavailable<"checkUpdateStatusReq">("EPID update checks", (errorCode) => ({ errorCode, status: 0 })),
} as const;
