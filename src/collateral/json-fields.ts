import { CollateralError, type CollateralErrorCode } from "./errors.ts";

/**
 * Typed accessors over parsed JSON that throw one CollateralError code naming the path of the
 * offending field. @internal
 */
export class JsonFields {
  readonly #code: CollateralErrorCode;
  readonly #item: string;

  constructor(code: CollateralErrorCode, item: string) {
    this.#code = code;
    this.#item = item;
  }

  /** Parses `text` as JSON; text that is not JSON throws "<item> is not JSON" (the parse error as cause). */
  parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new CollateralError(this.#code, `${this.#item} is not JSON`, this.#item, { cause: error });
    }
  }

  fail(path: string, message: string): never {
    throw new CollateralError(this.#code, `${this.#item}.${path}: ${message}`, this.#item);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(path, "must be an object");
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "must be an array");
    return value as unknown[];
  }

  integer(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) this.fail(path, `must be an integer 0..${max}`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string") this.fail(path, "must be a string");
    return value;
  }

  /** Hex of exactly `bytes` bytes (any case), returned as bytes. */
  hex(value: unknown, path: string, bytes: number): Uint8Array {
    const text = this.string(value, path);
    if (text.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(text)) this.fail(path, `must be ${bytes * 2} hex characters`);
    return new Uint8Array(Buffer.from(text, "hex"));
  }

  /** ISO-8601 UTC date-time. */
  date(value: unknown, path: string): Date {
    const text = this.string(value, path);
    const date = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(text) || Number.isNaN(date.getTime()))
      this.fail(path, "must be an ISO-8601 UTC time");
    return date;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    const text = this.string(value, path);
    if (!(allowed as readonly string[]).includes(text)) this.fail(path, `"${text}" is not one of ${allowed.join(", ")}`);
    return text as T;
  }

  /** Optional array of strings (absent → empty). */
  stringList(value: unknown, path: string): string[] {
    if (value === undefined) return [];
    return this.array(value, path).map((v, i) => this.string(v, `${path}[${i}]`));
  }
}
