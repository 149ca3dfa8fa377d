import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { encodePckExtension, SGX_EXTENSION_OID, type PckExtension } from "../../quote/index.ts";
import { buildCertificate, KeyUsageFlags, rawExtension, type DistinguishedName } from "./certificate-builder.ts";

const ORGANIZATION = "sgx-quote-helper simulation";

/**
 * Names of the simulated hierarchy. Every name says it is simulated; the CNs still contain the
 * substrings verifiers use to find chain roles ("SGX Root CA", "CA", "SGX PCK Certificate",
 * "SGX TCB Signing").
 */
export const SimulatedNames = {
  ROOT: { commonName: "sgx-quote-helper SIMULATED SGX Root CA (not Intel)", organization: ORGANIZATION },
  PCK_CA: { commonName: "sgx-quote-helper SIMULATED SGX PCK Processor CA", organization: ORGANIZATION },
  PCK: { commonName: "SIMULATED SGX PCK Certificate", organization: ORGANIZATION },
  TCB_SIGNING: { commonName: "sgx-quote-helper SIMULATED SGX TCB Signing", organization: ORGANIZATION },
} as const satisfies Record<string, DistinguishedName>;

/** A certificate (DER) with its key pair. */
export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** The certificates a simulated platform owns. */
export interface SimulatedHierarchy {
  readonly root: IssuedCertificate;
  readonly pckCa: IssuedCertificate;
  readonly pck: IssuedCertificate;
  readonly tcbSigning: IssuedCertificate;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Creates a new simulated hierarchy like Intel's: a self-signed root (pathLen 1), a PCK Processor
 * CA (pathLen 0), a PCK leaf carrying `pckExtension`, and a TCB Signing certificate under the
 * root. All EC P-256 / ecdsa-with-SHA256. Validity starts one day before `now` (clock skew); the
 * CAs last until 2049-12-31 like Intel's root, the leaf and TCB signing certificates 7 years.
 */
export function issueSimulatedHierarchy(pckExtension: PckExtension, now = new Date()): SimulatedHierarchy {
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  const caNotAfter = new Date("2049-12-31T23:59:59Z");
  const leafNotAfter = new Date(now.getTime() + 7 * YEAR_MS);
  const rootKeys = newKeyPair();
  const root = issue(rootKeys, rootKeys, {
    subject: SimulatedNames.ROOT,
    notBefore,
    notAfter: caNotAfter,
    ca: { pathLen: 1 },
    keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
  });
  const pckCaKeys = newKeyPair();
  const pckCa = issue(pckCaKeys, rootKeys, {
    subject: SimulatedNames.PCK_CA,
    issuer: SimulatedNames.ROOT,
    notBefore,
    notAfter: caNotAfter,
    ca: { pathLen: 0 },
    keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
  });
  const pck = issue(newKeyPair(), pckCaKeys, {
    subject: SimulatedNames.PCK,
    issuer: SimulatedNames.PCK_CA,
    notBefore,
    notAfter: leafNotAfter,
    ca: false,
    keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation,
    extensions: [rawExtension(SGX_EXTENSION_OID, encodePckExtension(pckExtension))],
  });
  const tcbSigning = issue(newKeyPair(), rootKeys, {
    subject: SimulatedNames.TCB_SIGNING,
    issuer: SimulatedNames.ROOT,
    notBefore,
    notAfter: leafNotAfter,
    ca: false,
    keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation,
  });
  return { root, pckCa, pck, tcbSigning };
}

/** A new EC P-256 key pair. */
export function newKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

type IssueOptions = Omit<Parameters<typeof buildCertificate>[0], "subjectKey" | "issuerKey" | "issuerPublicKey">;

function issue(
  subject: { privateKey: KeyObject; publicKey: KeyObject },
  issuer: { privateKey: KeyObject; publicKey: KeyObject },
  options: IssueOptions,
): IssuedCertificate {
  const der = buildCertificate({
    ...options,
    subjectKey: subject.publicKey,
    issuerKey: issuer.privateKey,
    issuerPublicKey: issuer.publicKey,
  });
  return { der, privateKey: subject.privateKey, publicKey: subject.publicKey };
}
