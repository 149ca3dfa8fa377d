import { verify, type KeyObject, type X509Certificate } from "node:crypto";
import {
  CollateralError,
  ECDSA_WITH_SHA256,
  parseCrl,
  parseEnclaveIdentity,
  parseTcbInfo,
  tcbLevelKey,
  type Collateral,
  type Crl,
  type EnclaveIdentity,
  type TcbInfo,
  type TcbLevel,
} from "../collateral/index.ts";
import { parsePemCertificateChain, QuoteFormatError } from "../quote/index.ts";
import { bytesEqual } from "../shared/bytes.ts";
import { certificateFromDer, checkedFromDer, checkedFromX509, issuedAndSignedBy, type CheckedCertificate } from "./certificates.ts";
import { derIssuedAndSignedBy, type DerCertificate } from "./der-certificates.ts";
import { VerifyError, type CollateralItem } from "./errors.ts";
import { commonName, derChain } from "./pck-chain.ts";
import type { Quote3VerifyStatusName } from "./quote3-verify-status.ts";
import { classifyRoot, rootKindOfKey, type RootKind } from "./trusted-roots.ts";
import { trustAnchorsFor, type TrustAnchors } from "./verify-quote-signatures.ts";

/** Options of {@link prepareCollateral}. */
export interface PrepareCollateralOptions {
  /** Extra trusted root certificates (PEM or DER), e.g. a simulated platform's; Intel's key is always trusted. */
  readonly trustedRoots?: readonly (string | Uint8Array)[];
}

/** A dated collateral item, for the expiry computation. */
export interface CollateralValidity {
  /** What it is: "tcbInfo", "pckCrl", "tcbInfoIssuerChain[0]", "pckChain[1]" … */
  readonly item: string;
  /** issueDate / thisUpdate / notBefore. */
  readonly from: Date;
  /** nextUpdate / notAfter. */
  readonly to: Date;
}

/**
 * Collateral parsed and checked once, reusable for any number of quotes (see {@link prepareCollateral}).
 * Everything here is independent of the verification time and of the quote.
 */
export interface PreparedCollateral {
  readonly kind: "prepared-collateral";
  readonly collateral: Collateral;
  readonly anchors: TrustAnchors;
  /** The root every collateral chain ends at (uncompressed key hex) and its kind. */
  readonly rootKeyHex: string;
  readonly rootKind: RootKind;
  readonly tcbInfo: TcbInfo;
  /** TCB levels in QVL order (highest first: SGX components, PCESVN, then TDX components). */
  readonly tcbLevels: readonly TcbLevel[];
  readonly qeIdentity: EnclaveIdentity;
  readonly pckCrl: Crl;
  readonly rootCaCrl: Crl;
  /** The PCK CA of the PCK CRL issuer chain. */
  readonly pckCa: X509Certificate;
  readonly pckCaKeyHex: string;
  /** DER of the PCK CA's subject Name (compared with the PCK CRL issuer and the quote's intermediate). */
  readonly pckCaSubjectDer: Uint8Array;
  /** Dated items (CRLs, chains, TCB Info, QE identity); the PCK chain's dates are added per quote. */
  readonly validity: readonly CollateralValidity[];
  /** Per-intermediate results of the PCK CRL issuer check (key: intermediate DER hex). @internal */
  readonly pckCrlIssuerCache: Map<string, true>;
}

/**
 * Parses and checks collateral once (Intel QVL §4.2–4.4 without the time checks): TCB Info v2/v3
 * and QE identity v2 parsed from the exact signed text; both CRLs parsed; every issuer chain has 2
 * certificates with the right roles, issued by a root whose key is Intel's or trusted, and all end
 * at the same root; root CA CRL issued and signed by that root, PCK CRL by the PCK CA of its chain
 * (issuer name, CRL Number and AKI present); the PCK CA and the TCB signing certificates are not
 * revoked by the root CA CRL; the TCB Info and QE identity signatures verify over their exact text
 * with the TCB signing key. Throws VerifyError (codes and quote3_error_t in errors.ts). Keep the
 * result to verify many quotes against the same collateral: it is a snapshot of what was checked,
 * and a raw Collateral passed to verifyQuote is prepared afresh on every call (so a collateral
 * object changed in place is never judged by a stale check).
 */
export function prepareCollateral(collateral: Collateral, options: PrepareCollateralOptions = {}): PreparedCollateral {
  return prepareWithAnchors(collateral, trustAnchorsFor(options.trustedRoots ?? []));
}

/** {@link prepareCollateral} with already computed trust anchors. @internal */
export function prepareWithAnchors(collateral: Collateral, anchors: TrustAnchors): PreparedCollateral {
  const tcbInfo = parsed("tcbInfo", "ERR_VERIFY_TCB_INFO_FORMAT", () => parseTcbInfo(collateral.tcbInfo));
  const qeIdentity = parsed("qeIdentity", "ERR_VERIFY_QE_IDENTITY_FORMAT", () => parseEnclaveIdentity(collateral.qeIdentity));
  const pckCrl = parsed("pckCrl", "ERR_VERIFY_CRL_FORMAT", () => parseCrl(collateral.pckCrl, "pckCrl"));
  const rootCaCrl = parsed("rootCaCrl", "ERR_VERIFY_CRL_FORMAT", () => parseCrl(collateral.rootCaCrl, "rootCaCrl"));

  const pckCrlChain = issuerChain(collateral.pckCrlIssuerChain, "pckCrlIssuerChain", "CA", "SGX_QL_ERROR_UNEXPECTED", anchors);
  const tcbChain = issuerChain(
    collateral.tcbInfoIssuerChain,
    "tcbInfoIssuerChain",
    "SGX TCB Signing",
    "SGX_QL_TCBINFO_CHAIN_ERROR",
    anchors,
  );
  const qeChain = issuerChain(
    collateral.qeIdentityIssuerChain,
    "qeIdentityIssuerChain",
    "SGX TCB Signing",
    "SGX_QL_QEIDENTITY_CHAIN_ERROR",
    anchors,
  );
  for (const chain of [tcbChain, qeChain]) {
    if (chain.rootKeyHex !== pckCrlChain.rootKeyHex) {
      throw new VerifyError("ERR_VERIFY_COLLATERAL_ROOT", `${chain.item} ends at another root than the PCK CRL issuer chain`, {
        item: chain.item,
        quote3Status: chain.item === "tcbInfoIssuerChain" ? "SGX_QL_TCBINFO_CHAIN_ERROR" : "SGX_QL_QEIDENTITY_CHAIN_ERROR",
      });
    }
  }
  const root = pckCrlChain.root;
  checkCrl(rootCaCrl, root, root.subjectDer, "rootCaCrl");
  const pckCaSubjectDer = pckCrlChain.issuer.subjectDer;
  checkCrl(pckCrl, pckCrlChain.issuer, pckCaSubjectDer, "pckCrl");
  if (rootCaCrl.revokedSerials.has(pckCrlChain.issuer.serial)) {
    throw new VerifyError("ERR_VERIFY_PCK_REVOKED", "the PCK CA is revoked by the root CA CRL", {
      certificate: "intermediate",
      item: "rootCaCrl",
    });
  }
  for (const chain of [tcbChain, qeChain]) {
    if (rootCaCrl.revokedSerials.has(chain.issuer.serial)) {
      throw new VerifyError("ERR_VERIFY_PCK_REVOKED", `the TCB signing certificate of ${chain.item} is revoked by the root CA CRL`, {
        certificate: "tcbSigning",
        item: chain.item,
      });
    }
  }
  if (!signatureValid(collateral.tcbInfo, collateral.tcbInfoSignature, tcbChain.issuer.publicKey)) {
    throw new VerifyError("ERR_VERIFY_TCB_INFO_SIGNATURE", "TCB Info signature does not verify over its text", { item: "tcbInfo" });
  }
  if (!signatureValid(collateral.qeIdentity, collateral.qeIdentitySignature, qeChain.issuer.publicKey)) {
    throw new VerifyError("ERR_VERIFY_QE_IDENTITY_SIGNATURE", "QE identity signature does not verify over its text", {
      item: "qeIdentity",
    });
  }
  const validity: CollateralValidity[] = [
    { item: "tcbInfo", from: tcbInfo.issueDate, to: tcbInfo.nextUpdate },
    { item: "qeIdentity", from: qeIdentity.issueDate, to: qeIdentity.nextUpdate },
    crlValidity(pckCrl, "pckCrl"),
    crlValidity(rootCaCrl, "rootCaCrl"),
    ...[pckCrlChain, tcbChain, qeChain].flatMap((c) => [certValidity(c.issuer, `${c.item}[0]`), certValidity(c.root, `${c.item}[1]`)]),
  ];
  const pckCa = pckCrlChain.issuer;
  return {
    kind: "prepared-collateral",
    collateral,
    anchors,
    rootKeyHex: pckCrlChain.rootKeyHex,
    rootKind: pckCrlChain.rootKind,
    tcbInfo,
    tcbLevels: inQvlOrder(tcbInfo.tcbLevels),
    qeIdentity,
    pckCrl,
    rootCaCrl,
    get pckCa() {
      return pckCa.x509;
    },
    pckCaKeyHex: pckCa.keyHex,
    pckCaSubjectDer,
    validity,
    pckCrlIssuerCache: new Map(),
  };
}

/** Whether `value` is prepared collateral. */
export function isPreparedCollateral(value: Collateral | PreparedCollateral): value is PreparedCollateral {
  return (value as Partial<PreparedCollateral>).kind === "prepared-collateral";
}

/** Whether a CRL is issued (name) and signed by `issuer`. @internal */
export function crlSignedBy(crl: Crl, issuerKey: KeyObject): boolean {
  return crl.signatureAlgorithm === ECDSA_WITH_SHA256 && verify("sha256", crl.tbs, issuerKey, crl.signature);
}

function checkCrl(crl: Crl, issuer: CheckedCertificate, issuerSubject: Uint8Array, item: CollateralItem): void {
  if (!bytesEqual(crl.issuerDer, issuerSubject)) {
    throw new VerifyError("ERR_VERIFY_CRL_ISSUER", `${item} is issued by "${crl.issuer}", not by "${issuer.commonName}"`, { item });
  }
  if (crl.crlNumber === undefined || crl.authorityKeyId === undefined) {
    throw new VerifyError("ERR_VERIFY_CRL_ISSUER", `${item} lacks the CRL Number or Authority Key Identifier extension`, { item });
  }
  if (!crlSignedBy(crl, issuer.publicKey)) {
    throw new VerifyError("ERR_VERIFY_CRL_SIGNATURE", `${item} signature does not verify with "${issuer.commonName}"`, { item });
  }
}

interface IssuerChain {
  readonly item: CollateralItem;
  readonly issuer: CheckedCertificate;
  readonly root: CheckedCertificate;
  readonly rootKeyHex: string;
  readonly rootKind: RootKind;
}

/**
 * Checks a 2-certificate issuer chain (issuer, root) as QVL's signing-chain checks: on the DER
 * fast path when both certificates qualify and every check passes there, else on the
 * X509Certificate path, which also gives the error.
 */
function issuerChain(
  pem: string,
  item: CollateralItem,
  issuerCn: string,
  quote3Status: Quote3VerifyStatusName,
  anchors: TrustAnchors,
): IssuerChain {
  const fast = derChain(pem, 2);
  if (fast !== undefined) {
    const [issuer, root] = fast as [DerCertificate, DerCertificate];
    const rootKind = rootKindOfKey(root.keyHex, anchors.keys);
    if (
      rootKind !== undefined &&
      root.commonName.includes("SGX Root CA") &&
      issuer.commonName.includes(issuerCn) &&
      derIssuedAndSignedBy(root, root) &&
      derIssuedAndSignedBy(issuer, root)
    ) {
      return { item, issuer: checkedFromDer(issuer), root: checkedFromDer(root), rootKeyHex: root.keyHex, rootKind };
    }
  }
  const fail = (
    message: string,
    code: "ERR_VERIFY_COLLATERAL_CHAIN" | "ERR_VERIFY_COLLATERAL_ROOT" = "ERR_VERIFY_COLLATERAL_CHAIN",
  ): never => {
    throw new VerifyError(code, `${item}: ${message}`, { item, quote3Status });
  };
  let certs: X509Certificate[];
  try {
    certs = parsePemCertificateChain(new Uint8Array(Buffer.from(pem, "latin1"))).map((c) => certificateFromDer(c.der));
  } catch (error) {
    if (error instanceof QuoteFormatError || error instanceof Error) return fail(`not a PEM certificate chain (${error.message})`);
    throw error;
  }
  if (certs.length !== 2) return fail(`holds ${certs.length} certificates, expected 2`);
  const [issuer, root] = certs as [X509Certificate, X509Certificate];
  if (!commonName(root).includes("SGX Root CA")) fail(`root CN "${commonName(root)}" does not contain "SGX Root CA"`);
  if (!commonName(issuer).includes(issuerCn)) fail(`CN "${commonName(issuer)}" does not contain "${issuerCn}"`);
  if (!issuedAndSignedBy(root, root)) fail("root is not self-signed");
  if (!issuedAndSignedBy(issuer, root)) fail(`"${commonName(issuer)}" is not issued and signed by the root`);
  const rootKind = classifyRoot(root, anchors.keys);
  if (rootKind === undefined) fail("root key is neither Intel's nor a trusted root's", "ERR_VERIFY_COLLATERAL_ROOT");
  const checkedRoot = checkedFromX509(root, commonName(root));
  return {
    item,
    issuer: checkedFromX509(issuer, commonName(issuer)),
    root: checkedRoot,
    rootKeyHex: checkedRoot.keyHex,
    rootKind: rootKind!,
  };
}

function signatureValid(text: string, signature: Uint8Array, key: KeyObject): boolean {
  return signature.byteLength === 64 && verify("sha256", Buffer.from(text, "utf8"), { key, dsaEncoding: "ieee-p1363" }, signature);
}

function parsed<T>(
  item: CollateralItem,
  code: "ERR_VERIFY_TCB_INFO_FORMAT" | "ERR_VERIFY_QE_IDENTITY_FORMAT" | "ERR_VERIFY_CRL_FORMAT",
  parse: () => T,
): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof CollateralError)) throw error;
    throw new VerifyError(code, error.message, { item }, { cause: error });
  }
}

function crlValidity(crl: Crl, item: string): CollateralValidity {
  return { item, from: crl.thisUpdate, to: crl.nextUpdate ?? new Date(8.64e15) };
}

/** Validity window of a certificate. @internal */
export function certValidity(cert: CheckedCertificate, item: string): CollateralValidity {
  return { item, from: cert.notBefore, to: cert.notAfter };
}

/** QVL order: higher levels first, lexicographic over SGX components, PCESVN, then TDX components. */
function inQvlOrder(levels: readonly TcbLevel[]): TcbLevel[] {
  const keyed = levels.map((level) => ({ level, key: tcbLevelKey(level) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = (b.key[i] ?? 0) - a.key[i]!;
      if (d !== 0) return d;
    }
    return 0;
  });
  return keyed.map((k) => k.level);
}
