import { X509Certificate } from "node:crypto";
import { ecPublicKeyHex } from "./certificates.ts";
import { VerifyError } from "./errors.ts";
import { INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX } from "./intel-root-certificates.ts";

/** Which anchor a chain ended at. `simulated` = a root the caller listed in `trustedRoots`. */
export type RootKind = "intel" | "simulated";

export { ecPublicKeyHex, INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX };

/** The root kind for a root certificate, or undefined when its key is not trusted. */
export function classifyRoot(root: X509Certificate, trustedRootKeys: ReadonlySet<string>): RootKind | undefined {
  return rootKindOfKey(ecPublicKeyHex(root), trustedRootKeys);
}

/** The root kind for a root key (uncompressed point hex), or undefined when it is not trusted. */
export function rootKindOfKey(key: string | undefined, trustedRootKeys: ReadonlySet<string>): RootKind | undefined {
  if (key === INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX) return "intel";
  return key !== undefined && trustedRootKeys.has(key) ? "simulated" : undefined;
}

/** Public keys of caller-supplied root certificates (PEM text or DER bytes). Throws ERR_VERIFY_TRUSTED_ROOT on unparseable input. */
export function trustedRootKeys(roots: readonly (string | Uint8Array)[]): Set<string> {
  const keys = new Set<string>();
  roots.forEach((root, index) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(typeof root === "string" ? root : Buffer.from(root));
    } catch (cause) {
      throw new VerifyError("ERR_VERIFY_TRUSTED_ROOT", `trusted root #${index} is not a PEM or DER certificate`, {}, { cause });
    }
    const key = ecPublicKeyHex(certificate);
    if (key !== undefined) keys.add(key);
  });
  return keys;
}
