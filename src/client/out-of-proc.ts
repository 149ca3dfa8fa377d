import { AESM_SOCKET_PATH } from "../protocol/index.ts";

/**
 * libsgx_dcap_ql's switch: out-of-process quoting is used when SGX_AESM_ADDR is present in the
 * environment, whatever its value (even empty). The value is never an address.
 */
export function isOutOfProcRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.hasOwn(env, "SGX_AESM_ADDR");
}

/**
 * Where our client connects: Intel's fixed path, unless SGX_QUOTE_HELPER_SOCKET names another
 * one (our extension, for tests and side-by-side daemons; Intel's libraries ignore it).
 */
export function resolveSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env["SGX_QUOTE_HELPER_SOCKET"] || AESM_SOCKET_PATH;
}
