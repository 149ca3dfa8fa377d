import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { decodeResponse, encodeResponse } from "./messages.ts";
import { encodeFrame } from "./frame.ts";
import { QuoteReplyLayout } from "./quote-reply-layout.ts";

/** Fills a frame from `takeFrame` as the daemon does: every byte of the quote and qe_report_info regions. */
function fill(layout: QuoteReplyLayout, quote: Uint8Array, qeReportInfo?: Uint8Array): Buffer {
  const frame = layout.takeFrame();
  frame.set(quote, layout.quoteOffset);
  frame.fill(0, layout.quoteOffset + quote.byteLength, layout.quoteOffset + layout.quoteBytes);
  if (qeReportInfo !== undefined && layout.qeReportInfoOffset !== undefined) frame.set(qeReportInfo, layout.qeReportInfoOffset);
  return frame;
}

describe("QuoteReplyLayout", () => {
  // Sizes on both sides of each varint length boundary, the usual quote sizes and a large one.
  const sizes = [1, 127, 128, 4084, 4600, 13346, 16383, 16384, 70_000, 2_097_152];

  for (const withQeReportInfo of [false, true]) {
    it(`frames equal the protobuf library's own encoding (${withQeReportInfo ? "with" : "without"} qe_report_info)`, () => {
      for (const bufSize of sizes) {
        const layout = QuoteReplyLayout.of(bufSize, withQeReportInfo);
        const quoteBytes = Math.min(bufSize, 4084);
        for (let use = 0; use < 3; use++) {
          // Random contents each use: a reused frame must not keep anything of the last one.
          const quote = randomBytes(quoteBytes);
          const qeReportInfo = withQeReportInfo ? randomBytes(960) : undefined;
          const frame = fill(layout, quote, qeReportInfo);
          const padded = new Uint8Array(bufSize);
          padded.set(quote);
          const expected = encodeFrame(
            encodeResponse("getQuoteExRes", { errorCode: 0, quote: padded, ...(qeReportInfo && { qeReportInfo }) }),
          );
          assert.ok(frame.equals(expected), `buf_size ${bufSize}, use ${use}`);
          assert.equal(layout.frameBytes, expected.byteLength);
          const decoded = decodeResponse(frame.subarray(4), "getQuoteExRes");
          assert.deepEqual(Buffer.from(decoded.quote), Buffer.from(padded));
          layout.releaseFrame(frame);
        }
      }
    });
  }

  it("finds the regions where the encoding puts them: the quote ends the frame unless qe_report_info follows", () => {
    const plain = QuoteReplyLayout.of(4084, false);
    assert.equal(plain.quoteOffset + plain.quoteBytes, plain.frameBytes);
    assert.equal(plain.qeReportInfoOffset, undefined);
    const withInfo = QuoteReplyLayout.of(4084, true);
    assert.equal(withInfo.qeReportInfoOffset, withInfo.frameBytes - 960);
    assert.ok(withInfo.quoteOffset + 4084 < withInfo.qeReportInfoOffset);
  });
});
