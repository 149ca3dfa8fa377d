import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FrameDecoder, encodeFrame } from "./frame.ts";

describe("FrameDecoder", () => {
  const body = Buffer.from(Array.from({ length: 267 }, (_, i) => i & 0xff));
  const frame = encodeFrame(body);

  it("writes the length little-endian, as Intel's client does (267 -> 0b 01 00 00)", () => {
    assert.equal(frame.subarray(0, 4).toString("hex"), "0b010000");
  });

  it("reassembles a frame split at every possible point", () => {
    for (let split = 0; split <= frame.length; split++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(frame.subarray(0, split)), ...decoder.push(frame.subarray(split))];
      assert.equal(frames.length, 1, `split at ${split}`);
      assert.deepEqual(frames[0], body);
    }
  });

  it("reassembles a frame fed one byte at a time", () => {
    const decoder = new FrameDecoder();
    const frames = [...frame].flatMap((byte) => decoder.push(Uint8Array.of(byte)));
    assert.deepEqual(frames, [body]);
  });

  it("returns two frames that arrive in one chunk", () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(Buffer.concat([frame, encodeFrame(Buffer.from("ab"))]));
    assert.deepEqual(frames, [body, Buffer.from("ab")]);
  });

  it("rejects a hostile length from the header alone, before buffering a body", () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 1024 * 1024 });
    assert.throws(() => decoder.push(Buffer.from("ffffffff", "hex")), { code: "ERR_PROTOCOL_FRAME_TOO_LARGE", declaredBytes: 0xffffffff });
    const limit = new FrameDecoder({ maxFrameBytes: 100 });
    assert.deepEqual(limit.push(encodeFrame(Buffer.alloc(100))), [Buffer.alloc(100)]);
    assert.throws(() => limit.push(encodeFrame(Buffer.alloc(101)).subarray(0, 4)), {
      code: "ERR_PROTOCOL_FRAME_TOO_LARGE",
      declaredBytes: 101,
    });
  });

  it("rejects a zero-length frame unless allowed", () => {
    assert.throws(() => new FrameDecoder().push(Buffer.alloc(4)), { code: "ERR_PROTOCOL_FRAME_EMPTY" });
    assert.deepEqual(new FrameDecoder({ allowEmpty: true }).push(Buffer.alloc(4)), [Buffer.alloc(0)]);
  });
});
