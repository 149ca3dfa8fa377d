/**
 * The DER fast path of certificate checks cross-checked against node's X509Certificate on every
 * certificate of the vectors and of a simulated platform (same fields, same issued-by answers),
 * plus hostile inputs, which must leave the fast path (the X509Certificate path then decides).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, sign } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { normaliseSerial } from "../collateral/index.ts";
import { issueSimulatedHierarchy } from "../providers/simulated/platform-certificates.ts";
import { decodeQuote, parsePemCertificateChain, readPckExtension } from "../quote/index.ts";
import { certificateKeyHex, subjectDer } from "./certificates.ts";
import { derCertificateFromBase64, derIssuedAndSignedBy } from "./der-certificates.ts";
import { INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX } from "./intel-root-certificates.ts";
import { commonName } from "./pck-chain.ts";
import { clearVerificationCaches } from "./verify-quote-signatures.ts";

const derCertificate = (der: Uint8Array) => derCertificateFromBase64(Buffer.from(der).toString("base64"));

const VECTORS = new URL("../../test/fixtures/vectors/", import.meta.url);

function certificates(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const add = (name: string, data: Uint8Array) => parsePemCertificateChain(data).forEach((c, i) => out.set(`${name}[${i}]`, c.der));
  for (const dir of readdirSync(VECTORS, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== "_common")) {
    const files = readdirSync(new URL(`${dir.name}/`, VECTORS));
    if (files.includes("quote.bin")) {
      const cert = decodeQuote(readFileSync(new URL(`${dir.name}/quote.bin`, VECTORS))).signatureData.certificationData;
      if (cert.type === 5) add(`${dir.name}/quote`, cert.data);
    }
    if (files.includes("collateral.json")) {
      const bundle = JSON.parse(readFileSync(new URL(`${dir.name}/collateral.json`, VECTORS), "utf8")) as Record<string, string>;
      for (const chain of ["pck_crl_issuer_chain", "tcb_info_issuer_chain", "qe_identity_issuer_chain"])
        add(`${dir.name}/${chain}`, new Uint8Array(Buffer.from(bundle[chain]!, "latin1")));
    }
  }
  const sim = issueSimulatedHierarchy(readPckExtension(out.get("sgx-v3-phala/quote[0]")!));
  for (const role of ["root", "pckCa", "pck", "tcbSigning"] as const) out.set(`simulated/${role}`, sim[role].der);
  return out;
}

const all = certificates();

test("the fast path reads every real and simulated certificate with node's fields", () => {
  assert.ok(all.size >= 40);
  for (const [name, der] of all) {
    const x509 = new X509Certificate(der);
    const cert = derCertificate(der);
    assert.ok(cert !== undefined, `${name} qualifies for the fast path`);
    assert.equal(cert.commonName, commonName(x509), name);
    assert.equal(cert.keyHex, certificateKeyHex(x509), name);
    assert.equal(cert.serial, normaliseSerial(x509.serialNumber), name);
    assert.deepEqual(cert.notBefore, new Date(x509.validFrom), name);
    assert.deepEqual(cert.notAfter, new Date(x509.validTo), name);
    assert.equal(Buffer.from(cert.fields.subject.der).toString("hex"), Buffer.from(subjectDer(x509)).toString("hex"), name);
  }
});

test("Intel's root certificates are trust anchors: an identical copy is the pinned certificate, kept across cache clearing", () => {
  for (const file of ["intel_sgx_root_ca.der", "intel_sgx_root_ca_2018_original_exp2033.der"]) {
    const der = new Uint8Array(readFileSync(new URL(`_common/${file}`, VECTORS)));
    const x509 = new X509Certificate(der);
    assert.equal(x509.verify(x509.publicKey), true, `${file} is self-signed`);
    assert.equal(certificateKeyHex(x509), INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, `${file} carries the pinned key`);

    const anchor = derCertificate(der);
    assert.ok(anchor !== undefined);
    assert.equal(anchor.signedBy.has(anchor), true, "its self-signature was checked when the anchor was read");
    clearVerificationCaches();
    assert.equal(derCertificate(der), anchor, `${file}: the same anchor after the caches are emptied`);

    const changed = new Uint8Array(der);
    changed[changed.byteLength - 3]! ^= 0x01; // inside the signature's s value
    const copy = derCertificate(changed);
    assert.ok(copy !== undefined && copy !== anchor, "a copy differing in one byte is read as any certificate");
    assert.equal(derIssuedAndSignedBy(copy, copy), false, "and its self-signature is checked, and fails");
  }
});

test("the fast issued-by answer equals node's checkIssued && verify on every pair", () => {
  const unique = [...new Map([...all.values()].map((d) => [Buffer.from(d).toString("hex"), d])).values()];
  let issued = 0;
  for (const a of unique) {
    for (const b of unique) {
      const x = new X509Certificate(a);
      const y = new X509Certificate(b);
      const expected = x.checkIssued(y) && x.verify(y.publicKey);
      assert.equal(derIssuedAndSignedBy(derCertificate(a)!, derCertificate(b)!), expected);
      if (expected) issued++;
    }
  }
  assert.ok(issued >= 6, `${issued} issued pairs`);
});

/** The simulated PCK certificate with its tbsCertificate changed by `edit`, re-signed by the PCK CA. */
function resigned(edit: (tbs: Buffer) => Buffer, signatureAlgorithm = "300a06082a8648ce3d040302"): { der: Uint8Array; issuer: Uint8Array } {
  const sim = issueSimulatedHierarchy(readPckExtension(all.get("sgx-v3-phala/quote[0]")!));
  const tbs = edit(Buffer.from(derCertificate(sim.pck.der)!.fields.tbs));
  const signature = sign("sha256", tbs, sim.pckCa.privateKey);
  const bitString = Buffer.concat([Buffer.of(0x03, signature.length + 1, 0), signature]);
  const body = Buffer.concat([tbs, Buffer.from(signatureAlgorithm, "hex"), bitString]);
  const len = body.length < 256 ? Buffer.of(0x81, body.length) : Buffer.of(0x82, body.length >> 8, body.length & 0xff);
  return { der: new Uint8Array(Buffer.concat([Buffer.of(0x30), len, body])), issuer: sim.pckCa.der };
}

test("hostile certificates leave the fast path or fail its issued-by check, as node judges them", () => {
  const same = resigned((tbs) => tbs);
  assert.equal(derIssuedAndSignedBy(derCertificate(same.der)!, derCertificate(same.issuer)!), true, "re-signed unchanged");

  const wrongAlgorithm = resigned((tbs) => tbs, "300a06082a8648ce3d040303");
  assert.equal(derCertificate(wrongAlgorithm.der), undefined, "ecdsa-with-SHA384 OID in the outer signature algorithm");
  assert.equal(new X509Certificate(wrongAlgorithm.der).verify(new X509Certificate(wrongAlgorithm.issuer).publicKey), false);

  const mangled = Buffer.from(same.der);
  mangled[mangled.length - 70]! ^= 0x01;
  const mangledCert = derCertificate(mangled);
  const node = new X509Certificate(mangled).verify(new X509Certificate(same.issuer).publicKey);
  assert.equal(
    mangledCert === undefined ? false : derIssuedAndSignedBy(mangledCert, derCertificate(same.issuer)!),
    node,
    "mangled signature DER",
  );
  assert.equal(node, false);

  const renamed = resigned((tbs) => {
    const i = tbs.indexOf("PCK Processor CA");
    assert.ok(i > 0);
    tbs.write("PCK Processer CA", i, "latin1");
    return tbs;
  });
  const x = new X509Certificate(renamed.der);
  assert.equal(x.checkIssued(new X509Certificate(renamed.issuer)), false);
  assert.equal(derIssuedAndSignedBy(derCertificate(renamed.der)!, derCertificate(renamed.issuer)!), false, "issuer name mismatch");
});
