import { test } from "node:test";
import assert from "node:assert/strict";
import { bitStringBytes, childrenOf, DerCursor, DerError, oidText, readDer, smallInteger, Tag, timeValue } from "./der.ts";

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const derError = (offset?: number) => (error: unknown) => error instanceof DerError && (offset === undefined || error.offset === offset);

test("readDer reads short and long lengths and exposes the TLV and its content", () => {
  const short = readDer(hex("04 03 010203"), Tag.OCTET_STRING);
  assert.deepEqual(short.content, hex("010203"));
  assert.equal(short.der.byteLength, 5);
  const long = readDer(hex(`04 81 80 ${"aa".repeat(128)}`));
  assert.equal(long.content.byteLength, 128);
  const longer = readDer(hex(`04 82 0100 ${"bb".repeat(256)}`));
  assert.equal(longer.content.byteLength, 256);
});

test("hostile encodings are typed errors, never a partial read", () => {
  const cases: Record<string, string> = {
    empty: "",
    "tag only": "30",
    "truncated content": "04 05 0102",
    "length past the end": "30 82 0400 0101ff",
    "truncated long length": "04 82 01",
    "indefinite length": "30 80 0101ff 0000",
    "five length octets": "04 85 0000000001 00",
    "non-minimal long form": "04 81 05 0102030405",
    "leading zero length octet": "04 82 0005 0102030405",
    "multi-byte tag": "1f 81 00 00",
    "trailing bytes": "05 00 00",
  };
  for (const [name, input] of Object.entries(cases)) {
    assert.throws(() => readDer(hex(input)), derError(), name);
  }
  assert.throws(() => readDer(hex("04 00"), Tag.SEQUENCE), derError(0), "unexpected tag");
  assert.throws(() => childrenOf(readDer(hex("30 03 04 05 00"))), derError(2), "child past its parent");
});

test("errors inside constructed elements carry the offset of the offending element", () => {
  const outer = readDer(hex("30 06 0500 04 05 0102"));
  const cursor = new DerCursor(outer);
  cursor.next(Tag.NULL);
  assert.throws(() => cursor.next(), derError(4));
  assert.throws(() => new DerCursor(readDer(hex("04 00"))), derError(0), "primitive as constructed");
});

test("DerCursor reads in order, optional elements, and refuses leftovers", () => {
  const seq = readDer(hex("30 0a a0 03 020102 0500 0101ff"));
  const c = new DerCursor(seq);
  const version = c.optional(Tag.context(0));
  assert.ok(version);
  assert.equal(c.optional(Tag.INTEGER), undefined);
  c.next(Tag.NULL);
  assert.throws(() => c.end(), derError());
  c.next(Tag.BOOLEAN);
  c.end();
  assert.throws(() => c.next(), derError());
  assert.equal(childrenOf(seq).length, 3);
});

test("OIDs decode to dotted text and malformed ones are refused", () => {
  assert.equal(oidText(readDer(hex("06 08 2a8648ce3d040302"))), "1.2.840.10045.4.3.2");
  assert.equal(oidText(readDer(hex("06 0a 2a864886f84d010d0102"))), "1.2.840.113741.1.13.1.2");
  assert.equal(oidText(readDer(hex("06 03 550403"))), "2.5.4.3");
  assert.throws(() => oidText(readDer(hex("06 00"))), derError());
  assert.throws(() => oidText(readDer(hex("06 02 2a86"))), derError(), "unterminated arc");
  assert.throws(() => oidText(readDer(hex("06 03 2a8001"))), derError(), "arc with 0x80 padding");
});

test("small INTEGERs and ENUMERATEDs, two's complement, bounded size", () => {
  assert.equal(smallInteger(readDer(hex("02 01 05"))), 5);
  assert.equal(smallInteger(readDer(hex("02 02 00ff"))), 255);
  assert.equal(smallInteger(readDer(hex("02 01 ff"))), -1);
  assert.equal(smallInteger(readDer(hex("02 02 ff00"))), -256);
  assert.equal(smallInteger(readDer(hex("0a 01 02")), Tag.ENUMERATED), 2);
  assert.throws(() => smallInteger(readDer(hex("02 00"))), derError());
  assert.throws(() => smallInteger(readDer(hex("02 07 01000000000000"))), derError());
  assert.throws(() => smallInteger(readDer(hex("0a 01 02"))), derError(), "ENUMERATED where INTEGER expected");
});

test("BIT STRINGs with unused bits are refused", () => {
  assert.deepEqual(bitStringBytes(readDer(hex("03 03 00abcd"))), hex("abcd"));
  assert.throws(() => bitStringBytes(readDer(hex("03 03 01abcd"))), derError());
  assert.throws(() => bitStringBytes(readDer(hex("03 00"))), derError());
});

test("UTCTime and GeneralizedTime in DER form", () => {
  const utc = (s: string) => readDer(new Uint8Array([Tag.UTC_TIME, s.length, ...Buffer.from(s, "latin1")]));
  const gen = (s: string) => readDer(new Uint8Array([Tag.GENERALIZED_TIME, s.length, ...Buffer.from(s, "latin1")]));
  assert.equal(timeValue(utc("250703101112Z")).toISOString(), "2025-07-03T10:11:12.000Z");
  assert.equal(timeValue(utc("991231235959Z")).toISOString(), "1999-12-31T23:59:59.000Z");
  assert.equal(timeValue(gen("20491231235959Z")).toISOString(), "2049-12-31T23:59:59.000Z");
  assert.equal(timeValue(gen("20250101000000.5Z")).toISOString(), "2025-01-01T00:00:00.500Z");
  for (const bad of ["2507031011Z", "250703101112", "250703101112+0100", "251303101112Z", "250230101112Z", "250703241112Z"]) {
    assert.throws(() => timeValue(utc(bad)), derError(), bad);
  }
  assert.throws(() => timeValue(gen("20250101000000.50Z")), derError(), "trailing zero in fraction");
  assert.throws(() => timeValue(readDer(hex("04 00"))), derError(), "not a time");
});
