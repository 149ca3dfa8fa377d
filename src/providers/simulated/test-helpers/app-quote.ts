/** An enclave app on a simulated platform, for tests: its REPORT for the QE, and the quote of it. */
import { createSimReport, defaultEcdsaAttKeyId, type ReportBody } from "../../../sgx/index.ts";
import { fromHex } from "../../../shared/bytes.ts";
import type { SimulatedPlatform } from "../simulated-platform.ts";

/** The app's identity unless a test says otherwise. */
export const APP_MRENCLAVE = fromHex("5a".repeat(32));
export const APP_MRSIGNER = fromHex("6b".repeat(32));

/** An app REPORT targeted at the platform's QE, made the way an SDK simulation enclave would. */
export async function simulatedAppReport(platform: SimulatedPlatform, fields: Partial<ReportBody> = {}): Promise<Uint8Array> {
  const { targetInfo } = await platform.initQuote(defaultEcdsaAttKeyId());
  return createSimReport({
    target: targetInfo,
    mrEnclave: APP_MRENCLAVE,
    mrSigner: APP_MRSIGNER,
    reportData: new Uint8Array(64),
    ...fields,
  });
}

/** The platform's quote of {@link simulatedAppReport}. */
export async function simulatedAppQuote(platform: SimulatedPlatform, fields: Partial<ReportBody> = {}): Promise<Uint8Array> {
  return (await platform.getQuote({ report: await simulatedAppReport(platform, fields), attKeyId: defaultEcdsaAttKeyId() })).quote;
}
