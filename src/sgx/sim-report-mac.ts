import { timingSafeEqual } from "node:crypto";
import { asBuffer } from "../shared/bytes.ts";
import { SgxSize } from "./constants.ts";
import { expectSize } from "./errors.ts";
import { aesCmac, AesCmac } from "./cmac.ts";
import { encodeAttributes, ReportOffset } from "./report.ts";
import type { TargetInfo } from "./target-info.ts";

/**
 * The REPORT MAC of Intel SGX SDK simulation mode (linux-sgx sdk/simulation/tinst), which stands in
 * for the CPU's report key: report_key = CMAC(BASE, DD), mac = CMAC(report_key, body[0..384]).
 */

/** The simulator's base report key, used directly as the CMAC key over the derivation buffer. */
export const SIM_BASE_REPORT_KEY_HEX = "ff00ff00ff00ff00ff00ff00ff00ff00";

/** The simulator's hard-coded owner epoch, ASCII "THISISOWNEREPOCH". */
const OWNER_EPOCH = Buffer.from("THISISOWNEREPOCH", "ascii");
const KEYNAME_REPORT = 3;
const BASE_KEY = Buffer.from(SIM_BASE_REPORT_KEY_HEX, "hex");

/**
 * Derivation buffer of SDK 2.19 and later (dd_report_key_t, natural alignment), 192 bytes,
 * zero-filled before the fields are written:
 *
 * | off | size | field                      |
 * |----:|-----:|----------------------------|
 * |   0 |    2 | key_name u16 = 3 (REPORT)  |
 * |   8 |   16 | target attributes          |
 * |  24 |    4 | target misc_select u32     |
 * |  28 |   16 | owner epoch                |
 * |  44 |   32 | target mr_enclave          |
 * |  76 |   16 | cpu_svn                    |
 * |  92 |    2 | target config_svn u16      |
 * |  94 |   64 | target config_id           |
 * | 158 |   32 | key_id (the report's)      |
 */
export function simReportKeyDerivationData(target: TargetInfo, cpuSvn: Uint8Array, keyId: Uint8Array): Uint8Array {
  checkKeyInputs(cpuSvn, keyId);
  const dd = Buffer.alloc(192);
  dd.writeUInt16LE(KEYNAME_REPORT, 0);
  encodeAttributes(target.attributes, dd, 8);
  dd.writeUInt32LE(target.miscSelect, 24);
  dd.set(OWNER_EPOCH, 28);
  dd.set(target.mrEnclave, 44);
  dd.set(cpuSvn, 76);
  dd.writeUInt16LE(target.configSvn, 92);
  dd.set(target.configId, 94);
  dd.set(keyId, 158);
  return dd;
}

/**
 * Derivation buffer of SDK 2.18.1 and earlier, 120 bytes (no misc_select, config_svn, config_id):
 * key_name u16 @0, attributes 16 @8, owner epoch 16 @24, mr_enclave 32 @40, cpu_svn 16 @72,
 * key_id 32 @88.
 */
export function legacySimReportKeyDerivationData(target: TargetInfo, cpuSvn: Uint8Array, keyId: Uint8Array): Uint8Array {
  checkKeyInputs(cpuSvn, keyId);
  const dd = Buffer.alloc(120);
  dd.writeUInt16LE(KEYNAME_REPORT, 0);
  encodeAttributes(target.attributes, dd, 8);
  dd.set(OWNER_EPOCH, 24);
  dd.set(target.mrEnclave, 40);
  dd.set(cpuSvn, 72);
  dd.set(keyId, 88);
  return dd;
}

/**
 * The 16-byte report key the simulator derives for `target` (current 192-byte layout).
 * `cpuSvn` 16 bytes and `keyId` 32 bytes, else ERR_SGX_BAD_SIZE.
 */
export function deriveSimReportKey(target: TargetInfo, cpuSvn: Uint8Array, keyId: Uint8Array): Uint8Array {
  return aesCmac(BASE_KEY, simReportKeyDerivationData(target, cpuSvn, keyId));
}

/** Same as {@link deriveSimReportKey} with the SDK ≤ 2.18.1 layout. */
export function deriveLegacySimReportKey(target: TargetInfo, cpuSvn: Uint8Array, keyId: Uint8Array): Uint8Array {
  return aesCmac(BASE_KEY, legacySimReportKeyDerivationData(target, cpuSvn, keyId));
}

/** AES-128-CMAC of a 384-byte report body under `reportKey`. Throws ERR_SGX_BAD_SIZE. */
export function macSimReport(reportKey: Uint8Array, reportBody: Uint8Array): Uint8Array {
  expectSize("sgx_report_body_t", reportBody, SgxSize.REPORT_BODY);
  return aesCmac(reportKey, reportBody);
}

/** Which derivation layout a verified report matched. */
export type SimReportMacLayout = "sdk-2.19" | "sdk-2.18";

/**
 * Checks a 432-byte REPORT's MAC as the verifier `targetOfVerifier` would in SDK simulation mode:
 * cpu_svn is taken from the report body (offset 0), key_id from the report (offset 384). Tries the
 * current layout, then the legacy one. Returns the matching layout, or null when neither matches.
 * A wrong-sized report throws ERR_SGX_BAD_SIZE.
 */
export function verifySimReportMac(report: Uint8Array, targetOfVerifier: TargetInfo): SimReportMacLayout | null {
  expectSize("sgx_report_t", report, SgxSize.REPORT);
  const body = report.subarray(0, ReportOffset.KEY_ID);
  const cpuSvn = report.subarray(0, SgxSize.CPU_SVN);
  const keyId = report.subarray(ReportOffset.KEY_ID, ReportOffset.MAC);
  const mac = asBuffer(report.subarray(ReportOffset.MAC, SgxSize.REPORT));
  const current = new AesCmac(deriveSimReportKey(targetOfVerifier, cpuSvn, keyId)).mac(body);
  if (timingSafeEqual(asBuffer(current), mac)) return "sdk-2.19";
  const legacy = new AesCmac(deriveLegacySimReportKey(targetOfVerifier, cpuSvn, keyId)).mac(body);
  return timingSafeEqual(asBuffer(legacy), mac) ? "sdk-2.18" : null;
}

function checkKeyInputs(cpuSvn: Uint8Array, keyId: Uint8Array): void {
  expectSize("sgx_cpu_svn_t", cpuSvn, SgxSize.CPU_SVN);
  expectSize("sgx_key_id_t", keyId, SgxSize.KEY_ID);
}

/**
 * Checks many REPORTs for one verifier identity (a QE's target info), caching the report keys by
 * (cpu_svn, key_id): the derivation costs two CMACs, and a platform's reports reuse one pair.
 */
export class SimReportMacChecker {
  static readonly #MAX_CACHED_KEYS = 32;
  readonly #target: TargetInfo;
  readonly #keys = new Map<string, { current: AesCmac; legacy: AesCmac }>();

  constructor(targetOfVerifier: TargetInfo) {
    this.#target = targetOfVerifier;
  }

  /** Same contract as {@link verifySimReportMac}. */
  check(report: Uint8Array): SimReportMacLayout | null {
    expectSize("sgx_report_t", report, SgxSize.REPORT);
    const body = report.subarray(0, ReportOffset.KEY_ID);
    const mac = asBuffer(report.subarray(ReportOffset.MAC, SgxSize.REPORT));
    const keys = this.#keysFor(report);
    if (timingSafeEqual(asBuffer(keys.current.mac(body)), mac)) return "sdk-2.19";
    return timingSafeEqual(asBuffer(keys.legacy.mac(body)), mac) ? "sdk-2.18" : null;
  }

  #keysFor(report: Uint8Array): { current: AesCmac; legacy: AesCmac } {
    const bytes = asBuffer(report);
    // latin1 maps each byte to one character: the cheapest exact string key (this runs per quote).
    const cacheKey = bytes.toString("latin1", 0, SgxSize.CPU_SVN) + bytes.toString("latin1", ReportOffset.KEY_ID, ReportOffset.MAC);
    let keys = this.#keys.get(cacheKey);
    if (keys === undefined) {
      const cpuSvn = report.subarray(0, SgxSize.CPU_SVN);
      const keyId = report.subarray(ReportOffset.KEY_ID, ReportOffset.MAC);
      keys = {
        current: new AesCmac(deriveSimReportKey(this.#target, cpuSvn, keyId)),
        legacy: new AesCmac(deriveLegacySimReportKey(this.#target, cpuSvn, keyId)),
      };
      // Arbitrary key_ids from callers must not grow the cache without bound.
      if (this.#keys.size >= SimReportMacChecker.#MAX_CACHED_KEYS) this.#keys.clear();
      this.#keys.set(cacheKey, keys);
    }
    return keys;
  }
}
