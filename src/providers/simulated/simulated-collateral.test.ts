import assert from "node:assert/strict";
import { createHash, verify, X509Certificate, type KeyObject } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityKeyIdentifier, CertificateList, CRLNumber, id_ce_authorityKeyIdentifier, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import { SIMULATED_TCB_STATUSES, SimulatedPlatform, type SimulatedTcbStatus } from "./index.ts";
import { simulatedAppQuote } from "./test-helpers/app-quote.ts";

const NOW = new Date("2026-03-01T12:34:56.789Z");
const REAL = new URL("../../../test/fixtures/vectors/sgx-v3-phala/", import.meta.url);

let dir: string;
let platform: SimulatedPlatform;
let certs: { root: X509Certificate; pckCa: X509Certificate; pck: X509Certificate; tcbSigning: X509Certificate };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sim-collateral-"));
  platform = await SimulatedPlatform.open({ stateDir: dir });
  const pem = async (name: string) => new X509Certificate(await readFile(join(dir, "platform", `${name}.pem`)));
  certs = { root: await pem("root-ca"), pckCa: await pem("pck-ca"), pck: await pem("pck"), tcbSigning: await pem("tcb-signing") };
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Level {
  tcb: { sgxtcbcomponents: Array<{ svn: number }>; pcesvn: number };
  tcbStatus: string;
  tcbDate: string;
  advisoryIDs?: string[];
}

/** QVL's SGX level selection (research doc 4.6), written independently here. */
function selectLevel(levels: Level[], components: readonly number[], pceSvn: number): Level | undefined {
  return levels.find((l) => l.tcb.sgxtcbcomponents.every((c, i) => components[i]! >= c.svn) && pceSvn >= l.tcb.pcesvn);
}

function verifyText(text: string, signature: Uint8Array, key: KeyObject): boolean {
  return verify("sha256", Buffer.from(text, "utf8"), { key, dsaEncoding: "ieee-p1363" }, signature);
}

function keySets(value: unknown, path = "$"): Map<string, string> {
  // path -> sorted key list, descending into objects and arrays ([] merges elements).
  const out = new Map<string, string>();
  const walk = (v: unknown, p: string): void => {
    if (Array.isArray(v)) v.forEach((e) => walk(e, `${p}[]`));
    else if (typeof v === "object" && v !== null) {
      const keys = new Set([...(out.get(p)?.split(",").filter(Boolean) ?? []), ...Object.keys(v)]);
      out.set(p, [...keys].sort().join(","));
      for (const [k, child] of Object.entries(v)) walk(child, `${p}.${k}`);
    }
  };
  walk(value, path);
  return out;
}

test("TCB Info and QE identity: compact PCS bodies whose member text is what the TCB Signing key signed", () => {
  const r = platform.pcsResponses({ now: NOW });
  const c = r.collateral;
  const key = certs.tcbSigning.publicKey;
  assert.ok(verifyText(c.tcbInfo, c.tcbInfoSignature, key), "TCB Info signature");
  assert.ok(verifyText(c.qeIdentity, c.qeIdentitySignature, key), "QE identity signature");
  assert.ok(!verifyText(c.tcbInfo.replace('"version":3', '"version":2'), c.tcbInfoSignature, key), "altered text fails");
  assert.equal(r.tcbInfoBody, `{"tcbInfo":${c.tcbInfo},"signature":"${Buffer.from(c.tcbInfoSignature).toString("hex")}"}`);
  assert.equal(r.qeIdentityBody, `{"enclaveIdentity":${c.qeIdentity},"signature":"${Buffer.from(c.qeIdentitySignature).toString("hex")}"}`);
  assert.equal(JSON.stringify(JSON.parse(c.tcbInfo)), c.tcbInfo, "compact");
  assert.equal(c.tcbInfoSignature.byteLength, 64);
  // Chains: TCB Signing then root; PCK CA then root; the TCB signing cert chains to the root.
  assert.equal(c.tcbInfoIssuerChain, certs.tcbSigning.toString() + certs.root.toString());
  assert.equal(c.qeIdentityIssuerChain, c.tcbInfoIssuerChain);
  assert.equal(c.pckCrlIssuerChain, certs.pckCa.toString() + certs.root.toString());
  assert.ok(certs.tcbSigning.verify(certs.root.publicKey), "TCB signing cert issued by the root");
  assert.equal(platform.tcbSigningCertificatePem, certs.tcbSigning.toString());
  // collateral() is the same bundle (documents identical for the same time; signatures are fresh).
  assert.equal(platform.collateral({ now: NOW }).tcbInfo, c.tcbInfo);
});

test("field structure equals the real Intel TCB Info v3 and QE identity v2 (key sets at every depth)", () => {
  const c = platform.collateral({ now: NOW, tcbStatus: "OutOfDate", qeTcbStatus: "OutOfDate" });
  const real = (f: string, m: string): unknown => (JSON.parse(readFileSync(new URL(f, REAL), "utf8")) as Record<string, unknown>)[m];
  assert.deepEqual(keySets(JSON.parse(c.tcbInfo)), keySets(real("tcb_info.json", "tcbInfo")));
  assert.deepEqual(keySets(JSON.parse(c.qeIdentity)), keySets(real("qe_identity.json", "enclaveIdentity")));
  // Same member order as PCS too (it is what gets signed).
  const order = (text: string): string[] => Object.keys(JSON.parse(text) as object);
  assert.deepEqual(order(c.tcbInfo), order(JSON.stringify(real("tcb_info.json", "tcbInfo"))));
  assert.deepEqual(order(c.qeIdentity), order(JSON.stringify(real("qe_identity.json", "enclaveIdentity"))));
});

test("TCB Info header fields: the platform's FMSPC and PCE-ID, dates = now − 1 h and 30 days later", () => {
  const info = JSON.parse(platform.collateral({ now: NOW }).tcbInfo) as Record<string, unknown>;
  assert.equal(info.id, "SGX");
  assert.equal(info.version, 3);
  assert.equal(info.fmspc, "FF53494D0000");
  assert.equal(info.fmspc, platform.facts.fmspc.toUpperCase());
  assert.equal(info.pceId, "0000");
  assert.equal(info.tcbType, 0);
  assert.equal(info.issueDate, "2026-03-01T11:34:56Z");
  assert.equal(info.nextUpdate, "2026-03-31T11:34:56Z");
  assert.equal(info.tcbEvaluationDataNumber, 1);
  assert.equal(
    (JSON.parse(platform.collateral({ now: NOW, tcbEvaluationDataNumber: 19 }).tcbInfo) as { tcbEvaluationDataNumber: number })
      .tcbEvaluationDataNumber,
    19,
  );
});

for (const status of SIMULATED_TCB_STATUSES) {
  test(`tcbStatus ${status}: the level QVL selects for the platform's PCK TCB has that status and its advisories`, () => {
    const levels = (JSON.parse(platform.collateral({ now: NOW, tcbStatus: status }).tcbInfo) as { tcbLevels: Level[] }).tcbLevels;
    const { components, pceSvn } = platform.pckExtension.tcb;
    const selected = selectLevel(levels, components, pceSvn);
    assert.ok(selected, "a level matches");
    assert.equal(selected.tcbStatus, status);
    assert.deepEqual(
      selected.tcb.sgxtcbcomponents.map((c) => c.svn),
      [...components],
    );
    assert.equal(selected.tcb.pcesvn, pceSvn);
    assert.deepEqual(selected.advisoryIDs, status === "UpToDate" ? undefined : ["INTEL-SA-SIM01"]);
    // Sorted highest first (lexicographic on components, then PCESVN), no duplicates.
    const keyOf = (l: Level): number[] => [...l.tcb.sgxtcbcomponents.map((c) => c.svn), l.tcb.pcesvn];
    for (let i = 1; i < levels.length; i++) {
      const a = keyOf(levels[i - 1]!);
      const b = keyOf(levels[i]!);
      const d = a.findIndex((v, k) => v !== b[k]);
      assert.ok(d >= 0 && a[d]! > b[d]!, `levels ${i - 1} and ${i} in order`);
    }
    const expectHigher: Record<SimulatedTcbStatus, boolean> = {
      UpToDate: false,
      OutOfDate: true,
      Revoked: true,
      ConfigurationNeeded: false,
      SWHardeningNeeded: false,
    };
    assert.equal(levels[0] !== selected, expectHigher[status]);
    if (expectHigher[status]) {
      assert.equal(levels[0]!.tcbStatus, "UpToDate");
      assert.equal(selectLevel([levels[0]!], components, pceSvn), undefined, "the newer level is above the platform");
    }
    // The older level exists and is OutOfDate.
    assert.equal(levels.at(-1)!.tcbStatus, "OutOfDate");
    assert.ok(levels.at(-1)!.advisoryIDs!.includes("INTEL-SA-SIM00"), "older level advisory");
  });
}

test("QE identity matches the simulated QE's report in a real quote (MRSIGNER, ISVPRODID, masked attributes, misc select, ISVSVN level)", async () => {
  const quote = await simulatedAppQuote(platform);
  const qe = Buffer.from(quote.subarray(564, 564 + 384)); // header 48 + body 384 + sig len 4 + sig 64 + att key 64
  for (const [qeStatus, isvSvnStatus] of [
    ["UpToDate", "UpToDate"],
    ["OutOfDate", "OutOfDate"],
    ["Revoked", "Revoked"],
  ] as const) {
    const id = JSON.parse(platform.collateral({ now: NOW, qeTcbStatus: qeStatus }).qeIdentity) as {
      id: string;
      version: number;
      mrsigner: string;
      isvprodid: number;
      miscselect: string;
      miscselectMask: string;
      attributes: string;
      attributesMask: string;
      tcbLevels: Array<{ tcb: { isvsvn: number }; tcbStatus: string; advisoryIDs?: string[] }>;
    };
    assert.equal(id.id, "QE");
    assert.equal(id.version, 2);
    assert.equal(id.mrsigner, qe.subarray(128, 160).toString("hex").toUpperCase());
    assert.equal(id.isvprodid, qe.readUInt16LE(256));
    const misc = qe.readUInt32LE(16) & Buffer.from(id.miscselectMask, "hex").readUInt32LE(0);
    assert.equal(misc, Buffer.from(id.miscselect, "hex").readUInt32LE(0));
    const attrs = qe.subarray(48, 64);
    const mask = Buffer.from(id.attributesMask, "hex");
    assert.deepEqual(Buffer.from(attrs.map((b, i) => b & mask[i]!)), Buffer.from(id.attributes, "hex"));
    assert.equal(id.attributesMask, "FBFFFFFFFFFFFFFF0000000000000000", "Intel's mask");
    const isvSvn = qe.readUInt16LE(258);
    const level = id.tcbLevels.find((l) => isvSvn >= l.tcb.isvsvn);
    assert.equal(level?.tcbStatus, isvSvnStatus);
    assert.deepEqual(level.advisoryIDs, qeStatus === "UpToDate" ? undefined : ["INTEL-SA-SIM02"]);
  }
});

/** Independent: RFC 5280 method-1 key id = SHA-1 of the uncompressed EC point. */
function keyIdOf(cert: X509Certificate): string {
  const jwk = cert.publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  return createHash("sha1").update(point).digest("hex");
}

function checkCrl(der: Uint8Array, issuer: X509Certificate, thisUpdate: string, nextUpdate: string): CertificateList {
  const crl = AsnConvert.parse(der, CertificateList);
  const tbs = crl.tbsCertList;
  assert.equal(tbs.version, 1, "v2");
  assert.equal(crl.signatureAlgorithm.algorithm, "1.2.840.10045.4.3.2");
  // Issuer Name bytes appear verbatim in the issuer certificate (its subject).
  const issuerDer = Buffer.from(AsnConvert.serialize(tbs.issuer));
  assert.ok(Buffer.from(issuer.raw).includes(issuerDer), "CRL issuer = the issuer certificate's subject, byte for byte");
  assert.ok(verify("sha256", Buffer.from(crl.tbsCertListRaw!), issuer.publicKey, Buffer.from(crl.signature)), "signed by the issuer");
  assert.equal(tbs.thisUpdate.getTime().toISOString(), thisUpdate);
  assert.equal(tbs.nextUpdate?.getTime().toISOString(), nextUpdate);
  const ext = new Map((tbs.crlExtensions ?? []).map((e) => [e.extnID, e.extnValue.buffer]));
  assert.equal(AsnConvert.parse(ext.get(id_ce_cRLNumber)!, CRLNumber).value, Math.floor(Date.parse(thisUpdate) / 86_400_000));
  const aki = AsnConvert.parse(ext.get(id_ce_authorityKeyIdentifier)!, AuthorityKeyIdentifier);
  assert.equal(Buffer.from(aki.keyIdentifier!.buffer).toString("hex"), keyIdOf(issuer));
  return crl;
}

test("CRLs: X.509 v2, issued and signed by the PCK CA / root, CRL Number and AKI, 30-day / 1-year windows", () => {
  const c = platform.collateral({ now: NOW });
  const pck = checkCrl(c.pckCrl, certs.pckCa, "2026-03-01T11:34:56.000Z", "2026-03-31T11:34:56.000Z");
  assert.equal(pck.tbsCertList.revokedCertificates, undefined);
  checkCrl(c.rootCaCrl, certs.root, "2026-03-01T11:34:56.000Z", "2027-03-01T11:34:56.000Z");
  assert.throws(() => checkCrl(c.pckCrl, certs.root, "2026-03-01T11:34:56.000Z", "2026-03-31T11:34:56.000Z"));
});

test("revokePckCertificate lists the platform's PCK certificate serial in the PCK CRL", () => {
  const c = platform.collateral({ now: NOW, revokePckCertificate: true });
  const crl = checkCrl(c.pckCrl, certs.pckCa, "2026-03-01T11:34:56.000Z", "2026-03-31T11:34:56.000Z");
  const serials = (crl.tbsCertList.revokedCertificates ?? []).map((r) => Buffer.from(r.userCertificate).toString("hex").toUpperCase());
  assert.deepEqual(serials, [certs.pck.serialNumber.toUpperCase()]);
});
