import { aesmResultName } from "../protocol/index.ts";
import { SgxQuoteHelperError } from "../shared/errors.ts";

/** A request refused with a non-zero AESM errorCode; the handler turns it into its error reply. */
export class AesmFailure extends SgxQuoteHelperError {
  readonly errorCode: number;

  constructor(errorCode: number, message: string, options?: ErrorOptions) {
    super(`ERR_AESM_${aesmResultName(errorCode).replace(/^AESM_/, "")}`, message, options);
    this.errorCode = errorCode;
  }
}
