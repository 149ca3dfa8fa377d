import type { SignatureVerification, QuoteVerdict, AppraisalResult, SgxIdentity, TdIdentity } from "../verifier/index.ts";
import { quoteIdentity } from "../verifier/index.ts";

type Print = (line: string) => void;

/** JSON for `verify --json` when no collateral was given: the signature-chain layer only. */
export function signatureJson(result: SignatureVerification): Record<string, unknown> {
  return {
    verified: true,
    layer: "signature-chain",
    root: result.rootKind,
    quoteVersion: result.quote.version,
    ...quoteIdentity(result.body),
    qe: { isvSvn: result.qeReport.isvSvn },
    platform: { fmspc: result.fmspc, pceId: result.pceId, pceSvn: result.pck.tcb.pceSvn, tcbComponents: result.pck.tcb.components },
    pckIssuer: result.pckIssuerCommonName,
    trailingBytes: result.trailingBytes,
  };
}

/** JSON for `verify --json` with collateral: the whole verdict (dates as ISO text) and the policy's decision. */
export function verdictJson(verdict: QuoteVerdict, appraisal: AppraisalResult): Record<string, unknown> {
  const { quote: _decoded, ...rest } = verdict;
  return { accepted: appraisal.accepted, reasons: appraisal.reasons, layer: "full", ...rest };
}

export function printSignatureVerification(result: SignatureVerification, print: Print, indent = ""): void {
  const root = result.rootKind === "intel" ? "Intel's SGX Root CA" : "a SIMULATED root (trusted explicitly)";
  print(`${indent}signature chain: valid, rooted at ${root}`);
  printIdentity(quoteIdentity(result.body), print, indent);
  print(
    `${indent}platform   FMSPC ${result.fmspc}, PCE-ID ${result.pceId}, PCESVN ${result.pck.tcb.pceSvn}, PCK issuer "${result.pckIssuerCommonName}"`,
  );
  print(`${indent}QE         ISVSVN ${result.qeReport.isvSvn}`);
}

export function printVerdict(verdict: QuoteVerdict, appraisal: AppraisalResult, print: Print, indent = ""): void {
  print(`${indent}result     ${verdict.qvResultName} (0x${verdict.qvResult.toString(16).padStart(4, "0")}): TCB ${verdict.tcbStatus}`);
  const parts = [`platform ${verdict.platformTcbStatus}`, `QE ${verdict.qeTcbStatus}`];
  if (verdict.tdxModuleTcbStatus !== undefined) parts.push(`TDX module ${verdict.tdxModuleTcbStatus}`);
  print(`${indent}statuses   ${parts.join(", ")}`);
  print(`${indent}advisories ${verdict.advisoryIds.length > 0 ? verdict.advisoryIds.join(", ") : "none"}`);
  const expiry = verdict.collateralExpired
    ? `EXPIRED (earliest ${verdict.earliestExpiration.toISOString()})`
    : `valid until ${verdict.earliestExpiration.toISOString()}`;
  print(`${indent}collateral ${expiry}, root ${verdict.rootKind}`);
  print(`${indent}quote      v${verdict.quoteVersion} ${verdict.teeType}, FMSPC ${verdict.fmspc}, PCK ${verdict.pckIssuer} CA`);
  printIdentity(verdict, print, indent);
  print(`${indent}policy     ${appraisal.accepted ? "ACCEPTED" : `REFUSED: ${appraisal.reasons.join("; ")}`}`);
}

function printIdentity(identity: { enclave: SgxIdentity | undefined; td: TdIdentity | undefined }, print: Print, indent: string): void {
  const { enclave, td } = identity;
  if (enclave !== undefined) {
    print(`${indent}MRENCLAVE  ${enclave.mrEnclave}`);
    print(`${indent}MRSIGNER   ${enclave.mrSigner}`);
    print(
      `${indent}ISV        prod id ${enclave.isvProdId}, svn ${enclave.isvSvn}, ${enclave.debug ? "DEBUG enclave" : "production enclave"}`,
    );
    print(`${indent}reportdata ${enclave.reportData}`);
  }
  if (td !== undefined) {
    print(`${indent}MRTD       ${td.mrTd}`);
    td.rtmrs.forEach((rtmr, i) => print(`${indent}RTMR${i}      ${rtmr}`));
    print(`${indent}TD         attributes ${td.tdAttributes}${td.debug ? " (DEBUG TD)" : ""}`);
    print(`${indent}reportdata ${td.reportData}`);
  }
}
