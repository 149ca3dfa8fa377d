import assert from "node:assert/strict";
import { it } from "node:test";
import * as api from "../../src/index.ts";

it("the public entry exports the client, daemon, provider, protocol and verifier names", () => {
  for (const name of [
    "AesmClient",
    "getQuote",
    "SimulatedEnclave",
    "QuoteServer",
    "SimulatedPlatform",
    "verifyQuoteSignatures",
    "AesmResult",
    "Quote3Status",
    "decodeQuote",
  ]) {
    assert.equal(
      typeof (api as Record<string, unknown>)[name],
      name === "AesmResult" || name === "Quote3Status" ? "object" : "function",
      name,
    );
  }
  assert.equal(api.AESM_SOCKET_PATH, "/var/run/aesmd/aesm.socket");
});
