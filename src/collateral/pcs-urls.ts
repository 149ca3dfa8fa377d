/**
 * PCS v4 URL layout. The base URL is the service root, under which `/sgx/certification/v4/…` and
 * `/tdx/certification/v4/…` live: `https://api.trustedservices.intel.com` for Intel PCS,
 * `https://pccs.example:8081` for a PCCS, `http://127.0.0.1:<port>` for the simulated platform's
 * endpoint. A URL that already ends in `/sgx/certification/v4` or `/tdx/certification/v4` (with
 * or without a trailing slash; the form Intel's `sgx_default_qcnl.conf` uses for `pccs_url`) is
 * accepted too and reduced to its root. Any other path is kept as a prefix (reverse proxies).
 */

/** Which PCK CA issued the quote's PCK certificate (the `ca=` of the PCK CRL request). */
export type PckCaKind = "processor" | "platform";
/** Which TEE's TCB Info and QE identity to fetch. */
export type TeeKind = "sgx" | "tdx";

/** Intel PCS root; it serves no `rootcacrl`, so the root CA CRL comes from the root's CRL distribution point. */
export const INTEL_PCS_ROOT = "https://api.trustedservices.intel.com";
/** CRL distribution point of the Intel SGX Root CA certificate. */
export const INTEL_ROOT_CA_CRL_URL = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";

/** The URLs of one collateral set. */
export interface PcsUrls {
  readonly pckCrl: string;
  readonly rootCaCrl: string;
  readonly tcbInfo: string;
  readonly qeIdentity: string;
}

/**
 * Normalises a base URL to the service root (no trailing slash). Throws `TypeError` for a URL
 * that does not parse or is not http(s), and `RangeError` for a `/certification/vN` path other
 * than v4.
 */
export function pcsRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`PCS base URL must be http(s): ${baseUrl}`);
  if (url.search !== "" || url.hash !== "") throw new TypeError(`PCS base URL must not have a query or fragment: ${baseUrl}`);
  let path = url.pathname.replace(/\/+$/, "");
  const versioned = /\/(?:sgx|tdx)\/certification\/(v\d+)$/.exec(path);
  if (versioned) {
    if (versioned[1] !== "v4") throw new RangeError(`only PCS API v4 is supported, got ${versioned[1]!} in ${baseUrl}`);
    path = path.slice(0, versioned.index);
  }
  return `${url.origin}${path}`;
}

/**
 * The four URLs for a quote with this FMSPC (12 hex chars, sent upper-case as in Intel's
 * examples), PCK CA and TEE. The PCK CRL and root CA CRL are SGX resources even for TDX.
 * `rootCaCrlUrl` overrides the root CA CRL location; by default it is `…/sgx/certification/v4/rootcacrl`
 * (PCCS), or {@link INTEL_ROOT_CA_CRL_URL} when the root is Intel PCS.
 */
export function pcsUrls(root: string, fmspcHex: string, pckCa: PckCaKind, tee: TeeKind, rootCaCrlUrl?: string): PcsUrls {
  const sgx = `${root}/sgx/certification/v4`;
  const teeBase = `${root}/${tee}/certification/v4`;
  return {
    pckCrl: `${sgx}/pckcrl?ca=${pckCa}&encoding=der`,
    rootCaCrl: rootCaCrlUrl ?? (root === INTEL_PCS_ROOT ? INTEL_ROOT_CA_CRL_URL : `${sgx}/rootcacrl`),
    tcbInfo: `${teeBase}/tcb?fmspc=${fmspcHex.toUpperCase()}`,
    qeIdentity: `${teeBase}/qe/identity`,
  };
}
