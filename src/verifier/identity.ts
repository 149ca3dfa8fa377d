import type { QuoteBody, TdReportBody } from "../quote/index.ts";
import type { ReportBody } from "../sgx/index.ts";
import { asBuffer, toHex } from "../shared/bytes.ts";

/** Identity of an SGX enclave quote. */
export interface SgxIdentity {
  readonly mrEnclave: string;
  readonly mrSigner: string;
  readonly isvProdId: number;
  readonly isvSvn: number;
  /** ATTRIBUTES.FLAGS / XFRM as hex of the u64 values. */
  readonly attributes: { readonly flags: string; readonly xfrm: string };
  readonly debug: boolean;
  readonly miscSelect: number;
  readonly configSvn: number;
  readonly reportData: string;
  readonly cpuSvn: string;
}

/** Identity of a TD quote (all hex). */
export interface TdIdentity {
  readonly teeTcbSvn: string;
  readonly mrSeam: string;
  readonly mrSignerSeam: string;
  readonly seamAttributes: string;
  readonly tdAttributes: string;
  readonly debug: boolean;
  readonly xfam: string;
  readonly mrTd: string;
  readonly mrConfigId: string;
  readonly mrOwner: string;
  readonly mrOwnerConfig: string;
  readonly rtmrs: readonly [string, string, string, string];
  readonly reportData: string;
  /** TD 1.5 only. */
  readonly teeTcbSvn2?: string;
  readonly mrServiceTd?: string;
}

/** The attested identity of a quote body, as hex strings: `enclave` for SGX, `td` for TDX. */
export function quoteIdentity(body: QuoteBody): { enclave: SgxIdentity | undefined; td: TdIdentity | undefined } {
  return body.type === "sgx" ? { enclave: sgxIdentity(body.report), td: undefined } : { enclave: undefined, td: tdIdentity(body.report) };
}

function sgxIdentity(body: ReportBody): SgxIdentity {
  return {
    mrEnclave: toHex(body.mrEnclave),
    mrSigner: toHex(body.mrSigner),
    isvProdId: body.isvProdId,
    isvSvn: body.isvSvn,
    attributes: { flags: body.attributes.flags.toString(16).padStart(16, "0"), xfrm: body.attributes.xfrm.toString(16).padStart(16, "0") },
    debug: (body.attributes.flags & 0x2n) !== 0n,
    miscSelect: body.miscSelect,
    configSvn: body.configSvn,
    reportData: toHex(body.reportData),
    cpuSvn: toHex(body.cpuSvn),
  };
}

function tdIdentity(td: TdReportBody): TdIdentity {
  const extra =
    "teeTcbSvn2" in td && td.teeTcbSvn2 instanceof Uint8Array && "mrServiceTd" in td && td.mrServiceTd instanceof Uint8Array
      ? { teeTcbSvn2: toHex(td.teeTcbSvn2), mrServiceTd: toHex(td.mrServiceTd) }
      : {};
  return {
    teeTcbSvn: toHex(td.teeTcbSvn),
    mrSeam: toHex(td.mrSeam),
    mrSignerSeam: toHex(td.mrSignerSeam),
    seamAttributes: toHex(td.seamAttributes),
    tdAttributes: toHex(td.tdAttributes),
    debug: (asBuffer(td.tdAttributes)[0]! & 1) !== 0,
    xfam: toHex(td.xfam),
    mrTd: toHex(td.mrTd),
    mrConfigId: toHex(td.mrConfigId),
    mrOwner: toHex(td.mrOwner),
    mrOwnerConfig: toHex(td.mrOwnerConfig),
    rtmrs: [toHex(td.rtmrs[0]), toHex(td.rtmrs[1]), toHex(td.rtmrs[2]), toHex(td.rtmrs[3])],
    reportData: toHex(td.reportData),
    ...extra,
  };
}
