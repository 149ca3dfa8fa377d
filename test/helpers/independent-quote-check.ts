import assert from "node:assert/strict";
import { X509Certificate, createHash, createPublicKey, verify, type KeyObject } from "node:crypto";

/**
 * A second, deliberately naive reading of a DCAP v3 quote, written from the layout tables in
 * Intel's sgx_quote_3.h (as restated in dcap-quote-format.md 1.1-1.5) with fixed offsets and
 * node:crypto only. It shares no code with the product's parser or verifier.
 */
export interface IndependentQuoteFacts {
  readonly reportBody: Buffer;
  readonly qeReportBody: Buffer;
  readonly certificates: X509Certificate[];
  readonly userData: Buffer;
  readonly length: number;
}

function rawP256Key(xy: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: xy.subarray(0, 32).toString("base64url"), y: xy.subarray(32, 64).toString("base64url") },
    format: "jwk",
  });
}

function verifyRaw(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  return verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
}

export function checkQuoteIndependently(quoteBytes: Uint8Array, trustedRootPem: string): IndependentQuoteFacts {
  const q = Buffer.from(quoteBytes);
  assert.equal(q.readUInt16LE(0), 3, "version");
  assert.equal(q.readUInt16LE(2), 2, "attestation key type ECDSA-P256");
  assert.equal(q.readUInt32LE(4), 0, "TEE type SGX");
  assert.equal(q.subarray(12, 28).toString("hex"), "939a7233f79c4ca9940a0db3957f0607", "Intel QE vendor id");
  const sigLen = q.readUInt32LE(432);
  const sig = 436;
  const quoteSignature = q.subarray(sig, sig + 64);
  const attKey = q.subarray(sig + 64, sig + 128);
  const qeReportBody = q.subarray(sig + 128, sig + 512);
  const qeReportSignature = q.subarray(sig + 512, sig + 576);
  const authSize = q.readUInt16LE(sig + 576);
  const authData = q.subarray(sig + 578, sig + 578 + authSize);
  const certType = q.readUInt16LE(sig + 578 + authSize);
  const certSize = q.readUInt32LE(sig + 580 + authSize);
  const certData = q.subarray(sig + 584 + authSize, sig + 584 + authSize + certSize);
  assert.equal(sig + 584 + authSize + certSize, sig + sigLen, "signature_data_len covers exactly the signature data");
  assert.equal(certType, 5, "certification data type 5 (PCK chain)");

  assert.ok(verifyRaw(rawP256Key(attKey), q.subarray(0, 432), quoteSignature), "quote signature by the attestation key");
  const pems = certData.toString("latin1").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  assert.equal(pems.length, 3, "PCK leaf, PCK CA, root");
  const certificates = pems.map((pem) => new X509Certificate(pem));
  const [leaf, ca, root] = certificates as [X509Certificate, X509Certificate, X509Certificate];
  assert.ok(verifyRaw(leaf.publicKey, qeReportBody, qeReportSignature), "QE report signed by the PCK key");
  const binding = createHash("sha256").update(attKey).update(authData).digest();
  assert.deepEqual(qeReportBody.subarray(320, 352), binding, "QE report data binds the attestation key");
  assert.deepEqual(qeReportBody.subarray(352, 384), Buffer.alloc(32), "upper half of QE report data is zero");
  assert.ok(leaf.verify(ca.publicKey) && leaf.checkIssued(ca), "leaf issued by the PCK CA");
  assert.ok(ca.verify(root.publicKey) && ca.checkIssued(root), "PCK CA issued by the root");
  assert.ok(root.verify(root.publicKey), "root self-signed");
  assert.equal(root.fingerprint256, new X509Certificate(trustedRootPem).fingerprint256, "chain ends at the expected root");
  return { reportBody: q.subarray(48, 432), qeReportBody, certificates, userData: q.subarray(28, 48), length: sig + sigLen };
}
