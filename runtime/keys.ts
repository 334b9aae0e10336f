/**
 * Function keys from a flat directory, the layout the real host reads from a mounted Kubernetes secret
 * (`AzureWebJobsSecretStorageType=kubernetes`): one file per key, the file's content is the key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface KeyRing {
  readonly dir: string;
  /** true if the presented key authorises calling `functionName` at `level` (see rules). Constant-time compares. */
  authorize(level: AuthLevel, functionName: string, presentedKey: string | undefined): boolean;
  isMaster(presentedKey: string | undefined): boolean;
  /** for tests and the CLI's first-start message: names only, never values */
  keyNames(): string[];
}

type KeyFile =
  | { kind: 'master' }
  | { kind: 'hostFunction' }
  | { kind: 'system' }
  | { kind: 'function'; functionName: string };

interface LoadedKey {
  readonly fileName: string;
  readonly kind: KeyFile['kind'];
  /** lower-cased, for `functions.<name>.<key>` files */
  readonly functionName: string | undefined;
  /** SHA-256 of the key: equal-length buffers for timingSafeEqual, and no plain key kept in memory */
  readonly digest: Buffer;
}

const MASTER_FILE = 'host.master';
const DEFAULT_FUNCTION_KEY_FILE = 'host.function.default';
const GENERATED_KEY_BYTES = 32;

function classify(fileName: string): KeyFile | undefined {
  if (fileName === MASTER_FILE) return { kind: 'master' };
  const hostFunction = /^host\.function\.(.+)$/.exec(fileName);
  if (hostFunction) return { kind: 'hostFunction' };
  const system = /^host\.systemKey\.(.+)$/i.exec(fileName);
  if (system) return { kind: 'system' };
  const perFunction = /^functions\.([^.]+)\.(.+)$/.exec(fileName);
  if (perFunction?.[1]) return { kind: 'function', functionName: perFunction[1].toLowerCase() };
  return undefined;
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

async function isFile(file: string): Promise<boolean> {
  try {
    // stat follows symlinks: a mounted secret's entries are links into its `..data` directory
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function listEntries(dir: string): Promise<string[] | undefined> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read key directory ${dir}: ${(error as Error).message}`);
  }
}

async function readKeys(dir: string, log: (msg: string) => void): Promise<LoadedKey[]> {
  const keys: LoadedKey[] = [];
  for (const fileName of (await listEntries(dir)) ?? []) {
    // dot entries are the secret volume's own bookkeeping (`..data`) or our temporary files
    if (fileName.startsWith('.')) continue;
    const file = path.join(dir, fileName);
    const layout = classify(fileName);
    if (!layout || !(await isFile(file))) {
      log(`key directory ${dir}: ignoring "${fileName}" (not a key file of the host.*/functions.* layout)`);
      continue;
    }
    const value = (await fs.readFile(file, 'utf8')).trim();
    if (value === '') {
      log(`key directory ${dir}: ignoring empty key file "${fileName}"`);
      continue;
    }
    const functionName = layout.kind === 'function' ? layout.functionName : undefined;
    keys.push({ fileName, kind: layout.kind, functionName, digest: digestOf(value) });
  }
  return keys;
}

/** writes a new random key without ever exposing a partial file, and never replaces an existing one */
async function createKeyFile(dir: string, fileName: string): Promise<void> {
  const file = path.join(dir, fileName);
  const temporary = path.join(dir, `.${fileName}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const key = randomBytes(GENERATED_KEY_BYTES).toString('base64url');
  try {
    await fs.writeFile(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await fs.chmod(temporary, 0o600);
    try {
      // link fails with EEXIST instead of overwriting: a concurrently starting host keeps its key
      await fs.link(temporary, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // file systems without hard links: rename is still atomic
      await fs.rename(temporary, file);
    }
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

function matchesAny(keys: readonly LoadedKey[], presented: Buffer): boolean {
  // visit every candidate so the time taken does not reveal which kind of key matched
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(key.digest, presented) || matched;
  return matched;
}

function createRing(dir: string, keys: readonly LoadedKey[]): KeyRing {
  const masters = keys.filter((key) => key.kind === 'master');
  const hostFunctionKeys = keys.filter((key) => key.kind === 'hostFunction');
  const functionKeys = keys.filter((key) => key.kind === 'function');
  const isMaster = (presentedKey: string | undefined): boolean =>
    typeof presentedKey === 'string' && presentedKey !== '' && matchesAny(masters, digestOf(presentedKey));
  return {
    dir,
    isMaster,
    authorize(level, functionName, presentedKey) {
      if (level === 'anonymous') return true;
      if (typeof presentedKey !== 'string' || presentedKey === '') return false;
      const presented = digestOf(presentedKey);
      const master = matchesAny(masters, presented);
      if (level === 'admin') return master;
      if (level !== 'function') return false;
      const target = functionName.toLowerCase();
      const ownKeys = functionKeys.filter((key) => key.functionName === target);
      // system keys authorise only extension webhooks, never `function` or `admin`
      return matchesAny([...hostFunctionKeys, ...ownKeys], presented) || master;
    },
    keyNames: () => keys.map((key) => key.fileName),
  };
}

/** Reads the flat key directory (contract layout). If it holds no key file, creates the directory (mode 0700),
 *  `host.master` and `host.function.default` (32 random bytes, base64url, mode 0600) and logs the directory path
 *  (never a key) through `log`. Returns the ring plus the generated flag. */
export async function loadKeyRing(
  dir: string,
  log: (msg: string) => void = () => undefined,
): Promise<{ ring: KeyRing; generated: boolean }> {
  const absoluteDir = path.resolve(dir);
  let keys = await readKeys(absoluteDir, log);
  if (keys.length > 0) return { ring: createRing(absoluteDir, keys), generated: false };
  const created = await fs.mkdir(absoluteDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask; a directory we created holds secrets, so set it exactly
  if (created !== undefined) await fs.chmod(absoluteDir, 0o700);
  await createKeyFile(absoluteDir, MASTER_FILE);
  await createKeyFile(absoluteDir, DEFAULT_FUNCTION_KEY_FILE);
  log(`no function keys found: generated ${MASTER_FILE} and ${DEFAULT_FUNCTION_KEY_FILE} in ${absoluteDir}`);
  keys = await readKeys(absoluteDir, log);
  return { ring: createRing(absoluteDir, keys), generated: true };
}

/** Reads one key file's value (trimmed), for tests/CLI: readKey(dir, 'host.master') */
export async function readKey(dir: string, fileName: string): Promise<string> {
  if (fileName !== path.basename(fileName) || fileName.startsWith('.')) {
    throw new Error(`"${fileName}" is not a key file name`);
  }
  const value = (await fs.readFile(path.join(dir, fileName), 'utf8')).trim();
  if (value === '') throw new Error(`key file ${fileName} in ${dir} is empty`);
  return value;
}
