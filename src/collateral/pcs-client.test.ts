import assert from "node:assert/strict";
import { X509Certificate, verify as cryptoVerify } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Collateral } from "./collateral.ts";
import { PcsCache } from "./pcs-cache.ts";
import { PcsClient } from "./pcs-client.ts";
import { startVectorServer, vectorFile, type Override, type VectorInfo } from "../../test/helpers/vector-pcs-server.ts";

/** From test/fixtures/vectors/README.md. */
const VECTORS: readonly VectorInfo[] = [
  { dir: "sgx-v3-phala", fmspc: "00A067110000", pckCa: "processor", tee: "sgx" },
  { dir: "sgx-v3-zkdcap", fmspc: "00906ED50000", pckCa: "processor", tee: "sgx" },
  { dir: "tdx-v4-phala", fmspc: "B0C06F000000", pckCa: "platform", tee: "tdx" },
];
const PHALA = VECTORS[0]!;

const file = vectorFile;

/** collateral.json decoded with the field names of `Collateral`. */
function expectedCollateral(vector: VectorInfo): Collateral {
  const j = JSON.parse(file(vector, "collateral.json").toString("utf8")) as Record<string, string>;
  const hex = (k: string): Uint8Array => new Uint8Array(Buffer.from(j[k]!, "hex"));
  return {
    pckCrlIssuerChain: j.pck_crl_issuer_chain!,
    rootCaCrl: hex("root_ca_crl"),
    pckCrl: hex("pck_crl"),
    tcbInfoIssuerChain: j.tcb_info_issuer_chain!,
    tcbInfo: j.tcb_info!,
    tcbInfoSignature: hex("tcb_info_signature"),
    qeIdentityIssuerChain: j.qe_identity_issuer_chain!,
    qeIdentity: j.qe_identity!,
    qeIdentitySignature: hex("qe_identity_signature"),
  };
}

function assertSameCollateral(actual: Collateral, expected: Collateral): void {
  assert.equal(actual.pckCrlIssuerChain, expected.pckCrlIssuerChain);
  assert.equal(actual.tcbInfoIssuerChain, expected.tcbInfoIssuerChain);
  assert.equal(actual.qeIdentityIssuerChain, expected.qeIdentityIssuerChain);
  assert.equal(actual.tcbInfo, expected.tcbInfo);
  assert.equal(actual.qeIdentity, expected.qeIdentity);
  for (const k of ["rootCaCrl", "pckCrl", "tcbInfoSignature", "qeIdentitySignature"] as const) {
    assert.equal(Buffer.from(actual[k]).toString("hex"), Buffer.from(expected[k]).toString("hex"), k);
  }
}

async function withServer<T>(
  vector: VectorInfo,
  body: (s: Awaited<ReturnType<typeof startVectorServer>>) => Promise<T>,
  override?: Override,
): Promise<T> {
  const s = await startVectorServer(vector, override);
  try {
    return await body(s);
  } finally {
    await s.close();
  }
}

const request = (v: VectorInfo) => ({ fmspc: v.fmspc, pckCa: v.pckCa, tee: v.tee });

for (const vector of VECTORS) {
  test(`${vector.dir}: the fetched collateral equals collateral.json byte for byte, and its signatures verify`, async () => {
    await withServer(vector, async (s) => {
      const client = new PcsClient({ baseUrl: s.base });
      const got = await client.getCollateral(request(vector));
      assertSameCollateral(got, expectedCollateral(vector));
      const prefix = `/${vector.tee}/certification/v4`;
      assert.deepEqual(
        [...s.urls].sort(),
        [
          `/sgx/certification/v4/pckcrl?ca=${vector.pckCa}&encoding=der`,
          "/sgx/certification/v4/rootcacrl",
          `${prefix}/qe/identity`,
          `${prefix}/tcb?fmspc=${vector.fmspc.toUpperCase()}`,
        ].sort(),
      );
      // Independent check: Intel's TCB signing key signed exactly the text we extracted.
      const signer = new X509Certificate(got.tcbInfoIssuerChain.split(/(?<=-----END CERTIFICATE-----\n)/)[0]!);
      const ok = (text: string, sig: Uint8Array): boolean =>
        cryptoVerify("sha256", Buffer.from(text, "utf8"), { key: signer.publicKey, dsaEncoding: "ieee-p1363" }, sig);
      assert.ok(ok(got.tcbInfo, got.tcbInfoSignature), "TCB Info signature");
      assert.ok(ok(got.qeIdentity, got.qeIdentitySignature), "QE identity signature");
      assert.ok(!ok(`${got.tcbInfo} `, got.tcbInfoSignature), "altered text fails");
    });
  });
}

test("the base URL may be the service root or …/sgx/certification/v4/ (QCNL pccs_url form), same requests", async () => {
  await withServer(PHALA, async (s) => {
    const a = await new PcsClient({ baseUrl: `${s.base}/` }).getCollateral(request(PHALA));
    const urlsA = [...s.urls].sort();
    s.urls.length = 0;
    const b = await new PcsClient({ baseUrl: `${s.base}/sgx/certification/v4/` }).getCollateral(request(PHALA));
    assertSameCollateral(b, a);
    assert.deepEqual([...s.urls].sort(), urlsA);
  });
});

test("FMSPC as bytes and in lower case select the same TCB Info", async () => {
  await withServer(PHALA, async (s) => {
    const got = await new PcsClient({ baseUrl: s.base }).getCollateral({
      fmspc: new Uint8Array(Buffer.from(PHALA.fmspc, "hex")),
      pckCa: "processor",
    });
    assert.equal(got.tcbInfo, expectedCollateral(PHALA).tcbInfo);
    assert.ok(s.urls.includes("/sgx/certification/v4/tcb?fmspc=00A067110000"), s.urls.join(" "));
  });
});

// Phala window: QE identity nextUpdate 2025-07-19T10:01:18Z, PCK CRL 10:23:18Z, TCB Info 10:56:11Z, root CA CRL 2026-04-03.
test("cache: items are reused until their own nextUpdate, then fetched again (server-counted)", async () => {
  await withServer(PHALA, async (s) => {
    let now = new Date("2025-07-04T10:28:44Z");
    const client = new PcsClient({ baseUrl: s.base, now: () => now });
    const first = await client.getCollateral(request(PHALA));
    assert.equal(s.total(), 4);
    const second = await client.getCollateral(request(PHALA));
    assert.equal(s.total(), 4, "all four items from the cache");
    assertSameCollateral(second, first);
    assert.deepEqual(client.stats, { cacheHits: 4, requests: 4 });

    const count = (p: string): number => s.counts.get(`/sgx/certification/v4/${p}`) ?? 0;
    now = new Date("2025-07-19T10:01:18Z"); // exactly QE identity nextUpdate: no longer fresh
    await client.getCollateral(request(PHALA));
    assert.deepEqual([count("qe/identity"), count("pckcrl"), count("tcb"), count("rootcacrl")], [2, 1, 1, 1]);
    now = new Date("2025-07-19T10:30:00Z");
    await client.getCollateral(request(PHALA));
    assert.deepEqual([count("qe/identity"), count("pckcrl"), count("tcb"), count("rootcacrl")], [3, 2, 1, 1]);
    now = new Date("2025-07-19T11:00:00Z");
    await client.getCollateral(request(PHALA));
    assert.deepEqual([count("qe/identity"), count("pckcrl"), count("tcb"), count("rootcacrl")], [4, 3, 2, 1]);
  });
});

test("cache: concurrent requests for the same items share one fetch each", async () => {
  await withServer(PHALA, async (s) => {
    const client = new PcsClient({ baseUrl: s.base, now: () => new Date("2025-07-04T10:28:44Z") });
    const all = await Promise.all(Array.from({ length: 5 }, () => client.getCollateral(request(PHALA))));
    assert.equal(s.total(), 4);
    for (const c of all) assertSameCollateral(c, expectedCollateral(PHALA));
  });
});

test("returned byte arrays are copies: mutating them does not alter the cache", async () => {
  await withServer(PHALA, async (s) => {
    const client = new PcsClient({ baseUrl: s.base, now: () => new Date("2025-07-04T10:28:44Z") });
    const first = await client.getCollateral(request(PHALA));
    first.pckCrl[10]! ^= 0xff;
    first.tcbInfoSignature[0]! ^= 0xff;
    assertSameCollateral(await client.getCollateral(request(PHALA)), expectedCollateral(PHALA));
  });
});

test("persisted cache + offline mode: served from the directory with no network, even after nextUpdate", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pcs-cache-"));
  try {
    // The cache is per service: later clients name the same base URL, with no server behind it.
    const base = await withServer(PHALA, async (s) => {
      await new PcsClient({ baseUrl: s.base, cache: new PcsCache({ directory: dir }) }).getCollateral(request(PHALA));
      return s.base;
    });
    assert.equal((await readdir(dir)).filter((f) => f.endsWith(".json")).length, 4);
    let fetches = 0;
    const countingFetch = () => {
      fetches++;
      return Promise.reject(new Error("no network"));
    };
    const offline = new PcsClient({
      baseUrl: base,
      cache: new PcsCache({ directory: dir }),
      offline: true,
      now: () => new Date("2030-01-01T00:00:00Z"),
      fetch: countingFetch,
    });
    assertSameCollateral(await offline.getCollateral(request(PHALA)), expectedCollateral(PHALA));
    assert.equal(fetches, 0);
    // Another FMSPC was never fetched: a clear error naming the item.
    await assert.rejects(offline.getCollateral({ fmspc: "00906ed50000", pckCa: "processor" }), {
      code: "ERR_COLLATERAL_NOT_CACHED",
      item: "tcb/sgx/00906ed50000",
    });
    // Online again with the persisted cache: fresh items come from disk (clock inside the window).
    const online = new PcsClient({
      baseUrl: base,
      cache: new PcsCache({ directory: dir }),
      now: () => new Date("2025-07-04T10:28:44Z"),
      fetch: countingFetch,
    });
    assertSameCollateral(await online.getCollateral(request(PHALA)), expectedCollateral(PHALA));
    assert.equal(fetches, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("one cache shared by clients of two services never hands one service's items to the other", async () => {
  const cache = new PcsCache();
  await withServer(PHALA, async (s) => {
    await new PcsClient({ baseUrl: s.base, cache }).getCollateral(request(PHALA));
  });
  // Same cache, another service (nothing listens there): offline, nothing may come from the first.
  const other = new PcsClient({ baseUrl: "http://127.0.0.1:9", cache, offline: true });
  await assert.rejects(other.getCollateral(request(PHALA)), { code: "ERR_COLLATERAL_NOT_CACHED" });
});

test("offline with an empty cache: ERR_COLLATERAL_NOT_CACHED and no request", async () => {
  let fetches = 0;
  const client = new PcsClient({
    baseUrl: "http://127.0.0.1:9",
    offline: true,
    fetch: () => {
      fetches++;
      return Promise.reject(new Error("unreachable"));
    },
  });
  await assert.rejects(client.getCollateral(request(PHALA)), { code: "ERR_COLLATERAL_NOT_CACHED" });
  assert.equal(fetches, 0);
});

test("PCK CRL as a PEM body, root CA CRL as hex text, v3 TCB header name: same collateral", async () => {
  await withServer(
    PHALA,
    async (s) => {
      assertSameCollateral(await new PcsClient({ baseUrl: s.base }).getCollateral(request(PHALA)), expectedCollateral(PHALA));
    },
    (req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path.endsWith("/pckcrl")) {
        const b64 = file(PHALA, "pck_crl.der").toString("base64");
        res.writeHead(200, { "SGX-PCK-CRL-Issuer-Chain": encodeURIComponent(file(PHALA, "pck_crl_issuer_chain.pem").toString()) });
        res.end(`-----BEGIN X509 CRL-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END X509 CRL-----\n`);
        return true;
      }
      if (path.endsWith("/rootcacrl")) {
        res.writeHead(200).end(file(PHALA, "root_ca_crl.der").toString("hex"));
        return true;
      }
      if (path.endsWith("/tcb")) {
        res.writeHead(200, { "SGX-TCB-Info-Issuer-Chain": encodeURIComponent(file(PHALA, "tcb_info_issuer_chain.pem").toString()) });
        res.end(file(PHALA, "tcb_info.json"));
        return true;
      }
      return false;
    },
  );
});

test("a pretty-printed body still yields the exact member text (which then differs from the compact one)", async () => {
  const pretty = `{\n  "tcbInfo" : ${JSON.stringify(JSON.parse(expectedCollateral(PHALA).tcbInfo), null, 1)} ,\n  "signature": "${"ab".repeat(64)}"\n}\n`;
  await withServer(
    PHALA,
    async (s) => {
      const got = await new PcsClient({ baseUrl: s.base }).getCollateral(request(PHALA));
      assert.equal(got.tcbInfo, JSON.stringify(JSON.parse(expectedCollateral(PHALA).tcbInfo), null, 1));
      assert.equal(Buffer.from(got.tcbInfoSignature).toString("hex"), "ab".repeat(64));
    },
    (req, res) => {
      if (!(req.url ?? "").includes("/tcb?")) return false;
      res.writeHead(200, { "TCB-Info-Issuer-Chain": encodeURIComponent(file(PHALA, "tcb_info_issuer_chain.pem").toString()) });
      res.end(pretty);
      return true;
    },
  );
});

/** Runs getCollateral against a server whose `pathPart` route is replaced by `respond`. */
async function failWith(pathPart: string, respond: (res: ServerResponse) => void, clientOptions: { timeoutMs?: number } = {}) {
  return withServer(
    PHALA,
    async (s) => {
      const client = new PcsClient({ baseUrl: s.base, ...clientOptions });
      const error = await client.getCollateral(request(PHALA)).then(
        () => assert.fail("expected a failure"),
        (e: unknown) => e as { code: string; status?: number; url: string; timedOut?: boolean; message: string },
      );
      return { error, base: s.base };
    },
    (req, res) => {
      if (!(req.url ?? "").includes(pathPart)) return false;
      respond(res);
      return true;
    },
  );
}

const TCB_CHAIN = () => encodeURIComponent(file(PHALA, "tcb_info_issuer_chain.pem").toString());

test("HTTP 404 (unknown FMSPC) and 500 give ERR_COLLATERAL_HTTP with status and URL", async () => {
  const a = await failWith("/tcb?", (res) => res.writeHead(404).end("not found"));
  assert.equal(a.error.code, "ERR_COLLATERAL_HTTP");
  assert.equal(a.error.status, 404);
  assert.equal(a.error.url, `${a.base}/sgx/certification/v4/tcb?fmspc=00A067110000`);
  const b = await failWith("/pckcrl", (res) => res.writeHead(500).end());
  assert.equal(b.error.code, "ERR_COLLATERAL_HTTP");
  assert.equal(b.error.status, 500);
  assert.equal(b.error.url, `${b.base}/sgx/certification/v4/pckcrl?ca=processor&encoding=der`);
});

test("a server that never answers, or stalls mid-body, times out with ERR_COLLATERAL_HTTP (timedOut)", async () => {
  const started = Date.now();
  const a = await failWith("/qe/identity", () => undefined, { timeoutMs: 200 });
  assert.equal(a.error.code, "ERR_COLLATERAL_HTTP");
  assert.equal(a.error.timedOut, true);
  assert.equal(a.error.status, undefined);
  const b = await failWith(
    "/qe/identity",
    (res) => {
      res.writeHead(200, { "SGX-Enclave-Identity-Issuer-Chain": TCB_CHAIN(), "content-length": "1000" });
      res.write('{"enclaveIdentity":{');
    },
    { timeoutMs: 200 },
  );
  assert.equal(b.error.code, "ERR_COLLATERAL_HTTP");
  assert.equal(b.error.timedOut, true);
  assert.ok(Date.now() - started < 5000, "timeouts are prompt");
});

test("connection refused: ERR_COLLATERAL_HTTP without status", async () => {
  const s = await startVectorServer(PHALA);
  await s.close();
  await assert.rejects(
    new PcsClient({ baseUrl: s.base }).getCollateral(request(PHALA)),
    (e: { code: string; status?: number; timedOut: boolean }) => {
      assert.equal(e.code, "ERR_COLLATERAL_HTTP");
      assert.equal(e.status, undefined);
      assert.equal(e.timedOut, false);
      return true;
    },
  );
});

test("garbage bodies and headers give ERR_COLLATERAL_FORMAT naming the problem", async () => {
  const cases: Array<[string, (res: ServerResponse) => void, RegExp]> = [
    ["/tcb?", (res) => res.writeHead(200, { "TCB-Info-Issuer-Chain": TCB_CHAIN() }).end("<html>oops</html>"), /not JSON/],
    [
      "/tcb?",
      (res) => res.writeHead(200, { "TCB-Info-Issuer-Chain": TCB_CHAIN() }).end('{"tcbInfo":{"fmspc":"00A067110000"}}'),
      /signature/,
    ],
    ["/tcb?", (res) => res.writeHead(200, { "TCB-Info-Issuer-Chain": TCB_CHAIN() }).end(`{"signature":"${"00".repeat(64)}"}`), /tcbInfo/],
    ["/tcb?", (res) => res.writeHead(200).end(file(PHALA, "tcb_info.json")), /missing header TCB-Info-Issuer-Chain/],
    ["/tcb?", (res) => res.writeHead(200, { "TCB-Info-Issuer-Chain": "%E0%A4%A" }).end(file(PHALA, "tcb_info.json")), /URL-encoded/],
    ["/tcb?", (res) => res.writeHead(200, { "TCB-Info-Issuer-Chain": "hello" }).end(file(PHALA, "tcb_info.json")), /no PEM certificate/],
    [
      "/tcb?",
      (res) => res.writeHead(200, { "TCB-Info-Issuer-Chain": TCB_CHAIN() }).end(file(VECTORS[1]!, "tcb_info.json")),
      /FMSPC 00906ED50000, asked for 00a067110000/,
    ],
    [
      "/qe/identity",
      (res) =>
        res
          .writeHead(200, { "SGX-Enclave-Identity-Issuer-Chain": TCB_CHAIN() })
          .end(file(PHALA, "qe_identity.json").toString().replace('"nextUpdate":"2025-07-19T10:01:18Z"', '"nextUpdate":"soon"')),
      /nextUpdate/,
    ],
    [
      "/qe/identity",
      (res) => res.writeHead(200, { "SGX-Enclave-Identity-Issuer-Chain": TCB_CHAIN() }).end(file(VECTORS[2]!, "qe_identity.json")),
      /id is TD_QE, expected QE/,
    ],
    ["/rootcacrl", (res) => res.writeHead(200).end("definitely not a CRL"), /neither DER, PEM nor hex/],
    ["/rootcacrl", (res) => res.writeHead(200).end(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])), /not an X.509 CRL/],
    [
      "/pckcrl",
      (res) =>
        res.writeHead(200, { "SGX-PCK-CRL-Issuer-Chain": TCB_CHAIN() }).end(Buffer.concat([file(PHALA, "pck_crl.der"), Buffer.from([0])])),
      /trailing bytes/,
    ],
  ];
  for (const [path, respond, message] of cases) {
    const { error } = await failWith(path, respond);
    assert.equal(error.code, "ERR_COLLATERAL_FORMAT", `${path} ${String(message)}: got ${error.message}`);
    assert.match(error.message, message);
    assert.ok(error.url.includes(path.replace("?", "")), error.url);
  }
});

test("a body larger than maxResponseBytes is refused", async () => {
  await withServer(PHALA, async (s) => {
    const client = new PcsClient({ baseUrl: s.base, maxResponseBytes: 1000 });
    await assert.rejects(client.getCollateral(request(PHALA)), { code: "ERR_COLLATERAL_FORMAT", message: /limit/ });
  });
});

test("a failed item is not cached: the next call fetches it again and succeeds", async () => {
  let fail = true;
  await withServer(
    PHALA,
    async (s) => {
      const client = new PcsClient({ baseUrl: s.base, now: () => new Date("2025-07-04T10:28:44Z") });
      await assert.rejects(client.getCollateral(request(PHALA)), { code: "ERR_COLLATERAL_HTTP", status: 503 });
      fail = false;
      assertSameCollateral(await client.getCollateral(request(PHALA)), expectedCollateral(PHALA));
      assert.equal(s.counts.get("/sgx/certification/v4/tcb"), 2);
      assert.equal(s.counts.get("/sgx/certification/v4/rootcacrl"), 1, "the items that succeeded were cached");
    },
    (req, res) => {
      if (!fail || !(req.url ?? "").includes("/tcb?")) return false;
      res.writeHead(503).end();
      return true;
    },
  );
});

test("an Intel PCS root fetches the root CA CRL from Intel's CDP; rootCaCrlUrl overrides it", async () => {
  const seen: string[] = [];
  const client = new PcsClient({
    baseUrl: "https://api.trustedservices.intel.com/sgx/certification/v4",
    fetch: (url) => {
      seen.push(url);
      return Promise.resolve(new Response("", { status: 418 }));
    },
  });
  await assert.rejects(client.getCollateral(request(PHALA)), { code: "ERR_COLLATERAL_HTTP", status: 418 });
  assert.ok(seen.includes("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"), seen.join(" "));
  assert.ok(seen.includes("https://api.trustedservices.intel.com/sgx/certification/v4/tcb?fmspc=00A067110000"), seen.join(" "));
  await withServer(PHALA, async (s) => {
    const c = new PcsClient({ baseUrl: "http://127.0.0.1:1/unused", rootCaCrlUrl: `${s.base}/sgx/certification/v4/rootcacrl` });
    await assert.rejects(c.getCollateral(request(PHALA)), { code: "ERR_COLLATERAL_HTTP" });
    assert.equal(s.counts.get("/sgx/certification/v4/rootcacrl"), 1);
  });
});

test("constructor rejects unusable base URLs and bad FMSPCs", async () => {
  assert.throws(() => new PcsClient({ baseUrl: "ftp://x" }), TypeError);
  assert.throws(() => new PcsClient({ baseUrl: "https://x/sgx/certification/v3" }), RangeError);
  assert.throws(() => new PcsClient({ baseUrl: "https://x/?a=1" }), TypeError);
  assert.equal(new PcsClient({ baseUrl: "https://x:8081/tdx/certification/v4/" }).root, "https://x:8081");
  assert.equal(new PcsClient({ baseUrl: "https://proxy/pccs/" }).root, "https://proxy/pccs");
  await assert.rejects(new PcsClient({ baseUrl: "https://x" }).getCollateral({ fmspc: "00a0", pckCa: "processor" }), TypeError);
});
