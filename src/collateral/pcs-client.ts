import { createHash } from "node:crypto";
import type { ReadableStream } from "node:stream/web";
import { copyBytes } from "../shared/bytes.ts";
import type { Collateral } from "./collateral.ts";
import { PcsCache, type PcsCacheItem } from "./pcs-cache.ts";
import { decodeCrlBody } from "./pcs-crl-body.ts";
import { CollateralFormatError, CollateralHttpError, CollateralNotCachedError } from "./pcs-errors.ts";
import { parseSignedJson } from "./pcs-signed-json.ts";
import { pcsRoot, pcsUrls, type PckCaKind, type TeeKind } from "./pcs-urls.ts";

/** The subset of the global `fetch` the client uses (inject a fake or a proxy-aware one). */
export type PcsFetch = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

/** Options of {@link PcsClient}. */
export interface PcsClientOptions {
  /** Service root or `…/sgx/certification/v4` (see {@link pcsRoot}). */
  readonly baseUrl: string;
  /** Defaults to the global `fetch`. */
  readonly fetch?: PcsFetch;
  /** Per request, connection to last body byte. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Larger bodies are refused with ERR_COLLATERAL_FORMAT. Default 4 MiB. */
  readonly maxResponseBytes?: number;
  /** Shared or persistent cache; default a fresh in-memory one. */
  readonly cache?: PcsCache;
  /** Serve only from the cache (even expired items); never touch the network. */
  readonly offline?: boolean;
  /** Clock deciding cache freshness. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Where to get the root CA CRL instead of the default (see {@link pcsUrls}). */
  readonly rootCaCrlUrl?: string;
}

/** What to fetch collateral for; all three come from the quote and its PCK certificate. */
export interface CollateralRequest {
  /** FMSPC from the PCK certificate: 6 bytes or 12 hex chars (any case). */
  readonly fmspc: Uint8Array | string;
  /** The PCK certificate's issuer: Processor CA or Platform CA. */
  readonly pckCa: PckCaKind;
  /** Default "sgx". */
  readonly tee?: TeeKind;
}

/** Counters, for logs and tests. */
export interface PcsClientStats {
  /** Items served from the cache without a request. */
  readonly cacheHits: number;
  /** HTTP requests made (successful or not). */
  readonly requests: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const PCK_CRL_CHAIN_HEADERS = ["SGX-PCK-CRL-Issuer-Chain"];
const TCB_INFO_CHAIN_HEADERS = ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"];
const QE_IDENTITY_CHAIN_HEADERS = ["SGX-Enclave-Identity-Issuer-Chain", "Enclave-Identity-Issuer-Chain"];

/**
 * Fetches DCAP collateral from a PCS v4-compatible service (Intel PCS or a PCCS):
 *
 * | item | request | issuer chain |
 * |---|---|---|
 * | PCK CRL | `GET {root}/sgx/certification/v4/pckcrl?ca=processor\|platform&encoding=der` (DER, PEM or hex body) | header `SGX-PCK-CRL-Issuer-Chain` |
 * | root CA CRL | `GET {root}/sgx/certification/v4/rootcacrl` (DER or hex), or Intel's CDP | — |
 * | TCB Info | `GET {root}/{sgx\|tdx}/certification/v4/tcb?fmspc=…` | header `TCB-Info-Issuer-Chain` (or `SGX-TCB-Info-Issuer-Chain`) |
 * | QE identity | `GET {root}/{sgx\|tdx}/certification/v4/qe/identity` | header `SGX-Enclave-Identity-Issuer-Chain` |
 *
 * Issuer chains are URL-encoded PEM, returned decoded exactly. TCB Info and QE identity text is
 * the exact `tcbInfo` / `enclaveIdentity` member text of the body (never re-serialised).
 *
 * Caching is per item: an item is reused while `now < nextUpdate` (the document's `nextUpdate`,
 * or the CRL's), then fetched again; concurrent requests for the same item share one fetch. In
 * offline mode every item comes from the cache, expired or not (the verifier reports expiry), and a
 * missing one is CollateralNotCachedError (`ERR_COLLATERAL_NOT_CACHED`).
 *
 * Errors: CollateralHttpError (`ERR_COLLATERAL_HTTP`: non-2xx status, network failure or timeout;
 * carries `status` and `url`), CollateralFormatError (`ERR_COLLATERAL_FORMAT`: a 2xx answer that
 * is not the expected collateral). Nothing is cached from a failed request.
 */
export class PcsClient {
  readonly #root: string;
  readonly #fetch: PcsFetch;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #cache: PcsCache;
  readonly #offline: boolean;
  readonly #now: () => Date;
  readonly #rootCaCrlUrl: string | undefined;
  /** Short hash of the service URLs: the cache namespace of this client. */
  readonly #serviceId: string;
  readonly #inflight = new Map<string, Promise<PcsCacheItem>>();
  #cacheHits = 0;
  #requests = 0;

  /** Throws TypeError/RangeError for an unusable `baseUrl` (see {@link pcsRoot}). */
  constructor(options: PcsClientOptions) {
    this.#root = pcsRoot(options.baseUrl);
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#cache = options.cache ?? new PcsCache();
    this.#offline = options.offline ?? false;
    this.#now = options.now ?? (() => new Date());
    this.#rootCaCrlUrl = options.rootCaCrlUrl;
    this.#serviceId = createHash("sha256")
      .update(`${this.#root}\n${this.#rootCaCrlUrl ?? ""}`)
      .digest("hex")
      .slice(0, 16);
  }

  /** The normalised service root requests go to. */
  get root(): string {
    return this.#root;
  }

  get stats(): PcsClientStats {
    return { cacheHits: this.#cacheHits, requests: this.#requests };
  }

  /**
   * The collateral for one quote: the four items fetched (or taken from the cache) in parallel.
   * Every item is attempted even when another fails; the first failure (in the order PCK CRL,
   * root CA CRL, TCB Info, QE identity) is thrown. The returned byte arrays are copies; mutating
   * them does not touch the cache. Throws TypeError for an FMSPC that is not 6 bytes.
   */
  async getCollateral(request: CollateralRequest): Promise<Collateral> {
    const fmspc = normaliseFmspc(request.fmspc);
    const tee = request.tee ?? "sgx";
    const urls = pcsUrls(this.#root, fmspc, request.pckCa, tee, this.#rootCaCrlUrl);
    // allSettled: every item is attempted (and what succeeds is cached) even when one fails.
    const settled = await Promise.allSettled([
      this.#item(`pckcrl/${request.pckCa}`, () => this.#fetchCrl(urls.pckCrl, PCK_CRL_CHAIN_HEADERS)),
      this.#item("rootcacrl", () => this.#fetchCrl(urls.rootCaCrl, undefined)),
      this.#item(`tcb/${tee}/${fmspc}`, () =>
        this.#fetchSignedJson(urls.tcbInfo, "tcbInfo", TCB_INFO_CHAIN_HEADERS, (v) => checkTcbInfo(v, fmspc, tee)),
      ),
      this.#item(`qe/${tee}`, () =>
        this.#fetchSignedJson(urls.qeIdentity, "enclaveIdentity", QE_IDENTITY_CHAIN_HEADERS, (v) => checkQeIdentity(v, tee)),
      ),
    ]);
    const failure = settled.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
    const [pckCrl, rootCaCrl, tcbInfo, qeIdentity] = settled.map((r) => (r as PromiseFulfilledResult<PcsCacheItem>).value) as [
      PcsCacheItem,
      PcsCacheItem,
      PcsCacheItem,
      PcsCacheItem,
    ];
    const crl = (item: PcsCacheItem): Extract<PcsCacheItem, { kind: "crl" }> => item as Extract<PcsCacheItem, { kind: "crl" }>;
    const doc = (item: PcsCacheItem): Extract<PcsCacheItem, { kind: "signed-json" }> =>
      item as Extract<PcsCacheItem, { kind: "signed-json" }>;
    return {
      pckCrlIssuerChain: crl(pckCrl).issuerChain,
      rootCaCrl: copyBytes(crl(rootCaCrl).der),
      pckCrl: copyBytes(crl(pckCrl).der),
      tcbInfoIssuerChain: doc(tcbInfo).issuerChain,
      tcbInfo: doc(tcbInfo).text,
      tcbInfoSignature: copyBytes(doc(tcbInfo).signature),
      qeIdentityIssuerChain: doc(qeIdentity).issuerChain,
      qeIdentity: doc(qeIdentity).text,
      qeIdentitySignature: copyBytes(doc(qeIdentity).signature),
    };
  }

  async #item(item: string, load: () => Promise<PcsCacheItem>): Promise<PcsCacheItem> {
    // One cache may serve several services (Intel PCS, a PCCS, a simulated platform): never mix them.
    const key = `${this.#serviceId}/${item}`;
    const cached = await this.#cache.get(key);
    if (this.#offline) {
      if (cached === undefined) throw new CollateralNotCachedError(item);
      this.#cacheHits++;
      return cached;
    }
    if (cached?.nextUpdate !== undefined && this.#now().getTime() < cached.nextUpdate.getTime()) {
      this.#cacheHits++;
      return cached;
    }
    const running = this.#inflight.get(key);
    if (running) return running;
    const loading = (async () => {
      try {
        const item = await load();
        await this.#cache.set(key, item);
        return item;
      } finally {
        this.#inflight.delete(key);
      }
    })();
    this.#inflight.set(key, loading);
    return loading;
  }

  async #fetchCrl(url: string, chainHeaders: readonly string[] | undefined): Promise<PcsCacheItem> {
    const response = await this.#get(url);
    const issuerChain = chainHeaders === undefined ? "" : issuerChainOf(response.headers, chainHeaders, url);
    let crl;
    try {
      crl = decodeCrlBody(response.body);
    } catch (error) {
      throw new CollateralFormatError(url, (error as Error).message, { cause: error });
    }
    return { kind: "crl", der: crl.der, issuerChain, nextUpdate: crl.nextUpdate };
  }

  async #fetchSignedJson(
    url: string,
    member: string,
    chainHeaders: readonly string[],
    check: (value: Record<string, unknown>) => void,
  ): Promise<PcsCacheItem> {
    const response = await this.#get(url);
    const issuerChain = issuerChainOf(response.headers, chainHeaders, url);
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(response.body);
      const doc = parseSignedJson(text, member);
      check(doc.value);
      const nextUpdate = parseDate(doc.value.nextUpdate, "nextUpdate");
      return { kind: "signed-json", text: doc.text, signature: doc.signature, issuerChain, nextUpdate };
    } catch (error) {
      throw new CollateralFormatError(url, (error as Error).message, { cause: error });
    }
  }

  async #get(url: string): Promise<{ body: Uint8Array; headers: Headers }> {
    this.#requests++;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    const failed = (error: unknown): CollateralHttpError => {
      const timedOut = controller.signal.aborted;
      const why = timedOut ? `timed out after ${this.#timeoutMs} ms` : `request failed: ${(error as Error).message}`;
      return new CollateralHttpError(url, undefined, `GET ${url}: ${why}`, { cause: error, timedOut });
    };
    try {
      let response: Response;
      try {
        response = await this.#fetch(url, { signal: controller.signal, headers: { accept: "*/*" } });
      } catch (error) {
        throw failed(error);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new CollateralHttpError(url, response.status, `GET ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
      }
      let body: Uint8Array;
      try {
        body = await readLimited(response, this.#maxBytes, url);
      } catch (error) {
        if (error instanceof CollateralFormatError) throw error;
        throw failed(error);
      }
      return { body, headers: response.headers };
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readLimited(response: Response, max: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw new CollateralFormatError(url, `response of ${declared} bytes exceeds the ${max}-byte limit`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new CollateralFormatError(url, `response exceeds the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Decodes the first present header of `names` (URL-encoded PEM) and checks it holds certificates. */
function issuerChainOf(headers: Headers, names: readonly string[], url: string): string {
  const raw = names.map((name) => headers.get(name)).find((value): value is string => value !== null);
  if (raw === undefined) throw new CollateralFormatError(url, `missing header ${names.join(" or ")}`);
  let pem: string;
  try {
    pem = decodeURIComponent(raw);
  } catch (error) {
    throw new CollateralFormatError(url, `header ${names[0]!} is not URL-encoded`, { cause: error });
  }
  if (!/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/.test(pem)) {
    throw new CollateralFormatError(url, `header ${names[0]!} holds no PEM certificate`);
  }
  return pem;
}

function checkTcbInfo(value: Record<string, unknown>, fmspc: string, tee: TeeKind): void {
  if (typeof value.fmspc !== "string" || value.fmspc.toLowerCase() !== fmspc) {
    throw new Error(`TCB Info is for FMSPC ${String(value.fmspc)}, asked for ${fmspc}`);
  }
  const expected = tee === "tdx" ? "TDX" : "SGX";
  // TCB Info v2 has no id (it is implicitly SGX).
  if (value.id !== undefined ? value.id !== expected : tee === "tdx") {
    throw new Error(`TCB Info id is ${String(value.id)}, expected ${expected}`);
  }
}

function checkQeIdentity(value: Record<string, unknown>, tee: TeeKind): void {
  const expected = tee === "tdx" ? "TD_QE" : "QE";
  if (value.id !== expected) throw new Error(`QE identity id is ${String(value.id)}, expected ${expected}`);
}

function parseDate(value: unknown, field: string): Date {
  const date = typeof value === "string" ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) throw new Error(`"${field}" is not a date: ${String(value)}`);
  return date;
}

function normaliseFmspc(fmspc: Uint8Array | string): string {
  const hex = typeof fmspc === "string" ? fmspc.toLowerCase() : Buffer.from(fmspc).toString("hex");
  if (!/^[0-9a-f]{12}$/.test(hex)) throw new TypeError(`FMSPC must be 6 bytes (12 hex chars), got ${String(fmspc)}`);
  return hex;
}
