import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fromHex } from "../shared/bytes.ts";
import type { Collateral } from "./collateral.ts";
import { crlDerOf } from "./crl.ts";
import { CollateralError } from "./errors.ts";
import { splitSignedJson, topLevelMembers } from "./signed-json.ts";

/** File names of a split collateral directory (as in the vectors, and as a PCS/PCCS serves them). */
export const CollateralFile = {
  TCB_INFO: "tcb_info.json",
  TCB_INFO_ISSUER_CHAIN: "tcb_info_issuer_chain.pem",
  QE_IDENTITY: "qe_identity.json",
  QE_IDENTITY_ISSUER_CHAIN: "qe_identity_issuer_chain.pem",
  PCK_CRL: "pck_crl.der",
  PCK_CRL_ISSUER_CHAIN: "pck_crl_issuer_chain.pem",
  ROOT_CA_CRL: "root_ca_crl.der",
  BUNDLE: "collateral.json",
} as const;

/**
 * Loads collateral from `path`: a directory of split files (tcb_info.json and qe_identity.json as
 * PCS bodies, the three issuer chains as PEM, pck_crl.der and root_ca_crl.der as DER, PEM or hex),
 * or a collateral.json bundle file. A directory holding only collateral.json is read as a bundle.
 * Throws CollateralError (ERR_COLLATERAL_FILE, _BUNDLE, _SIGNED_JSON, _CRL).
 */
export async function loadCollateral(path: string): Promise<Collateral> {
  const info = await stat(path).catch((error: unknown) => {
    throw new CollateralError("ERR_COLLATERAL_FILE", `cannot read collateral at ${path}`, path, { cause: error });
  });
  if (!info.isDirectory()) return collateralFromBundle(await readText(path));
  const hasSplit = await stat(join(path, CollateralFile.TCB_INFO)).then(
    () => true,
    () => false,
  );
  if (!hasSplit) return collateralFromBundle(await readText(join(path, CollateralFile.BUNDLE)));
  return loadCollateralDirectory(path);
}

/** Loads a directory of split files (see {@link loadCollateral}). */
export async function loadCollateralDirectory(dir: string): Promise<Collateral> {
  const [tcbBody, qeBody, tcbChain, qeChain, pckChain, pckCrl, rootCrl] = await Promise.all([
    readText(join(dir, CollateralFile.TCB_INFO)),
    readText(join(dir, CollateralFile.QE_IDENTITY)),
    readText(join(dir, CollateralFile.TCB_INFO_ISSUER_CHAIN)),
    readText(join(dir, CollateralFile.QE_IDENTITY_ISSUER_CHAIN)),
    readText(join(dir, CollateralFile.PCK_CRL_ISSUER_CHAIN)),
    readBytes(join(dir, CollateralFile.PCK_CRL)),
    readBytes(join(dir, CollateralFile.ROOT_CA_CRL)),
  ]);
  const tcb = splitSignedJson(tcbBody, "tcbInfo");
  const qe = splitSignedJson(qeBody, "enclaveIdentity");
  return {
    pckCrlIssuerChain: pckChain,
    rootCaCrl: crlBytes(rootCrl),
    pckCrl: crlBytes(pckCrl),
    tcbInfoIssuerChain: tcbChain,
    tcbInfo: tcb.signedText,
    tcbInfoSignature: tcb.signature,
    qeIdentityIssuerChain: qeChain,
    qeIdentity: qe.signedText,
    qeIdentitySignature: qe.signature,
  };
}

/**
 * Reads a collateral.json bundle (the shape of Phala's QuoteCollateralV3 / Intel's
 * sgx_ql_qve_collateral_t): `pck_crl_issuer_chain`, `root_ca_crl` (hex DER, PEM, or an array of
 * bytes), `pck_crl`, `tcb_info_issuer_chain`, `tcb_info` (the exact signed text; a whole PCS body
 * `{"tcbInfo":…,"signature":…}` is also accepted), `tcb_info_signature` (hex), the same three for
 * `qe_identity`. The signed texts are taken from the bundle's raw JSON string values as decoded by
 * JSON (they are strings inside the bundle, so their content is the served text).
 */
export function collateralFromBundle(text: string): Collateral {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CollateralError("ERR_COLLATERAL_BUNDLE", "collateral bundle is not JSON", "collateral.json", { cause: error });
  }
  return collateralFromBundleObject(json);
}

/**
 * {@link collateralFromBundle} for a bundle already parsed from JSON (e.g. the object a PCCS
 * client or dcap-qvl's getCollateral returns). Throws CollateralError ERR_COLLATERAL_BUNDLE.
 */
export function collateralFromBundleObject(json: unknown): Collateral {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CollateralError("ERR_COLLATERAL_BUNDLE", "collateral bundle is not a JSON object", "collateral.json");
  }
  const o = json as Record<string, unknown>;
  const str = (name: string): string => {
    const value = o[name];
    if (typeof value !== "string")
      throw new CollateralError("ERR_COLLATERAL_BUNDLE", `collateral bundle: "${name}" must be a string`, name);
    return value;
  };
  const bytes = (name: string): Uint8Array => {
    const value = o[name];
    if (Array.isArray(value) && value.every((b) => typeof b === "number" && Number.isInteger(b) && b >= 0 && b < 256)) {
      return new Uint8Array(value as number[]);
    }
    const text = str(name);
    return crlDerOf(text) ?? new Uint8Array(Buffer.from(text, "latin1"));
  };
  const signed = (name: string, member: string, sigName: string): { text: string; signature: Uint8Array } => {
    const value = str(name);
    if (mayHaveMember(value, member) && topLevelMembersSafe(value).has(member)) {
      const split = splitSignedJson(value, member);
      return { text: split.signedText, signature: split.signature };
    }
    const sig = str(sigName);
    if (!/^[0-9a-fA-F]{128}$/.test(sig))
      throw new CollateralError("ERR_COLLATERAL_BUNDLE", `collateral bundle: "${sigName}" must be 128 hex`, sigName);
    return { text: value, signature: fromHex(sig) };
  };
  const tcb = signed("tcb_info", "tcbInfo", "tcb_info_signature");
  const qe = signed("qe_identity", "enclaveIdentity", "qe_identity_signature");
  return {
    pckCrlIssuerChain: str("pck_crl_issuer_chain"),
    rootCaCrl: bytes("root_ca_crl"),
    pckCrl: bytes("pck_crl"),
    tcbInfoIssuerChain: str("tcb_info_issuer_chain"),
    tcbInfo: tcb.text,
    tcbInfoSignature: tcb.signature,
    qeIdentityIssuerChain: str("qe_identity_issuer_chain"),
    qeIdentity: qe.text,
    qeIdentitySignature: qe.signature,
  };
}

/**
 * False when no member of a JSON object written as `text` can be named `member`: a name without
 * escapes is written as is, so it appears quoted in the text. Spares parsing a signed text twice.
 */
function mayHaveMember(text: string, member: string): boolean {
  return text.includes(`"${member}"`) || text.includes("\\");
}

function topLevelMembersSafe(text: string): Map<string, string> {
  try {
    return topLevelMembers(text);
  } catch {
    return new Map();
  }
}

/**
 * CRL bytes as the verifier wants them: DER. Input may be DER, PEM or hex text; anything else is
 * returned unchanged so the CRL parser reports it with its own error.
 */
export function crlBytes(input: Uint8Array): Uint8Array {
  return crlDerOf(input) ?? input;
}

async function readText(path: string): Promise<string> {
  return Buffer.from(await readBytes(path)).toString("utf8");
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CollateralError("ERR_COLLATERAL_FILE", `cannot read ${path}`, path, { cause: error });
  }
}
