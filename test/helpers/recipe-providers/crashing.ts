import { access } from "node:fs/promises";
import type { QuoteProvider } from "../../../src/providers/quote-provider.ts";
import { SimulatedPlatform } from "../../../src/providers/simulated/index.ts";

/**
 * Opens the simulated platform, then crashes its serving thread once `trigger` exists, as a
 * fatal bug would (a file, so the test decides when: after the service is up).
 */
export async function openProvider(options: { stateDir: string; trigger: string }): Promise<QuoteProvider> {
  const poll = setInterval(() => {
    access(options.trigger).then(
      () => {
        clearInterval(poll);
        throw new Error("serving thread crashed on purpose");
      },
      () => undefined,
    );
  }, 20);
  return SimulatedPlatform.open({ stateDir: options.stateDir });
}
