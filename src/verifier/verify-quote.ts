import type { Collateral, ComponentTcbStatus, EnclaveIdentity, TcbStatus } from "../collateral/index.ts";
import { decodeQuote, TeeType, type DecodedQuote, type TdReportBody } from "../quote/index.ts";
import { asBuffer, bytesEqual, toHex } from "../shared/bytes.ts";
import { VerifyError } from "./errors.ts";
import {
  certValidity,
  crlSignedBy,
  isPreparedCollateral,
  prepareWithAnchors,
  type CollateralValidity,
  type PreparedCollateral,
} from "./prepared-collateral.ts";
import type { CheckedCertificate } from "./certificates.ts";
import { pckCaKind } from "./pck-chain.ts";
import { QvResult, type QvResultName } from "./quote3-verify-status.ts";
import { evaluateTcb, moduleIdentity } from "./tcb-evaluation.ts";
import { convergeTcbStatus, qvResultName, type VerdictTcbStatus } from "./tcb-status.ts";
import type { RootKind } from "./trusted-roots.ts";
import { quoteIdentity, type SgxIdentity, type TdIdentity } from "./identity.ts";
import { checkedPckChain, checkQeReport, checkQuoteSignature, trustAnchorsFor, type CheckedPckChain } from "./verify-quote-signatures.ts";

/** Options of {@link verifyQuote}. */
export interface VerifyQuoteOptions {
  /** The verification time ("expiration_check_date"): collateral validity is judged at it. Required. */
  readonly now: Date;
  /**
   * Extra trusted roots (PEM or DER) besides Intel's pinned key. Ignored when prepared collateral
   * is passed (its trust set applies).
   */
  readonly trustedRoots?: readonly (string | Uint8Array)[];
}

/** The verdict on an authentic quote (dcap-quote-format §4.8): statuses, advisories, dates, identity. */
export interface QuoteVerdict {
  /** sgx_ql_qv_result_t. */
  readonly qvResult: number;
  readonly qvResultName: QvResultName;
  /** The final status (platform status converged with the QE status). */
  readonly tcbStatus: Exclude<VerdictTcbStatus, "Revoked">;
  /** SGX: the SGX TCB level status. TDX: TDX level status converged with the module status (and the relaunch rule). */
  readonly platformTcbStatus: VerdictTcbStatus;
  readonly sgxTcbStatus: TcbStatus;
  readonly tdxTcbStatus: TcbStatus | undefined;
  readonly tdxModuleTcbStatus: ComponentTcbStatus | undefined;
  readonly qeTcbStatus: ComponentTcbStatus;
  /** Advisory IDs of the matched TCB level only (as QvE's sa_list). */
  readonly advisoryIds: readonly string[];
  /** Advisory IDs of the QE identity level and TDX module level matched (not part of QvE's list). */
  readonly componentAdvisoryIds: readonly string[];
  /** tcbDate of the matched level. */
  readonly tcbDate: string;
  readonly tcbEvaluationDataNumber: number;
  /** Earliest expiration ≤ now (QvE collateral_expiration_status); a flag, not an error. */
  readonly collateralExpired: boolean;
  readonly earliestExpiration: Date;
  readonly earliestIssueDate: Date;
  readonly latestIssueDate: Date;
  /** Items whose nextUpdate/notAfter is at or before now, with the date. */
  readonly expiredItems: readonly { readonly item: string; readonly expiredAt: Date }[];
  /** Items whose issueDate/thisUpdate/notBefore is after now (reported; QVL does not reject these). */
  readonly notYetValidItems: readonly { readonly item: string; readonly validFrom: Date }[];
  readonly teeType: "SGX" | "TDX";
  readonly quoteVersion: 3 | 4 | 5;
  readonly fmspc: string;
  readonly pceId: string;
  readonly pckIssuer: "processor" | "platform";
  readonly rootKind: RootKind;
  /** SGX quotes. */
  readonly enclave: SgxIdentity | undefined;
  /** TDX quotes. */
  readonly td: TdIdentity | undefined;
  /** Bytes after the quote, ignored; `trailingZeroPadding` true when they are all zero. */
  readonly trailingBytes: number;
  readonly trailingZeroPadding: boolean;
  readonly quote: DecodedQuote;
}

/**
 * Verifies a DCAP quote (v3/v4/v5, SGX or TDX) against collateral at `options.now`, in Intel
 * QvE/QVL order (dcap-quote-format §4): PCK chain to Intel's pinned root key (a simulated root
 * only when trusted explicitly); collateral chains, CRLs and signatures (see prepareCollateral;
 * pass a PreparedCollateral to reuse that work); the quote's root equals the collateral's; PCK CA
 * and PCK not revoked; TCB Info for the quote's TEE, FMSPC and PCE-ID; TDX module identity; QE
 * report signature and key binding; QE identity; quote signature; TCB level selection and status
 * convergence. Returns the verdict for authentic quotes, including OutOfDate & co. Throws
 * QuoteFormatError for undecodable quotes and VerifyError (with `quote3Status`) for untrusted,
 * revoked, mismatched or unsupported ones.
 */
export function verifyQuote(
  quoteBytes: Uint8Array,
  collateral: Collateral | PreparedCollateral,
  options: VerifyQuoteOptions,
): QuoteVerdict {
  const now = options.now;
  if (!(now instanceof Date) || Number.isNaN(now.getTime()) || now.getTime() <= 0) {
    throw new VerifyError("ERR_VERIFY_INVALID_TIME", "verification time must be a valid date after 1970");
  }
  const quote = decodeQuote(quoteBytes);
  const anchors = isPreparedCollateral(collateral) ? collateral.anchors : trustAnchorsFor(options.trustedRoots ?? []);
  const chain = checkedPckChain(quote, anchors);
  const prepared = isPreparedCollateral(collateral) ? collateral : prepareWithAnchors(collateral, anchors);
  if (chain.rootKeyHex !== prepared.rootKeyHex) {
    throw new VerifyError("ERR_VERIFY_COLLATERAL_ROOT", "the collateral is signed under another root than the quote's PCK chain", {
      item: "pckCrlIssuerChain",
    });
  }
  checkPckRevocation(chain, prepared);
  const isTdx = quote.header.teeType === TeeType.TDX;
  const { tcbInfo, qeIdentity } = prepared;
  if ((isTdx && tcbInfo.id !== "TDX") || (!isTdx && tcbInfo.id !== "SGX")) {
    throw new VerifyError("ERR_VERIFY_TCB_INFO_MISMATCH", `TCB Info is for ${tcbInfo.id}, the quote is ${isTdx ? "TDX" : "SGX"}`, {
      item: "tcbInfo",
    });
  }
  if (tcbInfo.fmspc !== chain.fmspc) {
    throw new VerifyError("ERR_VERIFY_TCB_INFO_MISMATCH", `TCB Info FMSPC ${tcbInfo.fmspc} ≠ PCK FMSPC ${chain.fmspc}`, {
      item: "tcbInfo",
    });
  }
  if (tcbInfo.pceId !== chain.pceId) {
    throw new VerifyError("ERR_VERIFY_TCB_INFO_MISMATCH", `TCB Info PCE-ID ${tcbInfo.pceId} ≠ PCK PCE-ID ${chain.pceId}`, {
      item: "tcbInfo",
    });
  }
  const tdReport = quote.body.type === "sgx" ? undefined : quote.body.report;
  if (tdReport !== undefined) checkTdxModule(prepared, tdReport);
  checkQeReport(quote, chain);
  const qeStatusLevel = checkQeIdentity(quote, qeIdentity, isTdx);
  checkQuoteSignature(quote);
  const evaluation = evaluateTcb(
    tcbInfo,
    prepared.tcbLevels,
    chain.pck.tcb,
    tdReport === undefined
      ? undefined
      : {
          teeTcbSvn: tdReport.teeTcbSvn,
          body15: quote.body.type === "td15" ? quote.body.report : undefined,
          qeStatus: qeStatusLevel.tcbStatus,
        },
  );
  const status = convergeTcbStatus(evaluation.platformStatus, qeStatusLevel.tcbStatus);
  if (status === "Revoked") {
    throw new VerifyError(
      "ERR_VERIFY_TCB_REVOKED",
      `TCB status is Revoked (platform ${evaluation.platformStatus}, QE ${qeStatusLevel.tcbStatus}${evaluation.tdxModuleStatus === undefined ? "" : `, TDX module ${evaluation.tdxModuleStatus}`})`,
    );
  }
  const dates = judgeDates([...prepared.validity, ...chainValidity(chain)], now);
  const name = qvResultName(status);
  const moduleAdvisories =
    tdReport !== undefined && tdReport.teeTcbSvn[1]! > 0
      ? (moduleIdentity(tcbInfo, tdReport.teeTcbSvn[1]!)?.tcbLevels.find((l) => l.isvSvn <= tdReport.teeTcbSvn[0]!)?.advisoryIds ?? [])
      : [];
  return {
    qvResult: QvResult[name],
    qvResultName: name,
    tcbStatus: status,
    platformTcbStatus: evaluation.platformStatus,
    sgxTcbStatus: evaluation.sgxLevel.tcbStatus,
    tdxTcbStatus: evaluation.tdxLevel?.tcbStatus,
    tdxModuleTcbStatus: evaluation.tdxModuleStatus,
    qeTcbStatus: qeStatusLevel.tcbStatus,
    advisoryIds: [...evaluation.matchedLevel.advisoryIds],
    componentAdvisoryIds: [...new Set([...qeStatusLevel.advisoryIds, ...moduleAdvisories])],
    tcbDate: evaluation.matchedLevel.tcbDate,
    tcbEvaluationDataNumber: Math.min(tcbInfo.tcbEvaluationDataNumber, qeIdentity.tcbEvaluationDataNumber),
    ...dates,
    teeType: isTdx ? "TDX" : "SGX",
    quoteVersion: quote.version,
    fmspc: chain.fmspc,
    pceId: chain.pceId,
    pckIssuer: pckCaKind(chain.pckIssuerCommonName),
    rootKind: chain.rootKind,
    ...quoteIdentity(quote.body),
    trailingBytes: quote.trailingBytes,
    trailingZeroPadding: quote.trailingBytesAllZero,
    quote,
  };
}

/** PCK CA revoked by the root CA CRL; PCK CRL issued by the quote's PCK CA; PCK revoked by it. */
function checkPckRevocation(chain: CheckedPckChain, prepared: PreparedCollateral): void {
  if (prepared.rootCaCrl.revokedSerials.has(chain.intermediateSerial)) {
    throw new VerifyError("ERR_VERIFY_PCK_REVOKED", "the PCK CA is revoked by the root CA CRL", {
      certificate: "intermediate",
      item: "rootCaCrl",
    });
  }
  const cacheKey = chain.intermediateKeyHex + asBuffer(chain.intermediate.der).toString("latin1");
  if (!prepared.pckCrlIssuerCache.has(cacheKey)) {
    checkPckCrlIssuer(chain.intermediate, chain.intermediateKeyHex, prepared);
    prepared.pckCrlIssuerCache.set(cacheKey, true);
  }
  if (prepared.pckCrl.revokedSerials.has(chain.leafSerial)) {
    throw new VerifyError("ERR_VERIFY_PCK_REVOKED", "the PCK certificate is revoked by the PCK CRL", {
      certificate: "leaf",
      item: "pckCrl",
    });
  }
}

function checkPckCrlIssuer(intermediate: CheckedCertificate, intermediateKeyHex: string, prepared: PreparedCollateral): void {
  const crl = prepared.pckCrl;
  if (!/CN=[^,]*CA/.test(crl.issuer) || !bytesEqual(crl.issuerDer, intermediate.subjectDer)) {
    throw new VerifyError("ERR_VERIFY_CRL_ISSUER", `the PCK CRL is issued by "${crl.issuer}", not by the quote's PCK CA`, {
      item: "pckCrl",
    });
  }
  if (intermediateKeyHex !== prepared.pckCaKeyHex && !crlSignedBy(crl, intermediate.publicKey)) {
    throw new VerifyError("ERR_VERIFY_CRL_SIGNATURE", "the PCK CRL is not signed by the quote's PCK CA", { item: "pckCrl" });
  }
}

/** QVL step 15: the module identity exists; MRSIGNERSEAM and SEAMATTRIBUTES are as expected. */
function checkTdxModule(prepared: PreparedCollateral, td: TdReportBody): void {
  const version = td.teeTcbSvn[1]!;
  const { tcbInfo } = prepared;
  let expected = tcbInfo.tdxModule;
  if (version > 0) {
    const identity = moduleIdentity(tcbInfo, version);
    if (identity === undefined) {
      throw new VerifyError(
        "ERR_VERIFY_TDX_MODULE_MISMATCH",
        `TCB Info has no TDX module identity TDX_${version.toString(16).padStart(2, "0")}`,
        {
          item: "tcbInfo",
        },
      );
    }
    expected = identity;
  }
  if (expected === undefined) throw new VerifyError("ERR_VERIFY_TDX_MODULE_MISMATCH", "TCB Info has no tdxModule", { item: "tcbInfo" });
  if (!bytesEqual(td.mrSignerSeam, expected.mrSigner)) {
    throw new VerifyError("ERR_VERIFY_TDX_MODULE_MISMATCH", `MRSIGNERSEAM ${toHex(td.mrSignerSeam)} is not the expected module signer`);
  }
  if (!td.seamAttributes.every((b) => b === 0) || !bytesEqual(td.seamAttributes, expected.attributes)) {
    throw new VerifyError("ERR_VERIFY_TDX_MODULE_MISMATCH", `SEAMATTRIBUTES ${toHex(td.seamAttributes)} are not the expected ones`);
  }
}

/** QVL steps 18–19: identity id fits the TEE, QE report fits the identity; returns the QE TCB level. */
function checkQeIdentity(quote: DecodedQuote, identity: EnclaveIdentity, isTdx: boolean): EnclaveIdentity["tcbLevels"][number] {
  const expectedId = isTdx ? "TD_QE" : "QE";
  const fail = (message: string): never => {
    throw new VerifyError("ERR_VERIFY_QE_IDENTITY_MISMATCH", message, { item: "qeIdentity" });
  };
  if (identity.id !== expectedId) fail(`QE identity is "${identity.id}", a ${isTdx ? "TDX" : "SGX"} quote needs "${expectedId}"`);
  const raw = quote.raw.qeReportBody;
  if (!maskedEqual(raw.subarray(16, 20), identity.miscselectMask, identity.miscselect))
    fail("QE MISCSELECT does not match the QE identity");
  if (!maskedEqual(raw.subarray(48, 64), identity.attributesMask, identity.attributes)) fail("QE ATTRIBUTES do not match the QE identity");
  const qe = quote.signatureData.qeReportBody;
  if (!bytesEqual(qe.mrSigner, identity.mrSigner)) fail(`QE MRSIGNER ${toHex(qe.mrSigner)} is not the identity's`);
  if (qe.isvProdId !== identity.isvProdId) fail(`QE ISVPRODID ${qe.isvProdId} is not ${identity.isvProdId}`);
  const level = identity.tcbLevels.find((l) => l.isvSvn <= qe.isvSvn);
  if (level === undefined)
    throw new VerifyError("ERR_VERIFY_TCB_NOT_SUPPORTED", `no QE identity level matches QE ISVSVN ${qe.isvSvn}`, { item: "qeIdentity" });
  return level;
}

function maskedEqual(value: Uint8Array, mask: Uint8Array, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.byteLength; i++) if ((value[i]! & mask[i]!) !== expected[i]) return false;
  return true;
}

function chainValidity(chain: CheckedPckChain): CollateralValidity[] {
  return [
    certValidity(chain.leaf, "pckChain[0]"),
    certValidity(chain.intermediate, "pckChain[1]"),
    certValidity(chain.root, "pckChain[2]"),
  ];
}

function judgeDates(items: readonly CollateralValidity[], now: Date) {
  let earliestExpiration = items[0]!.to;
  let earliestIssueDate = items[0]!.from;
  let latestIssueDate = items[0]!.from;
  const expiredItems: { item: string; expiredAt: Date }[] = [];
  const notYetValidItems: { item: string; validFrom: Date }[] = [];
  const t = now.getTime();
  for (const v of items) {
    if (v.to < earliestExpiration) earliestExpiration = v.to;
    if (v.from < earliestIssueDate) earliestIssueDate = v.from;
    if (v.from > latestIssueDate) latestIssueDate = v.from;
    if (v.to.getTime() <= t) expiredItems.push({ item: v.item, expiredAt: v.to });
    if (v.from.getTime() > t) notYetValidItems.push({ item: v.item, validFrom: v.from });
  }
  return {
    collateralExpired: expiredItems.length > 0,
    earliestExpiration,
    earliestIssueDate,
    latestIssueDate,
    expiredItems,
    notYetValidItems,
  };
}
