import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { quoteIdentity, verifyQuoteSignatures } from "../../src/verifier/index.ts";
import { vectorFile } from "../helpers/vector-pcs-server.ts";

interface Expected {
  verify_at: { unix: number };
  expected: { outcome: string; asserted_fields: Record<string, string | number> };
}

// The signature-only vectors (no collateral): their expected outcome is "signatures valid" with
// the identity fields listed in expected.json, and a PCK chain valid at verify_at.
describe("signature-only vectors", async () => {
  const root = fileURLToPath(new URL("../fixtures/vectors/", import.meta.url));
  const dirs = (await readdir(root)).filter((d) => d.startsWith("sigonly-"));
  it("are all present", () => assert.equal(dirs.length, 3));
  for (const dir of dirs) {
    it(dir, () => {
      const expected = JSON.parse(vectorFile({ dir }, "expected.json").toString("utf8")) as Expected;
      assert.equal(expected.expected.outcome, "signatures-valid");
      const result = verifyQuoteSignatures(vectorFile({ dir }, "quote.bin"));
      assert.equal(result.rootKind, "intel");
      const at = expected.verify_at.unix * 1000;
      assert.ok(
        result.chainValidity.notBefore.getTime() <= at && at <= result.chainValidity.notAfter.getTime(),
        "chain valid at verify_at",
      );
      const { enclave, td } = quoteIdentity(result.body);
      const fields = expected.expected.asserted_fields;
      assert.equal(result.fmspc, fields["fmspc"]);
      assert.equal(result.pck.tcb.pceSvn, fields["pcesvn"]);
      if (fields["mrenclave"] !== undefined) assert.equal(enclave?.mrEnclave, fields["mrenclave"]);
      if (fields["mr_td"] !== undefined) assert.equal(td?.mrTd, fields["mr_td"]);
      if (fields["report_data"] !== undefined) assert.equal(enclave?.reportData ?? td?.reportData, fields["report_data"]);
    });
  }
});
