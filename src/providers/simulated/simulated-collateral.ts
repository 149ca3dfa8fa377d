import { sign, type KeyObject } from "node:crypto";
import type { Collateral } from "../../collateral/index.ts";
import { derToPem } from "../../quote/index.ts";
import { buildCrl, certificateSerial } from "./crl-builder.ts";
import type { PlatformState } from "./platform-state.ts";
import { SimQeIdentity } from "./qe-identity.ts";

/** The platform TCB statuses a simulated platform can be told to have. */
export const SIMULATED_TCB_STATUSES = ["UpToDate", "OutOfDate", "ConfigurationNeeded", "SWHardeningNeeded", "Revoked"] as const;
export type SimulatedTcbStatus = (typeof SIMULATED_TCB_STATUSES)[number];
/** Statuses a QE identity level can have. */
export type SimulatedQeTcbStatus = "UpToDate" | "OutOfDate" | "Revoked";

/**
 * Simulated advisory IDs (never real Intel advisories):
 * - `PLATFORM` is on the platform's own TCB level whenever its status is not UpToDate;
 * - `OLDER` is on the older TCB level published below the platform's (so the platform, at or
 *   above that level, is not affected by it);
 * - `QE` is on the QE's level when the QE status is not UpToDate.
 */
export const SimulatedAdvisories = {
  PLATFORM: "INTEL-SA-SIM01",
  OLDER: "INTEL-SA-SIM00",
  QE: "INTEL-SA-SIM02",
} as const;

/** Options of {@link publishSimulatedCollateral}. */
export interface SimulatedCollateralOptions {
  /** Status of the platform's own TCB level. Default UpToDate. */
  readonly tcbStatus?: SimulatedTcbStatus;
  /** Status of the simulated QE's ISVSVN level. Default UpToDate. */
  readonly qeTcbStatus?: SimulatedQeTcbStatus;
  /** Publication time. Default the current time. */
  readonly now?: Date;
  /** List the platform's PCK certificate in the PCK CRL. Default false. */
  readonly revokePckCertificate?: boolean;
  /** TCB evaluation data number of TCB Info and QE identity. Default 1. */
  readonly tcbEvaluationDataNumber?: number;
}

/** What a PCS would serve for the simulated platform, and the bundle made of it. */
export interface SimulatedPcsResponses {
  /** FMSPC, upper-case hex as PCS writes it. */
  readonly fmspc: string;
  /** The PCK CA of simulated platforms (`ca=` of the PCK CRL request). */
  readonly pckCa: "processor";
  readonly tee: "sgx";
  /** Body of `GET …/sgx/certification/v4/tcb?fmspc=…`: `{"tcbInfo":…,"signature":"…"}`. */
  readonly tcbInfoBody: string;
  /** Body of `GET …/sgx/certification/v4/qe/identity`. */
  readonly qeIdentityBody: string;
  /** The same artifacts as a Collateral (chains are what the issuer-chain headers carry, decoded). */
  readonly collateral: Collateral;
}

/** issueDate is this long before `now` (like PCS, whose documents are hours old; absorbs clock skew). */
const ISSUE_LAG_MS = 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
/** PCS: TCB Info, QE identity and PCK CRLs are valid 30 days; the root CA CRL about a year. */
const DOCUMENT_VALIDITY_MS = 30 * DAY_MS;
const ROOT_CRL_VALIDITY_MS = 365 * DAY_MS;
const TCB_DATES = { newer: "2025-05-13T00:00:00Z", platform: "2024-11-13T00:00:00Z", older: "2023-02-15T00:00:00Z" } as const;
const QE_ATTRIBUTES_MASK_FLAGS = 0xfffffffffffffffbn; // MODE64BIT ignored, as in Intel's QE identity
const QE_ATTRIBUTES_MASK_XFRM = 0n; // XFRM ignored

/**
 * Publishes the simulated platform's collateral as Intel PCS would, signed with the platform's TCB
 * Signing key (under its simulated root), JSON compact with PCS's member order, so the signed text
 * is exactly the member text of the body:
 *
 * - TCB Info v3 (id SGX, the platform's FMSPC and PCE-ID, tcbType 0): for OutOfDate and Revoked
 *   a higher UpToDate level above the platform's (one more on the first component below 255);
 *   then the platform's level (its 16 component SVNs and PCESVN) with `tcbStatus`; then an older
 *   OutOfDate level (one less on the first non-zero component, else PCESVN − 1) when one exists.
 * - QE identity v2 (id QE): the simulated QE's MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES
 *   with Intel's masks; levels for its ISVSVN (plus a higher UpToDate one when `qeTcbStatus` is not
 *   UpToDate) and an older OutOfDate one.
 * - PCK CRL (issuer: the PCK Processor CA) and root CA CRL (issuer: the root): X.509 v2 with CRL
 *   Number and Authority Key Identifier.
 *
 * issueDate/thisUpdate = `now` − 1 h (whole seconds); nextUpdate 30 days later (root CA CRL: 365).
 */
export function publishSimulatedCollateral(state: PlatformState, options: SimulatedCollateralOptions = {}): SimulatedPcsResponses {
  const now = options.now ?? new Date();
  const issue = new Date(Math.floor((now.getTime() - ISSUE_LAG_MS) / 1000) * 1000);
  const next = new Date(issue.getTime() + DOCUMENT_VALIDITY_MS);
  const evaluation = options.tcbEvaluationDataNumber ?? 1;
  const { certificates: certs, facts } = state;
  const fmspc = facts.fmspc.toUpperCase();

  const tcbInfo = JSON.stringify({
    id: "SGX",
    version: 3,
    issueDate: isoSeconds(issue),
    nextUpdate: isoSeconds(next),
    fmspc,
    pceId: facts.pceId.toUpperCase(),
    tcbType: 0,
    tcbEvaluationDataNumber: evaluation,
    tcbLevels: platformTcbLevels(facts.tcbComponents, facts.pceSvn, options.tcbStatus ?? "UpToDate"),
  });
  const qeIdentity = JSON.stringify({
    id: "QE",
    version: 2,
    issueDate: isoSeconds(issue),
    nextUpdate: isoSeconds(next),
    tcbEvaluationDataNumber: evaluation,
    miscselect: hex32(SimQeIdentity.MISC_SELECT),
    miscselectMask: "FFFFFFFF",
    attributes: attributesHex(
      SimQeIdentity.ATTRIBUTES.flags & QE_ATTRIBUTES_MASK_FLAGS,
      SimQeIdentity.ATTRIBUTES.xfrm & QE_ATTRIBUTES_MASK_XFRM,
    ),
    attributesMask: attributesHex(QE_ATTRIBUTES_MASK_FLAGS, QE_ATTRIBUTES_MASK_XFRM),
    mrsigner: SimQeIdentity.MRSIGNER_HEX.toUpperCase(),
    isvprodid: SimQeIdentity.ISV_PROD_ID,
    tcbLevels: qeTcbLevels(SimQeIdentity.ISV_SVN, options.qeTcbStatus ?? "UpToDate"),
  });
  const signingKey = certs.tcbSigning.privateKey;
  const tcbInfoSignature = signText(tcbInfo, signingKey);
  const qeIdentitySignature = signText(qeIdentity, signingKey);
  const rootPem = derToPem(certs.root.der);
  const tcbChain = derToPem(certs.tcbSigning.der) + rootPem;
  const crlNumber = Math.floor(issue.getTime() / DAY_MS);

  return {
    fmspc,
    pckCa: "processor",
    tee: "sgx",
    tcbInfoBody: `{"tcbInfo":${tcbInfo},"signature":"${Buffer.from(tcbInfoSignature).toString("hex")}"}`,
    qeIdentityBody: `{"enclaveIdentity":${qeIdentity},"signature":"${Buffer.from(qeIdentitySignature).toString("hex")}"}`,
    collateral: {
      pckCrlIssuerChain: derToPem(certs.pckCa.der) + rootPem,
      rootCaCrl: buildCrl({
        issuerCertificate: certs.root.der,
        issuerKey: certs.root.privateKey,
        thisUpdate: issue,
        nextUpdate: new Date(issue.getTime() + ROOT_CRL_VALIDITY_MS),
        crlNumber,
      }),
      pckCrl: buildCrl({
        issuerCertificate: certs.pckCa.der,
        issuerKey: certs.pckCa.privateKey,
        thisUpdate: issue,
        nextUpdate: next,
        crlNumber,
        revokedSerials: options.revokePckCertificate === true ? [certificateSerial(certs.pck.der)] : [],
      }),
      tcbInfoIssuerChain: tcbChain,
      tcbInfo,
      tcbInfoSignature,
      qeIdentityIssuerChain: tcbChain,
      qeIdentity,
      qeIdentitySignature,
    },
  };
}

interface TcbLevel {
  readonly tcb: { readonly sgxtcbcomponents: ReadonlyArray<{ readonly svn: number }>; readonly pcesvn: number };
  readonly tcbDate: string;
  readonly tcbStatus: string;
  readonly advisoryIDs?: readonly string[];
}

function platformTcbLevels(components: readonly number[], pceSvn: number, status: SimulatedTcbStatus): TcbLevel[] {
  const level = (svns: readonly number[], pcesvn: number, tcbDate: string, tcbStatus: string, advisories: string[]): TcbLevel => ({
    tcb: { sgxtcbcomponents: svns.map((svn) => ({ svn })), pcesvn },
    tcbDate,
    tcbStatus,
    ...(advisories.length > 0 ? { advisoryIDs: advisories } : {}),
  });
  const platformAdvisories = status === "UpToDate" ? [] : [SimulatedAdvisories.PLATFORM];
  const levels: TcbLevel[] = [];
  if (status === "OutOfDate" || status === "Revoked") {
    const up = components.findIndex((svn) => svn < 255);
    if (up >= 0) levels.push(level(bump(components, up, 1), pceSvn, TCB_DATES.newer, "UpToDate", []));
    else levels.push(level(components, pceSvn + 1, TCB_DATES.newer, "UpToDate", []));
  }
  levels.push(level(components, pceSvn, TCB_DATES.platform, status, platformAdvisories));
  const down = components.findIndex((svn) => svn > 0);
  const olderAdvisories = [SimulatedAdvisories.OLDER, ...platformAdvisories];
  if (down >= 0) levels.push(level(bump(components, down, -1), pceSvn, TCB_DATES.older, "OutOfDate", olderAdvisories));
  else if (pceSvn > 0) levels.push(level(components, pceSvn - 1, TCB_DATES.older, "OutOfDate", olderAdvisories));
  return levels;
}

function qeTcbLevels(isvSvn: number, status: SimulatedQeTcbStatus): unknown[] {
  const level = (isvsvn: number, tcbDate: string, tcbStatus: string, advisories: string[]) => ({
    tcb: { isvsvn },
    tcbDate,
    tcbStatus,
    ...(advisories.length > 0 ? { advisoryIDs: advisories } : {}),
  });
  const levels: unknown[] = [];
  const qeAdvisories = status === "UpToDate" ? [] : [SimulatedAdvisories.QE];
  if (status !== "UpToDate") levels.push(level(isvSvn + 1, TCB_DATES.newer, "UpToDate", []));
  levels.push(level(isvSvn, TCB_DATES.platform, status, qeAdvisories));
  if (isvSvn > 0) levels.push(level(isvSvn - 1, TCB_DATES.older, "OutOfDate", [SimulatedAdvisories.OLDER, ...qeAdvisories]));
  return levels;
}

function bump(components: readonly number[], index: number, delta: number): number[] {
  return components.map((svn, i) => (i === index ? svn + delta : svn));
}

function signText(text: string, key: KeyObject): Uint8Array {
  return new Uint8Array(sign("sha256", Buffer.from(text, "utf8"), { key, dsaEncoding: "ieee-p1363" }));
}

/** `YYYY-MM-DDThh:mm:ssZ`, as PCS writes dates. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A 32-bit little-endian field as upper-case hex (miscselect). */
function hex32(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b.toString("hex").toUpperCase();
}

/** sgx_attributes_t (flags, xfrm: 64-bit little-endian each) as 32 upper-case hex chars. */
function attributesHex(flags: bigint, xfrm: bigint): string {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(flags, 0);
  b.writeBigUInt64LE(xfrm, 8);
  return b.toString("hex").toUpperCase();
}
