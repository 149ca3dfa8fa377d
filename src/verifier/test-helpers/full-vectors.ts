/** Loads the full vectors (quote + collateral + expected.json) copied into test/fixtures/vectors. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../../test/fixtures/vectors/", import.meta.url);

/** Every vector with complete collateral. */
export const FULL_VECTORS = [
  "sgx-v3-phala",
  "sgx-v3-zkdcap",
  "tdx-v4-phala",
  "tdx-v4-zkdcap",
  "tdx-v5-gotdx-quote-phala-collateral",
  "tdx-v5-phala-tcb-not-supported",
  "tdx-v4-gotdx-spr-tcb-not-supported",
] as const;

export type FullVectorName = (typeof FULL_VECTORS)[number];

export interface FullVectorExpectation {
  readonly outcome: "verified" | "rejected";
  readonly tcb_status?: string;
  readonly advisory_ids?: readonly string[];
  readonly qe_tcb_status?: string;
  readonly intel_qv_result?: string;
  readonly error_kind?: string;
  readonly collateral_expired?: boolean;
}

export interface FullVector {
  readonly name: FullVectorName;
  readonly dir: string;
  readonly quote: Uint8Array;
  readonly now: Date;
  readonly expected: FullVectorExpectation;
  readonly quoteFacts: Record<string, unknown>;
}

export function loadFullVector(name: FullVectorName): FullVector {
  const dir = new URL(`${name}/`, ROOT);
  const json = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as {
    verify_at: { unix: number };
    expected: FullVectorExpectation;
    quote: Record<string, unknown>;
  };
  return {
    name,
    dir: fileURLToPath(dir),
    quote: new Uint8Array(readFileSync(new URL("quote.bin", dir))),
    now: new Date(json.verify_at.unix * 1000),
    expected: json.expected,
    quoteFacts: json.quote,
  };
}
