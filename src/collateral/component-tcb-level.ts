import type { JsonFields } from "./json-fields.ts";
import { COMPONENT_TCB_STATUSES, type ComponentTcbStatus } from "./tcb-status.ts";

/** A TCB level of a single component (QE identity, TDX module identity): judged by its ISVSVN. */
export interface ComponentTcbLevel {
  readonly isvSvn: number;
  readonly tcbDate: string;
  readonly tcbStatus: ComponentTcbStatus;
  readonly advisoryIds: readonly string[];
}

/** Parses `tcbLevels[i]` entries of the `{tcb: {isvsvn}, tcbDate, tcbStatus, advisoryIDs?}` shape. */
export function parseComponentTcbLevels(f: JsonFields, levels: readonly unknown[], path: string): ComponentTcbLevel[] {
  return levels.map((l, i) => {
    const p = `${path}[${i}]`;
    const level = f.object(l, p);
    return {
      isvSvn: f.integer(f.object(level.tcb, `${p}.tcb`).isvsvn, `${p}.tcb.isvsvn`, 0xffff),
      tcbDate: f.string(level.tcbDate, `${p}.tcbDate`),
      tcbStatus: f.oneOf(level.tcbStatus, `${p}.tcbStatus`, COMPONENT_TCB_STATUSES),
      advisoryIds: f.stringList(level.advisoryIDs, `${p}.advisoryIDs`),
    };
  });
}
