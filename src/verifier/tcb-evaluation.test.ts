/**
 * TCB level selection, TDX module identities, the TD 1.5 relaunch rule (research doc §4.6) and
 * status merging (§4.7), through the exported evaluation functions with synthetic TCB Info.
 * Every expected value below is written from the research doc's text, not from the code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CollateralError, parseEnclaveIdentity, parseTcbInfo, TCB_STATUSES, type TcbStatus } from "../collateral/index.ts";
import { VerifyError } from "./errors.ts";
import { evaluateTcb, moduleIdentity } from "./tcb-evaluation.ts";
import { convergeTcbStatus, qvResultName } from "./tcb-status.ts";
import { QvResult } from "./quote3-verify-status.ts";
import {
  PCK_TCB,
  PLATFORM_TCB_STATUSES,
  QV_RESULT_OF_STATUS,
  SECTION_4_7,
  svn16,
  td15Body,
  tcbInfoText,
  tdxTcbInfo,
  sgxTcbInfo,
} from "./test-helpers/synthetic-tcb.ts";

test("§4.7 status merging: every (Q, P) pair of the table through convergeTcbStatus", () => {
  assert.deepEqual([...TCB_STATUSES].sort(), [...PLATFORM_TCB_STATUSES].sort(), "the 7 platform statuses of §3.2");
  let pairs = 0;
  for (const [q, row] of Object.entries(SECTION_4_7) as Array<["UpToDate" | "OutOfDate" | "Revoked", Record<TcbStatus, TcbStatus>]>) {
    for (const p of PLATFORM_TCB_STATUSES) {
      assert.equal(convergeTcbStatus(p, q), row[p], `Q=${q} P=${p}`);
      pairs++;
    }
  }
  assert.equal(pairs, 21); // the 4th row (Q not supported) is an error, tested in tcb-status-merging.test.ts end to end
});

test("§4.7: TD_RELAUNCH_ADVISED[_CONFIGURATION_NEEDED] pass through unchanged when Q is UpToDate", () => {
  assert.equal(convergeTcbStatus("TDRelaunchAdvised", "UpToDate"), "TDRelaunchAdvised");
  assert.equal(convergeTcbStatus("TDRelaunchAdvisedConfigurationNeeded", "UpToDate"), "TDRelaunchAdvisedConfigurationNeeded");
  assert.equal(convergeTcbStatus("TDRelaunchAdvised", "Revoked"), "Revoked");
  // §5 result codes for the relaunch statuses.
  assert.equal(QvResult[qvResultName("TDRelaunchAdvised")], 0xa009);
  assert.equal(QvResult[qvResultName("TDRelaunchAdvisedConfigurationNeeded")], 0xa00a);
});

test("§5: sgx_ql_qv_result_t of every non-terminal final status", () => {
  for (const [status, [name, value]] of Object.entries(QV_RESULT_OF_STATUS) as Array<[Exclude<TcbStatus, "Revoked">, [string, number]]>) {
    assert.equal(qvResultName(status), name, status);
    assert.equal(QvResult[qvResultName(status)], value, status);
  }
});

test("§4.7 applied to the TDX module: every (module status, TDX level status) pair through evaluateTcb", () => {
  // One TDX level with status P; module TDX_01 with one level of status M; TEE_TCB_SVN = [1, 1, 0 …].
  for (const [m, row] of Object.entries(SECTION_4_7) as Array<["UpToDate" | "OutOfDate" | "Revoked", Record<TcbStatus, TcbStatus>]>) {
    for (const p of PLATFORM_TCB_STATUSES) {
      const info = tdxTcbInfo([{ status: p }], [{ id: "TDX_01", levels: [{ isvsvn: 1, status: m }] }]);
      const r = evaluateTcb(info, info.tcbLevels, PCK_TCB, {
        teeTcbSvn: Uint8Array.from(svn16([1, 1])),
        body15: undefined,
        qeStatus: "UpToDate",
      });
      assert.equal(r.tdxModuleStatus, m, `module ${m} / ${p}`);
      assert.equal(r.tdxLevel?.tcbStatus, p);
      assert.equal(r.platformStatus, row[p], `module ${m}, TDX level ${p}`);
      // Then the QE status is merged on top (UpToDate QE leaves it).
      assert.equal(convergeTcbStatus(r.platformStatus, "UpToDate"), row[p]);
    }
  }
});

test("§4.6: a TDX module identity with no level ≤ TEE_TCB_SVN[0] → TCB not supported (error, not a status)", () => {
  const info = tdxTcbInfo([{ status: "UpToDate" }], [{ id: "TDX_01", levels: [{ isvsvn: 4, status: "UpToDate" }] }]);
  assert.throws(
    () =>
      evaluateTcb(info, info.tcbLevels, PCK_TCB, { teeTcbSvn: Uint8Array.from(svn16([3, 1])), body15: undefined, qeStatus: "UpToDate" }),
    (e: unknown) => e instanceof VerifyError && e.code === "ERR_VERIFY_TCB_NOT_SUPPORTED" && e.quote3Value === 0xe066,
  );
});

test("§4.6 SGX level selection is component-wise, in order, with PCESVN; none → TCB not supported", () => {
  const higherFirst = [...Array<number>(15).fill(5), 6];
  const info = sgxTcbInfo([
    { sgx: higherFirst, status: "UpToDate" }, // component 16 above the PCK's → not met
    { pcesvn: 11, status: "SWHardeningNeeded" }, // PCESVN above → not met
    { sgx: [6, ...Array<number>(15).fill(0)], status: "ConfigurationNeeded" }, // numerically "lower" CPUSVN, but comp01 6 > 5
    { status: "OutOfDate", advisoryIDs: ["INTEL-SA-00001"] },
    { sgx: Array<number>(16).fill(0), pcesvn: 0, status: "Revoked" },
  ]);
  const r = evaluateTcb(info, info.tcbLevels, PCK_TCB, undefined);
  assert.equal(r.platformStatus, "OutOfDate");
  assert.deepEqual(r.matchedLevel.advisoryIds, ["INTEL-SA-00001"]);
  assert.equal(r.tdxLevel, undefined);
  const none = sgxTcbInfo([{ sgx: Array<number>(16).fill(6), status: "UpToDate" }]);
  assert.throws(() => evaluateTcb(none, none.tcbLevels, PCK_TCB, undefined), { code: "ERR_VERIFY_TCB_NOT_SUPPORTED" });
});

// ---- item 3: TDX module identity selection and the TD 1.5 relaunch rule (§4.6) ----

/** L0: TDX [5,0,3] UpToDate; L1: TDX [3,0,2] OutOfDate. Module TDX_01: isvsvn 5 UpToDate, 3 OutOfDate. */
function relaunchInfo(l0 = "UpToDate", l1 = "OutOfDate") {
  return tdxTcbInfo(
    [
      { tdx: [5, 0, 3], status: l0 },
      { tdx: [3, 0, 2], status: l1 },
    ],
    [
      {
        id: "TDX_01",
        levels: [
          { isvsvn: 5, status: "UpToDate" },
          { isvsvn: 3, status: "OutOfDate" },
        ],
      },
    ],
  );
}

function evalTd(
  info: ReturnType<typeof tdxTcbInfo>,
  svn: readonly number[],
  svn2?: readonly number[],
  qeStatus: "UpToDate" | "OutOfDate" | "Revoked" = "UpToDate",
) {
  const body15 = svn2 === undefined ? undefined : td15Body(svn, svn2);
  return evaluateTcb(info, info.tcbLevels, PCK_TCB, { teeTcbSvn: Uint8Array.from(svn16(svn)), body15, qeStatus });
}

test("module version 0: no module identity needed, TEE_TCB_SVN[0..1] compared with the TDX components", () => {
  const info = tdxTcbInfo([
    { tdx: [5, 0, 3], status: "UpToDate" },
    { tdx: [3, 0, 2], status: "OutOfDate" },
  ]); // no tdxModuleIdentities at all
  assert.equal(info.tdxModuleIdentities, undefined);
  const up = evalTd(info, [5, 0, 3]);
  assert.equal(up.tdxModuleStatus, undefined);
  assert.equal(up.platformStatus, "UpToDate");
  const old = evalTd(info, [4, 0, 3]); // byte 0 below L0's 5 → L1
  assert.equal(old.platformStatus, "OutOfDate");
  assert.equal(old.tdxModuleStatus, undefined);
  assert.throws(() => evalTd(info, [2, 0, 3]), { code: "ERR_VERIFY_TCB_NOT_SUPPORTED" });
});

test("module version 1: TDX_01 present → judged by its identity; TEE_TCB_SVN[0..1] skipped in the TDX levels", () => {
  const info = relaunchInfo();
  const r = evalTd(info, [5, 1, 3]);
  assert.equal(r.tdxLevel?.tcbStatus, "UpToDate", "L0 matched although TDX component 1 (0) ≠ module version (1)");
  assert.equal(r.tdxModuleStatus, "UpToDate");
  assert.equal(r.platformStatus, "UpToDate");
  const older = evalTd(info, [4, 1, 3]); // module SVN 4 → level isvsvn 3 OutOfDate
  assert.equal(older.tdxLevel?.tcbStatus, "UpToDate");
  assert.equal(older.tdxModuleStatus, "OutOfDate");
  assert.equal(older.platformStatus, "OutOfDate");
  assert.equal(moduleIdentity(info, 1)?.id, "TDX_01");
  // id compared case-insensitively (§4.5 step 15)
  const lower = tdxTcbInfo([{ status: "UpToDate" }], [{ id: "tdx_01", levels: [{ isvsvn: 0, status: "UpToDate" }] }]);
  assert.equal(evalTd(lower, [0, 1]).tdxModuleStatus, "UpToDate");
  // two hex digits, upper case: module version 0x1a → TDX_1A
  const hexId = tdxTcbInfo([{ status: "UpToDate" }], [{ id: "TDX_1A", levels: [{ isvsvn: 0, status: "OutOfDate" }] }]);
  assert.equal(evalTd(hexId, [0, 0x1a]).tdxModuleStatus, "OutOfDate");
});

test("module version 1 with TDX_01 missing → STATUS_TDX_MODULE_MISMATCH (a typed error, not a pass or a TypeError)", () => {
  const onlyTdx03 = tdxTcbInfo([{ status: "UpToDate" }], [{ id: "TDX_03", levels: [{ isvsvn: 0, status: "UpToDate" }] }]);
  const noIdentities = tdxTcbInfo([{ status: "UpToDate" }]);
  for (const info of [onlyTdx03, noIdentities]) {
    assert.throws(
      () => evalTd(info, [3, 1, 0]),
      (e: unknown) => e instanceof VerifyError && e.code === "ERR_VERIFY_TDX_MODULE_MISMATCH" && e.quote3Value === 0xe060,
    );
  }
});

test("TD 1.5 relaunch advised: QE UpToDate, SGX UpToDate, TDX OutOfDate, module OutOfDate, loaded module meets the highest level", () => {
  const info = relaunchInfo();
  // TEE_TCB_SVN [3,1,2]: TDX level L1 (OutOfDate), module level isvsvn 3 (OutOfDate).
  const base = evalTd(info, [3, 1, 2]);
  assert.equal(base.platformStatus, "OutOfDate");
  assert.equal(base.sgxLevel.tcbStatus, "UpToDate");
  // Loaded module (TEE_TCB_SVN_2) [5,1,3]: TDX_01 exists, 5 ≥ its highest isvsvn 5, 3 ≥ L0.tdx[2] 3.
  const r = evalTd(info, [3, 1, 2], [5, 1, 3]);
  assert.equal(r.platformStatus, "TDRelaunchAdvised");
  assert.equal(QvResult[qvResultName(convergeTcbStatus(r.platformStatus, "UpToDate") as "TDRelaunchAdvised")], 0xa009);
  // TEE_TCB_SVN_2[1] = 0: compared with L0.tdx[0] and L0.tdx[2] directly.
  assert.equal(evalTd(info, [3, 1, 2], [5, 0, 3]).platformStatus, "TDRelaunchAdvised");
  assert.equal(evalTd(info, [3, 1, 2], [4, 0, 3]).platformStatus, "OutOfDate", "svn2[0] 4 < L0.tdx[0] 5");
  // Not advised when the loaded module does not reach the highest level.
  assert.equal(evalTd(info, [3, 1, 2], [4, 1, 3]).platformStatus, "OutOfDate", "svn2[0] 4 < TDX_01 highest 5");
  assert.equal(evalTd(info, [3, 1, 2], [5, 1, 2]).platformStatus, "OutOfDate", "svn2[2] 2 < L0.tdx[2] 3");
  // TD 1.0 body: the rule does not apply.
  assert.equal(evalTd(info, [3, 1, 2]).platformStatus, "OutOfDate");
});

test("TD 1.5 relaunch advised with configuration needed (SGX or TDX status with a Configuration component)", () => {
  // SGX status ConfigurationNeeded (L0 is the SGX level), TDX level L1 OutOfDate.
  const sgxConfig = relaunchInfo("ConfigurationNeeded", "OutOfDate");
  const a = evalTd(sgxConfig, [3, 1, 2], [5, 1, 3]);
  assert.equal(a.sgxLevel.tcbStatus, "ConfigurationNeeded");
  assert.equal(a.platformStatus, "TDRelaunchAdvisedConfigurationNeeded");
  // TDX status OutOfDateConfigurationNeeded.
  const tdxConfig = relaunchInfo("UpToDate", "OutOfDateConfigurationNeeded");
  assert.equal(evalTd(tdxConfig, [3, 1, 2], [5, 1, 3]).platformStatus, "TDRelaunchAdvisedConfigurationNeeded");
  // SGX ConfigurationAndSWHardeningNeeded / SWHardeningNeeded are allowed SGX statuses too.
  assert.equal(
    evalTd(relaunchInfo("ConfigurationAndSWHardeningNeeded"), [3, 1, 2], [5, 1, 3]).platformStatus,
    "TDRelaunchAdvisedConfigurationNeeded",
  );
  assert.equal(evalTd(relaunchInfo("SWHardeningNeeded"), [3, 1, 2], [5, 1, 3]).platformStatus, "TDRelaunchAdvised");
  assert.equal(QvResult[qvResultName("TDRelaunchAdvisedConfigurationNeeded")], 0xa00a);
});

test("TD 1.5 relaunch not applicable: QE OutOfDate/Revoked, SGX OutOfDate, module UpToDate, TDX UpToDate", () => {
  const info = relaunchInfo();
  const qeOld = evalTd(info, [3, 1, 2], [5, 1, 3], "OutOfDate");
  assert.equal(qeOld.platformStatus, "OutOfDate");
  assert.equal(convergeTcbStatus(qeOld.platformStatus, "OutOfDate"), "OutOfDate");
  assert.equal(evalTd(info, [3, 1, 2], [5, 1, 3], "Revoked").platformStatus, "OutOfDate");
  // SGX level OutOfDate is not one of the four SGX statuses the rule needs.
  assert.equal(evalTd(relaunchInfo("OutOfDate"), [3, 1, 2], [5, 1, 3]).platformStatus, "OutOfDate");
  // Module UpToDate (TEE_TCB_SVN[0] = 5) with the TDX level OutOfDate (byte 2 = 2): no relaunch.
  const moduleCurrent = evalTd(info, [5, 1, 2], [5, 1, 3]);
  assert.equal(moduleCurrent.tdxModuleStatus, "UpToDate");
  assert.equal(moduleCurrent.platformStatus, "OutOfDate");
  // Everything current: stays UpToDate.
  assert.equal(evalTd(info, [5, 1, 3], [5, 1, 3]).platformStatus, "UpToDate");
});

test("TD 1.5 relaunch: the loaded module's TDX_<svn2[1]> identity missing → STATUS_TDX_MODULE_MISMATCH", () => {
  assert.throws(() => evalTd(relaunchInfo(), [3, 1, 2], [5, 2, 3]), { code: "ERR_VERIFY_TDX_MODULE_MISMATCH" });
});

// ---- BH-17 / BH-18 / BH-20 at the evaluation level ----

test("BH-17: TDX 1.5 TCB evaluation judges the module by tdxModuleIdentities, not by the TCB-level components", () => {
  // TCB level TDX components 0/1 far above the quote's: must not matter when TEE_TCB_SVN[1] > 0.
  const info = tdxTcbInfo(
    [{ tdx: [9, 9, 2], status: "UpToDate" }],
    [
      {
        id: "TDX_01",
        levels: [
          { isvsvn: 3, status: "UpToDate" },
          { isvsvn: 2, status: "OutOfDate", advisoryIDs: ["INTEL-SA-01000"] },
        ],
      },
    ],
  );
  const current = evalTd(info, [3, 1, 2]);
  assert.equal(current.tdxModuleStatus, "UpToDate");
  assert.equal(current.platformStatus, "UpToDate");
  const old = evalTd(info, [2, 1, 2]);
  assert.equal(old.tdxModuleStatus, "OutOfDate");
  assert.equal(old.platformStatus, "OutOfDate", "folded into the overall status");
  // Module advisories are not part of the matched level's advisories (§4.6 / §4.8).
  assert.deepEqual(old.matchedLevel.advisoryIds, []);
  // Without TDX_01: an error, never a silent pass.
  const without = tdxTcbInfo([{ tdx: [9, 9, 2], status: "UpToDate" }]);
  assert.throws(() => evalTd(without, [3, 1, 2]), { code: "ERR_VERIFY_TDX_MODULE_MISMATCH" });
  // Module version 0: the base components (with byte 0/1) apply and no identity is needed.
  assert.throws(() => evalTd(without, [3, 0, 2]), { code: "ERR_VERIFY_TCB_NOT_SUPPORTED" }, "9 > 3 in byte 0");
  // Module identities keep their signer and attributes (checked against MRSIGNERSEAM / SEAMATTRIBUTES in verifyQuote).
  assert.equal(moduleIdentity(info, 1)?.mrSigner.byteLength, 48);
  assert.equal(moduleIdentity(info, 1)?.attributes.byteLength, 8);
});

test("BH-18: component statuses outside UpToDate/OutOfDate/Revoked are schema errors; unknown statuses too", () => {
  // TDX module level
  assert.throws(
    () =>
      parseTcbInfo(
        tcbInfoText("TDX", [{ status: "UpToDate" }], [{ id: "TDX_01", levels: [{ isvsvn: 1, status: "ConfigurationNeeded" }] }]),
      ),
    (e: unknown) => e instanceof CollateralError && e.code === "ERR_COLLATERAL_TCB_INFO",
  );
  // Platform level: unknown string (STATUS_TCB_UNRECOGNIZED_STATUS)
  assert.throws(() => parseTcbInfo(tcbInfoText("SGX", [{ status: "Compromised" }])), { code: "ERR_COLLATERAL_TCB_INFO" });
  assert.throws(() => parseTcbInfo(tcbInfoText("SGX", [{ status: "uptodate" }])), { code: "ERR_COLLATERAL_TCB_INFO" });
  // QE identity level
  const qe = (status: string) =>
    JSON.stringify({
      id: "QE",
      version: 2,
      issueDate: "2026-01-01T00:00:00Z",
      nextUpdate: "2026-01-31T00:00:00Z",
      tcbEvaluationDataNumber: 17,
      miscselect: "00000000",
      miscselectMask: "FFFFFFFF",
      attributes: "11000000000000000000000000000000",
      attributesMask: "FBFFFFFFFFFFFFFF0000000000000000",
      mrsigner: "8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF",
      isvprodid: 1,
      tcbLevels: [{ tcb: { isvsvn: 8 }, tcbDate: "2025-01-01T00:00:00Z", tcbStatus: status }],
    });
  for (const status of ["UpToDate", "OutOfDate", "Revoked"]) assert.equal(parseEnclaveIdentity(qe(status)).tcbLevels[0]!.tcbStatus, status);
  for (const status of ["SWHardeningNeeded", "ConfigurationNeeded", "OutOfDateConfigurationNeeded", "Unknown"]) {
    assert.throws(() => parseEnclaveIdentity(qe(status)), { code: "ERR_COLLATERAL_QE_IDENTITY" }, status);
  }
});

test("BH-18: the asymmetric rule — the platform status is the base, components only degrade it", () => {
  assert.equal(convergeTcbStatus("SWHardeningNeeded", "UpToDate"), "SWHardeningNeeded");
  assert.equal(convergeTcbStatus("UpToDate", "OutOfDate"), "OutOfDate");
  assert.equal(convergeTcbStatus("ConfigurationNeeded", "OutOfDate"), "OutOfDateConfigurationNeeded");
  assert.equal(convergeTcbStatus("ConfigurationAndSWHardeningNeeded", "OutOfDate"), "OutOfDateConfigurationNeeded");
  assert.equal(convergeTcbStatus("OutOfDate", "UpToDate"), "OutOfDate");
  assert.equal(convergeTcbStatus("UpToDate", "Revoked"), "Revoked");
  // Not symmetric: platform OutOfDate never becomes OutOfDateConfigurationNeeded through a component.
  assert.equal(convergeTcbStatus("OutOfDate", "OutOfDate"), "OutOfDate");
  // Module then QE, applied in turn.
  assert.equal(convergeTcbStatus(convergeTcbStatus("ConfigurationNeeded", "UpToDate"), "OutOfDate"), "OutOfDateConfigurationNeeded");
  assert.equal(convergeTcbStatus(convergeTcbStatus("SWHardeningNeeded", "OutOfDate"), "Revoked"), "Revoked");
});

test("BH-19: a TDX TCB is Revoked if either half is Revoked (TDX level Revoked + module UpToDate, and the reverse)", () => {
  const levelRevoked = tdxTcbInfo([{ status: "Revoked" }], [{ id: "TDX_01", levels: [{ isvsvn: 0, status: "UpToDate" }] }]);
  const a = evalTd(levelRevoked, [0, 1]);
  assert.equal(convergeTcbStatus(a.platformStatus, "UpToDate"), "Revoked");
  const moduleRevoked = tdxTcbInfo([{ status: "UpToDate" }], [{ id: "TDX_01", levels: [{ isvsvn: 0, status: "Revoked" }] }]);
  const b = evalTd(moduleRevoked, [0, 1]);
  assert.equal(b.tdxModuleStatus, "Revoked");
  assert.equal(convergeTcbStatus(b.platformStatus, "UpToDate"), "Revoked");
  // SGX quote, SGX level Revoked, QE UpToDate → Revoked; SGX UpToDate, QE Revoked → Revoked.
  const sgx = sgxTcbInfo([{ status: "Revoked" }]);
  assert.equal(convergeTcbStatus(evaluateTcb(sgx, sgx.tcbLevels, PCK_TCB, undefined).platformStatus, "UpToDate"), "Revoked");
  assert.equal(convergeTcbStatus("UpToDate", "Revoked"), "Revoked");
});

test("BH-20: advisory IDs with UpToDate are kept, and a level without advisoryIDs has an empty list", () => {
  const info = sgxTcbInfo([
    { status: "UpToDate", advisoryIDs: ["INTEL-SA-00000"] },
    { pcesvn: 9, status: "OutOfDate" },
  ]);
  const r = evaluateTcb(info, info.tcbLevels, PCK_TCB, undefined);
  assert.equal(r.platformStatus, "UpToDate");
  assert.deepEqual(r.matchedLevel.advisoryIds, ["INTEL-SA-00000"]);
  assert.deepEqual(info.tcbLevels[1]!.advisoryIds, []);
  // TDX: the advisories reported are the TDX-matched level's (§4.8 tcb_level_date_tag / sa_list).
  const tdx = tdxTcbInfo([
    { tdx: [5, 0, 3], status: "UpToDate", advisoryIDs: ["INTEL-SA-00002"] },
    { tdx: [0, 0, 0], status: "OutOfDate", advisoryIDs: ["INTEL-SA-00003"] },
  ]);
  const t = evalTd(tdx, [4, 0, 3]);
  assert.deepEqual(t.matchedLevel.advisoryIds, ["INTEL-SA-00003"]);
  assert.deepEqual(t.sgxLevel.advisoryIds, ["INTEL-SA-00002"]);
});
