import type { ProviderRecipe, QuoteProvider } from "../../src/providers/quote-provider.ts";

/** `provider` with its recipe replaced (or removed, for `undefined`): how other threads open it. */
export function withRecipe(provider: QuoteProvider, recipe: ProviderRecipe | undefined): QuoteProvider {
  return {
    name: provider.name,
    attKeyIds: () => provider.attKeyIds(),
    initQuote: (attKeyId) => provider.initQuote(attKeyId),
    quoteSize: (attKeyId) => provider.quoteSize(attKeyId),
    getQuote: (request) => provider.getQuote(request),
    close: () => provider.close(),
    ...(recipe && { recipe: () => recipe }),
  };
}

/** A recipe for one of the modules in ./recipe-providers/. */
export function testRecipe(name: "failing" | "crashing" | "slow", options: unknown): ProviderRecipe {
  return { module: new URL(`./recipe-providers/${name}.ts`, import.meta.url).href, options };
}
