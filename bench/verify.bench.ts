/**
 * DCAP verification throughput on every real Intel vector, beside @phala/dcap-qvl (the JS peer,
 * a dev dependency of this benchmark only) on the same quotes, collateral and time, in one run:
 *  - warm: collateral parsed and its signatures checked once (prepareCollateral), quotes verified
 *    against it, the verifier's per-process caches in use;
 *  - cold: every cache emptied, then the collateral read from the bundle object on every call:
 *    TCB Info and QE identity JSON text, CRLs, certificate chains parsed and every signature
 *    checked, so nothing is remembered between calls (only Intel's root certificates, the trust
 *    anchors, are read once per process);
 *  - peer: dcap-qvl's verify(quote, collateral object, time), which re-parses everything per call.
 * Both verifiers get the same input: the bundle as one JSON.parse'd object (collateral.json).
 * Each rate is the best of five rounds, the three verifiers taking turns, so that neither a
 * background burst nor the machine's drift decides a ratio.
 * The verdicts (TCB status and advisory IDs, or rejection) are compared on every vector.
 * Usage: npm run bench:verify [-- --seconds 3]
 */
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { collateralFromBundle, collateralFromBundleObject } from "../src/collateral/index.ts";
import { SgxQuoteHelperError } from "../src/shared/errors.ts";
import { prepareCollateral, verifyQuote } from "../src/verifier/index.ts";
import { clearVerificationCaches } from "../src/verifier/verify-quote-signatures.ts";

interface PeerResult {
  status: string;
  advisory_ids: string[];
}
const peer = createRequire(import.meta.url)("@phala/dcap-qvl") as { verify(quote: Buffer, collateral: unknown, now: number): PeerResult };

const { values } = parseArgs({ options: { seconds: { type: "string", default: "3" } } });
const seconds = Number(values.seconds);
const vectorsDir = fileURLToPath(new URL("../test/fixtures/vectors/", import.meta.url));

const ROUNDS = 5;

/** Calls per second of `run` over `ms` milliseconds. */
function rateOver(run: () => void, ms: number): number {
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    run();
    calls++;
  }
  return calls / ((performance.now() - started) / 1000);
}

/**
 * The best rate of each of `runs` over ROUNDS rounds sharing `seconds`, after a short warm-up.
 * The rounds interleave the runs, so that the machine's drift from one moment to the next (it
 * is shared) touches every verifier alike instead of deciding a ratio.
 */
function bestRates(runs: readonly (() => void)[]): number[] {
  for (const run of runs) rateOver(run, 200);
  const best = runs.map(() => 0);
  const slice = (seconds * 1000) / ROUNDS / runs.length;
  for (let round = 0; round < ROUNDS; round++) {
    runs.forEach((run, i) => (best[i] = Math.max(best[i]!, rateOver(run, slice))));
  }
  return best;
}

/** "Status [advisories]" or "rejected: reason", comparable across the two verifiers. */
function outcome(run: () => { status: string; advisories: readonly string[] }): string {
  try {
    const { status, advisories } = run();
    return `${status} [${[...advisories].sort().join(", ")}]`;
  } catch (error) {
    if (error instanceof SgxQuoteHelperError) return `rejected: ${error.code}`;
    return `rejected: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const same = (ours: string, theirs: string) =>
  ours === theirs ||
  (ours.startsWith("rejected") && theirs.startsWith("rejected") && /TCB_NOT_SUPPORTED/.test(ours) && /No matching TCB level/.test(theirs));

/** Seconds per quote summed over the vectors, for their harmonic-mean rate. */
const total = { vectors: 0, warm: 0, cold: 0, peer: 0 };
console.log(`| vector | our verdict | dcap-qvl verdict | same | ours warm q/s | ours cold q/s | dcap-qvl q/s | warm x | cold x |`);
console.log(`|---|---|---|---|--:|--:|--:|--:|--:|`);
for (const dir of (await readdir(vectorsDir, { withFileTypes: true }))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()) {
  const path = join(vectorsDir, dir);
  const collateralText = await readFile(join(path, "collateral.json"), "utf8").catch(() => undefined);
  if (collateralText === undefined) continue;
  const quote = await readFile(join(path, "quote.bin"));
  const expected = JSON.parse(await readFile(join(path, "expected.json"), "utf8")) as { verify_at: { unix: number } };
  const now = new Date(expected.verify_at.unix * 1000);
  const prepared = prepareCollateral(collateralFromBundle(collateralText));
  // One parsed object each: the peer may annotate the object it is given.
  const ourBundle = JSON.parse(collateralText) as unknown;
  const peerCollateral = JSON.parse(collateralText) as unknown;

  const ours = outcome(() => {
    const v = verifyQuote(quote, prepared, { now });
    return { status: v.tcbStatus, advisories: v.advisoryIds };
  });
  const theirs = outcome(() => {
    const r = peer.verify(quote, peerCollateral, expected.verify_at.unix);
    return { status: r.status, advisories: r.advisory_ids };
  });
  const swallow = (run: () => unknown) => () => {
    try {
      run();
    } catch {
      // Rejections are verdicts here; their cost counts like any other.
    }
  };
  const [warm, cold, theirRate] = bestRates([
    swallow(() => verifyQuote(quote, prepared, { now })),
    swallow(() => {
      clearVerificationCaches();
      verifyQuote(quote, collateralFromBundleObject(ourBundle), { now });
    }),
    swallow(() => peer.verify(quote, peerCollateral, expected.verify_at.unix)),
  ]) as [number, number, number];
  total.vectors++;
  total.warm += 1 / warm;
  total.cold += 1 / cold;
  total.peer += 1 / theirRate;
  console.log(
    `| ${dir} | ${ours} | ${theirs} | ${same(ours, theirs) ? "yes" : "NO"} | ${warm.toFixed(0)} | ${cold.toFixed(0)} | ${theirRate.toFixed(0)} | ${(warm / theirRate).toFixed(1)} | ${(cold / theirRate).toFixed(1)} |`,
  );
}
console.log(
  `| all vectors (harmonic mean of the rates above) | | | | ${(total.vectors / total.warm).toFixed(0)} | ${(total.vectors / total.cold).toFixed(0)} | ${(total.vectors / total.peer).toFixed(0)} | ${(total.peer / total.warm).toFixed(1)} | ${(total.peer / total.cold).toFixed(1)} |`,
);
