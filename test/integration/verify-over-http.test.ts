import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { PcsClient } from "../../src/collateral/index.ts";
import { TeeType } from "../../src/quote/index.ts";
import { verifyQuote, verifyQuoteSignatures } from "../../src/verifier/index.ts";
import { startVectorServer, vectorFile } from "../helpers/vector-pcs-server.ts";

interface Expected {
  verify_at: { unix: number };
  expected: { tcb_status?: string | null; advisory_ids?: string[] | null };
}

// Issue 3: every vector gives its expected outcome when its collateral comes over HTTP, from a
// PCS v4 look-alike serving the vector's files with Intel's headers, as from the split files.
describe("every full vector verified with collateral fetched over HTTP", async () => {
  const root = fileURLToPath(new URL("../fixtures/vectors/", import.meta.url));
  const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith("_")).map((d) => d.name);
  for (const dir of dirs) {
    let expected: Expected;
    try {
      vectorFile({ dir }, "collateral.json");
      expected = JSON.parse(vectorFile({ dir }, "expected.json").toString("utf8")) as Expected;
    } catch {
      continue; // signature-only vectors have no collateral
    }
    it(dir, async () => {
      const quote = vectorFile({ dir }, "quote.bin");
      // What to fetch comes from the quote itself, as a relying party would do it.
      const signatures = verifyQuoteSignatures(quote);
      const tee = signatures.quote.header.teeType === TeeType.TDX ? "tdx" : "sgx";
      const server = await startVectorServer({ dir, fmspc: signatures.fmspc, pckCa: signatures.pckCa, tee });
      try {
        const collateral = await new PcsClient({ baseUrl: server.base }).getCollateral({
          fmspc: signatures.fmspc,
          pckCa: signatures.pckCa,
          tee,
        });
        const now = new Date(expected.verify_at.unix * 1000);
        if (expected.expected.tcb_status) {
          const verdict = verifyQuote(quote, collateral, { now });
          assert.equal(verdict.tcbStatus, expected.expected.tcb_status);
          assert.deepEqual(verdict.advisoryIds, expected.expected.advisory_ids ?? []);
        } else {
          assert.throws(() => verifyQuote(quote, collateral, { now }), { code: "ERR_VERIFY_TCB_NOT_SUPPORTED" });
        }
      } finally {
        await server.close();
      }
    });
  }
});
