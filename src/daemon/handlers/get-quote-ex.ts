import { AesmResult, hasField, QuoteReplyLayout } from "../../protocol/index.ts";
import { SgxSize } from "../../sgx/index.ts";
import type { GetQuoteResult } from "../../providers/quote-provider.ts";
import { AesmFailure } from "../aesm-failure.ts";
import { EncodedReply, type Handler } from "./handler.ts";
import { requireSupportedAttKeyId } from "./require-att-key-id.ts";

/**
 * Reply layouts by buf_size and qe_report_info presence, least recently used first. A size gets
 * its layout at its second successful quote: clients use one or two sizes, while bad REPORTs
 * cost no layout work, and sizes used once (a client cycling through them) do not take the
 * place of layouts in use.
 */
const layouts = new Map<number, QuoteReplyLayout>();
const MAX_LAYOUTS = 16;
const seenOnce = new Set<number>();
const MAX_SEEN_ONCE = 64;
let latestKey: number | undefined;

const layoutKey = (bufSize: number, withQeReportInfo: boolean) => (withQeReportInfo ? -bufSize - 1 : bufSize);

function readyLayout(key: number): QuoteReplyLayout | undefined {
  const layout = layouts.get(key);
  if (layout !== undefined && key !== latestKey) {
    layouts.delete(key);
    layouts.set(key, layout);
    latestKey = key;
  }
  return layout;
}

/** After a quote served without a layout: the second success of a size builds its layout (once, however many were in flight). */
function noteServed(key: number, bufSize: number, withQeReportInfo: boolean): void {
  if (layouts.has(key)) return;
  if (!seenOnce.delete(key)) {
    if (seenOnce.size >= MAX_SEEN_ONCE) seenOnce.clear();
    seenOnce.add(key);
    return;
  }
  if (layouts.size >= MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
  layouts.set(key, QuoteReplyLayout.of(bufSize, withQeReportInfo));
  latestKey = key;
}

/** The caller's qe_report_info with the QE report filled in; QE3 fails the request when it cannot make one. */
function qeReportInfoOf(result: GetQuoteResult): Uint8Array {
  if (result.qeReportInfo?.byteLength !== SgxSize.QE_REPORT_INFO) {
    throw new AesmFailure(AesmResult.AESM_UNABLE_TO_GENERATE_QE_REPORT, "the quote provider made no QE report for the qe_report_info");
  }
  return result.qeReportInfo;
}

/** Writes the quote at the start of `quoteBuffer` (where the provider may have written it already), then zeros. */
function placeQuote(quoteBuffer: Uint8Array, quote: Uint8Array): void {
  if (quote.buffer !== quoteBuffer.buffer || quote.byteOffset !== quoteBuffer.byteOffset) quoteBuffer.set(quote);
  quoteBuffer.fill(0, quote.byteLength);
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
    // The reply carries exactly buf_size bytes of quote: the quote, then zeros.
    const withQeReportInfo = qeReportInfo !== undefined;
    const key = layoutKey(request.bufSize, withQeReportInfo);
    const layout = readyLayout(key);
    const getQuote = (quoteBuffer: Uint8Array) =>
      provider.getQuote({ report: request.report, attKeyId, quoteBuffer, ...(qeReportInfo && { qeReportInfo }) });
    if (layout === undefined) {
      const quote = new Uint8Array(request.bufSize);
      const result = await getQuote(quote);
      placeQuote(quote, result.quote);
      const reply = { errorCode: 0, quote, ...(withQeReportInfo && { qeReportInfo: qeReportInfoOf(result) }) };
      noteServed(key, request.bufSize, withQeReportInfo);
      return reply;
    }
    // A frame may be a reused one: every byte of the quote and qe_report_info regions is written.
    const frame = layout.takeFrame();
    try {
      const quoteBuffer = frame.subarray(layout.quoteOffset, layout.quoteOffset + layout.quoteBytes);
      const result = await getQuote(quoteBuffer);
      placeQuote(quoteBuffer, result.quote);
      if (layout.qeReportInfoOffset !== undefined) frame.set(qeReportInfoOf(result), layout.qeReportInfoOffset);
    } catch (error) {
      layout.releaseFrame(frame);
      throw error;
    }
    return new EncodedReply(frame, layout);
  },
  // qe_report_info comes back whenever the request carried it, even on error.
  refuse: (errorCode, request) => ({ errorCode, ...(hasField(request, "qeReportInfo") && { qeReportInfo: request.qeReportInfo }) }),
};
