import type { QuoteProvider } from "../../../src/providers/quote-provider.ts";
import { SimulatedPlatform } from "../../../src/providers/simulated/index.ts";

/** Opens the simulated platform, then crashes its serving thread `crashAfterMs` later, as a fatal bug would. */
export async function openProvider(options: { stateDir: string; crashAfterMs: number }): Promise<QuoteProvider> {
  setTimeout(() => {
    throw new Error("serving thread crashed on purpose");
  }, options.crashAfterMs);
  return SimulatedPlatform.open({ stateDir: options.stateDir });
}
