import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const FIXTURES = new URL("../fixtures/vectors/", import.meta.url);

/** What a PCS request for a vector's quote names: FMSPC, PCK CA and TEE. */
export interface VectorInfo {
  readonly dir: string;
  readonly fmspc: string;
  readonly pckCa: "processor" | "platform";
  readonly tee: "sgx" | "tdx";
}

export function vectorFile(vector: { readonly dir: string }, name: string): Buffer {
  return readFileSync(new URL(`${vector.dir}/${name}`, FIXTURES));
}

export type Override = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** A PCS v4 look-alike serving one vector's files with Intel's headers; counts requests per path. */
export async function startVectorServer(vector: VectorInfo, override?: Override) {
  const counts = new Map<string, number>();
  const urls: string[] = [];
  const chain = (name: string): string => encodeURIComponent(vectorFile(vector, name).toString("utf8"));
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://x");
      urls.push(req.url ?? "");
      counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
      if (override && (await override(req, res))) return;
      const sgx = "/sgx/certification/v4";
      const tee = `/${vector.tee}/certification/v4`;
      if (url.pathname === `${sgx}/pckcrl` && url.searchParams.get("ca") === vector.pckCa) {
        res.writeHead(200, { "content-type": "application/pkix-crl", "SGX-PCK-CRL-Issuer-Chain": chain("pck_crl_issuer_chain.pem") });
        res.end(vectorFile(vector, "pck_crl.der"));
      } else if (url.pathname === `${sgx}/rootcacrl`) {
        res.writeHead(200, { "content-type": "application/pkix-crl" });
        res.end(vectorFile(vector, "root_ca_crl.der"));
      } else if (url.pathname === `${tee}/tcb` && url.searchParams.get("fmspc")?.toLowerCase() === vector.fmspc.toLowerCase()) {
        res.writeHead(200, { "content-type": "application/json", "TCB-Info-Issuer-Chain": chain("tcb_info_issuer_chain.pem") });
        res.end(vectorFile(vector, "tcb_info.json"));
      } else if (url.pathname === `${tee}/qe/identity`) {
        res.writeHead(200, {
          "content-type": "application/json",
          "SGX-Enclave-Identity-Issuer-Chain": chain("qe_identity_issuer_chain.pem"),
        });
        res.end(vectorFile(vector, "qe_identity.json"));
      } else {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    counts,
    urls,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
