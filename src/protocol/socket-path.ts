/**
 * The AESM socket path compiled into Intel's client and server. Pods reach it through a hostPath
 * of its directory (a file bind-mount would go stale when the daemon re-creates the socket).
 */
export const AESM_SOCKET_PATH = "/var/run/aesmd/aesm.socket";
