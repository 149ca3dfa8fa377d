/**
 * Synthetic TCB Info documents for the pure TCB evaluation functions (real collateral cannot be
 * re-signed). Built as PCS would serve them (TCB Info v3, research doc §3.2) and parsed with
 * parseTcbInfo, so the evaluation sees what the verifier would see.
 */
import { parseTcbInfo, type TcbInfo, type TcbStatus } from "../../collateral/index.ts";
import { parseTdReportBody15, type PckTcb, type TdReportBody15 } from "../../quote/index.ts";

export interface LevelSpec {
  readonly sgx?: readonly number[];
  readonly pcesvn?: number;
  readonly tdx?: readonly number[];
  readonly status: string;
  readonly advisoryIDs?: readonly string[];
}

export interface ModuleSpec {
  readonly id: string;
  readonly levels: ReadonlyArray<{ readonly isvsvn: number; readonly status: string; readonly advisoryIDs?: readonly string[] }>;
}

/** The PCK TCB every synthetic level is compared with: 16 × 5, PCESVN 10. */
export const PCK_TCB: PckTcb = { components: Array(16).fill(5), pceSvn: 10, cpuSvn: new Uint8Array(16).fill(5) };

export const SGX_COMPONENTS = Array<number>(16).fill(5);

/** 16 TDX component SVNs from a prefix. */
export function svn16(prefix: readonly number[]): number[] {
  return Array.from({ length: 16 }, (_, i) => prefix[i] ?? 0);
}

const ZERO48 = "00".repeat(48);

/** The JSON text of a TCB Info v3 (id TDX or SGX) with the given levels and module identities. */
export function tcbInfoText(id: "SGX" | "TDX", levels: readonly LevelSpec[], modules?: readonly ModuleSpec[]): string {
  const comp = (svns: readonly number[]) => svns.map((svn) => ({ svn }));
  return JSON.stringify({
    id,
    version: 3,
    issueDate: "2026-01-01T00:00:00Z",
    nextUpdate: "2026-01-31T00:00:00Z",
    fmspc: "90C06F000000",
    pceId: "0000",
    tcbType: 0,
    tcbEvaluationDataNumber: 17,
    ...(id === "TDX" ? { tdxModule: { mrsigner: ZERO48, attributes: "0000000000000000", attributesMask: "FFFFFFFFFFFFFFFF" } } : {}),
    ...(modules === undefined
      ? {}
      : {
          tdxModuleIdentities: modules.map((m) => ({
            id: m.id,
            mrsigner: ZERO48,
            attributes: "0000000000000000",
            attributesMask: "FFFFFFFFFFFFFFFF",
            tcbLevels: m.levels.map((l) => ({
              tcb: { isvsvn: l.isvsvn },
              tcbDate: "2025-01-01T00:00:00Z",
              tcbStatus: l.status,
              ...(l.advisoryIDs === undefined ? {} : { advisoryIDs: l.advisoryIDs }),
            })),
          })),
        }),
    tcbLevels: levels.map((l) => ({
      tcb: {
        sgxtcbcomponents: comp(l.sgx ?? SGX_COMPONENTS),
        pcesvn: l.pcesvn ?? 10,
        ...(id === "TDX" ? { tdxtcbcomponents: comp(svn16(l.tdx ?? [])) } : {}),
      },
      tcbDate: "2025-01-01T00:00:00Z",
      tcbStatus: l.status,
      ...(l.advisoryIDs === undefined ? {} : { advisoryIDs: l.advisoryIDs }),
    })),
  });
}

export function tdxTcbInfo(levels: readonly LevelSpec[], modules?: readonly ModuleSpec[]): TcbInfo {
  return parseTcbInfo(tcbInfoText("TDX", levels, modules));
}

export function sgxTcbInfo(levels: readonly LevelSpec[]): TcbInfo {
  return parseTcbInfo(tcbInfoText("SGX", levels));
}

/** A TD 1.5 report body (648 bytes, §1.4) with TEE_TCB_SVN at 0 and TEE_TCB_SVN_2 at 584. */
export function td15Body(teeTcbSvn: readonly number[], teeTcbSvn2: readonly number[]): TdReportBody15 {
  const bytes = new Uint8Array(648);
  bytes.set(svn16(teeTcbSvn), 0);
  bytes.set(svn16(teeTcbSvn2), 584);
  return parseTdReportBody15(bytes);
}

/** sgx_ql_qv_result_t name and value of every final status but Revoked (research doc §5), transcribed from the spec. */
export const QV_RESULT_OF_STATUS: Readonly<Record<Exclude<TcbStatus, "Revoked">, readonly [string, number]>> = {
  UpToDate: ["SGX_QL_QV_RESULT_OK", 0x0000],
  ConfigurationNeeded: ["SGX_QL_QV_RESULT_CONFIG_NEEDED", 0xa001],
  OutOfDate: ["SGX_QL_QV_RESULT_OUT_OF_DATE", 0xa002],
  OutOfDateConfigurationNeeded: ["SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED", 0xa003],
  SWHardeningNeeded: ["SGX_QL_QV_RESULT_SW_HARDENING_NEEDED", 0xa007],
  ConfigurationAndSWHardeningNeeded: ["SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED", 0xa008],
};

/** The 7 platform TCB statuses of a TCB level (research doc §3.2), transcribed from the spec. */
export const PLATFORM_TCB_STATUSES: readonly TcbStatus[] = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
];

/** §4.7, row by row: Q (QE identity / component status) → P (platform status) → result. */
export const SECTION_4_7: Readonly<Record<"UpToDate" | "OutOfDate" | "Revoked", Readonly<Record<TcbStatus, TcbStatus>>>> = {
  UpToDate: {
    UpToDate: "UpToDate",
    SWHardeningNeeded: "SWHardeningNeeded",
    ConfigurationNeeded: "ConfigurationNeeded",
    ConfigurationAndSWHardeningNeeded: "ConfigurationAndSWHardeningNeeded",
    OutOfDate: "OutOfDate",
    OutOfDateConfigurationNeeded: "OutOfDateConfigurationNeeded",
    Revoked: "Revoked",
  },
  OutOfDate: {
    UpToDate: "OutOfDate",
    SWHardeningNeeded: "OutOfDate",
    ConfigurationNeeded: "OutOfDateConfigurationNeeded",
    ConfigurationAndSWHardeningNeeded: "OutOfDateConfigurationNeeded",
    OutOfDate: "OutOfDate",
    OutOfDateConfigurationNeeded: "OutOfDateConfigurationNeeded",
    Revoked: "Revoked",
  },
  Revoked: {
    UpToDate: "Revoked",
    SWHardeningNeeded: "Revoked",
    ConfigurationNeeded: "Revoked",
    ConfigurationAndSWHardeningNeeded: "Revoked",
    OutOfDate: "Revoked",
    OutOfDateConfigurationNeeded: "Revoked",
    Revoked: "Revoked",
  },
};
