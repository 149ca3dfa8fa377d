// SGX_AESM_ADDR is a presence flag whose value is ignored (aesm-protocol.md 0.1 rule 9, 1.2); the
// socket is /var/run/aesmd/aesm.socket (1.1), with our SGX_QUOTE_HELPER_SOCKET override.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AesmClient } from "./aesm-client.ts";
import { isOutOfProcRequested, resolveSocketPath } from "./out-of-proc.ts";

describe("isOutOfProcRequested", () => {
  it("unset -> false", () => {
    assert.equal(isOutOfProcRequested({}), false);
    assert.equal(isOutOfProcRequested({ SGX_AESM_ADDRESS: "1", sgx_aesm_addr: "1" }), false);
  });

  for (const value of ["1", "", "/some/path", "0", "false"]) {
    it(`${JSON.stringify(value)} -> true (the value is ignored)`, () => {
      assert.equal(isOutOfProcRequested({ SGX_AESM_ADDR: value }), true);
    });
  }

  it("reads process.env by default", () => {
    const saved = process.env["SGX_AESM_ADDR"];
    try {
      delete process.env["SGX_AESM_ADDR"];
      assert.equal(isOutOfProcRequested(), false);
      process.env["SGX_AESM_ADDR"] = "";
      assert.equal(isOutOfProcRequested(), true);
    } finally {
      if (saved === undefined) delete process.env["SGX_AESM_ADDR"];
      else process.env["SGX_AESM_ADDR"] = saved;
    }
  });
});

describe("resolveSocketPath", () => {
  it("defaults to Intel's compiled-in path", () => {
    assert.equal(resolveSocketPath({}), "/var/run/aesmd/aesm.socket");
  });

  it("SGX_AESM_ADDR is never used as an address", () => {
    assert.equal(resolveSocketPath({ SGX_AESM_ADDR: "/some/path" }), "/var/run/aesmd/aesm.socket");
  });

  it("SGX_QUOTE_HELPER_SOCKET overrides it", () => {
    assert.equal(resolveSocketPath({ SGX_QUOTE_HELPER_SOCKET: "/tmp/x/aesm.socket" }), "/tmp/x/aesm.socket");
  });

  it("an empty SGX_QUOTE_HELPER_SOCKET falls back to the default", () => {
    assert.equal(resolveSocketPath({ SGX_QUOTE_HELPER_SOCKET: "" }), "/var/run/aesmd/aesm.socket");
  });

  it("AesmClient defaults to the same path and 15000 ms", () => {
    const client = new AesmClient();
    assert.equal(client.socketPath, "/var/run/aesmd/aesm.socket");
    assert.equal(client.timeoutMs, 15000);
  });
});
