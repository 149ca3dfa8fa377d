import type { GetQuoteRequest, QuoteProvider } from "../../../src/providers/quote-provider.ts";
import { SimulatedPlatform } from "../../../src/providers/simulated/index.ts";
import { withRecipe } from "../provider-with-recipe.ts";

/**
 * The simulated platform with every quote taking `delayMs` longer, as a remote or busy QE would;
 * a quote finishing after close() fails, as a real provider's would once its handles are gone.
 */
export async function openProvider(options: { stateDir: string; delayMs: number }): Promise<QuoteProvider> {
  const platform = await SimulatedPlatform.open({ stateDir: options.stateDir });
  const provider = withRecipe(platform, { module: import.meta.url, options });
  let closed = false;
  return {
    ...provider,
    getQuote: async (request: GetQuoteRequest) => {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (closed) throw new Error("quote provider used after close");
      return platform.getQuote(request);
    },
    close: async () => {
      closed = true;
      await platform.close();
    },
  };
}
