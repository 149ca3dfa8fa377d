import { test } from "node:test";
import assert from "node:assert/strict";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { toHex } from "../shared/bytes.ts";
import { loadVector, SGX_V3_VECTORS } from "../../test/fixtures/vectors.ts";
import { decodeQuote } from "./quote.ts";
import { parsePemCertificateChain } from "./pem-chain.ts";
import { encodePckExtension, parsePckExtension, readPckExtension, SGX_EXTENSION_OID } from "./pck-extension.ts";

function pckLeaf(name: (typeof SGX_V3_VECTORS)[number]): Uint8Array {
  const q = decodeQuote(loadVector(name).quote);
  return parsePemCertificateChain(q.signatureData.certificationData.data)[0]!.der;
}

function rawExtension(certDer: Uint8Array): Uint8Array {
  const cert = AsnConvert.parse(certDer, Certificate);
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === SGX_EXTENSION_OID);
  assert.ok(ext);
  return new Uint8Array(ext.extnValue.buffer);
}

for (const name of SGX_V3_VECTORS) {
  test(`${name}: the PCK SGX extension parses to expected.json and re-encodes to the same DER`, () => {
    const { expected } = loadVector(name);
    const leaf = pckLeaf(name);
    const ext = readPckExtension(leaf);
    assert.equal(toHex(ext.fmspc), expected.fmspc);
    assert.equal(toHex(ext.pceId), expected.pce_id);
    assert.equal(ext.tcb.pceSvn, expected.pck_pcesvn);
    assert.deepEqual(ext.tcb.components, expected.pck_sgx_tcb_components);
    assert.equal(toHex(ext.tcb.cpuSvn), expected.pck_cpusvn);
    assert.equal(ext.sgxType, expected.sgx_type);
    assert.equal(ext.ppid.byteLength, 16);
    // Platform-CA PCKs carry the two extra entries (.6 and .7).
    assert.equal(ext.platformInstanceId !== undefined, expected.pck_issuer_ca === "Intel SGX PCK Platform CA");
    assert.deepEqual(encodePckExtension(ext), rawExtension(leaf));
  });
}

test("malformed extensions are refused with ERR_QUOTE_PCK_EXTENSION", () => {
  const raw = rawExtension(pckLeaf("sgx-v3-phala"));
  const ext = parsePckExtension(raw);
  assert.throws(() => parsePckExtension(raw.subarray(0, raw.byteLength - 3)), { code: "ERR_QUOTE_PCK_EXTENSION" });
  const shortFmspc = encodePckExtension({ ...ext, fmspc: new Uint8Array(5) });
  assert.throws(() => parsePckExtension(shortFmspc), { code: "ERR_QUOTE_PCK_EXTENSION" });
  const fewComponents = encodePckExtension({ ...ext, tcb: { ...ext.tcb, components: ext.tcb.components.slice(0, 15) } });
  assert.throws(() => parsePckExtension(fewComponents), { code: "ERR_QUOTE_PCK_EXTENSION" });
  const root = parsePemCertificateChain(decodeQuote(loadVector("sgx-v3-phala").quote).signatureData.certificationData.data)[2]!;
  assert.throws(() => readPckExtension(root.der), { code: "ERR_QUOTE_PCK_EXTENSION" });
});
