import assert from "node:assert/strict";
import { verify, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificateList } from "@peculiar/asn1-x509";
import { PcsClient } from "../collateral/index.ts";
import { SimulatedPlatform } from "../providers/simulated/index.ts";
import { startPcsServer } from "./index.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
let dir: string;
let platform: SimulatedPlatform;
let pem: { root: X509Certificate; pckCa: X509Certificate; tcbSigning: X509Certificate };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pcs-server-"));
  platform = await SimulatedPlatform.open({ stateDir: dir });
  const load = async (name: string) => new X509Certificate(await readFile(join(dir, "platform", `${name}.pem`)));
  pem = { root: await load("root-ca"), pckCa: await load("pck-ca"), tcbSigning: await load("tcb-signing") };
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withPcs<T>(
  options: Partial<Parameters<typeof startPcsServer>[0]>,
  fn: (s: Awaited<ReturnType<typeof startPcsServer>>) => Promise<T>,
) {
  const server = await startPcsServer({ platform, now: () => NOW, ...options });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

const REQUEST = { fmspc: "ff53494d0000", pckCa: "processor", tee: "sgx" } as const;

/** The first level whose components and PCESVN the platform's PCK TCB meets (research doc 4.6). */
function platformLevelStatus(tcbInfo: string): { status: string; advisories: string[] | undefined } {
  const { components, pceSvn } = platform.pckExtension.tcb;
  const levels = (
    JSON.parse(tcbInfo) as {
      tcbLevels: Array<{ tcb: { sgxtcbcomponents: Array<{ svn: number }>; pcesvn: number }; tcbStatus: string; advisoryIDs?: string[] }>;
    }
  ).tcbLevels;
  const level = levels.find((l) => l.tcb.sgxtcbcomponents.every((c, i) => components[i]! >= c.svn) && pceSvn >= l.tcb.pcesvn);
  return { status: level!.tcbStatus, advisories: level!.advisoryIDs };
}

test("pcs-client against the simulated endpoint: the platform's collateral, signatures verifying with its TCB signing certificate", async () => {
  await withPcs({}, async (server) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const c = await new PcsClient({ baseUrl: server.url }).getCollateral(REQUEST);
    const expected = platform.collateral({ now: NOW });
    assert.equal(c.tcbInfo, expected.tcbInfo);
    assert.equal(c.qeIdentity, expected.qeIdentity);
    assert.equal(c.tcbInfoIssuerChain, pem.tcbSigning.toString() + pem.root.toString());
    assert.equal(c.qeIdentityIssuerChain, c.tcbInfoIssuerChain);
    assert.equal(c.pckCrlIssuerChain, pem.pckCa.toString() + pem.root.toString());
    const signer = new X509Certificate(platform.tcbSigningCertificatePem).publicKey;
    const ok = (text: string, sig: Uint8Array): boolean =>
      verify("sha256", Buffer.from(text, "utf8"), { key: signer, dsaEncoding: "ieee-p1363" }, sig);
    assert.equal(ok(c.tcbInfo, c.tcbInfoSignature), true);
    assert.equal(ok(c.qeIdentity, c.qeIdentitySignature), true);
    // CRLs parse and are signed by their issuers (the PCK CA from the chain, the root).
    for (const [der, issuer] of [
      [c.pckCrl, pem.pckCa],
      [c.rootCaCrl, pem.root],
    ] as const) {
      const crl = AsnConvert.parse(der, CertificateList);
      assert.equal(verify("sha256", Buffer.from(crl.tbsCertListRaw!), issuer.publicKey, Buffer.from(crl.signature)), true);
      assert.equal(crl.tbsCertList.thisUpdate.getTime().toISOString(), "2026-03-01T11:00:00.000Z");
    }
    assert.equal(platformLevelStatus(c.tcbInfo).status, "UpToDate");
  });
});

test("the TCB status is settable at start and at run time", async () => {
  await withPcs({ tcbStatus: "OutOfDate" }, async (server) => {
    const first = await new PcsClient({ baseUrl: server.url }).getCollateral(REQUEST);
    assert.deepEqual(platformLevelStatus(first.tcbInfo), { status: "OutOfDate", advisories: ["INTEL-SA-SIM01"] });
    for (const status of ["ConfigurationNeeded", "SWHardeningNeeded", "Revoked", "UpToDate"] as const) {
      server.setStatus({ tcbStatus: status });
      const c = await new PcsClient({ baseUrl: server.url }).getCollateral(REQUEST);
      assert.equal(platformLevelStatus(c.tcbInfo).status, status);
    }
    server.setStatus({ qeTcbStatus: "OutOfDate", revokePckCertificate: true });
    const c = await new PcsClient({ baseUrl: server.url }).getCollateral(REQUEST);
    const qe = JSON.parse(c.qeIdentity) as { tcbLevels: Array<{ tcb: { isvsvn: number }; tcbStatus: string }> };
    assert.equal(qe.tcbLevels.find((l) => l.tcb.isvsvn <= 8)?.tcbStatus, "OutOfDate");
    assert.equal(AsnConvert.parse(c.pckCrl, CertificateList).tbsCertList.revokedCertificates?.length, 1);
  });
});

test("PCS v4 wire details: headers, encodings, status codes", async () => {
  await withPcs({}, async (server) => {
    const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
    const sgx = "/sgx/certification/v4";
    const pemCrl = await get(`${sgx}/pckcrl?ca=processor`);
    assert.equal(pemCrl.status, 200);
    assert.match(await pemCrl.text(), /^-----BEGIN X509 CRL-----\n/);
    assert.equal(decodeURIComponent(pemCrl.headers.get("SGX-PCK-CRL-Issuer-Chain")!), pem.pckCa.toString() + pem.root.toString());
    assert.match(pemCrl.headers.get("Request-ID") ?? "", /^[0-9a-f]{32}$/);
    const derCrl = await get(`${sgx}/pckcrl?ca=processor&encoding=der`);
    assert.equal(derCrl.headers.get("content-type"), "application/pkix-crl");
    assert.equal(new Uint8Array(await derCrl.arrayBuffer())[0], 0x30);
    const tcb = await get(`${sgx}/tcb?fmspc=FF53494D0000`);
    assert.equal(tcb.headers.get("content-type"), "application/json");
    assert.equal(decodeURIComponent(tcb.headers.get("TCB-Info-Issuer-Chain")!), pem.tcbSigning.toString() + pem.root.toString());
    assert.match(await tcb.text(), /^\{"tcbInfo":\{"id":"SGX","version":3,.*\},"signature":"[0-9a-f]{128}"\}$/);
    const qe = await get(`${sgx}/qe/identity`);
    assert.ok(qe.headers.get("SGX-Enclave-Identity-Issuer-Chain"), "QE identity issuer chain header");
    assert.match(await qe.text(), /^\{"enclaveIdentity":\{"id":"QE","version":2,/);
    const statuses = await Promise.all(
      [
        `${sgx}/pckcrl?ca=platform&encoding=der`,
        `${sgx}/pckcrl`,
        `${sgx}/pckcrl?ca=processor&encoding=xml`,
        `${sgx}/tcb?fmspc=00A067110000`,
        `${sgx}/tcb`,
        `${sgx}/tcb?fmspc=zz`,
        "/tdx/certification/v4/tcb?fmspc=FF53494D0000",
        "/tdx/certification/v4/qe/identity",
        "/sgx/certification/v3/qe/identity",
      ].map(async (p) => (await get(p)).status),
    );
    assert.deepEqual(statuses, [404, 400, 400, 404, 400, 400, 404, 404, 404]);
    assert.equal((await get(`${sgx}/qe/identity`, { method: "POST" })).status, 405);
    const head = await get(`${sgx}/rootcacrl`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    assert.equal(server.requestCounts.get(`${sgx}/qe/identity`), 2);
  });
});

test("documents are republished after an hour; the client refetches only after nextUpdate", async () => {
  let now = NOW;
  await withPcs({ now: () => now }, async (server) => {
    let clientNow = NOW;
    const client = new PcsClient({ baseUrl: server.url, now: () => clientNow });
    const a = await client.getCollateral(REQUEST);
    now = new Date(NOW.getTime() + 2 * 3600 * 1000);
    clientNow = now;
    const b = await client.getCollateral(REQUEST);
    assert.equal(b.tcbInfo, a.tcbInfo, "still fresh in the client cache");
    assert.equal(server.requestCounts.get("/sgx/certification/v4/tcb"), 1);
    clientNow = new Date(NOW.getTime() + 31 * 24 * 3600 * 1000);
    now = clientNow;
    const c = await client.getCollateral(REQUEST);
    assert.notEqual(c.tcbInfo, a.tcbInfo);
    assert.equal((JSON.parse(c.tcbInfo) as { issueDate: string }).issueDate, "2026-04-01T11:00:00Z");
    assert.equal(server.requestCounts.get("/sgx/certification/v4/tcb"), 2);
  });
});

test("a port in use is reported", async () => {
  await withPcs({}, async (server) => {
    await assert.rejects(startPcsServer({ platform, port: server.port }), { code: "EADDRINUSE" });
  });
});

test("hostile request lines get 400 and the endpoint keeps serving", async () => {
  await withPcs({}, async (s) => {
    const { port } = s;
    for (const target of ["http://[bad/", "//[", "http://localhost:99999/x", "*"]) {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let data = "";
        socket.on("data", (c: Buffer) => (data += c.toString("latin1")));
        socket.on("end", () => resolve(data));
        socket.on("error", reject);
      });
      assert.match(reply, /^HTTP\/1\.1 (400|404)/, `request line "${target}"`);
    }
    const collateral = await new PcsClient({ baseUrl: s.url }).getCollateral(REQUEST);
    assert.ok(collateral.tcbInfo.length > 0, "still serving collateral");
  });
});
