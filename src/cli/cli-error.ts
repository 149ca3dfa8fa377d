import { SgxQuoteHelperError } from "../shared/errors.ts";

/** A usage or input problem the CLI reports in one line, with exit code 2. */
export class CliError extends SgxQuoteHelperError {}
