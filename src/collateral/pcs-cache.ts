import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** One cached PCS answer, already validated and normalised. */
export type PcsCacheItem =
  | {
      readonly kind: "crl";
      /** DER of the CRL. */
      readonly der: Uint8Array;
      /** Issuer chain PEM from the response header ("" for the root CA CRL, which has none). */
      readonly issuerChain: string;
      /** The CRL's nextUpdate; `undefined` = never fresh. */
      readonly nextUpdate: Date | undefined;
    }
  | {
      readonly kind: "signed-json";
      /** Exact signed text of the `tcbInfo` / `enclaveIdentity` member. */
      readonly text: string;
      /** 64 bytes raw r‖s. */
      readonly signature: Uint8Array;
      readonly issuerChain: string;
      /** The document's `nextUpdate`. */
      readonly nextUpdate: Date;
    };

/** Options of {@link PcsCache}. */
export interface PcsCacheOptions {
  /**
   * Directory to persist items in (one JSON file per item, written atomically; created 0700).
   * Without it the cache lives in memory only.
   */
  readonly directory?: string;
}

const FILE_FORMAT = 1;

/**
 * Store of PCS answers keyed by item (`pckcrl/processor`, `rootcacrl`, `tcb/sgx/<fmspc>`,
 * `qe/sgx`, …). It keeps whatever it is given, expired or not: freshness (now < nextUpdate) is
 * the client's decision, so offline mode can still serve expired items and let the verifier
 * report them as expired. Reads try memory, then the directory; an unreadable or corrupt file
 * counts as missing. One cache may be shared by several clients.
 */
export class PcsCache {
  readonly #directory: string | undefined;
  readonly #memory = new Map<string, PcsCacheItem>();

  constructor(options: PcsCacheOptions = {}) {
    this.#directory = options.directory;
  }

  /** The item stored under `key`, or `undefined`. */
  async get(key: string): Promise<PcsCacheItem | undefined> {
    const hit = this.#memory.get(key);
    if (hit !== undefined || this.#directory === undefined) return hit;
    const loaded = await this.#load(key);
    if (loaded !== undefined) this.#memory.set(key, loaded);
    return loaded;
  }

  /** Stores `item` under `key` (memory, and the directory when configured). */
  async set(key: string, item: PcsCacheItem): Promise<void> {
    this.#memory.set(key, item);
    if (this.#directory === undefined) return;
    await mkdir(this.#directory, { recursive: true, mode: 0o700 });
    const file = this.#file(key);
    const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(tmp, serialize(item), { mode: 0o600 });
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /** Forgets every item in memory (the directory is left alone). */
  clearMemory(): void {
    this.#memory.clear();
  }

  #file(key: string): string {
    return join(this.#directory!, `${key.replace(/[^a-z0-9]+/gi, "-")}.json`);
  }

  async #load(key: string): Promise<PcsCacheItem | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file(key), "utf8");
    } catch {
      return undefined;
    }
    try {
      return deserialize(text);
    } catch {
      return undefined;
    }
  }
}

interface StoredItem {
  readonly format: number;
  readonly kind: "crl" | "signed-json";
  readonly issuerChain: string;
  readonly nextUpdate: string | null;
  readonly der?: string;
  readonly text?: string;
  readonly signature?: string;
}

function serialize(item: PcsCacheItem): string {
  const common = { format: FILE_FORMAT, kind: item.kind, issuerChain: item.issuerChain };
  const stored: StoredItem =
    item.kind === "crl"
      ? { ...common, nextUpdate: item.nextUpdate?.toISOString() ?? null, der: Buffer.from(item.der).toString("hex") }
      : {
          ...common,
          nextUpdate: item.nextUpdate.toISOString(),
          text: item.text,
          signature: Buffer.from(item.signature).toString("hex"),
        };
  return `${JSON.stringify(stored)}\n`;
}

function deserialize(text: string): PcsCacheItem {
  const s = JSON.parse(text) as StoredItem;
  if (s.format !== FILE_FORMAT || typeof s.issuerChain !== "string") throw new Error("unknown cache file format");
  const nextUpdate = s.nextUpdate === null ? undefined : new Date(s.nextUpdate);
  if (nextUpdate !== undefined && Number.isNaN(nextUpdate.getTime())) throw new Error("bad nextUpdate");
  if (s.kind === "crl" && typeof s.der === "string") {
    return { kind: "crl", der: new Uint8Array(Buffer.from(s.der, "hex")), issuerChain: s.issuerChain, nextUpdate };
  }
  if (s.kind === "signed-json" && typeof s.text === "string" && typeof s.signature === "string" && nextUpdate !== undefined) {
    const signature = new Uint8Array(Buffer.from(s.signature, "hex"));
    if (signature.byteLength !== 64) throw new Error("bad signature");
    return { kind: "signed-json", text: s.text, signature, issuerChain: s.issuerChain, nextUpdate };
  }
  throw new Error("unknown cache item");
}
