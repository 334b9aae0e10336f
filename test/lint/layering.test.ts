/**
 * The folder layering (eslint.layers.mjs) fails a planted violation in each direction, passes the allowed
 * imports, and is part of the project's ESLint config; no runtime/ file imports the product.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(__dirname, '..', '..', '..');

async function layers(): Promise<Linter.Config[]> {
  const url = pathToFileURL(path.join(ROOT, 'eslint.layers.mjs')).href;
  return ((await import(url)) as { layers: Linter.Config[] }).layers;
}

/** Messages of the layering rule for `code` as if it were the file `relative`. */
async function violations(relative: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...(await layers()),
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, relative) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('layering', () => {
  it('refuses product imports in runtime/', async () => {
    for (const code of [
      "import { loadConfig } from '../shared/config/load';",
      "import type { ButlerConfig } from '../../shared/config/types';",
      "import '../functions/butler-ping';",
      "import { hostProfile } from '../product/host-profile';",
    ]) {
      const found = await violations('runtime/pipeline/planted.ts', code);
      assert.equal(found.length, 1, code);
      assert.match(found[0] ?? '', /^no-restricted-imports: .*generic host/);
    }
  });

  it('refuses host imports in shared/ and functions/', async () => {
    for (const [file, code] of [
      ['shared/planted.ts', "import { startEmbeddedHost } from '../runtime/host';"],
      ['shared/sense/planted.ts', "import type { HostLog } from '../../runtime/log';"],
      ['functions/planted.ts', "import { hostProfile } from '../product/host-profile';"],
    ] as const) {
      const found = await violations(file, code);
      assert.equal(found.length, 1, `${file}: ${code}`);
      assert.match(found[0] ?? '', /^no-restricted-imports: .*real Functions host/);
    }
  });

  it('allows packages and the layers each folder may use', async () => {
    assert.deepEqual(await violations('runtime/planted.ts', "import { app } from '@azure/functions';"), []);
    assert.deepEqual(await violations('shared/planted.ts', "import { app } from '@azure/functions';"), []);
    assert.deepEqual(await violations('runtime/pipeline/planted.ts', "import { x } from '../settings';"), []);
    assert.deepEqual(
      await violations(
        'product/planted.ts',
        "import { x } from '../runtime/cli-profile';\nimport { y } from '../shared/config/load';",
      ),
      [],
    );
  });

  it('is applied by the project ESLint config', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const file of ['runtime/cli.ts', 'shared/services.ts', 'functions/butler-ping.ts']) {
      const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as Linter.Config;
      const rule: unknown = config.rules?.['no-restricted-imports'];
      const severity: unknown = Array.isArray(rule) ? rule[0] : rule;
      assert.ok(severity === 2 || severity === 'error', file);
    }
  });

  it('no runtime/ source imports shared/, functions/ or product/', async () => {
    const offenders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (/\.ts$/.test(entry.name)) {
          const text = await fs.readFile(full, 'utf8');
          if (/from '(\.\.\/)+(shared|functions|product)\//.test(text)) offenders.push(full);
        }
      }
    };
    await walk(path.join(ROOT, 'runtime'));
    assert.deepEqual(offenders, []);
  });
});
