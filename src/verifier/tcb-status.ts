import type { ComponentTcbStatus, TcbStatus } from "../collateral/index.ts";
import type { QvResultName } from "./quote3-verify-status.ts";

/** A final verdict status: a TCB Info status, or one of the TD 1.5 relaunch results. */
export type VerdictTcbStatus = TcbStatus | "TDRelaunchAdvised" | "TDRelaunchAdvisedConfigurationNeeded";

/**
 * Intel QVL's status convergence (dcap-quote-format §4.7), asymmetric: the platform status is the
 * base; a Revoked component makes it Revoked; an OutOfDate component turns UpToDate and
 * SWHardeningNeeded into OutOfDate, and ConfigurationNeeded and ConfigurationAndSWHardeningNeeded
 * into OutOfDateConfigurationNeeded; anything else is unchanged. Used for the QE identity status
 * and for the TDX module status.
 */
export function convergeTcbStatus<T extends VerdictTcbStatus>(platform: T, component: ComponentTcbStatus): T | TcbStatus {
  if (component === "Revoked") return "Revoked";
  if (component === "UpToDate") return platform;
  switch (platform) {
    case "UpToDate":
    case "SWHardeningNeeded":
      return "OutOfDate";
    case "ConfigurationNeeded":
    case "ConfigurationAndSWHardeningNeeded":
      return "OutOfDateConfigurationNeeded";
    case "OutOfDate":
    case "OutOfDateConfigurationNeeded":
    case "Revoked":
    case "TDRelaunchAdvised":
    case "TDRelaunchAdvisedConfigurationNeeded":
      return platform;
  }
}

const QV_RESULT: Record<Exclude<VerdictTcbStatus, "Revoked">, QvResultName> = {
  UpToDate: "SGX_QL_QV_RESULT_OK",
  SWHardeningNeeded: "SGX_QL_QV_RESULT_SW_HARDENING_NEEDED",
  ConfigurationNeeded: "SGX_QL_QV_RESULT_CONFIG_NEEDED",
  ConfigurationAndSWHardeningNeeded: "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
  OutOfDate: "SGX_QL_QV_RESULT_OUT_OF_DATE",
  OutOfDateConfigurationNeeded: "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED",
  TDRelaunchAdvised: "SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED",
  TDRelaunchAdvisedConfigurationNeeded: "SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED_CONFIG_NEEDED",
};

/** The sgx_ql_qv_result_t name of a non-terminal status (Revoked is an error, not a result). */
export function qvResultName(status: Exclude<VerdictTcbStatus, "Revoked">): QvResultName {
  return QV_RESULT[status];
}
