import { readFile, writeFile } from "node:fs/promises";
import { CliError } from "./cli-error.ts";

export type BytesFormat = "hex" | "base64" | "binary";

/** Reads a quote or certificate given as a raw binary file, or as hex or base64 text. */
export async function readBytesFile(path: string): Promise<Uint8Array> {
  const raw = await readFile(path).catch((cause: unknown) => {
    throw new CliError("ERR_CLI_INPUT", `cannot read ${path}: ${(cause as Error).message}`);
  });
  const text = raw.toString("latin1").trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return Buffer.from(text, "hex");
  if (text.length > 0 && /^[A-Za-z0-9+/=\s]+$/.test(text) && text.length % 4 === 0) return Buffer.from(text, "base64");
  return raw;
}

export function formatBytes(bytes: Uint8Array, format: BytesFormat): string | Uint8Array {
  if (format === "binary") return bytes;
  return Buffer.from(bytes).toString(format);
}

/** Writes to a file, or to stdout when no path is given. */
export async function emit(output: string | Uint8Array, path: string | undefined): Promise<void> {
  if (path !== undefined) await writeFile(path, output);
  else process.stdout.write(typeof output === "string" ? `${output}\n` : output);
}

/** Hex option value of at most `maxBytes` bytes (exactly, when `exact`). */
export function parseHexOption(name: string, value: string | undefined, maxBytes: number, exact = false): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const bytes = value.length / 2;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(value) || bytes > maxBytes || (exact && bytes !== maxBytes)) {
    throw new CliError("ERR_CLI_USAGE", `--${name} takes ${exact ? "exactly" : "at most"} ${maxBytes} bytes of hex`);
  }
  return Buffer.from(value, "hex");
}
