import { JsonFields } from "./json-fields.ts";
import { parseComponentTcbLevels, type ComponentTcbLevel } from "./component-tcb-level.ts";

/** A QE identity TCB level. */
export type EnclaveIdentityTcbLevel = ComponentTcbLevel;

/** Parsed Enclave Identity v2 (`enclaveIdentity` member). The signature covers the raw text. */
export interface EnclaveIdentity {
  /** "QE" (SGX quotes), "TD_QE" (TDX quotes), "QVE", "QAE". */
  readonly id: string;
  readonly version: 2;
  readonly issueDate: Date;
  readonly nextUpdate: Date;
  readonly tcbEvaluationDataNumber: number;
  /** 4 bytes, as the hex is written. */
  readonly miscselect: Uint8Array;
  readonly miscselectMask: Uint8Array;
  /** 16 bytes. */
  readonly attributes: Uint8Array;
  readonly attributesMask: Uint8Array;
  /** 32 bytes. */
  readonly mrSigner: Uint8Array;
  readonly isvProdId: number;
  /** In served order (highest first). */
  readonly tcbLevels: readonly EnclaveIdentityTcbLevel[];
}

/**
 * Parses the text of an `enclaveIdentity` member (version 2 only, as Intel QVL). Throws
 * CollateralError ERR_COLLATERAL_QE_IDENTITY naming the field.
 */
export function parseEnclaveIdentity(signedText: string): EnclaveIdentity {
  const f = new JsonFields("ERR_COLLATERAL_QE_IDENTITY", "enclaveIdentity");
  const o = f.object(f.parse(signedText), "");
  const version = f.integer(o.version, "version");
  if (version !== 2) f.fail("version", `${version} is not supported (2)`);
  const levels = f.array(o.tcbLevels, "tcbLevels");
  if (levels.length === 0) f.fail("tcbLevels", "must not be empty");
  return {
    id: f.string(o.id, "id"),
    version: 2,
    issueDate: f.date(o.issueDate, "issueDate"),
    nextUpdate: f.date(o.nextUpdate, "nextUpdate"),
    tcbEvaluationDataNumber: f.integer(o.tcbEvaluationDataNumber, "tcbEvaluationDataNumber"),
    miscselect: f.hex(o.miscselect, "miscselect", 4),
    miscselectMask: f.hex(o.miscselectMask, "miscselectMask", 4),
    attributes: f.hex(o.attributes, "attributes", 16),
    attributesMask: f.hex(o.attributesMask, "attributesMask", 16),
    mrSigner: f.hex(o.mrsigner, "mrsigner", 32),
    isvProdId: f.integer(o.isvprodid, "isvprodid", 0xffff),
    tcbLevels: parseComponentTcbLevels(f, levels, "tcbLevels"),
  };
}
