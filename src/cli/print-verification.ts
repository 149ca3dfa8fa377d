import { toHex } from "../shared/bytes.ts";
import type { SignatureVerification } from "../verifier/index.ts";

const ATTRIBUTE_DEBUG = 0x2n;

/** The verified identity as plain JSON (bigints and bytes as hex), for `verify --json`. */
export function verificationJson(result: SignatureVerification): Record<string, unknown> {
  const body = result.reportBody;
  return {
    verified: true,
    layer: "signature-chain",
    root: result.rootKind,
    quoteVersion: result.quote.version,
    enclave: {
      mrEnclave: toHex(body.mrEnclave),
      mrSigner: toHex(body.mrSigner),
      isvProdId: body.isvProdId,
      isvSvn: body.isvSvn,
      attributes: { flags: `0x${body.attributes.flags.toString(16)}`, xfrm: `0x${body.attributes.xfrm.toString(16)}` },
      debug: (body.attributes.flags & ATTRIBUTE_DEBUG) !== 0n,
      miscSelect: body.miscSelect,
      reportData: toHex(body.reportData),
    },
    qe: { mrEnclave: toHex(result.qeReport.mrEnclave), mrSigner: toHex(result.qeReport.mrSigner), isvSvn: result.qeReport.isvSvn },
    platform: {
      fmspc: result.fmspc,
      pceId: result.pceId,
      pceSvn: result.pck.tcb.pceSvn,
      tcbComponents: result.pck.tcb.components,
      pckIssuer: result.pckIssuerCommonName,
    },
    chainValidity: { notBefore: result.chainValidity.notBefore.toISOString(), notAfter: result.chainValidity.notAfter.toISOString() },
    trailingBytes: result.trailingBytes,
  };
}

/** A readable summary, one fact per line. */
export function printSignatureVerification(result: SignatureVerification, print: (line: string) => void, indent = ""): void {
  const body = result.reportBody;
  const lines = [
    `signature chain: valid, rooted at ${result.rootKind === "intel" ? "Intel's SGX Root CA" : "a SIMULATED root (trusted explicitly)"}`,
    `MRENCLAVE  ${toHex(body.mrEnclave)}`,
    `MRSIGNER   ${toHex(body.mrSigner)}`,
    `ISV        prod id ${body.isvProdId}, svn ${body.isvSvn}, ${(body.attributes.flags & ATTRIBUTE_DEBUG) !== 0n ? "DEBUG enclave" : "production enclave"}`,
    `reportdata ${toHex(body.reportData)}`,
    `platform   FMSPC ${result.fmspc}, PCE-ID ${result.pceId}, PCESVN ${result.pck.tcb.pceSvn}, PCK issuer "${result.pckIssuerCommonName}"`,
    `QE         ISVSVN ${result.qeReport.isvSvn}, MRSIGNER ${toHex(result.qeReport.mrSigner)}`,
  ];
  for (const line of lines) print(`${indent}${line}`);
}
