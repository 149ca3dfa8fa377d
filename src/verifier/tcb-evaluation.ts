import type { ComponentTcbStatus, TcbInfo, TcbLevel, TcbStatus, TdxModuleIdentity } from "../collateral/index.ts";
import type { PckTcb, TdReportBody15 } from "../quote/index.ts";
import { VerifyError } from "./errors.ts";
import { convergeTcbStatus, type VerdictTcbStatus } from "./tcb-status.ts";

/** The TCB levels a quote matched and the statuses derived from them (dcap-quote-format §4.6). */
export interface TcbEvaluation {
  /** The first level whose SGX components and PCESVN the PCK certificate meets. */
  readonly sgxLevel: TcbLevel;
  /** TDX quotes: the first of those levels whose TDX components the TEE_TCB_SVN meets. */
  readonly tdxLevel: TcbLevel | undefined;
  /** TDX quotes with a module version > 0: the module identity level matched. */
  readonly tdxModuleStatus: ComponentTcbStatus | undefined;
  /** SGX: the SGX level status. TDX: TDX level status converged with the module status, then the relaunch rule. */
  readonly platformStatus: VerdictTcbStatus;
  /** The level whose advisories and date are reported (TDX level for TDX, else SGX level). */
  readonly matchedLevel: TcbLevel;
}

/**
 * Selects the TCB levels for a PCK TCB (and, for TDX, a TEE_TCB_SVN), in `levels` order (highest
 * first). Throws VerifyError ERR_VERIFY_TCB_NOT_SUPPORTED when no level matches, and
 * ERR_VERIFY_TDX_MODULE_MISMATCH when the module identity the relaunch rule needs is missing.
 * `teeTcbSvn` undefined = SGX quote.
 */
export function evaluateTcb(
  tcbInfo: TcbInfo,
  levels: readonly TcbLevel[],
  pckTcb: PckTcb,
  td: { readonly teeTcbSvn: Uint8Array; readonly body15: TdReportBody15 | undefined; readonly qeStatus: ComponentTcbStatus } | undefined,
): TcbEvaluation {
  const sgxMatches = levels.filter((level) => meetsSgx(level, pckTcb));
  const sgxLevel = sgxMatches[0];
  if (sgxLevel === undefined) {
    throw new VerifyError("ERR_VERIFY_TCB_NOT_SUPPORTED", "no TCB level matches the PCK certificate's SGX TCB components and PCESVN");
  }
  if (td === undefined)
    return { sgxLevel, tdxLevel: undefined, tdxModuleStatus: undefined, platformStatus: sgxLevel.tcbStatus, matchedLevel: sgxLevel };
  const svn = td.teeTcbSvn;
  const moduleVersion = svn[1]!;
  const tdxLevel = sgxMatches.find((level) => meetsTdx(level, svn, moduleVersion > 0));
  if (tdxLevel === undefined) throw new VerifyError("ERR_VERIFY_TCB_NOT_SUPPORTED", "no TCB level matches the TD's TEE_TCB_SVN");
  let moduleStatus: ComponentTcbStatus | undefined;
  if (moduleVersion > 0) {
    const identity = moduleIdentity(tcbInfo, moduleVersion);
    if (identity === undefined) {
      // verifyQuote checks this first (checkTdxModule); a direct caller must get the same typed error, not a TypeError.
      throw new VerifyError("ERR_VERIFY_TDX_MODULE_MISMATCH", `TCB Info has no TDX module identity for module version ${moduleVersion}`);
    }
    const level = identity.tcbLevels.find((l) => l.isvSvn <= svn[0]!);
    if (level === undefined)
      throw new VerifyError("ERR_VERIFY_TCB_NOT_SUPPORTED", `no level of ${identity.id} matches TDX module SVN ${svn[0]!}`);
    moduleStatus = level.tcbStatus;
  }
  let platformStatus: VerdictTcbStatus =
    moduleStatus === undefined ? tdxLevel.tcbStatus : convergeTcbStatus(tdxLevel.tcbStatus, moduleStatus);
  if (td.body15 !== undefined && relaunchApplies(sgxLevel.tcbStatus, tdxLevel.tcbStatus, moduleStatus, td.qeStatus)) {
    if (relaunchAdvised(tcbInfo, levels[0]!, td.body15.teeTcbSvn2)) {
      const configuration = [sgxLevel.tcbStatus, tdxLevel.tcbStatus].some((s) => s.includes("Configuration"));
      platformStatus = configuration ? "TDRelaunchAdvisedConfigurationNeeded" : "TDRelaunchAdvised";
    }
  }
  return { sgxLevel, tdxLevel, tdxModuleStatus: moduleStatus, platformStatus, matchedLevel: tdxLevel };
}

/** The `TDX_<NN>` module identity for a module major version (id compared case-insensitively). */
export function moduleIdentity(tcbInfo: TcbInfo, version: number): TdxModuleIdentity | undefined {
  const id = `TDX_${version.toString(16).toUpperCase().padStart(2, "0")}`;
  return tcbInfo.tdxModuleIdentities?.find((m) => m.id.toUpperCase() === id);
}

function meetsSgx(level: TcbLevel, pck: PckTcb): boolean {
  for (let i = 0; i < 16; i++) if ((pck.components[i] ?? 0) < level.sgxComponents[i]!) return false;
  return pck.pceSvn >= level.pceSvn;
}

function meetsTdx(level: TcbLevel, teeTcbSvn: Uint8Array, skipModule: boolean): boolean {
  const tdx = level.tdxComponents;
  if (tdx === undefined) return false;
  for (let i = skipModule ? 2 : 0; i < 16; i++) if (teeTcbSvn[i]! < tdx[i]!) return false;
  return true;
}

const RELAUNCH_SGX: readonly TcbStatus[] = ["UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded"];

function relaunchApplies(sgx: TcbStatus, tdx: TcbStatus, module: ComponentTcbStatus | undefined, qe: ComponentTcbStatus): boolean {
  return (
    qe === "UpToDate" &&
    RELAUNCH_SGX.includes(sgx) &&
    (tdx === "OutOfDate" || tdx === "OutOfDateConfigurationNeeded") &&
    module === "OutOfDate"
  );
}

/** TD 1.5 relaunch rule: the currently loaded module (TEE_TCB_SVN_2) would meet the highest level. */
function relaunchAdvised(tcbInfo: TcbInfo, highest: TcbLevel, svn2: Uint8Array): boolean {
  const tdx = highest.tdxComponents ?? [];
  if (svn2[2]! < (tdx[2] ?? 0)) return false;
  if (svn2[1] === 0) return svn2[0]! >= (tdx[0] ?? 0);
  const identity = moduleIdentity(tcbInfo, svn2[1]!);
  if (identity === undefined) {
    throw new VerifyError("ERR_VERIFY_TDX_MODULE_MISMATCH", `no TDX module identity for the loaded module version ${svn2[1]!}`);
  }
  return svn2[0]! >= identity.tcbLevels[0]!.isvSvn;
}
