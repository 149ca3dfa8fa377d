/** The simulated SGX platform: QE3/PCE behaviour, a persisted simulated PCK hierarchy, SDK-simulation REPORT MACs. */
export { SimulatedPlatform, type SimulatedPlatformOptions } from "./simulated-platform.ts";
export { PlatformStateError, SIMULATED_FMSPC_HEX, type PlatformFacts } from "./platform-state.ts";
export { SimulatedNames } from "./platform-certificates.ts";
export { qeAuthData, SimQeIdentity, simQeTargetInfo } from "./qe-identity.ts";
export {
  SIMULATED_TCB_STATUSES,
  SimulatedAdvisories,
  type SimulatedCollateralOptions,
  type SimulatedPcsResponses,
  type SimulatedQeTcbStatus,
  type SimulatedTcbStatus,
} from "./simulated-collateral.ts";
