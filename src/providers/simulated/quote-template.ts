import { createHash, sign, type KeyObject } from "node:crypto";
import {
  AttestationKeyType,
  CertificationDataType,
  derToPem,
  encodeQuote,
  encodePemCertificateChain,
  QuoteV3Offset,
  TeeType,
  type SgxQuoteV3,
} from "../../quote/index.ts";
import { encodeReportBody, INTEL_QE_VENDOR_ID_HEX, REPORT_BODY_SIZE, type ReportBody } from "../../sgx/index.ts";
import { fromHex } from "../../shared/bytes.ts";
import { qeAuthData, simQeReportBody, SimQeIdentity } from "./qe-identity.ts";
import type { PlatformState } from "./platform-state.ts";

const SIGNED_REGION_END = QuoteV3Offset.SIGNATURE_DATA_LEN;
const QUOTE_SIGNATURE_OFFSET = QuoteV3Offset.SIGNATURE_DATA;

/**
 * A v3 quote with everything constant filled in: header, signature data length, attestation key,
 * the QE report certifying it (signed once by the PCK key), QE auth data and the PCK chain. A
 * quote is this template with the app's report body and one ECDSA signature written in.
 */
export class QuoteTemplate {
  /** Raw attestation public key x‖y (64 bytes). */
  readonly attestationPublicKey: Uint8Array;
  /** SHA-256(attestation public key ‖ QE auth data), the QE3 ECDSA_ID. */
  readonly pubKeyId: Uint8Array;
  readonly #template: Buffer;
  readonly #attestationKey: KeyObject;

  constructor(state: PlatformState) {
    this.#attestationKey = state.attestationKey.privateKey;
    this.attestationPublicKey = rawPublicKey(state.attestationKey.publicKey);
    const authData = qeAuthData();
    this.pubKeyId = new Uint8Array(createHash("sha256").update(this.attestationPublicKey).update(authData).digest());
    this.#template = Buffer.from(encodeQuote(this.#skeleton(state, authData)));
  }

  /** Total quote length in bytes (1052 + certification data size). */
  get size(): number {
    return this.#template.byteLength;
  }

  /**
   * A signed quote for the app's 384-byte report body (taken from `report[0..384)`), written
   * into `out` (at least `size` bytes) when given, else into a new array. The signature is made
   * in line: a P-256 signature costs less than handing it to another thread and back, and the
   * daemon runs one event loop per core.
   */
  build(report: Uint8Array, out: Uint8Array = new Uint8Array(this.#template.byteLength)): Uint8Array {
    if (out.byteLength < this.#template.byteLength) {
      throw new RangeError(`quote buffer of ${out.byteLength} bytes, need ${this.#template.byteLength}`);
    }
    const quote = out.subarray(0, this.#template.byteLength);
    quote.set(this.#template);
    quote.set(report.subarray(0, REPORT_BODY_SIZE), QuoteV3Offset.REPORT_BODY);
    const signature = sign("sha256", quote.subarray(0, SIGNED_REGION_END), { key: this.#attestationKey, dsaEncoding: "ieee-p1363" });
    quote.set(signature, QUOTE_SIGNATURE_OFFSET);
    return quote;
  }

  #skeleton(state: PlatformState, authData: Uint8Array): SgxQuoteV3 {
    const qeReportBody = simQeReportBody(state.pckExtension.tcb.cpuSvn, reportDataOf(this.pubKeyId));
    const qeReportSignature = sign("sha256", encodeReportBody(qeReportBody), {
      key: state.certificates.pck.privateKey,
      dsaEncoding: "ieee-p1363",
    });
    const chain = [state.certificates.pck, state.certificates.pckCa, state.certificates.root].map((c) => derToPem(c.der));
    return {
      version: 3,
      header: {
        version: 3,
        attestationKeyType: AttestationKeyType.ECDSA_P256,
        teeType: TeeType.SGX,
        qeSvn: SimQeIdentity.ISV_SVN,
        pceSvn: state.pckExtension.tcb.pceSvn,
        qeVendorId: fromHex(INTEL_QE_VENDOR_ID_HEX),
        userData: Uint8Array.from([...fromHex(state.facts.qeId), 0, 0, 0, 0]),
      },
      reportBody: emptyReportBody(),
      signatureData: {
        quoteSignature: new Uint8Array(64),
        attestationPublicKey: this.attestationPublicKey,
        qeReportBody,
        qeReportSignature: new Uint8Array(qeReportSignature),
        qeAuthData: authData,
        certificationData: { type: CertificationDataType.PCK_CERT_CHAIN, data: encodePemCertificateChain(chain) },
      },
    };
  }
}

/** 64-byte report data: the 32-byte hash followed by 32 zeros, as QE3 writes it. */
export function reportDataOf(hash: Uint8Array): Uint8Array {
  const data = new Uint8Array(64);
  data.set(hash);
  return data;
}

/** x‖y of a P-256 public key, 32 bytes each. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.concat([Buffer.from(jwk.x ?? "", "base64url"), Buffer.from(jwk.y ?? "", "base64url")]));
}

function emptyReportBody(): ReportBody {
  const zeros = (n: number): Uint8Array => new Uint8Array(n);
  return {
    cpuSvn: zeros(16),
    miscSelect: 0,
    isvExtProdId: zeros(16),
    attributes: { flags: 0n, xfrm: 0n },
    mrEnclave: zeros(32),
    mrSigner: zeros(32),
    configId: zeros(64),
    isvProdId: 0,
    isvSvn: 0,
    configSvn: 0,
    isvFamilyId: zeros(16),
    reportData: zeros(64),
  };
}
