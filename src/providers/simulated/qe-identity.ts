import { fromHex } from "../../shared/bytes.ts";
import { AttributeFlags, QE3_MRSIGNER_HEX, XFRM_LEGACY, type ReportBody, type TargetInfo } from "../../sgx/index.ts";

/**
 * Identity of the simulated Quoting Enclave. Fixed, so QE identity collateral can be published
 * for it and quotes from any simulated platform share it.
 *
 * - MRENCLAVE = SHA-256("sgx-quote-helper simulated QE3"): not a real enclave measurement, and
 *   distinct from every Intel QE3 build.
 * - MRSIGNER = Intel's production QE3 signer, so the default ECDSA attestation key id (which names
 *   that signer) selects this QE, as it does on real platforms.
 * - ISVPRODID 1 (QE3), ISVSVN 8, MISCSELECT 0, ATTRIBUTES INITTED|MODE64BIT|PROVISION_KEY (0x15)
 *   with legacy XFRM 0x3, no KSS configuration.
 */
export const SimQeIdentity = {
  MRENCLAVE_HEX: "a2e2904a2aa49f37fa4e8ef15e7a5c2e485996fc6c7a901d33059e82a3cbd200",
  MRSIGNER_HEX: QE3_MRSIGNER_HEX,
  ISV_PROD_ID: 1,
  ISV_SVN: 8,
  MISC_SELECT: 0,
  ATTRIBUTES: {
    flags: AttributeFlags.INITTED | AttributeFlags.MODE64BIT | AttributeFlags.PROVISION_KEY,
    xfrm: XFRM_LEGACY,
  },
} as const;

/** QE authentication data: the 32 bytes 00..1f Intel's QE3 uses by default. */
export function qeAuthData(): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => i);
}

/** The QE's target info as initQuote returns it: mr_enclave, attributes, misc_select; rest zero. */
export function simQeTargetInfo(): TargetInfo {
  return {
    mrEnclave: fromHex(SimQeIdentity.MRENCLAVE_HEX),
    attributes: SimQeIdentity.ATTRIBUTES,
    miscSelect: SimQeIdentity.MISC_SELECT,
    configSvn: 0,
    configId: new Uint8Array(64),
  };
}

/** A report body of the simulated QE with the given CPUSVN and report data. */
export function simQeReportBody(cpuSvn: Uint8Array, reportData: Uint8Array): ReportBody {
  return {
    cpuSvn,
    miscSelect: SimQeIdentity.MISC_SELECT,
    isvExtProdId: new Uint8Array(16),
    attributes: SimQeIdentity.ATTRIBUTES,
    mrEnclave: fromHex(SimQeIdentity.MRENCLAVE_HEX),
    mrSigner: fromHex(SimQeIdentity.MRSIGNER_HEX),
    configId: new Uint8Array(64),
    isvProdId: SimQeIdentity.ISV_PROD_ID,
    isvSvn: SimQeIdentity.ISV_SVN,
    configSvn: 0,
    isvFamilyId: new Uint8Array(16),
    reportData,
  };
}
