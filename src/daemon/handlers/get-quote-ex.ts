import { AesmResult, hasField } from "../../protocol/index.ts";
import { SgxSize } from "../../sgx/index.ts";
import { AesmFailure } from "../aesm-failure.ts";
import type { Handler } from "./handler.ts";
import { requireSupportedAttKeyId } from "./require-att-key-id.ts";

export const getQuoteEx: Handler<"getQuoteExReq"> = {
  async respond(request, { provider, maxQuoteBufBytes }) {
    if (request.report.byteLength !== SgxSize.REPORT) {
      throw new AesmFailure(AesmResult.AESM_PARAMETER_ERROR, `report of ${request.report.byteLength} bytes, need ${SgxSize.REPORT}`);
    }
    const attKeyId = requireSupportedAttKeyId(request.attKeyId, provider);
    const qeReportInfo = hasField(request, "qeReportInfo") ? request.qeReportInfo : undefined;
    if (qeReportInfo !== undefined && qeReportInfo.byteLength !== SgxSize.QE_REPORT_INFO) {
      throw new AesmFailure(
        AesmResult.AESM_PARAMETER_ERROR,
        `qe_report_info of ${qeReportInfo.byteLength} bytes, need ${SgxSize.QE_REPORT_INFO}`,
      );
    }
    // Refused before any allocation: Intel's aesmd allocates whatever buf_size says.
    if (request.bufSize > maxQuoteBufBytes) {
      throw new AesmFailure(AesmResult.AESM_PARAMETER_ERROR, `buf_size ${request.bufSize} exceeds limit ${maxQuoteBufBytes}`);
    }
    const needed = await provider.quoteSize(attKeyId);
    if (request.bufSize < needed) {
      throw new AesmFailure(AesmResult.AESM_PARAMETER_ERROR, `buf_size ${request.bufSize} is below the quote size ${needed}`);
    }
    const result = await provider.getQuote({ report: request.report, attKeyId, ...(qeReportInfo && { qeReportInfo }) });
    // The reply carries exactly buf_size bytes: the quote, then zeros (no copy when it fits exactly).
    const quote = result.quote.byteLength === request.bufSize ? result.quote : padTo(result.quote, request.bufSize);
    return { errorCode: 0, quote, ...(result.qeReportInfo && { qeReportInfo: result.qeReportInfo }) };
  },
  // qe_report_info comes back whenever the request carried it, even on error.
  refuse: (errorCode, request) => ({ errorCode, ...(hasField(request, "qeReportInfo") && { qeReportInfo: request.qeReportInfo }) }),
};

function padTo(bytes: Uint8Array, size: number): Uint8Array {
  const padded = new Uint8Array(size);
  padded.set(bytes);
  return padded;
}
