import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { checkQuoteIndependently } from "../helpers/independent-quote-check.ts";
import { waitForSocket } from "../helpers/wait-for-socket.ts";

const entry = fileURLToPath(new URL("../../src/cli/entry.ts", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function startServe(socketPath: string, stateDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", entry, "serve", "--socket", socketPath, "--state-dir", stateDir, "--log-level", "warn"],
    {
      stdio: "ignore",
    },
  );
  await waitForSocket(socketPath);
  return child;
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.kill("SIGTERM");
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("sgx-quote-helper CLI", () => {
  let dir: string;
  let socketPath: string;
  let stateDir: string;
  let serve: ChildProcess;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sqh-cli-"));
    socketPath = join(dir, "aesmd", "aesm.socket");
    stateDir = join(dir, "state");
    serve = await startServe(socketPath, stateDir);
  });
  after(async () => {
    await stop(serve);
    await rm(dir, { recursive: true, force: true });
  });

  it("quote writes a quote for the given report data, which verifies with the platform's root", async () => {
    const out = join(dir, "q.bin");
    const q = await cli(["quote", "--socket", socketPath, "--report-data", "ab".repeat(64), "--mrenclave", "11".repeat(32), "--out", out]);
    assert.equal(q.code, 0, q.stderr);
    const quote = await readFile(out);
    const rootPem = await readFile(join(stateDir, "platform", "root-ca.pem"), "utf8");
    const facts = checkQuoteIndependently(quote, rootPem);
    assert.deepEqual(facts.reportBody.subarray(320, 384), Buffer.alloc(64, 0xab));
    assert.deepEqual(facts.reportBody.subarray(64, 96), Buffer.alloc(32, 0x11));

    const v = await cli(["verify", out, "--trust-root", join(stateDir, "platform", "root-ca.pem"), "--json"]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const json = JSON.parse(v.stdout) as { verified: boolean; root: string; enclave: { reportData: string; mrEnclave: string } };
    assert.equal(json.verified, true);
    assert.equal(json.root, "simulated");
    assert.equal(json.enclave.reportData, "ab".repeat(64));
    assert.equal(json.enclave.mrEnclave, "11".repeat(32));
  });

  it("quote prints hex or base64 to stdout", async () => {
    const hex = await cli(["quote", "--socket", socketPath, "--message", "hi"]);
    assert.equal(hex.code, 0, hex.stderr);
    assert.match(hex.stdout.trim(), /^0300020000000000[0-9a-f]+$/);
    const b64 = await cli(["quote", "--socket", socketPath, "--format", "base64"]);
    assert.equal(Buffer.from(b64.stdout.trim(), "base64").readUInt16LE(0), 3);
  });

  it("a reader that goes away early (… | head -1) ends the output quietly, not with a stack trace", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, "quote", "--socket", socketPath, "--format", "hex"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.destroy(); // the reader is gone before the first byte
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|at /);
  });

  it("verify refuses a simulated quote unless its root is trusted, and reads hex input", async () => {
    const hex = await cli(["quote", "--socket", socketPath]);
    const file = join(dir, "q.hex");
    await writeFile(file, hex.stdout);
    const v = await cli(["verify", file]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /ERR_VERIFY_UNTRUSTED_ROOT/);
  });

  it("verify gives a typed error for a truncated quote and exit code 1", async () => {
    const file = join(dir, "short.bin");
    await writeFile(file, Buffer.alloc(500, 3));
    const v = await cli(["verify", file, "--json"]);
    assert.equal(v.code, 1);
    assert.equal((JSON.parse(v.stdout) as { verified: boolean }).verified, false);
    assert.match(v.stdout, /ERR_QUOTE_/);
  });

  it("bad usage exits 2 with a message", async () => {
    const r = await cli(["quote", "--socket", socketPath, "--mrenclave", "12"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--mrenclave takes exactly 32 bytes/);
    assert.equal((await cli(["verify"])).code, 2);
    assert.equal((await cli(["no-such-command"])).code, 2);
  });

  it("quote against a socket with no daemon fails clearly, naming the path", async () => {
    const r = await cli(["quote", "--socket", join(dir, "nobody.socket")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SGX_QL_SERVICE_UNAVAILABLE|SERVICE_UNAVAILABLE/);
    assert.match(r.stderr, /nobody\.socket/);
  });

  it("a restarted daemon keeps its platform: old and new quotes chain to the same root", async () => {
    const before = join(dir, "before.bin");
    assert.equal((await cli(["quote", "--socket", socketPath, "--out", before])).code, 0);
    assert.equal(await stop(serve), 0, "serve exits 0 on SIGTERM");
    serve = await startServe(socketPath, stateDir);
    const afterFile = join(dir, "after.bin");
    assert.equal((await cli(["quote", "--socket", socketPath, "--out", afterFile])).code, 0);
    const rootPem = await readFile(join(stateDir, "platform", "root-ca.pem"), "utf8");
    const a = checkQuoteIndependently(await readFile(before), rootPem);
    const b = checkQuoteIndependently(await readFile(afterFile), rootPem);
    assert.deepEqual(a.userData, b.userData, "same QE ID");
    assert.equal(a.certificates[0]!.fingerprint256, b.certificates[0]!.fingerprint256, "same PCK certificate");
  });
});
