import { fromHex } from "../shared/bytes.ts";
import { CollateralError } from "./errors.ts";

/** A signed PCS body split into the exact signed text and its signature. */
export interface SignedJson {
  /** The member's value exactly as served, from its `{` to its matching `}`: the signed bytes. */
  readonly signedText: string;
  /** 64 bytes, raw r‖s. */
  readonly signature: Uint8Array;
}

/**
 * Splits a PCS response body `{"<member>":{…},"signature":"<128 hex>"}` into the member's raw
 * text (never re-serialised: number formatting, key order and escapes stay as signed) and the
 * signature. The body must be one JSON object; member order and whitespace between members are
 * free. Throws CollateralError ERR_COLLATERAL_SIGNED_JSON.
 */
export function splitSignedJson(body: string, member: string): SignedJson {
  const members = topLevelMembers(body, member);
  const signedText = members.get(member);
  const signatureText = members.get("signature");
  if (signedText === undefined || !signedText.startsWith("{")) fail(`no "${member}" object`, member);
  if (signatureText === undefined) fail(`no "signature" member`, member);
  const signatureHex: unknown = JSON.parse(signatureText);
  if (typeof signatureHex !== "string" || !/^[0-9a-fA-F]{128}$/.test(signatureHex)) fail("signature is not 128 hex characters", member);
  return { signedText, signature: fromHex(signatureHex) };
}

/**
 * The raw text of every member of the top-level JSON object in `text`, by name. Validates the
 * whole text as JSON first (so the scanner below only ever sees well-formed input).
 */
export function topLevelMembers(text: string, item = "json"): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`not JSON: ${(error as Error).message}`, item);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("not a JSON object", item);
  const out = new Map<string, string>();
  let i = skipWs(text, 0);
  i += 1; // "{"
  for (;;) {
    i = skipWs(text, i);
    if (text[i] === "}") break;
    const keyEnd = endOfValue(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd) + 1; // ":"
    const start = skipWs(text, i);
    const end = endOfValue(text, start);
    out.set(key, text.slice(start, end));
    i = skipWs(text, end);
    if (text[i] === ",") i += 1;
  }
  return out;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t" || text[i] === "\uFEFF")) i++;
  return i;
}

/** End (exclusive) of the well-formed JSON value starting at `i`. */
function endOfValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === "\\") j++;
      else if (text[j] === '"') return j + 1;
    }
    return text.length;
  }
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = endOfValue(text, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !",}] \n\r\t".includes(text[j]!)) j++;
  return j;
}

function fail(message: string, item: string): never {
  throw new CollateralError("ERR_COLLATERAL_SIGNED_JSON", `${item}: ${message}`, item);
}
