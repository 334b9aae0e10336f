import { execFile } from 'node:child_process';
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';
const VALIDITY_DAYS = '2';

/** File paths of a throw-away PKI (PEM files), see docs/sense-facts.md §11 (test certificates). */
export interface TestPki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed client certificate that no trusted CA issued (negative tests). */
  rogueCert: string;
  rogueKey: string;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await run(OPENSSL, args, { cwd });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(err)}`);
  }
}

/** Issues a leaf certificate signed by the CA in `dir`; extensions go through a file (portable across 3.x). */
async function issueLeaf(dir: string, name: string, cn: string, extensions: string[]): Promise<void> {
  const extFile = `${name}.ext`;
  await fs.writeFile(path.join(dir, extFile), extensions.join('\n') + '\n');
  await openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}_key.pem`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'root.pem',
    '-CAkey',
    'root_key.pem',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    VALIDITY_DAYS,
    '-sha256',
    '-extfile',
    extFile,
  ]);
}

/** A self-signed certificate `<name>.pem` with its key `<name>_key.pem`. */
async function selfSigned(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}_key.pem`,
    '-out',
    `${name}.pem`,
    '-days',
    VALIDITY_DAYS,
    '-subj',
    subject,
    ...extensions.flatMap((ext) => ['-addext', ext]),
  ]);
}

/**
 * Generates CA, server (CN localhost, SANs localhost/sensesim/127.0.0.1), client (CN QlikClient, clientAuth)
 * and a self-signed rogue client into `dir`. RSA key generation is the slow part (about a second per set
 * on a busy machine), so tests normally get a copy of a set generated once per run: see `createTestPki`.
 */
export async function generateTestPki(target: string): Promise<TestPki> {
  await fs.mkdir(target, { recursive: true });
  await selfSigned(target, 'root', '/CN=sensesim-CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leafBase = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment'];
  // Server and client serials come from the same CA serial file, so issue them one after the other.
  await issueLeaf(target, 'server', 'localhost', [
    ...leafBase,
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,DNS:sensesim,IP:127.0.0.1',
  ]);
  await issueLeaf(target, 'client', 'QlikClient', [...leafBase, 'extendedKeyUsage=clientAuth']);
  await selfSigned(target, 'rogue', '/CN=QlikClient', ['extendedKeyUsage=clientAuth']);
  return pkiPaths(target);
}

function pkiPaths(dir: string): TestPki {
  const p = (f: string): string => path.join(dir, f);
  return {
    dir,
    caCert: p('root.pem'),
    caKey: p('root_key.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server_key.pem'),
    clientCert: p('client.pem'),
    clientKey: p('client_key.pem'),
    rogueCert: p('rogue.pem'),
    rogueKey: p('rogue_key.pem'),
  };
}

/** Two unrelated sets: `foreign` is for tests that need a CA which did not issue the `main` certificates. */
export type PkiSet = 'main' | 'foreign';
export const PKI_SETS: readonly PkiSet[] = ['main', 'foreign'];

/**
 * Set by `test/run.ts`: a directory holding one generated set per `PkiSet` (subdirectories by name),
 * made fresh for each run and removed after it.
 */
export const RUN_PKI_ENV = 'BUTLER_TEST_PKI_DIR';

/** Generates every set under `root` (the runner calls this once before spawning the test files). */
export async function generateRunPki(root: string): Promise<void> {
  await Promise.all(PKI_SETS.map((set) => generateTestPki(path.join(root, set))));
}

// Without the runner (a file run on its own), each set is generated once per process.
const perProcess = new Map<PkiSet, Promise<string>>();

async function sourceOf(set: PkiSet): Promise<string> {
  const runDir = process.env[RUN_PKI_ENV];
  if (runDir) return path.join(runDir, set);
  let source = perProcess.get(set);
  if (!source) {
    source = fs.mkdtemp(path.join(os.tmpdir(), `butler-pki-${set}-`)).then(async (dir) => {
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      return (await generateTestPki(dir)).dir;
    });
    perProcess.set(set, source);
  }
  return source;
}

/**
 * A private copy of the run's `set` in `dir` (default: a fresh temp dir), so callers may write next to
 * the files or remove the dir when done without affecting other tests.
 */
export async function createTestPki(dir?: string, set: PkiSet = 'main'): Promise<TestPki> {
  const source = await sourceOf(set);
  const target = dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'butler-pki-')));
  await fs.cp(source, target, { recursive: true });
  return pkiPaths(target);
}
