import assert from "node:assert/strict";
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
    const quota = (cpuMax: string) => files({ "/sys/fs/cgroup/cpu.max": cpuMax });
    assert.equal(defaultServingThreads(files({}), 2), 2, "no quota: the CPUs");
    assert.equal(defaultServingThreads(files({}), 64), 8, "no quota on a big node: at most 8");
    assert.equal(defaultServingThreads(quota("50000 100000"), 64), 1, "half a CPU: one loop");
    assert.equal(defaultServingThreads(quota("150000 100000"), 64), 2, "1.5 CPUs: two loops");
    assert.equal(defaultServingThreads(quota("400000 100000"), 2), 2, "a quota above the CPUs: the CPUs");
    assert.equal(defaultServingThreads(quota("max 100000"), 4), 4, "an unlimited quota: the CPUs");
  });
});
