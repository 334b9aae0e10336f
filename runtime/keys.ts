/**
 * Function keys from a flat directory, the layout the real host reads from a mounted Kubernetes secret
 * (`AzureWebJobsSecretStorageType=kubernetes`): one file per key, the file's content is the key.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
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
  /** The key's UTF-8 bytes, made once at load so a request costs only the constant-time compares */
  readonly bytes: Buffer;
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

/** Group or others may read it: any local account could then call the API as the host's owner. */
const READABLE_BY_OTHERS = 0o044;

function unusableKeyFile(dir: string, fileName: string): string {
  return `key directory ${dir}: ignoring "${fileName}": the key file is empty, a dangling link or unreadable`;
}

async function warnIfShared(target: string, what: string, log: (msg: string) => void): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const mode = (await fs.stat(target)).mode & 0o777;
    if (mode & READABLE_BY_OTHERS) {
      log(
        `Warning: ${what} ${target} is readable by group/others (mode ${mode.toString(8).padStart(4, '0')}): ` +
          `restrict it to the owner (chmod ${what === 'key file' ? '600' : '700'})`,
      );
    }
  } catch {
    // reported where it is read
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

/** The trimmed content of a regular file, or undefined when it is empty, a dangling link or unreadable. */
async function readKeyValue(file: string): Promise<string | undefined> {
  try {
    if (!(await fs.stat(file)).isFile()) return undefined;
    const value = (await fs.readFile(file, 'utf8')).trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

async function readKeys(dir: string, log: (msg: string) => void): Promise<LoadedKey[]> {
  const keys: LoadedKey[] = [];
  for (const fileName of (await listEntries(dir)) ?? []) {
    // dot entries are the secret volume's own bookkeeping (`..data`) or our temporary files
    if (fileName.startsWith('.')) continue;
    const file = path.join(dir, fileName);
    const layout = classify(fileName);
    if (!layout) {
      log(`key directory ${dir}: ignoring "${fileName}" (not a key file of the host.*/functions.* layout)`);
      continue;
    }
    // stat/read follow symlinks: a mounted secret's entries are links into its `..data` directory
    const value = await readKeyValue(file);
    if (value === undefined) {
      log(unusableKeyFile(dir, fileName));
      continue;
    }
    await warnIfShared(file, 'key file', log);
    const functionName = layout.kind === 'function' ? layout.functionName : undefined;
    keys.push({ fileName, kind: layout.kind, functionName, bytes: Buffer.from(value, 'utf8') });
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

/**
 * Compares with every candidate, each in constant time, so the time taken does not reveal which key
 * matched or how much of one did. Only a length difference returns early for that candidate (key
 * lengths are not secret: generated keys all have the same length).
 */
function matchesAny(candidates: readonly Buffer[], presented: Buffer): boolean {
  let matched = false;
  for (const key of candidates) {
    if (key.length === presented.length && timingSafeEqual(key, presented)) matched = true;
  }
  return matched;
}

/** Longer than any key we accept: such a value is refused without comparing (and without copying it). */
const MAX_KEY_LENGTH = 4096;

/** Room for the UTF-8 of any accepted key (at most 3 bytes per UTF-16 unit). */
const scratch = Buffer.allocUnsafe(MAX_KEY_LENGTH * 3);

/**
 * The presented key's UTF-8 bytes, written into one reused buffer rather than a new one per request:
 * valid only until the next call, which is fine as every caller compares at once, synchronously.
 */
function presentedBytes(presentedKey: string | undefined): Buffer | undefined {
  if (typeof presentedKey !== 'string' || presentedKey === '' || presentedKey.length > MAX_KEY_LENGTH) {
    return undefined;
  }
  return scratch.subarray(0, scratch.write(presentedKey, 'utf8'));
}

function createRing(dir: string, keys: readonly LoadedKey[]): KeyRing {
  const bytesOf = (kind: KeyFile['kind']): Buffer[] =>
    keys.filter((key) => key.kind === kind).map((key) => key.bytes);
  const masters = bytesOf('master');
  // system keys authorise only extension webhooks, never `function` or `admin`
  const anyFunction = [...bytesOf('hostFunction'), ...masters];
  /** Per function (lower-cased name): host function keys, its own keys and the master keys. */
  const perFunction = new Map<string, Buffer[]>();
  const candidatesFor = (functionName: string): Buffer[] => {
    const target = functionName.toLowerCase();
    let list = perFunction.get(target);
    if (!list) {
      const own = keys.filter((key) => key.kind === 'function' && key.functionName === target);
      list = [...anyFunction, ...own.map((key) => key.bytes)];
      // The names come from the loaded functions, a bounded set.
      perFunction.set(target, list);
    }
    return list;
  };
  const isMaster = (presentedKey: string | undefined): boolean => {
    const presented = presentedBytes(presentedKey);
    return presented !== undefined && matchesAny(masters, presented);
  };
  return {
    dir,
    isMaster,
    authorize(level, functionName, presentedKey) {
      if (level === 'anonymous') return true;
      const presented = presentedBytes(presentedKey);
      if (!presented) return false;
      if (level === 'admin') return matchesAny(masters, presented);
      if (level !== 'function') return false;
      return matchesAny(candidatesFor(functionName), presented);
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
  if (keys.length > 0) {
    await warnIfShared(absoluteDir, 'key directory', log);
    return { ring: createRing(absoluteDir, keys), generated: false };
  }
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
  const file = path.join(dir, fileName);
  const value = await readKeyValue(file);
  if (value !== undefined) return value;
  // Absent altogether (not even a link) is a different matter from an unusable file.
  const exists = await fs.lstat(file).then(
    () => true,
    () => false,
  );
  throw new Error(exists ? unusableKeyFile(dir, fileName) : `key file ${file} does not exist (ENOENT)`);
}
