import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SgxQuoteHelperError } from "../../shared/errors.ts";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { derToPem, readPckExtension, SgxType, type PckExtension } from "../../quote/index.ts";
import { issueSimulatedHierarchy, newKeyPair, type IssuedCertificate, type SimulatedHierarchy } from "./platform-certificates.ts";

/**
 * FMSPC of simulated platforms: ff 'S' 'I' 'M' 00 00. Real FMSPCs start with a CPU family byte
 * (00, 10, 20, 30, 50, 90, b0 …); ff is none of them, so no Intel TCB Info can match by accident.
 */
export const SIMULATED_FMSPC_HEX = "ff53494d0000";
/** TCB of a new simulated platform: component SVNs (also its PCK CPUSVN) and PCESVN. */
const DEFAULT_TCB_COMPONENTS = [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
const DEFAULT_PCESVN = 13;
const STATE_VERSION = 1;
const PLATFORM_DIR = "platform";

/** platform.json: the public facts of a simulated platform. */
export interface PlatformFacts {
  readonly version: number;
  /** 16-byte QE ID (header user_data), hex. */
  readonly qeId: string;
  readonly ppid: string;
  readonly cpuSvn: string;
  readonly pceSvn: number;
  readonly pceId: string;
  readonly fmspc: string;
  readonly tcbComponents: readonly number[];
  readonly sgxType: number;
  readonly createdAt: string;
}

/** Everything a simulated platform needs at run time. */
export interface PlatformState {
  readonly facts: PlatformFacts;
  readonly pckExtension: PckExtension;
  readonly certificates: SimulatedHierarchy;
  readonly attestationKey: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
}

/**
 * Files under `<stateDir>/platform/`: `platform.json`; for each of root-ca, pck-ca, pck,
 * tcb-signing a `<name>.pem` certificate and a `<name>.key.pem` PKCS#8 key (mode 0600); and
 * `attestation.key.pem` (mode 0600).
 */
const CERT_NAMES = { root: "root-ca", pckCa: "pck-ca", pck: "pck", tcbSigning: "tcb-signing" } as const;
const ATTESTATION_KEY_FILE = "attestation.key.pem";

/** Codes: `ERR_PROVIDER_STATE_INVALID` (unreadable or inconsistent state directory). */
export class PlatformStateError extends SgxQuoteHelperError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_PROVIDER_STATE_INVALID", message, options);
  }
}

/**
 * Loads the platform in `stateDir`, creating a new one when there is none. Creation writes into a
 * temporary directory and renames it into place, so a crash never leaves half a platform and two
 * concurrent creators end up sharing the winner's. Throws PlatformStateError on corrupt state.
 */
export async function openPlatformState(stateDir: string): Promise<PlatformState> {
  const dir = join(stateDir, PLATFORM_DIR);
  const existing = await tryLoad(dir);
  if (existing) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const tmp = await mkdtemp(join(stateDir, ".platform-"));
  try {
    await writePlatform(tmp, createPlatform());
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (!isExistsError(error)) throw error;
  }
  const created = await tryLoad(dir);
  if (!created) throw new PlatformStateError(`platform state in ${dir} vanished after creation`);
  return created;
}

function createPlatform(): PlatformState {
  const components = DEFAULT_TCB_COMPONENTS;
  const pckExtension: PckExtension = {
    ppid: randomBytes(16),
    tcb: { components, pceSvn: DEFAULT_PCESVN, cpuSvn: Uint8Array.from(components) },
    pceId: new Uint8Array(2),
    fmspc: fromHex(SIMULATED_FMSPC_HEX),
    sgxType: SgxType.STANDARD,
  };
  const facts: PlatformFacts = {
    version: STATE_VERSION,
    qeId: toHex(randomBytes(16)),
    ppid: toHex(pckExtension.ppid),
    cpuSvn: toHex(pckExtension.tcb.cpuSvn),
    pceSvn: pckExtension.tcb.pceSvn,
    pceId: toHex(pckExtension.pceId),
    fmspc: SIMULATED_FMSPC_HEX,
    tcbComponents: components,
    sgxType: pckExtension.sgxType,
    createdAt: new Date().toISOString(),
  };
  return { facts, pckExtension, certificates: issueSimulatedHierarchy(pckExtension), attestationKey: newKeyPair() };
}

async function writePlatform(dir: string, state: PlatformState): Promise<void> {
  await chmod(dir, 0o700);
  for (const [field, name] of Object.entries(CERT_NAMES) as Array<[keyof SimulatedHierarchy, string]>) {
    const cert = state.certificates[field];
    await writeFile(join(dir, `${name}.pem`), derToPem(cert.der));
    await writeFile(join(dir, `${name}.key.pem`), pkcs8(cert.privateKey), { mode: 0o600 });
  }
  await writeFile(join(dir, ATTESTATION_KEY_FILE), pkcs8(state.attestationKey.privateKey), { mode: 0o600 });
  // platform.json last: its presence marks a complete directory even before the rename.
  await writeFile(join(dir, "platform.json"), `${JSON.stringify(state.facts, null, 2)}\n`);
}

async function tryLoad(dir: string): Promise<PlatformState | undefined> {
  let json: string;
  try {
    json = await readFile(join(dir, "platform.json"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PlatformStateError(`cannot read ${dir}/platform.json`, { cause: error });
  }
  try {
    const facts = parseFacts(json);
    const certificates = {
      root: await loadCert(dir, CERT_NAMES.root),
      pckCa: await loadCert(dir, CERT_NAMES.pckCa),
      pck: await loadCert(dir, CERT_NAMES.pck),
      tcbSigning: await loadCert(dir, CERT_NAMES.tcbSigning),
    };
    const attestationKey = await loadKeyPair(join(dir, ATTESTATION_KEY_FILE));
    const pckExtension = readPckExtension(certificates.pck.der);
    if (toHex(pckExtension.ppid) !== facts.ppid || toHex(pckExtension.fmspc) !== facts.fmspc) {
      throw new PlatformStateError("platform.json does not match the PCK certificate");
    }
    return { facts, pckExtension, certificates, attestationKey };
  } catch (error) {
    if (error instanceof PlatformStateError) throw error;
    throw new PlatformStateError(`platform state in ${dir} is corrupt: ${(error as Error).message}`, { cause: error });
  }
}

function parseFacts(json: string): PlatformFacts {
  const facts = JSON.parse(json) as PlatformFacts;
  if (facts.version !== STATE_VERSION) throw new PlatformStateError(`unsupported platform.json version ${String(facts.version)}`);
  if (!/^[0-9a-f]{32}$/.test(facts.qeId)) throw new PlatformStateError("platform.json qeId is not 16 hex bytes");
  return facts;
}

async function loadCert(dir: string, name: string): Promise<IssuedCertificate> {
  const cert = new X509Certificate(await readFile(join(dir, `${name}.pem`)));
  const keys = await loadKeyPair(join(dir, `${name}.key.pem`));
  if (!cert.checkPrivateKey(keys.privateKey)) throw new PlatformStateError(`${name}.key.pem does not match ${name}.pem`);
  return { der: new Uint8Array(cert.raw), ...keys };
}

async function loadKeyPair(path: string): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const privateKey = createPrivateKey(await readFile(path));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function pkcs8(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }) as string;
}

function isExistsError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EEXIST" || code === "ENOTEMPTY";
}
