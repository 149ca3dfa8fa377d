import { createHash } from "node:crypto";
import type { GetQuoteRequest, GetQuoteResult, InitQuoteResult, ProviderRecipe, QuoteProvider } from "../quote-provider.ts";
import {
  createSimReport,
  defaultEcdsaAttKeyId,
  encodeTargetInfo,
  isSameAttKeyId,
  parseTargetInfo,
  QE_REPORT_INFO_SIZE,
  QeReportInfoOffset,
  REPORT_SIZE,
  SgxSize,
  SimReportMacChecker,
  type TargetInfo,
} from "../../sgx/index.ts";
import { Quote3Error } from "../../sgx/index.ts";
import { derToPem, type PckExtension } from "../../quote/index.ts";
import { copyBytes, copyRange } from "../../shared/bytes.ts";
import { openPlatformState, type PlatformFacts, type PlatformState } from "./platform-state.ts";
import { simQeReportBody, simQeTargetInfo } from "./qe-identity.ts";
import type { Collateral } from "../../collateral/index.ts";
import { publishSimulatedCollateral, type SimulatedCollateralOptions, type SimulatedPcsResponses } from "./simulated-collateral.ts";
import { QuoteTemplate, reportDataOf } from "./quote-template.ts";

/** Options of {@link SimulatedPlatform.open}. */
export interface SimulatedPlatformOptions {
  /** Directory holding the platform's keys and certificates; created (0700) if missing. */
  readonly stateDir: string;
}

/**
 * A software SGX platform with an ECDSA quoting enclave that behaves like Intel's QE3/PCE: it
 * accepts REPORTs made with the SGX SDK simulation MAC scheme for its target info and returns
 * DCAP v3 quotes whose PCK chain ends at a SIMULATED root (never Intel's). State (keys,
 * certificates, QE ID) persists in `stateDir`, so quotes stay verifiable across restarts.
 */
export class SimulatedPlatform implements QuoteProvider {
  readonly name = "simulated";
  readonly #stateDir: string;
  readonly #state: PlatformState;
  readonly #template: QuoteTemplate;
  readonly #qeTargetInfo: TargetInfo;
  readonly #qeTargetInfoBytes: Uint8Array;
  readonly #macChecker: SimReportMacChecker;
  readonly #attKeyId = defaultEcdsaAttKeyId();
  /** What attKeyIds() hands out: a copy, so callers cannot change the id the platform checks against. */
  readonly #servedAttKeyIds: readonly Uint8Array[] = [this.#attKeyId.slice()];

  private constructor(stateDir: string, state: PlatformState) {
    this.#stateDir = stateDir;
    this.#state = state;
    this.#template = new QuoteTemplate(state);
    this.#qeTargetInfo = simQeTargetInfo();
    this.#qeTargetInfoBytes = encodeTargetInfo(this.#qeTargetInfo);
    this.#macChecker = new SimReportMacChecker(this.#qeTargetInfo);
  }

  /**
   * Opens the platform stored in `stateDir`, creating a new one (keys, simulated CA hierarchy,
   * QE ID) if the directory holds none. Throws PlatformStateError (ERR_PROVIDER_STATE_INVALID)
   * on corrupt state, and file-system errors as they come.
   */
  static async open(options: SimulatedPlatformOptions): Promise<SimulatedPlatform> {
    return new SimulatedPlatform(options.stateDir, await openPlatformState(options.stateDir));
  }

  /** Another thread opens the same persisted platform: same keys, same certificates. */
  recipe(): ProviderRecipe {
    const options: SimulatedPlatformOptions = { stateDir: this.#stateDir };
    return { module: import.meta.url, options };
  }

  /** Public facts of the platform (platform.json). */
  get facts(): PlatformFacts {
    return this.#state.facts;
  }

  /** The SGX extension of the platform's PCK certificate. */
  get pckExtension(): PckExtension {
    return this.#state.pckExtension;
  }

  /** The simulated root CA certificate (PEM): pass it to the verifier's `trustedRoots`. */
  get rootCertificatePem(): string {
    return derToPem(this.#state.certificates.root.der);
  }

  /** The simulated TCB Signing certificate (PEM), for publishing collateral. */
  get tcbSigningCertificatePem(): string {
    return derToPem(this.#state.certificates.tcbSigning.der);
  }

  /**
   * The platform's own collateral (TCB Info v3, QE identity v2, PCK and root CA CRLs, issuer
   * chains), signed by its TCB Signing key and CAs, as a verifier consumes it. Each call signs
   * afresh (ECDSA signatures differ between calls; the documents do not for the same `now`).
   */
  collateral(options: SimulatedCollateralOptions = {}): Collateral {
    return publishSimulatedCollateral(this.#state, options).collateral;
  }

  /** The same collateral as PCS v4 would serve it: response bodies plus the Collateral bundle. */
  pcsResponses(options: SimulatedCollateralOptions = {}): SimulatedPcsResponses {
    return publishSimulatedCollateral(this.#state, options);
  }

  /** Raw attestation public key x‖y (64 bytes). */
  get attestationPublicKey(): Uint8Array {
    return this.#template.attestationPublicKey.slice();
  }

  attKeyIds(): readonly Uint8Array[] {
    return this.#servedAttKeyIds;
  }

  async initQuote(attKeyId: Uint8Array): Promise<InitQuoteResult> {
    this.#requireKey(attKeyId);
    return { targetInfo: this.#qeTargetInfoBytes.slice(), pubKeyId: this.#template.pubKeyId.slice() };
  }

  async quoteSize(attKeyId: Uint8Array): Promise<number> {
    this.#requireKey(attKeyId);
    return this.#template.size;
  }

  /**
   * Checks the app REPORT's MAC against the QE's target info (SGX_QL_INVALID_REPORT if wrong),
   * then returns the signed quote and, when `qeReportInfo` is given, the QE report targeted at the
   * app (report_data = SHA-256(nonce ‖ quote) ‖ 32 zeros) written into a copy of it.
   */
  async getQuote(request: GetQuoteRequest): Promise<GetQuoteResult> {
    this.#requireKey(request.attKeyId);
    if (request.report.byteLength !== REPORT_SIZE) {
      throw new Quote3Error("SGX_QL_ERROR_INVALID_PARAMETER", `report must be ${REPORT_SIZE} bytes, got ${request.report.byteLength}`);
    }
    if (this.#macChecker.check(request.report) === null) {
      throw new Quote3Error("SGX_QL_INVALID_REPORT", "app REPORT MAC does not verify for the QE's target info");
    }
    const quote = this.#template.build(request.report, request.quoteBuffer);
    if (request.qeReportInfo === undefined) return { quote };
    return { quote, qeReportInfo: this.#qeReportInfo(request.qeReportInfo, request.report, quote) };
  }

  async close(): Promise<void> {}

  #qeReportInfo(info: Uint8Array, appReport: Uint8Array, quote: Uint8Array): Uint8Array {
    if (info.byteLength !== QE_REPORT_INFO_SIZE) {
      throw new Quote3Error("SGX_QL_ERROR_INVALID_PARAMETER", `qe_report_info must be ${QE_REPORT_INFO_SIZE} bytes`);
    }
    const o = QeReportInfoOffset;
    const hash = createHash("sha256").update(info.subarray(o.NONCE, o.APP_TARGET_INFO)).update(quote).digest();
    // A SIM enclave derives with its own CPUSVN, and the app's report body tells us what it is.
    const body = simQeReportBody(copyRange(appReport, 0, SgxSize.CPU_SVN), reportDataOf(hash));
    const target = parseTargetInfo(info.subarray(o.APP_TARGET_INFO, o.QE_REPORT));
    const out = copyBytes(info);
    out.set(createSimReport({ target, ...body }), o.QE_REPORT);
    return out;
  }

  #requireKey(attKeyId: Uint8Array): void {
    if (!isSameAttKeyId(attKeyId, this.#attKeyId)) {
      throw new Quote3Error("SGX_QL_UNSUPPORTED_ATT_KEY_ID", "attestation key id is not the ECDSA-P256 QE3 key this platform serves");
    }
  }
}

/** Opens a simulated platform from its {@link SimulatedPlatform.recipe} options, in a daemon thread. */
export async function openProvider(options: SimulatedPlatformOptions): Promise<QuoteProvider> {
  return SimulatedPlatform.open(options);
}
