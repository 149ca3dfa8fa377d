import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  SimulatedCollateralOptions,
  SimulatedPcsResponses,
  SimulatedQeTcbStatus,
  SimulatedTcbStatus,
} from "../providers/simulated/index.ts";

/** What the endpoint needs from a platform: its PCS responses (SimulatedPlatform has it). */
export interface PcsPublisher {
  pcsResponses(options: SimulatedCollateralOptions): SimulatedPcsResponses;
}

/** Options of {@link startPcsServer}. */
export interface PcsServerOptions {
  readonly platform: PcsPublisher;
  /** TCP port; default 0 (an ephemeral port, see `PcsServer.port`). */
  readonly port?: number;
  /** Default 127.0.0.1. Collateral is public, but nothing needs it beyond the node. */
  readonly host?: string;
  /** Platform TCB status published; default UpToDate. Changeable with `setStatus`. */
  readonly tcbStatus?: SimulatedTcbStatus;
  /** QE identity status published; default UpToDate. */
  readonly qeTcbStatus?: SimulatedQeTcbStatus;
  /** List the platform's PCK certificate in the PCK CRL. Default false. */
  readonly revokePckCertificate?: boolean;
  /** Clock for issueDate/nextUpdate. Default the current time. */
  readonly now?: () => Date;
}

/** A running PCS v4 endpoint. */
export interface PcsServer {
  /** `http://host:port`: the base URL to give a PCS client (`--pccs-url`). */
  readonly url: string;
  readonly port: number;
  /** Requests answered so far, by path (for tests and logs). */
  readonly requestCounts: ReadonlyMap<string, number>;
  /** Changes what is published from the next request on. */
  setStatus(status: { tcbStatus?: SimulatedTcbStatus; qeTcbStatus?: SimulatedQeTcbStatus; revokePckCertificate?: boolean }): void;
  close(): Promise<void>;
}

/** Collateral is republished at least this often (and at once when the status changes). */
const REPUBLISH_MS = 3600 * 1000;
const SGX = "/sgx/certification/v4";

/**
 * Serves the simulated platform's collateral on Intel PCS v4 paths, as a PCCS would:
 *
 * | path | answer |
 * |---|---|
 * | `GET /sgx/certification/v4/pckcrl?ca=processor[&encoding=der\|pem]` | PCK CRL (PEM by default, as PCS), header `SGX-PCK-CRL-Issuer-Chain` |
 * | `GET /sgx/certification/v4/rootcacrl` | root CA CRL, DER |
 * | `GET /sgx/certification/v4/tcb?fmspc=<platform FMSPC>` | TCB Info v3 body, header `TCB-Info-Issuer-Chain` |
 * | `GET /sgx/certification/v4/qe/identity` | QE identity v2 body, header `SGX-Enclave-Identity-Issuer-Chain` |
 *
 * Issuer chains are URL-encoded PEM; every answer has a `Request-ID`. A missing or malformed
 * `ca`/`fmspc` is 400, another FMSPC or `ca=platform` (simulated platforms have only a Processor
 * CA) or any other path (including all `/tdx/` ones) 404, a method other than GET/HEAD 405. The
 * documents are republished hourly and whenever the status changes. Resolves once listening;
 * rejects with the listen error (e.g. EADDRINUSE).
 */
export async function startPcsServer(options: PcsServerOptions): Promise<PcsServer> {
  const now = options.now ?? (() => new Date());
  let status: SimulatedCollateralOptions = {
    tcbStatus: options.tcbStatus ?? "UpToDate",
    qeTcbStatus: options.qeTcbStatus ?? "UpToDate",
    revokePckCertificate: options.revokePckCertificate ?? false,
  };
  let published: { at: number; responses: SimulatedPcsResponses } | undefined;
  const counts = new Map<string, number>();

  const current = (): SimulatedPcsResponses => {
    const t = now();
    if (published === undefined || Math.abs(t.getTime() - published.at) >= REPUBLISH_MS) {
      published = { at: t.getTime(), responses: options.platform.pcsResponses({ ...status, now: t }) };
    }
    return published.responses;
  };

  const server = createServer((req, res) => {
    res.setHeader("Request-ID", randomBytes(16).toString("hex"));
    // URL.parse-style failures on a hostile request line must answer 400, never reach the process.
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      res.writeHead(400).end();
      return;
    }
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    try {
      route(req, res, url, current);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    requestCounts: counts,
    setStatus(next) {
      status = { ...status, ...next };
      published = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function route(req: IncomingMessage, res: ServerResponse, url: URL, current: () => SimulatedPcsResponses): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  switch (url.pathname) {
    case `${SGX}/pckcrl`: {
      const ca = url.searchParams.get("ca");
      const encoding = url.searchParams.get("encoding") ?? "pem";
      if ((ca !== "processor" && ca !== "platform") || (encoding !== "pem" && encoding !== "der")) {
        res.writeHead(400).end();
        return;
      }
      const responses = current();
      if (ca !== responses.pckCa) {
        res.writeHead(404).end();
        return;
      }
      const c = responses.collateral;
      const header = { "SGX-PCK-CRL-Issuer-Chain": encodeURIComponent(c.pckCrlIssuerChain) };
      if (encoding === "der") send(req, res, "application/pkix-crl", c.pckCrl, header);
      else send(req, res, "application/x-pem-file", crlPem(c.pckCrl), header);
      return;
    }
    case `${SGX}/rootcacrl`:
      send(req, res, "application/pkix-crl", current().collateral.rootCaCrl, {});
      return;
    case `${SGX}/tcb`: {
      const fmspc = url.searchParams.get("fmspc");
      if (fmspc === null || !/^[0-9a-fA-F]{12}$/.test(fmspc)) {
        res.writeHead(400).end();
        return;
      }
      const responses = current();
      if (fmspc.toUpperCase() !== responses.fmspc) {
        res.writeHead(404).end();
        return;
      }
      send(req, res, "application/json", responses.tcbInfoBody, {
        "TCB-Info-Issuer-Chain": encodeURIComponent(responses.collateral.tcbInfoIssuerChain),
      });
      return;
    }
    case `${SGX}/qe/identity`: {
      const responses = current();
      send(req, res, "application/json", responses.qeIdentityBody, {
        "SGX-Enclave-Identity-Issuer-Chain": encodeURIComponent(responses.collateral.qeIdentityIssuerChain),
      });
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: string | Uint8Array, headers: Record<string, string>): void {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  res.writeHead(200, { "Content-Type": type, "Content-Length": bytes.byteLength, ...headers });
  res.end(req.method === "HEAD" ? undefined : bytes);
}

function crlPem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN X509 CRL-----\n${lines.join("\n")}\n-----END X509 CRL-----\n`;
}
