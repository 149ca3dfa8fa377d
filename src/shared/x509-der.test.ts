/**
 * The strict DER readers (CRLs, certificate names and keys, the PCK SGX extension) cross-checked
 * against @peculiar/asn1-schema on every real certificate and CRL in the vectors and on the
 * simulated platform's, plus hostile inputs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityKeyIdentifier, Certificate, CertificateList, id_ce_authorityKeyIdentifier, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import { crlBytes, normaliseSerial, parseCrl } from "../collateral/index.ts";
import { buildCrl } from "../providers/simulated/crl-builder.ts";
import { issueSimulatedHierarchy } from "../providers/simulated/platform-certificates.ts";
import {
  decodeQuote,
  encodePckExtension,
  parsePckExtension,
  parsePemCertificateChain,
  readPckExtension,
  SGX_EXTENSION_OID,
} from "../quote/index.ts";
import { certificateFields, p256PublicKeyHex } from "./x509-der.ts";

const VECTORS = new URL("../../test/fixtures/vectors/", import.meta.url);
const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString("hex");

interface Material {
  readonly certificates: Map<string, Uint8Array>;
  readonly crls: Map<string, Uint8Array>;
}

/** Every certificate (quote chains, collateral chains) and CRL of the vectors and of a simulated platform. */
function material(): Material {
  const certificates = new Map<string, Uint8Array>();
  const crls = new Map<string, Uint8Array>();
  const addChain = (name: string, data: Uint8Array) =>
    parsePemCertificateChain(data).forEach((c, i) => certificates.set(`${name}[${i}]`, c.der));
  for (const dir of readdirSync(VECTORS, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== "_common")) {
    const files = readdirSync(new URL(`${dir.name}/`, VECTORS));
    if (files.includes("quote.bin")) {
      const quote = decodeQuote(readFileSync(new URL(`${dir.name}/quote.bin`, VECTORS)));
      const cert = quote.signatureData.certificationData;
      if (cert.type === 5) addChain(`${dir.name}/quote`, cert.data);
    }
    if (files.includes("collateral.json")) {
      const bundle = JSON.parse(readFileSync(new URL(`${dir.name}/collateral.json`, VECTORS), "utf8")) as Record<string, string>;
      for (const chain of ["pck_crl_issuer_chain", "tcb_info_issuer_chain", "qe_identity_issuer_chain"]) {
        addChain(`${dir.name}/${chain}`, new Uint8Array(Buffer.from(bundle[chain]!, "latin1")));
      }
      for (const crl of ["pck_crl", "root_ca_crl"])
        crls.set(`${dir.name}/${crl}`, crlBytes(new Uint8Array(Buffer.from(bundle[crl]!, "latin1"))));
    }
  }
  const phalaLeaf = certificates.get("sgx-v3-phala/quote[0]")!;
  const platformLeaf = [...certificates].find(([name]) => name.startsWith("sigonly-sgx-v3-occlum-platform-ca/quote[0]"))![1];
  for (const [name, leaf] of [
    ["processor", phalaLeaf],
    ["platform", platformLeaf],
  ] as const) {
    const sim = issueSimulatedHierarchy(readPckExtension(leaf));
    for (const role of ["root", "pckCa", "pck", "tcbSigning"] as const) certificates.set(`simulated-${name}/${role}`, sim[role].der);
    const thisUpdate = new Date("2025-01-01T00:00:00Z");
    const nextUpdate = new Date("2025-02-01T00:00:00Z");
    crls.set(
      `simulated-${name}/pck_crl`,
      buildCrl({
        issuerCertificate: sim.pckCa.der,
        issuerKey: sim.pckCa.privateKey,
        thisUpdate,
        nextUpdate,
        crlNumber: 7,
        revokedSerials: [new Uint8Array([1]), new Uint8Array([0x00, 0x80, 0x01]), new Uint8Array(20).fill(0x7f)],
      }),
    );
    crls.set(
      `simulated-${name}/root_ca_crl`,
      buildCrl({ issuerCertificate: sim.root.der, issuerKey: sim.root.privateKey, thisUpdate, nextUpdate, crlNumber: 1 }),
    );
  }
  return { certificates, crls };
}

const { certificates, crls } = material();

test("the material covers the vectors' and the simulated platform's certificates and CRLs", () => {
  assert.ok(certificates.size >= 40, `${certificates.size} certificates`);
  assert.ok(crls.size >= 12, `${crls.size} CRLs`);
});

test("certificate subject, issuer, key and extensions: the DER reader agrees with @peculiar/asn1-schema", () => {
  for (const [name, der] of certificates) {
    const reference = AsnConvert.parse(der, Certificate).tbsCertificate;
    const fields = certificateFields(der);
    assert.equal(hex(fields.subject.der), hex(AsnConvert.serialize(reference.subject)), `${name} subject`);
    assert.equal(hex(fields.issuer.der), hex(AsnConvert.serialize(reference.issuer)), `${name} issuer`);
    const jwk = new X509Certificate(der).publicKey.export({ format: "jwk" });
    assert.equal(
      p256PublicKeyHex(fields.subjectPublicKeyInfo),
      "04" + Buffer.from(jwk.x!, "base64url").toString("hex") + Buffer.from(jwk.y!, "base64url").toString("hex"),
      `${name} key`,
    );
    assert.deepEqual(
      fields.extensions.map((e) => [e.id, e.critical, hex(e.value)]),
      Array.from(reference.extensions ?? [], (e) => [e.extnID, e.critical, hex(e.extnValue.buffer)]),
      `${name} extensions`,
    );
    const sgx = reference.extensions?.find((e) => e.extnID === SGX_EXTENSION_OID);
    if (sgx !== undefined) assert.equal(hex(encodePckExtension(readPckExtension(der))), hex(sgx.extnValue.buffer), `${name} SGX extension`);
  }
});

test("CRLs: parseCrl (DER reader) agrees with @peculiar/asn1-schema on every field", () => {
  const short: Record<string, string> = { "2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.6": "C" };
  for (const [name, der] of crls) {
    const list = AsnConvert.parse(der, CertificateList);
    const tbs = list.tbsCertList;
    const ext = (id: string) => tbs.crlExtensions?.find((e) => e.extnID === id)?.extnValue.buffer;
    const aki = ext(id_ce_authorityKeyIdentifier);
    const crl = parseCrl(der, name);
    assert.deepEqual(
      {
        issuerDer: hex(crl.issuerDer),
        issuer: crl.issuer,
        thisUpdate: crl.thisUpdate.toISOString(),
        nextUpdate: crl.nextUpdate?.toISOString(),
        revoked: [...crl.revokedSerials],
        crlNumber: crl.crlNumber,
        authorityKeyId: crl.authorityKeyId,
        tbs: hex(crl.tbs),
        signatureAlgorithm: crl.signatureAlgorithm,
        signature: hex(crl.signature),
      },
      {
        issuerDer: hex(AsnConvert.serialize(tbs.issuer)),
        issuer: tbs.issuer.flatMap((rdn) => rdn.map((atv) => `${short[atv.type] ?? atv.type}=${atv.value.toString()}`)).join(", "),
        thisUpdate: tbs.thisUpdate.getTime().toISOString(),
        nextUpdate: tbs.nextUpdate?.getTime().toISOString(),
        revoked: (tbs.revokedCertificates ?? []).map((r) => normaliseSerial(hex(r.userCertificate))),
        crlNumber: ext(id_ce_cRLNumber) && hex(new Uint8Array(ext(id_ce_cRLNumber)!).subarray(2)),
        authorityKeyId: aki && hex(AsnConvert.parse(aki, AuthorityKeyIdentifier).keyIdentifier!.buffer),
        tbs: hex(list.tbsCertListRaw!),
        signatureAlgorithm: list.signatureAlgorithm.algorithm,
        signature: hex(list.signature),
      },
      name,
    );
  }
});

test("hostile CRLs (every truncation, trailing bytes, indefinite length, unused signature bits) are ERR_COLLATERAL_CRL", () => {
  const der = crls.get("sgx-v3-phala/pck_crl")!;
  for (let n = 0; n < der.byteLength; n++) {
    assert.throws(() => parseCrl(der.subarray(0, n)), { code: "ERR_COLLATERAL_CRL" }, `truncated to ${n}`);
  }
  assert.throws(() => parseCrl(new Uint8Array([...der, 0])), { code: "ERR_COLLATERAL_CRL" }, "trailing byte");
  const indefinite = new Uint8Array([0x30, 0x80, ...der.subarray(der[1]! > 0x80 ? 2 + (der[1]! & 0x7f) : 2), 0, 0]);
  assert.throws(() => parseCrl(indefinite), { code: "ERR_COLLATERAL_CRL" }, "indefinite length");
  const unusedBits = new Uint8Array(der);
  const sigStart = der.byteLength - parseCrl(der).signature.byteLength - 1;
  unusedBits[sigStart] = 1;
  assert.throws(() => parseCrl(unusedBits), { code: "ERR_COLLATERAL_CRL" }, "unused bits");
  const overlong = new Uint8Array(der);
  overlong[3] = 0xff;
  assert.throws(() => parseCrl(overlong), { code: "ERR_COLLATERAL_CRL" }, "overlong length");
});

test("hostile PCK certificates and SGX extensions are ERR_QUOTE_PCK_EXTENSION", () => {
  const leaf = certificates.get("sgx-v3-phala/quote[0]")!;
  for (let n = 0; n < leaf.byteLength; n += 7) {
    assert.throws(() => readPckExtension(leaf.subarray(0, n)), { code: "ERR_QUOTE_PCK_EXTENSION" }, `truncated to ${n}`);
  }
  assert.throws(() => readPckExtension(new Uint8Array([...leaf, 0])), { code: "ERR_QUOTE_PCK_EXTENSION" }, "trailing byte");
  const value = encodePckExtension(readPckExtension(leaf));
  assert.throws(() => parsePckExtension(new Uint8Array([...value, 0])), { code: "ERR_QUOTE_PCK_EXTENSION" }, "trailing byte in the value");
  const indefinite = new Uint8Array([0x30, 0x80, ...value.subarray(2 + (value[1]! & 0x7f)), 0, 0]);
  assert.throws(() => parsePckExtension(indefinite), { code: "ERR_QUOTE_PCK_EXTENSION" }, "indefinite length");
});
