import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { cgroupCpuQuota, defaultServingThreads } from "./serving-threads.ts";

const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe("serve's default number of event loops", () => {
  it("reads the cgroup v2 quota, and v1 when there is no v2", () => {
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu.max": "150000 100000\n" })), 1.5);
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu.max": "max 100000\n" })), undefined);
    const v1 = { "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "200000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" };
    assert.equal(cgroupCpuQuota(files(v1)), 2);
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n" })), undefined);
    assert.equal(cgroupCpuQuota(files({})), undefined);
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu.max": "garbage" })), undefined);
  });

  it("is one loop per CPU the pod may use, at least one, at most 8", () => {
    const cpus = availableParallelism();
    assert.equal(defaultServingThreads(files({})), Math.min(cpus, 8));
    assert.equal(defaultServingThreads(files({ "/sys/fs/cgroup/cpu.max": "50000 100000" })), 1);
    assert.equal(defaultServingThreads(files({ "/sys/fs/cgroup/cpu.max": "150000 100000" })), Math.min(cpus, 2));
    assert.equal(defaultServingThreads(files({ "/sys/fs/cgroup/cpu.max": "6400000 100000" })), Math.min(cpus, 8));
  });
});
