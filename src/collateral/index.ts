/**
 * DCAP collateral: the `Collateral` bundle, loading it from files, and parsing its parts (TCB Info,
 * enclave identity, CRLs) while keeping the exact signed JSON text.
 */
export type { Collateral } from "./collateral.ts";
export { CollateralError, type CollateralErrorCode } from "./errors.ts";
export {
  collateralFromBundle,
  collateralFromBundleObject,
  CollateralFile,
  crlBytes,
  loadCollateral,
  loadCollateralDirectory,
} from "./load-collateral.ts";
export { splitSignedJson, topLevelMembers, type SignedJson } from "./signed-json.ts";
export {
  parseTcbInfo,
  tcbLevelKey,
  type TcbInfo,
  type TcbLevel,
  type TdxModule,
  type TdxModuleIdentity,
  type TdxModuleTcbLevel,
} from "./tcb-info.ts";
export { parseEnclaveIdentity, type EnclaveIdentity, type EnclaveIdentityTcbLevel } from "./enclave-identity.ts";
export { ECDSA_WITH_SHA256, normaliseSerial, parseCrl, type Crl } from "./crl.ts";
export { COMPONENT_TCB_STATUSES, TCB_STATUSES, type ComponentTcbStatus, type TcbStatus } from "./tcb-status.ts";
export { PcsClient, type PcsClientOptions, type CollateralRequest, type PcsFetch, type PcsClientStats } from "./pcs-client.ts";
export { PcsCache, type PcsCacheOptions, type PcsCacheItem } from "./pcs-cache.ts";
export { CollateralHttpError, CollateralFormatError, CollateralNotCachedError } from "./pcs-errors.ts";
export { pcsRoot, pcsUrls, INTEL_PCS_ROOT, INTEL_ROOT_CA_CRL_URL, type PckCaKind, type TeeKind } from "./pcs-urls.ts";
