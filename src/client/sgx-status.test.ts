// errorCode -> sgx_status_t (aesm-protocol.md 4.3), through the real client against a fake service
// answering each errorCode, and sgx_status_t -> quote3_error_t (4.5). The tables below are
// transcribed from the spec; nothing is taken from the code under test.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Quote3Status } from "../sgx/index.ts";
import { AesmClient } from "./aesm-client.ts";
import { AesmClientError } from "./errors.ts";
import { SgxStatus, quote3StatusForSgxStatus, type QuoteExApi, type SgxStatusName } from "./sgx-status.ts";
import {
  createFakeAesmHarness,
  reply,
  type FakeAesmHarness,
  type FakeAesmServer,
  type FakeReply,
} from "./test-helpers/fake-aesm-server.ts";

/** aesm-protocol.md 4.2. */
const SGX_STATUS_TABLE: Readonly<Record<SgxStatusName, number>> = {
  SGX_SUCCESS: 0x0000,
  SGX_ERROR_UNEXPECTED: 0x0001,
  SGX_ERROR_INVALID_PARAMETER: 0x0002,
  SGX_ERROR_OUT_OF_MEMORY: 0x0003,
  SGX_ERROR_OUT_OF_EPC: 0x2005,
  SGX_ERROR_NO_DEVICE: 0x2006,
  SGX_ERROR_MAC_MISMATCH: 0x3001,
  SGX_ERROR_SERVICE_UNAVAILABLE: 0x4001,
  SGX_ERROR_SERVICE_TIMEOUT: 0x4002,
  SGX_ERROR_AE_INVALID_EPIDBLOB: 0x4003,
  SGX_ERROR_SERVICE_INVALID_PRIVILEGE: 0x4004,
  SGX_ERROR_EPID_MEMBER_REVOKED: 0x4005,
  SGX_ERROR_UPDATE_NEEDED: 0x4006,
  SGX_ERROR_NETWORK_FAILURE: 0x4007,
  SGX_ERROR_BUSY: 0x400a,
  SGX_ERROR_UNRECOGNIZED_PLATFORM: 0x4012,
  SGX_ERROR_UNSUPPORTED_CONFIG: 0x4013,
  SGX_ERROR_UNSUPPORTED_ATT_KEY_ID: 0x8001,
  SGX_ERROR_ATT_KEY_CERTIFICATION_FAILURE: 0x8002,
  SGX_ERROR_ATT_KEY_UNINITIALIZED: 0x8003,
  SGX_ERROR_INVALID_ATT_KEY_CERT_DATA: 0x8004,
  SGX_ERROR_PLATFORM_CERT_UNAVAILABLE: 0x8005,
};

/** 4.3, common mapping (oal_map_result). */
const COMMON: ReadonlyMap<number, number> = new Map([
  [0, 0x0000],
  [20, 0x4006],
  [1, 0x0001],
  [3, 0x0002],
  [17, 0x4001],
  [30, 0x4001],
  [48, 0x4001],
  [46, 0x4001],
  [21, 0x0003],
  [18, 0x400a],
  [31, 0x4012],
  [12, 0x4007],
  [13, 0x4007],
  [14, 0x4007],
  [2, 0x2006],
]);

/** 4.3, per-API overrides (used only when the common result is 0x0001 and errorCode != 1). */
const PER_API: Readonly<Record<QuoteExApi, ReadonlyMap<number, number>>> = {
  sgx_select_att_key_id: new Map([[38, 0x8001]]),
  sgx_init_quote_ex: new Map([
    [38, 0x8001],
    [50, 0x8002],
    [44, 0x8005],
    [4, 0x4003],
    [5, 0x4005],
    [19, 0x400a],
    [16, 0x0001],
    [29, 0x2005],
  ]),
  sgx_get_quote_size_ex: new Map([
    [42, 0x8003],
    [43, 0x0001],
    [38, 0x8001],
  ]),
  sgx_get_quote_ex: new Map([
    [42, 0x8003],
    [43, 0x0001],
    [38, 0x8001],
    [45, 0x3001],
    [47, 0x3001],
    [49, 0x0001],
    [4, 0x4003],
    [5, 0x4005],
    [19, 0x400a],
    [16, 0x0001],
    [29, 0x2005],
  ]),
  sgx_get_supported_att_key_id_num: new Map(),
  sgx_get_supported_att_key_ids: new Map(),
};

/** The whole 4.3 rule: common table, then the API's overrides, anything else 0x0001. */
function expectedSgxStatus(api: QuoteExApi, errorCode: number): number {
  const common = COMMON.get(errorCode) ?? 0x0001;
  if (common !== 0x0001 || errorCode === 1) return common;
  return PER_API[api].get(errorCode) ?? 0x0001;
}

const keyId = new Uint8Array(256);
const report = new Uint8Array(432);

/** Each API: how to call it, and its response wrapper. */
const APIS: ReadonlyArray<{
  api: QuoteExApi;
  call: (c: AesmClient) => Promise<unknown>;
  ok: FakeReply;
  fail: (errorCode: number) => FakeReply;
}> = [
  {
    api: "sgx_select_att_key_id",
    call: (c) => c.selectAttKeyId(),
    ok: reply("selectAttKeyIDRes", { errorCode: 0, selectedAttKeyId: keyId }),
    fail: (errorCode) => reply("selectAttKeyIDRes", { errorCode }),
  },
  {
    api: "sgx_init_quote_ex",
    call: (c) => c.initQuoteEx(keyId, 32),
    ok: reply("initQuoteExRes", { errorCode: 0, targetInfo: new Uint8Array(512), pubKeyIdSize: 32n, pubKeyId: new Uint8Array(32) }),
    fail: (errorCode) => reply("initQuoteExRes", { errorCode, pubKeyIdSize: 32n }),
  },
  {
    api: "sgx_get_quote_size_ex",
    call: (c) => c.getQuoteSizeEx(keyId),
    ok: reply("getQuoteSizeExRes", { errorCode: 0, quoteSize: 1456 }),
    fail: (errorCode) => reply("getQuoteSizeExRes", { errorCode, quoteSize: 0 }),
  },
  {
    api: "sgx_get_quote_ex",
    call: (c) => c.getQuoteEx(report, keyId, 100),
    ok: reply("getQuoteExRes", { errorCode: 0, quote: new Uint8Array(100) }),
    fail: (errorCode) => reply("getQuoteExRes", { errorCode }),
  },
  {
    api: "sgx_get_supported_att_key_id_num",
    call: (c) => c.getSupportedAttKeyIdNum(),
    ok: reply("getSupportedAttKeyIDNumRes", { errorCode: 0, attKeyIdNum: 1 }),
    fail: (errorCode) => reply("getSupportedAttKeyIDNumRes", { errorCode, attKeyIdNum: 0 }),
  },
  {
    api: "sgx_get_supported_att_key_ids",
    call: (c) => c.getSupportedAttKeyIds(1),
    ok: reply("getSupportedAttKeyIDsRes", { errorCode: 0, attKeyIds: keyId }),
    fail: (errorCode) => reply("getSupportedAttKeyIDsRes", { errorCode }),
  },
];

/** Every defined aesm_error_t value (4.1: 0..51 except 27), one undefined in range, and values beyond. */
const ERROR_CODES = [...Array.from({ length: 52 }, (_, i) => i).filter((i) => i !== 0), 52, 99, 255, 0x7fff_ffff, 0xffff_ffff];

let harness: FakeAesmHarness;
before(async () => {
  harness = await createFakeAesmHarness();
});
after(async () => {
  await harness.close();
});

describe("SgxStatus values match 4.2", () => {
  it("every name has the documented value", () => {
    assert.deepEqual({ ...SgxStatus }, SGX_STATUS_TABLE);
  });
});

describe("errorCode -> sgx_status_t through the client (4.3)", { timeout: 30_000 }, () => {
  for (const { api, call, ok, fail } of APIS) {
    describe(api, () => {
      let server: FakeAesmServer;
      let nextErrorCode = 0;
      before(async () => {
        server = await harness.start(() => (nextErrorCode === 0 ? ok : fail(nextErrorCode)));
      });

      it("errorCode 0 -> SGX_SUCCESS: the call resolves", async () => {
        nextErrorCode = 0;
        await call(new AesmClient({ socketPath: server.socketPath }));
      });

      it("every common row, every override and anything else", async () => {
        const client = new AesmClient({ socketPath: server.socketPath });
        const mismatches: string[] = [];
        for (const errorCode of ERROR_CODES) {
          nextErrorCode = errorCode;
          let caught: unknown;
          try {
            await call(client);
          } catch (error) {
            caught = error;
          }
          assert.ok(caught instanceof AesmClientError, `errorCode ${errorCode}: expected an AesmClientError, got ${String(caught)}`);
          assert.equal(caught.code, "ERR_AESM_REQUEST_FAILED", caught.message);
          assert.equal(caught.api, api);
          assert.equal(caught.aesmErrorCode, errorCode);
          const expected = expectedSgxStatus(api, errorCode);
          if (SgxStatus[caught.sgxStatus] !== expected) {
            mismatches.push(
              `errorCode ${errorCode}: got ${caught.sgxStatus} 0x${SgxStatus[caught.sgxStatus].toString(16)}, expected 0x${expected.toString(16)}`,
            );
          }
          // The name must also be the one 4.2 gives for that value.
          assert.equal(SGX_STATUS_TABLE[caught.sgxStatus], SgxStatus[caught.sgxStatus]);
        }
        assert.deepEqual(mismatches, []);
        assert.equal(server.connections, ERROR_CODES.length + 1);
      });
    });
  }

  it("the per-API rows really differ from the common result (spot checks)", () => {
    // 38 is 0x8001 for the ex calls that override it, 0x0001 for the key-id enumeration calls.
    assert.equal(expectedSgxStatus("sgx_get_quote_size_ex", 38), 0x8001);
    assert.equal(expectedSgxStatus("sgx_get_supported_att_key_id_num", 38), 0x0001);
    // 45/47 only for get_quote_ex.
    assert.equal(expectedSgxStatus("sgx_get_quote_ex", 47), 0x3001);
    assert.equal(expectedSgxStatus("sgx_init_quote_ex", 47), 0x0001);
  });
});

describe("sgx_status_t -> quote3_error_t (4.5)", () => {
  /** 4.5, the DCAP wrapper's conversion; anything else -> 0xE001. */
  const TO_QUOTE3: ReadonlyMap<number, number> = new Map([
    [0x0000, 0x0000],
    [0x0001, 0xe001],
    [0x0002, 0xe002],
    [0x0003, 0xe003],
    [0x2006, 0xe03f],
    [0x4001, 0xe040],
    [0x4007, 0xe041],
    [0x4002, 0xe042],
    [0x400a, 0xe043],
    [0x8001, 0xe00b],
    [0x8002, 0xe010],
    [0x8005, 0xe011],
    [0x8003, 0xe00f],
  ]);
  /** 4.5, "Net effect". */
  const REACHABLE = new Set([0x0000, 0xe001, 0xe002, 0xe003, 0xe00b, 0xe00f, 0xe010, 0xe011, 0xe03f, 0xe040, 0xe041, 0xe042, 0xe043]);

  for (const [name, value] of Object.entries(SGX_STATUS_TABLE) as Array<[SgxStatusName, number]>) {
    const expected = TO_QUOTE3.get(value) ?? 0xe001;
    it(`${name} 0x${value.toString(16).padStart(4, "0")} -> 0x${expected.toString(16).padStart(4, "0")}`, () => {
      const quote3 = quote3StatusForSgxStatus(name);
      assert.equal(Quote3Status[quote3], expected);
      assert.ok(REACHABLE.has(Quote3Status[quote3]));
    });
  }

  it("the 0x8002 row goes to ATT_KEY_CERT_DATA_INVALID, not KEY_CERTIFCATION_ERROR", () => {
    assert.equal(quote3StatusForSgxStatus("SGX_ERROR_ATT_KEY_CERTIFICATION_FAILURE"), "SGX_QL_ATT_KEY_CERT_DATA_INVALID");
  });
});
