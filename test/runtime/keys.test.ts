import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadKeyRing, readKey, type AuthLevel, type KeyRing } from '../../runtime/keys';
import { tempDirs } from '../helpers/temp-dirs';

const tempDir = tempDirs('keys-test-');

function randomKey(): string {
  return randomBytes(24).toString('base64url');
}

describe('loadKeyRing key generation', () => {
  it('creates host.master and host.function.default with mode 0600 in a 0700 directory', async () => {
    const dir = path.join(await tempDir(), 'state', 'keys');
    const logs: string[] = [];
    const { ring, generated } = await loadKeyRing(dir, (msg) => logs.push(msg));
    assert.equal(generated, true);
    assert.equal(ring.dir, dir);
    assert.deepEqual(ring.keyNames(), ['host.function.default', 'host.master']);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['host.function.default', 'host.master']);
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
    const master = await readKey(dir, 'host.master');
    const functionKey = await readKey(dir, 'host.function.default');
    for (const [name, key] of [
      ['host.master', master],
      ['host.function.default', functionKey],
    ] as const) {
      assert.ok(key.length >= 43, `${name} has at least 32 random bytes`);
      assert.match(key, /^[A-Za-z0-9_-]+$/, `${name} is base64url`);
      assert.equal((await fs.stat(path.join(dir, name))).mode & 0o777, 0o600);
    }
    assert.notEqual(master, functionKey);
    assert.equal(logs.length, 1);
    assert.ok(logs[0]?.includes(dir), 'the log names the directory');
    assert.ok(!logs[0]?.includes(master) && !logs[0]?.includes(functionKey), 'the log never shows a key');
    assert.equal(ring.isMaster(master), true);
    assert.equal(ring.authorize('function', 'anything', functionKey), true);
  });

  it('keeps existing keys on the next start', async () => {
    const dir = await tempDir();
    await loadKeyRing(dir);
    const master = await readKey(dir, 'host.master');
    const again = await loadKeyRing(dir);
    assert.equal(again.generated, false);
    assert.equal(await readKey(dir, 'host.master'), master);
    assert.equal(again.ring.isMaster(master), true);
  });

  it('does not generate when any key file exists', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'functions.status.reader'), randomKey());
    const { ring, generated } = await loadKeyRing(dir);
    assert.equal(generated, false);
    assert.deepEqual(ring.keyNames(), ['functions.status.reader']);
  });

  it('generates when the only key files are empty, without replacing them', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'host.master'), '\n');
    const logs: string[] = [];
    const { ring, generated } = await loadKeyRing(dir, (msg) => logs.push(msg));
    assert.equal(generated, true);
    assert.deepEqual(ring.keyNames(), ['host.function.default']);
    assert.equal(await fs.readFile(path.join(dir, 'host.master'), 'utf8'), '\n');
    assert.ok(
      logs.some((line) =>
        line.includes('ignoring "host.master": the key file is empty, a dangling link or unreadable'),
      ),
    );
  });
});

describe('KeyRing authorisation', () => {
  let ring: KeyRing;
  const keys = {
    master: randomKey(),
    hostFunction: randomKey(),
    hostFunctionOther: randomKey(),
    own: randomKey(),
    otherFunction: randomKey(),
    system: randomKey(),
  };

  const logs: string[] = [];
  let generated: boolean | undefined;

  before(async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'host.master'), `${keys.master}\n`);
    await fs.writeFile(path.join(dir, 'host.function.default'), `  ${keys.hostFunction}  `);
    await fs.writeFile(path.join(dir, 'host.function.ci'), keys.hostFunctionOther);
    await fs.writeFile(path.join(dir, 'functions.TaskStart.default'), keys.own);
    await fs.writeFile(path.join(dir, 'functions.status.default'), keys.otherFunction);
    await fs.writeFile(path.join(dir, 'host.systemKey.mqtt_extension'), keys.system);
    await fs.writeFile(path.join(dir, 'host.function.empty'), '');
    await fs.writeFile(path.join(dir, 'README.txt'), 'not a key');
    await fs.writeFile(path.join(dir, '.hidden'), 'bookkeeping');
    await fs.mkdir(path.join(dir, '..data'));
    const loaded = await loadKeyRing(dir, (msg) => logs.push(msg));
    ring = loaded.ring;
    generated = loaded.generated;
  });

  it('loads the flat layout, trims values and warns about foreign files', () => {
    assert.equal(generated, false);
    assert.deepEqual(ring.keyNames(), [
      'functions.TaskStart.default',
      'functions.status.default',
      'host.function.ci',
      'host.function.default',
      'host.master',
      'host.systemKey.mqtt_extension',
    ]);
    assert.ok(logs.some((line) => line.includes('"README.txt"')));
    assert.ok(!logs.some((line) => line.includes('.hidden') || line.includes('..data')));
    for (const value of Object.values(keys)) assert.ok(!logs.some((line) => line.includes(value)));
  });

  const matrix: Array<[string, keyof typeof keys | 'wrong' | 'none', AuthLevel, string, boolean]> = [
    ['anonymous passes without a key', 'none', 'anonymous', 'taskstart', true],
    ['anonymous passes with a wrong key', 'wrong', 'anonymous', 'taskstart', true],
    ['master key authorises function level', 'master', 'function', 'taskstart', true],
    ['master key authorises admin level', 'master', 'admin', 'taskstart', true],
    ['host function key authorises every function', 'hostFunction', 'function', 'status', true],
    ['a second host function key works too', 'hostFunctionOther', 'function', 'taskstart', true],
    ['host function key is not admin', 'hostFunction', 'admin', 'taskstart', false],
    ['function key authorises its own function (case-insensitive)', 'own', 'function', 'TASKSTART', true],
    ['function key does not authorise another function', 'own', 'function', 'status', false],
    ['function key is not admin', 'own', 'admin', 'taskstart', false],
    ['system key does not satisfy function level', 'system', 'function', 'taskstart', false],
    ['system key does not satisfy admin level', 'system', 'admin', 'taskstart', false],
    ['wrong key fails function level', 'wrong', 'function', 'taskstart', false],
    ['missing key fails function level', 'none', 'function', 'taskstart', false],
    ['missing key fails admin level', 'none', 'admin', 'taskstart', false],
  ];
  for (const [title, which, level, functionName, expected] of matrix) {
    it(title, () => {
      const presented = which === 'none' ? undefined : which === 'wrong' ? randomKey() : keys[which];
      assert.equal(ring.authorize(level, functionName, presented), expected);
    });
  }

  it('rejects empty, prefixed and padded variants of real keys', () => {
    assert.equal(ring.authorize('function', 'taskstart', ''), false);
    assert.equal(ring.authorize('function', 'taskstart', `${keys.hostFunction}x`), false);
    assert.equal(ring.authorize('function', 'taskstart', keys.hostFunction.slice(1)), false);
    assert.equal(ring.authorize('function', 'taskstart', ` ${keys.hostFunction}`), false);
  });

  it('isMaster recognises only the master key', () => {
    assert.equal(ring.isMaster(keys.master), true);
    assert.equal(ring.isMaster(keys.hostFunction), false);
    assert.equal(ring.isMaster(keys.system), false);
    assert.equal(ring.isMaster(undefined), false);
    assert.equal(ring.isMaster(''), false);
  });
});

describe('readKey', () => {
  it('reads a trimmed key and refuses paths and empty files', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'host.master'), ' secret-value \n');
    await fs.writeFile(path.join(dir, 'host.function.blank'), '  ');
    assert.equal(await readKey(dir, 'host.master'), 'secret-value');
    await assert.rejects(readKey(dir, '../host.master'), /not a key file name/);
    await assert.rejects(
      readKey(dir, 'host.function.blank'),
      /the key file is empty, a dangling link or unreadable/,
    );
    await assert.rejects(readKey(dir, 'host.function.missing'), /ENOENT/);
  });
});
