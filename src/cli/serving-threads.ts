import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Past this, more event loops mostly add memory (an isolate and a provider each). */
const MAX_DEFAULT_THREADS = 8;

/**
 * `serve`'s default number of event loops: one per CPU the process may use, at most 8. Node 20's
 * availableParallelism() counts the CPUs of the node, not a pod's CPU limit, so the cgroup's
 * CPU quota (v2 cpu.max, else v1 cfs quota) caps it: a DaemonSet pod limited to one CPU on a
 * 64-core node gets one loop.
 */
export function defaultServingThreads(
  readText: (path: string) => string | undefined = readIfPresent,
  cpus: number = availableParallelism(),
): number {
  const quota = cgroupCpuQuota(readText);
  const usable = quota === undefined ? cpus : Math.min(cpus, Math.max(1, Math.ceil(quota)));
  return Math.min(usable, MAX_DEFAULT_THREADS);
}

/** CPUs the cgroup's quota allows (fractional), or undefined when there is no quota. */
export function cgroupCpuQuota(readText: (path: string) => string | undefined): number | undefined {
  const v2 = readText("/sys/fs/cgroup/cpu.max")?.trim().split(/\s+/);
  if (v2 !== undefined) return v2[0] === "max" ? undefined : ratio(v2[0], v2[1]);
  const quota = readText("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")?.trim();
  return quota === undefined || quota === "-1" ? undefined : ratio(quota, readText("/sys/fs/cgroup/cpu/cpu.cfs_period_us")?.trim());
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : undefined;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
