import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, ProtocolError } from "./messages.ts";
import { encodeFrame } from "./frame.ts";
import { CAPTURED_REQUESTS, hex, keyId, qeReportInfo, report, targetInfo } from "../../test/fixtures/aesm-captures.ts";

// Captured wire bytes from aesm-protocol.md section 2.6: Intel's libsgx_quote_ex (requests, in
// the shared fixture) and Intel's server IPC layer (responses).
const capturedRequests = CAPTURED_REQUESTS;

describe("captured Intel requests (section 2.6)", () => {
  for (const { name, header, body } of capturedRequests) {
    it(`${name}: frames with the captured header and re-encodes byte for byte`, () => {
      assert.equal(encodeFrame(body).subarray(0, 4).toString("hex"), header);
      const decoded = decodeRequest(body);
      assert.deepEqual(decoded.missingRequired, []);
      const { $typeName: _t, ...fields } = decoded.payload;
      assert.deepEqual(Buffer.from(encodeRequest(decoded.kind, fields as never)), body);
    });
  }

  it("decodes the field values Intel's client put in", () => {
    const probe = decodeRequest(capturedRequests[3]!.body);
    assert.equal(probe.kind, "initQuoteExReq");
    assert.equal(probe.fieldNumber, 15);
    const p = probe.payload as { bPubKeyId: boolean; timeout: number; attKeyId: Uint8Array };
    assert.equal(p.bPubKeyId, false);
    assert.equal(p.timeout, 15000);
    assert.deepEqual(Buffer.from(p.attKeyId), keyId);
    const select = decodeRequest(capturedRequests[2]!.body);
    assert.equal(select.kind, "selectAttKeyIDReq");
    assert.equal((select.payload as { timeout: number }).timeout, 15000);
  });

  it("encodes the same requests from scratch as Intel's client does", () => {
    const built = encodeRequest("getQuoteExReq", { report, attKeyId: keyId, qeReportInfo, bufSize: 100, timeout: 15000 });
    assert.deepEqual(Buffer.from(built), capturedRequests[6]!.body);
    const probe = encodeRequest("initQuoteExReq", { attKeyId: keyId, bPubKeyId: false, timeout: 15000 });
    assert.deepEqual(Buffer.from(probe), capturedRequests[3]!.body);
  });
});

describe("captured Intel responses (section 2.6)", () => {
  const cases = [
    {
      name: "GetSupportedAttKeyIDNum ok, n=1",
      bytes: hex("07000000 aa 01 04 08 00 10 01"),
      build: () => encodeResponse("getSupportedAttKeyIDNumRes", { errorCode: 0, attKeyIdNum: 1 }),
    },
    {
      name: "GetQuoteSizeEx ok, 1234",
      bytes: hex("08000000 82 01 05 08 00 10 d2 09"),
      build: () => encodeResponse("getQuoteSizeExRes", { errorCode: 0, quoteSize: 1234 }),
    },
    {
      name: "InitQuoteEx probe ok",
      bytes: Buffer.concat([hex("0a020000 7a 87 04 08 00 12 80 04"), targetInfo, hex("18 20")]),
      build: () => encodeResponse("initQuoteExRes", { errorCode: 0, targetInfo, pubKeyIdSize: 32n }),
    },
    {
      name: "InitQuoteEx missing b_pub_key_id",
      bytes: hex("06000000 7a 04 08 01 18 00"),
      build: () => encodeResponse("initQuoteExRes", { errorCode: 1, pubKeyIdSize: 0n }),
    },
    {
      name: "GetQuoteEx missing required fields",
      bytes: hex("05000000 8a 01 02 08 01"),
      build: () => encodeResponse("getQuoteExRes", { errorCode: 1 }),
    },
  ];
  for (const { name, bytes, build } of cases) {
    it(`${name}: encodes byte for byte`, () => {
      assert.deepEqual(encodeFrame(build()), bytes);
    });
  }

  it("decodes errorCode 0 as present and an absent errorCode as the proto2 default 1", () => {
    assert.equal(decodeResponse(hex("82 01 05 08 00 10 d2 09"), "getQuoteSizeExRes").errorCode, 0);
    assert.equal(decodeResponse(hex("8a 01 00"), "getQuoteExRes").errorCode, 1);
  });

  it("refuses a response in another wrapper field, or field 20", () => {
    assert.throws(() => decodeResponse(hex("aa 01 04 08 00 10 01"), "getQuoteExRes"), { code: "ERR_PROTOCOL_WRONG_RESPONSE" });
    assert.throws(() => decodeResponse(hex("a2 01 02 08 01"), "getQuoteExRes"), { code: "ERR_PROTOCOL_WRONG_RESPONSE" });
    assert.throws(() => decodeResponse(new Uint8Array(0), "getQuoteExRes"), { code: "ERR_PROTOCOL_WRONG_RESPONSE" });
  });
});

describe("requests aesmd cannot classify", () => {
  it("reports missing proto2 required fields by name", () => {
    const decoded = decodeRequest(hex("7a 03 48 98 75"));
    assert.deepEqual(decoded.missingRequired, ["b_pub_key_id"]);
    assert.deepEqual(decodeRequest(hex("8a 01 00")).missingRequired, ["report", "buf_size"]);
  });

  it("rejects garbage, unknown types, field 20 and two payloads with distinct codes", () => {
    assert.throws(
      () => decodeRequest(hex("ff ff ff ff")),
      (e) => e instanceof ProtocolError && e.code === "ERR_PROTOCOL_UNPARSEABLE",
    );
    assert.throws(() => decodeRequest(hex("9a 06 00")), { code: "ERR_PROTOCOL_UNKNOWN_REQUEST", fieldNumbers: [99] });
    assert.throws(() => decodeRequest(hex("a2 01 00")), { code: "ERR_PROTOCOL_UNKNOWN_REQUEST", fieldNumbers: [20] });
    assert.throws(() => decodeRequest(new Uint8Array(0)), { code: "ERR_PROTOCOL_UNKNOWN_REQUEST" });
    assert.throws(() => decodeRequest(hex("7a 02 18 00 82 01 00")), { code: "ERR_PROTOCOL_MULTIPLE_PAYLOADS", fieldNumbers: [15, 16] });
  });

  it("does not treat removed platform-service messages 5..9 as known", () => {
    assert.throws(() => decodeRequest(hex("2a 02 08 01")), { code: "ERR_PROTOCOL_UNKNOWN_REQUEST", fieldNumbers: [5] });
  });
});
