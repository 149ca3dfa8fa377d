import { encodeFrame } from "./frame.ts";
import { encodeResponse } from "./messages.ts";

/** Length of sgx_qe_report_info_t, the only qe_report_info a successful GetQuoteEx reply echoes. */
const QE_REPORT_INFO_BYTES = 960;
/** Released frames kept for reuse, per layout: enough for a burst of concurrent clients… */
const MAX_FREE_FRAMES = 64;
/** …within this many bytes, so that large buf_sizes (rare, or hostile) are not kept at all. */
const MAX_FREE_BYTES = 256 * 1024;

/**
 * The framed, successful GetQuoteEx reply for one buf_size (with or without qe_report_info),
 * and where the quote and qe_report_info bytes sit in it. The protobuf library encodes the
 * reply twice, once with zero fillers and once with 0xff fillers: the bytes that differ are the
 * fillers, so nothing here knows the wire format. The daemon then has the quote written straight
 * into a frame instead of encoding 4 KiB of quote per request, and reuses frames once sent.
 */
export class QuoteReplyLayout {
  /** Total frame length: 4-byte length prefix and the encoded Response. */
  readonly frameBytes: number;
  readonly quoteOffset: number;
  readonly quoteBytes: number;
  /** Offset of the 960 qe_report_info bytes, when the layout carries them. */
  readonly qeReportInfoOffset: number | undefined;
  /** The frame's bytes before and after the quote (kept apart: buf_size may be large). */
  readonly #beforeQuote: Buffer;
  readonly #afterQuote: Buffer;
  readonly #free: Buffer[] = [];
  readonly #maxFree: number;

  private constructor(zeroFilled: Buffer, quoteOffset: number, quoteBytes: number, qeReportInfoOffset: number | undefined) {
    this.frameBytes = zeroFilled.byteLength;
    this.quoteOffset = quoteOffset;
    this.quoteBytes = quoteBytes;
    this.qeReportInfoOffset = qeReportInfoOffset;
    this.#maxFree = Math.min(MAX_FREE_FRAMES, Math.floor(MAX_FREE_BYTES / this.frameBytes));
    this.#beforeQuote = Buffer.from(zeroFilled.subarray(0, quoteOffset));
    this.#afterQuote = Buffer.from(zeroFilled.subarray(quoteOffset + quoteBytes));
  }

  static of(bufSize: number, withQeReportInfo: boolean): QuoteReplyLayout {
    const encode = (filler: number) =>
      encodeFrame(
        encodeResponse("getQuoteExRes", {
          errorCode: 0,
          quote: new Uint8Array(bufSize).fill(filler),
          ...(withQeReportInfo && { qeReportInfo: new Uint8Array(QE_REPORT_INFO_BYTES).fill(filler) }),
        }),
      );
    const zeros = encode(0);
    const ones = encode(0xff);
    const runs = differingRuns(zeros, ones);
    const [quoteRun, qeReportInfoRun] = runs;
    if (
      quoteRun?.length !== bufSize ||
      runs.length !== (withQeReportInfo ? 2 : 1) ||
      (withQeReportInfo && qeReportInfoRun?.length !== QE_REPORT_INFO_BYTES)
    ) {
      throw new Error(`GetQuoteEx reply layout for buf_size ${bufSize} is not two filler runs`);
    }
    return new QuoteReplyLayout(zeros, quoteRun.start, bufSize, qeReportInfoRun?.start);
  }

  /**
   * A frame with everything but the fillers in place, a released one when there is one. The
   * quote and qe_report_info regions hold anything: the caller writes all of both (the quote,
   * then zeros up to buf_size) before sending it.
   */
  takeFrame(): Buffer {
    let frame = this.#free.pop();
    if (frame === undefined) {
      frame = Buffer.allocUnsafe(this.frameBytes);
      frame.set(this.#beforeQuote);
      frame.set(this.#afterQuote, this.quoteOffset + this.quoteBytes);
    }
    return frame;
  }

  /** Gives back a frame from `takeFrame` that nothing reads any more (its socket has closed). */
  releaseFrame(frame: Buffer): void {
    if (this.#free.length < this.#maxFree) this.#free.push(frame);
  }
}

/** Maximal runs of positions where `a` and `b` differ (same lengths). */
function differingRuns(a: Uint8Array, b: Uint8Array): { start: number; length: number }[] {
  const runs: { start: number; length: number }[] = [];
  if (a.byteLength !== b.byteLength) return runs;
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] === b[i]) continue;
    const start = i;
    while (i < a.byteLength && a[i] !== b[i]) i++;
    runs.push({ start, length: i - start });
  }
  return runs;
}
