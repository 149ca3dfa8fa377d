import type { VerdictTcbStatus } from "./tcb-status.ts";
import type { QuoteVerdict } from "./verify-quote.ts";

/**
 * What a relying party accepts. Everything not listed is refused: by default only UpToDate, no
 * debug enclaves/TDs, no expired collateral. Identity fields are compared only when given.
 */
export interface VerificationPolicy {
  /** Accepted final TCB statuses (default ["UpToDate"]). */
  readonly acceptedStatuses?: readonly Exclude<VerdictTcbStatus, "Revoked">[];
  /** If given, every advisory ID of the verdict must be listed here (default: any advisory is accepted and reported). */
  readonly acceptedAdvisoryIds?: readonly string[];
  /** Advisory IDs that refuse the quote whatever the status. */
  readonly rejectedAdvisoryIds?: readonly string[];
  /** Accept a verdict whose collateral has expired, or is not yet valid, at the verification time (default false). */
  readonly allowExpiredCollateral?: boolean;
  /** Accept debug enclaves / debug TDs (default false). */
  readonly allowDebug?: boolean;
  /** Expected SGX identity (hex, any case). */
  readonly mrEnclave?: string;
  readonly mrSigner?: string;
  readonly isvProdId?: number;
  readonly minIsvSvn?: number;
  /** Expected TD measurement MRTD (hex). */
  readonly mrTd?: string;
  /** Expected report data (hex, the full 64 bytes). */
  readonly reportData?: string;
  /** Required TEE type. */
  readonly teeType?: "SGX" | "TDX";
}

/** The default policy: UpToDate only, no debug, no expired collateral. */
export const DEFAULT_POLICY: VerificationPolicy = Object.freeze({ acceptedStatuses: ["UpToDate"] as const });

/** Whether the policy accepts a verdict, with one reason per refusal (empty when accepted). */
export interface AppraisalResult {
  readonly accepted: boolean;
  readonly reasons: readonly string[];
}

/** Applies `policy` to a verdict of verifyQuote. */
export function appraiseVerdict(verdict: QuoteVerdict, policy: VerificationPolicy = DEFAULT_POLICY): AppraisalResult {
  const reasons: string[] = [];
  const statuses = policy.acceptedStatuses ?? DEFAULT_POLICY.acceptedStatuses ?? [];
  if (!statuses.includes(verdict.tcbStatus))
    reasons.push(`TCB status ${verdict.tcbStatus} is not accepted (accepted: ${statuses.join(", ")})`);
  if (policy.acceptedAdvisoryIds !== undefined) {
    const allowed = new Set(policy.acceptedAdvisoryIds);
    const extra = verdict.advisoryIds.filter((id) => !allowed.has(id));
    if (extra.length > 0) reasons.push(`advisories not accepted: ${extra.join(", ")}`);
  }
  const rejected = verdict.advisoryIds.filter((id) => policy.rejectedAdvisoryIds?.includes(id) === true);
  if (rejected.length > 0) reasons.push(`advisories refused: ${rejected.join(", ")}`);
  if (verdict.collateralExpired && policy.allowExpiredCollateral !== true) {
    reasons.push(
      `collateral expired at ${verdict.earliestExpiration.toISOString()} (${verdict.expiredItems.map((i) => i.item).join(", ")})`,
    );
  }
  // Intel's QVL does not reject collateral issued after the verification time; a relying party
  // should not trust documents that did not exist yet at the time it claims to judge (BH-21).
  if (verdict.notYetValidItems.length > 0 && policy.allowExpiredCollateral !== true) {
    reasons.push(
      `collateral not yet valid (${verdict.notYetValidItems.map((i) => `${i.item} from ${i.validFrom.toISOString()}`).join(", ")})`,
    );
  }
  if (policy.teeType !== undefined && policy.teeType !== verdict.teeType)
    reasons.push(`TEE is ${verdict.teeType}, expected ${policy.teeType}`);
  const debug = verdict.enclave?.debug ?? verdict.td?.debug ?? false;
  if (debug && policy.allowDebug !== true) reasons.push(verdict.enclave ? "debug enclave" : "debug TD");
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  const e = verdict.enclave;
  if (policy.mrEnclave !== undefined && (e === undefined || !same(e.mrEnclave, policy.mrEnclave))) reasons.push("MRENCLAVE differs");
  if (policy.mrSigner !== undefined && (e === undefined || !same(e.mrSigner, policy.mrSigner))) reasons.push("MRSIGNER differs");
  if (policy.isvProdId !== undefined && e?.isvProdId !== policy.isvProdId)
    reasons.push(`ISV prod id is ${e?.isvProdId ?? "absent"}, expected ${policy.isvProdId}`);
  if (policy.minIsvSvn !== undefined && (e === undefined || e.isvSvn < policy.minIsvSvn))
    reasons.push(`ISV SVN ${e?.isvSvn ?? "absent"} is below ${policy.minIsvSvn}`);
  if (policy.mrTd !== undefined && (verdict.td === undefined || !same(verdict.td.mrTd, policy.mrTd))) reasons.push("MRTD differs");
  const reportData = e?.reportData ?? verdict.td?.reportData;
  if (policy.reportData !== undefined && (reportData === undefined || !same(reportData, policy.reportData)))
    reasons.push("report data differs");
  return { accepted: reasons.length === 0, reasons };
}
