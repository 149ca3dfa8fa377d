import { SgxQuoteHelperError } from "../shared/errors.ts";

/**
 * A PCS/PCCS request did not produce a usable HTTP response. Code `ERR_COLLATERAL_HTTP`.
 * `status` is the HTTP status for a non-2xx answer, `undefined` when there was no answer at all
 * (connection refused, reset, DNS failure) or it took longer than the timeout (`timedOut`).
 */
export class CollateralHttpError extends SgxQuoteHelperError {
  readonly url: string;
  readonly status: number | undefined;
  readonly timedOut: boolean;

  constructor(url: string, status: number | undefined, message: string, options?: ErrorOptions & { timedOut?: boolean }) {
    super("ERR_COLLATERAL_HTTP", message, options);
    this.url = url;
    this.status = status;
    this.timedOut = options?.timedOut ?? false;
  }
}

/**
 * A PCS/PCCS answered 2xx but the answer is not the collateral it should be (missing or
 * malformed issuer-chain header, unparseable JSON, no `tcbInfo` member, signature not 64 hex
 * bytes, a body that is not a CRL, TCB Info for another FMSPC, …). Code `ERR_COLLATERAL_FORMAT`.
 */
export class CollateralFormatError extends SgxQuoteHelperError {
  readonly url: string;

  constructor(url: string, message: string, options?: ErrorOptions) {
    super("ERR_COLLATERAL_FORMAT", message, options);
    this.url = url;
  }
}

/**
 * Offline mode was asked for an item that is not in the cache (memory or cache directory).
 * Code `ERR_COLLATERAL_NOT_CACHED`; `item` names it, e.g. `tcb/sgx/00a067110000`.
 */
export class CollateralNotCachedError extends SgxQuoteHelperError {
  readonly item: string;

  constructor(item: string) {
    super("ERR_COLLATERAL_NOT_CACHED", `offline: collateral item ${item} is not cached; fetch it once online first`);
    this.item = item;
  }
}
