/** `createStateStore` picks the backend `state.backend` names. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ButlerConfig } from '../../shared/config/types';
import { createStateStore } from '../../shared/state/create-store';

const warnings: string[] = [];
const log = { info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
const state = (over: Partial<ButlerConfig['state']>): ButlerConfig['state'] => ({
  backend: 'file',
  dir: '.',
  table: { connectionString: null, tablePrefix: 'butler' },
  ...over,
});

test('file, memory (with a warning) and table; table without a connection string is refused', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'butler-create-store-'));
  try {
    assert.equal(createStateStore(state({ dir }), log).backend, 'file');
    assert.equal(createStateStore(state({ backend: 'memory' }), log).backend, 'memory');
    assert.match(warnings.join('\n'), /memory/);
    assert.throws(() => createStateStore(state({ backend: 'table' }), log), /state\.table\.connectionString/);
    const table = createStateStore(
      state({
        backend: 'table',
        table: { connectionString: 'UseDevelopmentStorage=true', tablePrefix: 'butler' },
      }),
      log,
    );
    assert.equal(table.backend, 'table');
    assert.throws(() => table.table('bad-name'), RangeError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
