/**
 * PCS signed JSON documents: `{"tcbInfo":{…},"signature":"<128 hex>"}` and
 * `{"enclaveIdentity":{…},"signature":"…"}`. The signature covers the exact text of the member's
 * value as served, so the value is cut out of the body text, never re-serialised.
 */

/** A signed document split into what the verifier needs. */
export interface SignedJsonDocument {
  /** The exact text of the member value, from its `{` to the matching `}`. */
  readonly text: string;
  /** The parsed member value (for dates, FMSPC, …); never re-serialise it for signing. */
  readonly value: Record<string, unknown>;
  /** 64 bytes raw r‖s. */
  readonly signature: Uint8Array;
}

/**
 * Splits a PCS signed JSON body. Throws `Error` (the caller wraps it with the URL) when the body
 * is not a JSON object, has no object-valued `member`, or its `signature` is not 128 hex chars.
 * Top-level whitespace and member order are free; the member text is returned exactly.
 */
export function parseSignedJson(body: string, member: string): SignedJsonDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`body is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new Error("body is not a JSON object");
  const value = parsed[member];
  if (!isObject(value)) throw new Error(`body has no object member "${member}"`);
  const signatureHex = parsed.signature;
  if (typeof signatureHex !== "string" || !/^[0-9a-fA-F]{128}$/.test(signatureHex)) {
    throw new Error(`"signature" is not 64 bytes of hex`);
  }
  const text = rawMemberText(body, member);
  return { text, value, signature: new Uint8Array(Buffer.from(signatureHex, "hex")) };
}

/**
 * The raw text of the value of top-level `member` in `json`, which must already be known to be a
 * valid JSON object (JSON.parse succeeded). When a key occurs twice, JSON.parse keeps the last
 * one, and so does this (so text and parsed value always agree).
 */
export function rawMemberText(json: string, member: string): string {
  let i = skipWs(json, 0);
  if (json[i] !== "{") throw new Error("not a JSON object");
  i++;
  let found: string | undefined;
  for (;;) {
    i = skipWs(json, i);
    if (json[i] === "}") break;
    const keyEnd = skipString(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipWs(json, keyEnd);
    i = skipWs(json, i + 1); // ':'
    const valueEnd = skipValue(json, i);
    if (key === member) found = json.slice(i, valueEnd);
    i = skipWs(json, valueEnd);
    if (json[i] === ",") i++;
  }
  if (found === undefined) throw new Error(`no member "${member}"`);
  return found;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  return i;
}

/** `i` at the opening quote; returns the index after the closing quote. */
function skipString(s: string, i: number): number {
  i++;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw new Error("unterminated string");
}

/** Any JSON value starting at `i`; returns the index after it. */
function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < s.length) {
      const d = s[i];
      if (d === '"') {
        i = skipString(s, i);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Error("unterminated value");
  }
  // number, true, false, null
  while (i < s.length && !/[\s,}\]]/.test(s[i]!)) i++;
  return i;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
