import type { X509Certificate } from "node:crypto";
import { parsePemCertificateChain } from "../quote/index.ts";
import { certificateFromDer, checkedFromDer, checkedFromX509, issuedAndSignedBy, type CheckedCertificate } from "./certificates.ts";
import { derCertificateFromBase64, derIssuedAndSignedBy, type DerCertificate } from "./der-certificates.ts";
import { VerifyError, type ChainRole } from "./errors.ts";
import { classifyRoot, rootKindOfKey, type RootKind } from "./trusted-roots.ts";

/** A PCK chain whose structure, signatures and anchor were checked. */
export interface VerifiedPckChain {
  readonly leaf: X509Certificate;
  readonly intermediate: X509Certificate;
  readonly root: X509Certificate;
  readonly rootKind: RootKind;
  /** Common name of the PCK's issuer ("Intel SGX PCK Processor CA" / "… Platform CA"). */
  readonly pckIssuerCommonName: string;
  /** Intersection of the three certificates' validity periods. */
  readonly validity: { readonly notBefore: Date; readonly notAfter: Date };
}

/** A checked PCK chain as the verifier reads it (see {@link checkPckChain}). @internal */
export interface CheckedPckChainCertificates {
  readonly leaf: CheckedCertificate;
  readonly intermediate: CheckedCertificate;
  readonly root: CheckedCertificate;
  readonly rootKind: RootKind;
  readonly pckIssuerCommonName: string;
  readonly validity: { readonly notBefore: Date; readonly notAfter: Date };
}

/**
 * {@link verifyPckChain} for the verifier: on the DER fast path when every certificate qualifies
 * and every check passes there, else on the X509Certificate path, which also gives the error. @internal
 */
export function checkPckChain(certificationData: Uint8Array, trustedRootKeys: ReadonlySet<string>): CheckedPckChainCertificates {
  const fast = fastPckChain(certificationData, trustedRootKeys);
  if (fast !== undefined) return fast;
  const chain = verifyPckChain(certificationData, trustedRootKeys);
  return {
    leaf: checkedFromX509(chain.leaf, commonName(chain.leaf)),
    intermediate: checkedFromX509(chain.intermediate, chain.pckIssuerCommonName),
    root: checkedFromX509(chain.root, commonName(chain.root)),
    rootKind: chain.rootKind,
    pckIssuerCommonName: chain.pckIssuerCommonName,
    validity: chain.validity,
  };
}

function fastPckChain(certificationData: Uint8Array, trustedRootKeys: ReadonlySet<string>): CheckedPckChainCertificates | undefined {
  const certs = derChain(certificationData, 3);
  if (certs === undefined) return undefined;
  const [leaf, intermediate, root] = certs as [DerCertificate, DerCertificate, DerCertificate];
  const rootKind = rootKindOfKey(root.keyHex, trustedRootKeys);
  if (
    rootKind === undefined ||
    !leaf.commonName.includes(ROLE_CN.leaf) ||
    !intermediate.commonName.includes(ROLE_CN.intermediate) ||
    !root.commonName.includes(ROLE_CN.root) ||
    !derIssuedAndSignedBy(root, root) ||
    !derIssuedAndSignedBy(intermediate, root) ||
    !derIssuedAndSignedBy(leaf, intermediate)
  ) {
    return undefined;
  }
  return {
    leaf: checkedFromDer(leaf),
    intermediate: checkedFromDer(intermediate),
    root: checkedFromDer(root),
    rootKind,
    pckIssuerCommonName: intermediate.commonName,
    validity: {
      notBefore: new Date(Math.max(leaf.notBefore.getTime(), intermediate.notBefore.getTime(), root.notBefore.getTime())),
      notAfter: new Date(Math.min(leaf.notAfter.getTime(), intermediate.notAfter.getTime(), root.notAfter.getTime())),
    },
  };
}

/**
 * The certificates of a PEM chain of `length` for the DER fast path, or undefined when it does not
 * qualify. Only plainly written chains qualify (see {@link plainPemBodies}); each distinct
 * certificate text is decoded and read once (derCertificateFromBase64's cache). @internal
 */
export function derChain(pemChain: Uint8Array | string, length: number): DerCertificate[] | undefined {
  const text =
    typeof pemChain === "string" ? pemChain : Buffer.from(pemChain.buffer, pemChain.byteOffset, pemChain.byteLength).toString("latin1");
  const bodies = plainPemBodies(text);
  if (bodies === undefined || bodies.length !== length) return undefined;
  const certs: DerCertificate[] = [];
  for (const body of bodies) {
    const cert = derCertificateFromBase64(body);
    if (cert === undefined) return undefined;
    certs.push(cert);
  }
  return certs;
}

const PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
const PEM_END = "-----END CERTIFICATE-----";
/** Base64 with line breaks and spaces, padding only at the end. */
const PLAIN_BASE64 = /^[A-Za-z0-9+/\r\n\t ]*=?=?[\r\n\t ]*$/;

/**
 * The base64 texts of a PEM certificate chain written plainly: certificate blocks separated by
 * spaces, tabs and line breaks, then optional NUL terminators. Undefined for anything else; the
 * reference reader (parsePemCertificateChain) judges those, and reads every chain accepted here to
 * the same DER (it strips whitespace before decoding, which base64 decoding ignores anyway).
 */
function plainPemBodies(text: string): string[] | undefined {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  const bodies: string[] = [];
  let pos = skipBlanks(text, 0, end);
  while (pos < end) {
    if (!text.startsWith(PEM_BEGIN, pos)) return undefined;
    const from = pos + PEM_BEGIN.length;
    const to = text.indexOf(PEM_END, from);
    if (to === -1) return undefined;
    const body = text.slice(from, to);
    if (!PLAIN_BASE64.test(body)) return undefined;
    bodies.push(body);
    pos = skipBlanks(text, to + PEM_END.length, end);
  }
  return bodies;
}

function skipBlanks(text: string, pos: number, end: number): number {
  for (let c = text.charCodeAt(pos); pos < end && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09); c = text.charCodeAt(++pos));
  return pos;
}

/** The substring each position's CN must contain (Intel QVL's role rules). */
const ROLE_CN: Record<ChainRole, string> = { leaf: "SGX PCK Certificate", intermediate: "CA", root: "SGX Root CA" };

/**
 * Checks type-5 certification data as Intel's QVL does: exactly 3 certificates (leaf, intermediate,
 * root), roles by CN, each issued (name and signature) by the next, the root self-signed, and the
 * root's key either Intel's or in `trustedRootKeys`. Throws VerifyError (see VerifyErrorCode).
 * Validity dates are reported, not enforced.
 */
export function verifyPckChain(certificationData: Uint8Array, trustedRootKeys: ReadonlySet<string>): VerifiedPckChain {
  const pems = parsePemCertificateChain(certificationData);
  if (pems.length !== 3) {
    throw new VerifyError("ERR_VERIFY_CHAIN_LENGTH", `PCK chain has ${pems.length} certificates, expected 3`);
  }
  const roles: ChainRole[] = ["leaf", "intermediate", "root"];
  const [leaf, intermediate, root] = pems.map((pem, i) => parseCertificate(pem.der, roles[i]!)) as [
    X509Certificate,
    X509Certificate,
    X509Certificate,
  ];
  checkRole(leaf, "leaf");
  checkRole(intermediate, "intermediate");
  checkRole(root, "root");
  checkIssued(leaf, intermediate, "leaf");
  checkIssued(intermediate, root, "intermediate");
  checkIssued(root, root, "root");
  const rootKind = classifyRoot(root, trustedRootKeys);
  if (rootKind === undefined) {
    throw new VerifyError("ERR_VERIFY_UNTRUSTED_ROOT", `root "${commonName(root)}" has neither Intel's key nor a trusted root's key`, {
      certificate: "root",
    });
  }
  return {
    leaf,
    intermediate,
    root,
    rootKind,
    pckIssuerCommonName: commonName(intermediate),
    validity: validityOf([leaf, intermediate, root]),
  };
}

function parseCertificate(der: Uint8Array, role: ChainRole): X509Certificate {
  try {
    return certificateFromDer(der);
  } catch (error) {
    throw new VerifyError("ERR_VERIFY_CERTIFICATE", `${role} certificate is not valid X.509`, { certificate: role }, { cause: error });
  }
}

function checkRole(cert: X509Certificate, role: ChainRole): void {
  if (commonName(cert).includes(ROLE_CN[role])) return;
  throw new VerifyError("ERR_VERIFY_CHAIN_ROLE", `${role} CN "${commonName(cert)}" does not contain "${ROLE_CN[role]}"`, {
    certificate: role,
  });
}

function checkIssued(cert: X509Certificate, issuer: X509Certificate, role: ChainRole): void {
  if (issuedAndSignedBy(cert, issuer)) return;
  const by = role === "root" ? "itself" : `"${commonName(issuer)}"`;
  throw new VerifyError("ERR_VERIFY_CHAIN_ISSUER", `${role} certificate "${commonName(cert)}" is not issued and signed by ${by}`, {
    certificate: role,
  });
}

/** The CN of a certificate's subject ("" if none). */
export function commonName(cert: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? "";
}

function validityOf(certs: readonly X509Certificate[]): { notBefore: Date; notAfter: Date } {
  const from = Math.max(...certs.map((c) => new Date(c.validFrom).getTime()));
  const to = Math.min(...certs.map((c) => new Date(c.validTo).getTime()));
  return { notBefore: new Date(from), notAfter: new Date(to) };
}

/** Which PCK CA issued the PCK certificate, from its issuer's CN: it selects the PCK CRL to use. */
export function pckCaKind(issuerCommonName: string): "processor" | "platform" {
  return issuerCommonName.includes("Platform") ? "platform" : "processor";
}
