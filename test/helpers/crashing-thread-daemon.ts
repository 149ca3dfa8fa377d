/**
 * Child process for the thread-failure test: a two-thread quote service whose worker thread
 * crashes. A dead thread takes the shared listening socket with it, so this runs in its own
 * process, as the daemon does: it reports the failure and exits.
 * Usage: crashing-thread-daemon DIR
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { QuoteServer } from "../../src/daemon/index.ts";
import { SimulatedPlatform } from "../../src/providers/simulated/index.ts";
import { testRecipe, withRecipe } from "./provider-with-recipe.ts";

const dir = process.argv[2]!;
const stateDir = join(dir, "state");
const platform = await SimulatedPlatform.open({ stateDir });
await QuoteServer.start({
  provider: withRecipe(platform, testRecipe("crashing", { stateDir, trigger: join(dir, "crash-now") })),
  socketPath: join(dir, "aesm.socket"),
  threads: 2,
  onThreadFailure: (error) => {
    process.stdout.write(`thread failure: ${error.message}\n`);
    process.exit(3);
  },
});
process.stdout.write("serving\n");
await writeFile(join(dir, "crash-now"), "");
