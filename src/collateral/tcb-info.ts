import { parseComponentTcbLevels, type ComponentTcbLevel } from "./component-tcb-level.ts";
import { JsonFields } from "./json-fields.ts";
import { TCB_STATUSES, type TcbStatus } from "./tcb-status.ts";

/** One `tcbLevels[]` entry of TCB Info (v2 and v3 normalised to one shape). */
export interface TcbLevel {
  /** The 16 SGX TCB component SVNs (v2 `sgxtcbcompNNsvn`, v3 `sgxtcbcomponents[].svn`). */
  readonly sgxComponents: readonly number[];
  readonly pceSvn: number;
  /** The 16 TDX TCB component SVNs (TDX TCB Info only). */
  readonly tdxComponents: readonly number[] | undefined;
  readonly tcbDate: string;
  readonly tcbStatus: TcbStatus;
  /** `advisoryIDs`, empty when absent. */
  readonly advisoryIds: readonly string[];
}

/** A TDX module identity TCB level. */
export type TdxModuleTcbLevel = ComponentTcbLevel;

/** Expected TDX module signer and attributes (`tdxModule`, or one `tdxModuleIdentities[]` entry). */
export interface TdxModule {
  /** 48 bytes. */
  readonly mrSigner: Uint8Array;
  /** 8 bytes. */
  readonly attributes: Uint8Array;
  /** 8 bytes. */
  readonly attributesMask: Uint8Array;
}

export interface TdxModuleIdentity extends TdxModule {
  /** "TDX_01" …, compared case-insensitively. */
  readonly id: string;
  readonly tcbLevels: readonly TdxModuleTcbLevel[];
}

/** Parsed TCB Info (v2 or v3, SGX or TDX). The signature covers the raw text, not this object. */
export interface TcbInfo {
  /** "SGX" or "TDX"; v2 has no id and is SGX. */
  readonly id: "SGX" | "TDX";
  readonly version: 2 | 3;
  readonly issueDate: Date;
  readonly nextUpdate: Date;
  /** Lower-case hex, 12 characters. */
  readonly fmspc: string;
  /** Lower-case hex, 4 characters. */
  readonly pceId: string;
  readonly tcbType: number;
  readonly tcbEvaluationDataNumber: number;
  readonly tdxModule: TdxModule | undefined;
  readonly tdxModuleIdentities: readonly TdxModuleIdentity[] | undefined;
  /** In served order (PCS serves highest first). */
  readonly tcbLevels: readonly TcbLevel[];
}

/**
 * Parses the text of a `tcbInfo` member with Intel QVL's rules: version 2 or 3; v3 id SGX/TDX;
 * tcbType 0; exactly 16 components; known status strings; TDX requires `tdxModule`, SGX refuses
 * it. Throws CollateralError ERR_COLLATERAL_TCB_INFO naming the field.
 */
export function parseTcbInfo(signedText: string): TcbInfo {
  const f = new JsonFields("ERR_COLLATERAL_TCB_INFO", "tcbInfo");
  const o = f.object(f.parse(signedText), "");
  const version = f.integer(o.version, "version");
  if (version !== 2 && version !== 3) f.fail("version", `${version} is not supported (2 or 3)`);
  const id =
    version === 2 ? (o.id === undefined ? "SGX" : f.oneOf(o.id, "id", ["SGX"] as const)) : f.oneOf(o.id, "id", ["SGX", "TDX"] as const);
  const tcbType = f.integer(o.tcbType, "tcbType");
  if (tcbType !== 0) f.fail("tcbType", `${tcbType} is not supported (0)`);
  const isTdx = id === "TDX";
  if (isTdx && o.tdxModule === undefined) f.fail("tdxModule", "required in TDX TCB Info");
  if (!isTdx && (o.tdxModule !== undefined || o.tdxModuleIdentities !== undefined)) f.fail("tdxModule", "not allowed in SGX TCB Info");
  const levels = f.array(o.tcbLevels, "tcbLevels");
  if (levels.length === 0) f.fail("tcbLevels", "must not be empty");
  const tcbLevels = levels.map((level, i) => parseLevel(f, level, `tcbLevels[${i}]`, version, isTdx));
  const seen = new Set<string>();
  for (const level of tcbLevels) {
    const key = tcbLevelKey(level).join(",");
    if (seen.has(key)) f.fail("tcbLevels", "duplicate TCB level");
    seen.add(key);
  }
  return {
    id,
    version: version as 2 | 3,
    issueDate: f.date(o.issueDate, "issueDate"),
    nextUpdate: f.date(o.nextUpdate, "nextUpdate"),
    fmspc: Buffer.from(f.hex(o.fmspc, "fmspc", 6)).toString("hex"),
    pceId: Buffer.from(f.hex(o.pceId, "pceId", 2)).toString("hex"),
    tcbType,
    tcbEvaluationDataNumber: f.integer(o.tcbEvaluationDataNumber, "tcbEvaluationDataNumber"),
    tdxModule: isTdx ? parseModule(f, o.tdxModule, "tdxModule") : undefined,
    tdxModuleIdentities:
      isTdx && o.tdxModuleIdentities !== undefined
        ? f.array(o.tdxModuleIdentities, "tdxModuleIdentities").map((m, i) => parseModuleIdentity(f, m, `tdxModuleIdentities[${i}]`))
        : undefined,
    tcbLevels,
  };
}

/** A level's SVNs in the order QVL compares levels: SGX components, PCESVN, then TDX components. */
export function tcbLevelKey(level: TcbLevel): number[] {
  return [...level.sgxComponents, level.pceSvn, ...(level.tdxComponents ?? [])];
}

function parseLevel(f: JsonFields, value: unknown, path: string, version: number, isTdx: boolean): TcbLevel {
  const level = f.object(value, path);
  const tcb = f.object(level.tcb, `${path}.tcb`);
  let sgxComponents: number[];
  let tdxComponents: number[] | undefined;
  if (version === 2) {
    sgxComponents = Array.from({ length: 16 }, (_, i) => {
      const name = `sgxtcbcomp${String(i + 1).padStart(2, "0")}svn`;
      return f.integer(tcb[name], `${path}.tcb.${name}`, 255);
    });
  } else {
    sgxComponents = components(f, tcb.sgxtcbcomponents, `${path}.tcb.sgxtcbcomponents`);
    if (isTdx) tdxComponents = components(f, tcb.tdxtcbcomponents, `${path}.tcb.tdxtcbcomponents`);
  }
  return {
    sgxComponents,
    pceSvn: f.integer(tcb.pcesvn, `${path}.tcb.pcesvn`, 0xffff),
    tdxComponents,
    tcbDate: f.string(level.tcbDate, `${path}.tcbDate`),
    tcbStatus: f.oneOf(level.tcbStatus, `${path}.tcbStatus`, TCB_STATUSES),
    advisoryIds: f.stringList(level.advisoryIDs, `${path}.advisoryIDs`),
  };
}

function components(f: JsonFields, value: unknown, path: string): number[] {
  const list = f.array(value, path);
  if (list.length !== 16) f.fail(path, `must hold 16 components, holds ${list.length}`);
  return list.map((c, i) => f.integer(f.object(c, `${path}[${i}]`).svn, `${path}[${i}].svn`, 255));
}

function parseModule(f: JsonFields, value: unknown, path: string): TdxModule {
  const m = f.object(value, path);
  return {
    mrSigner: f.hex(m.mrsigner, `${path}.mrsigner`, 48),
    attributes: f.hex(m.attributes, `${path}.attributes`, 8),
    attributesMask: f.hex(m.attributesMask, `${path}.attributesMask`, 8),
  };
}

function parseModuleIdentity(f: JsonFields, value: unknown, path: string): TdxModuleIdentity {
  const m = f.object(value, path);
  const levels = f.array(m.tcbLevels, `${path}.tcbLevels`);
  if (levels.length === 0) f.fail(`${path}.tcbLevels`, "must not be empty");
  return {
    ...parseModule(f, m, path),
    id: f.string(m.id, `${path}.id`),
    tcbLevels: parseComponentTcbLevels(f, levels, `${path}.tcbLevels`),
  };
}
