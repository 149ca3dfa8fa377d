import { SgxQuoteHelperError } from "./errors.ts";

/**
 * A minimal strict DER reader for the verifier's hot paths (certificates, CRLs, the PCK SGX
 * extension): it reads exactly the fields asked for without building a schema object tree, which
 * is what made @peculiar/asn1-schema the dominant cost of a cold verification. It accepts DER
 * only: single-byte tags, definite minimal lengths, every length inside its parent, no bytes after
 * the last element. Anything else throws {@link DerError}.
 */

/** Input that is not the DER this reader accepts (code `ERR_DER`, `offset` of the offending element). */
export class DerError extends SgxQuoteHelperError {
  declare readonly code: "ERR_DER";
  readonly offset: number;

  constructor(message: string, offset: number) {
    super("ERR_DER", `${message} at byte ${offset}`);
    this.offset = offset;
  }
}

/** Universal and context tags the callers use. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** [n] constructed (EXPLICIT) context tag. */
  context: (n: number): number => 0xa0 | n,
  /** [n] primitive (IMPLICIT) context tag. */
  contextPrimitive: (n: number): number => 0x80 | n,
} as const;

/**
 * One TLV: its tag and where it lies in the input read. The views of its encoding and content are
 * made on first use: walking a structure only needs the offsets, and most elements are walked.
 */
export class DerElement {
  readonly tag: number;
  /** The bytes given to {@link readDer}, which the offsets index. */
  readonly input: Uint8Array;
  /** Offset of the tag byte in the input (error messages use it too). */
  readonly offset: number;
  /** Offset of the first content octet. */
  readonly contentOffset: number;
  /** Offset just past the element. */
  readonly end: number;
  #der: Uint8Array | undefined;
  #content: Uint8Array | undefined;

  constructor(tag: number, input: Uint8Array, offset: number, contentOffset: number, end: number) {
    this.tag = tag;
    this.input = input;
    this.offset = offset;
    this.contentOffset = contentOffset;
    this.end = end;
  }

  /** The whole TLV. */
  get der(): Uint8Array {
    return (this.#der ??= this.input.subarray(this.offset, this.end));
  }

  /** The content octets. */
  get content(): Uint8Array {
    return (this.#content ??= this.input.subarray(this.contentOffset, this.end));
  }
}

/** The single element `bytes` holds; trailing bytes are an error. */
export function readDer(bytes: Uint8Array, expectedTag?: number, what = "element"): DerElement {
  const element = readElement(bytes, 0, bytes.byteLength, what);
  if (element.end !== bytes.byteLength) throw new DerError(`${bytes.byteLength - element.end} bytes after the ${what}`, element.end);
  expectTag(element, expectedTag, what);
  return element;
}

/** Reads the children of a constructed element in order. */
export class DerCursor {
  readonly #parent: DerElement;
  #pos: number;

  constructor(parent: DerElement, what = "element") {
    if ((parent.tag & 0x20) === 0) throw new DerError(`${what} is primitive, expected a constructed element`, parent.offset);
    this.#parent = parent;
    this.#pos = parent.contentOffset;
  }

  /** Whether every child has been read. */
  get done(): boolean {
    return this.#pos >= this.#parent.end;
  }

  /** The tag of the next child, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.#parent.input[this.#pos];
  }

  /** The next child; with `expectedTag`, it must have that tag. */
  next(expectedTag?: number, what = "element"): DerElement {
    if (this.done) throw new DerError(`missing ${what}`, this.#parent.offset);
    const element = readElement(this.#parent.input, this.#pos, this.#parent.end, what);
    expectTag(element, expectedTag, what);
    this.#pos = element.end;
    return element;
  }

  /** The next child if it has `tag`, else undefined (nothing consumed). */
  optional(tag: number, what = "element"): DerElement | undefined {
    return this.peekTag() === tag ? this.next(tag, what) : undefined;
  }

  /** Throws unless every child has been read. */
  end(what = "element"): void {
    if (!this.done) throw new DerError(`unexpected element after the ${what}`, this.#pos);
  }
}

/** The children of a constructed element, all of them (SEQUENCE OF / SET OF). */
export function childrenOf(parent: DerElement, what = "element"): DerElement[] {
  const cursor = new DerCursor(parent, what);
  const out: DerElement[] = [];
  while (!cursor.done) out.push(cursor.next(undefined, what));
  return out;
}

/** Dotted text of an OBJECT IDENTIFIER element. */
export function oidText(element: DerElement): string {
  expectTag(element, Tag.OID, "OBJECT IDENTIFIER");
  const { input, contentOffset: from, end } = element;
  if (from === end || input[end - 1]! & 0x80) throw new DerError("malformed OBJECT IDENTIFIER", element.offset);
  let text = "";
  let value = 0;
  for (let i = from; i < end; i++) {
    const b = input[i]!;
    if (value === 0 && b === 0x80) throw new DerError("OBJECT IDENTIFIER arc with a leading 0x80", element.offset);
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError("OBJECT IDENTIFIER arc too large", element.offset);
    if ((b & 0x80) === 0) {
      if (text !== "") text += `.${value}`;
      else text = value < 80 ? `${Math.floor(value / 40)}.${value % 40}` : `2.${value - 80}`;
      value = 0;
    }
  }
  return text;
}

/**
 * A small INTEGER or ENUMERATED (two's complement, at most 6 content octets) as a number. Padding
 * octets are tolerated as the ASN.1 schema parser did (the value is what the callers judge).
 */
export function smallInteger(element: DerElement, tag: number = Tag.INTEGER): number {
  expectTag(element, tag, tag === Tag.ENUMERATED ? "ENUMERATED" : "INTEGER");
  const c = element.content;
  if (c.byteLength === 0 || c.byteLength > 6) throw new DerError(`INTEGER of ${c.byteLength} octets`, element.offset);
  let value = 0;
  for (const b of c) value = value * 256 + b;
  return c[0]! & 0x80 ? value - 256 ** c.byteLength : value;
}

/** BOOLEAN value (one content octet; any non-zero octet is true, as BER readers take it). */
export function booleanValue(element: DerElement): boolean {
  expectTag(element, Tag.BOOLEAN, "BOOLEAN");
  if (element.content.byteLength !== 1) throw new DerError("BOOLEAN of other than 1 octet", element.offset);
  return element.content[0] !== 0;
}

/** The bits of a BIT STRING with no unused bits (signatures and keys). */
export function bitStringBytes(element: DerElement, what = "BIT STRING"): Uint8Array {
  expectTag(element, Tag.BIT_STRING, what);
  if (element.content.byteLength === 0 || element.content[0] !== 0) throw new DerError(`${what} has unused bits`, element.offset);
  return element.content.subarray(1);
}

/** A UTCTime (YYMMDDHHMMSSZ, years 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z) as a Date. */
export function timeValue(element: DerElement, what = "time"): Date {
  const c = element.content;
  let year: number;
  let pos: number;
  if (element.tag === Tag.UTC_TIME) {
    const yy = twoDigits(c, 0);
    year = yy + (yy < 50 ? 2000 : 1900);
    pos = 2;
  } else if (element.tag === Tag.GENERALIZED_TIME) {
    year = twoDigits(c, 0) * 100 + twoDigits(c, 2);
    pos = 4;
  } else {
    throw new DerError(`${what} is neither UTCTime nor GeneralizedTime (tag 0x${hexByte(element.tag)})`, element.offset);
  }
  const month = twoDigits(c, pos);
  const day = twoDigits(c, pos + 2);
  const hour = twoDigits(c, pos + 4);
  const minute = twoDigits(c, pos + 6);
  const second = twoDigits(c, pos + 8);
  pos += 10;
  let ms = 0;
  if (element.tag === Tag.GENERALIZED_TIME && c[pos] === 0x2e) {
    const from = ++pos;
    while (digit(c, pos) >= 0) pos++;
    // A fraction is one or more digits, the last not 0.
    ms = pos > from && c[pos - 1] !== 0x30 ? Math.floor(Number(`0.${latin1(c.subarray(from, pos))}`) * 1000) : NaN;
  }
  if (c[pos] !== 0x5a || pos + 1 !== c.byteLength || Number.isNaN(year + month + day + hour + minute + second + ms)) {
    throw new DerError(`${what} is not a DER time: ${JSON.stringify(latin1(c).slice(0, 24))}`, element.offset);
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`${what} is not a valid date: ${latin1(c)}`, element.offset);
  }
  return date;
}

/** The ASCII digit at `i` as a number, or NaN (not a digit, or past the end). */
function digit(bytes: Uint8Array, i: number): number {
  const d = bytes[i]! - 0x30;
  return d >= 0 && d <= 9 ? d : NaN;
}

function twoDigits(bytes: Uint8Array, i: number): number {
  return digit(bytes, i) * 10 + digit(bytes, i + 1);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The element starting at `pos`, which must end by `limit` (its container's end). */
function readElement(input: Uint8Array, pos: number, limit: number, what: string): DerElement {
  if (pos + 2 > limit) throw new DerError(`truncated ${what}`, pos);
  const tag = input[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`${what} has a multi-byte tag`, pos);
  let length = input[pos + 1]!;
  let header = 2;
  if (length === 0x80) throw new DerError(`${what} has an indefinite length`, pos);
  if (length > 0x80) {
    const n = length & 0x7f;
    if (n > 4) throw new DerError(`${what} has a ${n}-octet length`, pos);
    if (pos + 2 + n > limit) throw new DerError(`truncated length of ${what}`, pos);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + input[pos + 2 + i]!;
    if (input[pos + 2] === 0 || length < 0x80) throw new DerError(`${what} has a non-minimal length`, pos);
    header += n;
  }
  const end = pos + header + length;
  if (end > limit) throw new DerError(`${what} of ${length} bytes runs past its container`, pos);
  return new DerElement(tag, input, pos, pos + header, end);
}

function expectTag(element: DerElement, expectedTag: number | undefined, what: string): void {
  if (expectedTag !== undefined && element.tag !== expectedTag) {
    throw new DerError(`${what} has tag 0x${hexByte(element.tag)}, expected 0x${hexByte(expectedTag)}`, element.offset);
  }
}

function hexByte(b: number): string {
  return b.toString(16).padStart(2, "0");
}
