import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
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
 * and a self-signed rogue client into `dir` (default: a fresh temp dir). Caller removes the dir when done.
 */
export async function createTestPki(dir?: string): Promise<TestPki> {
  const target = dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'butler-pki-')));
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
  const p = (f: string): string => path.join(target, f);
  return {
    dir: target,
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
