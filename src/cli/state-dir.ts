import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the simulated platform keeps its keys and certificates: $SGX_QUOTE_HELPER_STATE_DIR, else
 * $XDG_STATE_HOME/sgx-quote-helper, else ~/.local/state/sgx-quote-helper. The DaemonSet passes
 * --state-dir explicitly.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["SGX_QUOTE_HELPER_STATE_DIR"]) return env["SGX_QUOTE_HELPER_STATE_DIR"];
  const base = env["XDG_STATE_HOME"] || join(homedir(), ".local", "state");
  return join(base, "sgx-quote-helper");
}
