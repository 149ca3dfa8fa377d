import { AsnArray, AsnChoiceType, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema";
import { booleanValue, childrenOf, DerCursor, DerError, oidText, readDer, smallInteger, Tag, type DerElement } from "../shared/der.ts";
import { certificateFields, type DerExtension } from "../shared/x509-der.ts";
import { copyBytes } from "../shared/bytes.ts";
import { QuoteFormatError } from "./errors.ts";

/** OID of Intel's SGX extension in PCK certificates, and the arcs below it. */
export const SGX_EXTENSION_OID = "1.2.840.113741.1.13.1";
const Oid = {
  PPID: `${SGX_EXTENSION_OID}.1`,
  TCB: `${SGX_EXTENSION_OID}.2`,
  PCESVN: `${SGX_EXTENSION_OID}.2.17`,
  CPUSVN: `${SGX_EXTENSION_OID}.2.18`,
  PCE_ID: `${SGX_EXTENSION_OID}.3`,
  FMSPC: `${SGX_EXTENSION_OID}.4`,
  SGX_TYPE: `${SGX_EXTENSION_OID}.5`,
  PLATFORM_INSTANCE_ID: `${SGX_EXTENSION_OID}.6`,
  CONFIGURATION: `${SGX_EXTENSION_OID}.7`,
} as const;
const componentOid = (i: number): string => `${Oid.TCB}.${i}`;
const CONFIGURATION_NAMES = ["dynamicPlatform", "cachedKeys", "smtEnabled"] as const;

/** SGX Type values of the extension. */
export const SgxType = { STANDARD: 0, SCALABLE: 1, SCALABLE_WITH_INTEGRITY: 2 } as const;

/**
 * Contents of the SGX extension (value = DER SEQUENCE OF SEQUENCE { OID, value }):
 *
 * | arc  | field              | ASN.1 value                                    |
 * |------|--------------------|------------------------------------------------|
 * | .1   | ppid               | OCTET STRING (16)                              |
 * | .2   | tcb                | SEQUENCE OF 18 { OID, value }: .2.1–.2.16 component SVN INTEGERs, .2.17 PCESVN INTEGER, .2.18 CPUSVN OCTET STRING (16) |
 * | .3   | pceId              | OCTET STRING (2)                               |
 * | .4   | fmspc              | OCTET STRING (6)                               |
 * | .5   | sgxType            | ENUMERATED (0 standard, 1 scalable, 2 scalable with integrity) |
 * | .6   | platformInstanceId | OCTET STRING (16), Platform-CA PCKs only       |
 * | .7   | configuration      | SEQUENCE OF { OID .7.1–.7.3, BOOLEAN }, Platform-CA PCKs only |
 */
export interface PckExtension {
  readonly ppid: Uint8Array;
  readonly tcb: PckTcb;
  readonly pceId: Uint8Array;
  readonly fmspc: Uint8Array;
  readonly sgxType: number;
  readonly platformInstanceId?: Uint8Array;
  readonly configuration?: PckConfiguration;
}

export interface PckTcb {
  /** The 16 SGX TCB component SVNs (0..255), comp01 first. */
  readonly components: readonly number[];
  readonly pceSvn: number;
  readonly cpuSvn: Uint8Array;
}

export interface PckConfiguration {
  readonly dynamicPlatform?: boolean;
  readonly cachedKeys?: boolean;
  readonly smtEnabled?: boolean;
}

// ASN.1 schema for encoding (the simulated platform builds PCK certificates with it; parsing uses
// the DER reader): the extension is a list of { OID, value } entries whose value is a CHOICE of the
// types Intel uses, recursively for TCB and Configuration. Decorator functions are applied by hand
// (the project compiles without decorator syntax).
class SgxValue {
  octets?: OctetString;
  integer?: number;
  enumerated?: number;
  boolean?: boolean;
  list?: SgxEntryList;
}
class SgxEntry {
  id = "";
  value = new SgxValue();
}
class SgxEntryList extends AsnArray<SgxEntry> {}

AsnChoiceType()(SgxValue);
AsnProp({ type: OctetString })(SgxValue.prototype, "octets");
AsnProp({ type: AsnPropTypes.Integer })(SgxValue.prototype, "integer");
AsnProp({ type: AsnPropTypes.Enumerated })(SgxValue.prototype, "enumerated");
AsnProp({ type: AsnPropTypes.Boolean })(SgxValue.prototype, "boolean");
AsnProp({ type: SgxEntryList })(SgxValue.prototype, "list");
AsnType({ type: AsnTypeTypes.Sequence })(SgxEntry);
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(SgxEntry.prototype, "id");
AsnProp({ type: SgxValue })(SgxEntry.prototype, "value");
AsnType({ type: AsnTypeTypes.Sequence, itemType: SgxEntry })(SgxEntryList);

/** DER of the extension value (the bytes inside extnValue's OCTET STRING). */
export function encodePckExtension(ext: PckExtension): Uint8Array {
  const tcb = [
    ...ext.tcb.components.map((svn, i) => entry(componentOid(i + 1), { integer: svn })),
    entry(Oid.PCESVN, { integer: ext.tcb.pceSvn }),
    entry(Oid.CPUSVN, { octets: new OctetString(ext.tcb.cpuSvn) }),
  ];
  const entries = [
    entry(Oid.PPID, { octets: new OctetString(ext.ppid) }),
    entry(Oid.TCB, { list: new SgxEntryList(tcb) }),
    entry(Oid.PCE_ID, { octets: new OctetString(ext.pceId) }),
    entry(Oid.FMSPC, { octets: new OctetString(ext.fmspc) }),
    entry(Oid.SGX_TYPE, { enumerated: ext.sgxType }),
  ];
  if (ext.platformInstanceId) entries.push(entry(Oid.PLATFORM_INSTANCE_ID, { octets: new OctetString(ext.platformInstanceId) }));
  if (ext.configuration) entries.push(entry(Oid.CONFIGURATION, { list: new SgxEntryList(configurationEntries(ext.configuration)) }));
  return new Uint8Array(AsnConvert.serialize(new SgxEntryList(entries)));
}

/**
 * Parses the extension value DER with QVL's rules: 5 entries (Processor-CA PCK) or 7 (Platform-CA
 * PCK), in arc order, TCB with exactly 18 entries, fixed byte lengths. Throws ERR_QUOTE_PCK_EXTENSION.
 */
export function parsePckExtension(der: Uint8Array): PckExtension {
  let list: Entry[];
  try {
    list = entries(readDer(der, Tag.SEQUENCE, "SGX extension"));
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new QuoteFormatError(
      "ERR_QUOTE_PCK_EXTENSION",
      `SGX extension is not valid DER of the expected shape (${error.message})`,
      {},
      { cause: error },
    );
  }
  if (list.length !== 5 && list.length !== 7) fail(`SGX extension has ${list.length} entries (expected 5 or 7)`);
  const base = {
    ppid: octets(list, 0, Oid.PPID, 16),
    tcb: parseTcb(listOf(list, 1, Oid.TCB)),
    pceId: octets(list, 2, Oid.PCE_ID, 2),
    fmspc: octets(list, 3, Oid.FMSPC, 6),
    sgxType: valueAt(list, 4, Oid.SGX_TYPE, Tag.ENUMERATED),
  };
  if (list.length === 5) return base;
  return {
    ...base,
    platformInstanceId: octets(list, 5, Oid.PLATFORM_INSTANCE_ID, 16),
    configuration: parseConfiguration(listOf(list, 6, Oid.CONFIGURATION)),
  };
}

/**
 * Finds and parses the SGX extension of a DER certificate. A certificate without it, or not
 * parseable, throws ERR_QUOTE_PCK_EXTENSION.
 */
export function readPckExtension(certificateDer: Uint8Array): PckExtension {
  let extensions: readonly DerExtension[];
  try {
    extensions = certificateFields(certificateDer).extensions;
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new QuoteFormatError("ERR_QUOTE_PCK_EXTENSION", `PCK certificate is not valid DER (${error.message})`, {}, { cause: error });
  }
  const ext = extensions.find((e) => e.id === SGX_EXTENSION_OID);
  if (!ext) fail(`PCK certificate has no SGX extension (${SGX_EXTENSION_OID})`);
  return parsePckExtension(ext.value);
}

/** One { OID, value } entry; a SEQUENCE value is read as a nested entry list (TCB, Configuration). */
interface Entry {
  readonly id: string;
  readonly value: DerElement;
  readonly list: Entry[] | undefined;
}

/** The value types an entry may hold (any other tag is not the extension's shape). */
const VALUE_TAGS: ReadonlySet<number> = new Set([Tag.OCTET_STRING, Tag.INTEGER, Tag.ENUMERATED, Tag.BOOLEAN, Tag.SEQUENCE]);

function entries(sequence: DerElement): Entry[] {
  return childrenOf(sequence, "SGX extension entry").map((element) => {
    const entry = new DerCursor(element, "SGX extension entry");
    const id = oidText(entry.next(Tag.OID, "entry OID"));
    const value = entry.next(undefined, "entry value");
    entry.end("SGX extension entry");
    if (!VALUE_TAGS.has(value.tag)) throw new DerError(`SGX extension ${id} has a value of tag 0x${value.tag.toString(16)}`, value.offset);
    return { id, value, list: value.tag === Tag.SEQUENCE ? entries(value) : undefined };
  });
}

function parseTcb(tcb: Entry[]): PckTcb {
  if (tcb.length !== 18) fail(`SGX TCB has ${tcb.length} entries (expected 18)`);
  const components = Array.from({ length: 16 }, (_, i) => {
    const svn = valueAt(tcb, i, componentOid(i + 1), Tag.INTEGER);
    if (svn < 0 || svn > 255) fail(`TCB component ${i + 1} SVN ${svn} out of range`);
    return svn;
  });
  const pceSvn = valueAt(tcb, 16, Oid.PCESVN, Tag.INTEGER);
  if (pceSvn < 0 || pceSvn > 0xffff) fail(`PCESVN ${pceSvn} out of range`);
  return { components, pceSvn, cpuSvn: octets(tcb, 17, Oid.CPUSVN, 16) };
}

function parseConfiguration(list: Entry[]): PckConfiguration {
  const config: Record<string, boolean> = {};
  for (const item of list) {
    const index = Number(item.id.slice(Oid.CONFIGURATION.length + 1)) - 1;
    const name = CONFIGURATION_NAMES[index];
    if (!item.id.startsWith(`${Oid.CONFIGURATION}.`) || name === undefined || item.value.tag !== Tag.BOOLEAN) {
      fail(`unexpected SGX configuration entry ${item.id}`);
    }
    config[name] = derValue(() => booleanValue(item.value));
  }
  return config;
}

function configurationEntries(config: PckConfiguration): SgxEntry[] {
  return CONFIGURATION_NAMES.flatMap((name, i) => {
    const value = config[name];
    return value === undefined ? [] : [entry(`${Oid.CONFIGURATION}.${i + 1}`, { boolean: value })];
  });
}

function entry(id: string, value: Partial<SgxValue>): SgxEntry {
  const e = new SgxEntry();
  e.id = id;
  e.value = Object.assign(new SgxValue(), value);
  return e;
}

function at(list: Entry[], index: number, oid: string): Entry {
  const item = list[index];
  if (item?.id !== oid) fail(`SGX extension entry ${index} is ${item?.id ?? "missing"}, expected ${oid}`);
  return item;
}

function valueAt(list: Entry[], index: number, oid: string, tag: typeof Tag.INTEGER | typeof Tag.ENUMERATED): number {
  const { value } = at(list, index, oid);
  if (value.tag !== tag) fail(`SGX extension ${oid} is not an ${tag === Tag.INTEGER ? "INTEGER" : "ENUMERATED"}`);
  return derValue(() => smallInteger(value, tag));
}

function octets(list: Entry[], index: number, oid: string, length: number): Uint8Array {
  const { value } = at(list, index, oid);
  if (value.tag !== Tag.OCTET_STRING || value.content.byteLength !== length)
    fail(`SGX extension ${oid} is not an OCTET STRING of ${length} bytes`);
  return copyBytes(value.content);
}

function listOf(list: Entry[], index: number, oid: string): Entry[] {
  const value = at(list, index, oid).list;
  if (!value) fail(`SGX extension ${oid} is not a SEQUENCE`);
  return value;
}

/** A primitive value read with the DER reader, its errors reported as the extension's. */
function derValue<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new QuoteFormatError("ERR_QUOTE_PCK_EXTENSION", `SGX extension: ${error.message}`, {}, { cause: error });
  }
}

function fail(message: string): never {
  throw new QuoteFormatError("ERR_QUOTE_PCK_EXTENSION", message);
}
