/**
 * End to end: every (QE status, platform status) pair of research doc §4.7 through verifyQuote, on
 * a simulated-platform quote whose collateral (TCB Info, QE identity) is rebuilt with the wanted
 * statuses and re-signed with the platform's own TCB Signing key (simulated root, trusted
 * explicitly). Expected values are the §4.7 table and the §5 result codes.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Collateral } from "../collateral/index.ts";
import { SimQeIdentity, SimulatedPlatform } from "../providers/simulated/index.ts";
import { appraiseVerdict, verifyQuote, VerifyError } from "./index.ts";
import { PLATFORM_TCB_STATUSES, QV_RESULT_OF_STATUS, SECTION_4_7 } from "./test-helpers/synthetic-tcb.ts";
import { simulatedAppQuote } from "../providers/simulated/test-helpers/app-quote.ts";

// Set once the platform exists: its certificates are issued at the real current time.
let NOW: Date;

let dir: string;
let platform: SimulatedPlatform;
let quote: Uint8Array;
let base: Collateral;
let signingKey: KeyObject;
let rootPem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "status-merging-"));
  platform = await SimulatedPlatform.open({ stateDir: dir });
  quote = await simulatedAppQuote(platform);
  NOW = new Date(Date.now() + 60_000);
  base = platform.collateral({ now: NOW });
  signingKey = createPrivateKey(await readFile(join(dir, "platform", "tcb-signing.key.pem"), "utf8"));
  rootPem = platform.rootCertificatePem;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Options {
  readonly platformAdvisories?: readonly string[];
  readonly qeAdvisories?: readonly string[];
}

/** Collateral whose single TCB level (the platform's) has status `p` and whose QE level has `q`. */
function collateralWith(p: string, q: string, options: Options = {}): Collateral {
  const tcb = JSON.parse(base.tcbInfo) as Record<string, unknown>;
  const facts = platform.facts;
  tcb.tcbLevels = [
    {
      tcb: { sgxtcbcomponents: facts.tcbComponents.map((svn) => ({ svn })), pcesvn: facts.pceSvn },
      tcbDate: "2025-01-01T00:00:00Z",
      tcbStatus: p,
      ...(options.platformAdvisories === undefined ? {} : { advisoryIDs: options.platformAdvisories }),
    },
  ];
  const qe = JSON.parse(base.qeIdentity) as Record<string, unknown>;
  qe.tcbLevels =
    q === "not supported"
      ? [{ tcb: { isvsvn: SimQeIdentity.ISV_SVN + 1 }, tcbDate: "2025-01-01T00:00:00Z", tcbStatus: "UpToDate" }]
      : [
          {
            tcb: { isvsvn: SimQeIdentity.ISV_SVN },
            tcbDate: "2025-01-01T00:00:00Z",
            tcbStatus: q,
            ...(options.qeAdvisories === undefined ? {} : { advisoryIDs: options.qeAdvisories }),
          },
        ];
  const tcbInfo = JSON.stringify(tcb);
  const qeIdentity = JSON.stringify(qe);
  const signText = (text: string) =>
    new Uint8Array(sign("sha256", Buffer.from(text, "utf8"), { key: signingKey, dsaEncoding: "ieee-p1363" }));
  return { ...base, tcbInfo, tcbInfoSignature: signText(tcbInfo), qeIdentity, qeIdentitySignature: signText(qeIdentity) };
}

test("§4.7 end to end: every (Q, P) pair through verifyQuote, including Q not supported", () => {
  const verify = (c: Collateral) => verifyQuote(quote, c, { now: NOW, trustedRoots: [rootPem] });
  // Sanity: the unmodified simulated collateral verifies.
  assert.equal(verify(base).tcbStatus, "UpToDate");
  let pairs = 0;
  for (const q of ["UpToDate", "OutOfDate", "Revoked", "not supported"] as const) {
    for (const p of PLATFORM_TCB_STATUSES) {
      pairs++;
      const what = `Q=${q} P=${p}`;
      const collateral = collateralWith(p, q);
      if (q === "not supported") {
        assert.throws(
          () => verify(collateral),
          (e: unknown) => e instanceof VerifyError && e.code === "ERR_VERIFY_TCB_NOT_SUPPORTED" && e.quote3Value === 0xe066,
          what,
        );
        continue;
      }
      const expected = SECTION_4_7[q][p];
      if (expected === "Revoked") {
        // §4.8: Revoked is a return code (SGX_QL_TCB_REVOKED), not a result.
        assert.throws(
          () => verify(collateral),
          (e: unknown) => e instanceof VerifyError && e.code === "ERR_VERIFY_TCB_REVOKED" && e.quote3Value === 0xe032,
          what,
        );
        continue;
      }
      const r = verify(collateral);
      assert.equal(r.tcbStatus, expected, what);
      assert.equal(r.platformTcbStatus, p, what);
      assert.equal(r.sgxTcbStatus, p, what);
      assert.equal(r.qeTcbStatus, q, what);
      assert.equal(r.tdxModuleTcbStatus, undefined);
      const [qvName, qvValue] = QV_RESULT_OF_STATUS[expected];
      assert.equal(r.qvResultName, qvName, what);
      assert.equal(r.qvResult, qvValue, what);
      // BH-19: the default policy accepts exactly the UpToDate verdict.
      assert.equal(appraiseVerdict(r).accepted, expected === "UpToDate", what);
    }
  }
  assert.equal(pairs, 28);
});

test("BH-20 end to end: UpToDate with advisories; advisories are the platform level's, QE advisories separate and de-duplicated", () => {
  const verify = (c: Collateral) => verifyQuote(quote, c, { now: NOW, trustedRoots: [rootPem] });
  const up = verify(collateralWith("UpToDate", "UpToDate", { platformAdvisories: ["INTEL-SA-00000"] }));
  assert.equal(up.tcbStatus, "UpToDate");
  assert.equal(up.qvResult, 0);
  assert.deepEqual(up.advisoryIds, ["INTEL-SA-00000"]);
  assert.equal(appraiseVerdict(up).accepted, true, "default: accept and report");
  const none = verify(collateralWith("UpToDate", "UpToDate"));
  assert.deepEqual(none.advisoryIds, []);
  assert.deepEqual(none.componentAdvisoryIds, []);
  const qe = verify(
    collateralWith("SWHardeningNeeded", "OutOfDate", {
      platformAdvisories: ["INTEL-SA-00615", "INTEL-SA-00289"],
      qeAdvisories: ["INTEL-SA-00100", "INTEL-SA-00100", "INTEL-SA-00615"],
    }),
  );
  assert.equal(qe.tcbStatus, "OutOfDate");
  // §4.8: sa_list = the matched TCB level's advisories only, in the served order.
  assert.deepEqual(qe.advisoryIds, ["INTEL-SA-00615", "INTEL-SA-00289"]);
  assert.deepEqual(qe.componentAdvisoryIds, ["INTEL-SA-00100", "INTEL-SA-00615"]);
});
