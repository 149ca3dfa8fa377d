// AesmClient against fake AESM services on real Unix sockets. Expected values come from
// /work/shared/research/aesm-protocol.md: 1.6 (transport outcomes), 2.4 (what Intel's client
// accepts), 2.6 (captured request bytes), 3.1 (client-side checks), 4.2 (sgx_status_t values).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeResponse } from "../protocol/index.ts";
import { defaultEcdsaAttKeyId } from "../sgx/index.ts";
import { AesmClient } from "./aesm-client.ts";
import { AesmClientError } from "./errors.ts";
import { SgxStatus } from "./sgx-status.ts";
import { blob, capturedFrame, keyId, qeReportInfo, report, targetInfo } from "../../test/fixtures/aesm-captures.ts";
import { createFakeAesmHarness, hex, reply, type FakeAesmHarness, type FakeReply } from "./test-helpers/fake-aesm-server.ts";

// sgx_status_t values, aesm-protocol.md 4.2.
const SGX_ERROR_UNEXPECTED = 0x0001;
const SGX_ERROR_INVALID_PARAMETER = 0x0002;
const SGX_ERROR_SERVICE_UNAVAILABLE = 0x4001;
const SGX_ERROR_SERVICE_TIMEOUT = 0x4002;

/** Asserts `promise` rejects with an AesmClientError with this code and sgx_status_t value; returns it. */
async function rejectsWith(promise: Promise<unknown>, code: string, sgxStatus?: number): Promise<AesmClientError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AesmClientError, `expected an AesmClientError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (sgxStatus !== undefined) assert.equal(SgxStatus[caught.sgxStatus], sgxStatus, caught.message);
  return caught;
}

/** The six calls, each with a successful reply a fake can give. */
const calls: ReadonlyArray<{ name: string; run: (c: AesmClient) => Promise<unknown>; ok: FakeReply }> = [
  {
    name: "getSupportedAttKeyIdNum",
    run: (c) => c.getSupportedAttKeyIdNum(),
    ok: reply("getSupportedAttKeyIDNumRes", { errorCode: 0, attKeyIdNum: 1 }),
  },
  {
    name: "getSupportedAttKeyIds",
    run: (c) => c.getSupportedAttKeyIds(1),
    ok: reply("getSupportedAttKeyIDsRes", { errorCode: 0, attKeyIds: keyId }),
  },
  { name: "selectAttKeyId", run: (c) => c.selectAttKeyId(), ok: reply("selectAttKeyIDRes", { errorCode: 0, selectedAttKeyId: keyId }) },
  {
    name: "initQuoteEx",
    run: (c) => c.initQuoteEx(keyId),
    ok: reply("initQuoteExRes", { errorCode: 0, targetInfo: new Uint8Array(512), pubKeyIdSize: 32n }),
  },
  { name: "getQuoteSizeEx", run: (c) => c.getQuoteSizeEx(keyId), ok: reply("getQuoteSizeExRes", { errorCode: 0, quoteSize: 1234 }) },
  {
    name: "getQuoteEx",
    run: (c) => c.getQuoteEx(report, keyId, 100),
    ok: reply("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(100) }),
  },
];

let harness: FakeAesmHarness;
before(async () => {
  harness = await createFakeAesmHarness();
});
after(async () => {
  await harness.close();
});

describe("transport outcomes (1.6)", { timeout: 10_000 }, () => {
  for (const call of calls) {
    it(`${call.name}: no socket file -> ERR_AESM_UNAVAILABLE / SGX_ERROR_SERVICE_UNAVAILABLE, fast, naming the path`, async () => {
      const socketPath = harness.missingSocketPath();
      const started = performance.now();
      const error = await rejectsWith(call.run(new AesmClient({ socketPath })), "ERR_AESM_UNAVAILABLE", SGX_ERROR_SERVICE_UNAVAILABLE);
      assert.ok(performance.now() - started < 500, "must fail well under 1 s");
      assert.ok(error.message.includes(socketPath), error.message);
      assert.equal(error.aesmErrorCode, undefined);
    });
  }

  it("a path that is not a socket (ECONNREFUSED) -> ERR_AESM_UNAVAILABLE / SGX_ERROR_SERVICE_UNAVAILABLE", async () => {
    const socketPath = join(harness.dir, "not-a-socket");
    await writeFile(socketPath, "");
    await rejectsWith(new AesmClient({ socketPath }).getQuoteSizeEx(keyId), "ERR_AESM_UNAVAILABLE", SGX_ERROR_SERVICE_UNAVAILABLE);
  });

  it("a server that trickles its reply cannot stretch a call: each phase has its own timeout, as in Intel's client", async () => {
    // A 48-byte reply body, one byte every 40 ms: each gap is far under the 300 ms timeout, but
    // the body takes about 2 s in all.
    const body = encodeResponse("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(40) });
    const server = await harness.start(() => ({ body, byteByByte: true, gapMs: 40 }));
    const client = new AesmClient({ socketPath: server.socketPath, timeoutMs: 300 });
    await rejectsWith(client.getQuoteEx(new Uint8Array(432), keyId, 64), "ERR_AESM_TIMEOUT", SGX_ERROR_SERVICE_TIMEOUT);
  });

  it("a server that accepts and never answers -> ERR_AESM_TIMEOUT / SGX_ERROR_SERVICE_TIMEOUT", async () => {
    const server = await harness.start(() => ({ hang: true }));
    const started = performance.now();
    await rejectsWith(
      new AesmClient({ socketPath: server.socketPath, timeoutMs: 200 }).getQuoteSizeEx(keyId),
      "ERR_AESM_TIMEOUT",
      SGX_ERROR_SERVICE_TIMEOUT,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 2000, `timed out after ${elapsed} ms`);
    assert.equal(server.requests.length, 1, "the request was sent before the wait");
  });

  it("a server that closes without a reply -> ERR_AESM_CONNECTION_CLOSED / SGX_ERROR_UNEXPECTED", async () => {
    const server = await harness.start(() => ({ close: true }));
    await rejectsWith(
      new AesmClient({ socketPath: server.socketPath }).getQuoteSizeEx(keyId),
      "ERR_AESM_CONNECTION_CLOSED",
      SGX_ERROR_UNEXPECTED,
    );
  });

  it("a server that closes after half a frame -> ERR_AESM_CONNECTION_CLOSED / SGX_ERROR_UNEXPECTED", async () => {
    const server = await harness.start(() => ({ raw: hex("08000000 82 01 05") }));
    await rejectsWith(
      new AesmClient({ socketPath: server.socketPath }).getQuoteSizeEx(keyId),
      "ERR_AESM_CONNECTION_CLOSED",
      SGX_ERROR_UNEXPECTED,
    );
  });

  it("a zero-length reply -> ERR_AESM_BAD_RESPONSE (Intel's client would crash)", async () => {
    const server = await harness.start(() => ({ raw: hex("00000000") }));
    await rejectsWith(new AesmClient({ socketPath: server.socketPath }).getQuoteSizeEx(keyId), "ERR_AESM_BAD_RESPONSE");
  });

  it("a reply in the wrong wrapper field -> ERR_AESM_BAD_RESPONSE", async () => {
    // GetQuoteSizeEx is field 16; answer in field 17.
    const server = await harness.start(() => reply("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(8) }));
    await rejectsWith(new AesmClient({ socketPath: server.socketPath }).getQuoteSizeEx(keyId), "ERR_AESM_BAD_RESPONSE");
  });

  it("a reply carrying only field 20 (unsupportedRequestResponse) -> ERR_AESM_BAD_RESPONSE", async () => {
    const server = await harness.start(() => reply("unsupportedRequestResponse", { errorCode: 1 }));
    await rejectsWith(new AesmClient({ socketPath: server.socketPath }).getQuoteSizeEx(keyId), "ERR_AESM_BAD_RESPONSE");
    // The same reply written by hand: field 20, length-delimited, is tag a2 01 (2.2).
    const rawServer = await harness.start(() => ({ raw: hex("05000000 a2 01 02 08 01") }));
    await rejectsWith(new AesmClient({ socketPath: rawServer.socketPath }).getSupportedAttKeyIdNum(), "ERR_AESM_BAD_RESPONSE");
  });

  it("an unparseable reply body -> ERR_AESM_BAD_RESPONSE", async () => {
    const server = await harness.start(() => ({ raw: hex("03000000 ff ff ff") }));
    await rejectsWith(new AesmClient({ socketPath: server.socketPath }).getQuoteSizeEx(keyId), "ERR_AESM_BAD_RESPONSE");
  });

  it("a quote longer than the requested size -> ERR_AESM_BAD_RESPONSE / SGX_ERROR_UNEXPECTED", async () => {
    const server = await harness.start(() => reply("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(101) }));
    await rejectsWith(
      new AesmClient({ socketPath: server.socketPath }).getQuoteEx(report, keyId, 100),
      "ERR_AESM_BAD_RESPONSE",
      SGX_ERROR_UNEXPECTED,
    );
  });

  it("a reply sent one byte at a time is reassembled", async () => {
    const quote = blob(100, 9);
    const server = await harness.start(() => reply("getQuoteExRes", { errorCode: 0, quote, qeReportInfo }, { byteByByte: true }));
    const result = await new AesmClient({ socketPath: server.socketPath, timeoutMs: 2000 }).getQuoteEx(report, keyId, 100, qeReportInfo);
    assert.deepEqual(Buffer.from(result.quote), quote);
    assert.deepEqual(Buffer.from(result.qeReportInfo!), qeReportInfo);
  });

  it("Intel's captured server reply bytes (2.6) decode", async () => {
    const num = await harness.start(() => ({ raw: hex("07000000 aa 01 04 08 00 10 01") }));
    assert.equal(await new AesmClient({ socketPath: num.socketPath }).getSupportedAttKeyIdNum(), 1);
    const size = await harness.start(() => ({ raw: hex("08000000 82 01 05 08 00 10 d2 09") }));
    assert.equal(await new AesmClient({ socketPath: size.socketPath }).getQuoteSizeEx(keyId), 1234);
    const probe = await harness.start(() => ({
      raw: Buffer.concat([hex("0a020000 7a 87 04 08 00 12 80 04"), Buffer.alloc(512), hex("18 20")]),
    }));
    const init = await new AesmClient({ socketPath: probe.socketPath }).initQuoteEx(keyId);
    assert.equal(init.pubKeyIdSize, 32);
    assert.deepEqual(Buffer.from(init.targetInfo), Buffer.alloc(512));
    const missing = await harness.start(() => ({ raw: hex("06000000 7a 04 08 01 18 00") }));
    const error = await rejectsWith(
      new AesmClient({ socketPath: missing.socketPath }).initQuoteEx(keyId),
      "ERR_AESM_REQUEST_FAILED",
      SGX_ERROR_UNEXPECTED,
    );
    assert.equal(error.aesmErrorCode, 1);
    assert.equal(error.pubKeyIdSize, 0);
  });
});

describe("request bytes on the wire match Intel's capture (2.6)", { timeout: 10_000 }, () => {
  const cases: ReadonlyArray<{ name: string; run: (c: AesmClient) => Promise<unknown>; ok: FakeReply; expected: Buffer }> = [
    {
      name: "sgx_get_supported_att_key_id_num",
      run: (c) => c.getSupportedAttKeyIdNum(),
      ok: calls[0]!.ok,
      expected: capturedFrame(0),
    },
    {
      name: "sgx_get_supported_att_key_ids(n=1)",
      run: (c) => c.getSupportedAttKeyIds(1),
      ok: calls[1]!.ok,
      expected: capturedFrame(1),
    },
    {
      name: "sgx_select_att_key_id(NULL, 0): timeout is field 2",
      run: (c) => c.selectAttKeyId(),
      ok: calls[2]!.ok,
      expected: capturedFrame(2),
    },
    {
      name: "sgx_select_att_key_id with an empty list is the same as no list",
      run: (c) => c.selectAttKeyId(new Uint8Array(0)),
      ok: calls[2]!.ok,
      expected: capturedFrame(2),
    },
    {
      name: "sgx_init_quote_ex probe: b_pub_key_id=false present, buf_size absent",
      run: (c) => c.initQuoteEx(keyId),
      ok: calls[3]!.ok,
      expected: capturedFrame(3),
    },
    {
      name: "sgx_init_quote_ex with a 32-byte buffer",
      run: (c) => c.initQuoteEx(keyId, 32),
      ok: reply("initQuoteExRes", { errorCode: 0, targetInfo, pubKeyIdSize: 32n, pubKeyId: blob(32, 5) }),
      expected: capturedFrame(4),
    },
    {
      name: "sgx_get_quote_size_ex",
      run: (c) => c.getQuoteSizeEx(keyId),
      ok: calls[4]!.ok,
      expected: capturedFrame(5),
    },
    {
      name: "sgx_get_quote_ex with qe_report_info and quote size 100",
      run: (c) => c.getQuoteEx(report, keyId, 100, qeReportInfo),
      ok: reply("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(100), qeReportInfo }),
      expected: capturedFrame(6),
    },
  ];

  for (const { name, run, ok, expected } of cases) {
    it(name, async () => {
      const server = await harness.start(() => ok);
      await run(new AesmClient({ socketPath: server.socketPath }));
      assert.equal(server.connections, 1, "one connection per call (1.4)");
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0]!.frame.toString("hex"), expected.toString("hex"));
    });
  }

  it("timeoutMs is what goes into the informational timeout field", async () => {
    const server = await harness.start(() => calls[0]!.ok);
    await new AesmClient({ socketPath: server.socketPath, timeoutMs: 200 }).getSupportedAttKeyIdNum();
    // field 21 { timeout(9) = 200 }: 200 = varint c8 01.
    assert.equal(server.requests[0]!.frame.toString("hex"), hex("06000000 aa 01 03 48 c8 01").toString("hex"));
  });
});

describe("client-side parameter checks (3.1) fail before any connection", { timeout: 10_000 }, () => {
  const invalid: ReadonlyArray<{ name: string; run: (c: AesmClient) => Promise<unknown> }> = [
    { name: "sgx_init_quote_ex with *size == 0 and a buffer", run: (c) => c.initQuoteEx(keyId, 0) },
    { name: "sgx_init_quote_ex with *size == UINT32_MAX", run: (c) => c.initQuoteEx(keyId, 0xffff_ffff) },
    { name: "sgx_init_quote_ex with *size > UINT32_MAX", run: (c) => c.initQuoteEx(keyId, 2 ** 40) },
    { name: "sgx_init_quote_ex with a size that is not a uint32 (1.5)", run: (c) => c.initQuoteEx(keyId, 1.5) },
    { name: "sgx_init_quote_ex with a size that is not a uint32 (NaN)", run: (c) => c.initQuoteEx(keyId, Number.NaN) },
    { name: "sgx_get_quote_ex with quote_size == 0", run: (c) => c.getQuoteEx(report, keyId, 0) },
    { name: "sgx_get_quote_ex with quote_size beyond uint32", run: (c) => c.getQuoteEx(report, keyId, 2 ** 32) },
    { name: "sgx_get_supported_att_key_ids with n == 0", run: (c) => c.getSupportedAttKeyIds(0) },
    { name: "sgx_get_supported_att_key_ids with n * 256 overflowing 32 bits", run: (c) => c.getSupportedAttKeyIds(2 ** 24) },
  ];

  for (const { name, run } of invalid) {
    it(`${name} -> ERR_AESM_INVALID_PARAMETER / SGX_ERROR_INVALID_PARAMETER`, async () => {
      const server = await harness.start(() => calls[0]!.ok);
      const error = await rejectsWith(
        run(new AesmClient({ socketPath: server.socketPath })),
        "ERR_AESM_INVALID_PARAMETER",
        SGX_ERROR_INVALID_PARAMETER,
      );
      assert.equal(error.aesmErrorCode, undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(server.connections, 0, "no connection may be opened");
    });
  }

  it("the largest n whose n * 256 fits 32 bits is sent", async () => {
    const server = await harness.start(() => reply("getSupportedAttKeyIDsRes", { errorCode: 3 }));
    await rejectsWith(new AesmClient({ socketPath: server.socketPath }).getSupportedAttKeyIds(2 ** 24 - 1), "ERR_AESM_REQUEST_FAILED");
    assert.equal(server.connections, 1);
    assert.equal(server.requests[0]!.request?.kind, "getSupportedAttKeyIDsReq");
    assert.equal((server.requests[0]!.request.payload as { bufSize: number }).bufSize, 0xffff_ff00);
  });
});

describe("what the client accepts in a response (2.4)", { timeout: 10_000 }, () => {
  const clientFor = async (ok: FakeReply) => new AesmClient({ socketPath: (await harness.start(() => ok)).socketPath });

  it("pub_key_id is returned when its length equals pub_key_id_size", async () => {
    const pubKeyId = blob(32, 6);
    const client = await clientFor(reply("initQuoteExRes", { errorCode: 0, targetInfo, pubKeyIdSize: 32n, pubKeyId }));
    const result = await client.initQuoteEx(keyId, 32);
    assert.equal(result.pubKeyIdSize, 32);
    assert.deepEqual(Buffer.from(result.pubKeyId!), pubKeyId);
    assert.deepEqual(Buffer.from(result.targetInfo), targetInfo);
  });

  it("pub_key_id is not returned when its length differs from pub_key_id_size", async () => {
    const shorter = await clientFor(reply("initQuoteExRes", { errorCode: 0, targetInfo, pubKeyIdSize: 32n, pubKeyId: blob(31, 6) }));
    const a = await shorter.initQuoteEx(keyId, 32);
    assert.equal(a.pubKeyId, undefined);
    assert.equal(a.pubKeyIdSize, 32);
    const smallerSize = await clientFor(reply("initQuoteExRes", { errorCode: 0, targetInfo, pubKeyIdSize: 16n, pubKeyId: blob(32, 6) }));
    const b = await smallerSize.initQuoteEx(keyId, 32);
    assert.equal(b.pubKeyId, undefined);
    assert.equal(b.pubKeyIdSize, 16);
  });

  it("a probe (no buffer) never returns pub_key_id", async () => {
    const client = await clientFor(
      reply("initQuoteExRes", { errorCode: 0, targetInfo: new Uint8Array(512), pubKeyIdSize: 32n, pubKeyId: blob(32, 6) }),
    );
    const result = await client.initQuoteEx(keyId);
    assert.equal(result.pubKeyId, undefined);
    assert.equal(result.pubKeyIdSize, 32);
  });

  it("pub_key_id_size is reported even on error, with the errorCode", async () => {
    const client = await clientFor(reply("initQuoteExRes", { errorCode: 3, pubKeyIdSize: 33n }));
    const error = await rejectsWith(client.initQuoteEx(keyId, 33), "ERR_AESM_REQUEST_FAILED", SGX_ERROR_INVALID_PARAMETER);
    assert.equal(error.aesmErrorCode, 3);
    assert.equal(error.pubKeyIdSize, 33);
    const zero = await clientFor(reply("initQuoteExRes", { errorCode: 38, pubKeyIdSize: 0n }));
    const error0 = await rejectsWith(zero.initQuoteEx(keyId), "ERR_AESM_REQUEST_FAILED");
    assert.equal(error0.aesmErrorCode, 38);
    assert.equal(error0.pubKeyIdSize, 0);
  });

  it("without pub_key_id_size in an error reply, the error has none", async () => {
    const client = await clientFor(reply("initQuoteExRes", { errorCode: 3 }));
    const error = await rejectsWith(client.initQuoteEx(keyId, 32), "ERR_AESM_REQUEST_FAILED");
    assert.equal(error.pubKeyIdSize, undefined);
  });

  it("a target_info longer than 512 bytes fails the call with SGX_ERROR_UNEXPECTED", async () => {
    const client = await clientFor(reply("initQuoteExRes", { errorCode: 0, targetInfo: new Uint8Array(513), pubKeyIdSize: 32n }));
    await rejectsWith(client.initQuoteEx(keyId), "ERR_AESM_BAD_RESPONSE", SGX_ERROR_UNEXPECTED);
  });

  it("a selected_att_key_id longer than 256 bytes fails the call with SGX_ERROR_UNEXPECTED", async () => {
    const client = await clientFor(reply("selectAttKeyIDRes", { errorCode: 0, selectedAttKeyId: new Uint8Array(257) }));
    await rejectsWith(client.selectAttKeyId(), "ERR_AESM_BAD_RESPONSE", SGX_ERROR_UNEXPECTED);
  });

  it("a qe_report_info longer than 960 bytes fails the call with SGX_ERROR_UNEXPECTED", async () => {
    const client = await clientFor(reply("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(100), qeReportInfo: new Uint8Array(961) }));
    await rejectsWith(client.getQuoteEx(report, keyId, 100, qeReportInfo), "ERR_AESM_BAD_RESPONSE", SGX_ERROR_UNEXPECTED);
  });

  it("a quote shorter than the buffer is accepted as is", async () => {
    const client = await clientFor(reply("getQuoteExRes", { errorCode: 0, quote: blob(60, 7) }));
    const result = await client.getQuoteEx(report, keyId, 100);
    assert.deepEqual(Buffer.from(result.quote), blob(60, 7));
  });

  it("get_supported_att_key_ids: a length other than count * 256 -> ERR_AESM_BAD_RESPONSE", async () => {
    for (const length of [0, 255, 257, 512]) {
      const client = await clientFor(reply("getSupportedAttKeyIDsRes", { errorCode: 0, attKeyIds: new Uint8Array(length) }));
      await rejectsWith(client.getSupportedAttKeyIds(1), "ERR_AESM_BAD_RESPONSE");
    }
    const two = Buffer.concat([keyId, blob(256, 8)]);
    const client = await clientFor(reply("getSupportedAttKeyIDsRes", { errorCode: 0, attKeyIds: two }));
    const ids = await client.getSupportedAttKeyIds(2);
    assert.deepEqual(
      ids.map((id) => Buffer.from(id).toString("hex")),
      [keyId.toString("hex"), blob(256, 8).toString("hex")],
    );
  });

  it("findEcdsaAttKeyId picks the ECDSA-P256 id among EPID ones, in any order (BH-07)", async () => {
    const ecdsa = Buffer.from(defaultEcdsaAttKeyId());
    const epid = (algorithm: number) => {
      const id = Buffer.from(ecdsa);
      id.writeUInt32LE(algorithm, 154); // algorithm_id (aesm-protocol.md 3.3): 0/1 EPID, 2 ECDSA-P256
      return id;
    };
    const serve = (ids: Buffer[]) =>
      harness.start((_, index) =>
        index === 0
          ? reply("getSupportedAttKeyIDNumRes", { errorCode: 0, attKeyIdNum: ids.length })
          : reply("getSupportedAttKeyIDsRes", { errorCode: 0, attKeyIds: Buffer.concat(ids) }),
      );
    const three = await serve([epid(0), ecdsa, epid(1)]);
    const found = await new AesmClient({ socketPath: three.socketPath }).findEcdsaAttKeyId();
    assert.equal(Buffer.from(found).toString("hex"), ecdsa.toString("hex"));
    const none = await serve([epid(0), epid(1)]);
    await rejectsWith(new AesmClient({ socketPath: none.socketPath }).findEcdsaAttKeyId(), "ERR_AESM_NO_ECDSA_KEY_ID", 0x8001);
  });

  it("absent numeric fields read as 0", async () => {
    assert.equal(await (await clientFor(reply("getQuoteSizeExRes", { errorCode: 0 }))).getQuoteSizeEx(keyId), 0);
    assert.equal(await (await clientFor(reply("getSupportedAttKeyIDNumRes", { errorCode: 0 }))).getSupportedAttKeyIdNum(), 0);
  });

  it("an absent errorCode reads as its default 1 (0.1 rule 4)", async () => {
    // field 16 { quote_size(2) = 1234 }, no field 1 (the codec refuses to leave a required field out).
    const client = await clientFor({ raw: hex("06000000 82 01 03 10 d2 09") });
    const error = await rejectsWith(client.getQuoteSizeEx(keyId), "ERR_AESM_REQUEST_FAILED", SGX_ERROR_UNEXPECTED);
    assert.equal(error.aesmErrorCode, 1);
  });
});
