import { AesmResult, hasField, QuoteReplyLayout } from "../../protocol/index.ts";
import { SgxSize } from "../../sgx/index.ts";
import { AesmFailure } from "../aesm-failure.ts";
import { EncodedReply, type Handler } from "./handler.ts";
import { requireSupportedAttKeyId } from "./require-att-key-id.ts";

/**
 * Reply layouts by buf_size and qe_report_info presence, least recently used first: clients use
 * one or two sizes, and a client cycling through sizes only evicts sizes nobody else uses.
 */
const layouts = new Map<number, QuoteReplyLayout>();
const MAX_LAYOUTS = 16;
let latestKey: number | undefined;

function layoutFor(bufSize: number, withQeReportInfo: boolean): QuoteReplyLayout {
  const key = withQeReportInfo ? -bufSize - 1 : bufSize;
  let layout = layouts.get(key);
  if (layout === undefined) {
    layout = QuoteReplyLayout.of(bufSize, withQeReportInfo);
    if (layouts.size >= MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
  } else if (key !== latestKey) {
    layouts.delete(key);
  } else {
    return layout;
  }
  layouts.set(key, layout);
  latestKey = key;
  return layout;
}

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
    // The reply carries exactly buf_size bytes of quote: the quote, then zeros. The frame may be
    // a reused one, so every byte of both regions is written here.
    const layout = layoutFor(request.bufSize, qeReportInfo !== undefined);
    const frame = layout.takeFrame();
    const quoteBuffer = frame.subarray(layout.quoteOffset, layout.quoteOffset + layout.quoteBytes);
    let result;
    try {
      result = await provider.getQuote({ report: request.report, attKeyId, quoteBuffer, ...(qeReportInfo && { qeReportInfo }) });
    } catch (error) {
      layout.releaseFrame(frame);
      throw error;
    }
    if (result.quote.buffer !== quoteBuffer.buffer || result.quote.byteOffset !== quoteBuffer.byteOffset) quoteBuffer.set(result.quote);
    quoteBuffer.fill(0, result.quote.byteLength);
    if (qeReportInfo !== undefined && layout.qeReportInfoOffset !== undefined) {
      frame.fill(0, layout.qeReportInfoOffset, layout.qeReportInfoOffset + SgxSize.QE_REPORT_INFO);
      frame.set(result.qeReportInfo ?? qeReportInfo, layout.qeReportInfoOffset);
    }
    return new EncodedReply(frame, layout);
  },
  // qe_report_info comes back whenever the request carried it, even on error.
  refuse: (errorCode, request) => ({ errorCode, ...(hasField(request, "qeReportInfo") && { qeReportInfo: request.qeReportInfo }) }),
};
