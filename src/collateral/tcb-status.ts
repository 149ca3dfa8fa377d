/** The TCB statuses of an SGX/TDX TCB level (TCB Info `tcbStatus`), as PCS spells them. */
export const TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
] as const;

export type TcbStatus = (typeof TCB_STATUSES)[number];

/** The statuses a component (QE identity level, TDX module identity level) may have. */
export const COMPONENT_TCB_STATUSES = ["UpToDate", "OutOfDate", "Revoked"] as const;

export type ComponentTcbStatus = (typeof COMPONENT_TCB_STATUSES)[number];
