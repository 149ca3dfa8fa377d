import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { waitForSocket } from "../helpers/wait-for-socket.ts";

const entry = fileURLToPath(new URL("../../src/cli/entry.ts", import.meta.url));
const vectors = fileURLToPath(new URL("../fixtures/vectors/", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface Expected {
  verify_at: { unix: number };
  expected: { outcome: string; tcb_status?: string | null; advisory_ids?: string[] | null };
}

describe("verify with collateral (every full vector, from files)", async () => {
  const dirs = (await readdir(vectors, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !d.name.startsWith("_"))
    .map((d) => d.name);
  for (const dir of dirs) {
    const path = join(vectors, dir);
    const files = await readdir(path);
    if (!files.includes("collateral.json")) continue;
    it(`${dir}: JSON verdict matches expected.json; exit 0 only when the policy accepts`, async () => {
      const expected = JSON.parse(await readFile(join(path, "expected.json"), "utf8")) as Expected;
      const at = String(expected.verify_at.unix);
      for (const collateral of [path, join(path, "collateral.json")]) {
        const r = await cli(["verify", join(path, "quote.bin"), "--collateral", collateral, "--at", at, "--json"]);
        const json = JSON.parse(r.stdout) as { accepted: boolean; tcbStatus?: string; advisoryIds?: string[]; code?: string };
        if (expected.expected.tcb_status) {
          assert.equal(json.tcbStatus, expected.expected.tcb_status);
          assert.deepEqual(json.advisoryIds, expected.expected.advisory_ids ?? []);
          assert.equal(r.code, expected.expected.tcb_status === "UpToDate" ? 0 : 1, "default policy accepts UpToDate only");
        } else {
          assert.equal(json.accepted, false);
          assert.match(json.code ?? "", /^ERR_VERIFY_/);
          assert.equal(r.code, 1);
        }
      }
    });
  }

  it("--accept widens the policy; an unknown status is a usage error", async () => {
    const path = join(vectors, "sgx-v3-zkdcap");
    const args = ["verify", join(path, "quote.bin"), "--collateral", path, "--at", "1737458686"];
    assert.equal((await cli([...args, "--accept", "UpToDate,SWHardeningNeeded"])).code, 0);
    assert.equal((await cli([...args, "--accept", "UpToDate,SWHardeningNeeded", "--mrenclave", "00".repeat(32)])).code, 1);
    assert.equal((await cli([...args, "--accept", "Sometimes"])).code, 2);
  });
});

describe("verify --pccs-url against serve --pcs-port (simulated platform, full TCB evaluation)", () => {
  let dir: string;
  let serve: ChildProcess;
  let socketPath: string;
  const pcsPort = 20000 + Math.floor(Math.random() * 20000);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sqh-cliv-"));
    socketPath = join(dir, "aesm.socket");
    serve = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        entry,
        "serve",
        "--socket",
        socketPath,
        "--state-dir",
        join(dir, "state"),
        "--pcs-port",
        String(pcsPort),
        "--tcb-status",
        "OutOfDate",
        "--log-level",
        "warn",
      ],
      { stdio: "ignore" },
    );
    await waitForSocket(socketPath);
  });
  after(async () => {
    serve.kill("SIGTERM");
    await new Promise((r) => serve.once("exit", r));
    await rm(dir, { recursive: true, force: true });
  });

  it("fetches the platform's collateral, reports OutOfDate with its advisory, and refuses by default", async () => {
    const quotePath = join(dir, "q.bin");
    assert.equal((await cli(["quote", "--socket", socketPath, "--out", quotePath])).code, 0);
    const root = join(dir, "state", "platform", "root-ca.pem");
    const r = await cli(["verify", quotePath, "--pccs-url", `http://127.0.0.1:${pcsPort}`, "--trust-root", root, "--json"]);
    const json = JSON.parse(r.stdout) as { tcbStatus: string; advisoryIds: string[]; rootKind: string; accepted: boolean };
    assert.equal(json.tcbStatus, "OutOfDate");
    assert.equal(json.rootKind, "simulated");
    assert.ok(json.advisoryIds.length > 0, "an OutOfDate level carries advisories");
    assert.equal(r.code, 1);
    const accepted = await cli([
      "verify",
      quotePath,
      "--pccs-url",
      `http://127.0.0.1:${pcsPort}`,
      "--trust-root",
      root,
      "--accept",
      "OutOfDate",
    ]);
    assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
    const untrusted = await cli(["verify", quotePath, "--pccs-url", `http://127.0.0.1:${pcsPort}`, "--json"]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /ERR_VERIFY_UNTRUSTED_ROOT/);
  });
});
